"""The procedural renderer: seamless loops, premultiplied edges, layout, warps, effects."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.errors import InputError
from studio.motion import list_effects, list_presets, parse_motion_prompt, preset_spec
from studio.motion import render_frames as _render
from studio.types import Effect, MotionSpec, Move

PRESETS = [p.name for p in list_presets() if p.needs is None]  # part moves: test_part_moves
SIZE = (64, 64)


def character(
    size: int = 96,
    rgb: tuple[int, int, int] = (250, 200, 60),
    eyes: bool = True,
    clear_rgb: tuple[int, int, int] = (0, 0, 0),
) -> np.ndarray:
    """A round face on transparent: straight-alpha RGBA (size, size, 4); `clear_rgb` is the
    (meaningless) colour stored under alpha 0, to catch renderers that let it bleed."""
    alpha = np.zeros((size, size), np.uint8)
    c = size // 2
    cv2.circle(alpha, (c, c), int(size * 0.4), 255, -1, cv2.LINE_AA)
    colour = np.empty((size, size, 3), np.uint8)
    colour[:] = rgb
    if eyes:
        for dx in (-1, 1):
            cv2.circle(colour, (c + dx * size // 7, c - size // 10), size // 14, (30, 30, 40), -1)
    colour[alpha == 0] = clear_rgb
    return np.dstack([colour, alpha])


FACE = character()


def render(spec, size=SIZE, **kw):
    return _render(FACE if "cutout" not in kw else kw.pop("cutout"), spec, size, **kw)


def composite(frame: np.ndarray, bg: float) -> np.ndarray:
    a = frame[..., 3:4].astype(np.float64) / 255.0
    return frame[..., :3] * a + bg * (1.0 - a)


def step_diffs(frames: list[np.ndarray]) -> np.ndarray:
    """Mean abs difference (over grey) between consecutive frames; the last is N-1 → 0."""
    comps = [composite(f, 128.0) for f in frames]
    n = len(comps)
    return np.array([np.abs(comps[(i + 1) % n] - comps[i]).mean() for i in range(n)])


def assert_seamless(frames: list[np.ndarray]) -> None:
    d = step_diffs(frames)
    assert d[:-1].max() > 0.05, "the animation does not move"
    assert d[-1] <= 1.5 * d[:-1].max() + 0.05, f"jump at the loop point: {d.round(2)}"


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_loops_seamlessly(name):
    frames = render(preset_spec(name, frames=12))
    assert len(frames) == 12
    assert all(f.shape == (64, 64, 4) and f.dtype == np.uint8 for f in frames)
    assert_seamless(frames)


@pytest.mark.parametrize(
    "prompt", ["slow zoom then shake", "bounce then spin then jelly", "hop twice then sway left"]
)
def test_sequences_loop_seamlessly_and_rest_between_steps(prompt):
    spec = parse_motion_prompt(prompt, frames=24)
    frames = render(spec)
    assert_seamless(frames)
    d = step_diffs(frames)
    boundary = round(spec.moves[-1].start * 24)
    rest = np.abs(composite(frames[boundary], 128) - composite(frames[0], 128)).mean()
    assert rest <= 0.5 * d[:-1].max()  # each step starts from the resting pose


@pytest.mark.parametrize("name", PRESETS)
def test_character_stays_inside_the_canvas_at_big_intensity(name):
    for cutout in (FACE, np.ascontiguousarray(np.repeat(FACE, 3, axis=1)[:, ::2])):
        frames = render(preset_spec(name, amount=2.0, shadow=True), cutout=cutout)
        for f in frames:
            a = f[..., 3]
            assert a[0].max() == a[-1].max() == a[:, 0].max() == a[:, -1].max() == 0, name


def test_canvas_is_used_not_left_empty():
    f = render(preset_spec("breathe"), size=(100, 80))[0]
    assert f.shape == (80, 100, 4)
    ys = np.nonzero(f[..., 3])[0]
    assert ys.max() - ys.min() > 0.7 * 80  # fills the height (the limiting side)


def test_white_character_has_no_dark_fringe():
    white = character(rgb=(255, 255, 255), eyes=False, clear_rgb=(0, 0, 0))
    for prompt in ("spin", "jelly wobble", "sway", "popin"):
        for f in _render(white, parse_motion_prompt(prompt), (57, 61)):
            on_white = composite(f, 255.0)
            assert on_white.min() >= 253, prompt  # white over white stays white
            on_black = composite(f, 0.0)
            a = f[..., 3].astype(np.float64)
            assert np.abs(on_black - a[..., None]).max() <= 2.0, prompt  # colour is white


def test_black_character_has_no_light_fringe():
    black = character(rgb=(0, 0, 0), eyes=False, clear_rgb=(255, 255, 255))
    for prompt in ("spin", "jelly"):
        for f in _render(black, parse_motion_prompt(prompt), (57, 61)):
            assert composite(f, 0.0).max() <= 2.0, prompt  # black over black stays black
            edge = (f[..., 3] > 0) & (f[..., 3] < 255)
            assert edge.any()  # edges are anti-aliased (soft), not jagged
            assert f[..., :3][edge].max() <= 3


def test_cutout_is_cropped_to_its_alpha_first():
    big = np.zeros((300, 420, 4), np.uint8)
    big[200:296, 10:106] = FACE
    spec = preset_spec("spin")
    for a, b in zip(render(spec), render(spec, cutout=big), strict=True):
        assert np.abs(a.astype(int) - b.astype(int)).max() <= 1


def test_large_cutout_is_downsampled_cleanly():
    big = character(size=600)
    f = _render(big, preset_spec("float"), (48, 48))[0]
    small = _render(character(size=96), preset_spec("float"), (48, 48))[0]
    a, b = f[..., 3] > 127, small[..., 3] > 127
    assert (a & b).sum() / (a | b).sum() > 0.95  # same shape (IoU), whatever the input size
    edge = (f[..., 3] > 0) & (f[..., 3] < 255)
    assert edge.sum() < 0.5 * a.sum()  # a thin soft edge, no blur


def test_rendering_is_deterministic():
    spec = parse_motion_prompt("shake with sparkles and hearts")
    a = render(spec, seed=7)
    b = render(spec, seed=7)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_random_moves_differ_with_the_seed_others_do_not():
    shake = preset_spec("shake")
    a, b = render(shake, seed=1), render(shake, seed=2)
    assert any(not np.array_equal(x, y) for x, y in zip(a, b, strict=True))
    bounce = preset_spec("bounce")
    a, b = render(bounce, seed=1), render(bounce, seed=2)
    assert all(np.array_equal(x, y) for x, y in zip(a, b, strict=True))


def test_variation_changes_but_stays_seamless():
    spec = preset_spec("hop")
    exact, varied = render(spec, seed=3), render(spec, seed=3, variation=1.0)
    assert any(not np.array_equal(x, y) for x, y in zip(exact, varied, strict=True))
    assert_seamless(varied)


def test_warps_bend_the_character_non_rigidly():
    frames = render(preset_spec("sway", amount=1.5), size=(96, 96))
    top_shift, bottom_shift = [], []
    for f in frames:
        a = f[..., 3] > 128
        rows = np.nonzero(a.any(axis=1))[0]
        top, bottom = rows.min() + 3, rows.max() - 3
        top_shift.append(np.nonzero(a[top])[0].mean())
        bottom_shift.append(np.nonzero(a[bottom])[0].mean())
    assert np.ptp(top_shift) > 2 * np.ptp(bottom_shift) + 1  # the top sways, the base stays


def test_indices_render_only_those_frames():
    spec = preset_spec("nod")
    full = render(spec)
    some = render(spec, indices=[3, 7])
    assert np.array_equal(some[0], full[3]) and np.array_equal(some[1], full[7])


@pytest.mark.parametrize("effect", [e.name for e in list_effects()])
def test_effects_draw_antialiased_shapes_and_loop(effect):
    green = character(rgb=(0, 255, 0), eyes=False)  # no effect is green: tell them apart
    frames = _render(green, preset_spec("breathe", effects=[effect]), (96, 96))
    drawn, soft = 0, False
    for f in frames:
        rgb = f[..., :3].astype(int)
        mask = (f[..., 3] > 0) & (np.maximum(rgb[..., 0], rgb[..., 2]) > rgb[..., 1] + 10)
        drawn += int(mask.sum())
        soft = soft or bool(((f[..., 3][mask] > 0) & (f[..., 3][mask] < 255)).any())
    assert drawn > 20, effect
    assert soft, f"{effect} is not anti-aliased"
    assert_seamless(frames)


def test_effect_colour_override():
    spec = preset_spec("breathe", effects=[Effect("hearts", color="#00ff00")])
    f = render(spec, size=(96, 96))[3]
    green = (f[..., 1] > 200) & (f[..., 0] < 60) & (f[..., 3] > 200)
    assert green.sum() > 10
    with pytest.raises(InputError, match="#rrggbb"):
        render(preset_spec("breathe", effects=[Effect("hearts", color="green")]))


def test_shadow_shrinks_when_the_character_hops():
    spec = preset_spec("hop", shadow=True, frames=12)
    plain = render(preset_spec("hop", frames=12), size=(96, 96))
    frames = render(spec, size=(96, 96))
    ground = np.nonzero(plain[0][..., 3].any(axis=1))[0].max()
    band = lambda f: f[ground + 1 :, :, 3].astype(int).sum()  # noqa: E731
    apex = int(np.argmin([np.nonzero(p[..., 3].any(axis=1))[0].max() for p in plain]))
    assert band(frames[0]) > 0
    assert band(frames[apex]) < band(frames[0])
    assert band(plain[0]) == 0


def test_bad_inputs_are_rejected():
    spec = preset_spec("bounce")
    with pytest.raises(InputError, match="fully transparent"):
        _render(np.zeros((20, 20, 4), np.uint8), spec, SIZE)
    with pytest.raises(InputError, match=r"\(H, W, 4\)"):
        _render(np.zeros((20, 20, 3), np.uint8), spec, SIZE)
    with pytest.raises(InputError, match="frame size"):
        _render(FACE, spec, (0, 64))
    bad = MotionSpec(moves=(Move("bounce", start=0.5, end=0.2),))
    with pytest.raises(InputError, match=r"start=0\.5, end=0\.2"):
        _render(FACE, bad, SIZE)
    with pytest.raises(InputError, match="unknown motion preset 'moonwalk'"):
        _render(FACE, MotionSpec(moves=(Move("moonwalk"),)), SIZE)
    with pytest.raises(InputError, match="unknown effect"):
        _render(FACE, MotionSpec(moves=(), effects=(Effect("confetti"),)), SIZE)


def test_still_spec_renders_a_still_character():
    frames = render(MotionSpec(moves=(), frames=4))
    assert all(np.array_equal(f, frames[0]) for f in frames)
    assert frames[0][..., 3].max() == 255


@pytest.mark.parametrize("name", ["spin", "float", "squash", "sway"])
def test_no_duplicate_frame_at_the_loop_point(name):
    d = step_diffs(render(preset_spec(name, frames=12)))
    assert d[-1] >= 0.3 * np.median(d[:-1])  # frame i is phase i/N, not i/(N-1)


def test_fast_with_count_rests_after_its_cycles():
    spec = parse_motion_prompt("spin twice fast", frames=16, fps=16)
    frames = _render(FACE, spec, size=(96, 96))
    # the last quarter of the loop is the rest pose: identical frames
    assert np.array_equal(frames[-1], frames[-2])
    assert not np.array_equal(frames[1], frames[2])
