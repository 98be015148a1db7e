"""Fit a MotionSpec to a character's rig: part moves the rig cannot play are skipped, and
the interpretation says so (like words the parser did not understand).

- A part move (blink, look, talk, wave_arm, wiggle_ears, wag_tail) whose part the rig did
  not find is dropped, with a note: "blink skipped: no eyes found on this character".
- "wave" typed in a motion prompt means waving a hand when the rig has an arm: it becomes
  wave_arm (noted). Without an arm it stays the whole-body wave (a flag-like ripple); the
  wave preset chosen from the menu is never changed.
"""

from __future__ import annotations

from dataclasses import replace

from studio.motion.presets import get_preset
from studio.motion.rig.model import Rig
from studio.motion.spec import describe_spec
from studio.types import MotionSpec

PART_WORDS = {"eye": "eyes", "mouth": "mouth", "arm": "arm or paw", "ear": "ears",
              "tail": "tail", "leg": "legs"}


def needs_rig(spec: MotionSpec) -> bool:
    """Whether the spec has a move that depends on the rig (a part move, or a prompted
    "wave" that may become wave_arm)."""
    return any(get_preset(m.name).needs or (m.name == "wave" and spec.prompt)
               for m in spec.moves)


def bind_to_rig(spec: MotionSpec, rig: Rig | None) -> MotionSpec:
    """The spec this character can play (the same spec when nothing changes).

    rig None means no rig could be made (no cut-out): every part move is skipped."""
    moves = []
    notes = []
    for m in spec.moves:
        needs = get_preset(m.name).needs
        if needs and (rig is None or not rig.of_kind(needs)):
            what = m.name.replace("_", " ")
            notes.append(f"{what} skipped: no {PART_WORDS.get(needs, needs)} found on this "
                         "character (fix the rig in the studio to add one)")
            continue
        if m.name == "wave" and spec.prompt:
            if rig is not None and rig.of_kind("arm"):
                m = replace(m, name="wave_arm", direction=None)
                notes.append("wave: the character has an arm, so it waves it")
            else:
                notes.append("wave: no arm found, so the whole body waves like a flag")
        moves.append(m)
    if not notes:
        return spec
    out = replace(spec, moves=tuple(moves))
    return replace(out, interpretation=describe_spec(out, notes))
