"""Part moves in the prompt parser, the "not found" interpretation, and the Studio's rig:
stored in the project, fitted to the spec at generate, editable (pivot, re-assign)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.errors import InputError
from studio.motion import parse_motion_prompt
from studio.motion.rig import Rig, detect_rig
from studio.motion.rig.bind import bind_to_rig
from studio.pipeline import Studio
from tests.conftest import EXAMPLES, ROOT
from tests.test_part_moves import critter


def names(text: str, frames: int = 20) -> list[tuple[str, str | None, int | None]]:
    return [(m.name, m.direction, m.count)
            for m in parse_motion_prompt(text, frames=frames).moves]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("blink twice then wave", [("blink", None, 2), ("wave", None, None)]),
        ("blink twice then wave your hand", [("blink", None, 2), ("wave_arm", None, None)]),
        ("wiggle ears", [("wiggle_ears", None, None)]),
        ("look left and right", [("look", None, None)]),
        ("look to the left", [("look", "left", None)]),
        ("glancing right", [("look", "right", None)]),
        ("wag tail", [("wag_tail", None, None)]),
        ("wagging", [("wag_tail", None, None)]),
        ("talk and blink", [("talk", None, None), ("blink", None, None)]),
        ("open mouth", [("talk", None, None)]),
        ("close eyes", [("blink", None, None)]),
        ("flap wings", [("wave_arm", None, None)]),
        ("wink then spin", [("blink", None, None), ("spin", None, None)]),
        ("wiggle", [("jelly", None, None)]),  # alone, still the body
    ],
)
def test_prompt_words_for_part_moves(text, expected):
    assert names(text) == expected


def test_part_move_interpretation_reads_well():
    spec = parse_motion_prompt("look left and right then wiggle ears", frames=20)
    assert spec.interpretation.startswith("look left and right (")
    assert "wiggle ears (" in spec.interpretation and not spec.unknown_words


def test_a_part_noun_without_a_verb_is_not_understood():
    spec = parse_motion_prompt("bounce with ears")
    assert [m.name for m in spec.moves] == ["bounce"] and spec.unknown_words == ("ears",)


FACE_ONLY = detect_rig(critter(arms=False, ears=False))
FULL = detect_rig(critter())


def test_missing_parts_are_skipped_and_said():
    spec = parse_motion_prompt("blink then wiggle ears then wag tail", frames=24)
    bound = bind_to_rig(spec, FACE_ONLY)
    assert [m.name for m in bound.moves] == ["blink"]
    assert "wiggle ears skipped: no ears found" in bound.interpretation
    assert "wag tail skipped: no tail found" in bound.interpretation
    assert bound.moves[0].end == spec.moves[0].end  # the blink keeps its place in the loop


def test_without_a_rig_every_part_move_is_skipped():
    bound = bind_to_rig(parse_motion_prompt("blink and bounce"), None)
    assert [m.name for m in bound.moves] == ["bounce"]
    assert "blink skipped: no eyes found" in bound.interpretation


def test_wave_waves_an_arm_when_there_is_one():
    spec = parse_motion_prompt("blink twice then wave", frames=20)
    with_arm = bind_to_rig(spec, FULL)
    assert [m.name for m in with_arm.moves] == ["blink", "wave_arm"]
    assert "waves it" in with_arm.interpretation
    armless = bind_to_rig(spec, FACE_ONLY)
    assert [m.name for m in armless.moves] == ["blink", "wave"]
    assert "no arm found, so the whole body waves" in armless.interpretation


def test_a_spec_the_rig_can_play_is_unchanged():
    spec = parse_motion_prompt("blink then bounce")
    assert bind_to_rig(spec, FULL) is spec


# ---------------------------------------------------------------------- Studio


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def critter_project(studio: Studio):
    project = studio.new_project(critter(), name="critter")
    studio.segment_source(project)
    return project


def test_rig_is_detected_once_stored_and_reset_by_a_new_cutout(studio, critter_project):
    rig = studio.rig(critter_project)
    assert sorted(p.kind for p in rig.parts).count("eye") == 2
    again = studio.open(critter_project.id)
    assert again.rig_data == rig.to_dict() and studio.rig(again) == rig
    studio.segment_source(again)
    assert again.rig_data is None


def test_generate_blinks_and_stores_the_fitted_spec(studio, critter_project):
    spec = studio.motion_spec(prompt="blink then wag tail", frames=8, fps=8)
    studio.generate(critter_project, spec, size=(96, 96))
    stored = studio.open(critter_project.id).motion
    assert [m.name for m in stored.moves] == ["blink"]
    assert "wag tail skipped: no tail found" in stored.interpretation
    frames = critter_project.chosen_frames()
    assert not all(np.array_equal(f, frames[0]) for f in frames)


def test_move_pivot_and_reassign_parts(studio, critter_project):
    rig = studio.rig(critter_project)
    arm = rig.of_kind("arm")[0]
    moved = studio.move_pivot(critter_project, arm.id, 60.0, 112.0)
    assert moved.get(arm.id).pivot == (60.0, 112.0) and moved.get(arm.id).source == "user"
    assert Rig.from_dict(critter_project.rig_data) == moved
    x, y = arm.centre()
    tail = studio.assign_part(critter_project, x, y, "tail")  # click on the arm: now a tail
    assert arm.id not in {p.id for p in tail.parts} and len(tail.of_kind("tail")) == 1
    gone = studio.assign_part(critter_project, x, y, "none")
    assert not gone.of_kind("tail")
    with pytest.raises(InputError, match="no part at"):
        studio.assign_part(critter_project, x, y, "none")
    with pytest.raises(InputError, match="outside"):
        studio.move_pivot(critter_project, "eye-l", -1, 5)
    with pytest.raises(InputError, match="unknown part kind"):
        studio.assign_part(critter_project, x, y, "nose")


def test_a_click_on_a_region_makes_a_part(studio, critter_project):
    rig = studio.rig(critter_project)
    for eye in rig.of_kind("eye"):
        rig = studio.assign_part(critter_project, *eye.pivot, "none")
    assert not rig.of_kind("eye")
    added = studio.assign_part(critter_project, 78.0, 88.0, "eye")  # the left eye's ink
    eye = added.of_kind("eye")[0]
    assert abs(eye.pivot[0] - 78) < 3 and abs(eye.pivot[1] - 88) < 4 and eye.source == "user"
    with pytest.raises(InputError, match="too large"):
        studio.assign_part(critter_project, 100.0, 150.0, "arm")  # the whole body
    with pytest.raises(InputError, match="not on the character"):
        studio.assign_part(critter_project, 2.0, 2.0, "eye")


def test_set_rig_checks_the_size(studio, critter_project):
    rig = studio.rig(critter_project)
    with pytest.raises(InputError, match="for a 10×10 image"):
        studio.set_rig(critter_project, {"size": [10, 10], "parts": []})
    assert studio.set_rig(critter_project, rig.to_dict()) == rig


def test_cli_make_blink_twice_then_wave(tmp_path: Path):
    out = tmp_path / "cat.png"
    env = {"STUDIO_HOME": str(tmp_path / "home"), "PATH": "/usr/bin:/bin",
           "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    r = subprocess.run(
        [sys.executable, "-m", "studio", "make", str(EXAMPLES / "cat.png"), "--motion",
         "blink twice then wave", "--frames", "16", "-o", str(out)],
        capture_output=True, text=True, env=env, timeout=120,
    )
    assert r.returncode == 0, r.stderr
    assert "blink (normal, 100%, 2 times)" in r.stderr
    assert "no arm found, so the whole body waves" in r.stderr  # the cat is a head
    with Image.open(out) as im:
        assert im.n_frames >= 8
        first = np.asarray(im.convert("RGBA")).copy()
        im.seek(1)
        second = np.asarray(im.convert("RGBA"))
    assert not np.array_equal(first, second)
