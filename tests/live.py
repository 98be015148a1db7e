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
