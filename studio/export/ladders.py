"""Encoder settings as data: one ladder of rungs per format, best quality first, and the
dispatch that encodes frames with one rung.

A ladder is searched by `fit.py`. Rungs from `monotone_from` on get smaller files as they go
down (quality knobs: WebP quality × alpha quality, WebM CRF), so they can be bisected;
palette rungs are not monotone in bytes and are scanned one by one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from studio.errors import ExportError
from studio.export.apng import encode_apng
from studio.export.encoded import Encoded
from studio.export.gif import encode_gif
from studio.export.palette import ColourTable, Palette
from studio.export.presets import Preset
from studio.export.timing import Timing
from studio.export.webp import encode_webp


@dataclass(frozen=True)
class EncodeSettings:
    """One rung of a format's ladder plus the frame count and canvas it was tried at.

    colors: palette size (APNG, GIF); None for full-colour APNG.
    quality, alpha_quality: WebP lossy knobs (0..100); lossless: WebP lossless.
    crf: WebM VP9 constant quality (0..63, lower is better).
    frames: frames written per loop (even timing), None before a count is chosen.
    size: (width, height) of the canvas written, None before a canvas is chosen.
    """

    format: str
    frames: int | None = None
    colors: int | None = None
    quality: int | None = None
    alpha_quality: int | None = None
    lossless: bool = False
    crf: int | None = None
    size: tuple[int, int] | None = None

    def knob(self) -> str:
        """The format knob in words ("64 colours", "quality 80/50", "CRF 30")."""
        if self.format == "webp":
            return "lossless" if self.lossless else f"quality {self.quality}/{self.alpha_quality}"
        if self.format == "webm":
            return f"CRF {self.crf}"
        return "full colour" if self.colors is None else f"{self.colors} colours"

    def describe(self) -> str:
        size = f", {self.size[0]}×{self.size[1]}" if self.size else ""
        frames = f", {self.frames} frames" if self.frames else ""
        return f"{self.format} {self.knob()}{frames}{size}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Ladder:
    """Rungs best quality first; rungs[monotone_from:] shrink in bytes as they go down."""

    rungs: tuple[EncodeSettings, ...]
    monotone_from: int | None = None

    def __len__(self) -> int:
        return len(self.rungs)


def _apng(colors: Sequence[int | None]) -> Ladder:
    return Ladder(tuple(EncodeSettings("apng", colors=c) for c in colors))


def _gif(colors: Sequence[int]) -> Ladder:
    return Ladder(tuple(EncodeSettings("gif", colors=c) for c in colors))


def _webp(qs: Sequence[tuple[int, int]]) -> Ladder:
    head = (EncodeSettings("webp", lossless=True),)
    rest = tuple(EncodeSettings("webp", quality=q, alpha_quality=a) for q, a in qs)
    return Ladder(head + rest, monotone_from=1)


def _webm(crfs: Sequence[int]) -> Ladder:
    return Ladder(tuple(EncodeSettings("webm", crf=c) for c in crfs), monotone_from=0)


LADDERS: dict[str, Ladder] = {
    "apng": _apng([None, 256, 192, 128, 96, 64, 48, 40, 32, 28, 24, 20, 16, 12, 8]),
    # palette size only: the old "lossy" rungs (a pixel takes its left neighbour's colour)
    # lost 3-11 dB to a smaller palette of the same bytes on flat art (bench/export.py)
    "gif": _gif([256, 192, 128, 96, 64, 48, 32, 24, 16, 12, 8]),
    "webp": _webp(
        [(90, 100), (90, 80), (85, 60), (80, 50), (75, 40), (70, 30), (60, 25), (50, 20),
         (40, 15), (30, 10), (20, 5)],
    ),
    "webm": _webm([20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 63]),
}


ZLIB_FAST_GAIN = 0.88  # full-colour APNG: zlib level 9 is ~10% smaller than 6, 10x slower


def encode_with(
    frames: Sequence[np.ndarray], timing: Timing, s: EncodeSettings, preset: Preset,
    budget: int | None = None, *, table: ColourTable | None = None,
    palette: Palette | None = None, optimize: bool = False,
) -> Encoded:
    """Encode the timing's frames of `frames` (RGBA uint8 at canvas size) with settings `s`.

    budget: bytes; full-colour APNG is written with zlib level 6 and only redone at level 9
    when that could bring it under the budget. table: the ColourTable of the timing's
    frames (palette APNG), when already counted; palette: one already built for them at
    s.colors. optimize: oxipng pass (palette APNG).
    """
    sel = [frames[i] for i in timing.indices]
    if s.format == "apng":
        if s.colors is not None:
            return encode_apng(sel, timing.delays_ms, colors=s.colors, loops=timing.loops,
                               table=table, palette=palette, optimize=optimize,
                               merge=preset.distinct_frames)
        enc = encode_apng(sel, timing.delays_ms, colors=None, loops=timing.loops,
                          compress_level=6)
        if budget is not None and budget < enc.bytes <= budget / ZLIB_FAST_GAIN:
            enc = encode_apng(sel, timing.delays_ms, colors=None, loops=timing.loops)
        return enc
    if s.format == "gif":
        return encode_gif(
            sel, timing.delays_ms, colors=s.colors or 256, matte=preset.matte,
            transparent=preset.transparent, loops=timing.loops,
        )
    if s.format == "webp":
        return encode_webp(
            sel, timing.delays_ms, quality=s.quality if s.quality is not None else 90,
            alpha_quality=s.alpha_quality if s.alpha_quality is not None else 100,
            lossless=s.lossless, loops=timing.loops,
        )
    if s.format == "webm":
        from studio.export.webm import encode_webm

        return encode_webm(
            sel, timing.delays_ms, crf=s.crf if s.crf is not None else 30,
            max_fps=preset.max_fps,
        )
    raise ExportError(f"unknown export format {s.format!r}; formats: apng, gif, webp, webm")
