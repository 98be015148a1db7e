"""The rig panel in headless chromium: open it on the Segment tab, see the rig drawn on the
cut-out, move a pivot with a click (the project's rig changes), re-assign a part."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES
from tests.live import open_studio, upload_character
from tests.test_ui_browser import (  # noqa: F401  (module fixtures: the studio and chromium)
    CHROMIUM,
    ERROR_TOAST,
    PROJECT_ID_JS,
    browser,
    server,
)

pytest.importorskip("gradio")
pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (make test installs it with apt)"
)


def rig_of(home: Path, project_id: str) -> dict | None:
    return json.loads((home / "projects" / project_id / "manifest.json").read_text())["rig"]


def wait_for(check, timeout: float = 30.0, what: str = "condition"):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def test_rig_panel_shows_and_edits_the_rig(server, browser, tmp_path: Path) -> None:  # noqa: F811
    url, home = server
    page = open_studio(browser, url, height=1000)
    upload_character(page, str(EXAMPLES / "star.png"))
    project_id = page.locator("#project-id textarea, #project-id input").first.input_value()

    page.get_by_role("tab", name="Segment").click()
    page.click("#cut-out")
    wait_for(lambda: (home / "projects" / project_id / "manifest.json").exists()
             and json.loads((home / "projects" / project_id / "manifest.json").read_text())
             ["cutout"], what="the cut-out")
    page.locator("#rig").get_by_text("Rig: the parts that move").click()  # open the panel
    wait_for(lambda: page.locator("#rig-image img").count() > 0, what="the rig image")
    assert "2 eyes" in page.locator("#rig-info").text_content()
    rig = rig_of(home, project_id)
    assert rig is not None and any(p["kind"] == "arm" for p in rig["parts"])

    # move the pivot of the first part in the menu (eye-l) to the middle of the picture
    page.get_by_label("move pivot").check()
    img = page.locator("#rig-image img").first
    box = img.bounding_box()
    img.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    edited = wait_for(lambda: next((p for p in rig_of(home, project_id)["parts"]
                                    if p["source"] == "user"), None), what="an edited part")
    assert abs(edited["pivot"][0] - 192) < 6 and abs(edited["pivot"][1] - 192) < 6
    wait_for(lambda: "Moved the pivot" in page.locator("#rig-info").text_content(),
             what="the message")
    assert page.locator(ERROR_TOAST).count() == 0
    page.close()
