"""Interactive or batch: which time limits a remote call runs under.

A person waiting in the studio should hear back within about 30 s; a batch job (the CLI, a
notebook) may wait for a cold GPU worker for minutes. The studio's event handlers run inside
`interactive()`; everything else is batch. The limits themselves are RemoteSettings
(``STUDIO_WORKER_INTERACTIVE_TIMEOUT_S`` / ``STUDIO_WORKER_INTERACTIVE_DEADLINE_S`` against
``STUDIO_WORKER_TIMEOUT_S`` / ``STUDIO_WORKER_JOB_TIMEOUT_S``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_INTERACTIVE: ContextVar[bool] = ContextVar("popcon_remote_interactive", default=False)


@contextmanager
def interactive() -> Iterator[None]:
    """Remote calls made inside the block use the interactive limits."""
    token = _INTERACTIVE.set(True)
    try:
        yield
    finally:
        _INTERACTIVE.reset(token)


def is_interactive() -> bool:
    """Whether the calling code runs inside `interactive()`."""
    return _INTERACTIVE.get()
