"""The `popcon` CLI end to end, as a user runs it (a separate process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import EXAMPLES, MATTING_DEV


def popcon(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "studio", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


def test_make_line_emoji_passes_spec(tmp_path: Path) -> None:
    out = tmp_path / "blob.png"
    r = popcon(
        "make",
        str(EXAMPLES / "blob.png"),
        "--motion",
        "subtle bounce",
        "-o",
        str(out),
        home=tmp_path / "home",
    )
    assert r.returncode == 0, r.stderr
    assert "ok" in r.stdout and "project" in r.stdout
    with Image.open(out) as im:
        assert im.format == "PNG" and getattr(im, "is_animated", False)
        assert im.size == (180, 180)
        assert 5 <= im.n_frames <= 20
        total = 0.0
        for i in range(im.n_frames):
            im.seek(i)
            total += im.info["duration"]
            rgba = np.asarray(im.convert("RGBA"))
            assert (rgba[..., 3] == 0).any() and (rgba[..., 3] == 255).any()
        assert abs(total - round(total / 1000) * 1000) < 2 and 1000 <= round(total) <= 4000
    assert out.stat().st_size <= 300_000

    # the project can be exported again by id
    project_id = r.stdout.strip().rsplit("project ", 1)[1].rstrip(")")
    again = tmp_path / "again.png"
    r2 = popcon(
        "export", project_id, "--preset", "line-emoji", "-o", str(again), home=tmp_path / "home"
    )
    assert r2.returncode == 0, r2.stderr
    assert again.exists()


def test_make_with_preset_motion_effects_candidates(tmp_path: Path) -> None:
    out = tmp_path / "cat.png"
    r = popcon(
        "make",
        str(EXAMPLES / "cat.png"),
        "--preset-motion",
        "spin",
        "--effect",
        "sparkles",
        "--frames",
        "10",
        "--fps",
        "10",
        "--candidates",
        "2",
        "-o",
        str(out),
        home=tmp_path / "home",
    )
    assert r.returncode == 0, r.stderr
    projects = list((tmp_path / "home" / "projects").iterdir())
    manifest = json.loads((projects[0] / "manifest.json").read_text())
    assert len(manifest["slots"]) == 10
    assert all(len(s["candidates"]) == 2 for s in manifest["slots"])


@pytest.mark.parametrize(
    "args, words",
    [
        (["--motion", ""], "motion"),
        (["--motion", "asdf qwer"], "motion"),
        (["--frames", "0"], "frames must be between 2 and 60, got 0"),
        (["--preset", "myspace"], "line-emoji"),
        (["--effect", "fireworkz"], "unknown effect"),
    ],
)
def test_bad_arguments_one_line_and_nonzero(tmp_path: Path, args: list[str], words: str) -> None:
    home = tmp_path / "home"
    r = popcon("make", str(EXAMPLES / "blob.png"), *args, "-o", str(tmp_path / "x.png"), home=home)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("popcon: error:"), r.stderr
    assert words in lines[0]
    assert not (home / "projects").exists() or not any((home / "projects").iterdir())


def test_bad_images(tmp_path: Path) -> None:
    corrupt = tmp_path / "corrupt.png"
    corrupt.write_bytes(b"\x89PNG\r\n\x1a\n" + b"nonsense" * 10)
    from tests.test_ingest import png_with_header

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(png_with_header(50000, 50000))
    for path, words in [
        (corrupt, "corrupt.png"),
        (bomb, "megapixels"),
        (tmp_path / "missing.png", "no such file"),
    ]:
        r = popcon("make", str(path), "-o", str(tmp_path / "x.png"), home=tmp_path / "home")
        assert r.returncode == 2
        assert len(r.stderr.strip().splitlines()) == 1 and words in r.stderr


def test_bad_input_leaves_existing_project_untouched(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = popcon("make", str(EXAMPLES / "star.png"), "-o", str(tmp_path / "a.png"), home=home)
    assert r.returncode == 0, r.stderr
    project = next((home / "projects").iterdir())
    before = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    r = popcon("export", project.name, "--preset", "nope", "-o", str(tmp_path / "b.png"), home=home)
    assert r.returncode == 2
    r = popcon("export", "../../etc", "--preset", "line-emoji", home=home)
    assert r.returncode == 2 and "invalid project id" in r.stderr
    after = {p: p.read_bytes() for p in project.rglob("*") if p.is_file()}
    assert before == after


def test_segment_writes_same_size_rgba(tmp_path: Path) -> None:
    inputs = [EXAMPLES / "blob.png", EXAMPLES / "cat.png"]
    if MATTING_DEV.is_dir():
        inputs.append(MATTING_DEV / "bear__photo_rocket.png")
    out = tmp_path / "cut"
    r = popcon("segment", *map(str, inputs), "--out-dir", str(out), home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    for src in inputs:
        with Image.open(src) as a, Image.open(out / f"{src.stem}.png") as b:
            assert b.mode == "RGBA" and a.size == b.size
            alpha = np.asarray(b)[..., 3]
            assert alpha[0, 0] == 0 and alpha[b.size[1] // 2, b.size[0] // 2] == 255


def test_segment_exclude_point_opens_a_hole(tmp_path: Path) -> None:
    # on white, an enclosed white region is usually paint (a ghost's body), so it stays;
    # one exclude click on the donut's hole makes it see-through
    out = tmp_path / "cut"
    donut = str(EXAMPLES / "donut.png")
    r = popcon("segment", donut, "--out-dir", str(out), home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    assert np.asarray(Image.open(out / "donut.png"))[215, 192, 3] == 255
    r = popcon(
        "segment", donut, "--out-dir", str(out), "--point", "192,215,-", home=tmp_path / "home"
    )
    assert r.returncode == 0, r.stderr
    cut = np.asarray(Image.open(out / "donut.png"))
    assert cut[215, 192, 3] < 30 and cut[120, 192, 3] == 255


def test_segment_bad_point(tmp_path: Path) -> None:
    r = popcon(
        "segment",
        str(EXAMPLES / "blob.png"),
        "--out-dir",
        str(tmp_path),
        "--point",
        "abc",
        home=tmp_path / "home",
    )
    assert r.returncode == 2 and "--point must look like" in r.stderr


def test_motions_lists_presets_and_effects(tmp_path: Path) -> None:
    r = popcon("motions", home=tmp_path)
    assert r.returncode == 0
    for name in ("bounce", "squash", "hop", "spin", "shake", "jelly", "sparkles", "hearts"):
        assert name in r.stdout


def test_export_a_line_emoji_set(tmp_path: Path) -> None:
    import zipfile

    from studio.pipeline import Studio
    from studio.settings import load_settings

    home = tmp_path / "home"
    studio = Studio(load_settings({"STUDIO_HOME": str(home)}))
    ids = []
    for i, motion in enumerate(
        ["bounce", "spin", "hop", "shake", "sway", "jelly", "wobble", "float"]
    ):
        p = studio.new_project(EXAMPLES / ("blob.png" if i % 2 else "cat.png"))
        studio.generate(p, studio.motion_spec(preset=motion, frames=10, fps=10), size=(90, 90))
        ids.append(p.id)
    out = tmp_path / "set.zip"
    r = popcon("export", *ids, "--set", "--preset", "line-emoji", "-o", str(out), home=home)
    assert r.returncode == 0, r.stderr
    assert "8 items" in r.stdout
    names = sorted(zipfile.ZipFile(out).namelist())
    assert names == [f"{i:03d}.png" for i in range(1, 9)] + ["tab.png"]
    # too few items for a LINE set: one clear line, nothing written
    r = popcon(
        "export",
        *ids[:3],
        "--set",
        "--preset",
        "line-emoji",
        "-o",
        str(tmp_path / "small.zip"),
        home=home,
    )
    assert r.returncode == 2 and "8" in r.stderr and not (tmp_path / "small.zip").exists()
    r = popcon("export", *ids[:2], "--preset", "line-emoji", home=home)
    assert r.returncode == 2 and "--set" in r.stderr
