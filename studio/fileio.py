"""Atomic file writes and PNG I/O at the edges (PIL appears here, not in the core)."""

from __future__ import annotations

import io
import json
import os
import secrets
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

_O_BINARY = getattr(os, "O_BINARY", 0)  # Windows: no newline translation


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that readers see the old file or the new one, never half.

    The new file's mode is 0o666 less the process umask, as for any file a program creates
    (``tempfile.mkstemp`` would make it 0o600: private exports a user cannot share). The temp
    file is ``.<name>.<pid>.<random>.tmp`` beside `path`: a process killed while writing
    leaves it, and `studio.recovery` removes it once that pid is gone."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        tmp = path.parent / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _O_BINARY, 0o666)
            break
        except FileExistsError:
            continue
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=1, sort_keys=False) + "\n").encode())


def png_bytes(arr: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of an (H, W), (H, W, 3) or (H, W, 4) uint8 array (fast compression)."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(
        buf, format="PNG", compress_level=compress_level
    )
    return buf.getvalue()


def write_png(path: Path, arr: np.ndarray) -> None:
    atomic_write_bytes(path, png_bytes(arr))


def read_png(path: Path, mode: str = "RGBA") -> np.ndarray:
    with Image.open(path) as im:
        return np.asarray(im.convert(mode), dtype=np.uint8).copy()
