"""Easing curves and periodic windows over a phase in [0, 1] (plain float math).

Every function maps a phase ``p`` in [0, 1] to a value; curves are 0 at p=0 and 1 at p=1
unless stated, so a move built from them starts and ends at rest.
"""

from __future__ import annotations

import math


def clamp01(p: float) -> float:
    return 0.0 if p < 0.0 else 1.0 if p > 1.0 else p


def smoothstep(p: float) -> float:
    p = clamp01(p)
    return p * p * (3.0 - 2.0 * p)


def ease_in_out_sine(p: float) -> float:
    return 0.5 - 0.5 * math.cos(math.pi * clamp01(p))


def ease_in_quad(p: float) -> float:
    p = clamp01(p)
    return p * p


def ease_out_quad(p: float) -> float:
    p = clamp01(p)
    return 1.0 - (1.0 - p) * (1.0 - p)


def ease_out_back(p: float, overshoot: float = 1.70158) -> float:
    """Overshoots past 1 then settles (pop)."""
    p = clamp01(p) - 1.0
    return 1.0 + p * p * ((overshoot + 1.0) * p + overshoot)


def ease_out_elastic(p: float, bounces: float = 2.0) -> float:
    """Springs past 1 a few times with decaying amplitude; exactly 0 at p=0 and 1 at p=1."""
    p = clamp01(p)
    if p in (0.0, 1.0):
        return p
    return 1.0 + math.pow(2.0, -9.0 * p) * math.sin((p * bounces * 2.0 - 0.5) * math.pi) * (1 - p)


def bump(p: float) -> float:
    """sin²(πp): 0 at both ends, 1 in the middle, smooth and 1-periodic."""
    return math.sin(math.pi * p) ** 2


def segment(p: float, a: float, b: float) -> float:
    """Phase p re-mapped to [0, 1] inside [a, b] (clamped outside)."""
    return clamp01((p - a) / (b - a))


def window_bump(p: float, a: float, b: float) -> float:
    """A bump that lives only inside [a, b] (0 outside)."""
    return bump(segment(p, a, b)) if a <= p <= b else 0.0


def wave(p: float, cycles: float = 1.0) -> float:
    """sin(2π·cycles·p): 0 at p=0, periodic."""
    return math.sin(2.0 * math.pi * cycles * p)
