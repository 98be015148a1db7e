"""Export benchmark: bytes, encode time and quality per format and route, and every preset's fit.

Usage: python bench/export.py [--clips flat,soft,big] [--presets all|id,id] [--no-routes]

Three clips rendered by the motion engine: a flat cartoon with an outline (180 px, bounce),
a soft-shaded character with a drop shadow (320 px, jelly) and a 512 px one (wobble with
sparkles). For each format, popcon's encoder is set beside the reference routes that are
installed: ffmpeg palettegen/paletteuse (+ gifsicle -O3 --lossy) for GIF, Pillow's defaults
for APNG and WebP, the ffmpeg CLI's libvpx-vp9 for WebM. Quality is PSNR / SSIM of the
decoded frames composited on white and on black against the RGBA source. Then every preset
is fitted on every clip: bytes vs budget, the spec check of the file read back, PSNR on
black, on white and on the preset's theme colour (its GIF matte, else its light chat
background), and the fitting time (wall and this process's CPU seconds: on a shared machine
the CPU time is the one to compare). Numbers, not pass/fail.
"""

from __future__ import annotations

import argparse
import io
import math
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from studio.export import (  # noqa: E402
    check_bytes,
    decode_animation,
    encode_apng,
    encode_gif,
    encode_webm,
    encode_webp,
    fit_canvas,
    fit_to_budget,
    list_presets,
    preview_on,
    psnr,
)

WHITE, BLACK = (255, 255, 255), (0, 0, 0)
GIF_SWEEP = (256, 128, 96, 64, 48, 32, 24, 16)


# ------------------------------------------------------------------ clips
def _flat_character(size: int) -> np.ndarray:
    """A flat cartoon face: solid fills, a dark outline, anti-aliased edges (RGBA)."""
    import cv2

    s = size / 256
    img = np.zeros((size, size, 4), np.uint8)
    c = (size // 2, size // 2 + int(8 * s))
    cv2.circle(img, c, int(100 * s), (30, 25, 40, 255), -1, cv2.LINE_AA)
    cv2.circle(img, c, int(92 * s), (120, 200, 255, 255), -1, cv2.LINE_AA)
    for ex in (-34, 34):
        cv2.circle(img, (c[0] + int(ex * s), c[1] - int(20 * s)), int(12 * s), (30, 25, 40, 255),
                   -1, cv2.LINE_AA)
    cv2.ellipse(img, (c[0], c[1] + int(28 * s)), (int(36 * s), int(20 * s)), 0, 0, 180,
                (30, 25, 40, 255), max(2, int(7 * s)), cv2.LINE_AA)
    for ex in (-60, 60):
        cv2.circle(img, (c[0] + int(ex * s), c[1] + int(14 * s)), int(13 * s),
                   (255, 150, 170, 255), -1, cv2.LINE_AA)
    return img


def _soft_character(size: int) -> np.ndarray:
    """A soft-shaded blob: radial gradient body with a highlight and soft alpha edge (RGBA)."""
    import cv2

    yy, xx = np.mgrid[0:size, 0:size].astype(np.float32) / size
    d = np.hypot(xx - 0.5, (yy - 0.52) * 1.1)
    alpha = np.clip((0.40 - d) / 0.02, 0, 1)
    light = np.clip(1.15 - 1.6 * np.hypot(xx - 0.38, yy - 0.36), 0.25, 1.0)
    rgb = np.stack([250 * light, 140 * light + 40, 90 * light + 30], -1)
    hl = np.exp(-((xx - 0.36) ** 2 + (yy - 0.33) ** 2) / 0.003)[..., None]
    rgb = rgb * (1 - hl) + 255 * hl
    img = np.dstack([np.clip(rgb, 0, 255), alpha * 255]).astype(np.uint8)
    s = size / 256
    for ex in (-30, 30):
        cv2.circle(img, (size // 2 + int(ex * s), size // 2 - int(6 * s)), int(9 * s),
                   (60, 30, 30, 255), -1, cv2.LINE_AA)
    return img


def make_clips(names: list[str]) -> dict[str, tuple[list[np.ndarray], list[float]]]:
    """name → (RGBA frames, durations ms) from the procedural motion engine."""
    from studio.motion import preset_spec, render_frames

    table: dict[str, tuple[Callable[[int], np.ndarray], str, int, bool, tuple[str, ...]]] = {
        "flat": (_flat_character, "bounce", 180, False, ()),
        "soft": (_soft_character, "jelly", 320, True, ()),
        "big": (_flat_character, "wobble", 512, True, ("sparkles",)),
    }
    out = {}
    for name in names:
        draw, move, size, shadow, effects = table[name]
        spec = preset_spec(move, frames=24, fps=12.0, shadow=shadow, effects=effects)
        frames = render_frames(draw(384), spec, size=(size, size))
        out[name] = (frames, [1000 / 12] * len(frames))
    return out


# ------------------------------------------------------------------ quality
def ssim(a: np.ndarray, b: np.ndarray) -> float:
    """Mean SSIM of the luma of two RGB uint8 images (Gaussian window, sigma 1.5)."""
    import cv2

    w = np.array([0.299, 0.587, 0.114])
    x, y = (im.astype(np.float64) @ w for im in (a, b))
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(z, (11, 11), 1.5)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    num = (2 * mx * my + c1) * (2 * sxy + c2)
    den = (mx * mx + my * my + c1) * (sxx + syy + c2)
    return float((num / den).mean())


def quality(src: list[np.ndarray], got: list[np.ndarray]) -> dict[str, float]:
    """Mean PSNR and SSIM on white and on black of decoded frames vs the RGBA source."""
    out: dict[str, float] = {}
    if len(src) != len(got) or src[0].shape != got[0].shape:
        return {"psnr_w": math.nan, "psnr_b": math.nan, "ssim_w": math.nan, "ssim_b": math.nan}
    for tag, bg in (("w", WHITE), ("b", BLACK)):
        pairs = list(zip(preview_on(src, bg), preview_on(got, bg), strict=True))
        out[f"psnr_{tag}"] = float(np.mean([min(psnr(p, q), 99.0) for p, q in pairs]))
        out[f"ssim_{tag}"] = float(np.mean([ssim(p, q) for p, q in pairs]))
    return out


# ------------------------------------------------------------------ routes
def _timed(fn: Callable[[], bytes]) -> tuple[bytes, float]:
    t = time.perf_counter()
    data = fn()
    return data, time.perf_counter() - t


def _write_pngs(frames: list[np.ndarray], folder: Path) -> None:
    for i, f in enumerate(frames):
        Image.fromarray(f).save(folder / f"{i:03d}.png")


def _ffmpeg_gif(frames: list[np.ndarray], fps: float, lossy: int | None) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write_pngs(frames, d)
        graph = ("split[a][b];[a]palettegen=reserve_transparent=1:stats_mode=full[p];"
                 "[b][p]paletteuse=alpha_threshold=128:dither=sierra2_4a")
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-framerate", f"{fps:g}", "-i",
                        str(d / "%03d.png"), "-vf", graph, "-gifflags", "-offsetting",
                        str(d / "a.gif")], check=True)
        if lossy is None or not shutil.which("gifsicle"):
            return (d / "a.gif").read_bytes()
        opt = ["-O3"] + ([f"--lossy={lossy}"] if lossy else [])
        subprocess.run(["gifsicle", *opt, str(d / "a.gif"), "-o", str(d / "b.gif")], check=True)
        return (d / "b.gif").read_bytes()


def _ffmpeg_webm(frames: list[np.ndarray], fps: float, crf: int) -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        _write_pngs(frames, d)
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-framerate", f"{fps:g}", "-i",
                        str(d / "%03d.png"), "-c:v", "libvpx-vp9", "-pix_fmt", "yuva420p",
                        "-b:v", "0", "-crf", str(crf), "-an", str(d / "a.webm")], check=True)
        return (d / "a.webm").read_bytes()


def _pillow(frames: list[np.ndarray], delays: list[int], fmt: str) -> bytes:
    ims = [Image.fromarray(f) for f in frames]
    buf = io.BytesIO()
    ims[0].save(buf, format=fmt, save_all=True, append_images=ims[1:], duration=delays, loop=0)
    return buf.getvalue()


def routes(frames: list[np.ndarray], durations: list[float]) -> list[tuple[str, str, bytes, float]]:
    """(format, route, bytes, seconds) for popcon's encoders and the installed references."""
    step = sum(durations) / len(durations)  # even timing, as the presets write it
    delays = [round(step)] * len(frames)
    exact = [step] * len(frames)
    gif_delays = [max(10, round(step / 10) * 10)] * len(frames)
    fps = 1000 * len(frames) / sum(durations)
    rows: list[tuple[str, str, bytes, float]] = []

    def add(fmt: str, route: str, fn: Callable[[], bytes]) -> None:
        data, sec = _timed(fn)
        rows.append((fmt, route, data, sec))

    for matte, tag in ((WHITE, "white"), (BLACK, "black")):
        for colors in GIF_SWEEP:
            add("gif", f"popcon {colors}c matte {tag}",
                lambda c=colors, m=matte: encode_gif(
                    frames, gif_delays, colors=c, matte=m).data)
    if shutil.which("ffmpeg"):
        add("gif", "ffmpeg palettegen", lambda: _ffmpeg_gif(frames, fps, None))
        if shutil.which("gifsicle"):
            for lossy in (0, 30, 80):
                add("gif", f"ffmpeg + gifsicle -O3 lossy {lossy}",
                    lambda k=lossy: _ffmpeg_gif(frames, fps, k))
    add("apng", "Pillow default (lossless)", lambda: _pillow(frames, delays, "PNG"))
    for colors in (256, 128):
        add("apng", f"popcon {colors}c shared palette",
            lambda c=colors: encode_apng(frames, exact, colors=c).data)
    add("webp", "Pillow default", lambda: _pillow(frames, delays, "WEBP"))
    for q, a in ((90, 100), (80, 50), (75, 40), (60, 25)):
        add("webp", f"popcon q{q}/a{a}",
            lambda q=q, a=a: encode_webp(frames, delays, quality=q, alpha_quality=a).data)
    for crf in (24, 32, 40):
        add("webm", f"popcon CRF {crf}", lambda c=crf: encode_webm(frames, exact, crf=c).data)
    if shutil.which("ffmpeg"):
        for crf in (24, 32, 40):
            add("webm", f"ffmpeg CLI CRF {crf}", lambda c=crf: _ffmpeg_webm(frames, fps, c))
    return rows


# ------------------------------------------------------------------ main
def _fmt(x: float, nd: int = 1) -> str:
    return "  -  " if math.isnan(x) else f"{x:.{nd}f}"


def bench_routes(name: str, frames: list[np.ndarray], durations: list[float]) -> None:
    print(f"\n## clip {name}: {len(frames)} frames, {frames[0].shape[1]} px")
    print(f"{'format':5} {'route':36} {'bytes':>9} {'ms':>7} {'PSNR w':>7} {'PSNR b':>7} "
          f"{'SSIM w':>7} {'SSIM b':>7}")
    rows = []
    for fmt, route, data, sec in routes(frames, durations):
        q = quality(frames, decode_animation(data).frames)
        rows.append((fmt, route, len(data), q))
        print(f"{fmt:5} {route:36} {len(data):9d} {sec * 1000:7.0f} {_fmt(q['psnr_w']):>7} "
              f"{_fmt(q['psnr_b']):>7} {_fmt(q['ssim_w'], 4):>7} {_fmt(q['ssim_b'], 4):>7}")
    print(f"\n### targets on clip {name}")
    for line in summarise(rows):
        print("  " + line)


def _smallest(rows: list, pred: Callable[[str, dict], bool]) -> tuple[str, int, dict] | None:
    hits = [(r, b, q) for f, r, b, q in rows if pred(r, q)]
    return min(hits, key=lambda h: h[1]) if hits else None


def summarise(rows: list) -> list[str]:
    """Target lines: popcon vs each reference at equal or better quality."""
    out = []
    for _, ref, rb, rq in [r for r in rows if r[0] == "gif" and "gifsicle" in r[1]]:
        for tag, key in (("white", "psnr_w"), ("black", "psnr_b")):
            best = _smallest(rows, lambda r, q, t=tag, k=key, v=rq[key]: (
                r.startswith("popcon") and r.endswith(f"matte {t}") and q[k] >= v - 0.05))
            if best is None:
                out.append(f"GIF on {tag}: no popcon setting reaches {ref}'s {rq[key]:.1f} dB")
                continue
            out.append(f"GIF on {tag}: popcon {best[1]} B ({best[0]}, {best[2][key]:.1f} dB) vs "
                       f"{ref} {rb} B ({rq[key]:.1f} dB): {best[1] / rb:.0%}")
    lossless = [b for f, r, b, _ in rows if f == "apng" and r.startswith("Pillow")]
    for f, r, b, q in rows:
        if f == "apng" and r.startswith("popcon") and lossless:
            worst = min(q["psnr_w"], q["psnr_b"])
            out.append(f"APNG {r}: {b / lossless[0]:.0%} of lossless at {worst:.1f} dB "
                       f"(target ≤ 40% at ≥ 45 dB)")
    for _, _ref, rb, rq in [r for r in rows if r[0] == "webp" and r[1].startswith("Pillow")]:
        floor = min(rq["psnr_w"], rq["psnr_b"])
        best = _smallest(rows, lambda r, q, v=floor: (
            r.startswith("popcon q") and min(q["psnr_w"], q["psnr_b"]) >= v - 0.05))
        if best:
            out.append(f"WebP: popcon {best[1]} B ({best[0]}) vs Pillow default {rb} B at "
                       f"≥ {floor:.1f} dB: {best[1] / rb:.0%}")
    for _, ref, rb, rq in [r for r in rows if r[0] == "webm" and r[1].startswith("ffmpeg")]:
        mine = [(r, b, q) for f, r, b, q in rows if f == "webm" and r == ref.replace(
            "ffmpeg CLI", "popcon")]
        if mine:
            r, b, q = mine[0]
            out.append(f"WebM {r}: {b} B, {q['psnr_b']:.1f} dB vs {ref}: {rb} B, "
                       f"{rq['psnr_b']:.1f} dB ({b / rb:.0%})")
    return out


def bench_presets(name: str, frames: list[np.ndarray], durations: list[float],
                  ids: list[str]) -> None:
    print(f"\n## presets on clip {name}")
    print(f"{'preset':16} {'fits':5} {'check':6} {'bytes':>8} {'budget':>8} {'s':>5} "
          f"{'cpu s':>5} {'PSNR b':>7} {'PSNR w':>7} {'theme':>7}  settings / given up")
    for p in list_presets():
        if p.id not in ids:
            continue
        t, c = time.perf_counter(), time.process_time()
        try:
            fit = fit_to_budget(frames, durations, p)
        except Exception as exc:  # a bench row, not a crash
            print(f"{p.id:16} {'no':5} {'-':6} {'-':>8} {p.max_bytes:8d} "
                  f"{time.perf_counter() - t:5.1f}  {exc}")
            continue
        sec, cpu = time.perf_counter() - t, time.process_time() - c
        report = check_bytes(fit.encoded.data, p, "x" + p.extension)
        size = fit.settings.size or (p.width, p.height)
        ref = fit_canvas([frames[i] for i in fit.timing.indices], *size)
        dec = decode_animation(fit.encoded.data)
        got = dec.frames
        if not p.transparent:  # opaque on its matte: the source on that matte is the target
            ref = [np.dstack([f, np.full(f.shape[:2], 255, np.uint8)])
                   for f in preview_on(ref, p.matte or WHITE)]
        if len(got) != len(ref):  # merged repeats: the frame showing at each grid time
            starts = np.cumsum([0.0, *dec.durations_ms[:-1]])
            step = sum(dec.durations_ms) / len(ref)
            got = [got[int(np.searchsorted(starts, j * step + 1e-6, side="right") - 1)]
                   for j in range(len(ref))]
        q = quality(ref, got)
        theme = p.matte or p.backgrounds[0][1]  # GIF: matted for this theme
        on_theme = float(np.mean([min(psnr(a, b), 99.0) for a, b in zip(
            preview_on(ref, theme), preview_on(got, theme), strict=True)]))
        print(f"{p.id:16} {'yes':5} {'ok' if report.ok else 'FAIL':6} {fit.bytes:8d} "
              f"{p.max_bytes:8d} {sec:5.1f} {cpu:5.1f} {_fmt(q['psnr_b']):>7} "
              f"{_fmt(q['psnr_w']):>7} {_fmt(on_theme):>7}  "
              f"{fit.settings.describe()}; {'; '.join(fit.given_up) or 'nothing given up'}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clips", default="flat,soft,big")
    ap.add_argument("--presets", default="all")
    ap.add_argument("--no-routes", action="store_true")
    ap.add_argument("--no-presets", action="store_true")
    ns = ap.parse_args()
    clips = make_clips(ns.clips.split(","))
    ids = [p.id for p in list_presets()] if ns.presets == "all" else ns.presets.split(",")
    tools = [t for t in ("ffmpeg", "gifsicle") if shutil.which(t)]
    print(f"reference tools installed: {', '.join(tools) or 'none'} (missing routes skipped)")
    for name, (frames, durations) in clips.items():
        if not ns.no_routes:
            bench_routes(name, frames, durations)
        if not ns.no_presets:
            bench_presets(name, frames, durations, ids)


if __name__ == "__main__":
    main()
