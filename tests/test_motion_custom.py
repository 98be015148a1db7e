"""Registering a new move at run time through the public API."""

from __future__ import annotations

import math

import numpy as np
import pytest

from studio.errors import InputError
from studio.motion import (
    list_presets,
    parse_motion_prompt,
    preset_spec,
    register_move,
    render_frames,
    unregister_move,
)
from studio.motion.custom import Delta, MoveCtx
from tests.helpers import face_rgba


def shimmy(p: float, c: MoveCtx) -> Delta:
    s = math.sin(2 * math.pi * p)
    return Delta(tx=0.05 * c.amount * s * c.sign, angle=5 * c.amount * s)


@pytest.fixture
def registered():
    info = register_move(
        "shimmy",
        shimmy,
        "shimmies side to side",
        words=("shimmies",),
        directions=("left", "right"),
        replace=True,
    )
    yield info
    unregister_move("shimmy")


def test_registered_move_is_a_preset_and_a_prompt_word(registered) -> None:
    assert registered.name == "shimmy"
    assert "shimmy" in [p.name for p in list_presets()]
    spec = parse_motion_prompt("big shimmy left then spin", frames=12)
    assert [m.name for m in spec.moves] == ["shimmy", "spin"]
    assert spec.moves[0].direction == "left"
    frames = render_frames(face_rgba(64), preset_spec("shimmy", frames=8, fps=8), size=(64, 64))
    assert len(frames) == 8 and not np.array_equal(frames[0], frames[2])


def test_bad_registrations_are_refused() -> None:
    with pytest.raises(InputError, match="already exists"):
        register_move("bounce", shimmy, "no")
    with pytest.raises(InputError, match="letters"):
        register_move("my move!", shimmy, "no")
    with pytest.raises(InputError, match="rest"):
        register_move("drift", lambda p, c: Delta(tx=0.2), "never returns to rest")
    assert "drift" not in [p.name for p in list_presets()]


def test_unregistered_move_is_gone(registered) -> None:
    unregister_move("shimmy")
    assert "shimmy" not in [p.name for p in list_presets()]
    with pytest.raises(InputError):
        preset_spec("shimmy")
    register_move("shimmy", shimmy, "again", replace=True)  # the fixture removes it
