from __future__ import annotations

import json
import os

import numpy as np
import pytest

from studio.errors import ProjectError
from studio.fileio import atomic_write_bytes
from studio.ingest import from_array
from studio.project import SCHEMA_VERSION, Project, validate_id
from studio.types import Candidate, Mask, MotionSpec, Move, Slot
from tests.helpers import face_rgba


def make_slots(n: int = 4, k: int = 2) -> list[Slot]:
    slots = []
    for i in range(n):
        cands = []
        for j in range(k):
            img = face_rgba(32)
            img[..., 0] = (i * 40 + j) % 255
            cands.append(Candidate(f"s{i}c{j}", {"backend": "test", "seed": j}, rgba=img))
        slots.append(Slot(i, cands))
    return slots


def test_create_open_resume(settings) -> None:
    p = Project.create("demo", settings)
    p.set_source(from_array(face_rgba(64), "face.png"))
    spec = MotionSpec((Move("bounce"),), frames=4, fps=8)
    p.set_animation(spec, "procedural", (32, 32), make_slots())
    p.choose(2, 1)

    again = Project.open(p.id, settings)
    assert again.manifest["schema"] == SCHEMA_VERSION
    assert again.motion == spec
    slots = again.load_slots()
    assert len(slots) == 4 and slots[2].chosen == 1
    assert slots[2].current.rgba[0, 0, 0] == (2 * 40 + 1) % 255
    assert np.array_equal(again.load_source().image, face_rgba(64))
    assert [s.id for s in Project.list_recent(settings)] == [p.id]


def test_retry_appends_and_old_files_are_collected(settings) -> None:
    p = Project.create("demo", settings)
    p.set_source(from_array(face_rgba(64)))
    p.set_animation(MotionSpec((Move("spin"),), frames=4), "procedural", (32, 32), make_slots())
    first_files = set((p.path / "candidates").iterdir())
    p.add_candidates(1, [Candidate("retry", {"backend": "test"}, rgba=face_rgba(32))])
    assert p.manifest["slots"][1]["chosen"] == 2
    # a new animation is a new version: the old one (with the retry) stays on disk
    p.set_animation(MotionSpec((Move("hop"),), frames=4), "procedural", (32, 32), make_slots())
    now = set((p.path / "candidates").iterdir())
    assert first_files <= now and len(now) == 8 + 9
    assert [v["version"] for v in p.versions()] == [1, 2] and p.versions()[1]["current"]
    # replaced pixels (a re-render) are collected
    old = p.path / p.manifest["slots"][0]["candidates"][0]["file"]
    p.replace_candidate_images({(0, 0): face_rgba(32)})
    assert not old.exists() and len(set((p.path / "candidates").iterdir())) == 8 + 9


def test_masks_round_trip(settings) -> None:
    p = Project.create("rgb", settings)
    rgb = np.full((16, 16, 3), 200, np.uint8)
    p.set_animation(
        MotionSpec((Move("spin"),), frames=2),
        "x",
        (16, 16),
        [Slot(0, [Candidate("a", {}, rgb=rgb)]), Slot(1, [Candidate("b", {}, rgb=rgb)])],
    )
    alpha = np.zeros((16, 16), np.float32)
    alpha[4:12, 4:12] = 1
    p.set_candidate_mask(1, 0, Mask(alpha, "classical", 0.9))
    c = Project.open(p.id, settings).load_candidate(1)
    assert c.mask is not None and c.mask.backend == "classical"
    assert np.allclose(c.mask.alpha, alpha)
    assert c.image()[0, 0, 3] == 0 and c.image()[8, 8, 3] == 255


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", "UPPER", "x" * 80, "..", "a b"])
def test_invalid_ids_rejected(bad: str, settings) -> None:
    with pytest.raises(ProjectError, match="invalid project id"):
        Project.open(bad, settings)
    with pytest.raises(ProjectError):
        validate_id(bad)


def test_missing_and_newer_projects(settings) -> None:
    with pytest.raises(ProjectError, match="no project"):
        Project.open("20990101-000000-abcdef", settings)
    p = Project.create("x", settings)
    m = json.loads((p.path / "manifest.json").read_text())
    m["schema"] = SCHEMA_VERSION + 1
    (p.path / "manifest.json").write_text(json.dumps(m))
    with pytest.raises(ProjectError, match="newer"):
        Project.open(p.id, settings)


def test_bad_choice_changes_nothing(settings) -> None:
    p = Project.create("x", settings)
    p.set_animation(MotionSpec((Move("spin"),), frames=4), "procedural", (32, 32), make_slots())
    before = (p.path / "manifest.json").read_bytes()
    with pytest.raises(ProjectError, match="candidates 0-1"):
        p.choose(0, 5)
    with pytest.raises(ProjectError, match="slot must be between 0 and 3"):
        p.choose(9, 0)
    assert (p.path / "manifest.json").read_bytes() == before


def test_atomic_write_keeps_old_file_on_failure(tmp_path, monkeypatch) -> None:
    target = tmp_path / "manifest.json"
    atomic_write_bytes(target, b"old")

    def boom(*a, **k):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write_bytes(target, b"new")
    assert target.read_bytes() == b"old"
    assert [f.name for f in tmp_path.iterdir()] == ["manifest.json"]  # no temp file left
