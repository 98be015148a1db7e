from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Model weights a developer has on this machine must not change what the tests see: point
# every weights folder at an empty one (tests that need tiny weights set their own).
_EMPTY_WEIGHTS = tempfile.mkdtemp(prefix="popcon-no-weights-")
for _var in ("U2NET_HOME", "HF_HUB_CACHE", "HF_HOME", "STUDIO_MODELS_DIR"):
    os.environ[_var] = os.path.join(_EMPTY_WEIGHTS, _var.lower())

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
MATTING_DEV = ROOT.parent / "shared" / "bench-data" / "matting-dev"


@pytest.fixture
def studio_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh STUDIO_HOME for the test (the process env is restored afterwards)."""
    home = tmp_path / "home"
    monkeypatch.setenv("STUDIO_HOME", str(home))
    return home


@pytest.fixture
def settings(studio_home: Path):
    from studio.settings import load_settings

    return load_settings()
