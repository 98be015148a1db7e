"""A RunPod-shaped endpoint on loopback, for tests and benchmarks (stdlib only).

``FakeEndpoint(respond, latency_s)`` serves ``/runsync``, ``/run``, ``/status/{id}`` and
``/cancel/{id}`` on 127.0.0.1 (a free port). ``respond(payload)`` makes a job's output after
``latency_s``. A payload's ``params["fault"]`` injects a failure, for the fault tests:

===============  ==============================================================
``429xN``        HTTP 429 (Retry-After: 0) on the first N tries, then the answer
``500xN``        HTTP 500 on the first N tries (``500`` alone: always)
``malformedxN``  a 200 whose body is not JSON, N times (``malformed``: always)
``slow:S``       /runsync sleeps S seconds first (the client's sync timeout fires
                 and it falls back to /run + /status, which answer at once)
``hang``         every route of that job sleeps ``hang_s`` (the client must give up)
``error``        COMPLETED with ``{"error": {"type": "BackendUnavailable", ...}}``
``failed``       FAILED with RunPod's own JSON error (error_type / error_message)
``progress:N``   /status answers IN_PROGRESS with a progress report N times
                 (a long job that keeps sending news), then the answer
``queued:N``     /status answers IN_QUEUE without output N times (a cold worker)
===============  ==============================================================
Loops are bounded: a sleeping route never sleeps more than ``hang_s``.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Respond = Callable[[dict[str, Any]], dict[str, Any]]


class FakeEndpoint:
    """Start with `start()` (or `with`); `url` is its base URL; `stop()` shuts it down."""

    def __init__(self, respond: Respond, latency_s: float = 0.0, hang_s: float = 3.0) -> None:
        self.respond = respond
        self.latency_s = latency_s
        self.hang_s = hang_s
        self.tries: Counter[str] = Counter()  # job key → /runsync + /run calls seen
        self.paths: list[str] = []
        self.auth: list[str | None] = []
        self.jobs: dict[str, dict[str, Any]] = {}
        self.cancelled: list[str] = []
        self.in_flight = 0
        self.peak_in_flight = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the endpoint first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeEndpoint:
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                endpoint._serve(self)

            def do_GET(self) -> None:
                endpoint._serve(self)

        class Server(ThreadingHTTPServer):
            request_queue_size = 256  # many clients connect at once
            daemon_threads = True

        self._server = Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeEndpoint:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # ------------------------------------------------------------------ serving
    def _serve(self, h: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.paths.append(h.path)
            self.auth.append(h.headers.get("Authorization"))
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
        try:
            length = int(h.headers.get("Content-Length") or 0)
            body = json.loads(h.rfile.read(length) or b"{}") if length else {}
            code, answer, headers = self._route(h.path, body)
        finally:
            with self._lock:
                self.in_flight -= 1
        data = answer if isinstance(answer, bytes) else json.dumps(answer).encode()
        try:
            h.send_response(code)
            h.send_header("Content-Type", "application/json")
            h.send_header("Content-Length", str(len(data)))
            for k, v in headers.items():
                h.send_header(k, v)
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up on this call (a timeout test)

    def _route(self, path: str, body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        if path in ("/runsync", "/run"):
            payload = body.get("input") or {}
            fault = str((payload.get("params") or {}).get("fault", ""))
            key = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()
            with self._lock:
                self.tries[key] += 1
                n = self.tries[key]
            early = self._early_fault(fault, n)
            if early is not None:
                return early
            if path == "/run":
                job_id = f"job-{uuid.uuid4()}"
                with self._lock:
                    self.jobs[job_id] = {"payload": payload, "polls": 0}
                return 200, {"id": job_id, "status": "IN_QUEUE"}, {}
            if fault.startswith("slow:"):
                time.sleep(min(float(fault[5:]), self.hang_s))
            return 200, self._finish(f"sync-{uuid.uuid4()}", payload, fault), {}
        if path.startswith("/status/"):
            job_id = path.rsplit("/", 1)[1]
            with self._lock:
                job = self.jobs.get(job_id)
                if job is not None:
                    job["polls"] += 1
            if job is None:
                return 200, {"id": job_id, "status": "FAILED", "error": "Job ID not found"}, {}
            fault = str((job["payload"].get("params") or {}).get("fault", ""))
            if fault == "hang":
                time.sleep(self.hang_s)
            kind, _, count = fault.partition(":")
            steps = int(count) if kind in ("progress", "queued") and count.isdigit() else 1
            if job["polls"] <= steps and kind == "queued":
                return 200, {"id": job_id, "status": "IN_QUEUE"}, {}
            if job["polls"] <= steps:
                news = {"done": job["polls"], "total": steps + 1, "message": "half way"}
                return 200, {"id": job_id, "status": "IN_PROGRESS",
                             "output": {"progress": news}}, {}
            return 200, self._finish(job_id, job["payload"], fault), {}
        if path.startswith("/cancel/"):
            with self._lock:
                self.cancelled.append(path.rsplit("/", 1)[1])
            return 200, {"status": "CANCELLED"}, {}
        return 404, {"error": f"no route {path}"}, {}

    def _early_fault(self, fault: str, n: int) -> tuple[int, Any, dict[str, str]] | None:
        kind, _, times = fault.partition("x")
        limit = int(times) if times.isdigit() else None
        if kind in ("429", "500", "malformed") and (limit is None or n <= limit):
            if kind == "429":
                return 429, {"error": "too many requests"}, {"Retry-After": "0"}
            if kind == "500":
                return 500, {"error": "internal"}, {}
            return 200, b"{not json", {}
        if fault == "hang":
            time.sleep(self.hang_s)
        return None

    def _finish(self, job_id: str, payload: dict[str, Any], fault: str) -> dict[str, Any]:
        if self.latency_s:
            time.sleep(self.latency_s)
        if fault == "error":
            err = {"type": "BackendUnavailable", "message": "rembg is not installed"}
            return {"id": job_id, "status": "COMPLETED", "output": {"error": err}}
        if fault == "failed":
            err = json.dumps({"error_type": "<class 'ValueError'>", "error_message": "boom"})
            return {"id": job_id, "status": "FAILED", "error": err}
        return {"id": job_id, "status": "COMPLETED", "output": self.respond(payload)}
