"""The motion presets, as data: one row per move.

pivot: (x, y) as fractions of the character's bbox — (0.5, 1.0) is bottom-centre (squash and
hops keep the feet on the ground), (0.5, 0.5) the centre (spins). keys_per_cycle > 0 means the
move has randomness (seeded). continuous: not at rest at phase 0, so it fades in and out when
it plays in only part of the loop. min_frames: frames one cycle needs to read smoothly.
needs: the rig part kind a part move acts on (blink → "eye"); its body move is `still`, and
studio.motion.rig.animate moves the part (the move is skipped where the rig has no such part).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from studio.errors import InputError
from studio.motion import moves
from studio.motion.transforms import Delta

MoveFn = Callable[[float, moves.MoveCtx], Delta]

BOTTOM = (0.5, 1.0)
CENTRE = (0.5, 0.5)
LR = ("left", "right")


@dataclass(frozen=True)
class PresetDef:
    name: str
    description: str
    fn: MoveFn
    pivot: tuple[float, float] = BOTTOM
    default_count: int = 1
    default_amount: float = 1.0
    directions: tuple[str, ...] = ()
    keys_per_cycle: int = 0
    continuous: bool = False
    min_frames: int = 4
    needs: str | None = None

    @property
    def random(self) -> bool:
        return self.keys_per_cycle > 0


PRESETS: dict[str, PresetDef] = {
    p.name: p
    for p in (
        PresetDef("bounce", "bounces on the spot, squashing when it lands", moves.bounce),
        PresetDef("squash", "squash and stretch in place, feet on the ground", moves.squash),
        PresetDef(
            "hop", "crouches, hops up high and lands", moves.hop, directions=LR
        ),
        PresetDef(
            "spin", "spins a full turn around its centre", moves.spin, CENTRE,
            directions=("cw", "ccw"),
        ),
        PresetDef(
            "shake", "shakes nervously (random jitter)", moves.shake, CENTRE, default_count=4,
            directions=("left", "right", "up", "down"), keys_per_cycle=2, min_frames=2,
        ),
        PresetDef("wobble", "rocks side to side like a roly-poly toy", moves.wobble, directions=LR),
        PresetDef("sway", "sways like a plant in the wind (bends)", moves.sway, directions=LR),
        PresetDef("nod", "nods its head", moves.nod, default_count=2, directions=LR),
        PresetDef(
            "pulse", "heartbeat: a double beat of growing", moves.pulse, CENTRE, min_frames=5
        ),
        PresetDef("float", "floats up and down gently", moves.float_, CENTRE),
        PresetDef(
            "zoom", "zooms in (or out) and back", moves.zoom, CENTRE, directions=("in", "out")
        ),
        PresetDef("jelly", "jiggles like jelly (wobbly body)", moves.jelly, min_frames=5),
        PresetDef(
            "peek", "ducks out of sight, peeks up, looks around and pops back", moves.peek,
            directions=LR, min_frames=8,
        ),
        PresetDef(
            "popin", "shrinks away and pops back in with an overshoot", moves.popin, min_frames=8
        ),
        PresetDef("tilt", "tilts its head to one side and back", moves.tilt, directions=LR),
        PresetDef(
            "wave", "a wave runs up its body like a flag", moves.wave_, continuous=True
        ),
        PresetDef("flip", "turns around (mirror flip) and back", moves.flip, CENTRE, min_frames=5),
        PresetDef("dance", "bops side to side to a beat", moves.dance, default_count=2),
        PresetDef("breathe", "breathes slowly in and out", moves.breathe),
        # part moves (need the automatic rig; see studio/motion/rig)
        PresetDef("blink", "blinks: eyelids in the face colour close over its eyes",
                  moves.still, CENTRE, min_frames=3, needs="eye"),
        PresetDef("look", "looks left and right (its pupils move within the eyes)",
                  moves.still, CENTRE, directions=LR, min_frames=4, needs="eye"),
        PresetDef("talk", "opens and closes its mouth", moves.still, CENTRE, default_count=2,
                  min_frames=3, needs="mouth"),
        PresetDef("wave_arm", "raises an arm and waves it", moves.still, directions=LR,
                  min_frames=6, needs="arm"),
        PresetDef("wiggle_ears", "wiggles its ears", moves.still, default_count=2,
                  min_frames=4, needs="ear"),
        PresetDef("wag_tail", "wags its tail", moves.still, default_count=2, min_frames=4,
                  needs="tail"),
    )
}


@dataclass(frozen=True)
class PresetInfo:
    """What the UI shows for a preset."""

    name: str
    description: str
    default_count: int
    directions: tuple[str, ...]
    random: bool
    needs: str | None = None  # the rig part a part move acts on (None: whole-body move)


def get_preset(name: str) -> PresetDef:
    """The preset called `name` (InputError listing the known ones otherwise)."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InputError(
            f"unknown motion preset {name!r}; known presets: {', '.join(PRESETS)}"
        ) from None


def list_presets() -> list[PresetInfo]:
    """All motion presets, in menu order."""
    return [
        PresetInfo(p.name, p.description, p.default_count, p.directions, p.random, p.needs)
        for p in PRESETS.values()
    ]
