"""The studio's handlers for fixing a cut-out and for versions (no server, no browser)."""

from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InputError, ProjectError
from studio.pipeline import Studio
from studio.ui import fixes as F
from studio.ui import handlers as H
from tests.drawings import white_ghost


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


@pytest.fixture
def ghost_project(studio: Studio, tmp_path) -> str:
    from PIL import Image

    g = white_ghost(192)
    path = tmp_path / "ghost.png"
    Image.fromarray(g.rgb).save(path)
    pid = H.new_project(studio, path)
    H.generate(studio, pid, "bounce", "", [], 6, 6, 1, 96)
    return pid


def test_segment_view_warns_about_a_dropped_body_and_clicks_fix_it(studio, ghost_project):
    g = white_ghost(192)
    project = studio.open(ghost_project)
    assert "keeps only" in F.coverage_note(project)
    message = H.segment(studio, ghost_project, [[*g.body_xy, 1]])
    assert "6 takes re-rendered" in message
    assert F.coverage_note(studio.open(ghost_project)) == ""
    assert "overlay" in F.LEGEND.lower() and "never in a frame" in F.LEGEND


def test_deferred_re_render_catches_up(studio, ghost_project):
    g = white_ghost(192)
    before = studio.open(ghost_project).chosen_frames()
    H.segment(studio, ghost_project, [[*g.body_xy, 1]], rerender=False)
    project = studio.open(ghost_project)
    assert project.manifest["frames_stale"]
    assert studio.ensure_rendered(project) == 6 and not project.manifest["frames_stale"]
    after = project.chosen_frames()
    assert all((b[..., 3] > 25).sum() > (a[..., 3] > 25).sum()
               for a, b in zip(before, after, strict=True))


def test_source_brush_handler(studio, ghost_project):
    g = white_ghost(192)
    layer = np.zeros((96, 96, 4), np.uint8)  # a scaled canvas: resized to the source
    layer[g.body[::2, ::2]] = (255, 45, 117, 255)
    message = F.paint_source(studio, ghost_project, [layer], "restore")
    assert "re-rendered 6" in message.lower()
    cut = studio.open(ghost_project).load_source().cutout
    assert (cut[..., 3] > 128)[g.body].mean() > 0.9
    with pytest.raises(InputError, match="empty"):
        F.paint_source(studio, ghost_project, [np.zeros((96, 96, 4), np.uint8)], "erase")
    with pytest.raises(InputError, match="mode"):
        F.paint_source(studio, ghost_project, [layer], "smudge")


def test_generate_says_what_it_will_do_and_versions_restore(studio, ghost_project):
    project = studio.open(ghost_project)
    assert "v2" in F.generate_plan(project) and "hand edit" not in F.generate_plan(project)
    H.choose(studio, ghost_project, 1, 0)
    H.set_duration(studio, ghost_project, 2, 300)
    plan = F.generate_plan(studio.open(ghost_project))
    assert "2 hand edits" in plan and "**v1**" in plan and "restored" in plan
    H.generate(studio, ghost_project, "spin", "", [], 4, 8, 1, 96)
    choices = F.versions(studio.open(ghost_project))
    assert [v for _, v in choices] == [2, 1] and "(current)" in choices[0][0]
    message = F.restore_version(studio, ghost_project, 1)
    assert "v1" in message
    project = studio.open(ghost_project)
    assert len(project.manifest["slots"]) == 6 and project.slot_record(2)["duration_ms"] == 300
    with pytest.raises(InputError, match="choose a version"):
        F.restore_version(studio, ghost_project, None)
    with pytest.raises(ProjectError, match="no version 9"):
        F.restore_version(studio, ghost_project, 9)
    assert F.generate_plan(None) == "" and F.versions(None) == []


def test_an_exclude_click_that_drops_most_of_the_cut_out_says_so(studio: Studio) -> None:
    from studio.types import Point, Prompt
    from tests.conftest import EXAMPLES

    project = studio.new_project(EXAMPLES / "cat.png")
    studio.segment_source(project)
    before = F.kept_area(studio.open(project.id))
    w, h = project.manifest["source"]["size"]
    # exclude on the middle of the face: the orange fur is one region, most of the cat
    body = Prompt(points=(Point(w * 0.5, h * 0.42, False),))
    studio.segment_source(project, None, body)
    after = F.kept_area(studio.open(project.id))
    note = F.loss_note(before, after)
    assert after < before / 2 and "Undo last point" in note and "%" in note
    # a click that keeps most of the cut-out (or the first cut-out) says nothing
    assert F.loss_note(before, int(before * 0.8)) == "" and F.loss_note(0, after) == ""
