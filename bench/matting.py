"""Matting quality and speed of segmenters, side by side, on matting sets.

Usage: python bench/matting.py [DATASET ...] [--backends auto,classical,rembg:u2netp,...]
                               [--auto-model rembg:u2netp] [--out DIR] [--json FILE]
                               [--limit N] [--only SUBSTR] [--worst N]

Defaults: the sets ../shared/bench-data/matting-lineart and matting-dev; the backends
`auto` (guided by u2netp, the model every set-up fetches), `classical` (no model), and
`rembg:u2netp` / `rembg:u2net` when their weights are on this machine (a backend whose
weights are missing is listed as skipped, with the command that fetches them). For every
set it prints one table per background (IoU, edge error, halo from
../shared/tools/score_matting.py; higher IoU and lower edge/halo are better) with the
backends side by side, the means, and each backend's median / p90 time per image
(one thread per library by default, the set's images are 384 px; `OMP_NUM_THREADS=2
python bench/matting.py` measures with this machine's two cores, as the studio runs:
`auto` then runs its model on both beside the keying). --out writes each backend's RGBA cut-outs
to DIR/<set>/<backend>/<case>.png.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from studio import registry  # noqa: E402
from studio.errors import BackendUnavailable  # noqa: E402

DEFAULT_BACKENDS = "auto,classical,rembg:u2netp,rembg:u2net"
METRICS = ("iou", "edge", "halo")


def default_datasets() -> list[Path]:
    """The line-art and dev sets in ../shared/bench-data beside the repository."""
    base = REPO.parent / "shared" / "bench-data"
    return [base / "matting-lineart", base / "matting-dev"]


def scorer_path() -> Path:
    return REPO.parent / "shared" / "tools" / "score_matting.py"


def load_scorer():
    """The `score(truth, pred)` function of the shared scorer (RGBA float 0..1 arrays)."""
    path = scorer_path()
    if not path.exists():
        raise SystemExit(f"scorer not found at {path}")
    spec = importlib.util.spec_from_file_location("score_matting", path)
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod.score


def make_backend(name: str, auto_model: str | None):
    if name == "auto" and auto_model:
        return registry.create("segmenter", "auto", {"guide": auto_model})
    return registry.create("segmenter", name)


def run_set(dataset: Path, seg, name: str, cases: list[dict], score, out: Path | None
            ) -> tuple[list[dict], list[float]]:
    rows, times = [], []
    for c in cases:
        image = np.asarray(Image.open(dataset / c["image"]).convert("RGB"))
        t0 = time.perf_counter()
        mask = seg.segment(image)
        times.append((time.perf_counter() - t0) * 1000)
        cut = mask.cutout(image)
        if out is not None:
            folder = out / dataset.name / name.replace(":", "_")
            folder.mkdir(parents=True, exist_ok=True)
            Image.fromarray(cut).save(folder / f"{c['case']}.png")
        truth = np.asarray(Image.open(dataset / c["truth"]).convert("RGBA"), np.float32) / 255
        s = score(truth, cut.astype(np.float32) / 255)
        rows.append({"case": c["case"], "background": c["background"], **s,
                     "confidence": mask.info.get("confidence")})
    return rows, times


def print_table(dataset: Path, results: dict[str, list[dict]],
                times: dict[str, list[float]]) -> None:
    names = list(results)
    print(f"\n## {dataset.name} ({len(next(iter(results.values())))} images)")
    head = " | ".join(f"{n} IoU / edge / halo" for n in names)
    print(f"| background | {head} |")
    print("|---" * (len(names) + 1) + "|")
    backgrounds = list(dict.fromkeys(r["background"] for r in next(iter(results.values()))))
    for bg in [*backgrounds, "mean"]:
        cells = []
        for n in names:
            rs = [r for r in results[n] if bg == "mean" or r["background"] == bg]
            cells.append(" / ".join(f"{np.mean([r[k] for r in rs]):.3f}" if k != "edge" else
                                    f"{np.mean([r[k] for r in rs]):.2f}" for k in METRICS))
        print(f"| {bg} | " + " | ".join(cells) + " |")
    ms = []
    for n in names:
        t = sorted(times[n])
        ms.append(f"{statistics.median(t):.0f} / {t[int(0.9 * (len(t) - 1))]:.0f}")
    print("| median / p90 ms | " + " | ".join(ms) + " |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("datasets", nargs="*", type=Path)
    ap.add_argument("--backends", default=None, help=f"comma separated (default "
                    f"{DEFAULT_BACKENDS})")
    ap.add_argument("--backend", default=None, help="one backend (same as --backends X)")
    ap.add_argument("--auto-model", default="rembg:u2netp",
                    help="the model that guides `auto` ('' = the best present)")
    ap.add_argument("--out", type=Path, default=None, help="write the cut-outs here")
    ap.add_argument("--json", type=Path, default=None, help="write every score here")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--only", default=None, help="only cases whose name contains this")
    ap.add_argument("--worst", type=int, default=0, help="print the N worst cases by IoU")
    ns = ap.parse_args()
    try:
        import cv2

        cv2.setNumThreads(1)
    except ImportError:
        pass
    score = load_scorer()
    names = (ns.backend or ns.backends or DEFAULT_BACKENDS).split(",")
    backends = {}
    for n in names:
        try:
            backends[n] = make_backend(n, ns.auto_model or None)
        except BackendUnavailable as e:
            print(f"skipped {n}: {e}")
    report: dict[str, dict] = {}
    for dataset in ns.datasets or default_datasets():
        cases = json.loads((dataset / "manifest.json").read_text())
        if ns.only:
            cases = [c for c in cases if ns.only in c["case"]]
        if ns.limit:
            cases = cases[: ns.limit]
        results, times = {}, {}
        for n, seg in backends.items():
            results[n], times[n] = run_set(dataset, seg, n, cases, score, ns.out)
        print_table(dataset, results, times)
        report[dataset.name] = {"rows": results, "ms": times}
        for n in names[:1] if ns.worst else ():
            worst = sorted(results[n], key=lambda r: r["iou"])[: ns.worst]
            print(f"worst {n}:")
            for r in worst:
                print(f"  {r['case']:40} iou={r['iou']:.3f} edge={r['edge']:.2f} "
                      f"halo={r['halo']:.4f} confidence={r['confidence']}")
        conf = defaultdict(int)
        for r in results.get("auto", []):
            conf[r["confidence"]] += 1
        if conf:
            print("auto confidence: " + ", ".join(f"{k} {v}" for k, v in sorted(conf.items())))
    if ns.json:
        ns.json.write_text(json.dumps(report, indent=1, default=float))


if __name__ == "__main__":
    main()
