"""Animated WebP through Pillow (libwebp's animation encoder), method 4."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
from PIL import Image

from studio.export.encoded import Encoded
from studio.export.frames import clean_transparent, merge_identical


def encode_webp(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[float],
    *,
    quality: int = 90,
    alpha_quality: int = 100,
    lossless: bool = False,
    loops: int = 0,
    method: int = 4,
) -> Encoded:
    """WebP bytes of RGBA uint8 frames (H, W, 4) shown for integer `delays_ms` each.

    delays_ms: whole ms (WebP stores integer ms; ValueError otherwise).
    quality, alpha_quality: 0..100 for colour and alpha (lossy); lossless ignores both.
    """
    if any(abs(float(d) - round(float(d))) > 1e-9 or float(d) < 1 for d in delays_ms):
        raise ValueError(f"WebP delays must be whole ms, got {list(delays_ms)}")
    keys = [clean_transparent(f) for f in frames]
    kept, delays = merge_identical(keys, [round(float(d)) for d in delays_ms])
    images = [Image.fromarray(keys[i]) for i in kept]
    buf = io.BytesIO()
    images[0].save(
        buf, format="WEBP", save_all=True, append_images=images[1:], duration=delays,
        loop=loops, method=method, quality=quality, alpha_quality=alpha_quality,
        lossless=lossless, allow_mixed=False,
    )
    return Encoded(buf.getvalue(), "webp", len(kept), delays, None)
