from __future__ import annotations

import threading
import time

import pytest

from studio.errors import FrameError, InputError
from studio.executor import TransientError, run_frames, values_or_raise


def test_order_progress_and_bounded_concurrency() -> None:
    live, peak, lock = 0, 0, threading.Lock()
    calls = []

    def work(i: int, x: int) -> int:
        nonlocal live, peak
        with lock:
            live += 1
            peak = max(peak, live)
        time.sleep(0.01)
        with lock:
            live -= 1
        return x * x

    results = run_frames(
        work, list(range(10)), max_workers=3, progress=lambda d, t, m: calls.append((d, t))
    )
    assert [r.value for r in results] == [x * x for x in range(10)]
    assert peak <= 3
    assert calls[0] == (0, 10) and calls[-1] == (10, 10)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_transient_errors_are_retried_and_others_are_not() -> None:
    attempts: dict[int, int] = {}

    def work(i: int, x: int) -> int:
        attempts[i] = attempts.get(i, 0) + 1
        if i == 1 and attempts[i] < 3:
            raise TransientError("busy")
        if i == 2:
            raise ValueError("bad frame")
        return x

    results = run_frames(work, [10, 11, 12, 13], max_workers=2, retries=2, backoff_s=0.001)
    assert results[1].ok and results[1].value == 11 and results[1].attempts == 3
    assert not results[2].ok and isinstance(results[2].error, ValueError)
    assert attempts[2] == 1
    assert results[0].ok and results[3].ok  # one bad frame loses nothing else
    with pytest.raises(FrameError, match="1 of 4 frames failed") as e:
        values_or_raise(results)
    assert set(e.value.errors) == {2}


def test_retries_exhausted_and_cancel() -> None:
    results = run_frames(
        lambda i, x: (_ for _ in ()).throw(TimeoutError("slow")), [1], retries=1, backoff_s=0.001
    )
    assert results[0].attempts == 2 and isinstance(results[0].error, TimeoutError)
    cancel = threading.Event()
    cancel.set()
    results = run_frames(lambda i, x: x, [1, 2], cancel=cancel, max_workers=1)
    assert all("cancelled" in str(r.error) for r in results)


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="max_workers"):
        run_frames(lambda i, x: x, [1], max_workers=0)
