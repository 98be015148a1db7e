"""Spec checker catches each broken rule; budget fitting and timing normalisation for presets."""

from __future__ import annotations

import dataclasses
import io
import json

import numpy as np
import pytest
from PIL import Image

from studio.errors import ExportError, InputError
from studio.export import (
    check_file,
    encode_apng,
    encode_gif,
    export_animation,
    fit_to_budget,
    get_preset,
)
from tests.test_export_encoders import cartoon_frames, read_back

LINE = get_preset("line-emoji")


@pytest.fixture(scope="module")
def anim12() -> list[np.ndarray]:
    return cartoon_frames(12, 180)


@pytest.fixture(scope="module")
def anim24() -> list[np.ndarray]:
    return cartoon_frames(24, 180)


def failed_rules(path, preset=LINE) -> set[str]:
    return {r.rule for r in check_file(path, preset).failures}


def test_good_export_passes_every_rule(anim12, tmp_path):
    res = export_animation(anim12, [1000 / 12] * 12, "line-emoji", tmp_path / "001.png")
    assert res.ok and res.check.ok and not res.warnings
    assert all(r.passed for r in res.check.rows)
    assert res.bytes == (tmp_path / "001.png").stat().st_size <= 300_000
    assert res.frame_count == 12 and sum(res.delays_ms) == pytest.approx(1000)
    assert res.loops == 4 and len(set(res.delays_ms)) == 1
    _, durations, info = read_back((tmp_path / "001.png").read_bytes())
    assert sum(durations) == pytest.approx(1000) and info["loop"] == 4
    assert res.check.row("even frame timing").actual == "83.33 ms frames"
    text = res.check.to_text()
    assert "playback duration" in text and "FAIL" not in text
    json.dumps(res.to_dict())


def write_apng(path, frames, delays, loops=4):
    path.write_bytes(encode_apng(frames, delays, colors=None, loops=loops).data)
    return path


@pytest.mark.parametrize(
    ("case", "rule"),
    [
        ("wrong size", "canvas size"),
        ("too many frames", "frame count"),
        ("2.5 s", "playback duration"),
        ("loops forever", "loops × duration"),
        ("empty first frame", "first frame visible"),
        ("gif", "format"),
    ],
)
def test_checker_catches_each_rule(anim12, anim24, tmp_path, case, rule):
    p = tmp_path / "bad.png"
    if case == "wrong size":
        write_apng(p, [f[:170, :170] for f in anim12], [84] * 4 + [83] * 8)
    elif case == "too many frames":
        write_apng(p, anim24, [84] * 16 + [82] * 8, loops=2)  # 24 frames, exactly 2 s
    elif case == "2.5 s":
        write_apng(p, anim12, [208] * 6 + [209] * 6, loops=1)
    elif case == "loops forever":
        write_apng(p, anim12, [84] * 4 + [83] * 8, loops=0)
    elif case == "empty first frame":
        write_apng(p, [np.zeros_like(anim12[0]), *anim12[1:]], [84] * 4 + [83] * 8)
    elif case == "gif":
        p.write_bytes(encode_gif(anim12, [80] * 10 + [100] * 2, colors=64, loops=4).data)
    assert failed_rules(p) == {rule}


def test_checker_over_budget(anim12, tmp_path):
    p = write_apng(tmp_path / "a.png", anim12, [84] * 4 + [83] * 8)
    assert failed_rules(p, dataclasses.replace(LINE, max_bytes=1000)) == {"file size"}
    assert failed_rules(p) == set()


def test_checker_identical_consecutive_frames(anim12, tmp_path):
    twin = anim12[0].copy()
    twin[0, 0, :3] = 7  # differs only under a transparent pixel: Pillow keeps it as a frame
    frames = [anim12[0], twin, *anim12[1:10]]
    buf = io.BytesIO()
    ims = [Image.fromarray(f) for f in frames]
    ims[0].save(buf, format="PNG", save_all=True, append_images=ims[1:],
                duration=[91] * 10 + [90], loop=4, disposal=0, blend=0)
    p = tmp_path / "twin.png"
    p.write_bytes(buf.getvalue())
    report = check_file(p, LINE)
    assert report.row("frame count").actual == "11"
    assert {r.rule for r in report.failures} == {"identical consecutive frames"}
    assert report.row("identical consecutive frames").actual == "0=1"
    assert not report.ok and "FAIL" in report.to_text()


def test_fit_tight_budget_drops_frames_keeps_duration(anim24):
    res = fit_to_budget(anim24, [2000 / 24] * 24, LINE, max_bytes=30_000)
    assert res.bytes <= 30_000
    assert res.given_up and any("frame" in g or "colour" in g for g in res.given_up)
    assert sum(res.encoded.delays_ms) == pytest.approx(2000)
    assert 5 <= res.encoded.frame_count <= 20
    assert "motion resampled: 24 → " in " ".join(res.given_up)
    _, durations, _ = read_back(res.encoded.data)
    assert sum(durations) == pytest.approx(2000)
    tick = 2000 / res.timing.count  # identical neighbours merged: whole multiples of one tick
    assert all(d / tick == pytest.approx(round(d / tick)) for d in durations)
    tried_sizes = [b for _, b in res.tried]
    assert len(tried_sizes) >= 2 and max(tried_sizes) > 30_000


def test_fit_impossible_budget_says_smallest(anim12):
    with pytest.raises(ExportError, match=r"under 500 bytes.*smallest file reached was \d+"):
        fit_to_budget(anim12, [1000 / 12] * 12, LINE, max_bytes=500)


def test_duration_rounded_to_allowed_whole_seconds(anim12, tmp_path):
    res = export_animation(anim12, [2500 / 12] * 12, LINE, tmp_path / "a.png")
    assert res.ok and sum(res.delays_ms) == pytest.approx(3000) and res.loops == 1
    assert any("2.5 s → 3 s" in g for g in res.given_up)
    res = export_animation(anim12, [1700 / 12] * 12, LINE, tmp_path / "b.png")
    assert sum(res.delays_ms) == pytest.approx(2000) and res.loops == 2


def test_too_few_frames_is_an_error(anim12, tmp_path):
    with pytest.raises(ExportError, match="5-20 frames, got 3"):
        export_animation(anim12[:3], [333, 333, 334], LINE, tmp_path / "a.png")


def test_overrides_warn_and_unknown_fail(anim12, tmp_path):
    res = export_animation(anim12, [1000 / 12] * 12, "line-emoji", tmp_path / "a.png",
                           overrides={"max_bytes": 500_000})
    assert res.ok and any("max_bytes overridden" in w for w in res.warnings)
    with pytest.raises(InputError, match="max_byts"):
        export_animation(anim12, [100] * 12, "line-emoji", tmp_path / "b.png",
                         overrides={"max_byts": 1})


def test_gif_and_webp_presets(anim12, tmp_path):
    res = export_animation(anim12, [1000 / 12] * 12, "slack-emoji", tmp_path / "s.gif")
    assert res.ok and res.format == "gif" and res.delays_ms == [80] * 12  # 12.5 fps, 0.96 s
    assert any("1 s → 0.96 s" in g for g in res.given_up)
    frames, _, _ = read_back(res.path.read_bytes())
    assert frames[0].shape == (128, 128, 4)
    res = export_animation(anim12, [1000 / 12] * 12, "discord-emoji", tmp_path / "d.webp",
                           overrides={"format": "webp"})
    assert res.ok and res.format == "webp" and not res.warnings
    res = export_animation(anim12, [1000 / 12] * 12, "kakao-proposal", tmp_path / "k.gif")
    assert res.ok and res.check.row("opaque background").passed
