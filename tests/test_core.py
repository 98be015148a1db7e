from __future__ import annotations

import subprocess
import sys

import pytest

from studio import registry
from studio.errors import InputError, UnknownBackend
from studio.settings import load_settings


def test_import_studio_is_light() -> None:
    code = (
        "import sys, studio, studio.pipeline, studio.cli, studio.registry; "
        "heavy = [m for m in ('torch', 'gradio', 'onnxruntime', 'transformers') "
        "if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_settings_from_env(tmp_path) -> None:
    s = load_settings(
        {
            "STUDIO_HOME": str(tmp_path),
            "STUDIO_PORT": "9001",
            "STUDIO_MAX_PARALLEL": "5",
            "STUDIO_SEGMENTER": "classical",
        }
    )
    assert s.home == tmp_path and s.port == 9001 and s.max_parallel == 5
    assert s.projects_dir == tmp_path / "projects"
    with pytest.raises(InputError, match="STUDIO_PORT must be a whole number, got 'abc'"):
        load_settings({"STUDIO_PORT": "abc"})
    with pytest.raises(InputError, match="STUDIO_MAX_PARALLEL must be at least 1, got '0'"):
        load_settings({"STUDIO_MAX_PARALLEL": "0"})


def test_registry_names() -> None:
    assert registry.split_name("rembg:isnet-anime") == ("rembg", "isnet-anime")
    assert registry.split_name("classical") == ("classical", None)
    with pytest.raises(UnknownBackend, match=r"known segmenters: .*classical"):
        registry.create("segmenter", "nope")
    with pytest.raises(UnknownBackend, match="takes no variant"):
        registry.create("segmenter", "classical:big")
    assert registry.create("segmenter", None).name == "classical"
    assert registry.create("segmenter", "classical").name == "classical"
    gen = registry.create("generator", None)
    assert gen.name == "procedural" and gen.produces_alpha


def test_backend_options_are_closed() -> None:
    with pytest.raises(InputError, match="invalid options for"):
        registry.create("generator", "procedural", {"no_such_option": 1})
