"""Runs inside sticker-convert's own venv (made by bench/peer.py), never the project's.

Reads a JSON job from stdin and writes JSON results to stdout:

    {"convert": [{"input": path, "output": path, "preset": "line", "res": [w, h]}, ...],
     "check": [{"file": path, "preset": "line"}, ...]}
    → {"version": "...", "convert": [{"ok", "output", "bytes", "seconds", "error"}, ...],
       "check": [{"ok", "fps", "duration_ms", "error"}, ...]}

convert: sticker-convert's StickerConvert.convert with the preset from its
compression.json (res overridden to the given canvas so both tools write the same size).
check: its FormatVerify.check_file against the unmodified preset.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def presets() -> dict[str, Any]:
    import sticker_convert

    path = Path(sticker_convert.__file__).parent / "resources" / "compression.json"
    return json.loads(path.read_text())


def comp_option(name: str, res: list[int] | None = None):  # -> CompOption
    from sticker_convert.job_option import CompOption

    d = presets()[name]
    w, h = d["res"]["w"], d["res"]["h"]
    if res:
        w = {"min": res[0], "max": res[0]}
        h = {"min": res[1], "max": res[1]}
    return CompOption(
        preset=name,
        size_max_img=d["size_max"]["img"], size_max_vid=d["size_max"]["vid"],
        format_img=(d["format"]["img"],), format_vid=(d["format"]["vid"],),
        fps_min=d["fps"]["min"], fps_max=d["fps"]["max"], fps_power=d["fps"]["power"],
        res_w_min=w["min"], res_w_max=w["max"], res_h_min=h["min"], res_h_max=h["max"],
        res_power=d["res"]["power"], res_snap_pow2=d["res"]["snap_pow2"],
        quality_min=d["quality"]["min"], quality_max=d["quality"]["max"],
        quality_power=d["quality"]["power"],
        color_min=d["color"]["min"], color_max=d["color"]["max"], color_power=d["color"]["power"],
        duration_min=d["duration"]["min"], duration_max=d["duration"]["max"],
        duration_spoof=d["duration"]["spoof"], bg_color=d["bg_color"],
        padding_percent=d["padding_percent"], steps=d["steps"], fake_vid=d["fake_vid"],
        scale_filter=d["scale_filter"], quantize_method=d["quantize_method"],
        default_emoji=d["default_emoji"], processes=1,
    )


class _Quiet:
    """sticker-convert's callback protocol, printing nothing."""

    def put(self, item: Any) -> None:
        return None


def convert(job: dict[str, Any]) -> dict[str, Any]:
    from sticker_convert.converter import StickerConvert
    from sticker_convert.utils.callback import CallbackReturn

    opt = comp_option(job["preset"], job.get("res"))
    out = Path(job["output"])
    t, c = time.perf_counter(), _cpu()
    try:
        ok, _, result, size = StickerConvert.convert(
            Path(job["input"]), out, opt, _Quiet(), CallbackReturn()
        )
    except Exception as exc:  # a bench row, not a crash
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    sec, cpu = time.perf_counter() - t, _cpu() - c
    written = Path(result) if isinstance(result, (str, Path)) else out
    if isinstance(result, bytes):
        written.write_bytes(result)
    return {"ok": bool(ok), "output": str(written), "bytes": int(size), "seconds": sec,
            "cpu": cpu}


def _cpu() -> float:
    """CPU seconds of this process and its finished children (sticker-convert's workers)."""
    import os

    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def check(job: dict[str, Any]) -> dict[str, Any]:
    from sticker_convert.utils.media.codec_info import CodecInfo
    from sticker_convert.utils.media.format_verify import FormatVerify

    path = Path(job["file"])
    try:
        ok = FormatVerify.check_file(path, comp_option(job["preset"]))
        info = CodecInfo(path)
        return {"ok": bool(ok), "fps": float(info.fps), "duration_ms": int(info.duration)}
    except Exception as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}


def main() -> None:
    import sticker_convert.version

    job = json.load(sys.stdin)
    out = {
        "version": sticker_convert.version.__version__,
        "convert": [convert(j) for j in job.get("convert", [])],
        "check": [check(j) for j in job.get("check", [])],
    }
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
