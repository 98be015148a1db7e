"""The wheel works on its own: built from the source, installed with `[ui]` into a new
virtual environment, offline, then used from a folder outside the repository.

Offline install: the new venv (made without pip; this environment's pip installs into it
with ``--python``) sees this test environment's packages through a ``.pth`` file
naming a folder of links to everything in this interpreter's site-packages *except* popcon
itself (so the dependencies are "already installed", as pip would have fetched them), and
``pip install --no-index --find-links DIST 'popcon-studio[ui]'`` must then resolve the
wheel's declared dependencies from that set alone. Nothing is downloaded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import ROOT
from tests.live import free_port

pytest.importorskip("setuptools")
pytest.importorskip("gradio")

SOURCE = ("pyproject.toml", "README.md", "LICENSE", "studio")  # what an sdist holds
OURS = ("studio", "popcon_studio", "__editable__", "_popcon", "__pycache__")


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300, **kw)
    assert done.returncode == 0, f"{cmd}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """popcon_studio-*.whl built from a copy of the source (the repo is left untouched)."""
    tmp = tmp_path_factory.mktemp("build")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(p, src / name)
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
          "--no-index", "-w", str(tmp / "dist"), str(src)])
    (found,) = (tmp / "dist").glob("popcon_studio-*.whl")
    return found


def test_wheel_carries_its_data_and_licence(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "studio/assets/weights.json" in names
    assert {f"studio/assets/examples/{n}.png" for n in ("blob", "cat", "star")} <= names
    assert "studio/generate/prompt_templates.toml" in names
    meta = zipfile.ZipFile(wheel).read(
        next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: MIT" in meta
    extras = {ln.split(":", 1)[1].strip() for ln in meta.splitlines()
              if ln.startswith("Provides-Extra:")}
    assert extras == {"ui", "models", "worker", "notebooks", "dev"}
    core = [ln for ln in meta.splitlines()
            if ln.startswith("Requires-Dist:") and "extra ==" not in ln]
    assert not [ln for ln in core if any(w in ln for w in ("torch", "gradio", "onnxruntime"))]


@pytest.fixture(scope="module")
def venv(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv with `popcon-studio[ui]` installed from the wheel, offline."""
    tmp = tmp_path_factory.mktemp("venv")
    env_dir = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)])
    py = env_dir / "bin" / "python"
    # this environment's packages, less popcon itself, seen by the new venv through a .pth
    deps = tmp / "deps"
    deps.mkdir()
    for site in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}:
        for entry in Path(site).iterdir():
            if entry.name.startswith(OURS) or entry.suffix == ".pth" or \
                    (deps / entry.name).exists():
                continue
            (deps / entry.name).symlink_to(entry)
    purelib = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"])
    (Path(purelib.stdout.strip()) / "test-deps.pth").write_text(f"{deps}\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PIP_FIND_LINKS")}
    pip = [sys.executable, "-m", "pip", "--python", str(py)]  # this pip, run for the new venv
    _run([*pip, "install", "--quiet", "--no-index", "--find-links", str(wheel.parent),
          "popcon-studio[ui]"], env=clean)
    check = subprocess.run([*pip, "check"], capture_output=True, text=True, env=clean)
    assert "popcon-studio" not in check.stdout, check.stdout
    return env_dir


@pytest.fixture
def outside(tmp_path: Path, venv: Path) -> dict[str, str]:
    """Environment for running the installed `popcon` from a folder outside the repository."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update(STUDIO_HOME=str(tmp_path / "home"), HF_HUB_OFFLINE="1",
               PATH=f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}")
    return env


def test_installed_package_is_the_wheel(venv: Path, tmp_path: Path,
                                        outside: dict[str, str]) -> None:
    code = ("import studio, studio.assets as a, studio.weights as w, studio.model_settings as m;"
            "print(studio.__file__); print(a.example_paths()[0]); print(w.MANIFEST);"
            "print(m.load_model_settings({}).models_dir)")
    out = _run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=outside)
    module, example, manifest, cache = out.stdout.split("\n")[:4]
    for path in (module, example, manifest):
        assert path.startswith(str(venv)), f"{path} is not from the installed wheel"
        assert Path(path).is_file()
    assert not cache.startswith(str(venv)), "the weights cache must not be in site-packages"


def test_popcon_make_from_another_folder(venv: Path, tmp_path: Path,
                                         outside: dict[str, str]) -> None:
    shutil.copy(ROOT / "examples" / "blob.png", tmp_path / "mine.png")
    done = _run([str(venv / "bin" / "popcon"), "make", "mine.png", "-o", "emoji.png"],
                cwd=tmp_path, env=outside)
    assert "ok" in done.stdout
    out = tmp_path / "emoji.png"
    assert out.stat().st_size <= 300_000  # LINE animated emoji: APNG, 180×180, ≤ 300 KB
    with Image.open(out) as im:
        assert im.format == "PNG" and getattr(im, "is_animated", False)
        assert im.size == (180, 180) and 5 <= im.n_frames <= 20
    listed = _run([str(venv / "bin" / "popcon"), "models", "list"], cwd=tmp_path, env=outside)
    assert "u2netp" in listed.stdout


@pytest.fixture
def served(venv: Path, tmp_path: Path, outside: dict[str, str]) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen(
        [str(venv / "bin" / "popcon"), "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path, env=outside, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_popcon_serve_answers(served: str) -> None:
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(served + "/config", timeout=5) as r:
                config = r.read().decode()
            break
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    assert "popcon" in config.lower()
    # the example characters come from the installed package and are served to the page
    urls = re.findall(r'"url":\s*"([^"]*/blob\.png)"', config)
    assert urls, "the studio offers the packaged example characters"
    with urllib.request.urlopen(urls[0], timeout=10) as r:
        assert r.read() == (ROOT / "studio" / "assets" / "examples" / "blob.png").read_bytes()
    with urllib.request.urlopen(served + "/", timeout=10) as r:
        assert r.status == 200
