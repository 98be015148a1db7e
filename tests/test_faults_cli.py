"""Fault injection through the real `popcon` CLI (a separate process, as a user runs it):
images with no character, refused makes, output paths, remote masks that do not fit their
frame, no worker, and processes killed mid-write or mid-generation. Each refusal is one line
on stderr, a non-zero exit, nothing written and no project left behind."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from studio.remote import wire
from studio.remote.fake import FakeEndpoint
from tests.conftest import EXAMPLES
from tests.helpers import empty_image
from tests.test_cli import popcon


def run(*args: str, home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1", **env}
    return subprocess.run([sys.executable, "-m", "studio", *args], capture_output=True,
                          text=True, env=full, timeout=120)


def one_error_line(r: subprocess.CompletedProcess[str], *words: str) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("popcon: error:"), r.stderr
    assert "Traceback" not in r.stderr
    for w in words:
        assert w in lines[0], (w, lines[0])
    return lines[0]


def no_projects(home: Path) -> None:
    folder = home / "projects"
    assert not folder.exists() or not any(folder.iterdir()), list(folder.iterdir())
    r = popcon("projects", home=home)
    assert r.returncode == 0 and r.stdout.strip() == "", r.stdout


@pytest.fixture
def empties(tmp_path: Path) -> list[Path]:
    """All white, fully transparent (both from the field cases) and one flat colour."""
    flat = tmp_path / "flat-teal.png"
    Image.new("RGB", (200, 150), (20, 140, 150)).save(flat)
    noisy = tmp_path / "flat-jpeg-grey.jpg"
    arr = np.clip(128 + np.random.default_rng(0).normal(0, 1.0, (120, 160, 3)), 0, 255)
    Image.fromarray(arr.astype(np.uint8)).save(noisy, quality=80)
    return [empty_image("all-white", tmp_path), empty_image("all-transparent", tmp_path), flat,
            noisy]


def test_segment_no_character_one_line_nothing_written(tmp_path: Path, empties) -> None:
    for image in empties:
        out = tmp_path / f"cut-{image.stem}"
        r = run("segment", str(image), "--out-dir", str(out), home=tmp_path / "home")
        one_error_line(r, "no character found", image.name)
        assert not out.exists()
    # a shape on transparency is a character (a one-colour silhouette)
    sil = np.zeros((64, 64, 4), np.uint8)
    sil[16:48, 20:44] = (200, 30, 30, 255)
    Image.fromarray(sil).save(tmp_path / "silhouette.png")
    r = run("segment", str(tmp_path / "silhouette.png"), "--out-dir", str(tmp_path / "ok"),
            home=tmp_path / "home")
    assert r.returncode == 0, r.stderr
    assert np.asarray(Image.open(tmp_path / "ok" / "silhouette.png"))[32, 32, 3] == 255


def test_segment_batch_with_one_empty_image_keeps_the_good_one(tmp_path: Path) -> None:
    out = tmp_path / "cut"
    r = run("segment", str(EXAMPLES / "blob.png"), str(empty_image("all-white", tmp_path)),
            "--out-dir", str(out), home=tmp_path / "home")
    one_error_line(r, "all-white.png", "no character found")
    assert (out / "blob.png").is_file() and not (out / "all-white.png").exists()


@pytest.mark.parametrize(
    "image, args, words",
    [
        ("all-white", [], "no character found"),
        ("all-transparent", [], "fully transparent"),
        ("cat", ["--candidates", "0"], "candidates must be between 1 and 8, got 0"),
        ("cat", ["--candidates", "9"], "candidates must be between 1 and 8, got 9"),
        ("cat", ["--segmenter", "nope"], "unknown segmenter 'nope'"),
        ("cat", ["--generator", "nope"], "unknown generator 'nope'"),
        ("cat", ["--segmenter", "rembg:isnet-anime"], "popcon models pull isnet-anime"),
        ("cat", ["--segmenter", "remote:birefnet"], "STUDIO_WORKER_URL"),
    ],
)
def test_refused_make_leaves_no_project(tmp_path: Path, image: str, args: list[str],
                                        words: str) -> None:
    home = tmp_path / "home"
    src = empty_image(image, tmp_path) if image.startswith("all-") else EXAMPLES / f"{image}.png"
    out = tmp_path / "x.png"
    r = run("make", str(src), *args, "-o", str(out), home=home)
    one_error_line(r, words)
    assert not out.exists()
    no_projects(home)


def test_make_whose_worker_fails_removes_its_project(tmp_path: Path) -> None:
    """The cut-out is local, the generator remote and its worker down: the project made for
    the job is removed again and the message is one line about the worker."""
    home = tmp_path / "home"
    out = tmp_path / "x.png"
    r = run("make", str(EXAMPLES / "cat.png"), "--generator", "remote", "-o", str(out),
            home=home, STUDIO_WORKER_URL="http://127.0.0.1:9", STUDIO_RETRIES="1")
    one_error_line(r, "GPU worker", "127.0.0.1:9", "gave up after 2 attempts")
    assert not out.exists()
    no_projects(home)


def test_output_paths_one_rule_for_make_and_export(tmp_path: Path) -> None:
    home = tmp_path / "home"
    made = tmp_path / "made.png"
    r = run("make", str(EXAMPLES / "blob.png"), "-o", str(made), home=home)
    assert r.returncode == 0, r.stderr
    pid = r.stdout.strip().rsplit("project ", 1)[1].rstrip(")")
    missing = tmp_path / "a" / "b" / "c" / "x.png"
    folder = tmp_path / "outdir"
    folder.mkdir()
    for args, words in [
        (["-o", str(folder)], "is a folder; give a file name like"),
        (["-o", str(folder) + "/"], "is a folder"),
        (["-o", str(missing)], "does not exist"),
    ]:
        r = run("export", pid, "--preset", "line-emoji", *args, home=home)
        one_error_line(r, words)
        r = run("make", str(EXAMPLES / "blob.png"), *args, home=home)
        one_error_line(r, words)
    r = run("export", pid, pid, "--set", "--preset", "line-emoji", "-o",
            str(tmp_path / "q" / "s.zip"), home=home)
    one_error_line(r, "does not exist")
    r = run("segment", str(EXAMPLES / "blob.png"), "--out-dir", str(tmp_path / "a" / "cut"),
            home=home)
    one_error_line(r, "--out-dir", "does not exist")
    assert not (tmp_path / "a").exists() and not (tmp_path / "q").exists()
    assert list(folder.iterdir()) == []
    assert len(list((home / "projects").iterdir())) == 1  # only the first make's


# ------------------------------------------------------------------ remote masks
def _frame_key(payload: dict[str, Any]) -> tuple[int, int]:
    image = wire.decode_image(payload["image"])
    return image.shape[0], image.shape[1]


def mask_answer(fault: str, h: int, w: int) -> dict[str, Any]:
    alpha = np.zeros((h, w), np.float32)
    alpha[h // 4: 3 * h // 4, w // 4: 3 * w // 4] = 1
    good = {"mask": wire.encode_alpha(alpha), "foreground": None, "backend": "fake",
            "score": None, "info": {}}
    if fault == "small":
        return {**good, "mask": wire.encode_alpha(np.ones((48, 64), np.float32))}
    if fault == "rgb":
        return {**good, "mask": wire.encode_png(np.zeros((h, w, 3), np.uint8))}
    if fault == "garbage":
        return {**good, "mask": "bm90IGEgcG5n"}
    if fault == "fg-size":
        return {**good, "foreground": wire.encode_png(np.zeros((10, 10, 3), np.uint8))}
    if fault == "no-mask":
        return {"backend": "fake"}
    return good


@pytest.mark.parametrize(
    "fault, words",
    [
        ("small", "64×48 px but its frame is 384×384 px"),
        ("rgb", "greyscale"),
        ("garbage", "PNG"),
        ("fg-size", "differ"),
        ("no-mask", "no mask"),
    ],
)
def test_segment_refuses_a_remote_mask_that_does_not_fit(tmp_path: Path, fault: str,
                                                         words: str) -> None:
    with FakeEndpoint(lambda p: mask_answer(fault, *_frame_key(p))) as ep:
        out = tmp_path / "cut"
        r = run("segment", str(EXAMPLES / "cat.png"), "--backend", "remote:segment",
                "--out-dir", str(out), home=tmp_path / "home", STUDIO_WORKER_URL=ep.url)
    one_error_line(r, "cat.png", words)
    assert not out.exists()


def test_segment_with_a_remote_mask_without_colour_image(tmp_path: Path) -> None:
    with FakeEndpoint(lambda p: mask_answer("", *_frame_key(p))) as ep:
        out = tmp_path / "cut"
        r = run("segment", str(EXAMPLES / "cat.png"), "--backend", "remote:segment",
                "--out-dir", str(out), home=tmp_path / "home", STUDIO_WORKER_URL=ep.url)
    assert r.returncode == 0, r.stderr
    with Image.open(out / "cat.png") as im:
        assert im.size == (384, 384) and im.mode == "RGBA"


def test_no_worker_is_one_line_for_every_input(tmp_path: Path) -> None:
    r = run("segment", str(EXAMPLES / "cat.png"), str(EXAMPLES / "blob.png"),
            "--backend", "remote:segment", "--out-dir", str(tmp_path / "cut"),
            home=tmp_path / "home", STUDIO_WORKER_URL="http://127.0.0.1:9", STUDIO_RETRIES="0")
    line = one_error_line(r, "cat.png, blob.png", "GPU worker at 127.0.0.1:9 did not answer")
    assert "gave up after 1 attempts" in line


# ------------------------------------------------------------------ killed processes
def dead_pid() -> int:
    p = subprocess.Popen([sys.executable, "-c", "pass"])
    p.wait()
    return p.pid


def test_temp_files_of_a_killed_export_are_removed_on_the_next_start(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "x.png"
    r = run("make", str(EXAMPLES / "blob.png"), "-o", str(out), home=home)
    assert r.returncode == 0, r.stderr
    pid = r.stdout.strip().rsplit("project ", 1)[1].rstrip(")")
    folder = home / "projects" / pid
    dead = dead_pid()
    beside = tmp_path / f".x.png.{dead}.k2j4h.tmp"  # what a kill during os.write leaves
    inside = folder / "exports" / f".{pid}-line-emoji.png.{dead}.abc12.tmp"
    manifest_tmp = folder / f".manifest.json.{dead}.zz9.tmp"
    mine = tmp_path / f".x.png.{os.getpid()}.live1.tmp"  # a writer that still runs
    for f in (beside, inside, manifest_tmp, mine):
        f.parent.mkdir(exist_ok=True)
        f.write_bytes(b"half")
    r = run("projects", home=home)
    assert r.returncode == 0
    assert not inside.exists() and not manifest_tmp.exists()
    r = run("export", pid, "--preset", "line-emoji", "-o", str(out), home=home)
    assert r.returncode == 0, r.stderr
    assert not beside.exists() and mine.exists()
    assert not list(folder.rglob("*.tmp"))


def test_a_killed_export_elsewhere_is_cleaned_up_by_any_next_start(tmp_path: Path) -> None:
    """What `kill -9` during `popcon export -o elsewhere/x.png` leaves: the announcement of
    the write and the temp file beside the target. Any next start (here `popcon projects`)
    removes both; a write of a live process is left alone."""
    home = tmp_path / "home"
    elsewhere = tmp_path / "out"
    elsewhere.mkdir()
    dead, live = dead_pid(), os.getpid()
    pending = home / "pending-writes"
    pending.mkdir(parents=True)
    for pid, name in ((dead, "x.png"), (live, "y.png")):
        (pending / f"{pid}-abcd.json").write_text(json.dumps(
            {"pid": pid, "host": os.uname().nodename, "started": time.time(),
             "target": str(elsewhere / name)}))
        (elsewhere / f".{name}.{pid}.q1w2e3.tmp").write_bytes(b"half a file")
    r = run("projects", home=home)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in elsewhere.iterdir()) == [f".y.png.{live}.q1w2e3.tmp"]
    assert [p.name for p in pending.iterdir()] == [f"{live}-abcd.json"]


def _wait_for_job(home: Path, proc: subprocess.Popen, timeout: float = 60) -> Path:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for m in (home / "projects").glob("*/manifest.json"):
            try:
                if "job" in json.loads(m.read_text()):
                    return m.parent
            except (OSError, ValueError):
                pass
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    raise AssertionError("the generation never started")


def _slow_make(home: Path, out: Path) -> subprocess.Popen:
    env = {**os.environ, "STUDIO_HOME": str(home), "HF_HUB_OFFLINE": "1",
           "STUDIO_MAX_PARALLEL": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "studio", "make", str(EXAMPLES / "cat.png"), "--frames", "60",
         "--candidates", "8", "--preset", "line-sticker", "-o", str(out)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_kill_during_generation_marks_the_project_interrupted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    proc = _slow_make(home, tmp_path / "x.png")
    folder = _wait_for_job(home, proc)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    r = run("projects", home=home)
    assert r.returncode == 0
    assert "interrupted (generate)" in r.stdout and folder.name in r.stdout
    assert "generation was interrupted" in r.stderr
    m = json.loads((folder / "manifest.json").read_text())
    assert "job" not in m and m["interrupted"]["kind"] == "generate"
    assert not list(folder.rglob("*.tmp"))


def test_sigterm_during_make_removes_the_half_made_project(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = tmp_path / "x.png"
    proc = _slow_make(home, out)
    _wait_for_job(home, proc)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "interrupted" in err and "Traceback" not in err
    no_projects(home)
    assert not out.exists() and not list(tmp_path.glob(".*.tmp"))
