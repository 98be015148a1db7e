"""Frame checks and pixel work shared by the encoders: validation, canvas fit, mattes, previews.

Frames are RGBA uint8 arrays (H, W, 4); durations are milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import TypeVar

import numpy as np

from studio.errors import InputError

T = TypeVar("T", int, float, Fraction)


def validate(frames: Sequence[np.ndarray], durations_ms: Sequence[float]) -> None:
    """Raise InputError unless frames are same-shape RGBA uint8 and durations are positive ms."""
    if len(frames) == 0:
        raise InputError("an export needs at least 1 frame, got 0")
    if len(durations_ms) != len(frames):
        raise InputError(
            f"durations_ms must have one entry per frame: {len(frames)} frames, "
            f"{len(durations_ms)} durations"
        )
    shape = None
    for i, f in enumerate(frames):
        if not isinstance(f, np.ndarray) or f.dtype != np.uint8 or f.ndim != 3 or f.shape[2] != 4:
            desc = f"{f.dtype} {f.shape}" if isinstance(f, np.ndarray) else type(f).__name__
            raise InputError(f"frame {i} must be an RGBA uint8 array (H, W, 4), got {desc}")
        if shape is None:
            shape = f.shape
        elif f.shape != shape:
            raise InputError(
                f"all frames must have one size: frame 0 is {shape}, frame {i} is {f.shape}"
            )
    for i, d in enumerate(durations_ms):
        number = isinstance(d, (int, float, np.integer, np.floating))
        if not (number and math.isfinite(d) and d > 0):
            raise InputError(f"frame {i} duration must be a positive number of ms, got {d!r}")


def clean_transparent(frame: np.ndarray) -> np.ndarray:
    """RGBA uint8 (H, W, 4) with the colour of fully transparent pixels set to 0."""
    out = frame.copy()
    out[out[..., 3] == 0] = 0
    return out


def bleed_colors(frame: np.ndarray, band_px: float = 3.0) -> np.ndarray:
    """RGBA uint8 (H, W, 4) with each fully transparent pixel within `band_px` of a visible one
    given that pixel's colour (alpha unchanged; farther ones stay black, cheap to encode).

    Lossy codecs that subsample chroma (VP9 yuv420p) then blend edge colours with more of
    the same colour instead of black, so no dark fringe appears on light backgrounds.
    """
    from scipy.ndimage import distance_transform_edt

    clear = frame[..., 3] == 0
    if not clear.any() or clear.all():
        return frame.copy()
    dist, (iy, ix) = distance_transform_edt(clear, return_distances=True, return_indices=True)
    out = frame.copy()
    near = clear & (dist <= band_px)
    out[near, :3] = frame[iy[near], ix[near], :3]
    return out


def fit_canvas(frames: Sequence[np.ndarray], width: int, height: int) -> list[np.ndarray]:
    """Scale every RGBA frame to fit (width, height) keeping aspect, centred on transparent.

    Resampling runs on premultiplied float alpha (INTER_AREA down, cubic up), so edges get
    no dark or light fringe. Pixel art (few colours, hard edges, whole-pixel blocks: see
    studio.motion.pixelgrid) is instead scaled by the largest whole factor that fits, with
    nearest neighbour, so it keeps its colours. Frames already at the canvas size are
    returned as they are.
    """
    import cv2

    from studio.motion.pixelgrid import block_size, palette_of

    h, w = frames[0].shape[:2]
    if (w, h) == (width, height):
        return [np.ascontiguousarray(f) for f in frames]
    if palette_of(frames[0]) is not None and all(
        bool(np.isin(f[..., 3], (0, 255)).all()) for f in frames
    ):
        b = min(block_size(f) for f in frames)
        if h // b <= height and w // b <= width:
            return [_nearest_whole(f[::b, ::b], width, height) for f in frames]
    scale = min(width / w, height / h)
    nw, nh = max(1, round(w * scale)), max(1, round(h * scale))
    x0, y0 = (width - nw) // 2, (height - nh) // 2
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    out = []
    for f in frames:
        a = f[..., 3:].astype(np.float32) / 255.0
        pre = np.concatenate([f[..., :3].astype(np.float32) * a, a * 255.0], axis=2)
        small = cv2.resize(pre, (nw, nh), interpolation=interp)
        small = np.clip(small, 0.0, 255.0)
        alpha = small[..., 3:] / 255.0
        rgb = np.where(alpha > 1e-4, small[..., :3] / np.maximum(alpha, 1e-4), 0.0)
        tile = np.dstack([np.clip(rgb, 0, 255), small[..., 3:]])
        canvas = np.zeros((height, width, 4), np.uint8)
        canvas[y0 : y0 + nh, x0 : x0 + nw] = np.rint(tile).astype(np.uint8)
        out.append(clean_transparent(canvas))
    return out


def _nearest_whole(grid: np.ndarray, width: int, height: int) -> np.ndarray:
    """RGBA grid (h, w, 4) scaled by the largest whole factor fitting (width, height) (at
    least 1, cropped when even that is too big), nearest neighbour, centred."""
    gh, gw = grid.shape[:2]
    k = max(1, min(width // gw, height // gh))
    big = np.repeat(np.repeat(grid, k, 0), k, 1)
    bh, bw = big.shape[:2]
    sy, sx = max(0, (bh - height) // 2), max(0, (bw - width) // 2)
    big = big[sy : sy + height, sx : sx + width]
    out = np.zeros((height, width, 4), np.uint8)
    y0, x0 = (height - big.shape[0]) // 2, (width - big.shape[1]) // 2
    out[y0 : y0 + big.shape[0], x0 : x0 + big.shape[1]] = big
    return clean_transparent(out)


def preview_on(frames: Sequence[np.ndarray], bg_rgb: tuple[int, int, int]) -> list[np.ndarray]:
    """Each RGBA frame composited on a solid background: RGB uint8 (H, W, 3) per frame."""
    bg = np.asarray(bg_rgb, np.float32)
    out = []
    for f in frames:
        a = f[..., 3:].astype(np.float32) / 255.0
        rgb = f[..., :3].astype(np.float32) * a + bg * (1.0 - a)
        out.append(np.clip(np.rint(rgb), 0, 255).astype(np.uint8))
    return out


KEEP_ALPHA = 32  # GIF: alpha at or above this (1/8) is always kept, composited on the matte
MATTE_TOLERANCE = 6  # GIF: fainter pixels are kept when they show ≥ this far from the matte


def matte_threshold(
    frame: np.ndarray, matte: tuple[int, int, int] | None, transparent: bool
) -> np.ndarray:
    """RGBA uint8 (H, W, 4) with 1-bit alpha for GIF.

    Every visible pixel is composited on `matte` (white when None), so its colour is what
    the chat background would show through it, and made opaque. transparent: a pixel becomes
    fully transparent only where it shows nothing on the matte: alpha 0, or alpha below
    KEEP_ALPHA whose composite is within MATTE_TOLERANCE levels of the matte. So a
    translucent body (a 40% ghost) is kept, tinted by the matte, never thresholded away.
    Not transparent: everything is composited on `matte`.
    """
    m = np.asarray(matte if matte is not None else (255, 255, 255), np.float32)
    a = frame[..., 3:].astype(np.float32) / 255.0
    comp = frame[..., :3].astype(np.float32) * a + m * (1.0 - a)
    rgb = np.rint(comp).astype(np.uint8)
    alpha = np.full(frame.shape[:2], 255, np.uint8)
    if transparent:
        shows = np.abs(comp - m).max(axis=2) >= MATTE_TOLERANCE
        keep = (frame[..., 3] >= KEEP_ALPHA) | ((frame[..., 3] > 0) & shows)
        alpha[~keep] = 0
    out = np.dstack([rgb, alpha])
    out[alpha == 0] = 0
    return out


def merge_identical(
    keys: Sequence[np.ndarray], delays_ms: Sequence[T]
) -> tuple[list[int], list[T]]:
    """Indices of frames kept after merging identical consecutive `keys`, and summed delays
    (of the delays' own type: int ms, or exact Fractions)."""
    kept = [0]
    delays = [delays_ms[0]]
    for i in range(1, len(keys)):
        if np.array_equal(keys[i], keys[kept[-1]]):
            delays[-1] += delays_ms[i]
        else:
            kept.append(i)
            delays.append(delays_ms[i])
    return kept, delays


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    """PSNR in dB between two uint8 arrays of one shape (inf when equal)."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return math.inf if mse == 0 else 10.0 * math.log10(255.0**2 / mse)
