"""Read an exported file back: format sniffing and decoding of APNG, GIF, WebP and WebM.

Frames come back as RGBA uint8 (H, W, 4) as a viewer shows them (disposal and blending
applied), durations in ms.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import numpy as np
from PIL import Image


@dataclass
class Decoded:
    """What a file holds. `error` says why nothing was decoded (frames empty).

    loop: plays for APNG/GIF/WebP (0 = forever, None = not stored). WebM only: codec,
    pix_fmt (as decoded by libvpx-vp9), fps, frame_rate (the same as an exact Fraction; 0
    when the header has none), audio_streams, other_streams.
    """

    format: str
    frames: list[np.ndarray]
    durations_ms: list[float]
    loop: int | None
    size: tuple[int, int]
    codec: str = ""
    pix_fmt: str = ""
    fps: float = 0.0
    audio_streams: int = 0
    other_streams: int = 0
    error: str = ""
    extra: dict = field(default_factory=dict)
    frame_rate: Fraction = Fraction(0)


def sniff_format(data: bytes) -> str:
    """"apng", "png", "gif", "webp", "webm" or "unknown" from a file's bytes."""
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        idat = data.find(b"IDAT")
        actl = data.find(b"acTL")
        return "apng" if actl != -1 and (idat == -1 or actl < idat) else "png"
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    if data[:4] == b"\x1a\x45\xdf\xa3" and b"webm" in data[:64]:
        return "webm"
    return "unknown"


def _decode_pillow(data: bytes, fmt: str) -> Decoded:
    with Image.open(io.BytesIO(data)) as im:
        frames, durations = [], []
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGBA")).copy())
            durations.append(float(im.info.get("duration", 0.0) or 0.0))
        return Decoded(fmt, frames, durations, im.info.get("loop"), im.size)


def _decode_webm(data: bytes) -> Decoded:
    from studio.export.webm import decode_webm

    w = decode_webm(data)
    return Decoded("webm", w.frames, w.durations_ms, None, w.size, w.codec, w.pix_fmt, w.fps,
                   w.audio_streams, w.other_streams, frame_rate=w.rate)


def decode_animation(data: bytes) -> Decoded:
    """Decode a file's bytes; a file that cannot be decoded gives no frames and an `error`."""
    fmt = sniff_format(data)
    if fmt == "unknown":
        return Decoded(fmt, [], [], None, (0, 0), error="not an image or video format known here")
    try:
        return _decode_webm(data) if fmt == "webm" else _decode_pillow(data, fmt)
    except Exception as exc:  # a broken file is a check result
        return Decoded(fmt, [], [], None, (0, 0), error=f"{type(exc).__name__}: {exc}")


def decode_file(path: str | Path) -> Decoded:
    """decode_animation of the file at `path`."""
    return decode_animation(Path(path).read_bytes())
