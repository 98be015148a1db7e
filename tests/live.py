"""Real components the UI tests talk to: the studio served on a free loopback port and
headless Debian chromium driven by Playwright. Each is a context manager that stops what it
started."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_studio(home: Path, **env: str) -> Iterator[str]:
    """The studio with STUDIO_HOME=`home` (and any other STUDIO_* settings in `env`) on
    127.0.0.1:<free port>; yields its URL and closes it afterwards."""
    from studio.pipeline import Studio
    from studio.settings import load_settings
    from studio.ui import launch

    studio = Studio(load_settings({"STUDIO_HOME": str(home), **env}))
    demo = launch(studio, host="127.0.0.1", port=free_port(), share=False, block=False)
    try:
        yield demo.local_url
    finally:
        demo.close()


@contextmanager
def chromium() -> Iterator:
    """Headless Debian chromium (a Playwright Browser), closed afterwards."""
    from playwright import sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield b
        finally:
            b.close()


PROJECT_ID_JS = "document.querySelector('#project-id textarea, #project-id input')"


def open_studio(browser, url: str, height: int = 900):
    """A new 1280×`height` px page on the studio, once its Generate button is there."""
    page = browser.new_page(viewport={"width": 1280, "height": height})
    page.goto(url)
    page.wait_for_selector("#generate", timeout=30_000)
    return page


def upload_character(page, path: Path | str) -> None:
    """Upload `path` in the Character box and wait until its project is open."""
    page.set_input_files("#upload input[type=file]", str(path))
    page.wait_for_function(f"{PROJECT_ID_JS}?.value.length > 0", timeout=20_000)
