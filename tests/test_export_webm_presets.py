"""WebM VP9 with alpha, every preset end to end, custom presets, GIF matte/lossy/delta, halos."""

from __future__ import annotations

import io
from fractions import Fraction

import numpy as np
import pytest

from studio.errors import InputError
from studio.export import (
    check_bytes,
    check_file,
    custom_preset,
    decode_animation,
    decode_webm,
    encode_gif,
    encode_webm,
    export_animation,
    fit_canvas,
    fit_to_budget,
    get_preset,
    halo_score,
    halo_scores,
    list_presets,
)
from tests.test_export_encoders import BLACK, WHITE, cartoon_frames, mean_psnr

av = pytest.importorskip("av")


@pytest.fixture(scope="module")
def anim() -> list[np.ndarray]:
    return cartoon_frames(12, 180)


DELAYS = [83] * 11 + [87]


def test_webm_round_trip_keeps_alpha_and_delays(anim):
    delays = [60] * 6 + [100] * 5 + [140]
    enc = encode_webm(anim, delays, crf=24)
    dec = decode_webm(enc.data)
    assert dec.codec == "vp9" and dec.pix_fmt == "yuva420p" and dec.has_alpha
    assert dec.audio_streams == 0 and dec.size == (180, 180)
    assert len(dec.frames) == 12 and dec.durations_ms == pytest.approx(delays, abs=1)
    assert dec.rate == 50  # the delays' common tick, 20 ms, written exactly
    for src, got in zip(anim, dec.frames, strict=True):
        clear = src[..., 3] == 0
        assert (got[clear, 3] <= 8).mean() > 0.99  # transparent stays transparent
        assert (got[src[..., 3] == 255, 3] >= 240).mean() > 0.99
    assert mean_psnr(anim, dec.frames, BLACK) >= 33.0
    assert mean_psnr(anim, dec.frames, WHITE) >= 33.0


def test_native_vp9_decoder_would_drop_alpha(anim):
    """Why the checker decodes with libvpx-vp9: FFmpeg's own vp9 decoder gives no alpha."""
    enc = encode_webm(anim[:4], [100] * 4)
    with av.open(io.BytesIO(enc.data)) as box:
        frame = next(box.decode(video=0))
    assert not frame.format.name.startswith("yuva")
    assert decode_webm(enc.data).has_alpha


def _plain_webm(frames: list[np.ndarray], audio: bool) -> bytes:
    """A VP9 WebM without alpha (yuv420p), optionally with a silent Opus track."""
    buf = io.BytesIO()
    with av.open(buf, "w", format="webm") as box:
        vs = box.add_stream("libvpx-vp9", rate=12)
        vs.width, vs.height, vs.pix_fmt = 180, 180, "yuv420p"
        if audio:
            aus = box.add_stream("libopus", rate=48000)
        for i, f in enumerate(frames):
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(f[..., :3]), format="rgb24")
            vf.pts, vf.time_base = i, Fraction(1, 12)
            for p in vs.encode(vf):
                box.mux(p)
        for p in vs.encode(None):
            box.mux(p)
        if audio:
            af = av.AudioFrame.from_ndarray(np.zeros((1, 960 * 20), np.int16), format="s16",
                                            layout="mono")
            af.sample_rate, af.pts = 48000, 0
            for p in [*aus.encode(af), *aus.encode(None)]:
                box.mux(p)
    return buf.getvalue()


def test_checker_webm_rules(anim, tmp_path):
    p = get_preset("telegram-emoji")
    res = export_animation(anim, DELAYS, p, tmp_path / "e.webm")
    assert res.ok and res.format == "webm", res.check.to_text()
    rows = {r.rule: r for r in res.check.rows}
    assert rows["video codec"].passed and rows["alpha channel"].passed
    assert rows["audio streams"].actual == "0" and rows["canvas size"].actual == "100×100"
    assert sum(decode_animation(res.path.read_bytes()).durations_ms) == pytest.approx(1000, abs=1)
    data = res.path.read_bytes()
    broken = check_bytes(data[: len(data) // 3], p, "e.webm")
    assert not broken.ok
    no_alpha = check_bytes(_plain_webm(anim, audio=False), p, "n.webm")
    assert "alpha channel" in {r.rule for r in no_alpha.failures}
    with_audio = check_bytes(_plain_webm(anim, audio=True), p, "a.webm")
    assert {"alpha channel", "audio streams"} <= {r.rule for r in with_audio.failures}
    assert "FAIL" in with_audio.to_text()


def test_webm_telegram_video_caps_fps_and_duration(anim, tmp_path):
    frames = anim * 4  # 48 frames at 50 fps over 4 s: too fast and too long for Telegram
    res = export_animation(frames, [80] * 48, "telegram-video", tmp_path / "v.webm")
    assert res.ok, res.check.to_text()
    assert sum(res.delays_ms) == pytest.approx(3000) and min(res.delays_ms) >= 1000 / 30 - 1e-9
    assert any("4 s → 3 s" in g for g in res.given_up)
    assert res.check.row("canvas size").actual == "512×512"


def test_webm_hard_clip_under_small_budget():
    rng = np.random.default_rng(0)
    frames = []
    for _ in range(12):
        f = rng.integers(0, 256, (100, 100, 4), dtype=np.uint8)
        f[..., 3] = np.where(rng.random((100, 100)) < 0.3, 0, 255)
        frames.append(f)
    p = get_preset("telegram-emoji")
    res = fit_to_budget(frames, [1000 / 12] * 12, p, max_bytes=40_000)
    assert res.bytes <= 40_000 and res.given_up
    assert sum(res.encoded.delays_ms) == pytest.approx(1000)
    assert check_bytes(res.encoded.data, p).row("alpha channel").passed


@pytest.mark.parametrize("preset_id", [p.id for p in list_presets()])
def test_every_preset_end_to_end(preset_id, anim, tmp_path):
    p = get_preset(preset_id)
    out = tmp_path / f"x{p.extension}"
    res = export_animation(anim, DELAYS, p, out)
    report = check_file(out, p)  # read back from disk
    assert res.ok and report.ok, report.to_text()
    assert res.bytes == out.stat().st_size <= p.max_bytes
    dec = decode_animation(out.read_bytes())
    assert dec.format == p.format and len(dec.frames) == res.frame_count
    if p.transparent:
        assert (dec.frames[0][..., 3] <= 8).any() and (dec.frames[0][..., 3] >= 250).any()


def test_custom_preset_and_fps_override(anim, tmp_path):
    p = custom_preset("webm", 200, 100, fps=10, max_bytes=60_000)
    res = export_animation(anim * 2, [40] * 24, p, tmp_path / "c.webm")
    assert res.ok and not res.warnings, res.check.to_text()
    assert res.check.row("canvas size").actual == "100×100"  # square source within 200×100
    assert min(res.delays_ms) >= 100 and sum(res.delays_ms) == pytest.approx(960)
    assert len(set(res.delays_ms)) == 1 and res.check.row("frame rate").actual.startswith("9.375")
    res = export_animation(anim, DELAYS, "custom", tmp_path / "c.gif",
                           overrides={"format": "gif", "width": 64, "height": 64, "fps": 20})
    assert res.ok and res.format == "gif" and not res.warnings
    with pytest.raises(InputError, match="fps"):
        export_animation(anim, DELAYS, "custom", tmp_path / "d.gif", overrides={"fps": -1})


def test_gif_theme_matte_avoids_halo(anim, tmp_path):
    dark = get_preset("discord-emoji").background("dark")
    light_gif = export_animation(anim, DELAYS, "discord-emoji", tmp_path / "l.gif", theme="light")
    dark_gif = export_animation(anim, DELAYS, "discord-emoji", tmp_path / "d.gif", theme="dark")
    ref = fit_canvas(anim, 128, 128)
    got_l = decode_animation(light_gif.path.read_bytes()).frames
    got_d = decode_animation(dark_gif.path.read_bytes()).frames
    on_dark_l, on_dark_d = halo_score(got_l, dark, ref), halo_score(got_d, dark, ref)
    assert on_dark_l > 0.05 and on_dark_d < 0.02 and on_dark_l > 5 * on_dark_d
    scores = halo_scores(got_d, get_preset("discord-emoji"), ref)
    assert set(scores) == {"light", "dark"} and scores["light"] > scores["dark"]
    no_ref_l, no_ref_d = halo_score(got_l, dark), halo_score(got_d, dark)  # edge-ring heuristic
    assert no_ref_l > 0.1 and no_ref_d < 0.02
    with pytest.raises(InputError, match="themes: light, dark"):
        export_animation(anim, DELAYS, "discord-emoji", tmp_path / "x.gif", theme="sepia")


def test_gif_delta_frames_on_matte(anim):
    opaque = encode_gif(anim, [80] * 12, colors=128, matte=WHITE, transparent=False)
    a = decode_animation(opaque.data).frames
    flat = [np.dstack([f, np.full(f.shape[:2], 255, np.uint8)]) for f in
            [np.rint(x[..., :3] * (x[..., 3:] / 255) + 255 * (1 - x[..., 3:] / 255)).astype(
                np.uint8) for x in anim]]
    assert all((f[..., 3] == 255).all() for f in a)
    assert mean_psnr(flat, a, WHITE) >= 30.0
