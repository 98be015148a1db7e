"""The real u2netp weights (fetched by `make weights`) through `rembg:u2netp` and `auto`.

Skipped only when the weights file is absent; `make test` always fetches it first."""

from __future__ import annotations

import json
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
def real_models(monkeypatch: pytest.MonkeyPatch) -> Path:
    assert U2NETP is not None
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(U2NETP.parent))
    return U2NETP


def load_case(dataset: str, case: str) -> tuple[np.ndarray, np.ndarray]:
    root = SHARED / dataset
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
