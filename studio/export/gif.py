"""Animated GIF with one global palette, 1-bit alpha from a threshold and a matte colour.

Pixels with alpha < 128 become the transparent index 0; the rest are composited on the
matte (so a soft edge blends towards the chat background) and made opaque. Frames use
disposal 2 (restore to background) and loop forever. Delays are whole centiseconds.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from studio.export.encoded import Encoded
from studio.export.frames import matte_threshold, merge_identical
from studio.export.palette import Palette, apply_palette, build_palette


def gif_frames(
    frames: Sequence[np.ndarray], matte: tuple[int, int, int] | None, transparent: bool
) -> list[np.ndarray]:
    """RGBA uint8 frames (H, W, 4) reduced to what GIF can show (1-bit alpha on a matte)."""
    return [matte_threshold(f, matte, transparent) for f in frames]


def _unique_rgb(colors: np.ndarray) -> np.ndarray:
    """RGB palette (N, 3) uint8 with duplicates nudged apart (Pillow remaps duplicates)."""
    rgb = colors[:, :3].astype(np.int32).copy()
    seen: set[tuple[int, int, int]] = set()
    for i in range(len(rgb)):
        c = tuple(int(v) for v in rgb[i])
        k = 0
        while c in seen:
            k += 1
            c = (int(rgb[i, 0]), int(rgb[i, 1]), (int(rgb[i, 2]) + k) % 256)
        seen.add(c)
        rgb[i] = c
    return rgb.astype(np.uint8)


def encode_gif(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[int],
    *,
    colors: int = 256,
    matte: tuple[int, int, int] | None = None,
    transparent: bool = True,
    palette: Palette | None = None,
    loops: int = 0,
) -> Encoded:
    """GIF bytes of RGBA uint8 frames (H, W, 4); `delays_ms` should be multiples of 10.

    palette: built beforehand from `gif_frames(frames, ...)` (skips quantisation).
    """
    h, w = frames[0].shape[:2]
    flat = gif_frames(frames, matte, transparent)
    pal = palette if palette is not None else build_palette(flat, colors)
    indices = apply_palette(flat, pal)
    kept, delays = merge_identical(indices, delays_ms)
    raw = _unique_rgb(pal.colors).tobytes()
    images = []
    for i in kept:
        im = Image.frombytes("P", (w, h), np.ascontiguousarray(indices[i]).tobytes())
        im.putpalette(raw, "RGB")
        images.append(im)
    extra = {"transparency": 0, "disposal": 2} if pal.has_clear else {"disposal": 1}
    buf = io.BytesIO()
    images[0].save(
        buf, format="GIF", save_all=True, append_images=images[1:], duration=delays,
        loop=loops, palette=raw, optimize=False, **extra,
    )
    return Encoded(buf.getvalue(), "gif", len(kept), delays, len(pal))


def gif_local_palettes(data: bytes) -> list[bool]:
    """For each image in GIF bytes, whether it carries its own (local) colour table."""
    pos = 13
    flags = data[10]
    if flags & 0x80:
        pos += 3 * (2 ** ((flags & 7) + 1))
    out: list[bool] = []
    while pos < len(data):
        block = data[pos]
        if block == 0x3B:  # trailer
            break
        if block == 0x21:  # extension: label, then sub-blocks
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        elif block == 0x2C:  # image descriptor
            packed = data[pos + 9]
            out.append(bool(packed & 0x80))
            pos += 10
            if packed & 0x80:
                pos += 3 * (2 ** ((packed & 7) + 1))
            pos += 1  # LZW minimum code size
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
        else:
            raise ValueError(f"unexpected GIF block 0x{block:02x} at byte {pos}")
    return out
