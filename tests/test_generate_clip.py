"""Clip → sticker frames: sampling arithmetic, loops and seams, ranking, alpha smoothing.

Synthetic clips: a coloured disc moving on white (RGB (F, H, W, 3) uint8).
"""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio.errors import InputError
from studio.generate import clip as cl
from studio.generate.alpha_smoothing import (
    handle_effects,
    smooth_slots,
    temporal_smooth,
)
from studio.generate.ranking import colour_signature, identity_drift, rank_takes
from studio.types import Candidate, Mask, Slot
from tests.helpers import face_rgba

H = W = 48


def disc_frame(x: float, y: float = 24, colour=(220, 60, 40), r: int = 9) -> np.ndarray:
    img = np.full((H, W, 3), 255, np.uint8)
    cv2.circle(img, (round(x * 4), round(y * 4)), r * 4, colour, -1, cv2.LINE_AA, shift=2)
    return img


def periodic_clip(n: int, period: float, drift: float = 0.0) -> np.ndarray:
    """A disc circling with `period` frames; `drift` darkens it a little per frame."""
    frames = []
    for t in range(n):
        a = 2 * np.pi * t / period
        c = tuple(int(v * (1 - drift * t)) for v in (220, 60, 40))
        frames.append(disc_frame(24 + 10 * np.cos(a), 24 + 6 * np.sin(a), colour=c))
    return np.stack(frames)


# ---------------------------------------------------------------------- sampling arithmetic
def test_loop_sampling_covers_one_period() -> None:
    s = cl.sample_positions(24, 24.0, 12, 12.0, loop=True)
    assert s.indices.tolist() == list(range(0, 24, 2))
    assert s.speed == pytest.approx(1.0)
    fast = cl.sample_positions(48, 24.0, 12, 12.0, loop=True)
    assert fast.speed == pytest.approx(2.0)  # a 2 s loop played in 1 s
    assert fast.indices.tolist() == list(range(0, 48, 4))
    odd = cl.sample_positions(10, 16.0, 4, 8.0, loop=True)
    assert odd.positions.tolist() == [0, 2.5, 5, 7.5]
    assert all(0 <= i < 10 for i in odd.indices)


def test_time_sampling_and_short_clips() -> None:
    s = cl.sample_positions(50, 25.0, 10, 10.0, loop=False)
    assert s.positions.tolist() == pytest.approx([k * 2.5 for k in range(10)])
    assert s.speed == pytest.approx(1.0)
    short = cl.sample_positions(9, 25.0, 12, 12.0, loop=False)  # 0.36 s clip, 1 s target
    assert short.indices[0] == 0 and short.indices[-1] == 8
    assert short.speed < 1
    assert np.all(np.diff(short.positions) > 0)
    with pytest.raises(InputError, match="0 frames"):
        cl.sample_positions(0, 25.0, 12, 12.0, loop=True)


def test_model_resolution_and_frame_counts() -> None:
    assert cl.model_resolution((360, 360), 704 * 480, 32) == (576, 576)
    w, h = cl.model_resolution((480, 270), 832 * 480, 16)
    assert w % 16 == 0 and h % 16 == 0 and abs(w / h - 480 / 270) < 0.05
    assert abs(w * h - 832 * 480) / (832 * 480) < 0.05
    assert cl.model_resolution((16, 512), 64 * 64, 32)[0] == 32  # at least one multiple
    assert [cl.frame_count(n, 4) for n in (49, 50, 52, 2)] == [49, 49, 53, 5]
    assert [cl.frame_count(n, 8) for n in (65, 10, 97)] == [65, 9, 97]
    assert cl.frame_count(25, 1) == 25


# ---------------------------------------------------------------------- geometry
def test_place_on_white_fits_and_centres() -> None:
    cut = np.zeros((30, 80, 4), np.uint8)
    cut[10:20, 20:60] = (10, 200, 10, 255)  # a 40×10 bar inside transparent padding
    img = cl.place_on_white(cut, (100, 60), margin=0.1)
    assert img.shape == (60, 100, 3)
    ink = img.min(axis=-1) < 200
    ys, xs = np.nonzero(ink)
    assert xs.min() >= 9 and xs.max() <= 90  # 10% margin, bbox scaled to the width
    assert abs((xs.min() + xs.max()) / 2 - 49.5) <= 1 and abs((ys.min() + ys.max()) / 2 - 29.5) <= 1
    assert (img[0, 0] == 255).all()
    assert img[ys, xs, 1].mean() > 150  # no dark fringe from transparent black
    with pytest.raises(InputError, match="empty"):
        cl.place_on_white(np.zeros((8, 8, 4), np.uint8), (16, 16))


def test_crop_and_resize() -> None:
    frames = np.full((2, 100, 200, 3), 255, np.uint8)
    frames[:, :5] = frames[:, -5:] = 0  # a dark smeared border
    frames[:, :, :10] = frames[:, :, -10:] = 0
    out = cl.crop_and_resize(frames, 0.05, (64, 32))
    assert out.shape == (2, 32, 64, 3)
    assert out.min() == 255
    assert cl.crop_and_resize(frames, 0.0, (200, 100)).shape == (2, 100, 200, 3)
    with pytest.raises(InputError, match="border crop"):
        cl.crop_and_resize(frames, 0.3, (64, 32))


# ---------------------------------------------------------------------- loops
def test_find_loop_at_the_period() -> None:
    lp = cl.find_loop(periodic_clip(20, 12), min_length=5)
    assert lp.end == 12 and lp.error < 1e-3 and lp.seam_ratio < 0.5
    # several matching periods: the longest loop wins the tie
    assert cl.find_loop(periodic_clip(20, 6), min_length=4).end == 18
    # last-frame conditioning: the last frame repeats the first
    clip = periodic_clip(17, 16)
    assert cl.find_loop(clip, min_length=4).end == 16
    with pytest.raises(InputError, match="min_length"):
        cl.find_loop(clip, min_length=17)


def test_blend_seam_makes_the_seam_a_real_step() -> None:
    clip = periodic_clip(24, 12, drift=0.02)  # the disc darkens: frame 12 ≠ frame 0
    lp = cl.find_loop(clip, min_length=6)
    assert lp.end == 12 and lp.error > 0
    raw = cl.seam_jump(clip[: lp.end])
    blended = cl.blend_seam(clip, lp.end, overlap=3)
    assert blended.shape == (12, H, W, 3) and blended.dtype == np.uint8
    assert cl.seam_jump(blended) < raw
    assert cl.seam_jump(blended) < 1.6
    # no frames after the loop end: the tail fades towards frame 0
    tail = cl.blend_seam(clip[:12], 12, overlap=3)
    assert cl.seam_jump(tail) < cl.seam_jump(clip[:12])
    assert np.array_equal(cl.blend_seam(clip, 12, 0), clip[:12])


# ---------------------------------------------------------------------- ranking
def test_ranking_prefers_the_take_that_keeps_the_character() -> None:
    good = periodic_clip(8, 8)
    recoloured = good.copy()
    recoloured[..., [0, 2]] = recoloured[..., [2, 0]]  # red disc → blue disc
    ref = disc_frame(24)
    r = rank_takes([recoloured, good], ref)
    assert r.chosen == [1] * 8
    assert (r.drift[:, 0] > r.drift[:, 1] + 0.3).all()
    assert all(r.rank[i, 1] == 0 and r.order(i) == [1, 0] for i in range(8))
    sig = colour_signature(ref)
    assert identity_drift(ref, sig) == pytest.approx(0.0)
    assert identity_drift(np.full((H, W, 3), 255, np.uint8), sig) == 1.0


def test_ranking_avoids_a_glitched_frame() -> None:
    a = periodic_clip(8, 8)
    b = a.copy()
    b[3] = disc_frame(5)  # take b jumps away at slot 3 (same character, wrong place)
    a[6] = disc_frame(44)  # take a jumps away at slot 6
    r = rank_takes([a, b], disc_frame(24))
    assert r.chosen[3] == 0 and r.chosen[6] == 1
    assert r.jump[3, 1] > 1.5 and r.jump[6, 0] > 1.5
    info = r.info(3, 1)
    assert info["rank"] == 1 and set(info) == {"rank", "score", "drift", "jump"}


# ---------------------------------------------------------------------- alpha over time
def test_temporal_smoothing_calms_flicker_but_not_motion() -> None:
    rng = np.random.default_rng(0)
    still = [disc_frame(24)] * 6
    truth = (still[0].min(axis=-1) < 200).astype(np.float32)
    truth = 0.2 + 0.6 * truth
    noisy = [(truth + rng.normal(0, 0.06, truth.shape)).astype(np.float32) for _ in still]
    out = temporal_smooth(still, noisy, strength=1.0, radius=2)
    err_in = np.mean([np.abs(a - truth).mean() for a in noisy])
    err_out = np.mean([np.abs(a - truth).mean() for a in out])
    assert err_out < 0.6 * err_in
    moving = [disc_frame(12 + 4 * t) for t in range(6)]
    alphas = [(f.min(axis=-1) < 200).astype(np.float32) for f in moving]
    kept = temporal_smooth(moving, alphas, strength=1.0, radius=1)
    # where the disc has moved on, no ghost of it remains
    assert all(np.abs(k - a).max() < 0.05 for k, a in zip(kept, alphas, strict=True))
    with pytest.raises(InputError, match="strength"):
        temporal_smooth(still, noisy, strength=2.0)


def spark_frame() -> tuple[np.ndarray, np.ndarray]:
    rgb = disc_frame(20)
    rgb[4:8, 40:44] = (250, 200, 0)  # a small yellow spark, detached
    alpha = (disc_frame(20).min(axis=-1) < 200).astype(np.float32)
    return rgb, alpha


def test_effects_removed_or_kept() -> None:
    rgb, body = spark_frame()
    with_spark = body.copy()
    with_spark[4:8, 40:44] = 1.0
    removed, _ = handle_effects(rgb, with_spark, keep_effects=False)
    assert removed[4:8, 40:44].max() == 0.0
    assert np.array_equal(removed > 0.5, body > 0.5)  # the body untouched
    kept, added = handle_effects(rgb, body, keep_effects=True)  # the segmenter missed it
    assert kept[5:7, 41:43].min() > 0.9 and added[5:7, 41:43].all()
    assert np.array_equal(kept[body > 0.5], body[body > 0.5])


def test_smooth_slots_groups_by_take() -> None:
    frames = [cl.to_uint8(face_rgba(48)[..., :3].astype(np.float32) / 255) for _ in range(3)]
    slots = []
    for i in range(3):
        cands = []
        for take in ("a", "b"):
            alpha = np.full((48, 48), 0.5 + 0.1 * i, np.float32)
            c = Candidate(f"{i}{take}", {"take": take, "loop": True}, rgb=frames[i],
                          mask=Mask(alpha, "classical", foreground=frames[i]))
            cands.append(c)
        extra = Candidate(f"{i}x", {"take": "a", "extra": True}, rgb=frames[i],
                          mask=Mask(np.zeros((48, 48), np.float32), "classical"))
        slots.append(Slot(i, [*cands, extra]))
    new = smooth_slots(slots, strength=1.0, keep_effects=True)
    assert set(new) == {(i, k) for i in range(3) for k in (0, 1)}
    # identical frames: every frame's alpha moves towards the take's mean
    assert new[(0, 0)].alpha.mean() > 0.5 and new[(2, 1)].alpha.mean() < 0.7
    assert new[(1, 0)].info["keep_effects"] is True
