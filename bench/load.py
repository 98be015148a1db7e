"""Load: N people using one studio at once, through its API (gradio_client), on loopback.

Usage: python bench/load.py [--users 8] [--rounds 1] [--frames 12] [--size 360]

Starts the studio (embedded defaults: procedural + classical, the queue from the settings:
STUDIO_QUEUE_CONCURRENCY, STUDIO_QUEUE_MAX_SIZE) on a free port with a fresh STUDIO_HOME,
then runs `--users` sessions in parallel threads, each its own gradio_client Client (so its
own owner): upload → generate → export, `--rounds` times. Prints the seconds per action
(median, 95th percentile, max), the whole job per user, jobs per minute, the errors, and
whether each session saw only its own projects. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--users", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=1)
    ap.add_argument("--frames", type=int, default=12)
    ap.add_argument("--size", type=int, default=360)
    args = ap.parse_args()

    from gradio_client import Client, handle_file

    from studio.pipeline import Studio
    from studio.settings import load_settings
    from studio.ui import launch

    home = Path(tempfile.mkdtemp(prefix="popcon-load-"))
    studio = Studio(load_settings({**os.environ, "STUDIO_HOME": str(home)}))
    s = studio.settings
    demo = launch(studio, host="127.0.0.1", port=free_port(), share=False, block=False)
    image = ROOT / "examples" / "cat.png"
    times: dict[str, list[float]] = {"upload": [], "generate": [], "export": [], "job": []}
    errors: list[str] = []
    own: dict[int, set[str]] = {}
    leaks: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(args.users)

    def user(n: int) -> None:
        client = Client(demo.local_url, verbose=False, download_files=str(home / f"dl-{n}"))
        mine: set[str] = set()
        start.wait()
        for _ in range(args.rounds):
            t_job = time.perf_counter()
            try:
                t0 = time.perf_counter()
                pid = client.predict(handle_file(str(image)), api_name="/new_project")[0]
                t1 = time.perf_counter()
                client.predict(pid, "bounce", "", [], args.frames, 12, 1, args.size, "auto",
                               api_name="/generate")
                t2 = time.perf_counter()
                client.predict(pid, "line-emoji", api_name="/export")
                t3 = time.perf_counter()
            except Exception as e:  # counted and printed, the run goes on
                with lock:
                    errors.append(f"user {n}: {type(e).__name__}: {e}")
                continue
            mine.add(pid)
            with lock:
                times["upload"].append(t1 - t0)
                times["generate"].append(t2 - t1)
                times["export"].append(t3 - t2)
                times["job"].append(t3 - t_job)
        seen = {item["caption"].rsplit(" · ", 1)[1]
                for item in client.predict(api_name="/recent_projects")}
        with lock:
            own[n] = mine
            if seen - mine:
                leaks.append(f"user {n} sees {sorted(seen - mine)}")

    t_all = time.perf_counter()
    threads = [threading.Thread(target=user, args=(n,)) for n in range(args.users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t_all
    demo.close()

    jobs = len(times["job"])
    print(f"load: {args.users} users × {args.rounds} round(s), {args.frames} frames at "
          f"{args.size} px, queue concurrency {s.queue_concurrency}, max size "
          f"{s.queue_max_size}, {os.cpu_count()} CPUs")
    for name, values in times.items():
        if values:
            print(f"  {name:9} median {statistics.median(values):6.2f} s   p95 "
                  f"{pct(values, 0.95):6.2f} s   max {max(values):6.2f} s   (n={len(values)})")
    print(f"  wall {wall:.1f} s for {jobs} whole jobs: {60 * jobs / wall:.1f} jobs/min")
    print(f"  errors: {len(errors)}" + "".join(f"\n    {e}" for e in errors[:5]))
    print(f"  ownership: each session saw only its own projects: {not leaks}"
          + "".join(f"\n    {x}" for x in leaks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
