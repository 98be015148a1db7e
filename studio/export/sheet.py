"""For people who animate elsewhere: a sprite sheet PNG and a ZIP of PNG frames, each with
the frame timing as JSON (Aseprite-style `frames` entries with `frame` rects and `duration`).
"""

from __future__ import annotations

import io
import json
import math
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image

from studio.errors import InputError
from studio.export.encoded import write_atomic
from studio.export.frames import validate


def _png(frame: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(frame).save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def sheet_layout(n: int, columns: int | None = None) -> tuple[int, int]:
    """(columns, rows) of a grid for n frames; the default is the most square grid."""
    cols = columns if columns is not None else math.ceil(math.sqrt(n))
    if not 1 <= cols <= n:
        raise InputError(f"columns must be between 1 and {n} (the frame count), got {cols}")
    return cols, math.ceil(n / cols)


def export_sprite_sheet(
    frames: Sequence[np.ndarray],
    durations_ms: Sequence[float],
    out_png: str | Path,
    *,
    columns: int | None = None,
) -> tuple[Path, Path]:
    """Write RGBA uint8 frames (H, W, 4) as one transparent PNG grid, left to right then top to
    bottom, and `<out_png stem>.json` with each frame's rect {x, y, w, h} and duration (ms).

    Returns (png path, json path). Both are written atomically.
    """
    validate(frames, durations_ms)
    h, w = frames[0].shape[:2]
    cols, rows = sheet_layout(len(frames), columns)
    sheet = np.zeros((rows * h, cols * w, 4), np.uint8)
    meta: dict[str, object] = {"frames": [], "meta": {
        "image": Path(out_png).name, "size": {"w": cols * w, "h": rows * h},
        "frame_size": {"w": w, "h": h}, "columns": cols, "rows": rows, "format": "RGBA8888",
    }}
    for i, (f, d) in enumerate(zip(frames, durations_ms, strict=True)):
        y, x = divmod(i, cols)
        sheet[y * h : (y + 1) * h, x * w : (x + 1) * w] = f
        meta["frames"].append({  # type: ignore[union-attr]
            "filename": f"frame_{i:03d}", "frame": {"x": x * w, "y": y * h, "w": w, "h": h},
            "duration": round(float(d), 3),
        })
    png = write_atomic(out_png, _png(sheet))
    js = write_atomic(Path(out_png).with_suffix(".json"),
                      json.dumps(meta, indent=1).encode("utf-8"))
    return png, js


def export_frames_zip(
    frames: Sequence[np.ndarray], durations_ms: Sequence[float], out_zip: str | Path
) -> Path:
    """Write a ZIP of `frame_000.png`… (RGBA) and `timing.json` ({"frames": [{"file",
    "duration_ms"}], "total_ms"}) atomically; returns its path."""
    validate(frames, durations_ms)
    buf = io.BytesIO()
    timing = {"frames": [], "total_ms": round(float(sum(durations_ms)), 3)}
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for i, (f, d) in enumerate(zip(frames, durations_ms, strict=True)):
            name = f"frame_{i:03d}.png"
            zf.writestr(name, _png(f))
            timing["frames"].append({"file": name, "duration_ms": round(float(d), 3)})
        zf.writestr("timing.json", json.dumps(timing, indent=1))
    return write_atomic(out_zip, buf.getvalue())
