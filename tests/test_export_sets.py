"""Platform sets (LINE emoji ZIP, WhatsApp pack), sprite sheets, frame ZIPs, chat previews."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from PIL import Image

from studio.errors import InputError
from studio.export import (
    chat_previews,
    export_frames_zip,
    export_set,
    export_sprite_sheet,
    get_preset,
)
from tests.test_export_encoders import cartoon_frames


@pytest.fixture(scope="module")
def items() -> list[tuple[list[np.ndarray], list[float]]]:
    base = cartoon_frames(6, 96)
    out = []
    for k in range(8):  # eight distinct items: hue-rotated copies
        frames = [np.dstack([np.roll(f[..., :3], k % 3, axis=2), f[..., 3:]]) for f in base]
        frames = [np.roll(f, k, axis=1) for f in frames]
        out.append((frames, [1000 / 6] * 6))
    return out


def _zip_images(path) -> dict[str, Image.Image]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            im = Image.open(io.BytesIO(zf.read(name)))
            im.load()
            out[name] = im
    return out


def test_line_emoji_set_zip_layout(items, tmp_path):
    res = export_set(items, "line-emoji", tmp_path / "set.zip")
    assert res.ok, res.check.to_text()
    expected = [f"{i:03d}.png" for i in range(1, 9)] + ["tab.png"]
    assert res.names == expected
    ims = _zip_images(res.path)
    assert sorted(ims) == sorted(expected)
    assert ims["tab.png"].size == (96, 74)
    for name in expected[:-1]:
        assert ims[name].size == (180, 180) and getattr(ims[name], "n_frames", 1) >= 5
    assert all(r.check.ok and sum(r.delays_ms) == pytest.approx(1000) for r in res.items)
    json.dumps(res.to_dict())


def test_set_count_rules(items, tmp_path):
    with pytest.raises(InputError, match="8–40 items, got 3"):
        export_set(items[:3], "line-emoji", tmp_path / "s.zip")
    with pytest.raises(InputError, match="3–30 items, got 2"):
        export_set(items[:2], "whatsapp", tmp_path / "w.zip")
    assert not (tmp_path / "s.zip").exists()


def test_whatsapp_pack_with_tray_icon(items, tmp_path):
    res = export_set(items[:3], "whatsapp", tmp_path / "pack.zip")
    assert res.ok, res.check.to_text()
    assert res.names == ["01.webp", "02.webp", "03.webp", "tray.png"]
    ims = _zip_images(res.path)
    assert ims["tray.png"].size == (96, 96) and ims["tray.png"].format == "PNG"
    with zipfile.ZipFile(res.path) as zf:
        assert zf.getinfo("tray.png").file_size <= 50_000
    assert all(ims[n].size == (512, 512) for n in res.names[:3])
    assert res.check.row("tray.png bytes").passed


def test_generic_set_uses_names(items, tmp_path):
    res = export_set(items[:2], "slack-emoji", tmp_path / "s.zip", names=["wave", "nod"])
    assert res.names == ["wave.gif", "nod.gif"] and res.ok
    with pytest.raises(InputError, match="distinct"):
        export_set(items[:2], "slack-emoji", tmp_path / "t.zip", names=["a", "a"])


def test_sprite_sheet_and_frames_zip(items, tmp_path):
    frames, durations = items[0]
    png, js = export_sprite_sheet(frames, durations, tmp_path / "sheet.png", columns=4)
    sheet = np.asarray(Image.open(png))
    assert sheet.shape == (2 * 96, 4 * 96, 4)
    np.testing.assert_array_equal(sheet[96:192, 0:96], frames[4])
    meta = json.loads(js.read_text())
    assert len(meta["frames"]) == 6 and meta["frames"][5]["frame"] == {
        "x": 96, "y": 96, "w": 96, "h": 96}
    z = export_frames_zip(frames, durations, tmp_path / "frames.zip")
    with zipfile.ZipFile(z) as zf:
        assert zf.namelist() == [f"frame_{i:03d}.png" for i in range(6)] + ["timing.json"]
        got = np.asarray(Image.open(io.BytesIO(zf.read("frame_002.png"))))
        np.testing.assert_array_equal(got, frames[2])
        timing = json.loads(zf.read("timing.json"))
        assert timing["total_ms"] == pytest.approx(1000)
    with pytest.raises(InputError, match="columns"):
        export_sprite_sheet(frames, durations, tmp_path / "x.png", columns=0)


def test_chat_previews_use_platform_backgrounds(items):
    frames = items[0][0]
    prev = chat_previews(frames, get_preset("discord-emoji"))
    assert set(prev) == {"light", "dark"}
    assert tuple(prev["dark"][0][0, 0]) == (0x31, 0x33, 0x38)
    assert tuple(prev["light"][0][0, 0]) == (255, 255, 255)
