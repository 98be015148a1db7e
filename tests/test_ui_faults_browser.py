"""Refusals and resume in headless Debian chromium: a text file named .png, a too-large image
and an empty motion prompt each give one message a user can act on (one toast, no "Error"
badges, what was on screen stays); a reload restores everything on screen (the Character
box, the controls as set, the last export). Two browser contexts own separate projects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import EXAMPLES
from tests.helpers import empty_image
from tests.live import CHROMIUM, chromium, open_studio, running_studio, upload_character
from tests.test_ui_browser import PROJECT_ID_JS

pytest.importorskip("gradio")
sync_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is missing (make test installs it with apt)"
)
TOAST = '[data-testid="toast-body"]'
MAX_PIXELS = 300_000


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    home = tmp_path_factory.mktemp("ui-faults-home")
    with running_studio(home, STUDIO_MAX_PIXELS=str(MAX_PIXELS)) as url:
        yield url, home


@pytest.fixture(scope="module")
def browser() -> Iterator:
    with chromium() as b:
        yield b


def project_id(page) -> str:
    return page.locator("#project-id textarea, #project-id input").first.input_value()


def error_badges(page) -> int:
    """Visible "Error" labels on components (the toast's own title not counted)."""
    return page.evaluate(
        "() => [...document.querySelectorAll('span, div')]"
        ".filter(e => e.childElementCount === 0 && e.textContent.trim() === 'Error'"
        " && !e.closest('[data-testid=\"toast-body\"]') && getComputedStyle(e).visibility"
        " !== 'hidden' && e.getBoundingClientRect().width > 4"
        " && e.getBoundingClientRect().height > 4).length")  # not screen-reader-only text


def one_message(page, *words: str) -> str:
    """Exactly one toast, with `words`, no badges; the toast is closed afterwards."""
    page.locator(TOAST).first.wait_for(timeout=15_000)
    page.wait_for_timeout(1500)  # a second toast or badges would have arrived by now
    toasts = page.locator(TOAST)
    assert toasts.count() == 1, [toasts.nth(i).inner_text() for i in range(toasts.count())]
    text = toasts.first.inner_text()
    # Gradio groups repeats of one error in one toast under a count: "Error (2)"
    assert not re.search(r"^\(\d+\)$", text, re.M), text
    for w in words:
        assert w in text, (w, text)
    assert "STUDIO_" not in text
    assert error_badges(page) == 0
    page.locator('[data-testid="toast-close"]').first.click()
    toasts.first.wait_for(state="detached", timeout=10_000)
    return text


def src(page, elem_id: str) -> str | None:
    img = page.locator(f"#{elem_id} img").first
    return img.get_attribute("src") if img.count() else None


def manifest(home: Path, pid: str) -> dict:
    return json.loads((home / "projects" / pid / "manifest.json").read_text())


def set_number(page, elem_id: str, value: int) -> None:
    box = page.locator(f"#{elem_id} input[type=number]")
    box.fill(str(value))
    box.press("Enter")


def test_bad_uploads_and_empty_prompt_one_message_screen_kept(server, browser,
                                                              tmp_path: Path) -> None:
    url, home = server
    page = open_studio(browser, url)
    notes = tmp_path / "notes.png"
    notes.write_text("shopping list: milk, eggs\n")
    big = tmp_path / "poster.png"
    Image.new("RGB", (800, 600), (200, 120, 40)).save(big)

    # 1 · a text file named .png, on an empty studio
    page.set_input_files("#upload input[type=file]", str(notes))
    one_message(page, "notes.png", "not a recognised image")
    assert project_id(page) == "" and not list((home / "projects").glob("*"))
    assert page.locator("#upload img").count() == 0  # the box is cleared again
    white = empty_image("all-white", tmp_path)  # no character: refused before any project
    page.set_input_files("#upload input[type=file]", str(white))
    one_message(page, "no character found", "one flat colour")
    assert project_id(page) == "" and not list((home / "projects").glob("*"))

    # 2 · a real project, generated
    upload_character(page, str(EXAMPLES / "cat.png"))
    pid = project_id(page)
    page.click("#generate")
    page.wait_for_function("() => document.querySelector('#preview img')?.naturalWidth > 0",
                           timeout=30_000)
    preview = src(page, "preview")
    assert page.locator(TOAST).count() == 0

    # 3 · a too-large image, then a text file: one message each, the open project and its
    # preview stay (with a project open, Gradio sends the new upload's change twice)
    page.set_input_files("#upload input[type=file]", str(big))
    one_message(page, "poster.png", "megapixels", "scale it down")
    assert project_id(page) == pid and src(page, "preview") == preview
    assert len(list((home / "projects").glob("*"))) == 1
    page.set_input_files("#upload input[type=file]", str(notes))
    one_message(page, "notes.png", "not a recognised image")
    assert project_id(page) == pid and src(page, "preview") == preview
    assert len(list((home / "projects").glob("*"))) == 1
    page.wait_for_function("() => document.querySelector('#upload img')?.naturalWidth > 0",
                           timeout=10_000)  # the box shows the project's character again

    # 4 · an empty custom motion prompt: refused, the preview and frames stay
    page.get_by_label("Motion preset").click()
    page.get_by_role("option", name="custom · use the motion prompt").click()
    page.wait_for_timeout(300)
    before = manifest(home, pid)["slots"]
    page.click("#generate")
    one_message(page, "motion")
    assert src(page, "preview") == preview
    assert manifest(home, pid)["slots"] == before
    page.close()


def test_reload_restores_everything_on_screen(server, browser) -> None:
    url, home = server
    page = open_studio(browser, url)
    upload_character(page, str(EXAMPLES / "blob.png"))
    pid = project_id(page)
    # a prompt that brings its own effect ("sparkles"); the ticked effect is "hearts" only
    page.get_by_label("Custom motion prompt").fill("subtle bounce with sparkles")
    page.get_by_label("hearts").check()
    set_number(page, "frames-n", 8)
    set_number(page, "takes-n", 3)
    page.click("#generate")
    page.wait_for_function("() => document.querySelector('#preview img')?.naturalWidth > 0",
                           timeout=30_000)
    assert len(manifest(home, pid)["slots"][0]["candidates"]) == 3
    page.get_by_role("tab", name="Export").click()
    page.click("#export")
    page.wait_for_selector("#download a", timeout=30_000)
    summary = page.locator("#export-summary").inner_text()
    assert "meets" in summary

    projects = sorted(p.name for p in (home / "projects").iterdir())
    page.reload()
    page.wait_for_function(f"{PROJECT_ID_JS}?.value === '{pid}'", timeout=20_000)
    page.wait_for_function("() => document.querySelector('#upload img')?.naturalWidth > 0",
                           timeout=15_000)
    assert page.locator(TOAST).count() == 0
    assert page.locator("#takes-n input[type=number]").input_value() == "3"
    assert page.locator("#frames-n input[type=number]").input_value() == "8"
    assert page.get_by_label("hearts").is_checked()
    assert not page.get_by_label("sparkles").is_checked()
    assert page.get_by_label("Custom motion prompt").input_value() == \
        "subtle bounce with sparkles"
    assert page.locator("#preview img").count() == 1
    page.wait_for_timeout(1000)
    # showing the project's character in the box made no new project
    assert sorted(p.name for p in (home / "projects").iterdir()) == projects
    page.get_by_role("tab", name="Export").click()
    page.wait_for_selector("#download a", timeout=15_000)
    assert "meets" in page.locator("#export-summary").inner_text()
    assert page.locator("#check").get_by_text("file size").count() >= 1
    assert "Halo score" in page.locator("#export-halo").inner_text()
    page.close()


def test_two_browsers_own_their_projects(server, browser) -> None:
    url, _ = server
    first = open_studio(browser, url)
    upload_character(first, str(EXAMPLES / "star.png"))
    pid = project_id(first)
    other = open_studio(browser, url)  # a new browser context: its own storage, its own owner
    other.locator("#recent").click()
    other.locator("#recent").get_by_role("button", name="Refresh list").click()
    other.wait_for_timeout(1500)
    assert pid not in other.locator("#recent").inner_text()
    other.get_by_label("Project id").fill(pid)
    other.locator("#recent").get_by_role("button", name="Open", exact=True).click()
    one_message(other, "no project with id")
    assert project_id(other) == ""
    first.reload()  # the owner's browser still resumes it
    first.wait_for_function(f"{PROJECT_ID_JS}?.value === '{pid}'", timeout=20_000)
    first.close()
    other.close()
