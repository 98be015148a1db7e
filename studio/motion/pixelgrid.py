"""Pixel art: motion rendered on the source's own pixel grid, scaled up by a whole factor.

A small source with few colours and hard edges (a 32×32 sprite) is pixel art: smooth
resampling would blur it into hundreds of colours. `PixelGridRenderer` snaps the cut-out to
its palette and to 1-bit alpha, renders the motion on a canvas of whole source pixels
(layout scale exactly 1, integer offset, nearest sampling, no supersampling), and scales
each frame up by the largest whole factor k that the normal layout allows, with nearest
neighbour. Frames keep the source's colours (plus the shadow's and effects' own).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from studio.motion.layout import Layout
from studio.motion.renderer import Renderer
from studio.types import MotionSpec

MAX_SIDE = 128  # px: a larger source (at its own block size) is not treated as pixel art
MAX_COLOURS = 32  # distinct opaque colours that cover COVERAGE of the visible pixels
COVERAGE = 0.95
HARD_EDGES = 0.99  # the uploaded image: ≤ 1% of visible pixels translucent, and its
# MAX_COLOURS RGBA colours (besides the background) cover 99%: anti-aliasing leaves more


def block_size(img: np.ndarray) -> int:
    """The side of the blocks an upscaled sprite is made of (1 for a native-size sprite):
    the largest b ≤ 64 for which every b×b block of the image (H, W, C), counted from the
    top-left corner (the last row and column of blocks may be cut), is one colour."""
    h, w = img.shape[:2]
    for b in range(min(h // 2, w // 2, 64), 1, -1):
        small = img[::b, ::b]
        if np.array_equal(np.repeat(np.repeat(small, b, 0), b, 1)[:h, :w], img):
            return b
    return 1


def palette_of(rgba: np.ndarray) -> np.ndarray | None:
    """(N, 3) uint8 colours of a pixel-art RGBA image (H, W, 4), or None when it is not one:
    N ≤ MAX_COLOURS opaque colours cover ≥ COVERAGE of the visible (alpha > 0) pixels, and
    the sprite (at its block size) is at most MAX_SIDE px on each side."""
    sample = rgba.reshape(-1, 4)[:: max(1, rgba.shape[0] * rgba.shape[1] // 20000)]
    if len(np.unique(sample[sample[:, 3] == 255][:, :3], axis=0)) > 4 * MAX_COLOURS:
        return None  # a photo or a painted, anti-aliased drawing: quick no
    b = block_size(rgba)
    small = rgba[::b, ::b]
    visible = small[..., 3] > 0
    ys, xs = np.nonzero(visible)
    if len(ys) < 4 or max(np.ptp(ys), np.ptp(xs)) + 1 > MAX_SIDE:
        return None
    solid = small[small[..., 3] == 255][:, :3]
    if len(solid) == 0:
        return None
    colours, counts = np.unique(solid, axis=0, return_counts=True)
    order = np.argsort(-counts)
    top = order[:MAX_COLOURS]
    if counts[top].sum() < COVERAGE * visible.sum():
        return None
    keep = top[counts[top] >= max(1, 0.002 * visible.sum())]
    return colours[keep]


def snap(rgba: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """RGBA uint8 (H, W, 4) at its block size with 1-bit alpha (≥ 128 kept) and every kept
    pixel set to its nearest `palette` colour (RGB distance)."""
    b = block_size(rgba)
    small = rgba[::b, ::b].copy()
    keep = small[..., 3] >= 128
    rgb = small[keep][:, :3].astype(np.int32)
    d = ((rgb[:, None, :] - palette[None, :, :].astype(np.int32)) ** 2).sum(-1)
    small[keep, :3] = palette[np.argmin(d, axis=1)]
    small[..., 3] = np.where(keep, 255, 0)
    small[~keep] = 0
    return small


def is_pixel_art(rgba: np.ndarray) -> bool:
    """Whether an RGBA uint8 cut-out (H, W, 4) is pixel art (see `palette_of`)."""
    return palette_of(rgba) is not None


def pixel_art(image: np.ndarray, cutout: np.ndarray) -> np.ndarray | None:
    """The character as pixel art on its own grid, or None when the source is not pixel art.

    image: the source as uploaded, RGBA uint8 (H, W, 4); its exact blocks and colours are
    read here, since segmentation softens a cut-out's edges and re-estimates its edge
    colours. cutout: the segmented character (H, W, 4): only its alpha is used, sampled at
    the block centres and cut at 128. Returns RGBA uint8 (H/b, W/b, 4) with 1-bit alpha and
    the source's colours, when the image has hard edges (see HARD_EDGES: no anti-aliased
    alpha or blended edge colours), the character's
    colours are few (≤ MAX_COLOURS covering COVERAGE of it) and it is small on the grid
    (≤ MAX_SIDE).
    """
    if image.shape != cutout.shape:
        return None
    sample = image.reshape(-1, 4)[:: max(1, image.shape[0] * image.shape[1] // 20000)]
    if len(np.unique(sample[:, :3], axis=0)) > 8 * MAX_COLOURS:
        return None  # a photo or a painted, anti-aliased drawing: quick no
    b = block_size(image)
    art = image[::b, ::b].copy()
    a = art[..., 3]
    if ((a > 0) & (a < 255)).sum() > (1 - HARD_EDGES) * max(1, (a > 0).sum()):
        return None  # anti-aliased alpha: not pixel art
    _, counts = np.unique(art.reshape(-1, 4), axis=0, return_counts=True)
    counts = np.sort(counts)[::-1][1:]  # without the background, the commonest colour
    if counts[:MAX_COLOURS].sum() < HARD_EDGES * counts.sum():
        return None  # blended edge colours: not pixel art
    keep = cutout[b // 2 :: b, b // 2 :: b, 3][: art.shape[0], : art.shape[1]] >= 128
    art[..., 3] = np.where(keep, 255, 0)
    art[~keep] = 0
    palette = palette_of(art)
    return None if palette is None else snap(art, palette)


class PixelGridRenderer(Renderer):
    """A Renderer for pixel art: frames (height, width, 4) uint8 made of k×k blocks, k whole.

    Same arguments as Renderer; supersample is ignored (nearest sampling on whole pixels).
    Raises ValueError when `cutout` is not pixel art.
    """

    interpolation = cv2.INTER_NEAREST

    def __init__(
        self,
        cutout: np.ndarray,
        spec: MotionSpec,
        size: tuple[int, int],
        *,
        seed: int = 0,
        variation: float = 0.0,
        supersample: int = 1,
        margin: float = 0.06,
    ):
        palette = palette_of(cutout)
        if palette is None:
            raise ValueError("the cut-out is not pixel art (few colours, small, hard edges)")
        art = snap(cutout, palette)
        w, h = (int(v) for v in size)
        full = Renderer(art, spec, (w, h), seed=seed, variation=variation, supersample=1,
                        margin=margin)
        self.factor = k = max(1, math.floor(full.layout.scale + 1e-6))
        self.out_size = (w, h)
        grid = (max(8, math.ceil(w / k)), max(8, math.ceil(h / k)))
        super().__init__(art, spec, grid, seed=seed, variation=variation, supersample=1,
                         margin=margin)

    def _fit(self, margin: float) -> Layout:
        m = super()._fit(margin).matrix.copy()
        s = max(1.0, math.floor(m[0, 0] + 1e-6))  # whole source pixels on the grid
        cx, cy = self.size[0] / 2, self.size[1] / 2
        ox = round(cx - s * (cx - m[0, 2]) / m[0, 0])
        oy = round(cy - s * (cy - m[1, 2]) / m[1, 1])
        return Layout(np.array([[s, 0.0, ox], [0.0, s, oy], [0.0, 0.0, 1.0]]))

    def _prescale(self) -> None:
        self.src = self.char  # never area-resampled: nearest sampling keeps the palette
        self.src_scale = np.eye(3)

    def frame(self, i: int) -> np.ndarray:
        """Frame i as RGBA uint8 (height, width, 4): the grid frame, 1-bit alpha, ×k (the
        grid is ceil(size / k) cells, so less than k px of empty margin is cut)."""
        g = super().frame(i)
        g[..., 3] = np.where(g[..., 3] >= 128, 255, 0).astype(np.uint8)
        g[g[..., 3] == 0] = 0
        k = self.factor
        w, h = self.out_size
        big = np.repeat(np.repeat(g, k, 0), k, 1)  # ≥ (h, w): cut at the right and bottom,
        out = np.zeros((h, w, 4), np.uint8)  # so blocks start at the frame's corner
        out[: min(h, big.shape[0]), : min(w, big.shape[1])] = big[:h, :w]
        return out


def renderer_for(image: np.ndarray, cutout: np.ndarray) -> tuple[type[Renderer], np.ndarray]:
    """(PixelGridRenderer, the pixel-art cut-out) when the source is pixel art (see
    `pixel_art`), else (Renderer, cutout)."""
    art = pixel_art(image, cutout)
    return (Renderer, cutout) if art is None else (PixelGridRenderer, art)


def frame_colours(frames: Sequence[np.ndarray]) -> set[tuple[int, int, int]]:
    """The distinct RGB colours of the visible pixels of RGBA frames."""
    out: set[tuple[int, int, int]] = set()
    for f in frames:
        out |= {tuple(int(v) for v in c) for c in np.unique(f[f[..., 3] > 0][:, :3], axis=0)}
    return out
