"""Even frame timing: one delay per loop, a whole number of the format's unit, for every preset
and frame rate; exact frame rates in the checker; the 30 fps Telegram field case."""

from __future__ import annotations

import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from studio.export import check_bytes, export_animation, fit_to_budget, get_preset, list_presets
from studio.export.check import frame_rate
from studio.export.decode import decode_animation
from studio.export.timing import plan_timing, sample_indices
from tests.test_export_encoders import cartoon_frames

FIELD = Path(__file__).resolve().parents[2] / "shared" / "field-cases"
PRESETS = [p for p in list_presets() if p.supported]


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.id)
def test_delays_even_for_every_fps(preset):
    for fps in range(2, 61):
        for seconds in (1.0, 1.5, 2.0):
            n = max(2, round(fps * seconds))
            if preset.min_frames and n < preset.min_frames:
                continue
            t = plan_timing([1000 / fps] * n, preset)
            d = t.delay_ms
            assert t.delays_ms == [d] * t.count, (fps, n)
            if preset.format == "gif":
                assert d.denominator == 1 and d % 10 == 0, (fps, n, d)
            elif preset.format == "webp":
                assert d.denominator == 1, (fps, n, d)
            elif preset.format == "apng":
                sec = d / 1000
                assert sec.numerator <= 65535 and sec.denominator <= 65535
            if preset.max_fps:
                assert t.fps <= Fraction(preset.max_fps), (fps, n)
            if preset.min_frame_ms:
                assert d >= Fraction(preset.min_frame_ms).limit_denominator(1000)
            if preset.max_frames:
                assert t.count <= preset.max_frames
            if preset.allowed_durations_s:
                assert t.total_ms in {Fraction(s * 1000) for s in preset.allowed_durations_s}
            elif preset.max_duration_s is None or seconds <= preset.max_duration_s:
                src = 1000 * n / fps
                assert abs(t.total_ms - src) <= 0.05 * src + 0.5, (fps, n, t.total_ms)
            assert t.count >= 0.5 * min(n, preset.max_frames or n), (fps, n, t.count)


def test_frame_count_kept_when_the_delay_fits():
    gif = get_preset("discord-emoji")
    t = plan_timing([1000 / 24] * 24, gif)
    assert t.count == 24 and t.delay_ms == 40 and t.total_ms == 960 and t.notes
    t = plan_timing([1000 / 30] * 30, gif)  # 33.3 ms is no GIF delay: 25 × 40 ms keeps 1 s
    assert t.count == 25 and t.delay_ms == 40 and t.total_ms == 1000
    t = plan_timing([1000 / 30] * 30, get_preset("whatsapp"))  # never faster than 30 fps
    assert t.count == 30 and t.delay_ms == 34
    t = plan_timing([1000 / 24] * 24, get_preset("line-emoji"))  # at most 20 frames, 1 s
    assert t.count == 20 and t.delay_ms == 50 and t.loops == 4
    assert t.indices == sample_indices([1000 / 24] * 24, 20) and len(set(t.indices)) == 20
    t = plan_timing([1000 / 30] * 30, get_preset("telegram-video"))
    assert t.count == 30 and t.delay_ms == Fraction(100, 3) and t.fps == 30


def test_held_frame_sampled_on_the_grid():
    assert sample_indices([100, 300, 100], 5) == [0, 1, 1, 1, 2]


@pytest.mark.parametrize("preset_id", ["whatsapp", "discord-emoji", "line-emoji", "imessage",
                                       "kakao-proposal", "telegram-emoji"])
def test_written_files_read_as_one_frame_rate(preset_id, tmp_path):
    frames = cartoon_frames(24, 96)
    p = get_preset(preset_id)
    res = export_animation(frames, [1000 / 24] * 24, p, tmp_path / f"a{p.extension}")
    assert res.ok, res.check.to_text()
    dec = decode_animation(res.path.read_bytes())
    rate, _ = frame_rate(dec)
    plan = plan_timing([1000 / 24] * 24, p)
    assert rate == plan.fps, (rate, plan.fps, dec.durations_ms)
    assert rate <= 30  # what sticker-convert's presets allow


def test_checker_reads_uneven_delays_as_their_tick():
    frames = cartoon_frames(12, 64)
    from studio.export import encode_webp

    enc = encode_webp(frames, [83, 84] * 6, quality=80)
    rate, how = frame_rate(decode_animation(enc.data))
    assert rate == 1000 and "1 ms" in how  # 83/84 ms judder reads as 1000 fps
    p = get_preset("telegram-emoji")
    assert not check_bytes(enc.data, p).ok
    row = check_bytes(enc.data, get_preset("whatsapp")).row("even frame timing")
    assert not row.passed and row.severity == "warning" and row.actual.startswith("uneven: 83")
    even = check_bytes(encode_webp(frames, [84] * 12, quality=80).data, get_preset("whatsapp"))
    assert even.row("even frame timing").passed


def test_thirty_fps_webm_passes_exactly():
    p = get_preset("telegram-emoji")
    res = fit_to_budget(cartoon_frames(30, 100), [1000 / 30] * 30, p)
    report = check_bytes(res.encoded.data, p, "a.webm")
    assert report.ok, report.to_text()
    assert report.row("frame rate").actual.startswith("30 fps (stream header)")


def test_render_hook_resamples_motion():
    """With a renderer, fewer frames are re-rendered at their exact phase, not picked."""
    calls = []

    def render(m: int) -> list[np.ndarray]:
        calls.append(m)
        return cartoon_frames(m, 180)

    p = get_preset("line-emoji")
    res = fit_to_budget(cartoon_frames(24, 180), [1000 / 24] * 24, p, render=render)
    assert calls and calls[0] == 20 and res.timing.count == 20
    assert any("re-rendered at 20 frames" in n for n in res.notes)
    assert all(d % 50 == pytest.approx(0) for d in res.encoded.delays_ms)  # merged apex: 150
    assert sum(res.encoded.delays_ms) == pytest.approx(1000)


@pytest.mark.skipif(not (FIELD / "plain-character-on-white.png").exists(),
                    reason="shared field cases not present")
def test_field_case_telegram_30fps_passes(tmp_path):
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "STUDIO_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    out = tmp_path / "t.webm"
    cmd = [sys.executable, "-m", "studio", "make", str(FIELD / "plain-character-on-white.png"),
           "--preset-motion", "bounce", "--fps", "30", "--frames", "30",
           "--preset", "telegram-video", "-o", str(out)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = check_bytes(out.read_bytes(), get_preset("telegram-video"), str(out))
    assert report.ok and report.row("frame rate").actual.startswith("30 fps")
