"""The methods of a trustworthy cut-out: gap-closing fill, paint vs hole, soft rims, despill,
input alpha kept, and the soft-fur field case (classical, and `auto` with no weights)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from studio import registry
from studio.segment.classical import ClassicalSegmenter
from studio.segment.gapfill import ball_fill, split_channels

FIELD = Path(__file__).resolve().parents[2] / "shared" / "field-cases"
S = 4  # supersampling


def aa(draw, size: int) -> np.ndarray:
    """(size, size) float32 coverage in [0, 1] of shapes drawn by draw(canvas, scale)."""
    big = np.zeros((size * S, size * S), np.uint8)
    draw(big, S)
    return cv2.resize(big, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255


def compose(layers: list[tuple[np.ndarray, tuple[int, int, int]]], bg) -> np.ndarray:
    """(H, W, 3) uint8: colour layers (coverage, colour) painted in order over bg."""
    h, w = layers[0][0].shape
    out = np.broadcast_to(np.asarray(bg, np.float32), (h, w, 3)).copy()
    for cov, col in layers:
        out = out * (1 - cov[..., None]) + np.asarray(col, np.float32) * cov[..., None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    p, t = alpha > 0.5, truth > 0.5
    return float((p & t).sum() / max((p | t).sum(), 1))


def outlined_white_blob(gap_px: int, size: int = 192) -> tuple[np.ndarray, np.ndarray]:
    """A white body inside a 6 px black outline with a gap of gap_px px, on white; and the
    true alpha (the body and its outline)."""
    c, rad = size // 2, int(0.32 * size)

    def body(img, s):
        cv2.circle(img, (c * s, c * s), rad * s, 255, -1, cv2.LINE_AA)

    def outline(img, s):
        cv2.circle(img, (c * s, c * s), rad * s, 255, 6 * s, cv2.LINE_AA)
        cv2.rectangle(img, ((c + rad - 8) * s, (c - gap_px // 2) * s),
                      ((c + rad + 8) * s, (c - gap_px // 2 + gap_px) * s), 0, -1)

    def eye(img, s):
        cv2.circle(img, ((c - 15) * s, (c - 10) * s), 6 * s, 255, -1, cv2.LINE_AA)

    full = aa(body, size)
    line = aa(outline, size)
    rgb = compose([(line, (0, 0, 0)), (aa(eye, size), (20, 20, 20))], (255, 255, 255))
    truth = np.maximum(full, aa(lambda img, s: cv2.circle(
        img, (c * s, c * s), (rad + 3) * s, 255, -1, cv2.LINE_AA), size))
    return rgb, truth


@pytest.mark.parametrize("gap_px", [3, 5])
def test_outline_with_a_gap_keeps_its_white_inside(gap_px: int) -> None:
    rgb, truth = outlined_white_blob(gap_px)
    mask = ClassicalSegmenter().segment(rgb)
    assert iou(mask.alpha, truth) >= 0.97
    c = rgb.shape[0] // 2
    assert mask.alpha[c + 20, c + 20] > 0.99  # the white body is opaque paint
    assert mask.info["gap_radius"] >= 3


def test_gap_fill_primitives() -> None:
    # a 3 px gap in a ring: a plain flood leaks in, the ball fill does not
    rgb, _ = outlined_white_blob(3)
    light = rgb.mean(-1) > 250
    from scipy import ndimage

    lab, _ = ndimage.label(light)
    assert lab[96, 96] == lab[0, 0]  # connected at pixel level: it would leak
    reached = ball_fill(light, 3)
    assert reached[0, 0] and reached[5, 100] and not reached[96, 96]
    # a channel of 4 px off a wide room: the channel is narrow, the room wide
    room = np.zeros((60, 60), bool)
    room[10:50, 10:40] = True
    room[28:32, 40:60] = True
    wide, channels = split_channels(room, 3)
    assert wide[30, 25] and not wide[30, 55] and channels[30, 55]


def test_wide_background_channel_is_not_paint() -> None:
    # two bars 12 px apart on white: the space between them is background, not paint
    size = 160
    cov = aa(lambda img, s: (cv2.rectangle(img, (40 * s, 30 * s), (70 * s, 130 * s), 255, -1),
                             cv2.rectangle(img, (82 * s, 30 * s), (112 * s, 130 * s), 255, -1)),
             size)
    rgb = compose([(cov, (200, 60, 40))], (255, 255, 255))
    mask = ClassicalSegmenter().segment(rgb)
    assert mask.alpha[80, 76] < 0.1 and mask.alpha[80, 55] > 0.99


def test_enclosed_coloured_background_is_a_hole_but_white_paint_is_not() -> None:
    size = 160

    def ring(img, s):
        cv2.circle(img, (80 * s, 80 * s), 50 * s, 255, 8 * s, cv2.LINE_AA)

    cov = aa(ring, size)
    on_blue = compose([(cov, (30, 30, 30))], (40, 90, 220))
    assert ClassicalSegmenter().segment(on_blue).alpha[80, 80] < 0.1  # hole: blue shows
    on_white = compose([(cov, (30, 30, 30))], (255, 255, 255))
    assert ClassicalSegmenter().segment(on_white).alpha[80, 80] > 0.99  # white paint


def test_translucent_input_keeps_alpha_and_colour_exactly() -> None:
    size = 96
    body = aa(lambda img, s: cv2.ellipse(img, (48 * s, 50 * s), (30 * s, 38 * s), 0, 0, 360,
                                         255, -1, cv2.LINE_AA), size)
    eyes = aa(lambda img, s: [cv2.circle(img, (x * s, 40 * s), 5 * s, 255, -1, cv2.LINE_AA)
                              for x in (38, 58)], size)
    rgba = np.zeros((size, size, 4), np.uint8)
    rgba[..., :3] = (170, 200, 255)
    rgba[..., :3][eyes > 0] = (20, 20, 40)
    rgba[..., 3] = np.rint(255 * np.maximum(0.6 * body, eyes)).astype(np.uint8)
    for name in ("classical", "auto"):
        mask = registry.create("segmenter", name).segment(rgba)
        seen = rgba[..., 3] > 0
        assert np.array_equal(mask.foreground[seen], rgba[..., :3][seen]), name
        assert np.array_equal(np.rint(mask.alpha * 255).astype(np.uint8), rgba[..., 3]), name
        assert mask.info["background"] == "alpha"
    assert registry.create("segmenter", "auto").segment(rgba).info["auto_choice"] == "alpha"


def soft_disk(size: int = 160, sigma: float = 5.0) -> tuple[np.ndarray, np.ndarray]:
    hard = aa(lambda img, s: cv2.circle(img, (80 * s, 80 * s), 45 * s, 255, -1, cv2.LINE_AA),
              size)
    from scipy import ndimage

    alpha = np.clip(ndimage.gaussian_filter(hard, sigma), 0, 1)
    return compose([(alpha, (230, 120, 30))], (255, 255, 255)), alpha


def test_soft_edge_alpha_ramps_with_coverage() -> None:
    rgb, truth = soft_disk()
    mask = ClassicalSegmenter().segment(rgb)
    soft = (truth > 0.05) & (truth < 0.95)
    assert float(np.abs(mask.alpha - truth)[soft].mean()) <= 0.1
    row = mask.alpha[80, 80 + 30: 80 + 62]  # centre outwards across the rim
    assert row[0] > 0.95 and row[-1] < 0.05
    assert np.all(np.diff(row) <= 0.05)  # a ramp, not a step
    assert len(np.unique(np.round(row, 1))) >= 6
    # the rim's colour is the character's, not a pale mix with the white background
    rim = (truth > 0.2) & (truth < 0.8)
    assert np.abs(mask.foreground[rim].astype(float) - (230, 120, 30)).mean() < 25


def test_green_spill_is_removed_from_the_edge() -> None:
    size = 160
    disk = aa(lambda img, s: cv2.circle(img, (80 * s, 80 * s), 45 * s, 255, -1, cv2.LINE_AA),
              size)
    inner = aa(lambda img, s: cv2.circle(img, (80 * s, 80 * s), 42 * s, 255, -1, cv2.LINE_AA),
               size)
    red, green = np.array([200, 40, 50], np.float32), np.array([30, 220, 40], np.float32)
    spilled = 0.65 * red + 0.35 * green  # green light on the last 3 px of the character
    fgc = np.where((inner > 0.5)[..., None], red, spilled)
    rgb = fgc * disk[..., None] + green * (1 - disk[..., None])
    rgb = np.clip(np.rint(rgb), 0, 255).astype(np.uint8)
    mask = ClassicalSegmenter().segment(rgb)
    ring = (disk > 0.3) & (inner < 0.5)
    fg = mask.foreground[ring].astype(np.float32)
    assert fg[:, 1].mean() < red[1] + 20  # spill (G ~ 100) gone
    assert fg[:, 0].mean() > 150  # and still red
    assert iou(mask.alpha, disk) >= 0.97


@pytest.mark.skipif(not (FIELD / "soft-fur-edge-on-white.png").is_file(),
                    reason="../shared/field-cases is not beside the clone")
def test_soft_fur_field_case_soft_band_alpha() -> None:
    img = np.asarray(Image.open(FIELD / "soft-fur-edge-on-white.png").convert("RGB"))
    truth = np.asarray(Image.open(FIELD / "soft-fur-edge-on-white.truth-alpha.png")
                       .convert("L"), np.float32) / 255
    soft = (truth > 0.02) & (truth < 0.98)
    for name in ("classical", "auto"):
        mask = registry.create("segmenter", name).segment(img)
        mae = float(np.abs(mask.alpha - truth)[soft].mean())
        assert mae <= 0.15, (name, mae)
