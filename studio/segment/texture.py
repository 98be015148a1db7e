"""Cut-outs on textured and photographed backgrounds: evidence from the background's own
colours (pure functions).

GrabCut (`classical_region.grabcut_region`) models foreground and background with five
Gaussians each and prefers short cuts; on a texture (bricks, tiles) it keeps whole bricks
next to the character, joined along the mortar lines (on the dev bricks up to 13 % of its
region is brick). The background around the cut-out is known well enough to say which of
those pixels are background:

- `drop_background_colours`: a colour is background evidence where it is several times more
  frequent outside the region than in the character (colour histograms, 32 levels per
  channel; the character's colours are its flat paint, counted sharply, and what lies within
  an outline's width of it). Starting from the outside, the region loses what such colours
  join to it through parts at least 5 px wide; flat paint is never dropped, and narrow
  passages (an anti-aliased edge, a highlight's rim touching the outline) do not carry the
  drop further in.
- `sampled_band`: the soft edge. With no model of the colour behind an edge pixel,
  closed-form matting alone spreads alpha across flat brick and onto a bright mortar line
  next to the outline (a halo). Each band pixel is explained instead by the best pair of
  nearby pure colours (the brick or the mortar it lies on, the ink or paint beside it), and
  that estimate is a data term of the closed-form solve (robust matting).

`complex_background_region` is the hard region the classical segmenter and `auto`'s fusion
use on a "complex" background: `outlined.complex_region`, then `drop_background_colours`.

Images are (H, W, 3) uint8 RGB; masks (H, W) bool, True on the foreground.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from studio.segment.classical_region import flat_seeds
from studio.segment.matting import closed_form_band, nearest_colour, smooth_fill
from studio.segment.outlined import complex_region

FOUR = ndimage.generate_binary_structure(2, 1)
LEVELS = 32
"""Histogram bins per colour channel (8 levels of 0-255 each)."""
SPREAD = 1.0
"""Gaussian spread of a histogram count, in bins (8 levels): the background's grain and the
character's edges and shading."""
PAINT_SPREAD = 0.25
"""... and of a flat-paint count (2 levels): paint is one exact colour, and a background
colour a few levels off it (grey bricks beside a grey rim) is still the background's."""
EVIDENCE = 4.5
"""A colour is background evidence where it is this many times more frequent outside the
region than in the character (a tenth of GrabCut's region being brick puts brick colours at
about 8 to 1 there)."""
OUTLINE_FRAC = 0.025
"""How far from flat paint (fraction of the short side) the character's other colours are
sampled: an outline's width (OpenMoji strokes are 2 % of the side) and its anti-aliasing."""
CLEAR_PX = 2
"""Pixels this far outside the region are taken as background samples (the edge pixels
between are mixtures)."""
PASSAGE_PX = 2
"""Radius (px) of the disc the dropped part must hold everywhere: narrower joins are edges."""


def _disk(r: int) -> np.ndarray:
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return x * x + y * y <= r * r


def outline_reach(shape: tuple[int, ...]) -> float:
    """Distance (px) from flat paint within which a pixel may be the character's outline or
    edge: OUTLINE_FRAC of the short side of an image of `shape`, at least 3 px."""
    return max(3.0, OUTLINE_FRAC * min(shape[:2]))


def colour_bins(rgb: np.ndarray) -> np.ndarray:
    """(H, W) int64 histogram bin of each pixel of rgb (H, W, 3) uint8 (LEVELS per channel)."""
    q = (rgb // (256 // LEVELS)).astype(np.int64)
    return (q[..., 0] * LEVELS + q[..., 1]) * LEVELS + q[..., 2]


def colour_density(bins: np.ndarray, mask: np.ndarray, spread: float = SPREAD) -> np.ndarray:
    """(LEVELS**3,) float64: the colour histogram of the pixels of `mask`, smoothed by a
    Gaussian of `spread` bins, summing to 1 (all zero for an empty mask). bins: (H, W) from
    `colour_bins`."""
    h = np.bincount(bins[mask], minlength=LEVELS ** 3).astype(np.float64)
    h = ndimage.gaussian_filter(h.reshape((LEVELS,) * 3), spread, mode="constant").ravel()
    total = h.sum()
    return h / total if total > 0 else h


def background_evidence(rgb: np.ndarray, region: np.ndarray, paint: np.ndarray
                        ) -> np.ndarray:
    """(H, W) float32 log odds that each pixel's colour is the background's: log of its
    density outside the region (beyond CLEAR_PX) over its density in the character.

    The character's density is half its flat paint's (what it is surely made of) and half
    the paint with the region's other pixels within OUTLINE_FRAC of the short side of paint
    (outlines, anti-aliased edges, shading beside the paint), in proportion to their counts.
    Region pixels further from paint are left out: a belt of bricks GrabCut kept around the
    character (up to a third of its region on a grey-rimmed ghost) would otherwise count as the
    character's own colours. paint: (H, W) bool, inside region."""
    bins = colour_bins(rgb)
    clear = ~ndimage.binary_dilation(region, FOUR, iterations=CLEAR_PX)
    p_bg = colour_density(bins, clear)
    rest = region & ~paint
    n_paint = np.count_nonzero(paint)
    if n_paint:
        rest &= ndimage.distance_transform_edt(~paint) <= outline_reach(region.shape)
        share = n_paint / (n_paint + np.count_nonzero(rest))
        p_fg = ((0.5 + 0.5 * share) * colour_density(bins, paint, PAINT_SPREAD)
                + 0.5 * (1 - share) * colour_density(bins, rest))
    else:
        p_fg = colour_density(bins, rest)
    tiny = 1e-7
    return (np.log(p_bg + tiny) - np.log(p_fg + tiny)).astype(np.float32)[bins]


def drop_background_colours(rgb: np.ndarray, region: np.ndarray, paint: np.ndarray
                            ) -> np.ndarray:
    """(H, W) bool: `region` less the parts joined to the outside through pixels of
    background colours (`background_evidence` >= log EVIDENCE), at least 2 * PASSAGE_PX + 1
    px wide. paint: (H, W) bool flat paint (`classical_region.flat_seeds`), never dropped.
    The outside is the part of ~region of at least 0.2 % of the image (the frame side and
    the background seen through big gaps; a pinhole is no evidence)."""
    h, w = region.shape
    if region.all() or not region.any():
        return region
    paint = paint & region
    bg_like = region & ~paint & (background_evidence(rgb, region, paint) >= np.log(EVIDENCE))
    if not bg_like.any():
        return region
    labels, n = ndimage.label(~region, FOUR)
    areas = np.bincount(labels.ravel(), minlength=n + 1)
    big = areas >= 0.002 * h * w
    big[0] = False
    outside = big[labels]
    disk = _disk(PASSAGE_PX)
    core = ndimage.binary_opening(bg_like | outside, disk)
    labels, n = ndimage.label(core, FOUR)
    joined = np.zeros(n + 1, bool)
    joined[np.unique(labels[core & outside])] = True
    joined[0] = False
    dropped = ndimage.binary_dilation(joined[labels], disk) & bg_like
    return region & ~dropped


def complex_background_region(rgb: np.ndarray) -> tuple[np.ndarray, dict[str, object]]:
    """Hard region (H, W) bool for a photo or texture behind the character, and info:
    `outlined.complex_region`'s, with "background_px" (pixels dropped by
    `drop_background_colours`)."""
    region, found = complex_region(rgb)
    kept = drop_background_colours(rgb, region, flat_seeds(rgb))
    return kept, {**found, "background_px": int(np.count_nonzero(region & ~kept))}


RAYS = ((0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1), (-1, 0), (-1, 1))
"""The eight directions (dy, dx) colour samples are looked for along."""
SAMPLE_PX = 1
"""Colour samples are the region's pixels this far inside its outline (foreground) and the
pixels this far outside (background): close enough to hold a thin outline's ink and the
brick or mortar an edge pixel lies on, outside the 1-2 px of mixed colour of a sharp edge."""
DIST_COST = 3.0
"""Colour distance (0-255 units) a sample pair may trade for each px its samples lie further
from the pixel: of two pairs that explain a pixel about as well, the nearer one wins."""
COLOUR_TOL = 8.0
"""Colour distance (0-255 units) from the pair's line at which the data term's weight falls
to 1/e: a pixel no pair explains (three colours meet) is left to the Laplacian."""
DATA_WEIGHT = 100.0
"""Weight of a fully trusted alpha estimate against the matting Laplacian (whose diagonal is
about 10 on flat 8-bit colour): the estimate wins where the colours explain the pixel."""


def ray_samples(mask: np.ndarray, ys: np.ndarray, xs: np.ndarray, reach: int) -> np.ndarray:
    """(N, 9) int64 flat indices of `mask` pixels seen from the N points (ys, xs): the first
    one along each of the RAYS within `reach` px, and the nearest one (Euclidean); -1 where a
    ray finds none. mask: (H, W) bool, not empty."""
    h, w = mask.shape
    out = np.full((len(ys), len(RAYS) + 1), -1, np.int64)
    for k, (dy, dx) in enumerate(RAYS):
        todo = np.ones(len(ys), bool)
        for step in range(1, reach + 1):
            y, x = ys + dy * step, xs + dx * step
            inside = (y >= 0) & (y < h) & (x >= 0) & (x < w)
            hit = todo & inside
            hit[hit] = mask[y[hit], x[hit]]
            out[hit, k] = y[hit] * w + x[hit]
            todo &= ~hit & inside
            if not todo.any():
                break
    _, (iy, ix) = ndimage.distance_transform_edt(~mask, return_indices=True)
    out[:, -1] = iy[ys, xs] * w + ix[ys, xs]
    return out


def sampled_alpha(img: np.ndarray, band: np.ndarray, fg_samples: np.ndarray,
                  bg_samples: np.ndarray, reach: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Alpha from the best pair of nearby pure colours, for the N pixels of `band`.

    Each band pixel I is compared with every pair (F, B) of a `fg_samples` and a `bg_samples`
    pixel seen from it (`ray_samples`): the pair whose line a F + (1 - a) B passes closest to
    I, plus DIST_COST per px of the samples' distance, explains it (sample-pair matting as in
    Wang and Cohen's robust matting and Gastal and Oliveira's shared matting). On a texture
    the B that explains an edge pixel is the brick or the mortar it lies on, not an average
    of both. img: (H, W, 3) float32 0..255; masks (H, W) bool, the sample masks not empty.
    Returns alpha (N,) float32 in [0, 1], residual (N,) float32 (colour distance of I from
    the pair's line, 0-255 units), F and B (N, 3) float32, in np.nonzero(band) order."""
    ys, xs = np.nonzero(band)
    w = img.shape[1]
    flat = img.reshape(-1, 3)
    pix = img[ys, xs]
    fi = ray_samples(fg_samples, ys, xs, reach)
    bi = ray_samples(bg_samples, ys, xs, reach)
    f = flat[np.maximum(fi, 0)]  # (N, 9, 3)
    b = flat[np.maximum(bi, 0)]
    d = f[:, :, None, :] - b[:, None, :, :]  # (N, 9 F, 9 B, 3)
    rel = pix[:, None, None, :] - b[:, None, :, :]
    den = np.maximum(np.einsum("nfbc,nfbc->nfb", d, d), 1e-6)
    a = np.clip(np.einsum("nfbc,nfbc->nfb", rel, d) / den, 0.0, 1.0)
    off = rel - a[..., None] * d
    res = np.sqrt(np.einsum("nfbc,nfbc->nfb", off, off))
    far_f = np.hypot(fi // w - ys[:, None], fi % w - xs[:, None])
    far_b = np.hypot(bi // w - ys[:, None], bi % w - xs[:, None])
    cost = res + DIST_COST * (far_f[:, :, None] + far_b[:, None, :])
    cost[~((fi >= 0)[:, :, None] & (bi >= 0)[:, None, :])] = np.inf
    n, _, kb = res.shape
    best = np.argmin(cost.reshape(n, -1), axis=1)
    bf, bb = np.divmod(best, kb)
    rows = np.arange(n)
    return (a[rows, bf, bb].astype(np.float32), res[rows, bf, bb].astype(np.float32),
            f[rows, bf], b[rows, bb])


def sampled_band(rgb: np.ndarray, region: np.ndarray, band: np.ndarray, solid: np.ndarray,
                 clear: np.ndarray, reach: int, min_contrast: float
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Edge alpha on a photo or texture, where no background model predicts the colour
    behind an edge pixel: (alpha (H, W) float32, bg (H, W, 3) float32 background colour per
    pixel, near (H, W, 3) float32 pure foreground colour per pixel), or None when the region
    leaves no samples on one side.

    Closed-form matting on `band` with a data term (`matting.closed_form_band`): each band
    pixel's alpha from its best sample pair (`sampled_alpha`), trusted by how well the pair
    explains it and by how far apart its colours are (none below `min_contrast`, 0-255
    units, full from twice that: the alpha of a close pair is ill posed, black ink against a
    black helmet, a smooth gradient of a photo). Samples
    are SAMPLE_PX inside / outside the region, except those whose colour says the other side
    (`background_evidence` beyond EVIDENCE either way: a mortar line GrabCut kept, paint it
    left out); `solid` and `clear` (H, W) bool, the pixels beyond the band, always count.
    reach: how far (px) samples are looked for along each ray. Without the data term the
    Laplacian alone spreads alpha across flat brick and onto bright mortar lines (halos)
    next to the outline."""
    img = rgb.astype(np.float32)
    paint = flat_seeds(rgb) & region
    evidence = background_evidence(rgb, region, paint)
    limit = np.log(EVIDENCE)
    fg_samples = ndimage.binary_erosion(region, FOUR, iterations=SAMPLE_PX)
    fg_samples &= (evidence < limit) | solid
    bg_samples = ~ndimage.binary_dilation(region, FOUR, iterations=SAMPLE_PX)
    beside_paint = ndimage.distance_transform_edt(~paint) <= outline_reach(region.shape)
    bg_samples &= (evidence > -limit) | clear | ~beside_paint
    if not fg_samples.any() or not bg_samples.any() or not band.any():
        return None
    a, res, f, b = sampled_alpha(img, band, fg_samples, bg_samples, reach)
    prior = np.zeros(region.shape, np.float32)
    weight = np.zeros(region.shape, np.float32)
    prior[band] = a
    contrast = np.sqrt(np.einsum("nc,nc->n", f - b, f - b))
    weight[band] = (DATA_WEIGHT * np.exp(-(res / COLOUR_TOL) ** 2)
                    * np.clip(contrast / min_contrast - 1.0, 0.0, 1.0))
    alpha = closed_form_band(img, region.astype(np.float32), band, prior=prior,
                             weight=weight)
    bg = smooth_fill(img, clear, 2.0)
    bg[band] = b
    near = nearest_colour(img, solid)
    near[band] = f
    return alpha, bg, near
