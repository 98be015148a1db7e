"""Building MotionSpecs from presets, checking their numbers, and saying them in words."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace

from studio.errors import InputError
from studio.motion.effects import get_effect
from studio.motion.presets import get_preset
from studio.motion.timing import active_end, effective_cycles
from studio.motion.vocabulary import (
    BOTH_WAYS,
    DIRECTION_WORDS,
    INTENSITY_LABELS,
    SPEED_LABELS,
    label,
)
from studio.types import Effect, MotionSpec, Move

FRAMES_RANGE = (2, 60)
FPS_RANGE = (1.0, 60.0)
AMOUNT_RANGE = (0.05, 3.0)
SPEED_RANGE = (0.1, 4.0)


def _check(name: str, value: float, lo: float, hi: float) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
        raise InputError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")


def check_frames_fps(frames: int, fps: float) -> None:
    """InputError unless 2 ≤ frames ≤ 60 (an int) and 1 ≤ fps ≤ 60."""
    if isinstance(frames, float) and frames.is_integer():
        frames = int(frames)
    if not isinstance(frames, int):
        raise InputError(f"frames must be a whole number between 2 and 60, got {frames!r}")
    _check("frames", frames, *FRAMES_RANGE)
    _check("fps", fps, *FPS_RANGE)


def normalise_effects(effects: Sequence[str | Effect]) -> tuple[Effect, ...]:
    """Effect names or Effects → Effects, checked against the effect table, first one wins."""
    out: dict[str, Effect] = {}
    for e in effects:
        eff = e if isinstance(e, Effect) else Effect(str(e).strip().lower().replace(" ", "_"))
        get_effect(eff.name)
        out.setdefault(eff.name, eff)
    return tuple(out.values())


def preset_spec(
    name: str,
    *,
    frames: int = 12,
    fps: float = 12.0,
    effects: Sequence[str | Effect] = (),
    shadow: bool = False,
    amount: float = 1.0,
    speed: float = 1.0,
) -> MotionSpec:
    """A MotionSpec playing one preset over the whole loop.

    amount: strength multiplier (0.05–3; 1 = normal); speed: tempo multiplier (0.1–4).
    """
    preset = get_preset(str(name).strip().lower())
    check_frames_fps(frames, fps)
    _check("amount", amount, *AMOUNT_RANGE)
    _check("speed", speed, *SPEED_RANGE)
    spec = MotionSpec(
        moves=(Move(preset.name, amount=float(amount), speed=float(speed)),),
        effects=normalise_effects(effects),
        frames=int(frames),
        fps=float(fps),
        shadow=bool(shadow),
    )
    return replace(spec, interpretation=describe_spec(spec))


def _pct(x: float) -> str:
    return f"{round(x * 100)}%"


def describe_move(move: Move, frames: int) -> str:
    """One move in words, e.g. 'spin clockwise (big, 150%, fast, 2 times)'."""
    preset = get_preset(move.name)
    name = move.name.replace("_", " ")
    if move.direction in preset.directions:
        name += " " + DIRECTION_WORDS[move.direction]
    elif move.name in BOTH_WAYS:
        name += " left and right"
    bits = [f"{label(move.amount, INTENSITY_LABELS)}, {_pct(move.amount)}"]
    if abs(move.speed - 1.0) > 1e-6:
        bits.append(label(move.speed, SPEED_LABELS))
    cycles, asked = effective_cycles(move, preset, frames)
    if move.count is not None or cycles != preset.default_count:
        bits.append("once" if cycles == 1 else f"{cycles} times")
    explicit = move.count is not None or abs(move.speed - 1.0) > 1e-6
    if cycles < asked and explicit:
        bits.append(f"{asked} asked: each needs {preset.min_frames} frames")
    end = active_end(move, preset, frames, cycles)
    if end < min(move.end, 1.0) - 1e-9:
        share = (end - move.start) / (min(move.end, 1.0) - move.start)
        bits.append(f"moving for the first {_pct(share)} of its time, then resting")
    elif move.speed < 1 and asked == 1 and (move.count or preset.default_count) == 1:
        bits.append("already once per loop: for slower, add frames or lower the fps")
    return f"{name} ({', '.join(bits)})"


def describe_span(start: float, end: float, frames: int) -> str:
    if start <= 0 and end >= 1:
        return "for the whole loop"
    first, last = math.ceil(start * frames - 1e-9), math.ceil(end * frames - 1e-9) - 1
    return f"from {_pct(start)} to {_pct(end)} of the loop (frames {first + 1}–{last + 1})"


def describe_spec(spec: MotionSpec, notes: Sequence[str] = ()) -> str:
    """The spec in plain words: steps in order ('; then'), effects, shadow, notes."""
    steps: dict[tuple[float, float], list[Move]] = {}
    for m in spec.moves:
        steps.setdefault((m.start, m.end), []).append(m)
    parts = [
        " together with ".join(describe_move(m, spec.frames) for m in ms)
        + " "
        + describe_span(start, end, spec.frames)
        for (start, end), ms in sorted(steps.items())
    ]
    text = "; then ".join(parts) if parts else "no move (the character stays still)"
    if spec.effects:
        text += "; effects: " + ", ".join(
            e.name.replace("_", " ") + ("" if e.amount == 1 else f" ({_pct(e.amount)})")
            for e in spec.effects
        )
    if spec.shadow:
        text += "; with a ground shadow"
    for note in notes:
        text += f"; {note}"
    if spec.unknown_words:
        text += "; did not understand: " + ", ".join(spec.unknown_words)
    return text
