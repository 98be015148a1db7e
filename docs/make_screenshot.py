"""Regenerate docs/studio.png (the README's screenshot of the studio).

Runs the browser test with POPCON_SCREENSHOT set, so the picture shows the real studio after
the three-click path (upload → Generate), in headless Debian chromium:

    .venv/bin/python docs/make_screenshot.py
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

if __name__ == "__main__":
    env = dict(os.environ, POPCON_SCREENSHOT=str(ROOT / "docs" / "studio.png"), HF_HUB_OFFLINE="1")
    cmd = [sys.executable, "-m", "pytest", "-q", "tests/test_ui_browser.py"]
    sys.exit(subprocess.run(cmd, cwd=ROOT, env=env, check=False).returncode)
