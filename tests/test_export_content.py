"""The export check's content rows: an export that lost the character's body (dropped by the
cut-out, or thresholded away in a GIF) fails, with what to do; a whole character passes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.export import export_animation, get_preset
from studio.export.content import content_rows, filled_share, measure
from studio.export.frames import matte_threshold
from studio.motion.renderer import render_frames
from studio.pipeline import Studio
from studio.types import MotionSpec, Move
from tests.conftest import EXAMPLES
from tests.drawings import white_ghost

SPEC = MotionSpec((Move("bounce"),), frames=6, fps=8)


def rows_by_rule(rows) -> dict:
    return {r.rule: r for r in rows}


@pytest.fixture(scope="module")
def ghost_frames() -> tuple[list[np.ndarray], list[np.ndarray]]:
    """(whole ghost, body-less ghost) rendered frames at 180 px."""
    g = white_ghost(192)
    whole = np.dstack([g.rgb, (g.character * 255).astype(np.uint8)])
    bodyless = whole.copy()
    bodyless[g.body, 3] = 0
    return (render_frames(whole, SPEC, (180, 180)), render_frames(bodyless, SPEC, (180, 180)))


def test_whole_character_passes(ghost_frames, tmp_path: Path) -> None:
    whole, _ = ghost_frames
    result = export_animation(whole, [125] * 6, "line-emoji", tmp_path / "ok.png")
    rows = rows_by_rule(result.check.rows)
    assert rows["character visible area"].passed and rows["character filled"].passed
    assert rows["character colour"].passed
    assert result.check.ok


def test_body_less_export_fails_the_filled_row_with_what_to_do(ghost_frames, tmp_path) -> None:
    _, bodyless = ghost_frames
    # the project's own frames lost the body (the cut-out dropped it): the file matches
    # them, but its outline encloses far more than it shows
    result = export_animation(bodyless, [125] * 6, "line-emoji", tmp_path / "bodyless.png")
    row = rows_by_rule(result.check.rows)["character filled"]
    assert not row.passed and row.severity == "error"
    assert "include-click" in row.actual
    assert not result.check.ok and "character filled" in result.warnings[-1]
    assert filled_share(bodyless) < 0.5 < filled_share(ghost_frames[0])


def test_export_that_lost_the_body_against_the_project_fails(ghost_frames) -> None:
    whole, bodyless = ghost_frames
    rows = rows_by_rule(content_rows(bodyless, whole, get_preset("line-emoji")))
    area = rows["character visible area"]
    assert not area.passed and "lost part of the character" in area.actual


def test_gif_that_thresholds_a_translucent_body_away_fails() -> None:
    g = white_ghost(160)
    alpha = np.where(g.character, 102, 0).astype(np.uint8)  # a 40 %-translucent body
    eyes = (g.rgb.max(-1) < 80) & g.character
    alpha[eyes] = 255
    frames = render_frames(np.dstack([g.rgb, alpha]), SPEC, (128, 128))
    preset = get_preset("discord-emoji")
    # what a naive 1-bit export does: alpha ≥ 50 % kept opaque, the rest dropped
    gif_like = [np.where(f[..., 3:4] >= 128, np.dstack([f[..., :3], np.full(f.shape[:2], 255)]),
                         0).astype(np.uint8) for f in frames]
    rows = rows_by_rule(content_rows(gif_like, frames, preset))
    area = rows["character visible area"]
    assert not area.passed and "see-through" in area.actual
    # popcon's GIF frames composite the translucent body on the matte: the check passes
    kept = [matte_threshold(f, preset.matte, True) for f in frames]
    assert rows_by_rule(content_rows(kept, frames, preset))["character visible area"].passed


def test_donut_hole_is_not_a_lost_body(settings, tmp_path: Path) -> None:
    studio = Studio(settings)
    p = studio.new_project(EXAMPLES / "donut.png")
    studio.generate(p, studio.motion_spec(preset="bounce", frames=6, fps=8), size=(160, 160))
    result = studio.export(p, "line-emoji", tmp_path / "donut.png")
    rows = rows_by_rule(result.check.rows)
    assert rows["character filled"].passed and rows["character visible area"].passed


def test_measure_counts_visible_pixels_and_colour() -> None:
    f = np.zeros((20, 20, 4), np.uint8)
    f[5:15, 5:15] = (200, 100, 50, 255)
    c = measure([f, f])
    assert c.area == 100 and np.allclose(c.colour, (200, 100, 50))
    Image.fromarray(f)  # frames are plain RGBA arrays
