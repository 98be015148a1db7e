"""rembg segmenters through rembg's real session code, with tiny ONNX models built here."""

from __future__ import annotations

import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rembg")
pytest.importorskip("torch")

import tiny_models as tm

from studio import registry
from studio.errors import BackendUnavailable, InputError
from studio.segment import rembg as rembg_backend
from studio.types import Point, Prompt

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return tm.model_homes(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture
def with_weights(homes: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    for k, v in tm.model_env(homes).items():
        monkeypatch.setenv(k, v)
    return homes


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max((a | b).sum(), 1))


@pytest.mark.parametrize("name", ["rembg:u2net", "rembg:birefnet-general", "rembg:isnet-anime"])
def test_named_models_load_from_rembgs_folder_and_cut_out(with_weights, name: str) -> None:
    seg = registry.create("segmenter", name)
    assert seg.path.is_relative_to(with_weights["u2net_home"])
    img, truth = tm.disk_image()
    mask = seg.segment(img)
    assert mask.alpha.shape == truth.shape and mask.alpha.dtype == np.float32
    assert mask.alpha.min() >= 0.0 and mask.alpha.max() <= 1.0
    assert iou(mask.alpha > 0.5, truth) > 0.9
    assert mask.backend == name and mask.info["providers"] == ["CPUExecutionProvider"]


def test_sessions_are_shared_and_thread_safe(with_weights) -> None:
    a = registry.create("segmenter", "rembg:u2net")
    b = registry.create("segmenter", "rembg:u2net")
    assert a.session() is b.session()
    img, _truth = tm.disk_image()
    with ThreadPoolExecutor(4) as pool:
        masks = list(pool.map(lambda _: a.segment(img), range(4)))
    assert all(np.array_equal(m.alpha, masks[0].alpha) for m in masks)


def test_edges_lose_the_old_background_colour(with_weights) -> None:
    img, truth = tm.disk_image()
    img[~truth] = (40, 200, 60)  # green background
    mask = registry.create("segmenter", "rembg:u2net").segment(img)
    edge = (mask.alpha > 0.1) & (mask.alpha < 0.9)
    assert edge.any()
    fg = mask.foreground[edge].astype(float)
    assert np.median(fg[:, 1]) < 120  # edge colour is the disk's, not the green background's


def test_custom_onnx_path_variant(with_weights) -> None:
    path = with_weights["u2net_home"] / "models" / "birefnet-general" / "birefnet-general.onnx"
    seg = registry.create("segmenter", f"rembg:{path}", {"arch": "birefnet"})
    img, truth = tm.disk_image()
    assert iou(seg.segment(img).alpha > 0.5, truth) > 0.9
    with pytest.raises(InputError, match="does not exist"):
        registry.create("segmenter", "rembg:/nowhere/model.onnx")
    with pytest.raises(InputError, match="invalid options"):
        registry.create("segmenter", "rembg:u2net", {"arch": "resnet"})


def test_rembg_refuses_click_prompts(with_weights) -> None:
    seg = registry.create("segmenter", "rembg:u2net")
    img, _ = tm.disk_image()
    with pytest.raises(InputError, match="sam2"):
        seg.segment(img, Prompt((Point(10, 10),)))


def test_missing_weights_say_how_to_fetch(homes, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in tm.model_env(homes, rembg=False).items():
        monkeypatch.setenv(k, v)
    rembg_backend.clear_sessions()
    with pytest.raises(BackendUnavailable, match="popcon models pull isnet-anime"):
        registry.create("segmenter", "rembg:isnet-anime")


def run_cli(args: list[str], env: dict[str, str], tmp: Path) -> subprocess.CompletedProcess:
    full = {**os.environ, **env, "STUDIO_HOME": str(tmp / "home"), "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "studio", *args], cwd=REPO, env=full,
                          capture_output=True, text=True, timeout=120)


def test_cli_segment_with_and_without_weights(homes, tmp_path: Path) -> None:
    from PIL import Image

    img, truth = tm.disk_image()
    src = tmp_path / "disk.png"
    Image.fromarray(img).save(src)
    args = ["segment", str(src), "--out-dir", str(tmp_path / "out"), "--backend",
            "rembg:isnet-anime"]
    ok = run_cli(args, tm.model_env(homes), tmp_path)
    assert ok.returncode == 0, ok.stderr
    out = np.asarray(Image.open(tmp_path / "out" / "disk.png"))
    assert out.shape == (*truth.shape, 4) and iou(out[..., 3] > 127, truth) > 0.9
    missing = run_cli(args, tm.model_env(homes, rembg=False), tmp_path)
    assert missing.returncode == 2
    assert "popcon models pull isnet-anime" in missing.stderr
    assert "Traceback" not in missing.stderr
