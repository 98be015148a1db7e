"""Parallel remote frames: wall time of 30 frames at concurrency 1, 4, 8, 30 against a
worker endpoint whose per-frame latency is simulated, and the orchestrator's peak RSS when
every backend is remote (Gradio and the studio UI imported).

    .venv/bin/python bench/parallel.py [--latency 1.0] [--frames 30]

Target: at concurrency 30 the batch takes ≤ 1.5 × one frame's latency; peak RSS ≤ 400 MB.
The endpoint is studio.remote.fake (RunPod's /runsync on loopback, one thread per request),
so the numbers measure the client and the orchestrator, not a GPU.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

if TYPE_CHECKING:
    from studio.remote.fake import FakeEndpoint

HEAVY = ("torch", "onnxruntime", "transformers", "diffusers", "rembg", "runpod", "cv2")


def frames(n: int, size: int = 360) -> list[np.ndarray]:
    """n generated-looking frames: a shaded disc moving over white, (size, size, 3) uint8."""
    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32)
    out = []
    for i in range(n):
        cx = size * (0.3 + 0.4 * i / max(1, n - 1))
        d = np.hypot(xx - cx, yy - size / 2) / (size * 0.3)
        shade = np.clip(1.2 - d, 0, 1)[..., None] * np.array([250, 180, 60], np.float32)
        img = np.where((d < 1)[..., None], shade, 255)
        out.append(img.astype(np.uint8))
    return out


def fleet(latency_s: float) -> FakeEndpoint:
    from studio.remote import wire
    from studio.remote.fake import FakeEndpoint

    alpha = np.zeros((360, 360), np.float32)
    alpha[60:300, 60:300] = 1
    out = {"mask": wire.encode_alpha(alpha), "foreground": None, "backend": "sim",
           "score": None, "info": {}}
    return FakeEndpoint(lambda _payload: out, latency_s=latency_s).start()


def batch(url: str, parallel: int, images: list[np.ndarray]) -> float:
    from studio.remote.backends import RemoteSegmenter
    from studio.remote.client import WorkerClient
    from studio.remote_settings import RemoteSettings

    seg = RemoteSegmenter("birefnet", client=WorkerClient(
        RemoteSettings(url=url, max_parallel=parallel, timeout_s=120)))
    t0 = time.perf_counter()
    results = seg.segment_batch(images)
    wall = time.perf_counter() - t0
    bad = [r.index for r in results if not r.ok]
    if bad:
        raise SystemExit(f"frames {bad} failed: {results[bad[0]].error}")
    return wall


def rss_child(url: str, n: int) -> None:
    """Runs in a fresh process: import what the studio imports, segment n frames remotely."""
    os.environ.update(STUDIO_SEGMENTER="remote:birefnet", STUDIO_WORKER_URL=url,
                      STUDIO_MAX_PARALLEL=str(n))
    import gradio  # noqa: F401

    import studio
    from studio import registry

    with contextlib.suppress(ImportError):
        import studio.ui  # the Gradio layout, where it exists
    seg = registry.create("segmenter", studio.load_settings().segmenter)
    results = seg.segment_batch(frames(n))
    assert all(r.ok for r in results)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    heavy = [m for m in HEAVY if m in sys.modules]
    print(f"{peak_mb:.0f} {','.join(heavy) or '-'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--latency", type=float, default=1.0, help="simulated s per frame")
    ap.add_argument("--frames", type=int, default=30)
    ap.add_argument("--rss-child", metavar="URL", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.rss_child:
        rss_child(args.rss_child, args.frames)
        return
    images = frames(args.frames)
    ep = fleet(args.latency)
    try:
        print(f"{args.frames} frames of 360x360, simulated worker latency {args.latency:g} s")
        print(f"{'concurrency':>11}  {'wall s':>7}  {'× latency':>9}  {'peak in flight':>14}")
        for c in (1, 4, 8, 30):
            ep.peak_in_flight = 0
            wall = batch(ep.url, c, images)
            print(f"{c:>11}  {wall:>7.2f}  {wall / args.latency:>9.2f}  {ep.peak_in_flight:>14}")
        child = subprocess.run(
            [sys.executable, __file__, "--rss-child", ep.url, "--frames", str(args.frames)],
            capture_output=True, text=True, check=True, cwd=ROOT,
            env={**os.environ, "HF_HUB_OFFLINE": "1"},
        )
        peak, heavy = child.stdout.split()[-2:]
        print(f"orchestrator peak RSS (gradio + studio UI + remote:birefnet, {args.frames} frames"
              f" in flight): {peak} MB; heavy modules loaded: {heavy}")
    finally:
        ep.stop()


if __name__ == "__main__":
    main()
