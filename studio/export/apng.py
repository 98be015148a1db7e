"""Animated PNG: 8-bit with one palette shared by all frames, or full-colour RGBA.

Palette APNGs are assembled here, chunk by chunk: frame 0 whole; every later frame cropped
to the box of pixels that changed, written either as is (blend OP_SOURCE) or, where that
is exact and smaller, with unchanged pixels set to the clear index (blend OP_OVER, so they
keep the previous frame); disposal OP_NONE throughout. Rows are stored with filter 0 and
8 bits per index (Pillow's 4-bit rows for ≤ 16 colours compress worse). Delays are exact
fractions (fcTL delay_num / delay_den, e.g. 1/24 s). `optimize` then runs oxipng
(pyoxipng, MIT) over the file: better deflate and filters, same pixels.

Full-colour APNGs are written by Pillow (disposal OP_NONE, blend OP_SOURCE; Pillow crops each
frame to the region that changed and stores the delays as exact fractions too).
"""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from fractions import Fraction

import numpy as np
from PIL import Image

from studio.errors import BackendUnavailable
from studio.export.encoded import Encoded
from studio.export.frames import clean_transparent, merge_identical
from studio.export.palette import ColourTable, Palette

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OXIPNG_LEVEL = 2  # oxipng preset: 2 is its default; 4-6 were ≤ 1% smaller and 2-3× slower


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def _deflate(idx: np.ndarray, level: int) -> bytes:
    """zlib stream of (h, w) uint8 rows, each with filter byte 0."""
    h = idx.shape[0]
    raw = np.concatenate([np.zeros((h, 1), np.uint8), idx.reshape(h, -1)], axis=1)
    return zlib.compress(raw.tobytes(), level)


def _delay(ms: float | Fraction) -> tuple[int, int]:
    """fcTL (delay_num, delay_den) of a delay in ms, exact when it fits 16 bits each."""
    d = Fraction(ms).limit_denominator(10**6) / 1000
    if d.numerator > 65535 or d.denominator > 65535:
        d = d.limit_denominator(65535)
    if d.numerator > 65535:
        raise ValueError(f"an APNG frame delay must be under 65.5 s, got {float(ms):g} ms")
    return d.numerator, d.denominator


def assemble_apng(
    indices: Sequence[np.ndarray], palette: Palette, delays_ms: Sequence[float | Fraction],
    loops: int = 0, level: int = 9,
) -> bytes:
    """APNG bytes of palette index frames (H, W) uint8.

    palette: entry 0 is fully transparent when `palette.has_clear`; delays in ms, exact.
    A frame identical to the one before is written as a 1×1 region that changes nothing.
    """
    h, w = indices[0].shape
    colors = palette.colors
    alpha = colors[:, 3]
    out = [PNG_SIGNATURE, _chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 3, 0, 0, 0)),
           _chunk(b"PLTE", colors[:, :3].tobytes())]
    if (alpha < 255).any():
        last = int(np.nonzero(alpha < 255)[0].max()) + 1
        out.append(_chunk(b"tRNS", alpha[:last].tobytes()))
    out.append(_chunk(b"acTL", struct.pack(">II", len(indices), loops)))
    seq = 0
    for i, idx in enumerate(indices):
        num, den = _delay(delays_ms[i])
        x0 = y0 = 0
        blend = 0
        crop = idx
        if i > 0:
            prev = indices[i - 1]
            changed = idx != prev
            ys, xs = np.nonzero(changed.any(axis=1))[0], np.nonzero(changed.any(axis=0))[0]
            if len(ys) == 0:  # a repeat: one unchanged pixel
                ys, xs = np.zeros(1, np.int64), np.zeros(1, np.int64)
            y0, x0 = int(ys[0]), int(xs[0])
            y1, x1 = int(ys[-1]) + 1, int(xs[-1]) + 1
            crop = idx[y0:y1, x0:x1]
        data = _deflate(crop, level)
        if i > 0 and palette.has_clear:
            c, p = changed[y0:y1, x0:x1], prev[y0:y1, x0:x1]
            # OP_OVER is exact where every changed pixel is opaque or lands on a clear one
            if ((alpha[crop[c]] == 255) | (alpha[p[c]] == 0)).all():
                over = _deflate(np.where(c, crop, 0).astype(np.uint8), level)
                if len(over) < len(data):
                    data, blend = over, 1
        hh, ww = crop.shape
        out.append(_chunk(b"fcTL", struct.pack(">IIIIIHHBB", seq, ww, hh, x0, y0, num, den,
                                               0, blend)))
        seq += 1
        if i == 0:
            out.append(_chunk(b"IDAT", data))
        else:
            out.append(_chunk(b"fdAT", struct.pack(">I", seq) + data))
            seq += 1
    out.append(_chunk(b"IEND", b""))
    return b"".join(out)


def optimize_png(data: bytes) -> bytes:
    """oxipng over PNG/APNG bytes (lossless: same pixels, frames and delays).

    Raises BackendUnavailable when pyoxipng is not installed.
    """
    try:
        import oxipng
    except ImportError as exc:
        raise BackendUnavailable(
            "APNG optimisation needs pyoxipng (MIT): pip install pyoxipng"
        ) from exc
    return oxipng.optimize_from_memory(data, level=OXIPNG_LEVEL, optimize_alpha=True)


def _save(images: list[Image.Image], delays: list[float], loops: int,
          compress_level: int) -> bytes:
    buf = io.BytesIO()
    images[0].save(
        buf, format="PNG", save_all=True, append_images=images[1:], duration=delays,
        loop=loops, disposal=0, blend=0, compress_level=compress_level,
    )
    return buf.getvalue()


def encode_apng(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[float | Fraction],
    *,
    colors: int | None = 256,
    loops: int = 0,
    palette: Palette | None = None,
    compress_level: int = 9,
    optimize: bool = False,
    table: ColourTable | None = None,
    merge: bool = True,
) -> Encoded:
    """APNG bytes of RGBA uint8 frames (H, W, 4) shown for `delays_ms` each (ms, exact
    fractions kept: 1000/24 is written as 1/24 s).

    colors: shared palette size (2..256), or None for full-colour RGBA.
    palette: a palette built beforehand for these frames (skips quantisation); table: the
    frames' ColourTable when already counted. optimize: an oxipng pass (palette APNGs).
    loops: number of plays, 0 = forever. merge: identical consecutive frames become one
    with the delays summed (LINE rejects repeats); False keeps every frame and so one
    delay for all (a checker that reads the frame rate from the delays' common divisor,
    such as sticker-convert's, misreads sums of fractional delays).
    """
    if colors is None:
        keys = [clean_transparent(f) for f in frames]
        kept, delays = merge_identical(keys, list(delays_ms))  # Pillow merges repeats too
        images = [Image.fromarray(keys[i]) for i in kept]
        data = _save(images, [float(d) for d in delays], loops, compress_level)
        return Encoded(data, "apng", len(kept), [float(d) for d in delays], None)
    table = table if table is not None else ColourTable(frames)
    pal = palette if palette is not None else table.palette(colors)
    indices = table.indices(pal)
    if merge:
        kept, delays = merge_identical(indices, list(delays_ms))
    else:
        kept, delays = list(range(len(indices))), list(delays_ms)
    data = assemble_apng([indices[i] for i in kept], pal, delays, loops, compress_level)
    if optimize:
        data = optimize_png(data)
    return Encoded(data, "apng", len(kept), [float(d) for d in delays], len(pal))
