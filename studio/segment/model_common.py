"""Pure helpers shared by the model segmenters (rembg, sam2, auto) and the remote worker.

- `model_input`: the RGB a model sees (RGBA composited on white where it is see-through).
- `image_digest`: the cache key of an image's pixels.
- `clean_edges`: the classical segmenter's edge clean-up applied to a model's alpha:
  foreground colour estimation against the local background, so no halo stays.
"""

from __future__ import annotations

import hashlib

import numpy as np
from scipy import ndimage

from studio.errors import InputError
from studio.segment.matting import estimate_foreground, smooth_fill


def check_image(image: np.ndarray) -> None:
    """InputError unless `image` is (H, W, 3|4) uint8 of at least 8x8 px."""
    if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] not in (3, 4):
        shape = getattr(image, "shape", None)
        raise InputError(f"image must be an (H, W, 3) or (H, W, 4) array, got shape {shape}")
    if image.dtype != np.uint8:
        raise InputError(f"image must be uint8, got {image.dtype}")
    if min(image.shape[:2]) < 8:
        raise InputError(f"image must be at least 8x8 pixels, got {image.shape[1]}x"
                         f"{image.shape[0]}")


def model_input(image: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB: the image, or an RGBA image composited over white."""
    check_image(image)
    if image.shape[2] == 3 or image[..., 3].min() == 255:
        return np.ascontiguousarray(image[..., :3])
    a = image[..., 3:4].astype(np.float32) / 255.0
    out = image[..., :3].astype(np.float32) * a + 255.0 * (1.0 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def image_digest(rgb: np.ndarray) -> str:
    """sha1 of the pixels and shape: equal images give equal keys."""
    h = hashlib.sha1(str(rgb.shape).encode())
    h.update(np.ascontiguousarray(rgb).tobytes())
    return h.hexdigest()


def clean_edges(rgb: np.ndarray, alpha: np.ndarray, lo: float = 0.05,
                hi: float = 0.95) -> np.ndarray:
    """Foreground colour (H, W, 3) uint8 for a model's alpha (H, W) float32 in [0, 1].

    Pixels with alpha >= hi keep their colour; edge pixels take the nearest solid colour,
    un-mixed from the local background (estimated from the pixels with alpha <= lo nearby)
    where alpha is high enough for that to be stable."""
    img = rgb.astype(np.float32)
    solid = alpha >= hi
    if not solid.any():
        solid = alpha >= max(float(alpha.max()) - 1e-6, 0.5)
    clear = alpha <= lo
    core = ndimage.binary_erosion(clear)
    if not core.any():
        core = clear
    bg = smooth_fill(img, core, 3.0) if core.any() else None
    return estimate_foreground(img, alpha, bg, solid)
