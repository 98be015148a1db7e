"""Time each stage of `popcon make` on the bundled examples, and the whole command.

Usage: python bench/e2e.py [IMAGE ...] [--motion TEXT] [--preset line-emoji] [--repeat N]
                          [--parts-only]
Prints per-stage milliseconds (median over repeats) and the wall time of the CLI measured
from process start, as a separate process, the way a user runs it. Then a 20-frame 360 px
loop of the body move alone and with every part move the character's rig can play (blink,
look, talk, wave_arm, wiggle_ears, wag_tail), and their ratio (target ≤ 2×).
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


PART_PROMPT = "blink twice and look left and right and talk and wave your hand and wiggle ears"


def part_loop(image: Path, motion: str, repeat: int) -> dict[str, float]:
    """ms to render a 20-frame 360 px loop of `motion` without and with part moves (median),
    the rig detection ms and the part moves the rig could play."""
    import numpy as np

    from studio.generate.procedural import ProceduralGenerator
    from studio.ingest import load_image
    from studio.motion import parse_motion_prompt
    from studio.motion.rig import detect_rig
    from studio.motion.rig.bind import bind_to_rig
    from studio.segment.classical import ClassicalSegmenter

    source = load_image(image)
    source.cutout = ClassicalSegmenter().segment(source.image).cutout(source.image)
    start = time.perf_counter()
    rig = detect_rig(source.cutout)
    rig_ms = (time.perf_counter() - start) * 1000
    source.rig = rig.to_dict()
    gen = ProceduralGenerator()
    base = parse_motion_prompt(motion, frames=20, fps=12)
    parts = bind_to_rig(parse_motion_prompt(f"{motion} and {PART_PROMPT}", frames=20, fps=12),
                        rig)
    out = {"rig": rig_ms, "moves": float(len(parts.moves) - len(base.moves))}
    runs: dict[str, list[float]] = {"without": [], "with": [], "cpu without": [],
                                    "cpu with": []}
    for _ in range(repeat):  # interleaved, so a busy machine slows both alike
        for key, spec in (("without", base), ("with", parts)):
            start, cpu = time.perf_counter(), time.process_time()
            slots = gen.generate(source, spec, size=(360, 360))
            runs[key].append((time.perf_counter() - start) * 1000)
            runs[f"cpu {key}"].append((time.process_time() - cpu) * 1000)
            assert len(slots) == 20 and np.asarray(slots[0].candidates[0].rgba).shape[0] == 360
    return out | {k: statistics.median(v) for k, v in runs.items()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("images", nargs="*", type=Path)
    ap.add_argument("--motion", default="subtle bounce")
    ap.add_argument("--preset", default="line-emoji")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--parts-only", action="store_true", help="only the part moves table")
    ns = ap.parse_args()
    images = ns.images or sorted((ROOT / "examples").glob("*.png"))
    if not ns.parts_only:
        whole_command(images, ns)
    print(f"\n20-frame 360 px loop of {ns.motion!r}, without and with part moves")
    print(f"{'image':12} {'rig ms':>7} {'part moves':>10} {'without ms':>10} {'with ms':>8} "
          f"{'ratio':>6} {'cpu ratio':>9}")
    ratios, cpu = [], []
    for image in images:
        t = part_loop(image, ns.motion, ns.repeat)
        ratios.append(t["with"] / t["without"])
        cpu.append(t["cpu with"] / t["cpu without"])
        print(f"{image.stem:12} {t['rig']:7.0f} {t['moves']:10.0f} {t['without']:10.0f} "
              f"{t['with']:8.0f} {ratios[-1]:6.2f} {cpu[-1]:9.2f}")
    print(f"(wall ms, median of {ns.repeat} interleaved runs; worst ratio {max(ratios):.2f}, "
          f"worst CPU-time ratio {max(cpu):.2f}; target ≤ 2. On a busy machine the CPU-time "
          "ratio is the steadier one)")


def whole_command(images: list[Path], ns: argparse.Namespace) -> None:
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
