"""What an encoder returns, and the atomic file write every export goes through."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from studio.fileio import atomic_write_bytes


@dataclass
class Encoded:
    """An encoded animation in memory.

    delays_ms: one per frame written (identical consecutive frames merged, delays summed).
    colors: palette size for indexed formats, None for full colour.
    """

    data: bytes
    format: str
    frame_count: int
    delays_ms: list[int]
    colors: int | None = None

    @property
    def bytes(self) -> int:
        return len(self.data)


def write_atomic(path: str | Path, data: bytes) -> Path:
    """Write `data` to `path` via a temp file in the same folder + os.replace; return the path."""
    path = Path(path)
    atomic_write_bytes(path, data)
    return path
