"""GPU check of the model segmenters: ms per frame at 1024 px and matting scores.

Usage: python bench/gpu_models.py [DATASET] [--backends sam2:tiny rembg:birefnet-general]
                                  [--repeat 10] [--limit N]

Run where a CUDA GPU and the real weights are (``popcon models pull sam2.1-hiera-tiny
birefnet-general``). Prints, per backend: device/providers, median and p90 ms per 1024 px
frame (after a warm-up; SAM 2 timed both as a new image and as a cached-embedding click), and
mean IoU / SAD against the truth alphas of ../shared/bench-data/matting-dev (SAM 2 gets one
include click at the centre of mass of the truth). Skips cleanly, with a message, when CUDA or
the weights are missing. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from studio import registry, weights  # noqa: E402
from studio.errors import BackendUnavailable  # noqa: E402
from studio.types import Point, Prompt  # noqa: E402


def default_dataset() -> Path:
    """The dev set: ../shared/bench-data/matting-dev beside the repository."""
    return REPO.parent / "shared/bench-data/matting-dev"


def cases(dataset: Path, limit: int | None) -> list[tuple[str, np.ndarray, np.ndarray]]:
    from PIL import Image

    out = []
    for truth_path in sorted(dataset.glob("*.truth.png"))[:limit]:
        stem = truth_path.name[: -len(".truth.png")]
        src = next((p for p in dataset.glob(stem + ".*") if ".truth." not in p.name), None)
        if src is None:
            continue
        rgb = np.asarray(Image.open(src).convert("RGB"))
        t = np.asarray(Image.open(truth_path))
        alpha = (t[..., 3] if t.ndim == 3 and t.shape[2] == 4 else
                 t if t.ndim == 2 else t[..., 0]).astype(np.float32) / 255.0
        out.append((stem, rgb, alpha))
    return out


def click_for(alpha: np.ndarray) -> Prompt:
    yy, xx = np.nonzero(alpha > 0.5)
    if len(yy) == 0:
        return Prompt((Point(alpha.shape[1] / 2, alpha.shape[0] / 2),))
    i = int(np.argmin((yy - yy.mean()) ** 2 + (xx - xx.mean()) ** 2))  # a pixel on the shape
    return Prompt((Point(float(xx[i]), float(yy[i])),))


def timed(fn, repeat: int) -> list[float]:
    import torch

    fn()  # warm-up
    ms = []
    for _ in range(repeat):
        torch.cuda.synchronize()
        t = time.perf_counter()
        fn()
        torch.cuda.synchronize()
        ms.append((time.perf_counter() - t) * 1000)
    return ms


def speed(name: str, seg, repeat: int) -> None:
    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 255, (1024, 1024, 3), np.uint8) for _ in range(repeat + 1)]
    it = iter(range(10 ** 9))
    prompt = Prompt((Point(512, 512),))
    if name.startswith("sam2"):
        fresh = timed(lambda: seg.segment(frames[next(it) % len(frames)], prompt), repeat)
        click = timed(lambda: seg.segment(frames[0], prompt), repeat)
        print(f"  new image + click: median {statistics.median(fresh):.1f} ms, "
              f"p90 {np.percentile(fresh, 90):.1f} ms")
        print(f"  click (cached embedding): median {statistics.median(click):.1f} ms")
    else:
        ms = timed(lambda: seg.segment(frames[next(it) % len(frames)]), repeat)
        print(f"  per frame: median {statistics.median(ms):.1f} ms, "
              f"p90 {np.percentile(ms, 90):.1f} ms")


def quality(name: str, seg, data) -> None:
    ious, sads = [], []
    for _stem, rgb, truth in data:
        prompt = click_for(truth) if name.startswith("sam2") else None
        a = seg.segment(rgb, prompt).alpha
        inter = ((a > 0.5) & (truth > 0.5)).sum()
        union = max(((a > 0.5) | (truth > 0.5)).sum(), 1)
        ious.append(inter / union)
        sads.append(float(np.abs(a - truth).sum()) / 1000.0)
    print(f"  matting ({len(data)} cases): mean IoU {np.mean(ious):.4f}, "
          f"min IoU {np.min(ious):.4f}, mean SAD {np.mean(sads):.2f} (x1000 px)")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=None)
    ap.add_argument("--backends", nargs="+", default=["sam2:tiny", "rembg:birefnet-general"])
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--limit", type=int, default=None)
    ns = ap.parse_args()
    try:
        import torch
    except ImportError:
        print("skipped: torch is not installed (pip install torch)")
        return 0
    if not torch.cuda.is_available():
        print("skipped: no CUDA device (this check measures GPU speed)")
        return 0
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    dataset = ns.dataset or default_dataset()
    data = cases(dataset, ns.limit) if dataset.exists() else []
    if not data:
        print(f"note: no matting cases under {dataset}; speed only")
    ran = 0
    for name in ns.backends:
        spec = weights.get_spec(name)
        if weights.locate(spec.name) is None:
            print(f"{name}: skipped, weights missing ({spec.fetch_command})")
            continue
        try:
            seg = registry.create("segmenter", name)
        except BackendUnavailable as e:
            print(f"{name}: skipped, {e}")
            continue
        where = (seg.session().inner_session.get_providers()[0] if name.startswith("rembg")
                 else str(next(seg.model.parameters()).device))
        print(f"{name} on {where}:")
        speed(name, seg, ns.repeat)
        if data:
            quality(name, seg, data)
        ran += 1
    print(f"ran {ran} of {len(ns.backends)} backends")
    return 0


if __name__ == "__main__":
    sys.exit(main())
