"""Animated GIF with one global palette, 1-bit alpha and a matte colour.

Visible pixels are composited on the matte (the chat background, so a soft edge or a
translucent body blends towards it) and made opaque; only pixels that show nothing on the
matte become the transparent index 0 (frames.matte_threshold). Frames are deltas where no
pixel turns transparent, else whole frames disposed to the background. Delays are whole
centiseconds.
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


def _unique_rgb(colors: np.ndarray, has_clear: bool = False) -> np.ndarray:
    """RGB palette (N, 3) uint8 with duplicates nudged apart (Pillow remaps duplicates).

    Visible entries keep their colours; the clear entry 0 (when `has_clear`) is the one
    nudged, so a black pixel stays exactly black.
    """
    rgb = colors[:, :3].astype(np.int32).copy()
    seen: set[tuple[int, int, int]] = set()
    order = [*range(1, len(rgb)), 0] if has_clear else range(len(rgb))
    for i in order:
        c = tuple(int(v) for v in rgb[i])
        k = 0
        while c in seen:
            k += 1
            c = (int(rgb[i, 0]), int(rgb[i, 1]), (int(rgb[i, 2]) + k) % 256)
        seen.add(c)
        rgb[i] = c
    return rgb.astype(np.uint8)


def _needs_clearing(flat: Sequence[np.ndarray]) -> bool:
    """Whether any pixel turns from opaque to transparent between consecutive frames (looping)."""
    n = len(flat)
    pairs = ((flat[i - 1], flat[i % n]) for i in range(1, n + 1))
    return n > 1 and any(bool(((a[..., 3] > 0) & (b[..., 3] == 0)).any()) for a, b in pairs)


def encode_gif(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[float],
    *,
    colors: int = 256,
    matte: tuple[int, int, int] | None = None,
    transparent: bool = True,
    palette: Palette | None = None,
    loops: int = 0,
) -> Encoded:
    """GIF bytes of RGBA uint8 frames (H, W, 4); `delays_ms` must be whole multiples of 10
    (GIF stores centiseconds; ValueError otherwise).

    palette: built beforehand from `gif_frames(frames, ...)` (skips quantisation).
    When no pixel ever turns transparent (opaque GIFs, fixed silhouettes), frames are written
    as deltas (disposal 1, unchanged pixels transparent); otherwise each frame is whole and
    disposed to the background (disposal 2).
    """
    h, w = frames[0].shape[:2]
    cs = [float(d) / 10.0 for d in delays_ms]
    if any(abs(c - round(c)) > 1e-9 or c < 1 for c in cs):
        raise ValueError(f"GIF delays must be whole multiples of 10 ms, got {list(delays_ms)}")
    flat = gif_frames(frames, matte, transparent)
    delta = len(flat) > 1 and not _needs_clearing(flat)
    if palette is not None:
        pal = palette
    else:
        pal = build_palette(flat, colors)
        if delta and not pal.has_clear:
            pal = build_palette(flat, max(2, colors - 1))
            pal = Palette(np.concatenate([np.zeros((1, 4), np.uint8), pal.colors]), True)
    idx = np.stack(apply_palette(flat, pal))
    kept, delays = merge_identical(list(idx), [round(c) * 10 for c in cs])
    idx = idx[kept]
    disposal = 2 if pal.has_clear else 1
    if delta and pal.has_clear:
        disposal = 1
        shown = idx[0].copy()
        for i in range(1, len(idx)):
            same = (idx[i] == shown) & (idx[i] != 0)
            cur = np.where(same, np.uint8(0), idx[i])
            shown = np.where(cur == 0, shown, cur)
            idx[i] = cur
    raw = _unique_rgb(pal.colors, pal.has_clear).tobytes()
    images = []
    for frame in idx:
        im = Image.frombytes("P", (w, h), np.ascontiguousarray(frame).tobytes())
        im.putpalette(raw, "RGB")
        images.append(im)
    extra = {"transparency": 0} if pal.has_clear else {}
    buf = io.BytesIO()
    images[0].save(
        buf, format="GIF", save_all=True, append_images=images[1:], duration=delays,
        loop=loops, palette=raw, optimize=False, disposal=disposal, **extra,
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
