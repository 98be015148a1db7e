"""One palette shared by all frames of an animation, with alpha.

Colours are clustered in premultiplied RGBA (r·a, g·a, b·a, a), so the error a palette makes
is the error seen after compositing on any background. Median cut on the weighted unique
colours of all frames (the atlas) seeds a few k-means (Lloyd) rounds. Index 0 is reserved
for fully transparent pixels when any exist.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_LLOYD_ROUNDS = 6


@dataclass
class Palette:
    """colors: (N, 4) uint8 straight RGBA, N ≤ 256; index 0 is (0, 0, 0, 0) when `has_clear`."""

    colors: np.ndarray
    has_clear: bool

    def __len__(self) -> int:
        return len(self.colors)


def _unique_colors(frames: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unique RGBA colours of all frames (a == 0 merged), their counts, and the inverse map."""
    flat = np.concatenate([f.reshape(-1, 4) for f in frames])
    packed = flat.view(np.uint32).ravel().copy()
    packed[flat[:, 3] == 0] = 0
    uniq, inverse, counts = np.unique(packed, return_inverse=True, return_counts=True)
    colors = uniq.view(np.uint8).reshape(-1, 4)
    return colors, counts.astype(np.float64), inverse.ravel()


def _premultiplied(colors: np.ndarray) -> np.ndarray:
    c = colors.astype(np.float32)
    a = c[:, 3:] / 255.0
    return np.concatenate([c[:, :3] * a, c[:, 3:]], axis=1)


def _median_cut(points: np.ndarray, weights: np.ndarray, k: int) -> np.ndarray:
    """k (or fewer) weighted-mean centres from splitting the box with the largest SSE."""

    def stats(idx: np.ndarray) -> tuple[float, np.ndarray]:
        p, w = points[idx], weights[idx]
        mean = (p * w[:, None]).sum(0) / w.sum()
        var = ((p - mean) ** 2 * w[:, None]).sum(0)
        return float(var.sum()) if len(idx) > 1 else 0.0, var

    boxes = [np.arange(len(points))]
    scores = [stats(boxes[0])]
    while len(boxes) < k:
        i = int(np.argmax([s for s, _ in scores]))
        if scores[i][0] <= 0.0:
            break
        idx = boxes.pop(i)
        _, var = scores.pop(i)
        axis = int(np.argmax(var))
        order = idx[np.argsort(points[idx, axis], kind="stable")]
        cw = np.cumsum(weights[order])
        cut = int(np.searchsorted(cw, cw[-1] / 2.0)) + 1
        cut = min(max(cut, 1), len(order) - 1)
        for part in (order[:cut], order[cut:]):
            boxes.append(part)
            scores.append(stats(part))
    return np.stack([(points[b] * weights[b, None]).sum(0) / weights[b].sum() for b in boxes])


def _lloyd(points: np.ndarray, weights: np.ndarray, centres: np.ndarray) -> np.ndarray:
    from scipy.spatial import cKDTree

    for _ in range(_LLOYD_ROUNDS):
        _, labels = cKDTree(centres).query(points)
        wsum = np.bincount(labels, weights=weights, minlength=len(centres))
        new = np.stack(
            [np.bincount(labels, weights=weights * points[:, j], minlength=len(centres))
             for j in range(4)],
            axis=1,
        )
        used = wsum > 0
        new[used] /= wsum[used, None]
        new[~used] = centres[~used]
        if np.allclose(new, centres, atol=0.05):
            return new
        centres = new
    return centres


class ColourTable:
    """The unique RGBA colours of a set of frames, counted once and shared by every palette
    size tried on them (building, mapping and scoring a palette then cost O(unique colours)).

    colors: (U, 4) uint8 straight RGBA (alpha 0 merged into one entry); counts: (U,) float64;
    inverse: (F·H·W,) index of each pixel's colour; shape: (F, H, W).
    """

    def __init__(self, frames: Sequence[np.ndarray]):
        self.colors, self.counts, self.inverse = _unique_colors(frames)
        h, w = frames[0].shape[:2]
        self.shape = (len(frames), h, w)

    def palette(self, colors: int = 256) -> Palette:
        """One palette of at most `colors` (2..256) entries; ValueError outside that range."""
        if not 2 <= colors <= 256:
            raise ValueError(f"palette colours must be between 2 and 256, got {colors}")
        uniq, counts = self.colors, self.counts
        clear = uniq[:, 3] == 0
        has_clear = bool(clear.any())
        solid, weights = uniq[~clear], counts[~clear]
        k = colors - int(has_clear)
        if len(solid) <= k:
            entries = solid
        else:
            pts = _premultiplied(solid).astype(np.float64)
            centres = _lloyd(pts, weights, _median_cut(pts, weights, k))
            a = np.clip(centres[:, 3], 1.0, 255.0)
            a = np.where(a > 247.0, 255.0, a)
            rgb = np.clip(centres[:, :3] * 255.0 / np.maximum(centres[:, 3:], 1.0), 0, 255)
            entries = np.rint(np.column_stack([rgb, a])).astype(np.uint8)
            # translucent entries first keeps the PNG tRNS chunk short
            entries = entries[np.argsort(entries[:, 3] == 255, kind="stable")]
        if has_clear:
            entries = np.concatenate([np.zeros((1, 4), np.uint8), entries])
        if len(entries) == 0:
            entries = np.zeros((1, 4), np.uint8)
        return Palette(np.ascontiguousarray(entries), has_clear)

    def lut(self, palette: Palette) -> np.ndarray:
        """(U,) uint8: each unique colour's nearest palette entry in premultiplied RGBA;
        fully transparent colours map to index 0 when the palette reserves it."""
        from scipy.spatial import cKDTree

        pal = palette.colors
        start = 1 if palette.has_clear else 0
        lut = np.zeros(len(self.colors), np.uint8)
        solid = self.colors[:, 3] > 0
        if solid.any() and len(pal) > start:
            _, nearest = cKDTree(_premultiplied(pal[start:]).astype(np.float64)).query(
                _premultiplied(self.colors[solid]).astype(np.float64)
            )
            lut[solid] = (np.asarray(nearest) + start).astype(np.uint8)
        return lut

    def indices(self, palette: Palette, lut: np.ndarray | None = None) -> list[np.ndarray]:
        """Index arrays (H, W) uint8, one per frame."""
        lut = self.lut(palette) if lut is None else lut
        idx = lut[self.inverse]
        f, h, w = self.shape
        return [idx[i * h * w : (i + 1) * h * w].reshape(h, w) for i in range(f)]

    def psnr(self, palette: Palette, lut: np.ndarray | None = None) -> tuple[float, float]:
        """PSNR in dB (on black, on white) of the frames shown through `palette` against the
        frames themselves, composited on each background (inf when exact)."""
        lut = self.lut(palette) if lut is None else lut
        src = self.colors.astype(np.float64)
        got = palette.colors[lut].astype(np.float64)
        a_s, a_g = src[:, 3:] / 255.0, got[:, 3:] / 255.0
        on_black = src[:, :3] * a_s - got[:, :3] * a_g
        on_white = on_black + 255.0 * (a_g - a_s)
        total = float(self.counts.sum()) * 3.0
        out = []
        for diff in (on_black, on_white):
            mse = float((self.counts[:, None] * diff**2).sum()) / total
            out.append(math.inf if mse <= 1e-12 else 10.0 * math.log10(255.0**2 / mse))
        return out[0], out[1]


def build_palette(frames: Sequence[np.ndarray], colors: int = 256) -> Palette:
    """One palette of at most `colors` (2..256) entries for all RGBA uint8 frames (H, W, 4)."""
    if not 2 <= colors <= 256:
        raise ValueError(f"palette colours must be between 2 and 256, got {colors}")
    return ColourTable(frames).palette(colors)


def apply_palette(frames: Sequence[np.ndarray], palette: Palette) -> list[np.ndarray]:
    """Index arrays (H, W) uint8: each pixel's nearest palette entry in premultiplied RGBA.

    Fully transparent pixels map to index 0 when the palette reserves it.
    """
    return ColourTable(frames).indices(palette)


def quantize(frames: Sequence[np.ndarray], colors: int = 256) -> tuple[Palette, list[np.ndarray]]:
    """Shared palette and per-frame index arrays (H, W) uint8 for RGBA uint8 frames."""
    table = ColourTable(frames)
    palette = table.palette(colors)
    return palette, table.indices(palette)
