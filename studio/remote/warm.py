"""Backends kept warm in a long-lived process (the RunPod worker, a ZeroGPU Space).

A backend is created on first use (that is when its model loads) and kept; each has its own
lock, held around every call, so one GPU model never runs two inputs at once while other
models keep working.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

from studio import registry
from studio.errors import InputError


@dataclass
class Warm:
    """A backend instance (None until loaded) and the lock held around its calls."""

    backend: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock)


_cache: dict[tuple[str, str, str], Warm] = {}
_guard = threading.Lock()


def warm_backend(
    kind: registry.Kind, name: str, options: dict[str, Any] | None = None
) -> Warm:
    """The warm backend for (kind, name, options), created under its own lock on first use.

    Raises UnknownBackend / BackendUnavailable from the registry; a failed load is retried
    by the next call. Remote backends are refused (a worker does not forward to a worker)."""
    if registry.split_name(name)[0] == "remote":
        raise InputError(f"a worker runs backends in-process; it cannot use {name!r}")
    key = (kind, name, json.dumps(options or {}, sort_keys=True, default=str))
    with _guard:
        warm = _cache.setdefault(key, Warm())
    if warm.backend is None:
        with warm.lock:
            if warm.backend is None:
                warm.backend = registry.create(kind, name, options or None)
    return warm


def loaded() -> list[tuple[str, str]]:
    """(kind, name) of every backend loaded so far."""
    with _guard:
        return [(k[0], k[1]) for k, w in _cache.items() if w.backend is not None]


def clear() -> None:
    """Forget every warm backend (tests; a worker never needs it)."""
    with _guard:
        _cache.clear()
