"""Bounded parallel per-frame work with progress, retries and per-frame errors.

One bad frame does not lose the other 29: `run_frames` returns a result per item, holding
either the value or the exception. Transient failures (timeouts, connection errors,
`TransientError`) are retried with exponential backoff; a user error (StudioError) or a bug is
recorded once and not retried.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Generic, TypeVar

from studio.errors import FrameError, InputError
from studio.types import ProgressFn

X = TypeVar("X")
T = TypeVar("T")


class TransientError(Exception):
    """A failure worth retrying (a busy worker, a dropped connection)."""


TRANSIENT: tuple[type[BaseException], ...] = (TransientError, TimeoutError, ConnectionError)


@dataclass
class FrameResult(Generic[T]):
    """The outcome of one item: `value` when ok, else `error`; `attempts` ≥ 1."""

    index: int
    value: T | None = None
    error: BaseException | None = None
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None


def _attempt(
    fn: Callable[[int, X], T],
    index: int,
    item: X,
    retries: int,
    backoff_s: float,
    cancel: threading.Event | None,
) -> FrameResult[T]:
    result: FrameResult[T] = FrameResult(index)
    for attempt in range(retries + 1):
        result.attempts = attempt + 1
        if cancel is not None and cancel.is_set():
            result.error = InputError("cancelled before this frame ran")
            return result
        try:
            result.value = fn(index, item)
            result.error = None
            return result
        except TRANSIENT as e:
            result.error = e
            if attempt < retries:
                time.sleep(backoff_s * (2**attempt))
        except Exception as e:  # recorded per frame; the caller decides what to raise
            result.error = e
            return result
    return result


def run_frames(
    fn: Callable[[int, X], T],
    items: Sequence[X],
    *,
    max_workers: int = 2,
    retries: int = 2,
    backoff_s: float = 0.2,
    progress: ProgressFn | None = None,
    label: str = "frame",
    cancel: threading.Event | None = None,
    on_result: Callable[[FrameResult[T]], None] | None = None,
) -> list[FrameResult[T]]:
    """Run fn(index, item) for every item with at most `max_workers` in flight.

    Returns one FrameResult per item, in item order. on_result(result) (e.g. store a good
    frame as it arrives; it may turn the result into an error) and then
    progress(done, total, message) are called from the calling thread as each item finishes.
    """
    if max_workers < 1:
        raise InputError(f"max_workers must be at least 1, got {max_workers}")
    if retries < 0:
        raise InputError(f"retries must be 0 or more, got {retries}")
    total = len(items)
    results: list[FrameResult[T] | None] = [None] * total
    if progress:
        progress(0, total, f"0/{total} {label}s")
    if max_workers == 1 or total <= 1:
        for i, item in enumerate(items):
            results[i] = _attempt(fn, i, item, retries, backoff_s, cancel)
            if on_result:
                on_result(results[i])  # type: ignore[arg-type]
            if progress:
                progress(i + 1, total, f"{i + 1}/{total} {label}s")
        return [r for r in results if r is not None]
    done_count = 0
    with ThreadPoolExecutor(max_workers=min(max_workers, total)) as pool:
        pending: dict[Future[FrameResult[T]], int] = {
            pool.submit(_attempt, fn, i, item, retries, backoff_s, cancel): i
            for i, item in enumerate(items)
        }
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for fut in finished:
                i = pending.pop(fut)
                results[i] = fut.result()
                if on_result:
                    on_result(results[i])  # type: ignore[arg-type]
                done_count += 1
                if progress:
                    progress(done_count, total, f"{done_count}/{total} {label}s")
    return [r for r in results if r is not None]


def values_or_raise(results: Sequence[FrameResult[T]], what: str = "frames") -> list[T]:
    """The values in order, or FrameError naming each failed index and why."""
    failed = {r.index: f"{type(r.error).__name__}: {r.error}" for r in results if not r.ok}
    if failed:
        first = next(iter(failed.items()))
        raise FrameError(
            f"{len(failed)} of {len(results)} {what} failed (first: #{first[0]}: {first[1]})",
            failed,
        )
    return [r.value for r in results]  # type: ignore[misc]


def failure_summary(
    results: Sequence[FrameResult[T]], what: str, labels: Sequence[str] | None = None,
    limit: int = 6,
) -> FrameError | None:
    """A FrameError naming every failed item and its reason (the first `limit` in the message,
    all in ``.errors``), saying how many good ones were kept; None when all are ok.

    labels: how to name item i in the message (default "#i")."""
    failed = {r.index: f"{r.error}" if _is_user_error(r.error) else
              f"{type(r.error).__name__}: {r.error}" for r in results if not r.ok}
    if not failed:
        return None
    names = labels or [f"#{i}" for i in range(len(results))]
    shown = "; ".join(f"{names[i]}: {why}" for i, why in list(failed.items())[:limit])
    more = f"; and {len(failed) - limit} more" if len(failed) > limit else ""
    kept = len(results) - len(failed)
    keep = f"the {kept} good one{'s' * (kept != 1)} {'are' if kept != 1 else 'is'} kept" if kept \
        else "none was stored"
    return FrameError(f"{len(failed)} of {len(results)} {what} failed ({keep}): {shown}{more}",
                      failed)


def _is_user_error(e: BaseException | None) -> bool:
    from studio.errors import StudioError

    return isinstance(e, StudioError)
