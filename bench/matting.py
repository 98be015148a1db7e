"""Matting quality and speed of a segmenter on a matting set.

Usage: python bench/matting.py [DATASET] [--backend classical] [--out DIR] [--limit N]
                               [--only SUBSTR] [--worst N]

Writes <case>.png RGBA cut-outs to --out, prints the median / p90 time per image (single
thread), then the scorer's per-background table (../shared/tools/score_matting.py).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from studio import registry  # noqa: E402


def default_dataset() -> Path:
    """The dev set: ../shared/bench-data/matting-dev beside the repository."""
    return REPO.parent / "shared/bench-data/matting-dev"


def scorer_path() -> Path:
    return REPO.parent / "shared/tools/score_matting.py"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dataset", nargs="?", type=Path, default=None)
    ap.add_argument("--backend", default="classical")
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only", default=None, help="only cases whose name contains this")
    ap.add_argument("--worst", type=int, default=0, help="print the N worst cases by IoU")
    ns = ap.parse_args()
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    dataset = ns.dataset or default_dataset()
    out = ns.out or Path(tempfile.mkdtemp(prefix="matting-"))
    out.mkdir(parents=True, exist_ok=True)
    cases = json.loads((dataset / "manifest.json").read_text())
    if ns.only:
        cases = [c for c in cases if ns.only in c["case"]]
    if ns.limit:
        cases = cases[: ns.limit]
    seg = registry.create("segmenter", ns.backend)
    times = []
    for c in cases:
        image = np.asarray(Image.open(dataset / c["image"]).convert("RGB"))
        t0 = time.perf_counter()
        mask = seg.segment(image)
        times.append((time.perf_counter() - t0) * 1000)
        Image.fromarray(mask.cutout(image)).save(out / f"{c['case']}.png")
    times.sort()
    print(f"{ns.backend}: {len(times)} images, median {statistics.median(times):.0f} ms, "
          f"p90 {times[int(0.9 * (len(times) - 1))]:.0f} ms, max {times[-1]:.0f} ms")
    print(f"cut-outs in {out}")
    scorer = scorer_path()
    if not scorer.exists():
        print(f"scorer not found at {scorer}; skipping the scores")
        return
    sub_ds = dataset
    if ns.only or ns.limit:
        sub_ds = Path(tempfile.mkdtemp(prefix="matting-ds-"))
        for name in {c["truth"] for c in cases}:
            (sub_ds / name).symlink_to(dataset / name)
        (sub_ds / "manifest.json").write_text(json.dumps(cases))
    js = out / "scores.json"
    subprocess.run([sys.executable, str(scorer), str(sub_ds), str(out), "--json", str(js)],
                   check=True)
    if ns.worst:
        rows = json.loads(js.read_text())["rows"]
        rows.sort(key=lambda r: r["iou"])
        for r in rows[: ns.worst]:
            print(f"  {r['case']:40} iou={r['iou']:.3f} mae={r['mae']:.4f} "
                  f"edge={r['edge']:.2f} halo={r['halo']:.4f}")


if __name__ == "__main__":
    main()
