"""The Studio service on real projects: generate, retry, choose, fix, paint, edges, export."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InputError, ProjectError
from studio.pipeline import Studio, segmentable_frame
from studio.refine import EdgeSettings
from studio.types import Candidate, Point, Prompt
from tests.conftest import EXAMPLES


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def project(studio: Studio):
    p = studio.new_project(EXAMPLES / "blob.png")
    spec = studio.motion_spec(prompt="bounce with sparkles", frames=8, fps=8)
    studio.generate(p, spec, size=(120, 120), candidates=2)
    return p


def test_generate_then_resume(studio: Studio, project) -> None:
    again = studio.open(project.id)
    slots = again.load_slots()
    assert len(slots) == 8 and all(len(s.candidates) == 2 for s in slots)
    assert again.motion is not None and again.motion.prompt == "bounce with sparkles"
    assert again.load_source().cutout is not None


def test_regenerate_appends_and_chooses(studio: Studio, project) -> None:
    before = project.chosen_frames()[2]
    cands = studio.regenerate(project, 2, "big bounce with sparkles")
    assert len(cands) == 1
    rec = project.slot_record(2)
    assert len(rec["candidates"]) == 3 and rec["chosen"] == 2
    assert not np.array_equal(project.chosen_frames()[2], before)
    with pytest.raises(InputError, match="slot must be between 0 and 7"):
        studio.regenerate(project, 8)


def test_choose_swaps_frame(studio: Studio, project) -> None:
    slots = project.load_slots()
    studio.choose(project, 1, 1)
    assert np.array_equal(project.chosen_frames()[1], slots[1].candidates[1].rgba)


def test_fix_frame_with_points_and_brush(studio: Studio, project) -> None:
    frame = project.chosen_frames()[3]
    ys, xs = np.nonzero(frame[..., 3] > 200)
    mask = studio.fix_frame(project, 3, Prompt((Point(float(xs.mean()), float(ys.mean())),)))
    assert np.abs(mask.alpha - frame[..., 3] / 255).mean() < 0.01  # a clean frame stays
    with pytest.raises(InputError, match="at least one"):
        studio.fix_frame(project, 3, Prompt())

    stroke = np.zeros(frame.shape[:2], np.float32)
    stroke[:, : frame.shape[1] // 2] = 1
    studio.paint_frame(project, 3, stroke, erase=True)
    after = project.chosen_frames()[3]
    assert after[:, : frame.shape[1] // 2, 3].max() == 0
    studio.paint_frame(project, 3, stroke, erase=False)
    restored = project.chosen_frames()[3]
    assert restored[:, : frame.shape[1] // 2, 3].min() == 255
    # other frames are untouched
    assert np.array_equal(project.chosen_frames()[4], studio.open(project.id).chosen_frames()[4])


def test_edges_and_timing_reach_export(studio: Studio, project, tmp_path) -> None:
    plain = studio.final_frames(project)[0]
    studio.set_edges(project, EdgeSettings(outline=4, outline_color="#ff0000"))
    outlined = studio.final_frames(project)[0]
    assert (outlined[..., 3] > 0).sum() > (plain[..., 3] > 0).sum()
    with pytest.raises(InputError, match="outline must be between"):
        studio.set_edges(project, EdgeSettings(outline=99))
    assert studio.edges(project).outline == 4  # the bad request changed nothing

    studio.set_duration(project, 0, 250)
    assert studio.durations_ms(project)[0] == 250
    with pytest.raises(InputError, match="frame duration"):
        studio.set_duration(project, 0, 5)
    result = studio.export(project, "line-emoji", tmp_path / "out.png")
    assert result.check.ok
    assert project.manifest["exports"][-1]["ok"] is True


def test_export_before_generate_changes_nothing(studio: Studio) -> None:
    p = studio.new_project(EXAMPLES / "star.png")
    before = (p.path / "manifest.json").read_bytes()
    with pytest.raises((InputError, ProjectError), match="generate first"):
        studio.export(p, "line-emoji")
    assert (p.path / "manifest.json").read_bytes() == before


def test_bad_image_creates_no_project(studio: Studio, tmp_path) -> None:
    bad = tmp_path / "x.png"
    bad.write_bytes(b"nope")
    with pytest.raises(InputError):
        studio.new_project(bad)
    assert not studio.settings.projects_dir.exists() or not any(
        studio.settings.projects_dir.iterdir()
    )


def test_segmentable_frame_picks_a_far_key_colour() -> None:
    rgba = np.zeros((20, 20, 4), np.uint8)
    rgba[5:15, 5:15] = (250, 250, 250, 255)  # a white character: key must not be white
    rgb = segmentable_frame(Candidate("x", {}, rgba=rgba))
    assert tuple(rgb[0, 0]) != (255, 255, 255) and tuple(rgb[10, 10]) == (250, 250, 250)
