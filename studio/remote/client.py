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
import copy
import dataclasses
import json
import logging
import random
import threading
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

import httpx

from studio.errors import BackendUnavailable, InputError, StudioError, WorkerUnavailable
from studio.executor import FrameResult, TransientError
from studio.remote import wire
from studio.remote.profile import is_interactive
from studio.remote_settings import RemoteSettings, load_remote_settings
from studio.types import ProgressFn

log = logging.getLogger(__name__)

JobProgress = Callable[[dict[str, Any]], None]
"""Called with the worker's progress payload ({"done", "total", "message"}) while polling."""

_PENDING = ("IN_QUEUE", "IN_PROGRESS")
MAX_RETRY_AFTER_S = 10.0


class JobTimeout(WorkerUnavailable):
    """A job did not finish within the client's job timeout (not retried)."""


class WorkerGaveUp(WorkerUnavailable, TransientError):
    """The worker could not be reached, or kept failing, until the retries were used up."""


OnResult = Callable[[FrameResult[dict[str, Any]]], None]


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
        self._deadline_s: float | None = None  # a whole action's limit (interactive only)

    def _profiled(self, reports_progress: bool = False) -> WorkerClient:
        """This client with the limits of the calling context: itself for batch work, a copy
        with the interactive timeouts and deadline inside the studio (studio.remote.profile).

        reports_progress: the job sends progress while it runs (generation on the worker):
        then the interactive deadline is the longest wait *without news*, and the job as a
        whole keeps the batch job timeout."""
        if not is_interactive():
            return self
        s = self.settings
        limited = copy.copy(self)
        job_timeout = s.job_timeout_s if reports_progress else min(
            s.job_timeout_s, s.interactive_deadline_s)
        limited.settings = dataclasses.replace(
            s, timeout_s=min(s.timeout_s, s.interactive_timeout_s), job_timeout_s=job_timeout)
        limited._deadline_s = s.interactive_deadline_s
        return limited

    @property
    def where(self) -> str:
        """The worker's host (no path, no key), for messages."""
        return urlsplit(self.settings.url).netloc or self.settings.url

    def _too_slow(self, what: str, idle: bool = False) -> WorkerUnavailable:
        waited = (f"sent no progress on {what} for {self._deadline_s:g} s" if idle else
                  f"did not finish {what} within {self._deadline_s:g} s")
        return WorkerUnavailable(
            f"the GPU worker at {self.where} {waited}, the studio's limit for one action; it "
            "may be starting up or busy: try again in a minute"
        )

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
        on_result: OnResult | None = None,
    ) -> list[FrameResult[dict[str, Any]]]:
        """`call_many` from synchronous code (its own event loop; a thread if one runs here),
        under the limits of the calling context (interactive in the studio, else batch)."""
        client = self._profiled()
        return _run_sync(
            lambda: client.call_many(payloads, progress=progress, cancel=cancel, label=label,
                                     on_result=on_result)
        )

    def run_one(
        self, payload: dict[str, Any], *, on_progress: JobProgress | None = None,
        use_run: bool = False,
    ) -> dict[str, Any]:
        """One job, synchronously: its output, or the StudioError it failed with
        (WorkerUnavailable when the worker cannot be reached or is too slow). In the studio a
        job that reports progress may run as long as news keeps coming (each report restarts
        the interactive deadline); any other job must finish within the deadline."""
        client = self._profiled(reports_progress=on_progress is not None)
        last_news: list[float] = []

        def news(p: dict[str, Any]) -> None:
            last_news.append(asyncio.get_running_loop().time())
            if on_progress is not None:
                on_progress(p)

        async def one() -> dict[str, Any]:
            async with client._http() as http:
                job = asyncio.ensure_future(client.call(
                    http, payload, on_progress=news if on_progress else None, use_run=use_run))
                limit = client._deadline_s
                if limit is None:
                    out, _ = await job
                    return out
                loop = asyncio.get_running_loop()
                start = loop.time()
                while True:
                    since = max([start, *last_news[-1:]])
                    wait = since + limit - loop.time()
                    if wait > 0:
                        done, _ = await asyncio.wait({job}, timeout=wait)
                        if done:
                            out, _ = job.result()
                            return out
                    if max([start, *last_news[-1:]]) + limit <= loop.time():
                        job.cancel()
                        await asyncio.gather(job, return_exceptions=True)
                        raise client._too_slow("the job", idle=bool(last_news))

        return _run_sync(one)

    # ------------------------------------------------------------------ async API
    async def call_many(
        self,
        payloads: Sequence[dict[str, Any]],
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        label: str = "frame",
        on_result: OnResult | None = None,
    ) -> list[FrameResult[dict[str, Any]]]:
        """Run every payload, at most `max_parallel` in flight; one FrameResult per payload,
        in order. on_result(result) and then progress(done, total, message) are called as
        each finishes (on_result may turn a result into an error). Setting `cancel` stops the
        batch: jobs not finished get a "cancelled" error (queued RunPod jobs are cancelled on
        the endpoint, best effort). Under a deadline (interactive), jobs still running when it
        passes are cancelled and get a WorkerUnavailable error; finished ones are kept."""
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
                if on_result is not None:
                    try:
                        on_result(results[i])
                    except Exception as e:  # e.g. the store failed: that frame's error
                        results[i].value, results[i].error = None, e
                done += 1
                if progress:
                    progress(done, total, f"{done}/{total} {label}s")

            tasks = [asyncio.ensure_future(one(i)) for i in range(total)]
            watcher = asyncio.ensure_future(_watch(cancel, tasks)) if cancel else None
            late: list[int] = []
            if self._deadline_s is not None and tasks:
                _, pending = await asyncio.wait(tasks, timeout=self._deadline_s)
                late = [i for i, t in enumerate(tasks) if t in pending]
                for i in late:
                    tasks[i].cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if watcher:
                watcher.cancel()
            for i in late:
                results[i].value, results[i].error = None, self._too_slow(f"{label} {i}")
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
                    err = WorkerGaveUp(
                        f"the GPU worker at {self.where} did not answer: {why} (gave up after "
                        f"{attempt + 1} attempts); try again when the worker is up"
                    )
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
