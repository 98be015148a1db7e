"""Animated PNG: 8-bit with one palette shared by all frames, or full-colour RGBA.

Frames are written with disposal OP_NONE and blend OP_SOURCE (Pillow 13 raises for P-mode
APNG with disposal=1); Pillow crops each frame to the region that changed.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from studio.export.encoded import Encoded
from studio.export.frames import clean_transparent, merge_identical
from studio.export.palette import Palette, apply_palette, build_palette


def _save(images: list[Image.Image], delays: list[int], loops: int, compress_level: int) -> bytes:
    buf = io.BytesIO()
    images[0].save(
        buf, format="PNG", save_all=True, append_images=images[1:], duration=delays,
        loop=loops, disposal=0, blend=0, compress_level=compress_level,
    )
    return buf.getvalue()


def encode_apng(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[int],
    *,
    colors: int | None = 256,
    loops: int = 0,
    palette: Palette | None = None,
    compress_level: int = 9,
) -> Encoded:
    """APNG bytes of RGBA uint8 frames (H, W, 4) shown for integer `delays_ms` each.

    colors: shared palette size (2..256), or None for full-colour RGBA.
    palette: a palette built beforehand for these frames (skips quantisation).
    loops: number of plays, 0 = forever.
    """
    h, w = frames[0].shape[:2]
    if colors is None:
        keys = [clean_transparent(f) for f in frames]
        kept, delays = merge_identical(keys, delays_ms)
        images = [Image.fromarray(keys[i]) for i in kept]
        data = _save(images, delays, loops, compress_level)
        return Encoded(data, "apng", len(kept), [float(d) for d in delays], None)
    pal = palette if palette is not None else build_palette(frames, colors)
    indices = apply_palette(frames, pal)
    kept, delays = merge_identical(indices, delays_ms)
    raw = pal.colors.tobytes()
    images = []
    for i in kept:
        im = Image.frombytes("P", (w, h), np.ascontiguousarray(indices[i]).tobytes())
        im.putpalette(raw, "RGBA")
        images.append(im)
    data = _save(images, delays, loops, compress_level)
    return Encoded(data, "apng", len(kept), [float(d) for d in delays], len(pal))
