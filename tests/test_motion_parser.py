"""The custom motion prompt parser and preset specs (studio.motion)."""

from __future__ import annotations

import pytest

from studio.errors import InputError, PromptError
from studio.motion import (
    describe_spec,
    list_effects,
    list_presets,
    parse_motion_prompt,
    preset_spec,
)
from studio.types import MotionSpec


def names(spec: MotionSpec) -> list[str]:
    return [m.name for m in spec.moves]


def test_presets_and_effects_are_listed():
    presets = {p.name: p for p in list_presets()}
    required = {
        "bounce", "squash", "hop", "spin", "shake", "wobble", "sway", "nod", "pulse", "float",
        "zoom", "jelly", "peek", "popin",
    }
    assert required <= set(presets)
    assert len(presets) >= 14
    assert all(p.description for p in presets.values())
    assert presets["shake"].random and not presets["bounce"].random
    effects = {e.name for e in list_effects()}
    assert len(effects) >= 6
    assert {"sparkles", "hearts", "sweat", "anger", "speed_lines", "zzz"} <= effects


def test_subtle_bounce():
    spec = parse_motion_prompt("subtle bounce")
    assert names(spec) == ["bounce"]
    m = spec.moves[0]
    assert m.amount == pytest.approx(0.5)
    assert (m.start, m.end) == (0.0, 1.0)
    assert spec.prompt == "subtle bounce"
    assert spec.unknown_words == ()
    assert "bounce (subtle, 50%)" in spec.interpretation
    assert "whole loop" in spec.interpretation


def test_slow_zoom_then_shake_is_a_sequence():
    spec = parse_motion_prompt("slow zoom then shake", frames=16)
    assert names(spec) == ["zoom", "shake"]
    zoom, shake = spec.moves
    assert zoom.speed < 1 and shake.speed == 1
    assert (zoom.start, zoom.end) == (0.0, 0.5)
    assert (shake.start, shake.end) == (0.5, 1.0)
    assert "; then shake" in spec.interpretation
    assert spec.frames == 16


def test_three_steps_split_the_loop_in_thirds():
    spec = parse_motion_prompt("bounce then spin then shake")
    spans = [(round(m.start, 3), round(m.end, 3)) for m in spec.moves]
    assert spans == [(0.0, 0.333), (0.333, 0.667), (0.667, 1.0)]


def test_big_jelly_wobble_plays_both_together():
    spec = parse_motion_prompt("big jelly wobble")
    assert names(spec) == ["jelly", "wobble"]
    assert all(m.amount == pytest.approx(1.5) for m in spec.moves)
    assert all((m.start, m.end) == (0.0, 1.0) for m in spec.moves)
    assert "together with" in spec.interpretation


@pytest.mark.parametrize("text", ["hop 3 times", "hop x3", "3x hop", "hop thrice", "3 hops"])
def test_counts(text):
    m = parse_motion_prompt(text, frames=24).moves[0]
    assert (m.name, m.count) == ("hop", 3)


def test_count_words():
    assert parse_motion_prompt("nod once").moves[0].count == 1
    assert parse_motion_prompt("pulse two times").moves[0].count == 2


@pytest.mark.parametrize(
    ("text", "name", "direction"),
    [
        ("sway left", "sway", "left"),
        ("sway to the right", "sway", "right"),
        ("spin clockwise", "spin", "cw"),
        ("spin counterclockwise", "spin", "ccw"),
        ("spin counter-clockwise", "spin", "ccw"),
        ("rotate anticlockwise", "spin", "ccw"),
        ("zoom in", "zoom", "in"),
        ("zoom out", "zoom", "out"),
        ("shrink", "zoom", "out"),
        ("turn left", "spin", "ccw"),
        ("shake up and down", "shake", None),
        ("shake down", "shake", "down"),
    ],
)
def test_directions(text, name, direction):
    m = parse_motion_prompt(text).moves[0]
    assert (m.name, m.direction) == (name, direction)


def test_direction_that_does_not_apply_is_reported():
    spec = parse_motion_prompt("pulse left")
    assert spec.moves[0].direction is None
    assert "'left' does not apply to pulse" in spec.interpretation


@pytest.mark.parametrize(
    ("text", "effect"),
    [
        ("bounce and sparkles", "sparkles"),
        ("nod with hearts", "hearts"),
        ("shake with sweat", "sweat"),
        ("shake, anger", "anger"),
        ("hop with speed lines", "speed_lines"),
        ("float zzz", "zzz"),
        ("dance with music notes", "music_notes"),
    ],
)
def test_effects_in_the_prompt(text, effect):
    spec = parse_motion_prompt(text)
    assert [e.name for e in spec.effects] == [effect]
    assert len(spec.moves) == 1
    assert effect.replace("_", " ") in spec.interpretation


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("jump", "hop"), ("rotate", "spin"), ("heartbeat", "pulse"), ("heart beat", "pulse"),
        ("wiggle", "jelly"), ("jiggle", "jelly"), ("tremble", "shake"), ("shiver", "shake"),
        ("bouncing", "bounce"), ("spinning", "spin"), ("hopping", "hop"), ("jumps", "hop"),
        ("squash and stretch", "squash"), ("pop-in", "popin"), ("hover", "float"),
        ("rock", "wobble"), ("breathing", "breathe"),
    ],
)
def test_synonyms(text, name):
    assert names(parse_motion_prompt(text)) == [name]


def test_combinations_share_a_span():
    for text in ("bounce and spin", "bounce, spin", "bounce while spinning", "bounce with spin"):
        spec = parse_motion_prompt(text)
        assert names(spec) == ["bounce", "spin"], text
        assert all((m.start, m.end) == (0.0, 1.0) for m in spec.moves)


def test_modifier_only_step_repeats_the_previous_move():
    spec = parse_motion_prompt("zoom in then out")
    assert [(m.name, m.direction) for m in spec.moves] == [("zoom", "in"), ("zoom", "out")]
    assert spec.moves[1].start == 0.5


def test_trailing_modifier_refines_the_clause():
    m = parse_motion_prompt("bounce, slowly").moves[0]
    assert m.speed == pytest.approx(0.5)


def test_intensifiers():
    very_slow = parse_motion_prompt("very slow float").moves[0]
    assert very_slow.speed < 0.5
    very = parse_motion_prompt("very bouncy").moves[0]
    assert very.amount > 1.0
    huge = parse_motion_prompt("huge wild shake").moves[0]
    assert huge.amount == pytest.approx(2.0)  # clamped


def test_filler_words_are_not_unknown():
    spec = parse_motion_prompt("please make it bounce a little")
    assert names(spec) == ["bounce"]
    assert spec.unknown_words == ()
    assert spec.moves[0].amount < 1.0


def test_unknown_words_are_reported():
    spec = parse_motion_prompt("bounce like a flamingo asdf")
    assert names(spec) == ["bounce"]
    assert spec.unknown_words == ("flamingo", "asdf")
    assert "did not understand: flamingo, asdf" in spec.interpretation


def test_effect_only_prompt_keeps_the_character_still():
    spec = parse_motion_prompt("sparkles")
    assert spec.moves == ()
    assert [e.name for e in spec.effects] == ["sparkles"]
    assert "stays still" in spec.interpretation


def test_extra_effects_are_merged():
    spec = parse_motion_prompt("bounce with hearts", effects=["sparkles", "hearts"])
    assert [e.name for e in spec.effects] == ["sparkles", "hearts"]


@pytest.mark.parametrize("text", ["", "   ", "asdf qwer", "the a please"])
def test_meaningless_prompts_raise(text):
    with pytest.raises(PromptError) as e:
        parse_motion_prompt(text)
    msg = str(e.value)
    assert "bounce" in msg and "spin" in msg


def test_meaningless_prompt_echoes_it():
    with pytest.raises(PromptError, match="asdf qwer"):
        parse_motion_prompt("asdf qwer")


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"frames": 0}, "frames must be between 2 and 60, got 0"),
        ({"frames": 61}, "got 61"),
        ({"frames": 1.5}, "1.5"),
        ({"fps": 0}, "fps must be between 1 and 60, got 0"),
        ({"fps": 120.0}, "got 120.0"),
    ],
)
def test_frames_and_fps_are_checked(kwargs, text):
    with pytest.raises(InputError, match=text.replace("(", r"\(")):
        parse_motion_prompt("bounce", **kwargs)
    with pytest.raises(InputError, match=text.replace("(", r"\(")):
        preset_spec("bounce", **kwargs)


def test_interpretation_mentions_capped_counts():
    spec = parse_motion_prompt("spin 6 times", frames=12)
    assert "6 asked" in spec.interpretation and "3 times" in spec.interpretation


def test_explicit_count_with_fast_keeps_the_count_and_rests():
    spec = parse_motion_prompt("spin twice fast", frames=12)
    m = spec.moves[0]
    assert (m.name, m.count, m.speed) == ("spin", 2, 2.0)
    assert "2 times" in spec.interpretation and "then resting" in spec.interpretation


def test_preset_spec():
    spec = preset_spec("jelly", frames=20, fps=20, effects=["hearts"], shadow=True, amount=1.5)
    assert names(spec) == ["jelly"]
    assert spec.moves[0].amount == 1.5
    assert spec.shadow and spec.frames == 20 and spec.fps == 20.0
    assert [e.name for e in spec.effects] == ["hearts"]
    assert spec.interpretation.startswith("jelly (big, 150%) for the whole loop")
    assert spec.prompt is None
    assert MotionSpec.from_dict(spec.to_dict()) == spec


def test_preset_spec_rejects_bad_values():
    with pytest.raises(InputError, match=r"unknown motion preset 'moonwalk'.*bounce"):
        preset_spec("moonwalk")
    with pytest.raises(InputError, match=r"unknown effect 'fireworks'.*sparkles"):
        preset_spec("bounce", effects=["fireworks"])
    with pytest.raises(InputError, match="amount must be between"):
        preset_spec("bounce", amount=0)
    with pytest.raises(InputError, match="speed must be between"):
        preset_spec("bounce", speed=10)


def test_parsed_spec_round_trips_and_redescribes():
    spec = parse_motion_prompt("slow zoom then shake with sparkles")
    again = MotionSpec.from_dict(spec.to_dict())
    assert again == spec
    assert describe_spec(again) == spec.interpretation
