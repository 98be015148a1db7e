"""Timing for a preset: playback duration, frame step and per-frame delays that sum exactly.

Delays are integer milliseconds in multiples of `unit_ms` (10 for GIF, whose delays are in
centiseconds; 1 otherwise). Dropping frames stretches the kept frames' delays, so one loop
plays for the same time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from studio.errors import ExportError
from studio.export.presets import Preset


@dataclass
class Timing:
    """indices: source frames kept; delays_ms: one per kept frame, summing to total_ms."""

    indices: list[int]
    delays_ms: list[int]
    total_ms: int
    loops: int
    step: int
    notes: list[str] = field(default_factory=list)


def _fmt_s(ms: float) -> str:
    return f"{ms / 1000:.3g} s"


def target_total_ms(
    durations_ms: Sequence[float], preset: Preset, unit_ms: int
) -> tuple[int, list[str]]:
    """Playback of one loop in ms that the preset accepts, nearest to the source's, and notes."""
    total = float(sum(durations_ms))
    notes: list[str] = []
    if preset.allowed_durations_s:
        allowed = sorted(preset.allowed_durations_s)
        best = min(allowed, key=lambda s: (abs(s * 1000 - total), -s))
        target = best * 1000
        if abs(target - total) > 1.0:
            choices = ", ".join(f"{s:g}" for s in allowed)
            notes.append(
                f"playback {_fmt_s(total)} → {best:g} s ({preset.id} allows {choices} s); "
                f"delays {'stretched' if target > total else 'shortened'}"
            )
    elif preset.max_duration_s is not None and total > preset.max_duration_s * 1000:
        target = preset.max_duration_s * 1000
        notes.append(
            f"playback {_fmt_s(total)} → {preset.max_duration_s:g} s ({preset.id} allows at "
            f"most {preset.max_duration_s:g} s); animation sped up"
        )
    else:
        target = total
    return max(unit_ms, round(target / unit_ms) * unit_ms), notes


def _min_delay_ms(preset: Preset) -> float:
    lo = preset.min_frame_ms or 0.0
    if preset.max_fps:
        lo = max(lo, 1000.0 / preset.max_fps)
    return lo


def min_step(n_frames: int, total_ms: int, preset: Preset) -> int:
    """Smallest frame step that meets max_frames and the shortest allowed delay."""
    step = 1
    lo = _min_delay_ms(preset)
    while step < n_frames:
        kept = math.ceil(n_frames / step)
        if (preset.max_frames is None or kept <= preset.max_frames) and total_ms / kept >= lo:
            break
        step += 1
    return step


def distribute(weights: Sequence[float], total_ms: int, unit_ms: int = 1) -> list[int]:
    """Integer ms delays proportional to weights, summing exactly to total_ms.

    Each is a multiple of unit_ms and at least unit_ms (largest-remainder rounding).
    """
    units = total_ms // unit_ms
    n = len(weights)
    if units < n:
        raise ExportError(
            f"{n} frames cannot share {total_ms} ms in steps of {unit_ms} ms; use fewer frames"
        )
    wsum = float(sum(weights))
    exact = [(units - n) * w / wsum for w in weights]
    base = [math.floor(x) for x in exact]
    left = (units - n) - sum(base)
    order = sorted(range(n), key=lambda i: (-(exact[i] - base[i]), i))
    for i in order[:left]:
        base[i] += 1
    return [(b + 1) * unit_ms for b in base]


def plan_timing(
    durations_ms: Sequence[float], preset: Preset, step: int | None = None, unit_ms: int = 1
) -> Timing:
    """Frames kept and their delays for `preset`; `step` None picks the smallest valid one.

    Raises ExportError when fewer frames than the preset's minimum would remain.
    """
    n = len(durations_ms)
    total, notes = target_total_ms(durations_ms, preset, unit_ms)
    base = min_step(n, total, preset)
    step = base if step is None else max(step, base)
    indices = list(range(0, n, step))
    weights = [float(sum(durations_ms[i : i + step])) for i in indices]
    if preset.min_frames is not None and len(indices) < preset.min_frames:
        if step == 1:
            raise ExportError(
                f"{preset.id} needs {preset.min_frames}-{preset.max_frames} frames, got {n}; "
                f"make the animation with at least {preset.min_frames} frames"
            )
        raise ExportError(
            f"a frame step of {step} leaves {len(indices)} frames, fewer than the "
            f"{preset.min_frames} that {preset.id} needs"
        )
    delays = distribute(weights, total, unit_ms)
    loops = 0
    if preset.max_total_playback_s is not None:
        loops = max(1, math.floor(preset.max_total_playback_s * 1000 / total + 1e-9))
    return Timing(indices, delays, total, loops, step, notes)


def step_note(step: int, before: int, after: int) -> str:
    """What a frame step gives up, in words."""
    if step == 2:
        return f"dropped every 2nd frame: {before} → {after} frames"
    suffix = {3: "rd"}.get(step, "th")
    return f"kept every {step}{suffix} frame: {before} → {after} frames"
