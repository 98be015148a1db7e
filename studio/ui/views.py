"""Pure image helpers for the studio's views, and writers of view files into a project folder.

Images are numpy arrays: RGBA uint8 (H, W, 4), RGB uint8 (H, W, 3), alpha float32 (H, W) in
[0, 1]. Points are ``[x, y, 1|0]`` in pixels of the full-size image (1 = include).
Nothing here imports gradio.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from studio.fileio import atomic_write_bytes, png_bytes

LIGHT_CHAT = (255, 255, 255)
DARK_CHAT = (0x31, 0x33, 0x38)
CHECKER = ((236, 236, 236), (200, 200, 200))
INCLUDE_COLOUR = (40, 200, 90)
EXCLUDE_COLOUR = (230, 50, 60)
MAX_DISPLAY_SIDE = 1024


def checkerboard(height: int, width: int, cell: int = 12) -> np.ndarray:
    """A grey checkerboard RGB uint8 (height, width, 3) with `cell`-px squares."""
    yy, xx = np.mgrid[0:height, 0:width]
    odd = ((yy // cell + xx // cell) % 2).astype(bool)
    out = np.empty((height, width, 3), np.uint8)
    out[~odd] = CHECKER[0]
    out[odd] = CHECKER[1]
    return out


def over(rgba: np.ndarray, background: tuple[int, int, int] | np.ndarray) -> np.ndarray:
    """RGBA (H, W, 4) composited over a colour or an RGB (H, W, 3) image: RGB uint8."""
    a = rgba[..., 3:4].astype(np.float32) / 255
    bg = np.asarray(background, np.float32)
    rgb = rgba[..., :3].astype(np.float32) * a + bg * (1 - a)
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def on_checker(rgba: np.ndarray) -> np.ndarray:
    """RGBA over a checkerboard (shows transparency): RGB uint8 (H, W, 3)."""
    h, w = rgba.shape[:2]
    return over(rgba, checkerboard(h, w, max(6, min(h, w) // 24)))


def display_scale(width: int, height: int, max_side: int = MAX_DISPLAY_SIDE) -> float:
    """Factor (≤ 1) that the clickable views are shrunk by: display px = image px × factor."""
    return min(1.0, max_side / max(width, height))


def to_display(image: np.ndarray, max_side: int = MAX_DISPLAY_SIDE) -> np.ndarray:
    """`image` shrunk by `display_scale` (unchanged when already small enough)."""
    h, w = image.shape[:2]
    s = display_scale(w, h, max_side)
    if s >= 1.0:
        return image
    size = (max(1, round(w * s)), max(1, round(h * s)))
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def tint_outside(rgb: np.ndarray, alpha: np.ndarray | None, strength: float = 0.6) -> np.ndarray:
    """Dim and blue-tint the pixels outside a mask so the cut-out stands out: RGB uint8."""
    if alpha is None:
        return rgb[..., :3].copy()
    a = np.clip(alpha, 0, 1)[..., None]
    shade = np.array((40, 60, 120), np.float32)
    dimmed = rgb[..., :3].astype(np.float32) * (1 - strength) + shade * strength
    out = rgb[..., :3].astype(np.float32) * a + dimmed * (1 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def draw_points(
    rgb: np.ndarray, points: Sequence[Sequence[float]], scale: float = 1.0
) -> np.ndarray:
    """Draw include (green +) and exclude (red −) points on a copy of an RGB image.

    points are in full-image pixels; `scale` maps them to this image (display px / image px).
    """
    out = np.ascontiguousarray(rgb[..., :3]).copy()
    h, w = out.shape[:2]
    r = max(5, round(min(h, w) / 40))
    for x, y, inc in points:
        c = (round(x * scale), round(y * scale))
        colour = INCLUDE_COLOUR if inc else EXCLUDE_COLOUR
        cv2.circle(out, c, r + 2, (255, 255, 255), -1, cv2.LINE_AA)
        cv2.circle(out, c, r, colour, -1, cv2.LINE_AA)
        arm = max(2, r // 2)
        cv2.line(out, (c[0] - arm, c[1]), (c[0] + arm, c[1]), (255, 255, 255), 2, cv2.LINE_AA)
        if inc:
            cv2.line(out, (c[0], c[1] - arm), (c[0], c[1] + arm), (255, 255, 255), 2, cv2.LINE_AA)
    return out


def strip(frames: Sequence[np.ndarray], height: int = 72, max_frames: int = 30) -> np.ndarray:
    """The frames side by side on a checkerboard, each `height` px high: RGB uint8."""
    tiles = []
    step = max(1, -(-len(frames) // max_frames))
    for f in frames[::step]:
        h, w = f.shape[:2]
        tw = max(1, round(w * height / h))
        small = cv2.resize(f, (tw, height), interpolation=cv2.INTER_AREA)
        tile = on_checker(small)
        tile[:, -1] = 255
        tiles.append(tile)
    if not tiles:
        return np.full((height, height, 3), 255, np.uint8)
    return np.concatenate(tiles, axis=1)


def thumbnail(rgb: np.ndarray, side: int = 160) -> np.ndarray:
    """`rgb` shrunk to fit a `side` px square (never enlarged)."""
    h, w = rgb.shape[:2]
    s = min(1.0, side / max(h, w))
    if s >= 1.0:
        return rgb
    return cv2.resize(rgb, (max(1, round(w * s)), max(1, round(h * s))), cv2.INTER_AREA)


def stroke_from_layers(layers: Sequence[np.ndarray], shape: tuple[int, int]) -> np.ndarray:
    """Brush layers of an image editor (RGBA uint8, any size) → stroke (H, W) float32 in [0, 1].

    A pixel belongs to the stroke as much as the most opaque layer paints it; layers of a
    different size (a scaled canvas) are resized to `shape` = (H, W).
    """
    h, w = shape
    stroke = np.zeros((h, w), np.float32)
    for layer in layers:
        if layer is None:
            continue
        arr = np.asarray(layer)
        if arr.ndim == 3 and arr.shape[2] == 4:
            a = arr[..., 3]
        else:  # no alpha: any painted (non-black) pixel
            a = arr.max(axis=-1) if arr.ndim == 3 else arr
        a = a.astype(np.float32) / 255
        if a.shape != (h, w):
            a = cv2.resize(a, (w, h), interpolation=cv2.INTER_LINEAR)
        stroke = np.maximum(stroke, a)
    return np.clip(stroke, 0, 1)


# ---------------------------------------------------------------------- writers
def write_image(path: Path, image: np.ndarray) -> Path:
    """Write RGB or RGBA uint8 as PNG atomically; returns `path`."""
    atomic_write_bytes(path, png_bytes(image))
    return path


def animation_bytes(frames: Sequence[np.ndarray], durations_ms: Sequence[float]) -> bytes:
    """A looping APNG of RGB or RGBA uint8 frames (browsers animate it in an <img>)."""
    ims = [Image.fromarray(np.ascontiguousarray(f)) for f in frames]
    buf = io.BytesIO()
    ims[0].save(
        buf,
        format="PNG",
        save_all=True,
        append_images=ims[1:],
        duration=[max(20, round(d)) for d in durations_ms],
        loop=0,
        disposal=1,
        compress_level=1,
    )
    return buf.getvalue()


def write_animation(
    path: Path, frames: Sequence[np.ndarray], durations_ms: Sequence[float]
) -> Path:
    """Write an animated preview (APNG) atomically; returns `path`."""
    atomic_write_bytes(path, animation_bytes(frames, durations_ms))
    return path
