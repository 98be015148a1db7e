"""Part move curves: phase p in [0, 1) of one cycle → the part's parameter at that instant.

Every curve is at rest (0) at p = 0 and p → 1, so part moves loop seamlessly and chain in
sequences exactly like the whole-body moves (timing comes from studio.motion.timing).

- blink → lid closure in [0, 1] (1 = closed). A blink lasts about BLINK_S seconds (at least
  3 frames) at the start of its cycle, whatever the cycle's length, like a real blink
  (100-400 ms: Stern et al., "Blink rate: a possible measure of fatigue", 1994).
- look → pupil offset in [-1, 1] of its free travel (negative = to the viewer's left).
- talk → mouth opening in [0, ~1.5] (vertical stretch factor − 1, before the gain).
- wave_arm, wiggle_ears, wag_tail → rotation in degrees about the part's pivot (clockwise
  positive on screen), before the per-part sign.
"""

from __future__ import annotations

import math

BLINK_S = 0.3
BLINK_MIN_FRAMES = 3


def blink(p: float, amount: float, direction: str | None, frames_per_cycle: float,
          fps: float) -> float:
    window = max(BLINK_MIN_FRAMES, round(BLINK_S * fps)) / max(frames_per_cycle, 1e-6)
    window = min(1.0, window)
    if p >= window:
        return 0.0
    return min(1.0, 1.25 * math.sin(math.pi * p / window))


def look(p: float, amount: float, direction: str | None, frames_per_cycle: float,
         fps: float) -> float:
    a = min(amount, 1.5)
    if direction in ("left", "right"):
        x = min(1.0, 1.5 * math.sin(math.pi * p))
        return a * (-x if direction == "left" else x)
    return -a * max(-1.0, min(1.0, 1.5 * math.sin(2 * math.pi * p)))


def talk(p: float, amount: float, direction: str | None, frames_per_cycle: float,
         fps: float) -> float:
    return amount * math.sin(math.pi * p) ** 2


def wave_arm(p: float, amount: float, direction: str | None, frames_per_cycle: float,
             fps: float) -> float:
    raised = min(1.0, 2.5 * math.sin(math.pi * p))
    return amount * raised * (40.0 + 16.0 * math.sin(4 * math.pi * p))


def wiggle_ears(p: float, amount: float, direction: str | None, frames_per_cycle: float,
                fps: float) -> float:
    return 12.0 * amount * math.sin(2 * math.pi * p)


def wag_tail(p: float, amount: float, direction: str | None, frames_per_cycle: float,
             fps: float) -> float:
    return 20.0 * amount * math.sin(2 * math.pi * p)


CURVES = {
    "blink": blink,
    "look": look,
    "talk": talk,
    "wave_arm": wave_arm,
    "wiggle_ears": wiggle_ears,
    "wag_tail": wag_tail,
}

# the largest |value| a limb curve reaches per unit amount (for the layout)
LIMB_REACH_DEG = {"wave_arm": 56.0, "wiggle_ears": 12.0, "wag_tail": 20.0}
