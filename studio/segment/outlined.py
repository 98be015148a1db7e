"""Outlined drawings on photos and textures (pure functions).

Character art of the common kind (OpenMoji, stickers, most generated mascots) is flat paint
inside a dark outline stroke of one width. Put on a photo, the most salient object (and the
part GrabCut joins to the outline by colour) may be a dark helmet, a coat or a face behind it:
black outline and black photo areas look alike. The drawing's own structure tells them apart:

1. `flat_paint`: regions of (near) constant colour, away from the frame, whose rims run along
   dark pixels or along other flat regions (paint meets paint without an outline in shading);
   a smooth photo area is rimmed by texture instead.
2. `stroke_width`: the most common width of the dark pixels near that paint (twice the
   distance-transform ridge value; the outline of a drawing has one width, photo shadows do
   not).
3. `outlined_art`: the drawing = paint + the dark pixels within one stroke width of it +
   thin dark strokes joined to them (arms, whiskers, antennae), with enclosed gaps filled
   unless they are big and textured (the photo seen through the character). Dark areas wider
   than a stroke outside it (`thick_dark`) are the photo's.
4. `complex_region`: GrabCut seeded by flat paint (`grabcut_region`) stays the answer unless
   the image shows an outlined drawing (a stroke 3 px to 4 % of the side wide, at least half
   the drawing's inner rim dark, at most half of its surroundings wide dark) that lies inside
   GrabCut's region (>= 90 %) and GrabCut disagrees with it (IoU < 0.7: it joined something
   of the photo); then GrabCut is re-run with the drawing as hard foreground, the photo's
   thick dark areas and the frame as hard background, and only a one-stroke band undecided.

Analysis runs at most at `WORK_SIDE` px (strokes of a 268 px OpenMoji character on a 384 px
canvas are 7-8 px there). Images are (H, W, 3) uint8 RGB; masks (H, W) bool.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

from studio.segment.background import border_mask
from studio.segment.classical_region import (
    grabcut_at_scale,
    grabcut_region,
    inner_components,
    resize_mask,
)

FOUR = ndimage.generate_binary_structure(2, 1)
EIGHT = np.ones((3, 3), bool)
LUMA = np.array([0.299, 0.587, 0.114], np.float32)
WORK_SIDE = 384
"""Longest side (px) the drawing is analysed at; bigger images are reduced first."""
DARK_LUMA = 50.0
"""Luma (0-255) under which a pixel may be outline ink (OpenMoji ink is #000; JPEG lifts it)."""
NEAR_PX = 6
"""A flat region's rim pixel is "on the outline" within this many px of dark ink (blur and
the 3x3 flatness test leave 3-5 px of mixed colour between paint and ink)."""
NEIGHBOUR_PX = 9
"""... and "meets other paint" within this many px of another flat region (a soft colour
edge between two paints is wider than one into ink)."""
MIN_STROKE_PX = 3
MAX_STROKE = 0.04
"""Widest outline, as a fraction of the work image's short side (15 px at 384): a wider
"stroke" is a dark character's body, not its outline."""
MIN_RINGED = 0.5
MAX_WALLED = 0.5
"""At most this fraction of the ring just outside the drawing may be wide dark areas: a
drawing walled in by dark (the white belly of a black penguin) is part of a dark character."""
MAX_AGREEMENT = 0.7
MIN_INSIDE = 0.9


@dataclass(frozen=True)
class OutlinedArt:
    """An outlined drawing found in an image (at the image's own size).

    region: (H, W) bool, the drawing with enclosed paint filled; thick_dark: (H, W) bool,
    dark areas wider than a stroke outside the drawing (the photo's); stroke_px: outline
    width in px at WORK_SIDE scale; max_stroke_px: the widest that counts as an outline
    there; ringed: fraction (0..1) of the drawing's inner rim (2 px) that is dark ink;
    walled: fraction (0..1) of the ring 2-4 px outside the drawing that is thick dark."""

    region: np.ndarray
    thick_dark: np.ndarray
    stroke_px: int
    max_stroke_px: float
    ringed: float
    walled: float

    @property
    def convincing(self) -> bool:
        """True when this is an outlined drawing: an outline MIN_STROKE_PX px to
        MAX_STROKE of the side wide, at least MIN_RINGED of the inner rim dark (a photo's
        flat patches give neither) and at most MAX_WALLED of its surroundings wide dark."""
        return (MIN_STROKE_PX <= self.stroke_px <= self.max_stroke_px
                and self.ringed >= MIN_RINGED and self.walled <= MAX_WALLED)


def _disk(r: int) -> np.ndarray:
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return x * x + y * y <= r * r


def _flatness(rgb: np.ndarray) -> np.ndarray:
    """(H, W) int16: max over channels of the 3x3 range after a light blur (sigma 0.8 px, so
    JPEG noise on flat paint stays under a few levels)."""
    sm = cv2.GaussianBlur(rgb, (0, 0), 0.8).astype(np.int16)
    return (ndimage.maximum_filter(sm, (3, 3, 1)) - ndimage.minimum_filter(sm, (3, 3, 1))
            ).max(-1)


def _near_other_label(labels: np.ndarray, cand: np.ndarray, r: int) -> np.ndarray:
    """(H, W) bool: pixels within r px of a candidate pixel of a label other than their own."""
    big = np.iinfo(np.int32).max
    lab = np.where(cand, labels, 0).astype(np.int32)
    hi = ndimage.maximum_filter(lab, footprint=_disk(r))
    lo = ndimage.minimum_filter(np.where(cand, lab, big), footprint=_disk(r))
    return ((hi > 0) & (hi != labels)) | ((lo < big) & (lo != labels))


def flat_paint(dark: np.ndarray, flatness: np.ndarray) -> np.ndarray:
    """(H, W) bool: flat regions (not dark, not touching the frame, >= 0.05 % of the image)
    whose rim is at least 30 % next to dark ink and at most 25 % next to neither ink nor
    other paint. The flatness tolerance grows (2 to 12 levels, for JPEG) until the paint
    covers 2 % of the image."""
    h, w = dark.shape
    min_area = max(16, int(0.0005 * h * w))
    near_dark = ndimage.distance_transform_edt(~dark) <= NEAR_PX
    paint = np.zeros((h, w), bool)
    for tol in (2, 4, 6, 9, 12):
        flat = (flatness <= tol) & ~dark
        labels, n, _, ok = inner_components(flat, min_area)
        if n == 0:
            continue
        rim = flat & ~ndimage.binary_erosion(flat, FOUR)
        rim_px = np.bincount(np.where(rim, labels, 0).ravel(), minlength=n + 1)
        inked = np.bincount(np.where(rim & near_dark, labels, 0).ravel(), minlength=n + 1)
        bounded = near_dark | _near_other_label(labels, ok[labels], NEIGHBOUR_PX)
        loose = np.bincount(np.where(rim & ~bounded, labels, 0).ravel(), minlength=n + 1)
        total = np.maximum(rim_px, 1)
        keep = ok & (inked / total >= 0.3) & (loose / total <= 0.25)
        paint = keep[labels]
        if paint.sum() >= 0.02 * h * w:
            break
    return paint


def stroke_width(dark: np.ndarray, paint: np.ndarray) -> int | None:
    """The most common width (px, 2 to 40) of dark ink within 25 px of paint, from the
    ridge of its distance transform; None when fewer than 10 ridge pixels are found."""
    inside = ndimage.distance_transform_edt(dark)
    near_paint = ndimage.distance_transform_edt(~paint) <= 25
    ridge = dark & near_paint & (inside >= ndimage.maximum_filter(inside, 3))
    widths = np.round(2 * inside[ridge]).astype(int)
    widths = widths[(widths >= 2) & (widths <= 40)]
    if len(widths) < 10:
        return None
    return int(np.bincount(widths).argmax())


def _drawing(dark: np.ndarray, paint: np.ndarray, flatness: np.ndarray, stroke: int
             ) -> tuple[np.ndarray, np.ndarray]:
    """(drawing, thick dark) at work scale: see the module doc, step 3."""
    h, w = dark.shape
    strokes = dark & (ndimage.distance_transform_edt(~paint) <= 1.25 * stroke + 1)
    thick = ndimage.binary_opening(dark, _disk(int(np.ceil(stroke / 2)) + 1))
    thin = dark & ~ndimage.binary_dilation(thick, _disk(1))
    labels, n = ndimage.label(thin | strokes, EIGHT)
    joined = np.zeros(n + 1, bool)
    joined[np.unique(labels[strokes])] = True
    joined[0] = False
    region = paint | strokes | joined[labels]
    region |= ndimage.binary_closing(region, _disk(2))
    filled = ndimage.binary_fill_holes(region)
    parts, n = ndimage.label(filled, EIGHT)
    if n > 1:  # a flat highlight inside a dark photo object is not part of the drawing
        areas = np.bincount(parts.ravel())
        areas[0] = 0
        big = areas >= 0.1 * areas.max()
        big[0] = False
        filled = big[parts]
        region &= filled
    gaps, n = ndimage.label(filled & ~region, FOUR)
    if n:  # enclosed gaps stay holes when big and textured: the photo seen through
        idx = np.arange(1, n + 1)
        area = ndimage.sum_labels(np.ones(gaps.shape), gaps, idx)
        flat = ndimage.mean((flatness <= 6).astype(np.float32), gaps, idx)
        see_through = np.concatenate([[False], (area >= 0.002 * h * w) & (flat < 0.5)])
        filled &= ~see_through[gaps]
    return filled, thick & ~filled


def outlined_art(rgb: np.ndarray) -> OutlinedArt | None:
    """The outlined drawing in rgb (H, W, 3) uint8, or None when there is no flat paint
    (>= 1 % of the image) or no measurable stroke. Check `.convincing` before trusting it."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORK_SIDE / max(h, w))
    work = rgb if scale == 1.0 else cv2.resize(
        rgb, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    dark = work.astype(np.float32) @ LUMA < DARK_LUMA
    flatness = _flatness(work)
    paint = flat_paint(dark, flatness)
    if paint.sum() < 0.01 * paint.size:
        return None
    stroke = stroke_width(dark, paint)
    if stroke is None:
        return None
    region, thick = _drawing(dark, paint, flatness, stroke)
    rim = region & ~ndimage.binary_erosion(region, _disk(2))
    ringed = float(dark[rim].mean()) if rim.any() else 0.0
    ring = ndimage.binary_dilation(region, _disk(4)) & ~ndimage.binary_dilation(region, _disk(1))
    walled = float(thick[ring].mean()) if ring.any() else 0.0
    return OutlinedArt(resize_mask(region, h, w), resize_mask(thick, h, w), stroke,
                       MAX_STROKE * min(dark.shape), ringed, walled)


def seeded_grabcut(rgb: np.ndarray, art: OutlinedArt, iterations: int = 4,
                   max_side: int = 256) -> np.ndarray:
    """(H, W) bool: GrabCut with the drawing as hard foreground (eroded 1 px), one stroke
    width around it undecided, the photo's thick dark areas and the frame hard background.
    Runs at most at `max_side` px."""
    h, w = rgb.shape[:2]
    sc = min(1.0, max_side / max(h, w))
    size = (round(w * sc), round(h * sc))
    region = cv2.resize(art.region.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    thick = cv2.resize(art.thick_dark.astype(np.uint8), size,
                       interpolation=cv2.INTER_NEAREST) > 0
    band = max(2, round(art.stroke_px * sc * min(1.0, max(h, w) / WORK_SIDE)))
    gc = np.full(region.shape, cv2.GC_PR_BGD, np.uint8)
    gc[ndimage.binary_dilation(region, iterations=band)] = cv2.GC_PR_FGD
    gc[ndimage.binary_erosion(region, iterations=1)] = cv2.GC_FGD
    gc[thick] = cv2.GC_BGD
    sh, sw = region.shape
    gc[border_mask(sh, sw, max(2, round(0.03 * min(sh, sw)))) & ~region] = cv2.GC_BGD
    return grabcut_at_scale(rgb, gc, region, iterations, max_side)


def complex_region(rgb: np.ndarray) -> tuple[np.ndarray, dict[str, object]]:
    """Hard region (H, W) bool for a photo or texture behind the character, and info:
    "region" ("grabcut" or "outlined drawing"), with "stroke_px" when a drawing was found."""
    plain = grabcut_region(rgb)
    art = outlined_art(rgb)
    if art is None or not art.convincing:
        return plain, {"region": "grabcut"}
    info: dict[str, object] = {"stroke_px": art.stroke_px, "region": "grabcut"}
    inside = np.count_nonzero(art.region & plain) / max(1, np.count_nonzero(art.region))
    if inside < MIN_INSIDE:  # GrabCut found another object: no evidence it joined the photo
        return plain, info
    seeded = seeded_grabcut(rgb, art)
    union = np.count_nonzero(plain | seeded)
    agreement = np.count_nonzero(plain & seeded) / union if union else 1.0
    if agreement >= MAX_AGREEMENT:
        return plain, info
    return seeded, {**info, "region": "outlined drawing"}
