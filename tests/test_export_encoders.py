"""Encoders round-trip: frames, delays, size, alpha, one shared palette, quality, atomic writes."""

from __future__ import annotations

import io
import math
import struct

import numpy as np
import pytest
from PIL import Image

from studio.errors import InputError
from studio.export import (
    encode_apng,
    encode_gif,
    encode_webp,
    export_animation,
    fit_canvas,
    get_preset,
    list_presets,
    preview_on,
    psnr,
)
from studio.export.frames import matte_threshold
from studio.export.gif import gif_local_palettes

WHITE, BLACK = (255, 255, 255), (0, 0, 0)


def cartoon_frames(n: int = 12, size: int = 180) -> list[np.ndarray]:
    """A bouncing drawn face with outline, shading, blush and a soft shadow: n RGBA frames."""
    import cv2

    s = size / 180
    yy, xx = np.mgrid[0:size, 0:size]
    out = []
    for i in range(n):
        lift = abs(math.sin(math.pi * i / n))
        shadow = np.zeros((size, size), np.float32)
        r = (1 - 0.4 * lift) * 45 * s
        cv2.ellipse(shadow, (int(90 * s), int(160 * s)), (int(r), int(r / 4)), 0, 0, 360, 1.0, -1)
        shadow = cv2.GaussianBlur(shadow, (0, 0), 6 * s) * 0.5
        cx, cy = int(90 * s), int((85 - 30 * lift) * s)
        face = np.zeros((size, size, 4), np.uint8)
        cv2.circle(face, (cx, cy), int(55 * s), (40, 30, 20, 255), -1, cv2.LINE_AA)
        cv2.circle(face, (cx, cy), int(51 * s), (250, 200, 60, 255), -1, cv2.LINE_AA)
        inside = np.hypot(xx - cx, yy - cy) < 50 * s
        dist = np.hypot(xx - cx + 15 * s, yy - cy + 20 * s) / (70 * s)
        shade = np.clip(1.0 - 0.25 * dist, 0.7, 1.0)
        face[inside, :3] = (face[inside, :3] * shade[inside, None]).astype(np.uint8)
        for ex in (-18, 18):
            cv2.circle(face, (cx + int(ex * s), cy - int(10 * s)), int(7 * s), (30, 20, 20, 255),
                       -1, cv2.LINE_AA)
        cv2.ellipse(face, (cx, cy + int(15 * s)), (int(20 * s), int(12 * s)), 0, 0, 180,
                    (200, 40, 60, 255), max(1, int(4 * s)), cv2.LINE_AA)
        cv2.circle(face, (cx - int(32 * s), cy + int(8 * s)), int(8 * s), (250, 130, 130, 255),
                   -1, cv2.LINE_AA)
        fa = face[..., 3:] / 255.0
        sa = shadow[..., None]
        oa = fa + sa * (1 - fa)
        rgb = face[..., :3] * fa / np.maximum(oa, 1e-6)
        img = np.dstack([rgb, oa * 255]).round().clip(0, 255).astype(np.uint8)
        img[img[..., 3] == 0] = 0
        out.append(img)
    return out


def read_back(data: bytes) -> tuple[list[np.ndarray], list[float], dict]:
    """Composited RGBA frames, per-frame durations (ms) and the first frame's info."""
    with Image.open(io.BytesIO(data)) as im:
        info = dict(im.info)
        frames, durations = [], []
        for i in range(im.n_frames):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGBA")).copy())
            durations.append(float(im.info["duration"]))
    return frames, durations, info


def png_chunks(data: bytes) -> list[bytes]:
    """Chunk types of a PNG file, in order."""
    pos, out = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        out.append(kind)
        pos += 12 + length
    return out


def mean_psnr(a: list[np.ndarray], b: list[np.ndarray], bg: tuple[int, int, int]) -> float:
    pairs = zip(preview_on(a, bg), preview_on(b, bg), strict=True)
    return float(np.mean([psnr(x, y) for x, y in pairs]))


@pytest.fixture(scope="module")
def anim() -> list[np.ndarray]:
    return cartoon_frames(12, 180)


DELAYS = [83] * 11 + [87]


def test_apng_shared_palette_round_trip(anim):
    enc = encode_apng(anim, DELAYS, colors=256, loops=4)
    frames, durations, info = read_back(enc.data)
    assert len(frames) == enc.frame_count == 12
    assert durations == DELAYS and sum(durations) == 1000
    assert frames[0].shape == (180, 180, 4)
    assert info["loop"] == 4
    chunks = png_chunks(enc.data)
    assert chunks.count(b"PLTE") == 1 and chunks.count(b"tRNS") == 1  # one palette for all
    assert b"acTL" in chunks and chunks.count(b"fcTL") == 12
    for src, got in zip(anim, frames, strict=True):
        assert (got[src[..., 3] == 0, 3] == 0).all()  # transparent stays transparent
        assert got[90, 90, 3] == 255 or src[90, 90, 3] < 255
    assert (frames[0][..., 3] == 255).sum() > 5000
    assert mean_psnr(anim, frames, WHITE) >= 35.0
    assert mean_psnr(anim, frames, BLACK) >= 35.0


def test_apng_fewer_colours_still_one_palette(anim):
    enc = encode_apng(anim, DELAYS, colors=32)
    with Image.open(io.BytesIO(enc.data)) as im:
        assert im.mode == "P"
        assert len(im.getpalette()) // 3 <= 32
    frames, _, _ = read_back(enc.data)
    assert png_chunks(enc.data).count(b"PLTE") == 1
    assert mean_psnr(anim, frames, WHITE) >= 28.0


def test_apng_full_colour_is_lossless(anim):
    enc = encode_apng(anim, DELAYS, colors=None)
    frames, durations, _ = read_back(enc.data)
    assert durations == DELAYS
    for src, got in zip(anim, frames, strict=True):
        np.testing.assert_array_equal(src, got)


def test_gif_global_palette_threshold_and_matte(anim):
    delays = [80] * 12
    enc = encode_gif(anim, delays, colors=128, matte=WHITE, transparent=True)
    assert not any(gif_local_palettes(enc.data))  # no frame has its own colour table
    frames, durations, info = read_back(enc.data)
    assert len(frames) == 12 and durations == delays
    assert info.get("loop") == 0
    for src, got in zip(anim, frames, strict=True):
        assert (got[src[..., 3] == 0, 3] == 0).all()
        assert (got[src[..., 3] >= 32, 3] == 255).all()  # translucent parts kept on the matte
    with pytest.raises(ValueError, match="multiples of 10"):
        encode_gif(anim, [83] * 12)
    ref = [matte_threshold(f, WHITE, True) for f in anim]
    assert mean_psnr(ref, frames, WHITE) >= 30.0


def test_gif_opaque_on_matte(anim):
    enc = encode_gif(anim, [80] * 12, colors=64, matte=WHITE, transparent=False)
    frames, _, _ = read_back(enc.data)
    assert all((f[..., 3] == 255).all() for f in frames)
    assert (frames[0][0, 0, :3] == 255).all()


def test_webp_round_trip(anim):
    enc = encode_webp(anim, DELAYS, quality=90, alpha_quality=100)
    frames, durations, _ = read_back(enc.data)
    assert len(frames) == 12 and durations == DELAYS
    assert (frames[0][0, 0] == 0).all() and frames[0][90, 90, 3] == 255
    assert mean_psnr(anim, frames, WHITE) >= 32.0


def test_identical_frames_are_merged_with_delays_summed(anim):
    frames = [anim[0], anim[0], anim[1], anim[2], anim[2]]
    enc = encode_apng(frames, [100] * 5, colors=64)
    assert enc.frame_count == 3 and enc.delays_ms == [200, 100, 200]
    _, durations, _ = read_back(enc.data)
    assert durations == [200, 100, 200]


def test_fit_canvas_premultiplied_keeps_aspect():
    import cv2

    alpha = np.zeros((240, 360), np.uint8)
    cv2.circle(alpha, (180, 120), 100, 255, -1, cv2.LINE_AA)
    src = np.zeros((240, 360, 4), np.uint8)
    src[alpha > 0] = 255  # white where visible, black under the transparent pixels
    src[..., 3] = alpha
    (out,) = fit_canvas([src], 180, 180)
    assert out.shape == (180, 180, 4)
    assert (out[:30, :, 3] == 0).all() and (out[-30:, :, 3] == 0).all()  # padding top/bottom
    edge = (out[..., 3] > 0) & (out[..., 3] < 255)
    assert edge.sum() > 50
    assert out[edge, :3].min() >= 250  # no dark fringe from the black transparent pixels


def test_presets_table():
    line = get_preset("line-emoji")
    assert (line.width, line.height, line.format, line.extension) == (180, 180, "apng", ".png")
    assert (line.min_frames, line.max_frames, line.max_bytes) == (5, 20, 300_000)
    assert line.allowed_durations_s == (1.0, 2.0, 3.0, 4.0) and line.transparent
    ids = {p.id for p in list_presets()}
    assert {"line-emoji", "line-sticker", "discord-emoji", "slack-emoji", "whatsapp",
            "kakao-proposal", "imessage", "telegram-video"} <= ids
    with pytest.raises(InputError, match="line-emoji"):
        get_preset("line-emjoi")


def test_failed_export_leaves_existing_file(anim, tmp_path, monkeypatch):
    out = tmp_path / "001.png"
    out.write_bytes(b"the good old file")
    bad = [*anim[:5], np.zeros((10, 10, 3), np.uint8)]
    with pytest.raises(InputError, match="frame 5"):
        export_animation(bad, [100] * 6, "line-emoji", out)
    assert out.read_bytes() == b"the good old file"

    import studio.fileio

    def broken_fsync(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(studio.fileio.os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="disk full"):
        export_animation(anim, DELAYS, "line-emoji", out)
    assert out.read_bytes() == b"the good old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["001.png"]  # no temp file left


def fctl_delays(data: bytes) -> list[tuple[int, int]]:
    """(delay_num, delay_den) of every fcTL chunk of an APNG."""
    pos, out = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        if kind == b"fcTL":
            out.append(struct.unpack(">HH", data[pos + 28 : pos + 32]))
        pos += 12 + length
    return out


def test_apng_exact_delays_deltas_and_optimised(anim):
    from fractions import Fraction

    enc = encode_apng(anim, [Fraction(1000, 24)] * 12, colors=64, loops=2)
    assert fctl_delays(enc.data) == [(1, 24)] * 12
    opt = encode_apng(anim, [Fraction(1000, 24)] * 12, colors=64, loops=2, optimize=True)
    assert opt.bytes <= enc.bytes and fctl_delays(opt.data) == [(1, 24)] * 12
    a, _, info = read_back(enc.data)
    b, durations, _ = read_back(opt.data)
    assert info["loop"] == 2 and durations == pytest.approx([1000 / 24] * 12)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)  # oxipng changes bytes, not pixels
    repeat = encode_apng([anim[0], anim[0], anim[1]], [50, 50, 50], colors=64, merge=False)
    frames, durations, _ = read_back(repeat.data)
    assert len(frames) == 3 and durations == [50, 50, 50]  # one delay for all: kept
    np.testing.assert_array_equal(frames[0], frames[1])


def test_palette_psnr_matches_the_decoded_file(anim):
    from studio.export.palette import ColourTable

    table = ColourTable(anim)
    pal = table.palette(24)
    est_b, est_w = table.psnr(pal)
    frames, _, _ = read_back(encode_apng(anim, DELAYS, palette=pal, colors=24).data)
    for bg, est in ((BLACK, est_b), (WHITE, est_w)):
        src = np.stack(preview_on(anim, bg)).astype(np.float64)
        got = np.stack(preview_on(frames, bg)).astype(np.float64)
        assert abs(10 * math.log10(255**2 / np.mean((src - got) ** 2)) - est) < 0.2
    assert table.psnr(table.palette(128))[0] > est_b  # more colours, higher quality
