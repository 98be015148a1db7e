"""sam2:<size> through transformers' Sam2Model with a tiny random model in a fake HF cache;
hybrid click refine and propagation mechanics."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("torch")
pytest.importorskip("transformers")

import tiny_models as tm

from studio import registry
from studio.errors import BackendUnavailable, InputError
from studio.segment.propagate import map_prompt, motion_from_alpha, propagate
from studio.segment.sam2 import click_refine, prompt_arrays
from studio.types import Mask, Point, Prompt

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def homes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return tm.model_homes(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture(scope="module")
def sam(homes: dict[str, Path]):
    with pytest.MonkeyPatch.context() as mp:
        for k, v in tm.model_env(homes).items():
            mp.setenv(k, v)
        seg = registry.create("segmenter", "sam2:tiny")
    return seg


def test_loads_from_the_hf_cache_snapshot_like_the_real_one(sam, homes) -> None:
    assert sam.path == (homes["hf_cache"] / "models--facebook--sam2.1-hiera-tiny" / "snapshots"
                        / tm.FAKE_COMMIT)
    assert sam.input_size == (tm.SAM_SIDE, tm.SAM_SIDE)
    assert sum(p.numel() for p in sam.model.parameters()) < 500_000


def test_points_give_a_mask_of_the_image_size_and_reuse_the_embedding(sam) -> None:
    sam.clear_cache()
    calls = sam.encoder_calls
    img, _ = tm.disk_image(90, 130)
    m1 = sam.segment(img, Prompt((Point(65, 45),)))
    m2 = sam.segment(img, Prompt((Point(65, 45), Point(5, 5, False)), box=(20, 10, 110, 80)))
    assert m1.alpha.shape == m2.alpha.shape == (90, 130) and m1.alpha.dtype == np.float32
    assert m2.alpha.min() >= 0 and m2.alpha.max() <= 1
    assert sam.encoder_calls == calls + 1  # the second click hit the embedding cache
    assert len(m1.info["scores"]) == 3
    assert m1.score == pytest.approx(max(m1.info["scores"]), abs=1e-3)
    assert m1.foreground.shape == (90, 130, 3) and m1.backend == "sam2:tiny"
    other = img.copy()
    other[0, 0] = 0
    sam.segment(other, Prompt((Point(65, 45),)))
    assert sam.encoder_calls == calls + 2  # a different image is encoded


def test_prompt_scaling_to_the_model_frame() -> None:
    pts, labels, box = prompt_arrays(Prompt((Point(50, 25), Point(0, 0, False)),
                                            box=(0, 0, 100, 50)), 100, 50, (1024, 1024))
    assert pts.shape == (1, 1, 2, 2) and np.allclose(pts[0, 0, 0], [512, 512])
    assert labels.tolist() == [[[1, 0]]] and np.allclose(box, [[[0, 0, 1024, 1024]]])


def test_sam2_needs_a_prompt(sam) -> None:
    img, _ = tm.disk_image()
    with pytest.raises(InputError, match="at least one point"):
        sam.segment(img)


def test_missing_sam2_weights_say_how_to_fetch(homes, monkeypatch: pytest.MonkeyPatch) -> None:
    for k, v in tm.model_env(homes, sam2=False).items():
        monkeypatch.setenv(k, v)
    with pytest.raises(BackendUnavailable, match=r"popcon models pull sam2\.1-hiera-base-plus"):
        registry.create("segmenter", "sam2:base-plus")


class DiskSam:
    """A stand-in with SAM 2's region_under: the disk under the click, or nothing."""

    name, promptable = "fake-sam", True

    def __init__(self, disks: list[tuple[int, int, int]], h: int, w: int) -> None:
        yy, xx = np.mgrid[:h, :w]
        self.regions = [((yy - y) ** 2 + (xx - x) ** 2 <= r * r) for x, y, r in disks]

    def region_under(self, image: np.ndarray, p: Point) -> tuple[np.ndarray, float]:
        for reg in self.regions:
            if reg[int(p.y), int(p.x)]:
                return reg.astype(np.float32), 0.9
        return np.zeros(self.regions[0].shape, np.float32), 0.1


def test_click_refine_adds_and_removes_the_region_under_each_click() -> None:
    h, w = 60, 100
    fake = DiskSam([(20, 30, 10), (70, 30, 12)], h, w)
    base = fake.regions[0].astype(np.float32)  # the automatic mask found only the left disk
    img = np.full((h, w, 3), 255, np.uint8)
    added = click_refine(img, base, [Point(70, 30, True)], fake)  # restore the right one
    assert np.array_equal(added > 0.5, fake.regions[0] | fake.regions[1])
    removed = click_refine(img, added, [Point(20, 30, False)], fake)  # erase the left one
    assert np.array_equal(removed > 0.5, fake.regions[1])


def test_click_refine_with_the_real_tiny_model_encodes_once(sam) -> None:
    img, truth = tm.disk_image()
    sam.clear_cache()
    calls = sam.encoder_calls
    out = click_refine(img, truth.astype(np.float32), [Point(60, 48), Point(3, 3, False)], sam)
    assert out.shape == truth.shape and sam.encoder_calls == calls + 1


class ShiftSeg:
    """A promptable stand-in that draws a disk at the first include point; records prompts."""

    name, promptable = "fake", True

    def __init__(self, r: int = 10, score: float = 0.9) -> None:
        self.r, self.score, self.prompts = r, score, []

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        self.prompts.append(prompt)
        p = prompt.points[0]
        h, w = image.shape[:2]
        yy, xx = np.mgrid[:h, :w]
        alpha = (((yy - p.y) ** 2 + (xx - p.x) ** 2) <= self.r ** 2).astype(np.float32)
        return Mask(alpha, self.name, self.score)


def test_propagation_maps_points_through_known_motion_and_reports_confidence() -> None:
    frames = [np.zeros((80, 120, 3), np.uint8) for _ in range(5)]
    motions = [np.array([[1.0, 0, 8.0 * i], [0, 1.0, 3.0 * i]]) for i in range(5)]
    motions[3] = np.array([[2.0, 0, 0], [0, 2.0, 0]])  # frame 3 zooms in 2x
    motions[4] = np.array([[1.0, 0, 500.0], [0, 1.0, 0]])  # frame 4 moves the point away
    seg = ShiftSeg()
    prompt = Prompt((Point(30, 20), Point(5, 5, False)))
    res = propagate(seg, frames, prompt, motions, source=0)
    assert len(res.frames) == 5 and [f.index for f in res.frames] == list(range(5))
    assert res.frames[2].prompt.points[0] == Point(46.0, 26.0, True)
    assert res.frames[2].prompt.points[1] == Point(21.0, 11.0, False)
    # frame 3: the disk keeps its size while the motion doubles areas → confidence drops
    assert res.frames[3].prompt.points[0] == Point(60.0, 40.0, True)
    assert res.frames[1].confidence == pytest.approx(0.9, abs=0.01)
    assert res.frames[3].confidence < 0.3 and res.frames[4].mask is None
    assert res.flagged == [3, 4] and "left the frame" in res.frames[4].reason
    assert len(seg.prompts) == 4  # frame 4 was not segmented


def test_propagation_with_the_tiny_sam2(sam) -> None:
    frames = [tm.disk_image(centre=(48, 40 + 10 * i))[0] for i in range(3)]
    motions = [np.array([[1.0, 0, 10.0 * i], [0, 1.0, 0]]) for i in range(3)]
    sam.clear_cache()
    calls = sam.encoder_calls
    res = propagate(sam, frames, Prompt((Point(40, 48),)), motions)
    assert len(res.confidences) == 3 and all(0 <= c <= 1 for c in res.confidences)
    assert sam.encoder_calls == calls + 3  # one encoder pass per frame


def test_map_prompt_box_and_motion_estimate() -> None:
    p = map_prompt(Prompt(box=(10, 10, 30, 20)), np.array([[1, 0, 5], [0, 1, -15]]), (40, 40))
    assert p.box == (15.0, 0.0, 35.0, 5.0)
    a = np.zeros((50, 50), np.float32)
    a[10:20, 10:20] = 1
    b = np.zeros((50, 50), np.float32)
    b[20:40, 5:25] = 1
    m = motion_from_alpha(a, b)
    assert np.allclose(m, [[2, 0, -14.5], [0, 2, 0.5]], atol=0.01)  # centroids 14.5 → 29.5
    with pytest.raises(InputError, match="one motion per frame"):
        propagate(ShiftSeg(), [a[..., None].repeat(3, 2).astype(np.uint8)] * 2,
                  Prompt((Point(1, 1),)), [None])


def test_cli_segment_with_sam2_points(homes, tmp_path: Path) -> None:
    from PIL import Image

    img, truth = tm.disk_image()
    src = tmp_path / "disk.png"
    Image.fromarray(img).save(src)
    args = [sys.executable, "-m", "studio", "segment", str(src), "--out-dir",
            str(tmp_path / "out"), "--backend", "sam2:tiny", "--point", "60,48,+"]
    env = {**os.environ, "STUDIO_HOME": str(tmp_path / "home"), "PYTHONPATH": str(REPO)}
    ok = subprocess.run(args, cwd=REPO, env={**env, **tm.model_env(homes)},
                        capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert np.asarray(Image.open(tmp_path / "out" / "disk.png")).shape == (*truth.shape, 4)
    missing = subprocess.run(args, cwd=REPO, env={**env, **tm.model_env(homes, sam2=False)},
                             capture_output=True, text=True, timeout=120)
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "popcon models pull sam2.1-hiera-tiny" in missing.stderr
