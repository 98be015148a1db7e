"""The move functions: phase within one cycle → Delta.

Each function takes ``p`` in [0, 1) (phase inside the current cycle) and a MoveCtx, and is at
rest (identity) at p=0 and p→1 unless its preset is marked ``continuous``; so a move can play
any whole number of cycles, alone or as one step of a sequence, and the loop stays seamless.
Amount 1 is the normal strength; translations are in units of the character's height.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from studio.motion.easing import (
    bump,
    ease_in_out_sine,
    ease_in_quad,
    ease_out_back,
    ease_out_quad,
    segment,
    smoothstep,
    wave,
    window_bump,
)
from studio.motion.transforms import Delta


@dataclass(frozen=True)
class MoveCtx:
    """amount: strength; direction: "left" | "right" | "up" | "down" | "cw" | "ccw" | "in" |
    "out" | None; cycle: index of the current cycle; cycles: cycles in the span; keys: random
    key values in [-1, 1], shape (cycles * keys_per_cycle, 3), for moves with randomness."""

    amount: float = 1.0
    direction: str | None = None
    cycle: int = 0
    cycles: int = 1
    keys: np.ndarray | None = None

    @property
    def sign(self) -> float:
        return -1.0 if self.direction in ("left", "ccw", "out", "up") else 1.0


def bounce(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    if p < 0.8:
        q = p / 0.8
        stretch = 0.07 * a * math.sin(2 * math.pi * q) ** 2
        return Delta(ty=-0.18 * a * 4 * q * (1 - q), sy=1 + stretch, sx=1 / math.sqrt(1 + stretch))
    s = bump(segment(p, 0.8, 1.0))
    return Delta(sy=1 - 0.14 * a * s, sx=1 + 0.12 * a * s)


def squash(p: float, c: MoveCtx) -> Delta:
    sy = max(0.3, 1 - 0.16 * c.amount * wave(p))
    return Delta(sy=sy, sx=sy**-0.6)


def hop(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    crouch = window_bump(p, 0.0, 0.18) + window_bump(p, 0.72, 1.0)
    q = segment(p, 0.18, 0.72)
    air = 4 * q * (1 - q) if 0.18 < p < 0.72 else 0.0
    stretch = math.sin(2 * math.pi * q) ** 2 if air else 0.0
    tilt = 8 * a * math.sin(math.pi * q) if air and c.direction in ("left", "right") else 0.0
    return Delta(
        ty=-0.32 * a * air,
        angle=tilt * (-1 if c.direction == "left" else 1),
        sy=1 - 0.13 * a * crouch + 0.08 * a * stretch,
        sx=1 + 0.11 * a * crouch - 0.04 * a * stretch,
    )


def spin(p: float, c: MoveCtx) -> Delta:
    turn = 0.5 * p + 0.5 * ease_in_out_sine(p)
    pop = 1 + 0.05 * c.amount * bump(p)
    return Delta(angle=360.0 * turn * c.sign, sx=pop, sy=pop)


def shake(p: float, c: MoveCtx) -> Delta:
    keys = c.keys if c.keys is not None else np.zeros((2 * c.cycles, 3))
    n = len(keys)
    s = (c.cycle + p) * n / c.cycles
    k0 = math.floor(s) % n
    k1 = (k0 + 1) % n
    f = ease_in_out_sine(s - math.floor(s))

    def key(k: int) -> tuple[float, float, float]:
        if k == 0:
            return 0.0, 0.0, 0.0
        alt = -1.0 if k % 2 else 1.0
        return alt * (0.55 + 0.45 * keys[k, 0]), 0.4 * keys[k, 1], keys[k, 2]

    x0, y0, r0 = key(k0)
    x1, y1, r1 = key(k1)
    x, y, r = x0 + (x1 - x0) * f, y0 + (y1 - y0) * f, r0 + (r1 - r0) * f
    a = c.amount
    if c.direction in ("up", "down"):
        return Delta(ty=0.05 * a * x, tx=0.01 * a * y)
    if c.direction in ("left", "right"):
        return Delta(tx=0.05 * a * x, angle=1.0 * a * r)
    return Delta(tx=0.05 * a * x, ty=0.015 * a * y, angle=3.0 * a * r)


def wobble(p: float, c: MoveCtx) -> Delta:
    a, sgn = c.amount, c.sign

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bend = -0.04 * a * sgn * math.sin(4 * math.pi * p) * np.clip(1 - v, 0, None) ** 2
        return bend, np.zeros_like(v)

    return Delta(angle=9.0 * a * sgn * wave(p), warp=warp)


def sway(p: float, c: MoveCtx) -> Delta:
    a, sgn = c.amount, c.sign
    s = wave(p)

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        h = np.clip(1 - v, 0, None) ** 2
        dx = 0.14 * a * sgn * s * h
        return dx, 0.25 * np.abs(dx) * h

    return Delta(angle=2.0 * a * sgn * s, warp=warp)


def nod(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    dip = bump(p)

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.zeros_like(u), 0.05 * a * dip * np.clip(1 - v, 0, None) ** 2

    return Delta(angle=4.0 * a * dip * c.sign, ty=0.015 * a * dip, sy=1 - 0.03 * a * dip, warp=warp)


def pulse(p: float, c: MoveCtx) -> Delta:
    beat = window_bump(p, 0.0, 0.18) + 0.6 * window_bump(p, 0.22, 0.38)
    s = 1 + 0.12 * c.amount * beat
    return Delta(sx=s, sy=s)


def float_(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    return Delta(ty=-0.07 * a * wave(p), angle=1.5 * a * wave(p, 2))


def zoom(p: float, c: MoveCtx) -> Delta:
    z = smoothstep(segment(p, 0.0, 0.4)) - smoothstep(segment(p, 0.6, 1.0))
    s = max(0.2, 1 + 0.25 * c.amount * z * (-1 if c.direction == "out" else 1))
    return Delta(sx=s, sy=s)


def jelly(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    env = bump(p)
    osc = math.sin(4 * math.pi * p)

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lag = np.sin(4 * math.pi * p - 2.2 * np.clip(1 - v, 0, None))
        top = np.clip(1 - v, 0, None)
        dx = 0.16 * a * env * u * lag + 0.03 * a * env * top * lag
        return dx, np.zeros_like(v)

    return Delta(sy=1 - 0.09 * a * env * osc, sx=1 + 0.05 * a * env * osc, warp=warp)


def peek(p: float, c: MoveCtx) -> Delta:
    depth, angle = 0.0, 0.0
    if 0.15 <= p < 0.3:
        depth = 1.05 * ease_in_quad(segment(p, 0.15, 0.3))
    elif 0.3 <= p < 0.45:
        depth = 1.05 - 0.5 * ease_out_quad(segment(p, 0.3, 0.45))
    elif 0.45 <= p < 0.7:
        depth = 0.55
        angle = 7.0 * c.amount * c.sign * wave(segment(p, 0.45, 0.7))
    elif 0.7 <= p < 0.85:
        depth = 0.55 * (1 - ease_out_back(segment(p, 0.7, 0.85), 1.2 * c.amount))
    return Delta(ty=depth, angle=angle, clip=True)


def popin(p: float, c: MoveCtx) -> Delta:
    s = 1.0
    if 0.25 <= p < 0.4:
        s = 1 - 0.97 * ease_in_quad(segment(p, 0.25, 0.4))
    elif 0.4 <= p < 0.75:
        s = 0.03 + 0.97 * ease_out_back(segment(p, 0.4, 0.75), 1.70158 * c.amount)
    return Delta(sx=s, sy=s)


def tilt(p: float, c: MoveCtx) -> Delta:
    hold = smoothstep(segment(p, 0.0, 0.3)) - smoothstep(segment(p, 0.6, 0.9))
    return Delta(angle=12.0 * c.amount * c.sign * hold)


def wave_(p: float, c: MoveCtx) -> Delta:
    a = c.amount

    def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        dx = 0.05 * a * np.sin(2 * math.pi * (p - 1.2 * v)) * (0.3 + 0.7 * np.clip(1 - v, 0, 1))
        return dx, np.zeros_like(v)

    return Delta(warp=warp)


def flip(p: float, c: MoveCtx) -> Delta:
    e = ease_in_out_sine(p)
    depth = min(c.amount, 1.0)
    return Delta(sx=1 - (1 - math.cos(2 * math.pi * e)) * depth, sy=1 + 0.04 * depth * bump(p))


def dance(p: float, c: MoveCtx) -> Delta:
    a = c.amount
    bob = math.sin(2 * math.pi * p) ** 2
    return Delta(
        tx=0.04 * a * wave(p), ty=-0.05 * a * bob, angle=8.0 * a * wave(p), sy=1 + 0.03 * a * bob
    )


def breathe(p: float, c: MoveCtx) -> Delta:
    b = bump(p)
    return Delta(sy=1 + 0.05 * c.amount * b, sx=1 + 0.02 * c.amount * b)


def still(p: float, c: MoveCtx) -> Delta:
    """No body motion: part moves (blink, look, talk, wave_arm, ...) move parts of the rig."""
    return Delta()
