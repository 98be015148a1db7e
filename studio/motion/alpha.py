"""Premultiplied-alpha helpers: every resampling in the renderer works on premultiplied colour.

Premultiplied images are float32 (H, W, 4) in [0, 1] with RGB already multiplied by alpha, so
transparent pixels carry no colour and filtering cannot pull a dark (or white) fringe in.
"""

from __future__ import annotations

import numpy as np

from studio.errors import InputError


def alpha_bbox(alpha: np.ndarray) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1), exclusive ends, of the pixels with alpha > 0; None if all are clear."""
    ys = np.flatnonzero(alpha.any(axis=1))
    xs = np.flatnonzero(alpha.any(axis=0))
    if len(xs) == 0:
        return None
    return int(xs[0]), int(ys[0]), int(xs[-1]) + 1, int(ys[-1]) + 1


def crop_premultiplied(rgba: np.ndarray) -> np.ndarray:
    """RGBA uint8 (H, W, 4) → its alpha bbox, premultiplied float32 (h, w, 4) in [0, 1]."""
    if not isinstance(rgba, np.ndarray) or rgba.ndim != 3 or rgba.shape[2] != 4:
        shape = getattr(rgba, "shape", None)
        raise InputError(f"the cut-out must be an RGBA array of shape (H, W, 4), got {shape}")
    if rgba.dtype != np.uint8:
        raise InputError(f"the cut-out must be uint8 RGBA, got dtype {rgba.dtype}")
    box = alpha_bbox(rgba[..., 3] > 0)
    if box is None:
        raise InputError("the cut-out is fully transparent: there is no character to animate")
    x0, y0, x1, y1 = box
    crop = rgba[y0:y1, x0:x1].astype(np.float32) * (1.0 / 255.0)
    crop[..., :3] *= crop[..., 3:4]
    return crop


def over(dst: np.ndarray, src: np.ndarray) -> None:
    """Premultiplied `src` over `dst`, in place (same shapes (H, W, 4))."""
    dst *= 1.0 - src[..., 3:4]
    dst += src


def unpremultiply(prem: np.ndarray) -> np.ndarray:
    """Premultiplied float32 (H, W, 4) → straight RGBA uint8 (clear pixels get RGB 0)."""
    a = np.clip(prem[..., 3:4], 0.0, 1.0)
    a8 = np.rint(a * 255.0)
    safe = np.where(a8 > 0, a, 1.0)
    rgb = np.clip(prem[..., :3] / safe, 0.0, 1.0) * 255.0
    rgb = np.where(a8 > 0, np.rint(rgb), 0.0)
    return np.concatenate([rgb, a8], axis=2).astype(np.uint8)
