"""Cut-outs on textured and photographed backgrounds: evidence from the background's own
colours (pure functions).

GrabCut (`classical_region.grabcut_region`) models foreground and background with five
Gaussians each and prefers short cuts; on a texture (bricks, tiles) it keeps whole bricks
next to the character, joined along the mortar lines, and on the dev bricks 2-13 % of its
region is background. The background around the cut-out is known well enough to say which of
those pixels are background:

- `drop_background_colours`: a colour is background evidence where it is several times more
  frequent outside the region than inside it (colour histograms, 32 levels per channel; flat
  paint, the character's surest colours, counted sharply).
  Starting from the outside, the region loses what such colours join to it through parts at
  least 5 px wide; flat paint is never dropped, and narrow passages (an anti-aliased edge, a
  highlight's rim touching the outline) do not carry the drop further in.

`complex_background_region` is the hard region the classical segmenter and `auto`'s fusion
use on a "complex" background: `outlined.complex_region`, then `drop_background_colours`.

Images are (H, W, 3) uint8 RGB; masks (H, W) bool, True on the foreground.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from studio.segment.classical_region import flat_seeds
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
region than inside it (the odds GrabCut's region holds a background colour by chance are
about 1 in 8 on the dev bricks, where a tenth of it is brick)."""
CLEAR_PX = 2
"""Pixels this far outside the region are taken as background samples (the edge pixels
between are mixtures)."""
PASSAGE_PX = 2
"""Radius (px) of the disc the dropped part must hold everywhere: narrower joins are edges."""


def _disk(r: int) -> np.ndarray:
    y, x = np.ogrid[-r:r + 1, -r:r + 1]
    return x * x + y * y <= r * r


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
    density outside the region (beyond CLEAR_PX) over its density inside. The inside density
    is half the region's histogram (its flat paint counted sharply, the rest, outlines,
    shading and any background GrabCut kept, broadly) and half the paint's alone: paint is
    what the character is surely made of. paint: (H, W) bool, inside region."""
    bins = colour_bins(rgb)
    clear = ~ndimage.binary_dilation(region, FOUR, iterations=CLEAR_PX)
    p_bg = colour_density(bins, clear)
    n_region = np.count_nonzero(region)
    n_paint = np.count_nonzero(paint)
    p_rest = colour_density(bins, region & ~paint)
    if n_paint:
        p_paint = colour_density(bins, paint, PAINT_SPREAD)
        share = n_paint / n_region
        p_fg = (0.5 + 0.5 * share) * p_paint + 0.5 * (1 - share) * p_rest
    else:
        p_fg = p_rest
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
