"""Soft edges wider than the matting band, and despill (pure functions).

- `soft_rim`: a blurred or furry edge is a ramp of mixtures I = a F + (1 - a) B between
  the character's colour F (taken from deeper inside) and the background B. Where a pixel
  near the outline lies on that colour line (small residual) and the colour is changing
  (not a flat highlight), its alpha is the coverage a = <I - B, F - B> / |F - B|^2, so the
  rim fades out instead of becoming an opaque pale ring. Only components whose coverage runs
  from low to high count (a ramp); a flat band of a mixed-looking colour stays opaque.
- `despill`: light from a coloured backdrop (a green screen) tints the edge pixels. The
  part of an edge pixel's foreground colour that lies along the backdrop's chroma beyond
  what the nearby solid colour has is removed (the classic "limit the key channel" despill,
  generalised from green to any backdrop colour).

Colours are float32 0..255 RGB (H, W, 3); alpha (H, W) float32 in [0, 1]; masks (H, W) bool.
"""

from __future__ import annotations

import cv2
import numpy as np
from scipy import ndimage

from studio.segment.matting import line_residual, nearest_colour, project_alpha

FOUR = ndimage.generate_binary_structure(2, 1)


def rim_width(h: int, w: int) -> int:
    """How far inside the keyed outline (px) a soft rim may reach: 12 % of the short side,
    at least 4 px (46 px at 384 px); it ends sooner where the colour levels off."""
    return int(max(4, round(0.12 * min(h, w))))


def soft_rim(img: np.ndarray, bg: np.ndarray, region: np.ndarray, alpha: np.ndarray,
             noise: float, width: int, min_contrast: float
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(alpha, rim, deep_colour): alpha lowered to the colour coverage on soft-rim pixels
    within `width` px inside `region`; rim (H, W) bool marks them; deep_colour (H, W, 3) is
    the colour of the nearest pixel `width` px inside (F). noise: background noise (0..255)
    that sets the colour-line tolerance."""
    sm = ndimage.gaussian_filter(img, (1.0, 1.0, 0))
    gy, gx = np.gradient(sm, axis=(0, 1))
    g2 = np.einsum("hwc,hwc->hw", gx, gx) + np.einsum("hwc,hwc->hw", gy, gy)
    moving = g2 > (1.0 + 0.5 * noise) ** 2
    # F is the colour where the ramp has levelled off: the nearest flat pixel inside, or
    # the nearest pixel `width` px in where nothing is flat
    inside = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 5)
    deep = ndimage.binary_erosion(region & ~moving, FOUR, iterations=1) | (inside > width)
    if not deep.any():
        return alpha, np.zeros_like(region), img
    far = nearest_colour(img, deep)
    zone = (region | (alpha > 0)) & ~deep
    a, contrast = project_alpha(img[zone], far[zone], bg[zone])
    resid = line_residual(img[zone], far[zone], bg[zone])
    changing = moving[zone]
    ok = ((resid < max(6.0, 3.0 * noise) + 0.04 * contrast) & (contrast >= min_contrast)
          & changing & (a < alpha[zone] - 0.05))
    rim = np.zeros_like(region)
    rim[zone] = ok
    # a rim is a band along the outline, not a speck inside a flat area
    rim = _touching(rim, alpha <= 0)
    sub = np.zeros(region.shape, np.float32)
    sub[zone] = a
    rim = _ramps(rim, sub)
    out = alpha.copy()
    out[rim] = sub[rim]
    return out, rim, far


def _ramps(rim: np.ndarray, a: np.ndarray) -> np.ndarray:
    """The components of `rim` whose coverage `a` runs from < 0.3 to > 0.75: a ramp, not a
    flat band of one mixed-looking colour (spill, a tinted outline), which stays opaque."""
    labels, n = ndimage.label(rim, FOUR)
    if n == 0:
        return rim
    idx = np.arange(1, n + 1)
    lo = np.asarray(ndimage.minimum(a, labels, idx))
    hi = np.asarray(ndimage.maximum(a, labels, idx))
    return np.concatenate([[False], (lo < 0.3) & (hi > 0.75)])[labels]


def _touching(mask: np.ndarray, other: np.ndarray) -> np.ndarray:
    """The components of `mask` that touch `other` (4-connected, 1 px)."""
    labels, n = ndimage.label(mask, FOUR)
    if n == 0:
        return mask
    hit = np.unique(labels[ndimage.binary_dilation(other, FOUR) & mask])
    keep = np.zeros(n + 1, bool)
    keep[hit] = True
    keep[0] = False
    return keep[labels]


def despill(fg: np.ndarray, bg: np.ndarray, reference: np.ndarray, zone: np.ndarray,
            min_chroma: float = 40.0) -> np.ndarray:
    """fg (H, W, 3) float32 with the backdrop's tint removed on `zone` pixels: the component
    of fg - reference along the backdrop's chroma direction (bg minus its grey) is clipped
    to <= 0. reference: the nearby solid colour per pixel. Only where the backdrop is
    chromatic (max - min channel >= min_chroma) and the pixel looks like the reference
    tinted towards the backdrop (on that colour segment, 2-70 % of the way); elsewhere fg
    is returned unchanged."""
    chroma = bg - bg.mean(-1, keepdims=True)
    strength = bg.max(-1) - bg.min(-1)
    use = zone & (strength >= min_chroma)
    if not use.any():
        return fg
    # spill is the solid colour tinted towards the backdrop: the pixel lies on the segment
    # reference..backdrop. An edge of another colour (an outline, a rim light) does not,
    # and keeps its colour.
    d = bg[use] - reference[use]
    t = np.einsum("nc,nc->n", fg[use] - reference[use], d) / np.maximum(
        np.einsum("nc,nc->n", d, d), 1e-6)
    off = fg[use] - reference[use] - np.clip(t, 0, 1)[:, None] * d
    resid = np.sqrt(np.einsum("nc,nc->n", off, off))
    tinted = (t > 0.02) & (t < 0.7) & (resid < 12.0 + 0.05 * np.sqrt(np.einsum("nc,nc->n",
                                                                            d, d)))
    use[use] = tinted
    if not use.any():
        return fg
    c = chroma[use]
    c /= np.maximum(np.linalg.norm(c, axis=-1, keepdims=True), 1e-6)
    excess = ((fg[use] - reference[use]) * c).sum(-1)
    out = fg.copy()
    out[use] = np.clip(fg[use] - np.maximum(excess, 0.0)[:, None] * c, 0, 255)
    return out
