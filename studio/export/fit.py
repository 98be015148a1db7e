"""Fit an animation under a preset's byte budget, giving up as little as possible.

The search ranks a grid of (frame step, ladder rung) by how much each gives up: a rung costs
its place in the format's ladder (best quality first), a frame step k costs
STEP_COST · log2(k / k0) rungs (k0: the smallest valid step). Candidates are encoded in
that order and the first whose file fits wins. Palette size is not monotone in bytes, so
every candidate is encoded and measured (no bisection); the grid is ≤ 4 steps × ≤ 12 rungs.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from studio.errors import ExportError
from studio.export.apng import encode_apng
from studio.export.encoded import Encoded
from studio.export.frames import fit_canvas, validate
from studio.export.gif import encode_gif
from studio.export.presets import Preset
from studio.export.timing import Timing, plan_timing, step_note
from studio.export.webp import encode_webp


@dataclass(frozen=True)
class EncodeSettings:
    """One rung of a format's ladder plus the frame step it was tried at.

    colors: palette size (APNG, GIF); None for full-colour APNG.
    quality, alpha_quality: WebP lossy knobs (0..100); lossless: WebP lossless.
    """

    format: str
    step: int = 1
    colors: int | None = None
    quality: int | None = None
    alpha_quality: int | None = None
    lossless: bool = False

    def describe(self) -> str:
        if self.format == "webp":
            knob = "lossless" if self.lossless else f"quality {self.quality}/{self.alpha_quality}"
        else:
            knob = "full colour" if self.colors is None else f"{self.colors} colours"
        return f"{self.format} {knob}, frame step {self.step}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _apng(colors: Sequence[int | None]) -> list[EncodeSettings]:
    return [EncodeSettings("apng", colors=c) for c in colors]


def _gif(colors: Sequence[int]) -> list[EncodeSettings]:
    return [EncodeSettings("gif", colors=c) for c in colors]


def _webp(qs: Sequence[tuple[int, int]], lossless: bool = False) -> list[EncodeSettings]:
    head = [EncodeSettings("webp", lossless=True)] if lossless else []
    return head + [EncodeSettings("webp", quality=q, alpha_quality=a) for q, a in qs]


# format -> rungs, best quality first
LADDERS: dict[str, list[EncodeSettings]] = {
    "apng": _apng([None, 256, 192, 128, 96, 64, 48, 32, 24, 16]),
    "gif": _gif([256, 192, 128, 96, 64, 48, 32, 24, 16]),
    "webp": _webp(
        [(90, 100), (90, 80), (85, 60), (80, 50), (75, 40), (70, 30), (60, 25), (50, 20),
         (40, 15), (30, 10), (20, 5)],
        lossless=True,
    ),
}

MAX_STEPS = 4  # frame steps tried: the smallest valid one and the next 3
STEP_COST = 6.0  # halving the frames weighs like going 6 rungs down the ladder


@dataclass
class FitResult:
    """The chosen encoding: bytes in `encoded`, what it cost in `given_up`, every try in `tried`."""

    encoded: Encoded
    settings: EncodeSettings
    timing: Timing
    budget: int
    given_up: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tried: list[tuple[EncodeSettings, int]] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.encoded.bytes


def encode_with(
    frames: Sequence[np.ndarray], timing: Timing, s: EncodeSettings, preset: Preset
) -> Encoded:
    """Encode the timing's frames of `frames` (RGBA uint8 at canvas size) with settings `s`."""
    sel = [frames[i] for i in timing.indices]
    if s.format == "apng":
        return encode_apng(sel, timing.delays_ms, colors=s.colors, loops=timing.loops)
    if s.format == "gif":
        return encode_gif(
            sel, timing.delays_ms, colors=s.colors or 256, matte=preset.matte,
            transparent=preset.transparent, loops=timing.loops,
        )
    if s.format == "webp":
        return encode_webp(
            sel, timing.delays_ms, quality=s.quality or 90,
            alpha_quality=s.alpha_quality if s.alpha_quality is not None else 100,
            lossless=s.lossless, loops=timing.loops,
        )
    raise ExportError(f"{s.format} export is not available yet; use APNG, GIF or WebP")


def _given_up(
    s: EncodeSettings, top: EncodeSettings, timing: Timing, base: Timing, n: int, preset: Preset,
    budget: int,
) -> list[str]:
    out = list(timing.notes)
    if timing.step > 1:
        note = step_note(timing.step, n, len(timing.indices))
        if timing.step == base.step:
            if preset.max_frames is not None and n > preset.max_frames:
                note += f" ({preset.id} allows at most {preset.max_frames})"
            else:
                note += f" (frame delays too short for {preset.id})"
        else:
            note += f" (to fit {budget} bytes)"
        out.append(note)
    if s.format == "apng" and s.colors is not None:
        out.append(f"full colour → {s.colors}-colour palette")
    elif s.format == "gif" and s.colors != top.colors:
        out.append(f"palette {top.colors} → {s.colors} colours")
    elif s.format == "webp" and s != top:
        out.append(f"WebP lossless → quality {s.quality}, alpha quality {s.alpha_quality}")
    return out


def fit_to_budget(
    frames: Sequence[np.ndarray],
    durations_ms: Sequence[float],
    preset: Preset,
    *,
    max_bytes: int | None = None,
) -> FitResult:
    """Resize, time and encode RGBA uint8 frames (H, W, 4) for `preset` under its byte budget.

    durations_ms: how long each source frame shows. max_bytes overrides preset.max_bytes.
    Raises ExportError naming the smallest size reached when nothing fits.
    """
    validate(frames, durations_ms)
    fmt = preset.format
    if fmt not in LADDERS or not preset.supported:
        raise ExportError(
            f"{fmt.upper() if fmt == 'webm' else fmt} export is not available yet "
            f"(preset {preset.id}); choose an APNG, GIF or WebP preset"
        )
    budget = int(max_bytes if max_bytes is not None else preset.max_bytes)
    notes: list[str] = []
    h, w = frames[0].shape[:2]
    canvas = fit_canvas(frames, preset.width, preset.height)
    if (w, h) != (preset.width, preset.height):
        notes.append(f"resized {w}×{h} → {preset.width}×{preset.height} (aspect kept, centred)")
    unit = 10 if fmt == "gif" else 1
    n = len(frames)
    base = plan_timing(durations_ms, preset, None, unit)
    floor = max(preset.min_frames or 2, 2)
    timings = [base]
    for step in range(base.step + 1, base.step + MAX_STEPS):
        if -(-n // step) < floor:
            break
        timings.append(plan_timing(durations_ms, preset, step, unit))
    ladder = LADDERS[fmt]
    grid = sorted(
        ((r + STEP_COST * math.log2(t.step / base.step), k, r) for k, t in enumerate(timings)
         for r in range(len(ladder))),
    )
    tried: list[tuple[EncodeSettings, int]] = []
    smallest: tuple[int, EncodeSettings] | None = None
    too_few = 0
    for _, k, r in grid:
        timing = timings[k]
        s = dataclasses.replace(ladder[r], step=timing.step)
        enc = encode_with(canvas, timing, s, preset)
        tried.append((s, enc.bytes))
        if smallest is None or enc.bytes < smallest[0]:
            smallest = (enc.bytes, s)
        if preset.min_frames is not None and enc.frame_count < preset.min_frames:
            too_few += 1
            continue
        if enc.bytes <= budget:
            if enc.frame_count < len(timing.indices):
                notes.append(
                    f"merged identical consecutive frames: {len(timing.indices)} → "
                    f"{enc.frame_count} frames"
                )
            given_up = _given_up(s, ladder[0], timing, base, n, preset, budget)
            return FitResult(enc, s, timing, budget, given_up, notes, tried)
    assert smallest is not None
    if too_few:
        raise ExportError(
            f"{too_few} of {len(tried)} settings left fewer than {preset.min_frames} distinct "
            f"frames after merging identical consecutive frames, and none of the rest fit "
            f"{budget} bytes (smallest {smallest[0]} bytes); {preset.id} needs "
            f"{preset.min_frames} frames that differ"
        )
    raise ExportError(
        f"could not fit {preset.id} under {budget} bytes: the smallest file reached was "
        f"{smallest[0]} bytes ({smallest[1].describe()}); use fewer frames or a simpler "
        f"animation, or override max_bytes"
    )

