"""`auto` chooses the best segmenter whose weights are here and says which; hybrid refine."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from studio import registry
from studio.segment.auto import AutoSegmenter, segmenter_status
from studio.types import Mask, Point, Prompt

pytest.importorskip("rembg")
pytest.importorskip("transformers")

import tiny_models as tm


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return tm.model_homes(tmp_path_factory.mktemp("tiny-models"))


def use(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)


def test_no_weights_means_classical_and_says_so(homes, monkeypatch) -> None:
    use(monkeypatch, tm.model_env(homes, rembg=False, sam2=False))
    auto = registry.create("segmenter", "auto")
    assert isinstance(auto, AutoSegmenter)
    img, _truth = tm.disk_image()
    mask = auto.segment(img)
    assert mask.backend == "classical" and mask.info["auto_choice"] == "classical"
    clicked = auto.segment(img, Prompt((Point(60, 48),)))
    assert clicked.info["auto_choice"] == "classical"
    status = {s.name: s for s in segmenter_status()}
    assert status["classical"].available and not status["rembg:isnet-anime"].available
    assert "popcon models pull isnet-anime" in status["rembg:isnet-anime"].note


def test_prefers_birefnet_then_isnet_anime_then_u2net_then_sam2_for_clicks(
        homes, tmp_path: Path, monkeypatch) -> None:
    use(monkeypatch, tm.model_env(homes))
    auto = AutoSegmenter()
    img, _truth = tm.disk_image()
    assert auto.choice(prompted=False) == "rembg:birefnet-general"
    mask = auto.segment(img)  # the keyed region fused with the best model's prediction
    assert mask.backend == "auto" and mask.info["method"] == "fusion"
    assert mask.info["auto_choice"] == mask.info["model"] == "rembg:birefnet-general"
    assert mask.info["confidence"] in ("high", "medium", "low")
    assert 0.0 <= mask.info["agreement"] <= 1.0
    clicked = auto.segment(img, Prompt((Point(60, 48),)))
    assert clicked.backend == "sam2:tiny" and clicked.info["auto_choice"] == "sam2:tiny"
    only_anime = tmp_path / "u2"
    shutil.copytree(homes["u2net_home"] / "models" / "isnet-anime",
                    only_anime / "models" / "isnet-anime")
    monkeypatch.setenv("U2NET_HOME", str(only_anime))
    assert AutoSegmenter().choice(prompted=False) == "rembg:isnet-anime"
    status = {s.name: s for s in segmenter_status()}
    assert status["rembg:isnet-anime"].available and status["sam2:tiny"].available
    assert not status["rembg:birefnet-general"].available


def test_refine_with_sam2_starts_from_the_automatic_mask(homes, monkeypatch) -> None:
    use(monkeypatch, tm.model_env(homes))
    auto = AutoSegmenter()
    img, truth = tm.disk_image()
    out = auto.refine(img, None, Prompt((Point(60, 48), Point(2, 2, False))))
    assert out.alpha.shape == truth.shape and out.foreground.shape == (*truth.shape, 3)
    assert out.info["auto_choice"] == "sam2:tiny"
    assert out.info["base"] == "auto"
    assert out.backend == "auto+sam2:tiny"


def test_refine_without_sam2_seeds_grabcut(homes, monkeypatch) -> None:
    use(monkeypatch, tm.model_env(homes, rembg=False, sam2=False))
    auto = AutoSegmenter()
    img, truth = tm.disk_image()
    img[10:22, 10:22] = (20, 120, 200)  # a blue patch the base mask wrongly kept
    base_alpha = truth.astype(np.float32)
    base_alpha[10:22, 10:22] = 1.0
    out = auto.refine(img, Mask(base_alpha, "classical"), Prompt((Point(15, 15, False),)))
    assert out.info["auto_choice"] == "classical"
    assert out.alpha[15, 15] < 0.5 and out.alpha[48, 60] > 0.5
