"""Fault injection through the Python API: brush strokes and slots that are not what they
should be, remote masks that do not fit their frames (good frames kept, bad ones named),
images with no character, output paths, and recovery after a killed process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studio.errors import FrameError, InputError, MaskError, NoCharacter
from studio.pipeline import Studio
from studio.project import Project
from studio.recovery import job_marker, sweep
from studio.remote import wire
from studio.remote.fake import FakeEndpoint
from studio.types import Candidate, Slot
from tests.conftest import EXAMPLES
from tests.helpers import empty_image
from tests.test_faults_cli import mask_answer


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def generated(studio: Studio) -> Project:
    project = studio.new_project(EXAMPLES / "blob.png")
    studio.generate(project, studio.motion_spec(preset="bounce", frames=6), size=(64, 64),
                    candidates=2)
    return project


def test_nan_or_misshapen_brush_stroke_is_refused_and_changes_nothing(
    studio: Studio, generated: Project
) -> None:
    before = generated.chosen_frames()[0].copy()
    manifest = json.dumps(generated.manifest)
    stroke = np.zeros((64, 64), np.float32)
    stroke[10:20, 10:20] = np.nan
    bad = [
        (stroke, "NaN"),
        (np.full((64, 64), np.inf, np.float32), "NaN or ∞"),
        (np.ones((32, 32), np.float32), "64×64"),
        (np.ones((64, 64, 4), np.float32), "64×64"),
        (np.full((64, 64), 3.0, np.float32), "[0, 1]"),
        (np.array([["a"] * 64] * 64), "numeric"),
    ]
    for s, words in bad:
        with pytest.raises(InputError, match=words.replace("[", r"\[").replace("]", r"\]")):
            studio.paint_frame(generated, 0, s, erase=True)
    again = studio.open(generated.id)
    assert np.array_equal(again.chosen_frames()[0], before)
    assert json.dumps(again.manifest) == manifest
    ok = np.zeros((64, 64), np.float32)
    ok[:8, :8] = 1
    studio.paint_frame(generated, 0, ok, erase=True)  # a real stroke still works
    assert studio.open(generated.id).chosen_frames()[0][2, 2, 3] == 0


@pytest.mark.parametrize("slot", [2.5, "3", True, None, float("nan"), -1, 6, [1]])
def test_slots_that_are_not_whole_numbers_are_input_errors(
    studio: Studio, generated: Project, slot: Any
) -> None:
    with pytest.raises(InputError, match="slot must be between 0 and 5"):
        studio.regenerate(generated, slot)
    with pytest.raises(InputError, match="slot must be between 0 and 5"):
        studio.choose(generated, slot, 0)
    with pytest.raises(InputError, match="slot must be between 0 and 5"):
        studio.set_duration(generated, slot, 100)
    with pytest.raises(InputError, match="slot must be between 0 and 5"):
        studio.paint_frame(generated, slot, np.ones((64, 64), np.float32), erase=True)


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"candidates": 2.5}, "candidates must be a whole number between 1 and 8, got 2.5"),
        ({"candidates": "2"}, "candidates must be a number between 1 and 8, got '2'"),
        ({"size": (64.5, 64)}, "width must be a whole number"),
        ({"size": (64, float("nan"))}, "height must be a number"),
        ({"size": 64}, "size must be (width, height)"),
        ({"seed": 1.5}, "seed must be a whole number"),
    ],
)
def test_generate_numbers_are_checked_with_the_products_error(
    studio: Studio, generated: Project, kwargs: dict, words: str
) -> None:
    before = json.dumps(generated.manifest["slots"])
    with pytest.raises(InputError, match=words.replace("(", r"\(").replace(")", r"\)")):
        studio.generate(generated, studio.motion_spec(frames=4), **{"size": (64, 64), **kwargs})
    with pytest.raises(InputError, match="frames must be a whole number"):
        studio.motion_spec(frames=4.5)
    with pytest.raises(InputError, match="fps must be a number"):
        studio.motion_spec(fps=None)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="candidates must be a whole number"):
        studio.regenerate(generated, 0, candidates=1.5)
    assert json.dumps(studio.open(generated.id).manifest["slots"]) == before


def test_a_local_segmenter_failing_on_some_frames_keeps_the_rest(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CPU path (run_frames) too: good masks stored as they arrive, each failure named."""
    from studio.errors import BackendUnavailable
    from studio.types import Mask

    class Flaky:
        name = "flaky"

        def segment(self, image: np.ndarray, prompt: Any = None) -> Mask:
            index = int(image[0, 0, 0]) // 10
            h, w = image.shape[:2]
            if index == 2:
                raise BackendUnavailable("the model fell over")
            if index == 5:
                return Mask(np.ones((h // 2, w), np.float32), "flaky")
            if index == 7:
                return Mask(np.full((h, w), np.nan, np.float32), "flaky")
            return Mask(np.ones((h, w), np.float32), "flaky")

    project = frame_project(studio, 9)
    monkeypatch.setattr(studio, "backend", lambda kind, name=None: Flaky())
    with pytest.raises(FrameError) as info:
        studio.segment_frames(project, "flaky")
    assert sorted(info.value.errors) == [2, 5, 7]
    text = str(info.value)
    assert "3 of 9 masks failed (the 6 good ones are kept)" in text
    assert "frame #2: the model fell over" in text and "40×24 px but its frame is 40×48" \
        in text and "frame #7: the mask holds values outside [0, 1] (or NaN)" in text
    stored = [bool(r["candidates"][0].get("mask_file"))
              for r in studio.open(project.id).manifest["slots"]]
    assert stored == [i not in (2, 5, 7) for i in range(9)]


def test_numpy_and_whole_float_slots_are_fine(studio: Studio, generated: Project) -> None:
    studio.choose(generated, np.int64(1), 1.0)
    assert generated.slot_record(1)["chosen"] == 1
    with pytest.raises(InputError, match="take must be between 0 and 1, got 2"):
        studio.choose(generated, 1, 2)
    with pytest.raises(InputError, match="frame duration"):
        studio.set_duration(generated, 1, float("nan"))


def test_no_character_refused_before_the_cutout_is_stored(studio: Studio, tmp_path: Path) -> None:
    for name in ("all-white", "all-transparent"):
        project = studio.new_project(empty_image(name, tmp_path))
        with pytest.raises(NoCharacter, match="no character found"):
            studio.segment_source(project)
        assert studio.open(project.id).manifest["cutout"] is None


def test_studio_upload_without_a_character_makes_no_project(studio: Studio, tmp_path: Path) -> None:
    from studio.ui import handlers as H

    for name in ("all-white", "all-transparent"):
        with pytest.raises(NoCharacter, match=f"no character found in {name}.png"):
            H.new_project(studio, empty_image(name, tmp_path))
    assert Project.list_recent(studio.settings) == []


def test_export_paths_checked_before_encoding(studio: Studio, generated: Project,
                                              tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a folder"):
        studio.export(generated, "line-emoji", tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        studio.export(generated, "line-emoji", tmp_path / "a" / "b" / "x.png")
    with pytest.raises(InputError, match="does not exist"):
        studio.export_set([generated], "line-emoji", tmp_path / "a" / "s.zip")
    assert not (tmp_path / "a").exists()
    assert generated.manifest["exports"] == []


# ------------------------------------------------------------------ remote frames
FAULTS = {1: "small", 4: "rgb", 6: "garbage", 8: "fg-size", 11: "no-mask"}


def frame_project(studio: Studio, n: int = 12) -> Project:
    """A project whose n frames are RGB (no alpha: they need segmenting); frame i's corner
    pixel is 10·i so the fake worker knows which frame it answers."""
    project = studio.new_project(EXAMPLES / "blob.png")
    slots = []
    for i in range(n):
        rgb = np.full((48, 40, 3), 255, np.uint8)
        rgb[12:36, 10:30] = (200, 60, 60)
        rgb[0, 0] = (10 * i, 0, 0)
        slots.append(Slot(i, [Candidate(f"c{i}", {"seed": i}, rgb=rgb)]))
    project.set_animation(studio.motion_spec(frames=n), "remote", (40, 48), slots)
    return project


def respond(payload: dict[str, Any]) -> dict[str, Any]:
    image = wire.decode_image(payload["image"])
    index = int(image[0, 0, 0]) // 10
    return mask_answer(FAULTS.get(index, ""), image.shape[0], image.shape[1])


def test_segment_frames_keeps_good_remote_masks_and_names_each_bad_one(
    studio: Studio, monkeypatch: pytest.MonkeyPatch
) -> None:
    with FakeEndpoint(respond) as ep:
        monkeypatch.setenv("STUDIO_WORKER_URL", ep.url)
        project = frame_project(studio)
        with pytest.raises(FrameError) as info:
            studio.segment_frames(project, "remote:segment")
    err = info.value
    assert sorted(err.errors) == sorted(FAULTS)
    text = str(err)
    assert text.startswith("5 of 12 masks failed (the 7 good ones are kept)")
    assert "frame #1: " in text and "64×48 px but its frame is 40×48 px" in text
    assert "frame #4: " in text and "greyscale" in text
    assert "frame #11: " in text and "no mask" in text
    again = studio.open(project.id)
    for i, rec in enumerate(again.manifest["slots"]):
        cand = rec["candidates"][0]
        assert bool(cand.get("mask_file")) == (i not in FAULTS), i
    good = again.load_candidate(0).image()
    assert good.shape == (48, 40, 4) and good[24, 20, 3] == 255 and good[2, 2, 3] == 0
    # the bad frames can be redone: a worker that answers well now fills in the rest
    with FakeEndpoint(lambda p: mask_answer("", *wire.decode_image(p["image"]).shape[:2])) as ep:
        monkeypatch.setenv("STUDIO_WORKER_URL", ep.url)
        fresh = Studio(studio.settings)
        assert fresh.segment_frames(again, "remote:segment") == 5
    assert len(studio.open(project.id).chosen_frames()) == 12


def test_remote_segment_of_the_source_is_checked(studio: Studio,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    with FakeEndpoint(lambda p: mask_answer("small", 8, 8)) as ep:
        monkeypatch.setenv("STUDIO_WORKER_URL", ep.url)
        project = studio.new_project(EXAMPLES / "cat.png")
        with pytest.raises(MaskError, match="64×48 px but its frame is 384×384 px"):
            studio.segment_source(project, "remote:segment")
    assert studio.open(project.id).manifest["cutout"] is None


# ------------------------------------------------------------------ recovery
def test_sweep_marks_dead_jobs_interrupted_and_keeps_live_ones(studio: Studio) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    killed = studio.new_project(EXAMPLES / "blob.png")
    running = studio.new_project(EXAMPLES / "blob.png")
    for project, pid in ((killed, dead.pid), (running, os.getpid())):
        project.manifest["job"] = {"kind": "generate", "pid": pid, "host": os.uname().nodename,
                                   "started": time.time()}
        project.save()
    report = sweep(studio.settings)
    assert report.interrupted == [killed.id]
    summaries = {s.id: s for s in Project.list_recent(studio.settings)}
    assert summaries[killed.id].status.startswith("interrupted (generate)")
    assert summaries[running.id].status == "generate running"
    # generating again clears the mark
    again = studio.open(killed.id)
    studio.generate(again, studio.motion_spec(frames=4), size=(48, 48))
    assert "interrupted" not in studio.open(killed.id).manifest


def test_failed_generation_keeps_the_previous_animation(studio: Studio,
                                                        generated: Project) -> None:
    before = json.dumps(generated.manifest["slots"])
    with pytest.raises(InputError):
        studio.generate(generated, studio.motion_spec(frames=4), size=(48, 48),
                        generator="nope")
    with pytest.raises(KeyError), job_marker(generated, "generate"):
        raise KeyError("a bug")
    m = studio.open(generated.id).manifest
    assert json.dumps(m["slots"]) == before and "job" not in m and "interrupted" not in m
