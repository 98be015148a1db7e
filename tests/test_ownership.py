"""Projects belong to their owner: two gradio_client sessions on one studio (each sees,
opens, changes and exports only its own projects), the file route (no project folder is
served to anyone), a login (projects belong to the user, in every session of theirs), and
the single-user local studio (projects without an owner, e.g. made by the CLI, stay open)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import EXAMPLES

pytest.importorskip("gradio")
pytest.importorskip("gradio_client")


def start(home: Path, **env: str) -> Any:
    from studio.pipeline import Studio
    from studio.settings import load_settings
    from studio.ui import launch
    from tests.live import free_port

    studio = Studio(load_settings({"STUDIO_HOME": str(home), **env}))
    return launch(studio, host="127.0.0.1", port=free_port(), share=False, block=False)


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("owners-home")
    demo = start(home)
    try:
        yield demo.local_url, home
    finally:
        demo.close()


def client(url: str, home: Path, name: str, **kw: Any) -> Any:
    from gradio_client import Client

    return Client(url, verbose=False, download_files=str(home / f"dl-{name}"), **kw)


def ids_in(recent: list) -> set[str]:
    return {item["caption"].rsplit(" · ", 1)[1] for item in recent}


def new_project(c: Any, image: str = "cat.png") -> str:
    from gradio_client import handle_file

    return c.predict(handle_file(str(EXAMPLES / image)), api_name="/new_project")[0]


def test_two_sessions_see_and_touch_only_their_own_projects(local) -> None:
    from gradio_client.exceptions import AppError

    url, home = local
    alice, bob = client(url, home, "a"), client(url, home, "b")
    mine = new_project(alice)
    theirs = new_project(bob, "blob.png")
    manifest = json.loads((home / "projects" / mine / "manifest.json").read_text())
    assert manifest["owner"].startswith("session:") and len(manifest["owner"]) > 40

    alice.predict(mine, "bounce", "", [], 6, 6, 1, 96, "auto", api_name="/generate")
    assert mine in ids_in(alice.predict(api_name="/recent_projects"))
    assert theirs not in ids_in(alice.predict(api_name="/recent_projects"))
    assert ids_in(bob.predict(api_name="/recent_projects")) == {theirs}

    before = (home / "projects" / mine / "manifest.json").read_text()
    refused = [
        ("/open_project", (mine,)),
        ("/set_duration", (mine, 0, 200)),
        ("/generate", (mine, "bounce", "", [], 6, 6, 1, 96, "auto")),
        ("/segment", (mine, [], "auto")),
        ("/choose", (mine, 0, 0)),
        ("/set_edges", (mine, 0, 1, 0, 0, 0, "#ffffff")),
        ("/export", (mine, "line-emoji")),
        ("/export_set", ([mine], "line-emoji")),
    ]
    for api, args in refused:
        with pytest.raises(AppError, match=f"no project with id '{mine}'"):
            bob.predict(*args, api_name=api)
    assert (home / "projects" / mine / "manifest.json").read_text() == before
    choices = bob.predict(api_name="/set_projects")
    assert mine not in json.dumps(choices)

    # the owner still does everything, and gets its export through the API
    out = alice.predict(mine, "line-emoji", api_name="/export")
    assert Path(out[0]).is_file() and Path(out[0]).stat().st_size > 0
    opened = alice.predict(mine, api_name="/open_project")
    assert opened[0] == mine


def test_file_route_serves_no_project_folder(local) -> None:
    url, home = local
    alice = client(url, home, "files")
    pid = new_project(alice)
    folder = home / "projects" / pid
    source = next(folder.glob("source-*.png"))
    for target in (folder / "manifest.json", source, folder / "..." / ".." / pid /
                   "manifest.json", home / "projects"):
        r = httpx.get(f"{url}gradio_api/file={target}")
        assert r.status_code == 403, (target, r.status_code)
        assert b'"owner"' not in r.content and b"PNG" not in r.content[:8]
        assert b"only shown to their owner" in r.content
    # what the studio shows still loads (from Gradio's cache, not the project folder)
    view = alice.predict(pid, api_name="/open_project")
    assert any(isinstance(v, str) and Path(v).is_file() for v in view)


def test_local_studio_keeps_projects_without_an_owner_open(local) -> None:
    from studio.pipeline import Studio
    from studio.settings import load_settings

    url, home = local
    cli_made = Studio(load_settings({"STUDIO_HOME": str(home)})).new_project(
        EXAMPLES / "star.png").id  # as `popcon make` does: no owner
    for name in ("x", "y"):
        c = client(url, home, name)
        assert cli_made in ids_in(c.predict(api_name="/recent_projects"))
        assert c.predict(cli_made, api_name="/open_project")[0] == cli_made


def test_with_a_login_projects_belong_to_the_user(tmp_path: Path) -> None:
    from gradio_client.exceptions import AppError

    from studio.pipeline import Studio
    from studio.settings import load_settings

    home = tmp_path / "home"
    unowned = Studio(load_settings({"STUDIO_HOME": str(home)})).new_project(
        EXAMPLES / "star.png").id
    demo = start(home, STUDIO_AUTH="alice:wonderland")
    try:
        first = client(demo.local_url, home, "1", auth=("alice", "wonderland"))
        pid = new_project(first)
        owner = json.loads((home / "projects" / pid / "manifest.json").read_text())["owner"]
        assert owner == "user:alice"
        second = client(demo.local_url, home, "2", auth=("alice", "wonderland"))
        assert second.predict(pid, api_name="/open_project")[0] == pid  # same user
        # a shared studio hides projects that have no owner
        assert ids_in(second.predict(api_name="/recent_projects")) == {pid}
        with pytest.raises(AppError, match="no project with id"):
            second.predict(unowned, api_name="/open_project")
    finally:
        demo.close()
