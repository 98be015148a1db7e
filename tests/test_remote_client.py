"""The async worker client against a local fault-injecting endpoint: results for the good
frames, clear per-frame errors for the bad, bounded retries, no hang."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import httpx
import numpy as np
import pytest

from studio import registry
from studio.errors import BackendUnavailable, UnknownBackend
from studio.executor import TransientError
from studio.remote import wire
from studio.remote.backends import RemoteSegmenter
from studio.remote.client import JobTimeout, WorkerClient
from studio.remote.fake import FakeEndpoint
from studio.remote_settings import RemoteSettings

ALPHA = np.linspace(0, 1, 64, dtype=np.float32).reshape(8, 8)
MASK_OUT = {"mask": wire.encode_alpha(ALPHA), "foreground": None, "backend": "fake",
            "score": None, "info": {}}


def respond(payload: dict[str, Any]) -> dict[str, Any]:
    return {**MASK_OUT, "info": {"key": (payload.get("params") or {}).get("key")}}


def fast(url: str, **kw: Any) -> WorkerClient:
    base = {"url": url, "timeout_s": 0.5, "retries": 2, "backoff_s": 0.01,
            "poll_interval_s": 0.02, "job_timeout_s": 3.0, "max_parallel": 16}
    return WorkerClient(RemoteSettings(**{**base, **kw}))


def job(key: int, fault: str = "") -> dict[str, Any]:
    return {"task": "segment", "image": "x", "params": {"key": key, "fault": fault}}


def test_faults_give_results_for_good_frames_and_errors_for_bad() -> None:
    faults = ["", "429x2", "500x1", "500", "malformedx1", "malformed", "slow:1.5", "hang",
              "error", "failed"]
    with FakeEndpoint(respond, hang_s=1.5) as ep:
        seen: list[int] = []
        results = fast(ep.url).run_many([job(i, f) for i, f in enumerate(faults)],
                                        progress=lambda d, _t, _m: seen.append(d))
        tries = dict(ep.tries)
    by = dict(zip(faults, results, strict=True))
    for fault in ("", "429x2", "500x1", "malformedx1", "slow:1.5"):
        r = by[fault]
        assert r.ok, (fault, r.error)
        assert r.value["info"]["key"] == faults.index(fault)
    assert [by[f].attempts for f in ("", "429x2", "500x1", "malformedx1")] == [1, 3, 2, 2]
    assert isinstance(by["500"].error, TransientError)
    assert "HTTP 500" in str(by["500"].error) and "after 3 attempts" in str(by["500"].error)
    assert "malformed JSON" in str(by["malformed"].error)
    assert isinstance(by["hang"].error, TransientError) and "timed out" in str(by["hang"].error)
    assert isinstance(by["error"].error, BackendUnavailable) and by["error"].attempts == 1
    assert "rembg is not installed" in str(by["error"].error)
    assert "ValueError: boom" in str(by["failed"].error)
    assert max(tries.values()) <= 3 * 2  # bounded: 3 attempts, /runsync + /run each at most
    assert seen == list(range(len(faults) + 1))


def test_slow_sync_call_falls_back_to_run_and_status_with_progress() -> None:
    with FakeEndpoint(respond) as ep:
        seen: list[dict] = []
        out = fast(ep.url).run_one(job(1, "slow:1"), on_progress=seen.append)
        paths = list(ep.paths)
    assert out["info"]["key"] == 1
    assert paths[0] == "/runsync" and paths[1] == "/run"
    assert any(p.startswith("/status/") for p in paths)
    assert seen == [{"done": 1, "total": 2, "message": "half way"}]


def test_job_timeout_cancels_the_job_and_is_not_retried() -> None:
    with FakeEndpoint(respond, hang_s=0.3) as ep:
        client = fast(ep.url, job_timeout_s=0.1, timeout_s=2.0)
        with pytest.raises(JobTimeout, match=r"did not finish within 0\.1 s"):
            client.run_one(job(1, "hang"), use_run=True)
        assert len(ep.cancelled) == 1 and ep.tries.total() == 1


def test_concurrency_is_bounded_by_max_parallel() -> None:
    with FakeEndpoint(respond, latency_s=0.15) as ep:
        results = fast(ep.url, max_parallel=3).run_many([job(i) for i in range(9)])
        peak = ep.peak_in_flight
    assert all(r.ok for r in results)
    assert 2 <= peak <= 3


def test_cancel_stops_the_batch() -> None:
    cancel = threading.Event()
    with FakeEndpoint(respond, latency_s=1.0) as ep:
        threading.Timer(0.2, cancel.set).start()
        results = fast(ep.url, max_parallel=2, timeout_s=5).run_many(
            [job(i) for i in range(6)], cancel=cancel)
    assert not any(r.ok for r in results)
    assert all("cancelled" in str(r.error) for r in results)


def test_api_key_is_sent_and_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with FakeEndpoint(respond) as ep:
        client = fast(ep.url, api_key="sekret-123")
        results = client.run_many([job(1, "429x1"), job(2, "500")])
        auth = set(ep.auth)
    assert auth == {"Bearer sekret-123"}
    assert "sekret" not in caplog.text and "retry" in caplog.text
    assert "sekret" not in repr(client) and "sekret" not in repr(client.settings)
    assert all("sekret" not in str(r.error) for r in results)


def test_http_errors_map_to_clear_kinds() -> None:
    def app(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": "unauthorised"})

    client = WorkerClient(RemoteSettings(url="http://worker.invalid"),
                          transport=httpx.MockTransport(app))
    with pytest.raises(BackendUnavailable, match="STUDIO_WORKER_API_KEY"):
        client.run_one(job(1))


def test_unreachable_worker_fails_after_bounded_retries() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    results = fast(f"http://127.0.0.1:{port}").run_many([job(1)])
    assert isinstance(results[0].error, TransientError) and results[0].attempts == 3
    assert "connection failed" in str(results[0].error)


def test_remote_segmenter_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STUDIO_WORKER_URL", raising=False)
    with pytest.raises(BackendUnavailable, match="STUDIO_WORKER_URL"):
        registry.create("segmenter", "remote:birefnet")
    with pytest.raises(UnknownBackend, match="birefnet, rembg, sam, segment"):
        registry.create("segmenter", "remote:nope")
    with FakeEndpoint(respond) as ep:
        monkeypatch.setenv("STUDIO_WORKER_URL", ep.url)
        seg = registry.create("segmenter", "remote:birefnet", {"model": "birefnet-portrait"})
        mask = seg.segment(np.zeros((8, 8, 3), np.uint8))
    assert seg.name == "remote:birefnet" and not seg.promptable
    assert mask.backend == "remote:birefnet" and np.abs(mask.alpha - ALPHA).max() < 1e-4


def test_segment_batch_reports_a_bad_answer_per_frame() -> None:
    frames = [np.full((8, 8, 3), v, np.uint8) for v in (0, 100, 200)]
    bad = wire.encode_png(frames[1])

    def flaky(payload: dict[str, Any]) -> dict[str, Any]:
        return {"mask": 5} if payload["image"] == bad else MASK_OUT
    with FakeEndpoint(flaky) as ep:
        seg = RemoteSegmenter("rembg", client=fast(ep.url))
        results = seg.segment_batch(frames)
    assert [r.ok for r in results] == [True, False, True]
    assert "has no mask" in str(results[1].error)
