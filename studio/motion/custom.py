"""Register a new motion move at run time: it becomes a preset and a word of the prompt parser.

    def shimmy(p: float, c: MoveCtx) -> Delta:      # p: phase in [0, 1) of one cycle
        return Delta(tx=0.04 * c.amount * math.sin(4 * math.pi * p))

    register_move("shimmy", shimmy, "shimmies its shoulders", words=("shoulders",))
    preset_spec("shimmy")                            # a preset like any other
    parse_motion_prompt("big shimmy then spin")      # and a word the parser knows

A move function maps (phase p in [0, 1), MoveCtx) to a Delta (translations in units of the
character's height, angles in degrees clockwise, scales about the pivot). It must be at rest
at p = 0 unless ``continuous=True``, so any whole number of cycles loops seamlessly.
Registrations live in this process only: a project saved with a custom move needs the same
registration before it is re-rendered in a new process.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

from studio.errors import InputError
from studio.motion import vocabulary as vocab
from studio.motion.moves import MoveCtx
from studio.motion.parser import classify
from studio.motion.presets import PRESETS, MoveFn, PresetDef, PresetInfo
from studio.motion.transforms import Delta

PIVOTS = {"bottom": (0.5, 1.0), "centre": (0.5, 0.5), "center": (0.5, 0.5), "top": (0.5, 0.0)}
_WORD = re.compile(r"[a-z]+")
_REST_TOLERANCE = 1e-3

__all__ = ["Delta", "MoveCtx", "register_move", "unregister_move"]


def _check_rest(name: str, fn: MoveFn) -> None:
    d = fn(0.0, MoveCtx())
    if not isinstance(d, Delta):
        raise InputError(f"move {name!r} must return a Delta, got {type(d).__name__}")
    off = max(abs(d.tx), abs(d.ty), abs(d.angle) / 360, abs(d.sx - 1), abs(d.sy - 1))
    if off > _REST_TOLERANCE or d.warp is not None:
        raise InputError(
            f"move {name!r} is not at rest at phase 0 (got {d}); make it return Delta() at "
            "p=0 so the loop is seamless, or register it with continuous=True"
        )


def _check_words(name: str, words: Sequence[str]) -> tuple[str, ...]:
    out = []
    for w in (name, *words):
        w = str(w).strip().lower()
        if not _WORD.fullmatch(w):
            raise InputError(f"a move word must be letters a-z only, got {w!r}")
        known = classify(w)
        if known is not None and known != ("move", name):
            raise InputError(
                f"the word {w!r} already means {known[0]} {known[1]!r} to the motion parser; "
                "choose another word"
            )
        out.append(w)
    return tuple(dict.fromkeys(out))


def register_move(
    name: str,
    fn: MoveFn,
    description: str,
    *,
    words: Sequence[str] = (),
    pivot: str | tuple[float, float] = "bottom",
    default_count: int = 1,
    directions: Sequence[str] = (),
    min_frames: int = 4,
    continuous: bool = False,
    replace: bool = False,
) -> PresetInfo:
    """Add move `fn` as the motion preset `name`, and `name` plus `words` to the prompt parser.

    pivot: "bottom" | "centre" | "top" or (x, y) as fractions of the character's bbox.
    directions: the Move.direction values it reads through ``MoveCtx.direction`` / ``.sign``
    (left, right, up, down, cw, ccw, in, out). replace: allow redefining a move registered
    here before (built-in presets can't be replaced). Raises InputError on a bad argument.
    """
    name = str(name).strip().lower()
    if not _WORD.fullmatch(name):
        raise InputError(f"a move name must be letters a-z only, got {name!r}")
    if name in PRESETS and not (replace and name in _REGISTERED):
        hint = " (pass replace=True to redefine it)" if name in _REGISTERED else ""
        raise InputError(f"the motion preset {name!r} already exists{hint}")
    if not callable(fn):
        raise InputError(f"fn must be a function (p, ctx) -> Delta, got {fn!r}")
    if isinstance(pivot, str):
        if pivot not in PIVOTS:
            raise InputError(f"pivot must be one of {', '.join(PIVOTS)} or (x, y), got {pivot!r}")
        pivot = PIVOTS[pivot]
    px, py = (float(v) for v in pivot)
    if not (0 <= px <= 1 and 0 <= py <= 1):
        raise InputError(f"pivot must be fractions of the bbox in [0, 1], got {pivot!r}")
    bad = [d for d in directions if d not in vocab.DIRECTION_WORDS]
    if bad:
        raise InputError(
            f"unknown direction(s) {bad}; known directions: {', '.join(vocab.DIRECTION_WORDS)}"
        )
    if not 1 <= int(default_count) <= vocab.MAX_COUNT:
        raise InputError(f"default_count must be between 1 and {vocab.MAX_COUNT}, "
                         f"got {default_count!r}")
    if not 2 <= int(min_frames) <= 60:
        raise InputError(f"min_frames must be between 2 and 60, got {min_frames!r}")
    if not continuous:
        _check_rest(name, fn)
    all_words = _check_words(name, words)
    mid = fn(0.5, MoveCtx())  # a broken function fails here, not mid-render
    if not isinstance(mid, Delta) or any(
        not math.isfinite(v) for v in (mid.tx, mid.ty, mid.angle, mid.sx, mid.sy)
    ):
        raise InputError(f"move {name!r} must return a finite Delta, got {mid!r} at p=0.5")
    if name in _REGISTERED:
        unregister_move(name)
    PRESETS[name] = PresetDef(
        name, str(description), fn, (px, py), int(default_count), 1.0, tuple(directions),
        0, bool(continuous), int(min_frames),
    )
    for w in all_words:
        vocab.MOVES[w] = name
    _REGISTERED[name] = all_words
    return PresetInfo(name, str(description), int(default_count), tuple(directions), False)


def unregister_move(name: str) -> None:
    """Remove a move added with register_move (InputError for built-in or unknown names)."""
    if name not in _REGISTERED:
        raise InputError(f"{name!r} is not a move added with register_move")
    for w in _REGISTERED.pop(name):
        vocab.MOVES.pop(w, None)
    PRESETS.pop(name, None)


_REGISTERED: dict[str, tuple[str, ...]] = {}
