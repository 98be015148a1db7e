"""Effect overlays (sparkles, hearts, sweat, anger, speed lines, zzz, music notes) as data.

Each effect is drawn per frame as anti-aliased vector shapes on the supersampled canvas, placed
relative to the character's box, and animated over the loop phase t in [0, 1) with whole
numbers of cycles and particles that fade to nothing at the ends of their lives, so the loop
stays seamless.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from studio.errors import InputError
from studio.motion import shapes
from studio.motion.easing import bump, smoothstep
from studio.types import Effect

Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class EffectCtx:
    """rest / box: the character's resting and current bbox in canvas px; unit: its resting
    height in canvas px; rng: seeded per effect; amount: strength; rgb: colour in [0, 1]."""

    rest: Box
    box: Box
    unit: float
    rng_values: np.ndarray
    amount: float
    rgb: shapes.Rgb


def _fade(q: float, fade_in: float = 0.15, fade_out: float = 0.3) -> float:
    return smoothstep(min(q / fade_in, (1.0 - q) / fade_out, 1.0))


def _count(base: int, amount: float) -> int:
    return int(np.clip(round(base * amount), 1, 2 * base))


def _sparkles(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, x1, y1 = c.rest
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    for i in range(_count(4, c.amount)):
        ang = math.pi * (1.05 + 0.9 * (i + 0.5 * c.rng_values[i, 0]) / _count(4, c.amount))
        rx, ry = (x1 - x0) / 2 + 0.12 * c.unit, (y1 - y0) / 2 + 0.08 * c.unit
        px = cx + rx * math.cos(ang) * (0.9 + 0.2 * c.rng_values[i, 1])
        py = cy + ry * math.sin(ang) * (0.9 + 0.2 * c.rng_values[i, 2])
        q = (2 * t + i / 4 + 0.1 * c.rng_values[i, 3]) % 1.0
        r = 0.13 * c.unit * (0.7 + 0.5 * c.rng_values[i, 4]) * math.sin(math.pi * q) ** 1.5
        if r < 0.5:
            continue
        shapes.fill(canvas, [shapes.sparkle(px, py, r, 20 * q)], c.rgb)
        shapes.fill(canvas, [shapes.sparkle(px, py, 0.45 * r, 20 * q)], (1.0, 1.0, 1.0))


def _hearts(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, x1, _ = c.rest
    n = _count(3, c.amount)
    for i in range(n):
        q = (t + i / n) % 1.0
        side = -1 if i % 2 else 1
        bx = (x0 + x1) / 2 + side * (0.25 + 0.25 * c.rng_values[i, 0]) * (x1 - x0)
        px = bx + 0.06 * c.unit * math.sin(2 * math.pi * q)
        py = y0 + 0.15 * c.unit - 0.4 * c.unit * q
        r = 0.1 * c.unit * (0.6 + 0.4 * smoothstep(q / 0.3))
        pts = shapes.heart(px, py, r, 12 * math.sin(2 * math.pi * q))
        op = _fade(q)
        shapes.fill(canvas, [pts], c.rgb, op)
        shapes.stroke(canvas, [pts], max(1.0, 0.12 * r), _shade(c.rgb), op, closed=True)


def _sweat(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, x1, _ = c.box
    n = 2 if c.amount > 1.4 else 1
    for i in range(n):
        q = (t + i / n) % 1.0
        px = x1 - (0.1 + 0.12 * i) * (x1 - x0)
        py = y0 + (0.12 + 0.1 * i) * c.unit + 0.12 * c.unit * smoothstep(q)
        r = 0.085 * c.unit * (0.5 + 0.5 * smoothstep(q / 0.3))
        op = _fade(q, 0.2, 0.3)
        pts = shapes.drop(px, py, r)
        shapes.fill(canvas, [pts], c.rgb, op)
        shapes.stroke(canvas, [pts], max(1.0, 0.12 * r), _shade(c.rgb), op, closed=True)
        hl = shapes.ellipse(px - 0.35 * r, py + 0.2 * r, 0.18 * r, 0.3 * r, 20)
        shapes.fill(canvas, [hl], (1.0, 1.0, 1.0), 0.9 * op)


def _anger(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, x1, _ = c.box
    beat = bump((2 * t) % 1.0)
    r = 0.11 * c.unit * math.sqrt(c.amount) * (1 + 0.2 * beat)
    px, py = x1 - 0.12 * (x1 - x0), y0 + 0.1 * c.unit
    shapes.stroke(canvas, shapes.anger(px, py, r), 0.24 * r, c.rgb)


def _speed_lines(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, _, y1 = c.rest
    n = _count(4, c.amount)
    for i in range(n):
        q = (2 * t + i / n + 0.2 * c.rng_values[i, 0]) % 1.0
        py = y0 + (y1 - y0) * (0.2 + 0.6 * (i + 0.5) / n)
        head = x0 - 0.04 * c.unit - 0.2 * c.unit * q
        length = 0.35 * c.unit * (0.6 + 0.4 * c.rng_values[i, 1]) * bump(q)
        if length < 1:
            continue
        w = 0.025 * c.unit
        pts = np.array([[head, py - w], [head - length, py], [head, py + w], [head + w, py]])
        shapes.fill(canvas, [pts], c.rgb, 0.85 * bump(q) ** 0.5)


def _zzz(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    _, y0, x1, _ = c.rest
    for i in range(3):
        q = (t + i / 3) % 1.0
        r = 0.05 * c.unit * math.sqrt(c.amount) * (0.6 + 0.8 * q)
        px = x1 - 0.05 * c.unit + 0.22 * c.unit * q
        py = y0 + 0.08 * c.unit - 0.35 * c.unit * q
        shapes.stroke(canvas, [shapes.zee(px, py, r, -10)], 0.35 * r, c.rgb, _fade(q, 0.2, 0.3))


def _music_notes(canvas: np.ndarray, t: float, c: EffectCtx) -> None:
    x0, y0, x1, _ = c.rest
    n = _count(2, c.amount)
    for i in range(n):
        q = (t + i / n) % 1.0
        side = x0 - 0.04 * c.unit if i % 2 else x1 + 0.04 * c.unit
        px = side + 0.05 * c.unit * math.sin(2 * math.pi * q)
        py = y0 + 0.35 * c.unit - 0.45 * c.unit * q
        r = 0.085 * c.unit
        head, stem, flag = shapes.note(px, py, r)
        op = _fade(q)
        shapes.fill(canvas, [head], c.rgb, op)
        shapes.stroke(canvas, [stem, flag], 0.2 * r, c.rgb, op)


def _shade(rgb: shapes.Rgb) -> shapes.Rgb:
    return (rgb[0] * 0.6, rgb[1] * 0.6, rgb[2] * 0.6)


@dataclass(frozen=True)
class EffectDef:
    name: str
    description: str
    draw: Callable[[np.ndarray, float, EffectCtx], None]
    color: str
    follows: bool = False  # placed on the moving character (else around its resting place)


EFFECTS: dict[str, EffectDef] = {
    e.name: e
    for e in (
        EffectDef("sparkles", "twinkling sparkles around the character", _sparkles, "#ffd84a"),
        EffectDef("hearts", "hearts floating up", _hearts, "#ff5a7e"),
        EffectDef("sweat", "a sweat drop sliding down", _sweat, "#7cc4ff", follows=True),
        EffectDef("anger", "a throbbing anger mark", _anger, "#e8262b", follows=True),
        EffectDef("speed_lines", "speed lines streaming behind", _speed_lines, "#8a8f9c"),
        EffectDef("zzz", "sleepy Z's drifting up", _zzz, "#5b74c8"),
        EffectDef("music_notes", "music notes floating up", _music_notes, "#8e5be0"),
    )
}


@dataclass(frozen=True)
class EffectInfo:
    """What the UI shows for an effect."""

    name: str
    description: str
    color: str


def list_effects() -> list[EffectInfo]:
    """All effect overlays, in menu order."""
    return [EffectInfo(e.name, e.description, e.color) for e in EFFECTS.values()]


def get_effect(name: str) -> EffectDef:
    """The effect called `name` (InputError listing the known ones otherwise)."""
    try:
        return EFFECTS[name]
    except KeyError:
        raise InputError(f"unknown effect {name!r}; known effects: {', '.join(EFFECTS)}") from None


def parse_color(hex_color: str) -> shapes.Rgb:
    """'#rrggbb' (or 'rrggbb') → RGB floats in [0, 1]."""
    h = hex_color.strip().lstrip("#")
    if len(h) != 6 or any(ch not in "0123456789abcdefABCDEF" for ch in h):
        raise InputError(f"effect colour must be '#rrggbb', got {hex_color!r}")
    return (int(h[0:2], 16) / 255.0, int(h[2:4], 16) / 255.0, int(h[4:6], 16) / 255.0)


def draw_effects(
    canvas: np.ndarray,
    effects: tuple[Effect, ...],
    t: float,
    rest: Box,
    box: Box,
    seed: int,
) -> None:
    """Draw every effect at loop phase t onto premultiplied float32 `canvas` (H, W, 4)."""
    unit = max(rest[3] - rest[1], 1.0)
    for i, eff in enumerate(effects):
        d = get_effect(eff.name)
        values = np.random.default_rng([seed, i, 4242]).random((16, 8))
        rgb = parse_color(eff.color or d.color)
        ctx = EffectCtx(rest, box if d.follows else rest, unit, values, eff.amount, rgb)
        d.draw(canvas, t, ctx)
