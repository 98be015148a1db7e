"""The studio launched on a free port and driven through its API with gradio_client:
upload → generate → segment → choose a take → fix a frame with points → export → download."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.live import free_port, running_studio

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The studio on 127.0.0.1:<free port> with its own STUDIO_HOME; closed afterwards."""
    home = tmp_path_factory.mktemp("ui-api-home")
    with running_studio(home, STUDIO_QUEUE_CONCURRENCY="2") as url:
        yield url, home


@pytest.fixture(scope="module")
def client(server: tuple[str, Path]):
    from gradio_client import Client

    return Client(server[0], verbose=False, download_files=str(server[1] / "downloads"))


def manifest(home: Path, project_id: str) -> dict:
    return json.loads((home / "projects" / project_id / "manifest.json").read_text())


def test_whole_job_through_the_api(client, server) -> None:
    from gradio_client import handle_file

    from studio.export import check_file, get_preset

    home = server[1]
    out = client.predict(handle_file(str(EXAMPLES / "cat.png")), api_name="/new_project")
    project_id = out[0]
    assert manifest(home, project_id)["source"]["size"] == [384, 384]

    interp = client.predict("bounce", "hop twice with hearts and blorp", ["sparkles"], 8, 8,
                            "auto", api_name="/describe_motion")
    assert "blorp" in interp and "hop" in interp
    video = client.predict("custom", "waves hello and laughs", [], 8, 8, "diffusers:ltx-video",
                           api_name="/describe_motion")
    assert "**Model prompt** (diffusers:ltx-video)" in video and "waves hello and laughs" in video

    gen = client.predict(project_id, "bounce", "", [], 10, 10, 2, 180, "auto",
                         api_name="/generate")
    preview = Path(gen[0])
    assert preview.is_file() and preview.stat().st_size > 0
    m = manifest(home, project_id)
    assert len(m["slots"]) == 10 and all(len(s["candidates"]) == 2 for s in m["slots"])
    assert m["cutout"] is not None  # Generate cut the source out first

    seg = client.predict(project_id, [[192, 192, 1], [5, 5, 0]], "auto", api_name="/segment")
    assert seg[0] == [[192.0, 192.0, 1], [5.0, 5.0, 0]]
    assert manifest(home, project_id)["cutout"]["prompt"]["points"][1]["include"] is False

    client.predict(project_id, 3, 1, api_name="/choose")
    assert manifest(home, project_id)["slots"][3]["chosen"] == 1

    client.predict(project_id, 4, [[90, 90, 1]], "auto", api_name="/fix_frame")
    assert manifest(home, project_id)["slots"][4]["candidates"][0]["mask_file"]

    client.predict(project_id, 2, 150, api_name="/set_duration")
    client.predict(project_id, 0, 0, 0, 0, 2, "#ffffff", api_name="/set_edges")
    m = manifest(home, project_id)
    assert m["slots"][2]["duration_ms"] == 150 and m["settings"]["edges"]["outline"] == 2

    exported = client.predict(project_id, "line-emoji", api_name="/export")
    path = Path(exported[0])
    report = check_file(path, get_preset("line-emoji"))
    assert report.ok, report.to_text()
    assert path.suffix == ".png" and exported[1].startswith("✓ meets")
    assert "Halo score" in exported[5] and "dark" in exported[5]

    # resuming after the fact shows the same frames
    opened = client.predict(project_id, api_name="/open_project")
    assert opened[0] == project_id


def test_fixable_errors_are_messages_and_change_nothing(client, server, tmp_path) -> None:
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    home = server[1]
    before = sorted(p.name for p in (home / "projects").iterdir())
    text = tmp_path / "notes.png"
    text.write_text("not an image")
    with pytest.raises(AppError, match=r"(?i)image"):
        client.predict(handle_file(str(text)), api_name="/new_project")
    with pytest.raises(AppError, match="no project yet"):
        client.predict("", "line-emoji", api_name="/export")
    with pytest.raises(AppError, match="no project yet"):
        client.predict("", "bounce", "", [], 12, 12, 1, 360, "auto", api_name="/generate")
    assert sorted(p.name for p in (home / "projects").iterdir()) == before

    out = client.predict(handle_file(str(EXAMPLES / "blob.png")), api_name="/new_project")
    project_id = out[0]
    with pytest.raises(AppError, match="generate first"):
        client.predict(project_id, "line-emoji", api_name="/export")
    with pytest.raises(AppError, match="motion prompt is empty"):
        client.predict(project_id, "custom", "  ", [], 12, 12, 1, 360, "auto",
                       api_name="/generate")
    with pytest.raises(AppError, match="nope is not in the list of choices"):
        client.predict(project_id, "nope", api_name="/export")
    with pytest.raises(AppError, match="popcon models pull isnet-anime"):
        client.predict(project_id, [], "rembg:isnet-anime", api_name="/segment")
    with pytest.raises(AppError, match="unavailable"):
        client.predict(project_id, "bounce", "", [], 12, 12, 1, 360, "diffusers:ltx-video",
                       api_name="/generate")
    m = manifest(home, project_id)
    assert m["slots"] == [] and m["cutout"] is None


LIVELY = ("bounce", "spin", "hop", "shake", "sway", "jelly", "wobble", "float")


def test_set_export_through_the_api(client, server) -> None:
    """Eight small projects made through the Studio API → one LINE emoji set ZIP; a set of
    three is refused with the platform's rule and writes nothing."""
    import zipfile

    from studio.pipeline import Studio
    from studio.settings import load_settings

    home = server[1]
    studio = Studio(load_settings({"STUDIO_HOME": str(home)}))
    examples = sorted(EXAMPLES.glob("*.png"))
    ids = []
    for i, move in enumerate(LIVELY):
        project = studio.new_project(examples[i % len(examples)], name=f"{move}-{i}")
        studio.generate(project, studio.motion_spec(preset=move, frames=10, fps=10),
                        size=(96, 96))
        ids.append(project.id)

    out = client.predict(ids, "line-emoji", api_name="/export_set")
    zip_path, summary, rows = Path(out[0]), out[1], out[2]
    with zipfile.ZipFile(zip_path) as zf:
        assert sorted(zf.namelist()) == [f"{i:03d}.png" for i in range(1, 9)] + ["tab.png"]
    assert summary.startswith("✓ a valid") and "8 items" in summary
    table = rows["data"] if isinstance(rows, dict) else rows
    assert ["item count", "8–40 items", "8", "pass"] in table
    assert sum(r[3] == "pass" for r in table) == len(table)

    exports = zip_path.parent
    before = sorted(exports.iterdir())
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="a LINE animated emoji set needs 8–40 items, got 3"):
        client.predict(",".join(ids[:3]), "line-emoji", api_name="/export_set")
    assert sorted(exports.iterdir()) == before


def test_share_offline_warns_and_keeps_the_local_studio(tmp_path, monkeypatch, caplog) -> None:
    import gradio.networking
    import httpx

    from studio.pipeline import Studio
    from studio.settings import load_settings
    from studio.ui import launch

    def no_tunnel(*args, **kwargs):
        raise ConnectionError("no network")

    monkeypatch.setattr(gradio.networking, "setup_tunnel", no_tunnel)
    studio = Studio(load_settings({"STUDIO_HOME": str(tmp_path), "STUDIO_SHARE": "1"}))
    demo = launch(studio, port=free_port(), block=False)
    try:
        assert demo.share_url is None
        assert "no public share link" in caplog.text
        assert httpx.get(demo.local_url, timeout=10).status_code == 200
    finally:
        demo.close()


def test_versions_and_source_brush_through_the_api(client, server) -> None:
    from gradio_client import handle_file

    home = server[1]
    project_id = client.predict(handle_file(str(EXAMPLES / "blob.png")),
                                api_name="/new_project")[0]
    client.predict(project_id, "bounce", "", [], 6, 6, 1, 96, "auto", api_name="/generate")
    client.predict(project_id, "spin", "", [], 4, 8, 1, 96, "auto", api_name="/generate")
    m = manifest(home, project_id)
    assert m["version"] == 2 and [v["version"] for v in m["versions"]] == [1]
    client.predict(project_id, 1, api_name="/restore_version")
    m = manifest(home, project_id)
    assert m["version"] == 1 and len(m["slots"]) == 6
    # the brush on the source: restore a square of it; the cut-out keeps it
    from PIL import Image

    w, h = m["source"]["size"]
    layer = Path(home) / "stroke.png"
    stroke = Image.new("RGBA", (w, h))
    stroke.paste((255, 45, 117, 255), (0, 0, 24, 24))
    stroke.save(layer)
    editor = {"background": handle_file(str(layer)), "layers": [handle_file(str(layer))],
              "composite": None}
    client.predict(project_id, editor, "restore", 0, api_name="/paint_source")
    m = manifest(home, project_id)
    assert m["source_edits"]
    cut = Image.open(Path(home) / "projects" / project_id / m["cutout"]["file"])
    assert cut.getchannel("A").crop((0, 0, 24, 24)).getextrema() == (255, 255)
