"""The studio's handlers and view helpers as plain functions (no server, no browser)."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from studio.errors import ExportError, ImageError, InputError, PromptError, StudioError
from studio.pipeline import Studio
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


def test_export_view_and_errors(studio: Studio, generated: str, monkeypatch) -> None:
    ex = H.export(studio, generated, "line-emoji")
    assert ex.ok and ex.file.is_file() and ex.file.is_relative_to(studio.open(generated).path)
    assert any(r[0] == "file size" and r[3] == "pass" for r in ex.rows)
    assert "of 300,000 bytes" in ex.summary
    assert ex.light and ex.dark and ex.light.is_file()
    with pytest.raises(InputError, match="unknown export preset"):
        H.export(studio, generated, "nope")
    empty = H.new_project(studio, EXAMPLES / "blob.png")
    with pytest.raises(InputError, match="generate first"):
        H.export(studio, empty, "line-emoji")
    from studio.export import get_preset

    monkeypatch.setattr(H, "get_preset",
                        lambda pid: dataclasses.replace(get_preset(pid), supported=False))
    with pytest.raises(ExportError, match="encoder"):
        H.export(studio, generated, "line-emoji")
    labels = dict((v, k) for k, v in H.preset_choices())
    assert "line-emoji" in labels and "180×180" in labels["line-emoji"]


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
