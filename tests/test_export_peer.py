"""sticker-convert's own checker (FormatVerify.check_file with its presets) accepts popcon's
file for every matching preset. Runs only where bench/peer.py has made sticker-convert's
venv (bench/out/peer-venv); sticker-convert is never installed into the project's venv."""

from __future__ import annotations

import pytest

from bench.peer import MATCH, OUT, peer_python, run_driver
from studio.export import export_animation, get_preset
from tests.test_export_encoders import cartoon_frames

PYTHON = peer_python()
pytestmark = pytest.mark.skipif(
    PYTHON is None,
    reason="sticker-convert's venv is absent (bench/out/peer-venv): run python bench/peer.py "
    "once to create it",
)


@pytest.mark.parametrize("fps", [24, 30])
def test_sticker_convert_checker_accepts_every_preset(fps, tmp_path):
    frames = cartoon_frames(fps, 180)  # one second
    jobs, names = [], []
    for pid, sc in MATCH.items():
        p = get_preset(pid)
        res = export_animation(frames, [1000 / fps] * fps, p, tmp_path / f"{pid}{p.extension}")
        assert res.ok, res.check.to_text()
        jobs.append({"file": str(res.path), "preset": sc})
        names.append(pid)
    OUT.mkdir(parents=True, exist_ok=True)
    verdicts = run_driver(PYTHON, {"check": jobs})["check"]
    rejected = {n: v for n, v in zip(names, verdicts, strict=True) if not v["ok"]}
    assert not rejected, rejected
