"""Time each stage of `popcon make` on the bundled examples, and the whole command.

Usage: python bench/e2e.py [IMAGE ...] [--motion TEXT] [--preset line-emoji] [--repeat N]
Prints per-stage milliseconds (median over repeats) and the wall time of the CLI measured
from process start, as a separate process, the way a user runs it.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def stages(image: Path, motion: str, preset_id: str, home: Path) -> dict[str, float]:
    from studio.export import get_preset
    from studio.pipeline import Studio
    from studio.settings import load_settings

    t: dict[str, float] = {}
    mark = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal mark
        now = time.perf_counter()
        t[name] = (now - mark) * 1000
        mark = now

    studio = Studio(load_settings({"STUDIO_HOME": str(home)}))
    preset = get_preset(preset_id)
    spec = studio.motion_spec(prompt=motion)
    lap("parse")
    project = studio.new_project(image)
    lap("ingest")
    studio.segment_source(project)
    lap("segment")
    studio.generate(project, spec, size=(preset.width, preset.height))
    lap("generate")
    result = studio.export(project, preset.id, home / f"out{preset.extension}")
    lap("export+check")
    t["bytes"] = result.bytes
    t["ok"] = float(result.check.ok)
    return t


def cli_wall(image: Path, motion: str, preset_id: str, home: Path) -> float:
    out = home / "cli-out.png"
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "studio",
            "-q",
            "make",
            str(image),
            "--motion",
            motion,
            "--preset",
            preset_id,
            "-o",
            str(out),
        ],
        check=True,
        capture_output=True,
        env={"STUDIO_HOME": str(home), "PATH": "/usr/bin:/bin"},
    )
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--motion", default="subtle bounce")
    ap.add_argument("--preset", default="line-emoji")
    ap.add_argument("--repeat", type=int, default=3)
    ns = ap.parse_args()
    images = ns.images or sorted((ROOT / "examples").glob("*.png"))
    with tempfile.TemporaryDirectory() as tmp:
        home = Path(tmp)
        print(
            f"{'image':12} {'parse':>7} {'ingest':>7} {'segment':>8} {'generate':>9} "
            f"{'export':>8} {'bytes':>8} {'ok':>3} {'cli wall s':>10}"
        )
        for image in images:
            runs = [stages(image, ns.motion, ns.preset, home) for _ in range(ns.repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            walls = [cli_wall(image, ns.motion, ns.preset, home) for _ in range(ns.repeat)]
            print(
                f"{image.stem:12} {med['parse']:7.0f} {med['ingest']:7.0f} {med['segment']:8.0f} "
                f"{med['generate']:9.0f} {med['export+check']:8.0f} {med['bytes']:8.0f} "
                f"{'yes' if med['ok'] else 'NO':>3} {statistics.median(walls):10.2f}"
            )
        print(
            "(stage times in ms, median of",
            ns.repeat,
            "runs; cli wall = whole `popcon make` process, median)",
        )


if __name__ == "__main__":
    main()
