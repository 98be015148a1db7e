"""Region clicks: include/exclude act on the outline-bounded region or the separate object
under the click (studio.segment.regions), through the classical and auto click paths."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from studio.segment.auto import AutoSegmenter
from studio.segment.classical import ClassicalSegmenter
from studio.segment.regions import apply_region_clicks, outline_coverage, region_at
from studio.types import Point, Prompt
from tests.conftest import EXAMPLES, ROOT
from tests.drawings import character_with_box, white_ghost

FIELD = ROOT.parent / "shared" / "field-cases"


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.fixture(scope="module")
def ghost():
    return white_ghost(256)


@pytest.fixture(scope="module")
def auto_mask(ghost) -> np.ndarray:
    return ClassicalSegmenter().segment(ghost.rgb).alpha >= 0.5


def test_the_keying_drops_the_ghost_body_and_the_coverage_check_sees_it(ghost, auto_mask):
    assert (auto_mask & ghost.body).sum() < 0.2 * ghost.body.sum()  # the case to fix
    assert outline_coverage(auto_mask.astype(np.float32)) < 0.5
    assert outline_coverage(ghost.character.astype(np.float32)) > 0.9


def test_region_under_a_click_closes_small_outline_gaps(ghost):
    region = region_at(ghost.rgb, *ghost.body_xy)
    assert region.enclosed and region.gap > 0  # the outline has a gap, closed
    assert iou(region.mask, ghost.body) > 0.9
    pocket = region_at(ghost.rgb, *ghost.gap_xy)
    assert pocket.enclosed and iou(pocket.mask, ghost.gap) > 0.9


def test_one_include_click_brings_the_whole_body_back(ghost, auto_mask):
    out = apply_region_clicks(ghost.rgb, auto_mask, [Point(*ghost.body_xy)])
    assert (out & ghost.body).sum() >= 0.98 * ghost.body.sum()
    assert out[ghost.cheek_xy[1], ghost.cheek_xy[0]]  # the cheeks stay
    outside = ~ghost.character & ~ghost.gap
    assert (out & outside).sum() < 0.01 * ghost.body.sum()  # the background stays out


def test_exclude_on_one_gap_clears_that_gap_only(ghost):
    full = ghost.character | ghost.gap
    out = apply_region_clicks(ghost.rgb, full, [Point(*ghost.gap_xy, False)])
    assert (out & ghost.gap).sum() < 0.05 * ghost.gap.sum()
    assert (out & ghost.body).sum() == ghost.body.sum()  # the white body is untouched


def test_clicks_that_change_nothing_change_nothing(ghost, auto_mask):
    inside = np.argwhere(auto_mask)[0]
    same = apply_region_clicks(ghost.rgb, auto_mask, [Point(inside[1], inside[0])])
    assert np.array_equal(same, auto_mask)
    same = apply_region_clicks(ghost.rgb, auto_mask, [Point(2, 2, False)])
    assert np.array_equal(same, auto_mask)


def test_exclude_on_a_separate_box_removes_the_box():
    img, truth, on_box = character_with_box(256)
    seg = ClassicalSegmenter()
    before = seg.segment(img).alpha >= 0.5
    assert iou(before, truth) < 0.9  # the box is kept automatically
    after = seg.segment(img, Prompt((Point(*on_box, False),))).alpha >= 0.5
    assert iou(after, truth) >= 0.95


@pytest.mark.skipif(not (FIELD / "character-plus-separate-watermark-box.png").exists(),
                    reason="../shared/field-cases is not on this machine")
@pytest.mark.parametrize("backend", ["classical", "auto"])
def test_field_case_watermark_box(backend: str):
    img = np.asarray(Image.open(FIELD / "character-plus-separate-watermark-box.png")
                     .convert("RGB"))
    truth = np.asarray(Image.open(FIELD / "character-plus-separate-watermark-box.truth-alpha.png")
                       .convert("L")) >= 128
    seg = ClassicalSegmenter() if backend == "classical" else AutoSegmenter()
    after = seg.segment(img, Prompt((Point(260, 281, False),))).alpha >= 0.5
    assert iou(after, truth) >= 0.95


def test_exclude_on_the_donut_hole_keeps_the_white_sprinkles():
    img = np.asarray(Image.open(EXAMPLES / "donut.png").convert("RGB"))
    seg = AutoSegmenter()
    before = seg.segment(img).alpha >= 0.5
    after = seg.segment(img, Prompt((Point(190, 215, False),))).alpha >= 0.5
    hole = region_at(img, 190, 215).mask
    assert before[215, 190] and not after[215, 190]
    assert (after & hole).sum() < 0.05 * hole.sum()
    white = (img.min(-1) > 235) & before & ~hole
    assert white.sum() > 100  # the sprinkles
    assert (after & white).sum() >= 0.97 * white.sum()
    assert (before & ~after).sum() < 1.3 * hole.sum()  # nothing else went


def test_auto_clicks_start_from_the_cached_automatic_cut_out(ghost, auto_mask):
    seg = AutoSegmenter()
    first = seg.segment(ghost.rgb)
    assert first.info["auto_choice"] == "classical"
    clicked = seg.segment(ghost.rgb, Prompt((Point(*ghost.body_xy),)))
    assert clicked.backend == "classical+regions"
    assert (clicked.alpha >= 0.5)[ghost.body].mean() > 0.98
    # the foreground colour of the restored body is the body's own white
    fg = clicked.foreground[ghost.body]
    assert np.abs(fg.astype(int) - (250, 250, 252)).max(axis=1).mean() < 6
