"""Every notebook in notebooks/ runs top to bottom, offline, on the embedded defaults.

Each notebook executes with nbclient in a fresh kernel that runs this interpreter
(``sys.executable``, so the .venv's packages), with the notebook folder as working directory,
STUDIO_HOME in a temporary folder and HF_HUB_OFFLINE=1. A cell that raises fails the test
with the cell's source and traceback. Committed notebooks carry no outputs
(``python notebooks/strip_outputs.py`` strips them).
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
PATHS = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
KERNEL = "popcon-test"
CELL_TIMEOUT_S = 180


@pytest.fixture(scope="module")
def kernel_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Jupyter data dir holding one kernelspec that starts this interpreter."""
    data = tmp_path_factory.mktemp("jupyter")
    spec = data / "kernels" / KERNEL
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps(
        {"argv": argv, "display_name": "popcon (tests)", "language": "python"}))
    return data


@pytest.fixture
def notebook_env(
    kernel_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """The kernel inherits this environment: offline, a temporary STUDIO_HOME and Jupyter
    folders, no worker endpoint (notebook 05 starts its own)."""
    home = tmp_path / "studio-home"
    monkeypatch.setenv("JUPYTER_PATH", str(kernel_dir))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("STUDIO_HOME", str(home))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("OMP_NUM_THREADS", "2")
    for var in ("STUDIO_WORKER_URL", "STUDIO_WORKER_API_KEY", "STUDIO_SEGMENTER",
                "STUDIO_GENERATOR", "MPLBACKEND"):
        monkeypatch.delenv(var, raising=False)
    yield home
    _stop_strays(home)


def _stop_strays(home: Path) -> None:
    """Fail on (and end) any process a notebook started and left running."""
    psutil = pytest.importorskip("psutil")
    strays = []
    for proc in psutil.process_iter(["pid", "cmdline"]):
        try:
            if proc.environ().get("STUDIO_HOME") == str(home):
                strays.append(proc)
        except (psutil.Error, OSError):
            continue
    for proc in strays:
        proc.kill()
    assert not strays, f"processes left running: {[p.info['cmdline'] for p in strays]}"


def test_there_are_notebooks() -> None:
    assert {"01", "02", "03", "04", "05"} <= {p.name[:2] for p in PATHS}


@pytest.mark.parametrize("path", PATHS, ids=[p.stem for p in PATHS])
def test_notebook_runs(path: Path, notebook_env: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    with_outputs = [i for i, c in enumerate(nb.cells)
                    if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, (
        f"{path.name} was saved with outputs in cells {with_outputs}: "
        "run `python notebooks/strip_outputs.py` before committing"
    )
    assert not any("studio.ui" in c.source for c in nb.cells), "notebooks never import studio.ui"
    client = nbclient.NotebookClient(
        nb, kernel_name=KERNEL, timeout=CELL_TIMEOUT_S, allow_errors=False,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as e:
        plain = re.sub(r"\x1b\[[0-9;]*m", "", str(e))  # IPython's colours
        pytest.fail(f"{path.name}: a cell failed\n{plain}", pytrace=False)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors
    assert (notebook_env / "projects").is_dir() or path.stem.startswith("03")
