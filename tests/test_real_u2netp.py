"""The real u2netp weights (fetched by `make weights`) through `rembg:u2netp` and `auto`.

Skipped only when the weights file is absent; `make test` always fetches it first."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio import weights
from studio.model_settings import load_model_settings

pytest.importorskip("rembg")

SHARED = Path(__file__).resolve().parents[2] / "shared" / "bench-data"


def _real_u2netp() -> Path | None:
    """u2netp.onnx where `make weights` puts it (the default models cache or rembg's folder),
    ignoring the empty folders conftest points the tests at."""
    return weights.locate("u2netp", load_model_settings({}), env={})


U2NETP = _real_u2netp()
needs_weights = pytest.mark.skipif(U2NETP is None, reason="u2netp.onnx absent: run make weights")


@pytest.fixture
def real_models(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A models folder holding only u2netp (a link to the real file), as on a fresh set-up."""
    assert U2NETP is not None
    link = tmp_path / "models" / "u2netp.onnx"
    link.parent.mkdir()
    link.symlink_to(U2NETP)
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(link.parent))
    return link


def load_case(dataset: str, case: str) -> tuple[np.ndarray, np.ndarray]:
    root = SHARED / dataset
    if not (root / "manifest.json").is_file():
        pytest.skip(f"the {dataset} set is not beside the clone ({root})")
    entry = next(c for c in json.loads((root / "manifest.json").read_text())
                 if c["case"] == case)
    img = np.asarray(Image.open(root / entry["image"]).convert("RGB"))
    truth = np.asarray(Image.open(root / entry["truth"]).convert("RGBA"))[..., 3] > 127
    return img, truth


def iou(alpha: np.ndarray, truth: np.ndarray) -> float:
    pred = alpha > 0.5
    return float((pred & truth).sum() / max((pred | truth).sum(), 1))


@needs_weights
@pytest.mark.parametrize("dataset,case,floor", [
    ("matting-dev", "panda__white", 0.9),
    ("matting-dev", "robot__solid_color", 0.85),
    ("matting-lineart", "cow__gray_gradient", 0.85),
])
def test_rembg_u2netp_real_weights(real_models: Path, dataset: str, case: str,
                                   floor: float) -> None:
    from studio import registry

    seg = registry.create("segmenter", "rembg:u2netp")
    img, truth = load_case(dataset, case)
    mask = seg.segment(img)
    assert mask.backend == "rembg:u2netp" and mask.info["weights"] == str(real_models)
    assert mask.alpha.shape == truth.shape and mask.alpha.dtype == np.float32
    assert iou(mask.alpha, truth) >= floor


FUSION_CASES = [
    ("matting-lineart", "skull__white"),  # white paint, jaw open at the bottom
    ("matting-lineart", "dove__white"),  # white paint the model under-rates
    ("matting-lineart", "swan__offwhite_noise"),  # outline gap, JPEG
    ("matting-dev", "panda__white"),
    ("matting-lineart", "cow__solid_color"),
    ("matting-dev", "octopus__checkerboard"),
]


@needs_weights
@pytest.mark.parametrize("dataset,case", FUSION_CASES)
def test_auto_fusion_is_never_worse_than_the_better_part(real_models: Path, dataset: str,
                                                          case: str) -> None:
    from studio import registry

    img, truth = load_case(dataset, case)
    auto = registry.create("segmenter", "auto")
    mask = auto.segment(img)
    assert mask.info["method"] == "fusion" and mask.info["model"] == "rembg:u2netp"
    assert mask.info["auto_choice"] == "rembg:u2netp"
    assert mask.info["confidence"] in ("high", "medium")
    fused = iou(mask.alpha, truth)
    keyed = iou(registry.create("segmenter", "classical").segment(img).alpha, truth)
    model = iou(registry.create("segmenter", "rembg:u2netp").segment(img).alpha, truth)
    assert fused >= max(keyed, model) - 0.005, (fused, keyed, model)
    assert fused >= 0.95


@needs_weights
def test_auto_says_when_the_salient_object_is_not_the_character(real_models: Path) -> None:
    from studio import registry

    img, _ = load_case("matting-dev", "snowman-without-snow__photo_coffee")
    mask = registry.create("segmenter", "auto").segment(img)
    assert mask.info["confidence"] == "low" and "click" in mask.info["note"]
    assert "another object" in mask.info["fusion"]


@needs_weights
def test_cli_segment_says_when_confidence_is_low(real_models: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    img, _ = load_case("matting-dev", "snowman-without-snow__photo_coffee")
    src = tmp_path / "coffee.png"
    Image.fromarray(img).save(src)
    r = subprocess.run([sys.executable, "-m", "studio", "segment", str(src), "--out-dir",
                        str(tmp_path / "cut")], capture_output=True, text=True, timeout=120,
                       env={**os.environ, "STUDIO_HOME": str(tmp_path / "home")})
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "cut" / "coffee.png").is_file()
    assert "coffee.png: low confidence" in r.stderr and "--point X,Y,+" in r.stderr


@needs_weights
def test_auto_keeps_an_outlined_drawing_the_model_did_not_choose(real_models: Path) -> None:
    from studio import registry

    img, truth = load_case("matting-lineart", "koala__photo_astronaut")
    mask = registry.create("segmenter", "auto").segment(img)
    model = registry.create("segmenter", "rembg:u2netp").segment(img).alpha > 0.5
    assert iou(model.astype(np.float32), truth) < 0.5  # u2netp picks the astronaut
    assert iou(mask.alpha, truth) >= 0.9  # the drawing, found by its outline
    assert mask.info["region"] == "outlined drawing"
    assert "another object" in mask.info["fusion"] and mask.info["confidence"] == "medium"


def test_auto_guide_option_is_checked(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from studio import registry
    from studio.errors import BackendUnavailable, InputError

    with pytest.raises(InputError, match="guide must be one of"):
        registry.create("segmenter", "auto", {"guide": "rembg:nope"})
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path))
    auto = registry.create("segmenter", "auto", {"guide": "rembg:u2net"})
    with pytest.raises(BackendUnavailable, match="popcon models pull u2net"):
        auto.segment(np.full((32, 32, 3), 255, np.uint8))
