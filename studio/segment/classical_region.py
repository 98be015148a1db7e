"""Hard foreground regions for the classical segmenter (pure functions).

- `keyed_region`: with a known background model, flood the background in from the border
  through pixels that match the model, or that look like a soft shadow on it (a smooth,
  neutral darkening; the shadow also fills the pockets and channels the gap-closing ball
  cannot enter, `shadow_pockets`), and add enclosed holes where the background shows
  through.
- `grabcut_region`: for photos and textures, GrabCut initialised with the border as
  background and the rest as probable foreground.
- `refine_with_points`: GrabCut seeded with include/exclude clicks, started from a region.

Masks are (H, W) bool, True on the foreground; images are (H, W, 3) uint8 RGB.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import cv2
import numpy as np
from scipy import ndimage

from studio.segment.background import BackgroundModel, border_mask
from studio.segment.gapfill import (
    ball_fill,
    decide_enclosed,
    enclosed_regions,
    gap_radius,
    model_votes,
    split_channels,
)
from studio.types import Point

FOUR = ndimage.generate_binary_structure(2, 1)
NEAR_SEEDS = 0.06
"""Probable foreground for GrabCut: within this fraction of the side of a flat-paint seed."""


def touching_border(labels: np.ndarray) -> np.ndarray:
    """The labels (> 0) of components of `labels` (H, W) int that touch the frame."""
    ids = np.unique(np.concatenate([labels[0], labels[-1], labels[:, 0], labels[:, -1]]))
    return ids[ids > 0]


def inner_components(mask: np.ndarray, min_area: int
                     ) -> tuple[np.ndarray, int, np.ndarray, np.ndarray]:
    """(labels, n, areas, keep) of the 4-connected components of `mask` (H, W) bool:
    labels (H, W) int32, areas (n + 1,) px, keep (n + 1,) bool True for the components of at
    least min_area px that do not touch the frame (keep[0], the unlabelled pixels, False)."""
    labels, n = ndimage.label(mask, FOUR)
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    keep = areas >= min_area
    keep[0] = False
    keep[touching_border(labels)] = False
    return labels, n, areas, keep


def remove_specks(mask: np.ndarray, min_area: int) -> np.ndarray:
    """Drop connected components of `mask` smaller than min_area pixels."""
    labels, n = ndimage.label(mask, FOUR)
    if n == 0:
        return mask
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    keep = areas >= min_area
    keep[0] = False
    return keep[labels]


def keyed_region(rgb: np.ndarray, model: BackgroundModel, tolerance: float,
                 shadows: bool, holes: str,
                 prior: np.ndarray | Callable[[], np.ndarray] | None = None
                 ) -> tuple[np.ndarray, dict[str, object]]:
    """Foreground mask (H, W) bool and what was found ({"shadow": bool, "holes": int,
    "enclosed_paint": int, "gap_radius": px}).

    The background is flooded in from the border with gap closing (`gapfill.ball_fill`), so
    it cannot leak through small gaps in an outline; the regions it did not reach are judged
    by `gapfill.decide_enclosed`. tolerance: colour distance (0..255) below which a pixel
    matches the background; raised with the border noise. holes: "auto" (evidence: thin
    channels to the outside are background, light paint on white is paint, the model prior
    decides where given), "on" (every enclosed background-coloured region is a hole), "off"
    (only channels to the outside). prior: (H, W) float32 u2net-family alpha, a callable
    that returns it (called only when an enclosed region needs its vote, so a prediction
    running in another thread is waited for only then), or None.
    """
    assert model.image is not None
    img = rgb.astype(np.float32)
    bg = model.image
    h, w = rgb.shape[:2]
    tol = max(tolerance, 4.5 * model.noise)
    diff = img - bg
    dist = np.sqrt(np.einsum("hwc,hwc->hw", diff, diff))
    near = dist < tol
    found_shadow = False
    cand = near
    if shadows and model.kind != "checkerboard":
        lum = ndimage.gaussian_filter(img.mean(-1), 0.7)
        gy, gx = np.gradient(lum)
        grad = np.hypot(gx, gy)
        curv = np.abs(ndimage.laplace(lum))
        s = np.einsum("hwc,hwc->hw", img, bg) / np.maximum(
            np.einsum("hwc,hwc->hw", bg, bg), 1.0)
        off = img - s[..., None] * bg
        resid = np.sqrt(np.einsum("hwc,hwc->hw", off, off))
        shade = (s > 0.2) & (s < 1.0) & (resid < max(6.0, 2.5 * model.noise))
        smooth = (grad < 9.0 + 2.0 * model.noise) & (curv < 4.0 + 2.0 * model.noise)
        cand = near | (shade & smooth)
    if model.noise > 1.5:  # JPEG / sensor noise: single off pixels must not block the ball
        specks = _small_parts(~cand, 8)
        cand, near = cand | specks, near | specks
    radius = gap_radius(h, w)
    outer = ball_fill(cand, radius)  # cannot leak through gaps in an outline
    if shadows and model.kind != "checkerboard":
        found_shadow = bool((outer & ~near).sum() > 0.002 * h * w)
        if found_shadow:  # pockets and channels in the shadow the ball could not enter
            outer |= shadow_pockets(outer, cand & ~near, near)
            # the steep last pixels of a shadow, next to the outline
            outer = ndimage.binary_dilation(outer, FOUR, iterations=2, mask=near | shade)
    # joined to the outside at pixel level, or through mixed pixels that are not quite
    # background (a narrow gap between letters, under an arm)
    # (meaningless where noise puts every light pixel within 2 tol: then only the fill counts)
    if model.noise <= 1.5:
        weak, _ = ndimage.label(cand | (dist < 2.0 * tol), FOUR)
        joined = np.isin(weak, touching_border(weak))
    else:
        joined = np.zeros_like(cand)
    rest = near & ~outer
    n_holes = n_paint = 0
    if holes == "off":
        outer |= rest & joined & _thin(rest, radius)
    else:
        lum = img.mean(-1)
        paint = ~cand & (lum > 200) & (_channel_range(img) < 40)
        paint &= ~_small_parts(paint, max(40, int(0.0005 * h * w)))  # not mixed edge pixels
        wide, channels = split_channels(rest, radius)
        regs = enclosed_regions(wide, outer, joined, None, paint)
        if regs.count:
            idx = np.arange(1, regs.count + 1)
            hl = regs.labels
            mean_d = ndimage.mean(dist, hl, idx)
            lum_b = bg.mean(-1)
            chroma_b = _channel_range(bg)
            whiteish = ndimage.mean(((lum_b > 215) & (chroma_b < 20)).astype(np.float32), hl, idx)
            min_area = max(24, int(0.0004 * h * w))
            hole_ok = mean_d < 0.6 * tol
            light = (whiteish >= 0.5) & (model.kind == "white")
            if holes == "auto":
                if model.kind == "checkerboard":
                    par = (bg.mean(-1) > bg.mean()).astype(np.float32)
                    both = ndimage.mean(par, hl, idx)
                    hole_ok &= (both > 0.15) & (both < 0.85)
                    light[:] = False
                else:
                    hole_ok &= ~light
            else:  # "on": every enclosed background-coloured region is a hole
                light[:] = False
            # u2net-family models see the image at 320 px: finer regions are not theirs
            fine = 0.025 * min(h, w)
            if prior is not None and model_votes(regs, radius, min_area, light, hole_ok,
                                                 fine).any():
                prior = prior() if callable(prior) else prior  # waits for the model here
                regs = dataclasses.replace(regs, prior=np.asarray(
                    ndimage.mean(prior, hl, idx)))
            ok = decide_enclosed(regs, radius, min_area, light, hole_ok, fine, 0.004 * h * w)
            outer |= np.concatenate([[False], ok])[hl]
            n_holes = int((ok & (regs.area >= min_area)).sum())
            n_paint = int((~ok & (regs.area >= min_area)).sum())
        # narrow parts (channels between strokes, slivers along outlines): background where
        # they open onto background, unless they line light paint (JPEG ringing)
        # (no model vote: channels are finer than a u2net-family model resolves)
        ch = enclosed_regions(channels, outer, joined if holes != "on" else channels, None,
                              paint)
        if ch.count:
            bg_ch = ch.leaky & (ch.paint_contact < 0.33)
            outer |= np.concatenate([[False], bg_ch])[ch.labels]
    fg = remove_specks(~outer, max(12, int(0.0001 * h * w)))
    return fg, {"shadow": found_shadow, "holes": n_holes, "enclosed_paint": n_paint,
                "gap_radius": radius}


def shadow_pockets(outer: np.ndarray, shade: np.ndarray, lit: np.ndarray,
                   reach: int = 3, max_lit: float = 0.05) -> np.ndarray:
    """(H, W) bool: the parts of the drop shadow that the gap-closing fill `outer` did not
    reach (a channel between a tail and the body, a pocket between a horn and an ear,
    under an arm), found by flooding on from `outer` through smooth shade (`shade`: smooth,
    neutral darkening of the background, without the plain background colour).

    Such a pocket is bounded by the character's strokes; a shadow meets the plain
    background only through its own soft penumbra, which is shade too. A flooded component
    with more than `max_lit` of the pixels within `reach` px around it (outside the flood)
    in the plain background colour (`lit`) is grey paint next to light paint (a grey
    outline around a white body), not a shadow, and is left out. On the dev sets
    shadow pockets have 0.0 of their surroundings lit, a ghost's grey outline 0.12-0.16.
    Masks (H, W) bool."""
    grown = ndimage.binary_dilation(outer, FOUR, iterations=-1, mask=outer | shade)
    new = grown & ~outer
    labels, n = ndimage.label(new, FOUR)
    if n == 0:
        return new
    around = ndimage.grey_dilation(labels, size=(2 * reach + 1, 2 * reach + 1))
    ring = (around > 0) & ~grown
    total = np.bincount(around[ring], minlength=n + 1)
    hit = np.bincount(around[ring & lit], minlength=n + 1)
    ok = hit <= max_lit * total
    ok[0] = False
    return ok[labels]


def _channel_range(img: np.ndarray) -> np.ndarray:
    """(H, W) max minus min over the 3 channels of (H, W, 3) (faster than np.ptp)."""
    r, g, b = img[..., 0], img[..., 1], img[..., 2]
    return np.maximum(np.maximum(r, g), b) - np.minimum(np.minimum(r, g), b)


def _small_parts(mask: np.ndarray, max_area: int) -> np.ndarray:
    """(H, W) bool: the components of `mask` of at most max_area px."""
    labels, n = ndimage.label(mask, FOUR)
    if n == 0:
        return mask
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    small = areas <= max_area
    small[0] = False
    return small[labels]


def _thin(mask: np.ndarray, radius: int) -> np.ndarray:
    """(H, W) bool: the pixels of components of `mask` no thicker than radius + 1 px."""
    labels, n = ndimage.label(mask, FOUR)
    if n == 0:
        return mask
    inner = ndimage.distance_transform_edt(mask)
    thick = ndimage.maximum(inner, labels, np.arange(1, n + 1))
    return np.concatenate([[False], np.asarray(thick) <= radius + 1])[labels]


def _grabcut(rgb: np.ndarray, gc_mask: np.ndarray, iterations: int) -> np.ndarray:
    bgd = np.zeros((1, 65), np.float64)
    fgd = np.zeros((1, 65), np.float64)
    m = gc_mask.copy()
    cv2.setRNGSeed(0)
    cv2.grabCut(np.ascontiguousarray(rgb[..., ::-1]), m, None, bgd, fgd, iterations,
                cv2.GC_INIT_WITH_MASK)
    return (m == cv2.GC_FGD) | (m == cv2.GC_PR_FGD)


def _work_scale(h: int, w: int, max_side: int) -> float:
    return min(1.0, max_side / max(h, w))


def _cut_by_one_side(labels: np.ndarray, areas: np.ndarray) -> np.ndarray:
    """Labels of big flat components that meet the frame on one side only and not at its
    corners: a character cut by the frame (a bust), not the sky or a wall behind it."""
    h, w = labels.shape
    sides = [labels[0], labels[-1], labels[:, 0], labels[:, -1]]
    count = np.zeros(len(areas), int)
    for side in sides:
        count[np.unique(side)] += 1
    corners = np.unique([labels[0, 0], labels[0, -1], labels[-1, 0], labels[-1, -1]])
    ok = (count == 1) & (areas >= 0.01 * h * w)
    ok[corners] = False
    ok[0] = False
    return np.nonzero(ok)[0]


def flat_seeds(rgb: np.ndarray, min_frac: float = 0.04) -> np.ndarray:
    """(H, W) bool: pixels inside sizeable regions of (near) constant colour that do not
    touch the border. Flat-shaded artwork is constant inside its shapes; photos and
    textures almost never are. The tolerance grows (JPEG) until enough is found."""
    h, w = rgb.shape[:2]
    img = rgb.astype(np.int16)
    rng = (ndimage.maximum_filter(img, (3, 3, 1)) - ndimage.minimum_filter(img, (3, 3, 1)))
    rng = rng.max(-1)
    min_area = max(16, int(0.0005 * h * w))
    best = np.zeros((h, w), bool)
    for tol in (0, 1, 2, 3, 4, 6):
        labels, n, areas, keep = inner_components(rng <= tol, min_area)
        if n == 0:
            continue
        keep[_cut_by_one_side(labels, areas)] = True
        keep[0] = False
        best = keep[labels]
        if best.mean() >= min_frac:
            break
    return best


def grabcut_region(rgb: np.ndarray, margin: float = 0.03, iterations: int = 4,
                   max_side: int = 256) -> np.ndarray:
    """Foreground mask for a complex background: border strip = background, flat-colour
    regions = foreground seeds, their hull = probable foreground. Runs at most at
    `max_side` px, then is upsampled."""
    h, w = rgb.shape[:2]
    seeds = flat_seeds(rgb)
    sc = _work_scale(h, w, max_side)
    size = (round(w * sc), round(h * sc))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    bw = max(2, round(margin * min(sh, sw)))
    seeds_s = cv2.resize(seeds.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    if sc < 1:
        seeds_s = ndimage.binary_erosion(seeds_s, FOUR)
    gc = np.full((sh, sw), cv2.GC_PR_FGD, np.uint8)
    if seeds_s.sum() > 0.01 * sh * sw:
        pts = np.argwhere(seeds_s)[:, ::-1].astype(np.int32)
        hull = np.zeros((sh, sw), np.uint8)
        cv2.fillConvexPoly(hull, cv2.convexHull(pts), 1)
        hull = ndimage.binary_dilation(hull > 0, iterations=max(2, round(0.03 * sh)))
        near = ndimage.distance_transform_edt(~seeds_s) <= max(3, round(NEAR_SEEDS * sh))
        gc[~(hull & ndimage.binary_fill_holes(near))] = cv2.GC_PR_BGD
        gc[seeds_s] = cv2.GC_FGD
    frame = border_mask(sh, sw, bw)
    gc[frame & ~seeds_s] = cv2.GC_BGD
    fg = _grabcut(small, gc, iterations)
    return resize_mask(_largest_parts(fg, seeds_s, max_hole=0.002 * sh * sw), h, w)


def grabcut_at_scale(rgb: np.ndarray, gc: np.ndarray, seeds: np.ndarray, iterations: int,
                     max_side: int) -> np.ndarray:
    """(H, W) bool: GrabCut of rgb (H, W, 3) uint8 reduced to at most max_side px, from the
    label mask `gc` (uint8 cv2.GC_* at that size), keeping the parts that hold a `seeds`
    pixel (bool, same size) or are big, with small enclosed gaps filled; upsampled."""
    h, w = rgb.shape[:2]
    sc = _work_scale(h, w, max_side)
    small = cv2.resize(rgb, (round(w * sc), round(h * sc)), interpolation=cv2.INTER_AREA)
    fg = _grabcut(small, gc, iterations)
    sh, sw = small.shape[:2]
    return resize_mask(_largest_parts(fg, seeds, max_hole=0.002 * sh * sw), h, w)


def _largest_parts(mask: np.ndarray, seeds: np.ndarray | None = None,
                   min_frac: float = 0.05, max_hole: float | None = None) -> np.ndarray:
    """Keep the components at least min_frac of the largest, or holding a seed pixel;
    fill enclosed gaps: all of them, or (max_hole given) those under max_hole pixels or
    mostly flat paint (seeds); bigger ones are the background seen through the character."""
    labels, n = ndimage.label(mask, FOUR)
    if n == 0:
        return mask
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    areas[0] = 0
    keep = areas >= max(1, min_frac * areas.max())
    if seeds is not None:
        keep[np.unique(labels[seeds & mask])] = True
    keep[0] = False
    fg = keep[labels]
    filled = ndimage.binary_fill_holes(fg)
    if max_hole is None or seeds is None:
        return filled
    hl, n = ndimage.label(filled & ~fg, FOUR)
    if n == 0:
        return filled
    idx = np.arange(1, n + 1)
    areas = ndimage.sum_labels(np.ones(hl.shape), hl, idx)
    paint = ndimage.mean(seeds.astype(np.float32), hl, idx)
    opening = np.concatenate([[False], (areas >= max_hole) & (paint < 0.3)])
    return filled & ~opening[hl]


def resize_mask(mask: np.ndarray, h: int, w: int) -> np.ndarray:
    """(h, w) bool: `mask` (bool) resized with linear interpolation, threshold 0.5."""
    if mask.shape == (h, w):
        return mask
    up = cv2.resize(mask.astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return up > 0.5


def refine_with_points(rgb: np.ndarray, region: np.ndarray, points: tuple[Point, ...],
                       iterations: int = 3, max_side: int = 256) -> np.ndarray:
    """GrabCut started from `region` (H, W) bool with discs around the clicks as hard
    seeds (include → foreground, exclude → background). Returns the new (H, W) bool."""
    h, w = rgb.shape[:2]
    sc = _work_scale(h, w, max_side)
    small = cv2.resize(rgb, (round(w * sc), round(h * sc)), interpolation=cv2.INTER_AREA)
    sh, sw = small.shape[:2]
    reg = cv2.resize(region.astype(np.uint8), (sw, sh), interpolation=cv2.INTER_NEAREST) > 0
    gc = np.where(reg, cv2.GC_PR_FGD, cv2.GC_PR_BGD).astype(np.uint8)
    inner = ndimage.binary_erosion(reg, iterations=max(2, round(0.04 * min(sh, sw))))
    outer = ~ndimage.binary_dilation(reg, iterations=max(2, round(0.04 * min(sh, sw))))
    gc[inner] = cv2.GC_FGD
    gc[outer & border_mask(sh, sw, 2)] = cv2.GC_BGD
    radius = max(2, round(0.015 * min(sh, sw)))
    seeds = np.zeros((sh, sw), np.uint8)
    for p in points:
        # exclude seeds drawn after include seeds win where they overlap
        cv2.circle(seeds, (int(p.x * sc), int(p.y * sc)), radius, 2 if not p.include else 1, -1)
    for p in points:
        if not p.include:
            cv2.circle(seeds, (int(p.x * sc), int(p.y * sc)), radius, 2, -1)
    # a click overrides the hard labels around it: the whole clicked component flips
    # (an enclosed gap flips whole; the open background around the character only near the
    # click, or GrabCut would be left with no background to learn from)
    lab_fg, _ = ndimage.label(reg, FOUR)
    lab_bg, _ = ndimage.label(~reg, FOUR)
    edge = border_mask(sh, sw, 1)
    yy, xx = np.mgrid[:sh, :sw]
    for p in points:
        x = min(max(int(p.x * sc), 0), sw - 1)
        y = min(max(int(p.y * sc), 0), sh - 1)
        if p.include and not reg[y, x]:
            comp = lab_bg == lab_bg[y, x]
            if (comp & edge).any():
                comp &= (xx - x) ** 2 + (yy - y) ** 2 <= (0.12 * min(sh, sw)) ** 2
            gc[comp] = cv2.GC_PR_FGD
        elif not p.include and reg[y, x]:
            comp = lab_fg == lab_fg[y, x]
            gc[comp & (gc == cv2.GC_FGD)] = cv2.GC_PR_FGD
    gc[seeds == 1] = cv2.GC_FGD
    gc[seeds == 2] = cv2.GC_BGD
    bg_labels = (gc == cv2.GC_BGD) | (gc == cv2.GC_PR_BGD)
    fg_labels = (gc == cv2.GC_FGD) | (gc == cv2.GC_PR_FGD)
    if not bg_labels.any():  # GrabCut needs both models: the frame's edge is background
        gc[edge & (seeds == 0)] = cv2.GC_BGD
    if not fg_labels.any():
        return np.zeros((h, w), bool)
    fg = _grabcut(small, gc, iterations)
    out = resize_mask(fg, h, w)
    # keep full-resolution detail where GrabCut agreed with the original region
    agree = cv2.resize(fg.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST) > 0
    changed = ndimage.binary_dilation(agree != resize_mask(reg, h, w), iterations=2)
    return np.where(changed, out, region)
