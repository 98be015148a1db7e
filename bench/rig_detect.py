"""Detection rates of the automatic rig on the labelled characters (tests/data/eye_labels.json).

Usage: python bench/rig_detect.py
Prints, per character, the eyes found (and their distance to the labelled centres), the other
parts, and the rates: eyes found within 4 px on the faces with two visible eyes, false eyes
on the rest, and how often a mouth and limbs were found (not labelled: for reading).
"""

from __future__ import annotations

import json
import math
import time
from pathlib import Path

import numpy as np
from PIL import Image

from studio.motion.rig import detect_rig
from studio.segment.classical import ClassicalSegmenter

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench-data"
LABELS = ROOT / "tests" / "data" / "eye_labels.json"
TOLERANCE_PX = 4.0


def cutout(image: str) -> np.ndarray | None:
    if image.startswith("examples/"):
        rgba = np.array(Image.open(ROOT / image).convert("RGBA"))
        return ClassicalSegmenter().segment(rgba).cutout(rgba)
    path = BENCH / image
    return np.array(Image.open(path).convert("RGBA")) if path.is_file() else None


def main() -> None:
    cases = json.loads(LABELS.read_text())["cases"]
    hits = pairs = false = rest = 0
    times = []
    print(f"{'character':34} {'eyes':>5} {'error px':>9}  parts")
    for case in cases:
        cut = cutout(case["image"])
        if cut is None:
            continue
        start = time.perf_counter()
        rig = detect_rig(cut)
        times.append((time.perf_counter() - start) * 1000)
        eyes = sorted(p.pivot for p in rig.of_kind("eye"))
        err = ""
        if case["eyes"]:
            pairs += 1
            if len(eyes) == 2:
                d = max(math.dist(f, t) for f, t in zip(eyes, sorted(case["eyes"]), strict=True))
                err = f"{d:.1f}"
                hits += d <= TOLERANCE_PX
        else:
            rest += 1
            false += bool(eyes)
        name = Path(case["image"]).name.split("__")[0]
        print(f"{name:34} {len(eyes):5d} {err:>9}  {rig.describe()}")
    print(f"\neyes found within {TOLERANCE_PX:g} px: {hits}/{pairs} = {hits / max(pairs, 1):.0%} "
          f"of the faces with two visible eyes (target ≥ 80%)")
    print(f"false eyes: {false}/{rest} characters without two visible eyes (target 0)")
    print(f"detect_rig: median {np.median(times):.0f} ms per character")


if __name__ == "__main__":
    main()
