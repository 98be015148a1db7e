"""Periodic timing: which moves are active at loop phase t, and their phase inside a cycle.

Frame i of N sits at loop phase t = i / N. A move spans [start, end) of the loop and plays a
whole number of cycles there, each starting and ending at rest, so sequences join without a
jump and the last frame flows into the first.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.errors import InputError
from studio.motion.moves import MoveCtx
from studio.motion.presets import PresetDef, get_preset
from studio.motion.transforms import Pose, compose
from studio.types import MotionSpec, Move

VARIATION_AMOUNT = 0.3  # candidates with variation v play each move at (1 - 0.3·v·r)×amount


@dataclass(frozen=True)
class ActiveMove:
    """A Move resolved against its preset for one render: everything the timeline needs."""

    preset: PresetDef
    amount: float
    cycles: int
    direction: str | None
    start: float
    end: float
    keys: np.ndarray | None = None


def effective_cycles(move: Move, preset: PresetDef, frames: int) -> tuple[int, int]:
    """(cycles the move plays, cycles asked for), capped so one cycle gets at least the
    preset's ``min_frames`` frames of its span.

    Without an explicit count the speed sets the tempo: cycles = default count × speed. With
    an explicit count ("spin twice fast") the count is kept and a speed above 1 plays those
    cycles quicker, followed by a rest (see `active_end`).
    """
    if move.count is not None:
        asked = move.count
    else:
        asked = max(1, round(preset.default_count * move.speed))
    span_frames = (move.end - move.start) * frames
    cap = max(1, math.floor(span_frames / preset.min_frames + 1e-9))
    return min(asked, cap), asked


def active_end(move: Move, preset: PresetDef, frames: int, cycles: int) -> float:
    """Where the move's motion ends within its span: a fast move with an explicit count plays
    in the first 1/speed of its span (never shorter than its cycles need) and then rests."""
    end = min(move.end, 1.0)
    if move.count is None or move.speed <= 1.0:
        return end
    need = cycles * preset.min_frames / frames
    return min(end, move.start + max((end - move.start) / move.speed, need))


def check_move(move: Move) -> None:
    """InputError for a move whose numbers make no sense (an edited spec, say)."""
    if not 0.0 <= move.start < move.end <= 1.0:
        raise InputError(
            f"move {move.name!r} must span 0 ≤ start < end ≤ 1 of the loop, "
            f"got start={move.start!r}, end={move.end!r}"
        )
    if not 0.0 < move.amount <= 3.0:
        raise InputError(f"amount of {move.name!r} must be in (0, 3], got {move.amount!r}")
    if not 0.0 < move.speed <= 4.0:
        raise InputError(f"speed of {move.name!r} must be in (0, 4], got {move.speed!r}")
    if move.count is not None and not 1 <= move.count <= 60:
        raise InputError(f"count of {move.name!r} must be between 1 and 60, got {move.count!r}")


def resolve(
    spec: MotionSpec,
    *,
    seed: int = 0,
    variation: float = 0.0,
    bound_keys: float | None = None,
) -> list[ActiveMove]:
    """Resolve the spec's moves for one render.

    seed: drives the random keys of moves with randomness; variation in [0, 1]: candidates
    other than the exact spec play each move slightly softer (by up to 30%, seeded), which
    stays seamless because the whole animation uses the same factors.
    bound_keys: when set (±1), random keys are that constant: used to bound the layout.
    """
    out: list[ActiveMove] = []
    for i, move in enumerate(spec.moves):
        preset = get_preset(move.name)
        check_move(move)
        cycles, _ = effective_cycles(move, preset, spec.frames)
        amount = move.amount * preset.default_amount
        if variation > 0:
            r = np.random.default_rng([seed, i, 1]).random()
            amount *= 1.0 - VARIATION_AMOUNT * variation * r
        keys = None
        if preset.random:
            n = cycles * preset.keys_per_cycle
            if bound_keys is not None:
                keys = np.full((n, 3), float(bound_keys))
            else:
                keys = np.random.default_rng([seed, i, 7919]).uniform(-1.0, 1.0, (n, 3))
        direction = move.direction if move.direction in preset.directions else None
        end = active_end(move, preset, spec.frames, cycles)
        out.append(ActiveMove(preset, amount, cycles, direction, move.start, end, keys))
    return out


def pose_at(active: list[ActiveMove], t: float, cw: float, ch: float) -> Pose:
    """The composed Pose at loop phase t in [0, 1) for a character crop of size (cw, ch)."""
    parts = []
    for m in active:
        inside = m.start <= t < m.end or (m.end >= 1.0 and t >= m.start)
        if not inside:
            continue
        u = (t - m.start) / (m.end - m.start)
        c = u * m.cycles
        cycle = min(math.floor(c), m.cycles - 1)
        ctx = MoveCtx(m.amount, m.direction, cycle, m.cycles, m.keys)
        d = m.preset.fn(c - cycle, ctx)
        if m.preset.continuous and (m.end - m.start) < 1.0:
            d = d.scaled(math.sin(math.pi * u) ** 2)
        pivot = (m.preset.pivot[0] * cw, m.preset.pivot[1] * ch)
        parts.append((d, pivot))
    return compose(parts, ch)
