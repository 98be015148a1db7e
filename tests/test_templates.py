"""Prompt templates for image-to-video models: every preset and effect, custom prompts."""

from __future__ import annotations

import pytest

from studio.errors import InputError, PromptError
from studio.generate.templates import (
    MAX_PROMPT_CHARS,
    build_prompt,
    clean_custom_prompt,
    describe_move,
    load_templates,
    video_motion_spec,
)
from studio.motion import list_effects, preset_spec
from studio.motion.presets import PRESETS
from studio.types import Effect, MotionSpec, Move

FRAMING = (
    "one character",
    "full body in frame",
    "plain solid white background",
    "no checkerboard",
    "no camera motion",
)


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_has_body_mechanics_and_framing(name: str) -> None:
    vp = build_prompt(preset_spec(name, frames=12, fps=12))
    text = vp.prompt.lower()
    for phrase in FRAMING:
        assert phrase in text, (name, phrase)
    assert vp.action.startswith("The character ")
    assert "{" not in vp.prompt and "}" not in vp.prompt
    assert len(vp.prompt) < 600  # LTX reads ~128 tokens
    assert vp.negative and "checkerboard" in vp.negative


def test_every_effect_has_a_phrase() -> None:
    names = {e.name for e in list_effects()}
    assert names <= set(load_templates()["effects"])
    spec = MotionSpec(moves=(Move("bounce"),), effects=(Effect("hearts"), Effect("sparkles")))
    prompt = build_prompt(spec).prompt
    assert "hearts" in prompt and "sparkles" in prompt
    with pytest.raises(InputError, match="'glitter'"):
        build_prompt(MotionSpec(moves=(), effects=(Effect("glitter"),)))


def test_move_parameters_become_words() -> None:
    text = describe_move(Move("hop", amount=0.5, speed=1.6, count=2, direction="left"))
    assert "hops to the left" in text
    assert "gently" in text and "quickly" in text and "twice" in text
    assert "straight up" in describe_move(Move("hop"))
    assert "5 times" in describe_move(Move("nod", count=5))
    with pytest.raises(InputError, match="'moonwalk'"):
        describe_move(Move("moonwalk"))


def test_sequences_and_simultaneous_moves() -> None:
    seq = MotionSpec(moves=(Move("nod", start=0, end=0.5), Move("spin", start=0.5, end=1)))
    action = build_prompt(seq).action
    assert action.index("nods") < action.index(", then ") < action.index("turns its whole body")
    together = MotionSpec(moves=(Move("breathe"), Move("tilt")))
    assert ", while " in build_prompt(together).action


def test_custom_prompt_is_inserted_as_written() -> None:
    spec = video_motion_spec("  raises both arms   and laughs.  ", frames=8, fps=8)
    assert spec.prompt == "raises both arms and laughs"
    assert spec.moves == ()  # nothing the procedural parser knows; fine for a video model
    vp = build_prompt(spec, subject="a round orange cat")
    assert vp.prompt.startswith("A round orange cat performs this motion: raises both arms and")
    for phrase in FRAMING:
        assert phrase in vp.prompt.lower()
    known = video_motion_spec("wave hello")
    assert [m.name for m in known.moves] == ["wave"] and known.prompt == "wave hello"


def test_loop_sentence_and_negative_switch() -> None:
    looping = build_prompt(MotionSpec(moves=(Move("bounce"),), loop=True))
    once = build_prompt(MotionSpec(moves=(Move("bounce"),), loop=False), negative=False)
    assert "same pose" in looping.prompt and "same pose" not in once.prompt
    assert once.negative is None
    still = build_prompt(MotionSpec(moves=()))
    assert "stands still" in still.action


def test_custom_prompt_limits() -> None:
    with pytest.raises(PromptError, match="empty"):
        clean_custom_prompt("  . ")
    with pytest.raises(PromptError, match=f"at most {MAX_PROMPT_CHARS} characters, got 241"):
        clean_custom_prompt("a" * 241)
