"""Part moves on the automatic rig: blink, look, talk, wave_arm, wiggle_ears, wag_tail.

Each test draws a small character, finds its rig, renders the part move and checks the part
(and only the part) moved, the loop is seamless, and blinks leave no dark bar or hole.
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.motion.renderer import Renderer
from studio.motion.rig import Rig, detect_rig
from studio.types import MotionSpec, Move

FACE_RGB = (250, 200, 60)
INK = (40, 30, 30)
SIZE = (160, 160)


def critter(arms: bool = True, ears: bool = True, tail: bool = False, size: int = 200):
    """A round yellow character: eyes with a highlight, a wide mouth, optional arms (sticking
    out left and right), ears (on top) and a tail (lower right). RGBA uint8."""
    img = np.zeros((size, size, 4), np.uint8)
    body = (*FACE_RGB, 255)
    c = size // 2
    cv2.circle(img, (c, c), int(size * 0.3), body, -1, cv2.LINE_AA)
    if arms:
        cv2.rectangle(img, (c - 95, c + 5), (c - 50, c + 19), body, -1)
        cv2.rectangle(img, (c + 50, c + 5), (c + 95, c + 19), body, -1)
    if ears:
        cv2.fillPoly(img, [np.array([[c - 42, c - 40], [c - 40, c - 92], [c - 14, c - 56]])],
                     body, cv2.LINE_AA)
        cv2.fillPoly(img, [np.array([[c + 42, c - 40], [c + 40, c - 92], [c + 14, c - 56]])],
                     body, cv2.LINE_AA)
    if tail:
        cv2.line(img, (c + 40, c + 40), (c + 90, c + 75), body, 13, cv2.LINE_AA)
    for dx in (-22, 22):
        cv2.ellipse(img, (c + dx, c - 12), (8, 12), 0, 0, 360, (*INK, 255), -1, cv2.LINE_AA)
        cv2.circle(img, (c + dx + 3, c - 17), 3, (255, 255, 255, 255), -1, cv2.LINE_AA)
    cv2.ellipse(img, (c, c + 26), (16, 6), 0, 0, 360, (*INK, 255), -1, cv2.LINE_AA)
    return img


CRITTER = critter()
RIG = detect_rig(CRITTER)


def render(moves, cutout=CRITTER, rig=RIG, frames=12, **kw):
    spec = MotionSpec(moves=tuple(moves), frames=frames, fps=12.0)
    r = Renderer(cutout, spec, SIZE, rig=rig, **kw)
    return r, [r.frame(i) for i in range(frames)]


def to_frame(r: Renderer, x: float, y: float, cutout=CRITTER) -> tuple[float, float]:
    """Cut-out px → output frame px (no body move, so only the layout applies)."""
    ys, xs = np.nonzero(cutout[..., 3])
    cx, cy = r.layout.apply(x - xs.min(), y - ys.min())
    return cx / r.ss, cy / r.ss


def disc_pixels(frame: np.ndarray, x: float, y: float, radius: float) -> np.ndarray:
    yy, xx = np.mgrid[: frame.shape[0], : frame.shape[1]]
    return frame[np.hypot(xx - x, yy - y) <= radius]


def lum(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114])


def step_diffs(frames):
    comp = [f[..., :3] * (f[..., 3:] / 255.0) + 128 * (1 - f[..., 3:] / 255.0) for f in frames]
    n = len(comp)
    return np.array([np.abs(comp[(i + 1) % n] - comp[i]).mean() for i in range(n)])


def test_the_drawn_character_is_rigged():
    kinds = sorted(p.kind for p in RIG.parts)
    assert kinds.count("eye") == 2 and kinds.count("mouth") == 1
    assert kinds.count("arm") == 2 and kinds.count("ear") == 2


@pytest.mark.parametrize("name", ["blink", "look", "talk", "wave_arm", "wiggle_ears"])
def test_part_moves_loop_seamlessly_and_rest_at_frame_zero(name):
    r, frames = render([Move(name)])
    assert r.parts is not None and r.parts.values[0] == {}  # at rest on the loop point
    if name in ("blink", "look", "talk"):  # (turning limbs widen the layout)
        assert np.array_equal(frames[0], render([])[1][0])
    d = step_diffs(frames)
    assert d[:-1].max() > 0.05, f"{name} does not move"
    assert d[-1] <= 1.5 * d[:-1].max() + 0.05, f"jump at the loop point: {d.round(2)}"


def test_blink_closes_the_eyes_with_the_face_colour_not_a_dark_bar():
    r, frames = render([Move("blink")])
    closure = [max(v.get("close", 0) for v in r.parts.values[i].values()) if r.parts.values[i]
               else 0 for i in range(12)]
    shut = frames[int(np.argmax(closure))]
    assert max(closure) == 1.0
    for eye in RIG.of_kind("eye"):
        x, y = to_frame(r, *eye.pivot)
        radius = 0.6 * 8 * r.layout.scale / r.ss  # 60% of the eye's half-width, in frame px
        open_px = disc_pixels(frames[0], x, y, radius)
        shut_px = disc_pixels(shut, x, y, radius)
        ring = disc_pixels(shut, x, y, 3 * radius)
        face = np.median(ring[..., :3], axis=0)
        assert lum(open_px).mean() < 90  # the open eye is dark: the test can fail
        assert np.abs(np.median(shut_px[..., :3], 0) - face).max() < 20
        assert (lum(shut_px) < lum(face) - 80).mean() < 0.25  # a thin lash line, no bar
        assert shut_px[..., 3].min() == 255  # no hole


def test_look_moves_the_pupils_inside_the_eyes():
    r, frames = render([Move("look", direction="left")])
    eye = RIG.get("eye-l")
    x, y = to_frame(r, *eye.pivot)

    def dark_x(frame):
        patch = frame[int(y) - 12 : int(y) + 12, int(x) - 14 : int(x) + 14]
        _yy, xx = np.nonzero(lum(patch) < 100)
        return xx.mean()

    shifts = [dark_x(f) - dark_x(frames[0]) for f in frames]
    assert min(shifts) < -1.0 and max(shifts) < 0.3  # left only, then back
    right = render([Move("look", direction="right")])[1]
    assert max(dark_x(f) - dark_x(right[0]) for f in right) > 1.0
    outline = [f[..., 3] for f in frames]
    assert all(np.array_equal(o, outline[0]) for o in outline)  # the body does not move


def test_talk_opens_the_mouth():
    r, frames = render([Move("talk")])
    m = RIG.of_kind("mouth")[0]
    x, y = to_frame(r, *m.pivot)

    def dark_rows(frame):
        patch = frame[int(y) - 10 : int(y) + 25, int(x) - 20 : int(x) + 20]
        return (lum(patch) < 100).any(axis=1).sum()

    heights = [dark_rows(f) for f in frames]
    assert max(heights) >= heights[0] + 4  # about 1.9× as tall at the widest
    assert heights[6] == heights[0]  # two cycles: shut again half way


def test_wave_arm_raises_one_arm_about_its_shoulder_without_a_hole():
    r, frames = render([Move("wave_arm")])
    arm = max(RIG.of_kind("arm"), key=lambda p: p.pivot[0])  # default: the right-hand one
    px, py = to_frame(r, *arm.pivot)
    tip = to_frame(r, arm.pivot[0] + 35, arm.pivot[1])

    def alpha_above(frame):  # opaque px in the box above the resting arm, right of the body
        return int((frame[int(py) - 40 : int(py) - 4, int(px) + 4 : int(tip[0]) + 4, 3] > 128)
                   .sum())

    lifted = [alpha_above(f) for f in frames]
    assert max(lifted) > lifted[0] + 30
    for f in frames:  # the join stays filled
        assert f[round(py), round(px) - 2, 3] > 200
    left = min(RIG.of_kind("arm"), key=lambda p: p.pivot[0])
    lx, ly = to_frame(r, *left.pivot)
    still = [f[int(ly) - 10 : int(ly) + 10, : int(lx)] for f in frames]
    assert all(np.abs(s.astype(int) - still[0]).max() <= 2 for s in still)  # the other arm


def test_wiggle_ears_moves_both_ears_and_keeps_the_eyes():
    r, frames = render([Move("wiggle_ears")])
    top = [f[: int(to_frame(r, 0, 100 - 45)[1])] for f in frames]
    assert max(np.abs(t.astype(int) - top[0]).max() for t in top) > 60
    eye = RIG.get("eye-l")
    x, y = to_frame(r, *eye.pivot)
    eyes = [f[int(y) - 8 : int(y) + 8, int(x) - 8 : int(x) + 8] for f in frames]
    assert all(np.abs(e.astype(int) - eyes[0]).max() <= 2 for e in eyes)


def test_wag_tail_turns_the_tail():
    cut = critter(arms=False, ears=False, tail=True)
    rig = detect_rig(cut)
    assert [p.kind for p in rig.parts if p.kind not in ("eye", "mouth", "face")] == ["tail"]
    r, frames = render([Move("wag_tail")], cutout=cut, rig=rig)
    tail = rig.of_kind("tail")[0]
    x, y = to_frame(r, *tail.pivot, cutout=cut)
    region = [f[int(y) - 5 :, int(x) - 5 :, 3].astype(int) for f in frames]
    assert max(np.abs(g - region[0]).max() for g in region) > 100


def test_part_moves_combine_with_body_moves():
    _r, frames = render([Move("blink"), Move("bounce")])
    _, body = render([Move("bounce")])
    assert not np.array_equal(frames[1], body[1])  # the eyes closed…
    assert np.array_equal(frames[0], body[0])  # …and rest on the loop point
    assert np.abs(frames[6][..., 3].astype(int) - body[6][..., 3]).max() <= 1  # same body


def test_a_part_move_without_its_part_or_without_a_rig_changes_nothing():
    no_arms = detect_rig(critter(arms=False, ears=False))
    _, still = render([])
    assert all(np.array_equal(f, still[0]) for f in render([Move("wave_arm")], rig=no_arms)[1])
    assert all(np.array_equal(f, still[0]) for f in render([Move("blink")], rig=None)[1])


def test_limbs_that_turn_stay_inside_the_canvas():
    _, frames = render([Move("wave_arm", amount=2.0)])
    for f in frames:
        a = f[..., 3]
        assert a[0].max() == a[-1].max() == a[:, 0].max() == a[:, -1].max() == 0


def test_candidates_share_one_layout_with_part_moves():
    spec = MotionSpec(moves=(Move("wave_arm"),), frames=8)
    a = Renderer(CRITTER, spec, SIZE, rig=RIG, seed=0)
    b = Renderer(CRITTER, spec, SIZE, rig=RIG, seed=1, variation=1.0)
    assert np.allclose(a.layout.matrix, b.layout.matrix)


def test_rig_edits_are_used_by_the_renderer():
    arm = max(RIG.of_kind("arm"), key=lambda p: p.pivot[0])
    moved = Rig(RIG.size, tuple(p for p in RIG.parts if p.id != arm.id))
    _, without = render([Move("wave_arm")], rig=moved)  # only the left arm is left: it waves
    _, with_both = render([Move("wave_arm")])
    assert not np.array_equal(without[3], with_both[3])


def test_the_procedural_generator_finds_a_rig_when_the_source_has_none():
    from studio.generate.procedural import ProceduralGenerator
    from studio.types import Source

    source = Source(image=CRITTER, cutout=CRITTER)  # e.g. a remote worker's request
    spec = MotionSpec(moves=(Move("blink"),), frames=6, fps=12.0)
    slots = ProceduralGenerator().generate(source, spec, size=(96, 96))
    frames = [s.candidates[0].rgba for s in slots]
    assert not all(np.array_equal(f, frames[0]) for f in frames)


def test_a_prompted_sequence_of_part_moves_loops_seamlessly():
    from studio.motion import parse_motion_prompt
    from studio.motion.rig.bind import bind_to_rig

    spec = bind_to_rig(parse_motion_prompt("blink twice then wave", frames=16), RIG)
    assert [m.name for m in spec.moves] == ["blink", "wave_arm"]
    r = Renderer(CRITTER, spec, SIZE, rig=RIG)
    frames = [r.frame(i) for i in range(16)]
    d = step_diffs(frames)
    assert d[:7].max() > 0.05 and d[8:15].max() > 0.05  # both steps move
    assert d[-1] <= 1.5 * d[:-1].max() + 0.05


def test_a_line_mouth_opens_a_dark_cavity_under_the_line():
    cut = critter(arms=False, ears=False)
    c = 100
    cv2.ellipse(cut, (c, c + 26), (16, 6), 0, 0, 360, (*FACE_RGB, 255), -1)  # no filled mouth
    cv2.ellipse(cut, (c, c + 20), (18, 8), 0, 20, 160, (*INK, 255), 3, cv2.LINE_AA)  # a smile
    rig = detect_rig(cut)
    assert len(rig.of_kind("mouth")) == 1
    r, frames = render([Move("talk")], cutout=cut, rig=rig)
    mouth = rig.of_kind("mouth")[0]
    x, y = to_frame(r, *mouth.pivot, cutout=cut)

    def dark(frame):
        return int((lum(frame[int(y) - 8 : int(y) + 20, int(x) - 15 : int(x) + 15]) < 110).sum())

    counts = [dark(f) for f in frames]
    assert max(counts) > 1.5 * counts[0]  # the cavity opens…
    assert counts[6] == counts[0]  # …and closes again (two cycles)


@pytest.mark.parametrize("body", ["jelly", "spin", "peek"])
def test_part_moves_ride_on_warping_turning_and_clipped_bodies(body):
    _, frames = render([Move(body), Move("blink"), Move("wave_arm")])
    _, plain = render([Move(body), Move("wave_arm")])
    assert any(not np.array_equal(a, b) for a, b in zip(frames, plain, strict=True))
    d = step_diffs(frames)
    assert d[-1] <= 1.5 * d[:-1].max() + 0.05
