"""Edge quality on the "known" backgrounds that are not flat: a soft drop shadow and an
off-white JPEG with noise. Drawn characters, scored the way ../shared/tools/score_matting.py
scores the bench sets (colour error on mid-grey and excess brightness on black, in a 6 px
band around the true outline)."""

from __future__ import annotations

import io

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from studio.segment.classical import ClassicalSegmenter
from studio.segment.classical_region import shadow_pockets
from studio.segment.matting import clamp_to_noise, linear_fill, paint_colour, smooth_fill

SIZE = 192
S = 4  # supersampling


def coverage(draw) -> np.ndarray:
    """(SIZE, SIZE) float32 coverage in [0, 1] of what draw(canvas, scale) paints."""
    big = np.zeros((SIZE * S, SIZE * S), np.uint8)
    draw(big, S)
    return cv2.resize(big, (SIZE, SIZE), interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def character(body_colour=(240, 140, 40), line_colour=(0, 0, 0)) -> np.ndarray:
    """RGBA (SIZE, SIZE, 4) float32 0..1: a disc of `body_colour` in a 5 px outline, and a
    tail stroke 7 px beside it (a narrow channel of background between them)."""
    c, rad = SIZE // 2 - 10, 48

    def body(img, s):
        cv2.circle(img, (c * s, c * s), rad * s, 255, -1, cv2.LINE_AA)

    def line(img, s):
        cv2.circle(img, (c * s, c * s), rad * s, 255, 5 * s, cv2.LINE_AA)
        x = c + rad + 3 + 7 + 3  # the tail's centre line: 7 px of background in between
        cv2.line(img, (x * s, (c - 30) * s), (x * s, (c + 30) * s), 255, 6 * s, cv2.LINE_AA)

    a_body, a_line = coverage(body), coverage(line)
    alpha = np.maximum(a_body, a_line)
    rgb = (np.asarray(body_colour, np.float32) * (a_body * (1 - a_line))[..., None]
           + np.asarray(line_colour, np.float32) * a_line[..., None])
    rgb = rgb / np.maximum(alpha, 1e-6)[..., None] / 255
    return np.dstack([np.clip(rgb, 0, 1), alpha]).astype(np.float32)


def composite(truth: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8: RGBA truth (0..1) over bg (H, W, 3) float 0..255."""
    a = truth[..., 3:]
    return np.clip(np.rint(truth[..., :3] * 255 * a + bg * (1 - a)), 0, 255).astype(np.uint8)


def drop_shadow(alpha: np.ndarray, dx: int = 6, dy: int = 9, blur: float = 5.0,
                strength: float = 0.4) -> np.ndarray:
    """(H, W, 3) float32: white with the character's shadow, as bench/heldout.py makes it."""
    sh = cv2.warpAffine(alpha, np.float32([[1, 0, dx], [0, 1, dy]]), alpha.shape[::-1])
    sh = cv2.GaussianBlur(sh, (0, 0), blur) * strength
    return 255 * (1 - sh[..., None]) * np.ones(3, np.float32)


def jpeg_on_offwhite(truth: np.ndarray, noise: float = 2.5, quality: int = 85,
                     seed: int = 0) -> np.ndarray:
    """(H, W, 3) uint8: the character on off-white paper with noise, saved as JPEG."""
    rng = np.random.default_rng(seed)
    bg = 244.0 + rng.normal(0, noise, (SIZE, SIZE, 1)) * np.ones(3, np.float32)
    buf = io.BytesIO()
    Image.fromarray(composite(truth, bg)).save(buf, "JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))


def edge_scores(truth: np.ndarray, alpha: np.ndarray, fg: np.ndarray) -> tuple[float, float]:
    """(edge, halo) of a cut-out as ../shared/tools/score_matting.py computes them."""
    at = truth[..., 3]
    mt = at > 0.5
    band = ndimage.binary_dilation(mt ^ ndimage.binary_erosion(mt), iterations=3)
    f = fg.astype(np.float32) / 255
    ct = truth[..., :3] * at[..., None] + 0.5 * (1 - at[..., None])
    cp = f * alpha[..., None] + 0.5 * (1 - alpha[..., None])
    lum = np.array([0.299, 0.587, 0.114], np.float32)
    halo = np.clip((f * alpha[..., None]) @ lum - (truth[..., :3] * at[..., None]) @ lum, 0, 1)
    return float(np.abs(ct - cp)[band].mean() * 255), float(halo[band].mean())


def test_drop_shadow_leaves_no_veil_outside_the_outline() -> None:
    truth = character()
    rgb = composite(truth, drop_shadow(truth[..., 3]))
    mask = ClassicalSegmenter().segment(rgb)
    assert mask.info["shadow"]
    edge, halo = edge_scores(truth, mask.alpha, mask.foreground)
    # before: the shadow's background estimate was a mean from further out, lighter than
    # the shadow next to the outline, and the 7 px channel in the shadow stayed opaque
    # (edge 5.20, halo 0.046; now 0.37, 0.000)
    assert edge < 1.0, edge
    assert halo < 0.003, halo
    outside = (truth[..., 3] == 0) & (drop_shadow(truth[..., 3])[..., 0] < 250)
    assert float(mask.alpha[outside].mean()) < 0.005


def test_channel_in_the_shadow_is_background() -> None:
    truth = character()
    mask = ClassicalSegmenter().segment(composite(truth, drop_shadow(truth[..., 3])))
    c, rad = SIZE // 2 - 10, 48
    channel = mask.alpha[c - 20:c + 20, c + rad + 5:c + rad + 8]  # between body and tail
    assert float(channel.max()) < 0.05


def test_grey_outline_around_white_paint_is_not_taken_for_shadow() -> None:
    # a grey stroke around a white body, as light as the shadow where they meet: smooth,
    # neutral and narrow like a channel in the shadow, but it borders plain white paint.
    # Flooding the shade without that check keeps 0.65 of the stroke (0.89 before the
    # flood, 0.88 with it); where stroke and shadow have the same grey they stay ambiguous
    truth = character(body_colour=(255, 255, 255), line_colour=(160, 160, 160))
    mask = ClassicalSegmenter().segment(composite(truth, drop_shadow(truth[..., 3], strength=0.3)))
    line = (truth[..., 3] > 0.99) & (truth[..., 0] < 0.9)
    assert float((mask.alpha[line] > 0.5).mean()) > 0.85


@pytest.mark.parametrize(("line_colour", "max_edge", "max_halo"), [
    ((0, 0, 0), 1.85, 0.0046),  # before 2.08 / 0.0052, now 1.50 / 0.0036
    ((240, 140, 40), 3.3, 0.012),  # flat, no outline: before 4.86 / 0.028, now 2.34 / 0.0061
])
def test_jpeg_on_offwhite_edge_colour_and_alpha(line_colour, max_edge: float,
                                                max_halo: float) -> None:
    # before: JPEG noise and ringing kept in the edge colours, alpha of a few % on the
    # background next to the outline, the first "solid" pixels still mixed (alpha high)
    truth = character(line_colour=line_colour)
    errors = []
    for seed in range(3):
        mask = ClassicalSegmenter().segment(jpeg_on_offwhite(truth, seed=seed))
        errors.append(edge_scores(truth, mask.alpha, mask.foreground))
    edge, halo = np.mean(errors, axis=0)
    assert edge < max_edge, edge
    assert halo < max_halo, halo


def test_linear_fill_follows_a_ramp_the_mean_does_not() -> None:
    xx = np.mgrid[0:40, 0:40][1].astype(np.float32)
    ramp = (100 + 3 * xx)[..., None]
    known = xx >= 20
    want = np.zeros_like(known)
    want[:, 16:20] = True  # 1-4 px beyond the known pixels
    mean = smooth_fill(ramp, known, 2.0)
    lin = linear_fill(ramp, known, 2.0, want, mean)
    err_lin = np.abs(lin[want][:, 0] - ramp[want][:, 0]).max()
    err_mean = np.abs(mean[want][:, 0] - ramp[want][:, 0]).max()
    assert err_lin < 0.5 < 5 < err_mean


def test_paint_colour_median_is_not_biased_by_clipped_noise() -> None:
    rng = np.random.default_rng(1)
    black = np.clip(rng.normal(0, 3, (30, 30, 3)), 0, 255).astype(np.float32)
    zone = np.zeros((30, 30), bool)
    zone[10:20, 10:20] = True
    out = paint_colour(black, np.ones_like(zone), zone, 3, 12.0)
    assert black[zone].mean() > 1.0  # clipped at 0: the mean is biased
    assert out[zone].mean() < 0.3


def test_paint_colour_stays_inside_its_paint() -> None:
    img = np.zeros((20, 20, 3), np.float32)
    img[:, 10:] = 200.0
    out = paint_colour(img, np.ones((20, 20), bool), np.ones((20, 20), bool), 3, 12.0)
    np.testing.assert_array_equal(out, img)


def test_clamp_to_noise() -> None:
    a = np.array([0.01, 0.3, 0.98, 0.05], np.float32)
    contrast = np.array([200.0, 200.0, 200.0, 20.0], np.float32)
    out = clamp_to_noise(a, contrast, noise=2.0, k=2.5)  # thresholds 0.025 and 0.25
    np.testing.assert_allclose(out, [0.0, 0.3, 1.0, 0.0])


def test_shadow_pockets_flood_shade_but_not_shade_beside_lit_paint() -> None:
    outer = np.zeros((30, 30), bool)
    outer[:, :5] = True
    shade = np.zeros_like(outer)
    shade[5:8, 5:25] = True  # a channel of shade between strokes: joins the background
    shade[20:23, 5:25] = True  # a grey stroke beside white paint: stays
    lit = np.zeros_like(outer)
    lit[23:27, 5:25] = True
    got = shadow_pockets(outer, shade, lit)
    assert got[5:8, 5:25].all()
    assert not got[20:23].any()
