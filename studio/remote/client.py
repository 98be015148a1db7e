"""Async client for a worker endpoint: RunPod Serverless or the SDK's local API server.

A job is sent to ``/runsync``; when that call times out (or the endpoint answers that the
job is still queued or running) the client polls ``/status/{id}`` (submitting with ``/run``
when the sync call timed out). Many jobs go out at once with ``asyncio.gather`` under a
semaphore of ``max_parallel``. HTTP 429, 5xx, timeouts, dropped connections and malformed
JSON are retried with exponential backoff (``Retry-After`` honoured); a worker's own error
(bad request, unavailable backend) is returned at once as that frame's error. The API key is
sent as a bearer token and never logged or put in a message.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from studio.errors import BackendUnavailable, InputError, StudioError
from studio.executor import FrameResult, TransientError
from studio.remote import wire
from studio.remote_settings import RemoteSettings, load_remote_settings
from studio.types import ProgressFn

log = logging.getLogger(__name__)

JobProgress = Callable[[dict[str, Any]], None]
"""Called with the worker's progress payload ({"done", "total", "message"}) while polling."""

_PENDING = ("IN_QUEUE", "IN_PROGRESS")
MAX_RETRY_AFTER_S = 10.0


class JobTimeout(StudioError):
    """A job did not finish within the client's job timeout (not retried)."""


class WorkerClient:
    """Sends wire requests to one endpoint. Safe to share; each batch opens its own pool."""

    def __init__(
        self,
        settings: RemoteSettings | None = None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.settings = settings or load_remote_settings()
        if not self.settings.url:
            raise BackendUnavailable(
                "remote backends need the worker's address: set STUDIO_WORKER_URL "
                "(e.g. https://api.runpod.ai/v2/<endpoint-id>, or http://127.0.0.1:8000 "
                "for `python -m studio.remote.worker --rp_serve_api`)"
            )
        self._transport = transport
        self._status_method = "GET"  # RunPod's cloud; the SDK's local server wants POST

    def __repr__(self) -> str:
        return f"WorkerClient(url={self.settings.url!r})"

    # ------------------------------------------------------------------ sync API
    def run_many(
        self,
        payloads: Sequence[dict[str, Any]],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        label: str = "frame",
    ) -> list[FrameResult[dict[str, Any]]]:
        """`call_many` from synchronous code (its own event loop; a thread if one runs here)."""
        return _run_sync(
            lambda: self.call_many(payloads, progress=progress, cancel=cancel, label=label)
        )

    def run_one(
        self, payload: dict[str, Any], *, on_progress: JobProgress | None = None,
        use_run: bool = False,
    ) -> dict[str, Any]:
        """One job, synchronously: its output, or the StudioError/TransientError it failed with."""

        async def one() -> dict[str, Any]:
            async with self._http() as http:
                out, _ = await self.call(http, payload, on_progress=on_progress, use_run=use_run)
                return out

        return _run_sync(one)

    # ------------------------------------------------------------------ async API
    async def call_many(
        self,
        payloads: Sequence[dict[str, Any]],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        label: str = "frame",
    ) -> list[FrameResult[dict[str, Any]]]:
        """Run every payload, at most `max_parallel` in flight; one FrameResult per payload,
        in order. progress(done, total, message) is called as each finishes. Setting `cancel`
        stops the batch: jobs not finished get a "cancelled" error (queued RunPod jobs are
        cancelled on the endpoint, best effort)."""
        total = len(payloads)
        results: list[FrameResult[dict[str, Any]]] = [FrameResult(i) for i in range(total)]
        sem = asyncio.Semaphore(self.settings.max_parallel)
        done = 0
        if progress:
            progress(0, total, f"0/{total} {label}s")

        async with self._http() as http:

            async def one(i: int) -> None:
                nonlocal done
                async with sem:
                    try:
                        results[i].value, results[i].attempts = await self.call(http, payloads[i])
                    except asyncio.CancelledError:
                        results[i].error = InputError(f"cancelled before {label} {i} finished")
                        raise
                    except (StudioError, TransientError) as e:
                        results[i].error = e
                        results[i].attempts = getattr(e, "attempts", 1)
                done += 1
                if progress:
                    progress(done, total, f"{done}/{total} {label}s")

            tasks = [asyncio.ensure_future(one(i)) for i in range(total)]
            watcher = asyncio.ensure_future(_watch(cancel, tasks)) if cancel else None
            await asyncio.gather(*tasks, return_exceptions=True)
            if watcher:
                watcher.cancel()
        for r in results:
            if r.value is None and r.error is None:
                r.error = InputError(f"cancelled before {label} {r.index} ran")
            r.attempts = max(r.attempts, 1)
        return results

    async def call(
        self,
        http: httpx.AsyncClient,
        payload: dict[str, Any],
        *,
        on_progress: JobProgress | None = None,
        use_run: bool = False,
    ) -> tuple[dict[str, Any], int]:
        """(output, attempts) of one job, retrying transient failures with backoff.

        Raises the worker's StudioError, JobTimeout, or TransientError after the last try
        (its ``attempts`` attribute says how many were made)."""
        s = self.settings
        for attempt in range(s.retries + 1):
            try:
                return await self._once(http, payload, on_progress, use_run), attempt + 1
            except (TransientError, httpx.TransportError) as e:
                why = _describe(e)
                if attempt == s.retries:
                    err = TransientError(f"{why} (gave up after {attempt + 1} attempts)")
                    err.attempts = attempt + 1  # type: ignore[attr-defined]
                    raise err from None
                delay = s.backoff_s * 2**attempt * (0.75 + 0.5 * random.random())
                delay = max(delay, getattr(e, "retry_after", 0.0))
                log.info("worker call failed (%s); retry %d in %.2fs", why, attempt + 1, delay)
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ internals
    def _http(self) -> httpx.AsyncClient:
        s = self.settings
        headers = {"Authorization": f"Bearer {s.api_key}"} if s.api_key else {}
        return httpx.AsyncClient(
            base_url=s.url,
            headers=headers,
            timeout=httpx.Timeout(s.timeout_s, connect=min(10.0, s.timeout_s)),
            limits=httpx.Limits(max_connections=s.max_parallel + 4),
            transport=self._transport,
        )

    async def _once(
        self, http: httpx.AsyncClient, payload: dict[str, Any],
        on_progress: JobProgress | None, use_run: bool,
    ) -> dict[str, Any]:
        body = {"input": payload}
        if use_run:
            answer = _decode(await http.post("/run", json=body))
        else:
            try:
                answer = _decode(await http.post("/runsync", json=body))
            except httpx.ReadTimeout:
                log.info("/runsync timed out after %gs; submitting with /run and polling",
                         self.settings.timeout_s)
                answer = _decode(await http.post("/run", json=body))
        return await self._settle(http, answer, on_progress)

    async def _settle(
        self, http: httpx.AsyncClient, answer: dict[str, Any], on_progress: JobProgress | None
    ) -> dict[str, Any]:
        s = self.settings
        loop = asyncio.get_running_loop()
        deadline = loop.time() + s.job_timeout_s
        job_id = answer.get("id")
        try:
            while answer.get("status") in _PENDING:
                if not job_id:
                    raise wire.WireError(f"a pending job has no id: {wire._preview(answer)}")
                out = answer.get("output")
                if on_progress and isinstance(out, dict) and isinstance(out.get("progress"), dict):
                    on_progress(out["progress"])
                if loop.time() > deadline:
                    await self._cancel_job(http, job_id)
                    raise JobTimeout(f"job {job_id} did not finish within {s.job_timeout_s:g} s")
                await asyncio.sleep(s.poll_interval_s)
                answer = await self._status(http, job_id)
        except asyncio.CancelledError:
            if job_id:
                await asyncio.shield(self._cancel_job(http, job_id))
            raise
        return _output(answer)

    async def _status(self, http: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
        r = await http.request(self._status_method, f"/status/{job_id}")
        if r.status_code == 405 and self._status_method == "GET":
            self._status_method = "POST"
            r = await http.post(f"/status/{job_id}")
        return _decode(r)

    async def _cancel_job(self, http: httpx.AsyncClient, job_id: str) -> None:
        with contextlib.suppress(httpx.HTTPError, RuntimeError):
            await http.post(f"/cancel/{job_id}", timeout=2.0)


def _decode(r: httpx.Response) -> dict[str, Any]:
    """The JSON body of a response; HTTP errors become the right exception kind."""
    code = r.status_code
    if code == 429 or code >= 500:
        err = TransientError(f"the worker answered HTTP {code} on {r.request.url.path}")
        err.retry_after = _retry_after(r)  # type: ignore[attr-defined]
        raise err
    if code in (401, 403):
        raise BackendUnavailable(
            f"the worker refused the request (HTTP {code}): check STUDIO_WORKER_API_KEY"
        )
    if code >= 400:
        raise wire.RemoteError(f"the worker answered HTTP {code}: {r.text[:300]}")
    try:
        body = r.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise TransientError(
            f"the worker answered malformed JSON (HTTP {code}): {r.text[:80]!r}"
        ) from None
    if not isinstance(body, dict):
        raise TransientError(f"the worker answered {type(body).__name__}, not a JSON object")
    return body


def _output(answer: dict[str, Any]) -> dict[str, Any]:
    status = answer.get("status")
    if status == "COMPLETED":
        out = answer.get("output")
        if isinstance(out, dict) and "error" in out:
            raise wire.error_from_wire(out["error"])
        if not isinstance(out, dict):
            raise wire.WireError(f"the worker's output is not an object: {wire._preview(out)}")
        return out
    if status == "FAILED":
        raise wire.error_from_wire(answer.get("error"))
    if status in ("CANCELLED", "TIMED_OUT"):
        raise TransientError(f"the endpoint reported the job {status}")
    raise wire.WireError(f"unexpected answer from the worker: {wire._preview(answer)}")


def _retry_after(r: httpx.Response) -> float:
    try:
        return min(MAX_RETRY_AFTER_S, max(0.0, float(r.headers.get("retry-after", 0))))
    except ValueError:
        return 0.0


def _describe(e: BaseException) -> str:
    if isinstance(e, httpx.TimeoutException):
        return f"timed out ({type(e).__name__}) on {e.request.url.path}"
    if isinstance(e, httpx.TransportError):
        return f"connection failed ({type(e).__name__}: {e})"
    return str(e)


async def _watch(cancel: threading.Event, tasks: list[asyncio.Future[None]]) -> None:
    while not cancel.is_set():
        if all(t.done() for t in tasks):
            return
        await asyncio.sleep(0.05)
    for t in tasks:
        t.cancel()


def _run_sync(make: Callable[[], Any]) -> Any:
    """Run the coroutine `make()` to completion from synchronous code."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(make())
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as e:  # re-raised in the caller's thread
            box["error"] = e

    t = threading.Thread(target=target, name="studio-remote")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
