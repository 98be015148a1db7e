"""Peer benchmark: popcon's export beside sticker-convert's on the same animation.

Usage: python bench/peer.py [--clips flat,soft,big] [--presets all|id,id] [--no-install]

sticker-convert (PyPI `sticker-convert`, pinned below) is installed by this bench into its
OWN venv under bench/out/peer-venv (never the project's venv; --no-install skips clips
that would need it). For each clip (24 frames, 1 s, 512 px from the motion engine) popcon's
lossless master (full-colour APNG, every frame 1/24 s) is written, and for each popcon
preset with a matching sticker-convert preset:

- popcon fits the clip's frames to the preset (studio.export.fit_to_budget);
- sticker-convert converts the master with its preset, the canvas set to popcon's canvas so
  both write the same size (bench/peer_sc_driver.py runs inside its venv; its results are
  kept in bench/out/peer/<clip>/sc-cache.json while the master is unchanged);
- for APNG presets popcon also fits with its palette target set to sticker-convert's PSNR
  ("popcon=q" rows), so bytes are compared at equal quality;
- both files are decoded and each frame is compared with the master frame at the same
  phase of the loop, resized to the file's canvas: PSNR composited on black and on white
  (mean over the file's frames);
- encode time: wall seconds and CPU seconds (this process, or sticker-convert's driver
  with its one worker process); on a shared machine compare the CPU seconds;
- both tools' checkers judge both files: popcon's check_bytes with popcon's preset,
  sticker-convert's FormatVerify.check_file with its own (unmodified) preset.

Prints one table and the issue's targets. Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import subprocess
import sys
import time
import venv
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.export import (  # noqa: E402
    check_bytes,
    decode_animation,
    fit_to_budget,
    get_preset,
)

OUT = ROOT / "bench" / "out" / "peer"
PEER_VENV = ROOT / "bench" / "out" / "peer-venv"
DRIVER = ROOT / "bench" / "peer_sc_driver.py"
SC_REQUIREMENT = "sticker-convert==2.21.0.2"
FRAMES, FPS, SIZE = 24, 24.0, 512
WHITE, BLACK = (255, 255, 255), (0, 0, 0)

# popcon preset → sticker-convert preset (resources/compression.json)
MATCH = {
    "line-emoji": "line",
    "line-sticker": "line",
    "telegram-video": "telegram",
    "telegram-emoji": "telegram_emoji",
    "discord-emoji": "discord_emoji",
    "whatsapp": "whatsapp",
    "kakao-proposal": "kakao",
    "imessage": "imessage_medium",
}


# ------------------------------------------------------------------ sticker-convert's venv
def peer_python(path: Path = PEER_VENV) -> Path | None:
    """The peer venv's python when sticker-convert is installed there, else None."""
    py = path / "bin" / "python"
    if not py.exists():
        return None
    found = list(path.glob("lib/python*/site-packages/sticker_convert/converter.py"))
    return py if found else None


def ensure_peer_venv(path: Path = PEER_VENV) -> Path:
    """Create bench/out/peer-venv and pip install sticker-convert there (once); its python.

    Raises RuntimeError with pip's output when the install fails.
    """
    py = peer_python(path)
    if py is not None:
        return py
    print(f"installing {SC_REQUIREMENT} into {path} (its own venv)...", flush=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(path)
    proc = subprocess.run(
        [str(path / "bin" / "python"), "-m", "pip", "install", "-q", SC_REQUIREMENT],
        capture_output=True, text=True,
    )
    py = peer_python(path)
    if proc.returncode != 0 or py is None:
        raise RuntimeError(f"pip install {SC_REQUIREMENT} failed:\n{proc.stdout}{proc.stderr}")
    return py


def run_driver(python: Path, job: dict[str, Any]) -> dict[str, Any]:
    """Run bench/peer_sc_driver.py in the peer venv on `job`; its JSON answer."""
    proc = subprocess.run([str(python), str(DRIVER)], input=json.dumps(job),
                          capture_output=True, text=True, cwd=str(OUT))
    if proc.returncode != 0:
        raise RuntimeError(f"sticker-convert driver failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout)


# ------------------------------------------------------------------ clips and the master
def make_clips(names: list[str]) -> dict[str, list[np.ndarray]]:
    """name → 24 RGBA frames (512 px, 1 s loop) from the procedural motion engine."""
    from bench.export import _flat_character, _soft_character
    from studio.motion import preset_spec, render_frames

    table = {
        "flat": (_flat_character, "bounce", False, ()),
        "soft": (_soft_character, "jelly", True, ()),
        "big": (_flat_character, "wobble", True, ("sparkles",)),
    }
    out = {}
    for name in names:
        draw, move, shadow, effects = table[name]
        spec = preset_spec(move, frames=FRAMES, fps=FPS, shadow=shadow, effects=effects)
        out[name] = render_frames(draw(384), spec, size=(SIZE, SIZE))
    return out


def write_master(frames: list[np.ndarray], path: Path) -> None:
    """Lossless full-colour APNG, every frame exactly 1/FPS s, looping (Pillow)."""
    ims = [Image.fromarray(f) for f in frames]
    buf = io.BytesIO()
    ims[0].save(buf, format="PNG", save_all=True, append_images=ims[1:],
                duration=[1000.0 / FPS] * len(ims), loop=0, disposal=0, blend=0)
    path.write_bytes(buf.getvalue())


# ------------------------------------------------------------------ quality
def resize_premultiplied(f: np.ndarray, w: int, h: int) -> np.ndarray:
    """RGBA uint8 scaled to fit (w, h), centred on transparent (premultiplied area/cubic)."""
    import cv2

    fh, fw = f.shape[:2]
    if (fw, fh) == (w, h):
        return f
    s = min(w / fw, h / fh)
    nw, nh = max(1, round(fw * s)), max(1, round(fh * s))
    a = f[..., 3:].astype(np.float32) / 255
    pre = np.concatenate([f[..., :3] * a, a * 255], axis=2)
    small = cv2.resize(pre, (nw, nh), interpolation=cv2.INTER_AREA if s < 1 else cv2.INTER_CUBIC)
    small = np.clip(small, 0, 255)
    al = small[..., 3:] / 255
    rgb = np.where(al > 1e-4, small[..., :3] / np.maximum(al, 1e-4), 0)
    out = np.zeros((h, w, 4), np.float32)
    y0, x0 = (h - nh) // 2, (w - nw) // 2
    out[y0:y0 + nh, x0:x0 + nw] = np.dstack([np.clip(rgb, 0, 255), small[..., 3:]])
    return np.rint(out).astype(np.uint8)


def on(f: np.ndarray, bg: tuple[int, int, int]) -> np.ndarray:
    a = f[..., 3:].astype(np.float64) / 255
    return f[..., :3] * a + np.asarray(bg, np.float64) * (1 - a)


def psnr_pair(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a - b) ** 2))
    return 99.0 if mse == 0 else min(99.0, 10 * math.log10(255.0**2 / mse))


def quality(master: list[np.ndarray], data: bytes, matte: tuple[int, int, int] | None
            ) -> tuple[float, float]:
    """Mean PSNR (on black, on white) of each frame of the file against the master frame at
    the same phase of the loop (its start time ÷ the file's loop time), the master resized
    to the file's canvas (and put on `matte` when the file is opaque). Spatial quality of
    what each frame shows; a file with fewer frames shows fewer of the master's frames."""
    d = decode_animation(data)
    if not d.frames:
        return math.nan, math.nan
    h, w = d.frames[0].shape[:2]
    starts = np.cumsum([0.0, *d.durations_ms[:-1]])
    total = float(sum(d.durations_ms)) or 1.0
    opaque = all((f[..., 3] == 255).all() for f in d.frames)
    pb, pw = [], []
    for got, t in zip(d.frames, starts, strict=True):
        # Matroska rounds timestamps to ms (83 ms for 2/24 s): a 5% frame tolerance
        i = math.floor(t / total * len(master) + 0.05) % len(master)
        ref = resize_premultiplied(master[i], w, h)
        if opaque and matte is not None:
            ref = np.dstack([np.rint(on(ref, matte)).astype(np.uint8),
                             np.full((h, w), 255, np.uint8)])
        pb.append(psnr_pair(on(ref, BLACK), on(got, BLACK)))
        pw.append(psnr_pair(on(ref, WHITE), on(got, WHITE)))
    return float(np.mean(pb)), float(np.mean(pw))


# ------------------------------------------------------------------ main
def popcon_row(name: str, pid: str, frames: list[np.ndarray], folder: Path,
               target_db: float | None = None) -> dict[str, Any]:
    """Fit the clip to preset `pid` with popcon (APNG palette target `target_db` when given,
    else popcon's own) and write the file; the row before quality and checks."""
    from studio.export import fit as fit_module

    p = get_preset(pid)
    targets = getattr(fit_module, "QUALITY_TARGET_DB", None)
    saved = dict(targets) if targets is not None else None
    if target_db is not None and targets is not None:
        targets[p.format] = target_db
    try:
        t, c = time.perf_counter(), time.process_time()
        fit = fit_to_budget(frames, [1000.0 / FPS] * len(frames), p)
        sec, cpu = time.perf_counter() - t, time.process_time() - c
    finally:
        if targets is not None and saved is not None:
            targets.clear()
            targets.update(saved)
    tag = "" if target_db is None else "-eq"
    path = folder / f"popcon{tag}-{pid}{p.extension}"
    path.write_bytes(fit.encoded.data)
    return {"clip": name, "preset": pid, "tool": "popcon" + ("=q" if tag else ""),
            "file": path, "bytes": fit.bytes, "seconds": sec, "cpu": cpu,
            "size": fit.settings.size or (p.width, p.height),
            "settings": fit.settings.describe()}


def sc_rows(name: str, ids: list[str], sizes: dict[str, tuple[int, int]], folder: Path,
            master: Path, python: Path) -> list[dict[str, Any]]:
    """sticker-convert's conversions of the master, reused while the master is unchanged
    (its digest and the canvas are part of the cache key)."""
    import hashlib

    digest = hashlib.sha256(master.read_bytes()).hexdigest()[:12]
    cache = folder / "sc-cache.json"
    known = json.loads(cache.read_text()) if cache.exists() else {}
    todo = []
    for pid in ids:
        key = f"{pid}:{digest}:{sizes[pid][0]}x{sizes[pid][1]}"
        res = known.get(key)
        if res is None or (res.get("ok") and not Path(res["output"]).exists()):
            ext = get_preset(pid).extension
            todo.append((key, {"input": str(master), "output": str(folder / f"sc-{pid}{ext}"),
                               "preset": MATCH[pid], "res": list(sizes[pid])}))
    if todo:
        answer = run_driver(python, {"convert": [j for _, j in todo]})
        for (key, _), res in zip(todo, answer["convert"], strict=True):
            known[key] = {**res, "version": answer["version"]}
        cache.write_text(json.dumps(known, indent=1))
    rows = []
    for pid in ids:
        res = known[f"{pid}:{digest}:{sizes[pid][0]}x{sizes[pid][1]}"]
        rows.append({"clip": name, "preset": pid, "tool": "sc " + res.get("version", "?"),
                     "file": Path(res["output"]) if res.get("ok") else None,
                     "bytes": res.get("bytes", 0), "seconds": res.get("seconds", math.nan),
                     "cpu": res.get("cpu", math.nan), "size": sizes[pid],
                     "settings": res.get("error", "")})
    return rows


def judge(rows: list[dict[str, Any]], frames: list[np.ndarray], python: Path | None) -> None:
    """Quality against the master and both checkers, added to each row in place."""
    todo = [r for r in rows if "popcon_ok" not in r]
    checks = [{"file": str(r["file"]), "preset": MATCH[r["preset"]]} for r in todo if r["file"]]
    verdicts = run_driver(python, {"check": checks})["check"] if python and checks else []
    k = 0
    for r in todo:
        p = get_preset(r["preset"])
        if r["file"] is None:
            r.update(psnr_b=math.nan, psnr_w=math.nan, popcon_ok=None, sc_ok=None, sc_fps=None)
            continue
        data = r["file"].read_bytes()
        r["bytes"] = len(data)
        r["psnr_b"], r["psnr_w"] = quality(frames, data, p.matte)
        r["popcon_ok"] = check_bytes(data, p, r["file"].name).ok
        r["sc_ok"], r["sc_fps"] = None, None
        if verdicts:
            r["sc_ok"], r["sc_fps"] = verdicts[k].get("ok"), verdicts[k].get("fps")
            k += 1


def bench_clip(name: str, frames: list[np.ndarray], ids: list[str], python: Path | None
               ) -> list[dict[str, Any]]:
    """popcon's and sticker-convert's files for one clip, judged; for APNG presets also
    popcon at sticker-convert's quality (its palette target set to that PSNR), so bytes are
    compared at equal quality."""
    folder = OUT / name
    folder.mkdir(parents=True, exist_ok=True)
    master = folder / "master.png"
    write_master(frames, master)
    rows = [popcon_row(name, pid, frames, folder) for pid in ids]
    if python is not None:
        sizes = {r["preset"]: tuple(r["size"]) for r in rows}
        rows += sc_rows(name, ids, sizes, folder, master, python)
    judge(rows, frames, python)
    from studio.export import fit as fit_module

    if python is not None and hasattr(fit_module, "QUALITY_TARGET_DB"):
        extra = []
        for r in rows:
            apng = get_preset(r["preset"]).format == "apng"
            if r["tool"].startswith("sc") and r["file"] and apng:
                q = min(r["psnr_b"], r["psnr_w"])
                extra.append(popcon_row(name, r["preset"], frames, folder, target_db=q))
        judge(extra, frames, python)
        rows += extra
    return rows


def _yn(v: bool | None) -> str:
    return "-" if v is None else ("ok" if v else "FAIL")


def print_table(rows: list[dict[str, Any]]) -> None:
    print(f"{'clip':5} {'preset':15} {'tool':13} {'bytes':>8} {'PSNR b':>7} {'PSNR w':>7} "
          f"{'enc s':>6} {'cpu s':>6} {'popcon chk':>10} {'sc chk':>6} {'sc fps':>7}  settings")
    for r in rows:
        fps = "-" if r.get("sc_fps") is None else f"{r['sc_fps']:.4g}"
        print(f"{r['clip']:5} {r['preset']:15} {r['tool']:13} {r['bytes']:8d} "
              f"{r['psnr_b']:7.2f} {r['psnr_w']:7.2f} {r['seconds']:6.2f} {r['cpu']:6.2f} "
              f"{_yn(r['popcon_ok']):>10} {_yn(r['sc_ok']):>6} {fps:>7}  {r['settings']}")


def summarise(rows: list[dict[str, Any]]) -> list[str]:
    out = []
    mine = [r for r in rows if r["tool"] == "popcon"]
    equal = [r for r in rows if r["tool"] == "popcon=q"]
    judged = [r for r in mine if r["sc_ok"] is not None]
    if judged:
        ok = sum(bool(r["sc_ok"]) for r in judged)
        bad = sorted({r["preset"] for r in judged if not r["sc_ok"]})
        out.append(f"sticker-convert's checker accepts popcon's files: {ok}/{len(judged)}"
                   + (f" (rejects {', '.join(bad)})" if bad else ""))
    ok = sum(bool(r["popcon_ok"]) for r in mine)
    out.append(f"popcon's checker accepts popcon's files: {ok}/{len(mine)}")
    theirs = [r for r in rows if r["tool"].startswith("sc") and r["file"] is not None]
    if theirs:
        ok = sum(bool(r["popcon_ok"]) for r in theirs)
        out.append(f"popcon's checker accepts sticker-convert's files: {ok}/{len(theirs)}")
    for r in mine + equal:
        peer = [x for x in theirs if (x["clip"], x["preset"]) == (r["clip"], r["preset"])]
        if not peer:
            continue
        q = peer[0]
        mine_q = min(r["psnr_b"], r["psnr_w"])
        their_q = min(q["psnr_b"], q["psnr_w"])
        verdict = "smaller" if r["bytes"] <= q["bytes"] else "LARGER"
        out.append(
            f"{r['clip']:5} {r['preset']:15} {r['tool']:8} {r['bytes']:7d} B at {mine_q:5.2f} dB "
            f"vs "
            f"sticker-convert {q['bytes']:7d} B at {their_q:5.2f} dB: {r['bytes'] / q['bytes']:.0%}"
            f" ({verdict}, {mine_q - their_q:+.2f} dB), CPU {r['cpu']:.2f} s vs "
            f"{q['cpu']:.2f} s"
        )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", default="flat,soft,big")
    ap.add_argument("--presets", default="all")
    ap.add_argument("--no-install", action="store_true",
                    help="do not create sticker-convert's venv (popcon rows only when absent)")
    ns = ap.parse_args()
    ids = list(MATCH) if ns.presets == "all" else ns.presets.split(",")
    unknown = [i for i in ids if i not in MATCH]
    if unknown:
        raise SystemExit(f"no sticker-convert preset matches {unknown}; matching: {list(MATCH)}")
    OUT.mkdir(parents=True, exist_ok=True)
    python = peer_python() if ns.no_install else ensure_peer_venv()
    if python is None:
        print("sticker-convert's venv is absent (--no-install): popcon rows only")
    rows: list[dict[str, Any]] = []
    for name, frames in make_clips(ns.clips.split(",")).items():
        rows.extend(bench_clip(name, frames, ids, python))
    print_table(rows)
    print()
    for line in summarise(rows):
        print(line)


if __name__ == "__main__":
    main()
