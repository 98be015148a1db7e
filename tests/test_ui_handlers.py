"""The studio's handlers and view helpers as plain functions (no server, no browser)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from studio.errors import (
    BackendUnavailable,
    ExportError,
    ImageError,
    InputError,
    PromptError,
    StudioError,
    UnknownBackend,
)
from studio.pipeline import Studio
from studio.ui import backends as B
from studio.ui import exports as E
from studio.ui import handlers as H
from studio.ui import render, views
from tests.conftest import EXAMPLES


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def generated(studio: Studio) -> str:
    pid = H.new_project(studio, EXAMPLES / "cat.png")
    H.generate(studio, pid, "bounce", "", [], 6, 6, 2, 96)
    return pid


def test_import_studio_stays_free_of_gradio() -> None:
    import subprocess
    import sys

    code = "import sys, studio, studio.pipeline, studio.cli; print('gradio' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_points_parse_validate_and_map_display_clicks() -> None:
    assert H.parse_points("[[1, 2, 1], [3.5, 4, 0]]") == [[1.0, 2.0, 1], [3.5, 4.0, 0]]
    assert H.parse_points([[1, 2]]) == [[1.0, 2.0, 1]]
    assert H.parse_points(None) == [] and H.parse_points("") == []
    for bad in ("[[1]]", "{", [[1, 2, 5]], [["a", 2, 1]], [[True, 2, 1]]):
        with pytest.raises(InputError, match="point"):
            H.parse_points(bad)
    # a click at display pixel (100, 50) on a 2048 px image shown at 1024 px
    scale = views.display_scale(2048, 1024)
    assert scale == 0.5
    assert H.add_point([[1, 1, 1]], (100, 50), False, scale) == [[1.0, 1.0, 1], [200.0, 100.0, 0]]
    prompt = H.to_prompt([[200, 100, 0]])
    assert prompt.points[0].x == 200 and prompt.points[0].include is False


def test_new_project_rejects_bad_input_and_creates_nothing(studio: Studio, tmp_path) -> None:
    bad = tmp_path / "notes.png"
    bad.write_text("hello")
    with pytest.raises(ImageError):
        H.new_project(studio, bad)
    with pytest.raises(InputError, match="no image"):
        H.new_project(studio, None)
    big = Studio(dataclasses.replace(studio.settings, max_pixels=10_000))
    with pytest.raises(ImageError, match=r"pixel|large|big"):
        H.new_project(big, EXAMPLES / "cat.png")
    assert not studio.settings.projects_dir.exists() or not any(
        studio.settings.projects_dir.iterdir()
    )
    with pytest.raises(InputError, match="no project yet"):
        H.require_project(studio, "  ")


def test_motion_spec_prompt_wins_and_empty_custom_prompt_fails(studio: Studio) -> None:
    spec = H.motion_spec(studio, "bounce", "", ["hearts"], 8, 8)
    assert spec.moves[0].name == "bounce" and spec.effects[0].name == "hearts"
    spec = H.motion_spec(studio, "bounce", "spin twice with zorp", [], 8, 8)
    assert spec.prompt and "zorp" in spec.unknown_words
    assert "not understood" in H.describe_motion(spec) and "zorp" in H.describe_motion(spec)
    with pytest.raises(PromptError, match="empty"):
        H.motion_spec(studio, H.CUSTOM, "   ", [], 8, 8)


def test_generate_then_views_and_resume(studio: Studio, generated: str) -> None:
    project = studio.open(generated)
    assert len(project.manifest["slots"]) == 6 and project.manifest["cutout"]
    av = render.animation_view(studio, project)
    assert av.preview and av.preview.is_file() and len(av.frames) == 6
    assert av.preview.is_relative_to(project.path)  # only project folders are served
    sv = render.source_view(project, [[192, 192, 1]])
    assert sv.clickable.is_file() and sv.checker and sv.dark and sv.light
    assert "1 point" in sv.info
    slot = render.slot_view(project, 2, [])
    assert len(slot.candidates) == 2 and slot.chosen == 0 and slot.duration_ms == pytest.approx(
        1000 / 6
    )
    c = H.controls_of(studio.open(generated))
    assert (c["preset"], c["frames"], c["size"]) == ("bounce", 6, 96)
    assert [r[2] for r in H.recent_projects(studio)] == [generated]


def test_refine_actions_change_the_project(studio: Studio, generated: str) -> None:
    assert "take 1" in H.choose(studio, generated, 1, 1)
    assert studio.open(generated).slot_record(1)["chosen"] == 1
    H.fix_frame(studio, generated, 2, [[48, 48, 1]])
    assert studio.open(generated).slot_record(2)["candidates"][0]["mask_file"]
    stroke = np.zeros((96, 96), np.float32)
    stroke[40:56, 40:56] = 1
    before = studio.open(generated).chosen_frames()[3][..., 3]
    H.paint_frame(studio, generated, 3, stroke, "erase")
    after = studio.open(generated).chosen_frames()[3][..., 3]
    assert after[40:56, 40:56].max() == 0 and before[40:56, 40:56].max() > 0
    with pytest.raises(InputError, match="empty"):
        H.paint_frame(studio, generated, 3, np.zeros((96, 96), np.float32), "erase")
    H.retry_frame(studio, generated, 0, "big bounce", 1)
    assert len(studio.open(generated).slot_record(0)["candidates"]) == 3
    H.set_duration(studio, generated, 0, 250)
    assert studio.durations_ms(studio.open(generated))[0] == 250
    H.set_duration(studio, generated, 0, 0)
    assert studio.open(generated).slot_record(0)["duration_ms"] is None
    H.set_edges(studio, generated, 1, -1, 1, 3, "rgba(255, 0, 0, 1)")
    assert studio.edges(studio.open(generated)).outline_color == "#ff0000"
    with pytest.raises(InputError, match="feather"):
        H.set_edges(studio, generated, 50, 0, 0, 0, "#ffffff")
    with pytest.raises(StudioError, match="slot must be between 0 and 5, got 99"):
        H.choose(studio, generated, 99, 0)


def test_export_view_previews_halo_and_errors(studio: Studio, generated: str,
                                              monkeypatch) -> None:
    ex = E.export(studio, generated, "line-emoji")
    assert ex.ok and ex.file.is_file() and ex.file.is_relative_to(studio.open(generated).path)
    assert any(r[0] == "file size" and r[3] == "pass" for r in ex.rows)
    assert "of 300,000 bytes" in ex.summary
    assert set(ex.previews) == {"light", "dark"} and set(ex.halo) == {"light", "dark"}
    assert all(0.0 <= h <= 1.0 for h in ex.halo.values()) and "Halo score" in ex.halo_text
    # the previews are the written file decoded, on LINE's own chat colours
    from studio.export import decode_file, get_preset

    dark = decode_file(ex.previews["dark"])
    assert len(dark.frames) == len(decode_file(ex.file).frames) > 1
    assert tuple(dark.frames[0][0, 0, :3]) == get_preset("line-emoji").background("dark")
    # WebM (Telegram) is decoded too: previews and halo scores
    webm = E.export(studio, generated, "telegram-emoji")
    assert webm.file.suffix == ".webm" and webm.previews["light"].is_file()
    assert webm.halo["dark"] < 0.05
    # a GIF is matted for one theme, and says so
    assert "matted for the dark chat" in E.export(studio, generated, "discord-emoji").halo_text
    with pytest.raises(InputError, match="unknown export preset"):
        E.export(studio, generated, "nope")
    empty = H.new_project(studio, EXAMPLES / "blob.png")
    with pytest.raises(InputError, match="generate first"):
        E.export(studio, empty, "line-emoji")
    from studio.export import get_preset

    monkeypatch.setattr(E, "get_preset",
                        lambda pid: dataclasses.replace(get_preset(pid), supported=False))
    with pytest.raises(ExportError, match="encoder"):
        E.export(studio, generated, "line-emoji")
    labels = dict((v, k) for k, v in E.preset_choices())
    assert "line-emoji" in labels and "180×180" in labels["line-emoji"]


def test_set_export_refuses_bad_counts_and_writes_nothing(studio: Studio, generated: str) -> None:
    assert E.parse_project_ids(" a, b a,,") == ["a", "b"] and E.parse_project_ids(["x"]) == ["x"]
    with pytest.raises(InputError, match="choose the projects"):
        E.export_set(studio, "", "line-emoji")
    ids = [generated]
    for move in ("spin", "hop"):
        p = studio.new_project(EXAMPLES / "star.png")
        studio.generate(p, studio.motion_spec(preset=move, frames=4, fps=8), size=(64, 64))
        ids.append(p.id)
    bare = H.new_project(studio, EXAMPLES / "blob.png")
    offered = [pid for _, pid in E.set_project_choices(studio)]
    assert set(offered) == set(ids) and bare not in offered  # only projects with frames
    exports = studio.open(generated).path / "exports"
    with pytest.raises(InputError, match="a LINE animated emoji set needs 8–40 items, got 3"):
        E.export_set(studio, ",".join(ids), "line-emoji")
    assert not exports.exists() or not list(exports.glob("*.zip"))
    with pytest.raises(StudioError, match="no project"):
        E.export_set(studio, [*ids, "20990101-000000-abcdef"], "whatsapp")
    sv = E.export_set(studio, ids, "whatsapp")  # WhatsApp takes 3-30 stickers + a tray icon
    assert sv.ok and sv.names == ["01.webp", "02.webp", "03.webp", "tray.png"]
    assert sv.file.is_file() and sv.file.is_relative_to(studio.open(generated).path)
    assert "names ignored" not in sv.summary and any(r[0] == "tray.png size" for r in sv.rows)
    labels = dict((v, k) for k, v in E.set_preset_choices())
    assert "tab.png" in labels["line-emoji"] and "telegram-video" in labels


def test_backend_menus_explain_and_refuse_unavailable(studio: Studio, generated: str,
                                                      monkeypatch) -> None:
    monkeypatch.delenv("STUDIO_WORKER_URL", raising=False)
    seg = {c.name: c for c in B.backend_status("segmenter")}
    assert list(seg)[:2] == ["auto", "classical"] and seg["classical"].available
    assert not seg["rembg:isnet-anime"].available and not seg["remote:birefnet"].available
    assert "popcon models pull isnet-anime" in seg["rembg:isnet-anime"].note
    note = B.backend_note("segmenter", "auto")
    assert "**classical** for automatic" in note
    assert "- rembg:isnet-anime — weights not downloaded: popcon models pull isnet-anime" in note
    assert "STUDIO_WORKER_URL" in B.backend_note("segmenter", "remote:sam")
    assert ("rembg:isnet-anime (unavailable)", "rembg:isnet-anime") in B.backend_choices(
        "segmenter")
    gen = {c.name: c for c in B.backend_status("generator")}
    assert gen["procedural"].available and not gen["diffusers:ltx-video"].available
    assert "Lightricks/LTX-Video" in gen["diffusers:ltx-video"].note

    before = studio.open(generated).manifest
    with pytest.raises(BackendUnavailable, match="popcon models pull isnet-anime"):
        H.segment(studio, generated, [], "rembg:isnet-anime")
    with pytest.raises(BackendUnavailable, match="LTX-Video"):
        H.generate(studio, generated, "bounce", "", [], 6, 6, 1, 96, "diffusers:ltx-video")
    with pytest.raises(BackendUnavailable, match="STUDIO_WORKER_URL"):
        H.fix_frame(studio, generated, 0, [[48, 48, 1]], "remote:sam")
    with pytest.raises(UnknownBackend, match="known segmenters"):
        H.segment_frames(studio, generated, "nope")
    assert studio.open(generated).manifest == before  # nothing changed

    message = H.segment(studio, generated, [], "auto")
    assert "Cut out with **classical** (chosen by auto)" in message
    assert "(chosen by auto)" in render.source_view(studio.open(generated), []).info


def test_video_model_prompt_is_shown_without_loading_a_model(studio: Studio,
                                                             monkeypatch) -> None:
    from studio.generate.diffusers import DiffusersGenerator

    def no_loading(self):
        raise AssertionError("describing a motion must not load a model")

    monkeypatch.setattr(DiffusersGenerator, "_load", no_loading)
    spec = H.motion_spec(studio, H.CUSTOM, "waves hello, then cries", [], 8, 8,
                         "diffusers:ltx-video")
    assert spec.prompt == "waves hello, then cries" and not spec.unknown_words
    text = H.describe_motion(spec, "diffusers:ltx-video")
    assert "**Model prompt** (diffusers:ltx-video)" in text
    assert "waves hello, then cries" in text and "white background" in text
    assert "Negative prompt" in text
    preset = H.motion_spec(studio, "bounce", "", ["hearts"], 8, 8, "diffusers:wan2.2-i2v")
    assert "hearts" in H.describe_motion(preset, "diffusers:wan2.2-i2v")
    assert "takes no text prompt" in H.describe_motion(preset, "diffusers:svd")
    assert "Model prompt" not in H.describe_motion(preset, "procedural")


def test_refine_shows_where_each_take_came_from(studio: Studio, generated: str) -> None:
    origins = render.slot_view(studio.open(generated), 1, []).origins
    assert "take 0 ✓ · procedural · seed 0" in origins and "take 1 · procedural" in origins
    assert "**Prompt:** bounce" in origins
    rec = {"chosen": 1, "candidates": [
        {"origin": {"backend": "diffusers:ltx-video", "seed": 3, "prompt": "A waves",
                    "rank": 1, "score": 0.42, "drift": 0.03}},
        {"origin": {"backend": "diffusers:ltx-video", "seed": 9, "prompt": "B cries",
                    "rank": 0, "score": 0.11, "drift": 0.01, "retry_of": 2}},
    ]}
    text = render.describe_origins(rec)
    assert "take 1 ✓ · diffusers:ltx-video · seed 9 · rank 0 · score 0.11" in text
    assert "retry of #2" in text and "prompt: 'A waves'" in text and "'B cries'" in text


def test_view_helpers() -> None:
    rgba = np.zeros((40, 60, 4), np.uint8)
    rgba[10:30, 20:40] = (255, 0, 0, 255)
    dark = views.over(rgba, views.DARK_CHAT)
    assert tuple(dark[0, 0]) == views.DARK_CHAT and tuple(dark[20, 30]) == (255, 0, 0)
    checker = views.on_checker(rgba)
    assert len({tuple(checker[0, 0]), tuple(checker[0, 6])}) == 2
    drawn = views.draw_points(np.zeros((40, 60, 3), np.uint8), [[30, 20, 1]], 1.0)
    assert drawn[20, 30].any() and not drawn[0, 0].any()
    s = views.strip([rgba] * 5, height=20)
    assert s.shape == (20, 5 * 30, 3)
    layer = np.zeros((20, 30, 4), np.uint8)
    layer[5:10, 5:10, 3] = 255
    stroke = views.stroke_from_layers([layer], (40, 60))
    assert stroke.shape == (40, 60) and stroke[15, 15] == 1 and stroke[35, 55] == 0
    data = views.animation_bytes([rgba, rgba[::-1].copy()], [100, 100])
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and b"acTL" in data
    assert json.loads(json.dumps(H.parse_points([[1, 2, 0]]))) == [[1.0, 2.0, 0]]
