"""Decode and validate user images: formats, modes, EXIF rotation, size limits.

Accepted: PNG, JPEG (with an MPF block too: Pillow's ``MPO``, as phones write them; the
first, primary image is used), WebP, GIF (first frame), BMP, TIFF. Modes P (with
transparency), L, LA, RGB, RGBA, I;16 and other 16-bit modes, CMYK are converted to RGBA
uint8. Files larger than ``max_bytes`` are refused unread. An image with more than
``max_pixels`` pixels is refused before decoding (decompression bombs) — except a JPEG, which
is decoded at 1/2, 1/4 or 1/8 scale instead (libjpeg's DCT scaling through Pillow's
``draft``: the full-size image is never in memory) and carries a note saying so. Pillow's
own bomb limit (``Image.MAX_IMAGE_PIXELS`` × 2, about 179 megapixels) still refuses any file
that declares more.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from studio.errors import ImageError
from studio.types import Source

ACCEPTED_FORMATS = ("PNG", "JPEG", "MPO", "WEBP", "GIF", "BMP", "TIFF")
ACCEPTED_TEXT = "PNG, JPEG, WebP, GIF, BMP or TIFF"
DRAFT_FORMATS = ("JPEG", "MPO")  # decodable at 1/2, 1/4, 1/8 scale
DRAFT_SCALES = (2, 4, 8)
MIN_SIDE = 16


def _to_rgba(im: Image.Image) -> tuple[np.ndarray, bool]:
    """(H, W, 4) uint8 and whether the file carried real transparency."""
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        arr = np.asarray(im, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        g = np.clip(np.rint(arr / peak * 255), 0, 255).astype(np.uint8)
        return np.dstack([g, g, g, np.full_like(g, 255)]), False
    if im.mode == "F":
        arr = np.asarray(im, dtype=np.float64)
        g = np.clip(np.rint(arr / max(arr.max(), 1e-9) * 255), 0, 255).astype(np.uint8)
        return np.dstack([g, g, g, np.full_like(g, 255)]), False
    if im.mode in ("RGB;16", "RGBA;16") or (im.mode.startswith("RGB") and ";16" in im.mode):
        im = im.convert("RGBA")
    if im.mode == "P":
        im = im.convert("RGBA")  # honours the tRNS/transparency index
    elif im.mode == "CMYK":
        im = im.convert("RGB")
    elif im.mode not in ("RGBA", "RGB", "LA", "L"):
        im = im.convert("RGBA")
    rgba = np.asarray(im.convert("RGBA"), dtype=np.uint8).copy()
    return rgba, bool((rgba[..., 3] < 255).any())


def draft_scale(w: int, h: int, max_pixels: int) -> int | None:
    """The smallest JPEG decoding scale (2, 4 or 8) that brings w×h px within `max_pixels`
    (each side rounds up, as libjpeg does), or None when even 1/8 is too large."""
    for scale in DRAFT_SCALES:
        if math.ceil(w / scale) * math.ceil(h / scale) <= max_pixels:
            return scale
    return None


def decode_image(
    data: bytes,
    *,
    name: str = "image",
    max_pixels: int = 24_000_000,
    max_bytes: int = 50 * 1024 * 1024,
) -> Source:
    """Decode `data` into a Source (RGBA uint8, EXIF-rotated). Raises ImageError."""
    if not data:
        raise ImageError(f"{name}: the file is empty; expected a {ACCEPTED_TEXT} image")
    if len(data) > max_bytes:
        raise ImageError(
            f"{name}: the file is {len(data) / 1e6:.1f} MB; the limit is "
            f"{_amount(max_bytes / 1e6)} MB: save it smaller (fewer pixels, or as JPEG/WebP)"
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
            fmt = im.format
            w, h = im.size
            if fmt not in ACCEPTED_FORMATS:
                raise ImageError(
                    f"{name}: {fmt or 'unknown'} images are not accepted; use {ACCEPTED_TEXT}"
                )
            notes: list[str] = []
            im.seek(0)  # GIF/animated WebP/APNG/MPO: the first frame
            scale = draft_scale(w, h, max_pixels) if fmt in DRAFT_FORMATS else None
            if w * h > max_pixels and scale is None:
                raise ImageError(
                    f"{name}: the image is {w}×{h} = {_amount(w * h / 1e6)} megapixels; the "
                    f"limit is {_amount(max_pixels / 1e6)} megapixels: scale it down and try "
                    "again"
                )
            if w * h > max_pixels and scale is not None:
                im.draft(im.mode, (w // scale, h // scale))
                notes.append(
                    f"{name}: the photo is {w}×{h} ({_amount(w * h / 1e6)} megapixels), over the "
                    f"{_amount(max_pixels / 1e6)} megapixel limit, so it was "
                    f"scaled down to 1/{round(w / im.size[0])} while decoding: "
                    f"{im.size[0]}×{im.size[1]}"
                )
            if min(w, h) < MIN_SIDE:
                raise ImageError(
                    f"{name}: the image is {w}×{h}; each side must be at least {MIN_SIDE} px"
                )
            if im.size[0] * im.size[1] > max_pixels:  # a JPEG libjpeg could not scale
                raise ImageError(
                    f"{name}: the image is {w}×{h} = {_amount(w * h / 1e6)} megapixels and "
                    f"cannot be scaled while decoding; the limit is "
                    f"{_amount(max_pixels / 1e6)} megapixels: scale it down and try again"
                )
            im.load()
            im = ImageOps.exif_transpose(im)
    except ImageError:
        raise
    except Image.DecompressionBombError as e:
        found = re.search(r"\((\d+) pixels\)", str(e))
        declared = (
            f" declares {_amount(int(found.group(1)) / 1e6)} megapixels" if found
            else " is too large"
        )
        raise ImageError(
            f"{name}: the image{declared}; the limit is {_amount(max_pixels / 1e6)} megapixels: "
            "scale it down and try again"
        ) from None
    except UnidentifiedImageError:
        raise ImageError(
            f"{name}: not a recognised image file; expected a {ACCEPTED_TEXT} image"
        ) from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise ImageError(
            f"{name}: cannot read this file as an image ({type(e).__name__}: {e}); "
            f"expected a {ACCEPTED_TEXT} image"
        ) from None
    rgba, had_alpha = _to_rgba(im)
    digest = hashlib.sha256(data).hexdigest()[:16]
    return Source(image=rgba, name=name, digest=digest, had_alpha=had_alpha,
                  notes=tuple(notes))


def load_image(
    path: str | Path, *, max_pixels: int = 24_000_000, max_bytes: int = 50 * 1024 * 1024
) -> Source:
    """Read and decode an image file into a Source. Raises ImageError for any problem."""
    p = Path(path)
    if not p.exists():
        raise ImageError(f"{p}: no such file")
    if not p.is_file():
        raise ImageError(f"{p}: not a file")
    size = p.stat().st_size
    if size > max_bytes:
        raise ImageError(
            f"{p.name}: the file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB: "
            "save it smaller (fewer pixels, or JPEG/WebP) and try again"
        )
    return decode_image(p.read_bytes(), name=p.name, max_pixels=max_pixels, max_bytes=max_bytes)


def from_array(rgba: np.ndarray, name: str = "array") -> Source:
    """Wrap an in-memory (H, W, 3|4) uint8 array as a Source (validated like a file)."""
    arr = np.asarray(rgba)
    if arr.dtype != np.uint8 or arr.ndim != 3 or arr.shape[2] not in (3, 4):
        raise ImageError(f"{name}: expected a (H, W, 3|4) uint8 array, got {arr.dtype} {arr.shape}")
    if min(arr.shape[:2]) < MIN_SIDE:
        raise ImageError(
            f"{name}: the image is {arr.shape[1]}×{arr.shape[0]}; "
            f"each side must be at least {MIN_SIDE} px"
        )
    if arr.shape[2] == 3:
        arr = np.dstack([arr, np.full(arr.shape[:2], 255, np.uint8)])
    arr = np.ascontiguousarray(arr)
    digest = hashlib.sha256(arr.tobytes()).hexdigest()[:16]
    return Source(image=arr, name=name, digest=digest, had_alpha=bool((arr[..., 3] < 255).any()))


def _amount(x: float) -> str:
    """A size for messages: whole numbers from 10 up, two significant digits below
    (40, 24, 2.5, 0.24), never a misleading "0"."""
    return f"{x:.0f}" if x >= 10 else f"{x:.2g}"
