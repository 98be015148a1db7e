"""The studio's rig panel: the rig drawn on a copy of the cut-out, edited with clicks; and its
API endpoints on a studio launched on a free loopback port (gradio_client)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.errors import InputError
from tests.conftest import EXAMPLES
from tests.live import running_studio

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")


@pytest.fixture
def studio(settings):
    from studio.pipeline import Studio

    return Studio(settings)


def test_rig_view_draws_on_a_copy_and_edits_apply(studio):
    from studio.ui import rig_panel as R

    project = studio.new_project(EXAMPLES / "cat.png")
    blank = R.rig_view(studio, project)
    assert blank.image is None and "cut the character out first" in blank.info
    studio.segment_source(project)
    cutout = project.load_source().cutout.copy()
    view = R.rig_view(studio, project)
    assert "2 eyes" in view.info and {"eye-l", "eye-r"} <= set(view.part_ids)
    shown = np.asarray(Image.open(view.image))
    assert shown.shape[:2] == (round(384 * view.scale),) * 2
    assert np.array_equal(project.load_source().cutout, cutout)  # the cut-out is untouched
    message = R.edit(studio, project.id, R.PIVOT, "eye-l", None, 150.0, 190.0)
    rig = studio.rig(studio.open(project.id))
    assert "eye-l" in message and rig.get("eye-l").pivot == (150.0, 190.0)
    assert "Edited by hand: eye-l" in R.rig_view(studio, studio.open(project.id)).info
    message = R.edit(studio, project.id, R.ASSIGN, None, "none", 150.0, 195.0)
    assert "eye-l" in message and len(studio.rig(studio.open(project.id)).of_kind("eye")) == 1
    with pytest.raises(InputError, match="choose the part"):
        R.edit(studio, project.id, R.PIVOT, None, None, 10.0, 10.0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("ui-rig-home")
    with running_studio(home) as url:
        yield url, home


def test_rig_endpoints(server):
    from gradio_client import Client, handle_file

    url, home = server
    client = Client(url, verbose=False, download_files=str(home / "downloads"))
    project_id = client.predict(handle_file(str(EXAMPLES / "star.png")),
                                api_name="/new_project")[0]
    client.predict(project_id, [], "auto", api_name="/segment")
    image, info, _part, data = client.predict(project_id, api_name="/rig")
    assert Path(image).is_file() and "2 eyes" in info
    assert {p["kind"] for p in data["parts"]} >= {"eye", "arm"}
    arm = next(p for p in data["parts"] if p["kind"] == "arm")
    _, info, _, data = client.predict(project_id, "move pivot", arm["id"], "eye", 200.0, 150.0,
                                      api_name="/rig_edit")
    moved = next(p for p in data["parts"] if p["id"] == arm["id"])
    assert moved["pivot"] == [200.0, 150.0] and moved["source"] == "user"
    manifest = json.loads((home / "projects" / project_id / "manifest.json").read_text())
    assert manifest["rig"] == data
    gen = client.predict(project_id, "custom", "blink then wave", [], 8, 8, 1, 120, "auto",
                         api_name="/generate")
    assert "waves it" in gen[2]  # the interpretation, fitted to the rig
