"""Region clicks: an include or exclude click acts on the *region* under it, not on a pixel.

The region under a click is the connected area of the clicked colour bounded by the
character's outlines (any pixel of another colour is a wall), tolerant of small gaps in
those walls: the walls are thickened by r px (r = 0, 1, 2, … up to `max_gap`) until the
area under the click no longer reaches the image border, the way a paint program's
"close gaps" fill works; the area is then grown back by r + 1 px inside its own colour.

- **include** on a pixel outside the mask: the enclosed region under it (with whatever it
  encloses: the cheeks on a body) joins the mask. A click on open background (a region that
  still reaches the border with the largest gap closed) adds the GrabCut region around the
  click (`refine_with_points`), since the whole background can't be meant.
- **exclude** on a pixel inside the mask: when the click is on a separate object (a
  connected part of the mask other than the largest, e.g. a label box or a watermark next to
  the character), the whole object goes; otherwise the region under the click goes (one gap
  between an arm and the body, the hole of a donut), and nothing else of that colour.
- A click that would change nothing (include inside, exclude outside) changes nothing.

Masks are (H, W) bool, True on the foreground; images are (H, W, 3) uint8 RGB; clicks are
`Point`s in pixels of the image. About 5-40 ms per click at 512 px on one CPU core.
`outline_coverage` is the check behind the Segment tab's "the cut-out kept much less than
the outline encloses" warning.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from studio.types import Point

COLOUR_TOLERANCE = 40.0
"""RGB distance (0-441) from the clicked colour under which a pixel is the same paint:
covers soft shading and JPEG noise, not an outline or another fill colour."""
MAX_GAP_FRACTION = 0.016
"""Largest wall thickening, as a fraction of the image's shorter side
(8 px at 512 px): gaps up to about twice this in an outline are closed."""
EIGHT = np.ones((3, 3), np.uint8)


@dataclass(frozen=True)
class Region:
    """The region under a click: mask (H, W) bool; enclosed: it does not reach the image
    border (it is bounded by outlines); gap: the wall thickening (px) that closed it."""

    mask: np.ndarray
    enclosed: bool
    gap: int


def _disc(r: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))


def _touches_border(mask: np.ndarray) -> bool:
    return bool(mask[0].any() or mask[-1].any() or mask[:, 0].any() or mask[:, -1].any())


def _flood(free: np.ndarray, x: int, y: int) -> np.ndarray:
    """The 4-connected component of `free` (H, W) bool holding (x, y)."""
    h, w = free.shape
    m = np.zeros((h + 2, w + 2), np.uint8)
    m[1:-1, 1:-1] = ~free  # floodFill does not cross non-zero mask pixels
    img = np.zeros((h, w), np.uint8)
    cv2.floodFill(img, m, (x, y), 1, flags=4 | (1 << 8))
    return img.astype(bool)


def same_paint(rgb: np.ndarray, x: int, y: int, tolerance: float = COLOUR_TOLERANCE
               ) -> np.ndarray:
    """(H, W) bool: pixels within `tolerance` (RGB distance) of the colour at (x, y) (the
    median of its 3×3 neighbourhood, so one noisy pixel does not decide)."""
    patch = rgb[max(0, y - 1):y + 2, max(0, x - 1):x + 2].reshape(-1, 3)
    seed = np.median(patch, axis=0).astype(np.float32)
    d2 = ((rgb.astype(np.float32) - seed) ** 2).sum(-1)
    return d2 < tolerance * tolerance


def region_at(rgb: np.ndarray, x: float, y: float, max_gap: int | None = None,
              tolerance: float = COLOUR_TOLERANCE) -> Region:
    """The region under the click (x, y) (image px): see the module docstring.

    max_gap: the largest wall thickening in px (default MAX_GAP_FRACTION of the shorter
    side, at least 2). Raises nothing for a click inside the image; callers check bounds.
    """
    h, w = rgb.shape[:2]
    xi, yi = min(max(int(x), 0), w - 1), min(max(int(y), 0), h - 1)
    paint = same_paint(rgb, xi, yi, tolerance)
    if not paint[yi, xi]:  # a click on a 1-px feature whose neighbourhood differs
        paint[yi, xi] = True
    if max_gap is None:
        max_gap = max(2, round(MAX_GAP_FRACTION * min(h, w)))
    walls = (~paint).astype(np.uint8)
    first = _flood(paint, xi, yi)
    if not _touches_border(first):
        return Region(first, True, 0)
    for r in range(1, max_gap + 1):
        thick = cv2.dilate(walls, _disc(r)) > 0
        if thick[yi, xi]:  # the click is within r px of a wall: it can't be closed further
            break
        comp = _flood(~thick, xi, yi)
        if not _touches_border(comp):
            grown = cv2.dilate(comp.astype(np.uint8), EIGHT, iterations=r + 1) > 0
            return Region(grown & paint, True, r)
    return Region(first, False, 0)


def _component_at(mask: np.ndarray, x: int, y: int) -> tuple[np.ndarray, bool]:
    """The 8-connected part of `mask` holding (x, y), and whether it is the largest part."""
    labels, n = ndimage.label(mask, np.ones((3, 3), bool))
    lab = labels[y, x]
    if n <= 1:
        return labels == lab, True
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    areas[0] = 0
    return labels == lab, bool(areas[lab] >= areas.max())


def _close_seams(mask: np.ndarray, region: np.ndarray) -> np.ndarray:
    """mask | region, plus the small holes left between them: the anti-aliased seams where
    the added region meets what the mask already had (a cheek touching an arm's outline).
    Holes larger than 2 % of the region (a real opening) stay."""
    out = mask | region
    holes, n = ndimage.label(ndimage.binary_fill_holes(out) & ~out)
    if n == 0:
        return out
    near = cv2.dilate(region.astype(np.uint8), EIGHT, iterations=2) > 0
    idx = np.arange(1, n + 1)
    areas = ndimage.sum_labels(np.ones(holes.shape), holes, idx)
    touch = ndimage.maximum(near, holes, idx)
    small = (areas <= max(64.0, 0.02 * float(region.sum()))) & (touch > 0)
    return out | np.concatenate([[False], small])[holes]


def apply_click(rgb: np.ndarray, mask: np.ndarray, point: Point) -> np.ndarray:
    """One click on `mask` (H, W) bool; returns the new (H, W) bool (see the module doc)."""
    h, w = mask.shape
    x, y = min(max(int(point.x), 0), w - 1), min(max(int(point.y), 0), h - 1)
    if point.include:
        if mask[y, x]:
            return mask
        region = region_at(rgb, x, y)
        if not region.enclosed:
            from studio.segment.classical_region import refine_with_points

            return refine_with_points(rgb, mask, (point,))
        return _close_seams(mask, ndimage.binary_fill_holes(region.mask))
    if not mask[y, x]:
        return mask
    part, largest = _component_at(mask, x, y)
    if not largest:  # a separate object: the whole of it, with what it encloses
        return mask & ~ndimage.binary_fill_holes(part)
    return mask & ~region_at(rgb, x, y).mask


def apply_region_clicks(rgb: np.ndarray, mask: np.ndarray, points: Iterable[Point]
                        ) -> np.ndarray:
    """Apply every click in order to a copy of `mask` (H, W) bool; rgb (H, W, 3) uint8."""
    rgb = np.ascontiguousarray(rgb[..., :3])
    out = mask.astype(bool).copy()
    for p in points:
        out = apply_click(rgb, out, p)
    return out


def clicked_alpha(base: np.ndarray, before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Soft alpha (H, W) float32 after region clicks: `base` where the hard region did not
    change, the new hard value where it did (its edge is matted again by the caller)."""
    changed = before != after
    return np.where(changed, after.astype(np.float32), base).astype(np.float32)


def outline_coverage(alpha: np.ndarray, gap: int | None = None) -> float:
    """Share (0..1] of the area the character's outline encloses that the cut-out keeps.

    alpha (H, W) float32 in [0, 1]. The enclosed area is what the outside (flooded in from
    the border) does not reach once the kept area is thickened by `gap` px (default as
    `region_at`), so outline gaps up to about 2 × `gap` px count as closed. A
    white body dropped by the keying inside a (nearly) closed outline gives a low share;
    a donut's hole a high one. 1.0 for an empty mask.
    """
    kept = alpha >= 0.5
    area = int(kept.sum())
    if area == 0:
        return 1.0
    h, w = kept.shape
    g = gap if gap is not None else max(2, round(MAX_GAP_FRACTION * min(h, w)))
    pad = g + 2
    k = np.pad(kept, pad).astype(np.uint8)
    walls = cv2.dilate(k, _disc(g)) > 0
    outside = _flood(~walls, 0, 0)  # the padding ring is open: the outside starts there
    outside = (cv2.dilate(outside.astype(np.uint8), EIGHT, iterations=g + 1) > 0) & (k == 0)
    enclosed = ~outside[pad:-pad, pad:-pad] | kept
    return area / max(int(enclosed.sum()), 1)
