"""Click latency of region clicks at 512 px: what one include/exclude click on the source costs.

Usage: python bench/click_latency.py [--repeats 5]

Cases: the bundled donut (exclude on its hole), the bundled cat (include on its body, a
no-op kept for the cost), and ../shared/field-cases/character-plus-separate-watermark-box.png
(exclude on the box) when present, each resized to 512 px. For each, the median of:
- region: `apply_region_clicks` alone on the automatic mask;
- click → cut-out: `Studio.segment_source` with the click (automatic mask cached, as in the
  studio after the first cut-out), frames only marked stale (what the Segment view waits for);
- view: writing the Segment view files (`render.source_view`);
- re-render: rendering the project's 12 procedural frames (360 px) from the new cut-out,
  which the studio does right after showing the click.
Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FIELD = ROOT.parent / "shared" / "field-cases" / "character-plus-separate-watermark-box.png"


def cases() -> list[tuple[str, np.ndarray, tuple[float, float, bool]]]:
    out = []
    for name, file, click in (("donut hole (exclude)", ROOT / "examples" / "donut.png",
                               (190, 215, False)),
                              ("cat body (include)", ROOT / "examples" / "cat.png",
                               (0.5, 0.6, True)),
                              ("separate box (exclude)", FIELD, (260, 281, False))):
        if not file.exists():
            continue
        im = Image.open(file).convert("RGB")
        w, h = im.size
        rgb = np.asarray(im.resize((512, 512), Image.LANCZOS))
        x, y, inc = click
        if x <= 1 and y <= 1:  # fractions of the side
            x, y = x * w, y * h
        out.append((name, rgb, (x * 512 / w, y * 512 / h, inc)))
    return out


def ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times)


def measure(studio, name: str, rgb: np.ndarray, click: tuple[float, float, bool],
            repeats: int) -> None:
    from studio.rerender import rerender
    from studio.segment.regions import apply_region_clicks
    from studio.types import Point, Prompt
    from studio.ui import render

    x, y, inc = click
    project = studio.new_project(rgb, name="bench")
    studio.segment_source(project)
    studio.generate(project, studio.motion_spec(preset="bounce"), size=(360, 360))
    auto = project.load_source().cutout[..., 3] >= 128
    point = Point(x, y, inc)
    prompt = Prompt((point,))
    t_region = ms(lambda: apply_region_clicks(rgb, auto, [point]), repeats)
    t_click = ms(lambda: studio.segment_source(project, prompt=prompt, rerender=False), repeats)
    pts = [[x, y, 1 if inc else 0]]
    t_view = ms(lambda: render.source_view(project, pts), repeats)
    t_frames = ms(lambda: rerender(studio, project), max(1, repeats // 2))
    print(f"{name:26} {t_region:7.1f}ms {t_click:12.1f}ms {t_view:6.1f}ms {t_frames:8.1f}ms")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    from studio.pipeline import Studio
    from studio.settings import load_settings

    with tempfile.TemporaryDirectory() as home:
        studio = Studio(load_settings({"STUDIO_HOME": home}))
        print(f"{'case':26} {'region':>8} {'click→cut-out':>14} {'view':>7} {'re-render':>10}")
        for name, rgb, click in cases():
            measure(studio, name, rgb, click, args.repeats)
        print("the click is shown after click→cut-out + view; the frames follow (re-render)")


if __name__ == "__main__":
    main()
