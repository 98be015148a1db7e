"""One source of truth for procedural animations: a fix to the cut-out re-renders every
frame (same motion, takes, timing); brush restore shows real colours; no key or overlay
colour enters a frame; each Generate is a version that can be restored."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InputError, ProjectError
from studio.motion.renderer import Renderer
from studio.pipeline import Studio
from studio.types import Point, Prompt
from tests.drawings import WHITE_BODY, white_ghost

SIZE = (96, 96)


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def ghost():
    return white_ghost(192)


@pytest.fixture
def project(studio: Studio, ghost):
    """The white ghost, cut out automatically (its body dropped), animated: 6 frames,
    2 takes; frame 2 uses take 1 and frame 3 has its own timing."""
    p = studio.new_project(ghost.rgb, name="ghost")
    studio.segment_source(p)
    spec = studio.motion_spec(preset="bounce", effects=["sparkles"], frames=6, fps=6)
    studio.generate(p, spec, size=SIZE, candidates=2)
    studio.choose(p, 2, 1)
    studio.set_duration(p, 3, 400)
    return p


def visible(frames: list[np.ndarray]) -> float:
    return float(np.mean([(f[..., 3] > 25).sum() for f in frames]))


def test_include_click_on_the_source_re_renders_every_frame(studio, project, ghost) -> None:
    before = project.chosen_frames()
    cut_before = project.load_source().cutout
    studio.segment_source(project, prompt=Prompt((Point(*ghost.body_xy),)))
    cutout = project.load_source().cutout
    assert (cutout[..., 3] > 128)[ghost.body].mean() > 0.97  # the body is back
    after = project.chosen_frames()
    assert len(after) == len(before)
    assert visible(after) > 2.0 * visible(before)  # in every frame, not only the source
    for f0, f1 in zip(before, after, strict=True):
        assert (f1[..., 3] > 25).sum() > 1.5 * (f0[..., 3] > 25).sum()
    # same takes, timing and motion: each take equals a fresh render of the new cut-out
    assert project.slot_record(2)["chosen"] == 1 and project.slot_record(3)["duration_ms"] == 400
    spec = project.motion
    for slot in (0, 2):
        rec = project.slot_record(slot)
        origin = rec["candidates"][rec["chosen"]]["origin"]
        r = Renderer(cutout, spec, SIZE, seed=origin["seed"], variation=origin["variation"])
        assert np.array_equal(r.frame(slot), after[slot])
    assert not np.array_equal(cut_before, cutout)


def test_retry_with_an_edited_prompt_keeps_its_motion_on_re_render(studio, project, ghost):
    studio.regenerate(project, 1, "big spin")
    origin = project.slot_record(1)["candidates"][2]["origin"]
    assert origin["motion"]["prompt"] == "big spin"
    studio.segment_source(project, prompt=Prompt((Point(*ghost.body_xy),)))
    assert project.slot_record(1)["chosen"] == 2
    spec = project.motion
    assert spec is not None and spec.prompt != "big spin"
    from studio.types import MotionSpec

    r = Renderer(project.load_source().cutout, MotionSpec.from_dict(origin["motion"]), SIZE,
                 seed=origin["seed"], variation=origin["variation"])
    assert np.array_equal(r.frame(1), project.chosen_frames()[1])


def test_brush_on_the_source_restores_real_colours_and_re_renders(studio, project, ghost):
    h, w = ghost.rgb.shape[:2]
    stroke = np.zeros((h, w), np.float32)
    stroke[ghost.body] = 1.0
    before = visible(project.chosen_frames())
    studio.paint_source(project, stroke, erase=False)
    cut = project.load_source().cutout
    body = cut[ghost.body]
    assert (body[:, 3] == 255).all()
    assert np.abs(body[:, :3].astype(int) - WHITE_BODY).max() <= 3  # the real white, not black
    assert visible(project.chosen_frames()) > 2.0 * before
    # the edit stays when the cut-out is made again (a later click)
    studio.segment_source(project, prompt=Prompt((Point(3, 3, False),)))
    assert (project.load_source().cutout[..., 3] == 255)[ghost.body].mean() > 0.99
    erase = np.zeros((h, w), np.float32)
    erase[:, : w // 2] = 1.0
    studio.paint_source(project, erase, erase=True)
    assert project.load_source().cutout[:, : w // 2, 3].max() == 0
    with pytest.raises(InputError, match="empty"):
        studio.paint_source(project, np.zeros((h, w), np.float32), erase=True)
    with pytest.raises(InputError, match="stroke"):
        studio.paint_source(project, np.ones((5, 5), np.float32), erase=True)


def test_restore_brush_on_a_procedural_frame_shows_the_moved_source(studio, project) -> None:
    frame = project.chosen_frames()[1]
    clear = frame[..., 3] == 0
    # paint the middle of the character's box: where the body should be but the frame is clear
    ys, xs = np.nonzero(frame[..., 3] > 0)
    stroke = np.zeros(frame.shape[:2], np.float32)
    cy, cx = int(ys.mean()), int(xs.mean())
    stroke[cy - 8:cy + 8, cx - 8:cx + 8] = 1.0
    painted = (stroke > 0) & clear
    assert painted.sum() > 50
    studio.paint_frame(project, 1, stroke, erase=False)
    out = project.chosen_frames()[1]
    px = out[painted]
    assert (px[:, 3] == 255).all()
    assert px[:, :3].min() > 200  # the white body, never black


def test_include_click_on_a_frame_adds_no_key_colour(studio, project, ghost) -> None:
    frame = project.chosen_frames()[0]
    ys, xs = np.nonzero(frame[..., 3] > 0)
    # a click inside the outline where the body is missing in the frame
    cy, cx = int(ys.mean()), int(xs.mean())
    studio.fix_frame(project, 0, Prompt((Point(cx, cy + 10),)))
    out = project.chosen_frames()[0]
    shown = out[out[..., 3] > 0][:, :3].astype(int)
    source_colours = ghost.rgb.reshape(-1, 3)
    blue = (shown[:, 2] > 200) & (shown[:, 0] < 60) & (shown[:, 1] < 60)
    assert not blue.any()
    assert not ((source_colours[:, 2] > 200) & (source_colours[:, 0] < 60)).any()


def test_each_generate_is_a_version_and_the_previous_can_be_restored(studio, project) -> None:
    first_frames = project.chosen_frames()
    assert project.manifest["edited"] == 2  # a take chosen, a timing set
    spec = studio.motion_spec(preset="spin", frames=4, fps=8)
    studio.generate(project, spec, size=SIZE)
    versions = project.versions()
    assert [(v["version"], v["current"], v["frames"]) for v in versions] == [
        (1, False, 6), (2, True, 4)]
    assert project.manifest["edited"] == 0
    studio.restore_version(project, 1)
    again = studio.open(project.id)
    assert again.slot_record(2)["chosen"] == 1 and again.slot_record(3)["duration_ms"] == 400
    assert all(np.array_equal(a, b) for a, b in zip(again.chosen_frames(), first_frames,
                                                    strict=True))
    assert [(v["version"], v["current"]) for v in again.versions()] == [(1, True), (2, False)]
    with pytest.raises(ProjectError, match="no version 7"):
        studio.restore_version(again, 7)
