"""Remote faults against a local fault-injecting endpoint (studio.remote.fake on loopback):
no worker, retries used up, and a stuck worker under the studio's interactive limits (good
frames kept, the late ones named, one clear message) against batch limits (which wait).
The studio is driven through gradio_client: a worker fault is a clear gr.Error."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from studio.errors import FrameError, StudioError, WorkerUnavailable
from studio.pipeline import Studio
from studio.remote import wire
from studio.remote.backends import RemoteSegmenter
from studio.remote.client import WorkerClient
from studio.remote.fake import FakeEndpoint
from studio.remote.profile import interactive, is_interactive
from studio.remote_settings import RemoteSettings, load_remote_settings
from tests.conftest import EXAMPLES
from tests.test_faults_api import frame_project
from tests.test_faults_cli import mask_answer


def test_interactive_defaults_give_up_within_about_30_s_batch_defaults_unchanged() -> None:
    s = load_remote_settings({})
    assert s.interactive_deadline_s <= 30 and s.interactive_timeout_s <= s.interactive_deadline_s
    assert (s.timeout_s, s.job_timeout_s) == (90.0, 600.0)
    s = load_remote_settings({"STUDIO_WORKER_INTERACTIVE_DEADLINE_S": "12",
                              "STUDIO_WORKER_INTERACTIVE_TIMEOUT_S": "4"})
    assert (s.interactive_deadline_s, s.interactive_timeout_s) == (12.0, 4.0)
    with pytest.raises(StudioError, match="STUDIO_WORKER_INTERACTIVE_DEADLINE_S must be"):
        load_remote_settings({"STUDIO_WORKER_INTERACTIVE_DEADLINE_S": "soon"})
    assert not is_interactive()
    with interactive():
        assert is_interactive()
    assert not is_interactive()


def client(url: str, **kw: Any) -> WorkerClient:
    base = {"url": url, "timeout_s": 5.0, "job_timeout_s": 20.0, "retries": 1,
            "backoff_s": 0.01, "poll_interval_s": 0.02, "interactive_timeout_s": 0.3,
            "interactive_deadline_s": 0.8}
    return WorkerClient(RemoteSettings(**{**base, **kw}))


def job(key: int, fault: str = "") -> dict[str, Any]:
    return {"task": "segment", "image": "x", "params": {"key": key, "fault": fault}}


def respond(payload: dict[str, Any]) -> dict[str, Any]:
    return {"mask": wire.encode_alpha(np.ones((4, 4), np.float32)), "backend": "fake",
            "info": {"key": payload["params"]["key"]}}


def test_stuck_worker_interactive_batch_keeps_good_frames_and_says_why() -> None:
    faults = ["", "hang", "", "hang", "", "", "hang", "", "", "", "", "hang"]  # 12 frames
    with FakeEndpoint(respond, hang_s=4.0) as ep:
        c = client(ep.url)
        arrived: list[int] = []
        with interactive():
            results = c.run_many([job(i, f) for i, f in enumerate(faults)],
                                 on_result=lambda r: arrived.append(r.index))
    for i, (f, r) in enumerate(zip(faults, results, strict=True)):
        if f:
            assert isinstance(r.error, WorkerUnavailable), (i, r.error)
            assert "did not finish frame" in str(r.error) and "within 0.8 s" in str(r.error)
            assert "try again" in str(r.error)
        else:
            assert r.ok and r.value["info"]["key"] == i
    assert sorted(arrived) == [i for i, f in enumerate(faults) if not f]


def test_slow_worker_fails_interactive_but_batch_waits() -> None:
    with FakeEndpoint(respond, latency_s=1.0) as ep:  # every answer takes 1 s
        c = client(ep.url, interactive_deadline_s=0.4, interactive_timeout_s=0.2)
        assert c.run_one(job(1))["info"]["key"] == 1  # batch: waits it out
        with interactive(), pytest.raises(WorkerUnavailable, match="did not finish the job"):
            c.run_one(job(2))


def test_a_job_that_keeps_reporting_progress_may_outlast_the_interactive_deadline() -> None:
    """Generation on the worker reports progress: each report restarts the studio's
    deadline, so a long job with news finishes; a cold worker without news is given up."""
    with FakeEndpoint(respond) as ep:
        c = client(ep.url, poll_interval_s=0.1, interactive_deadline_s=0.6)
        seen: list[dict] = []
        with interactive():  # 12 polls × 0.1 s ≈ 1.2 s, twice the deadline, all with news
            out = c.run_one(job(1, "progress:12"), on_progress=seen.append, use_run=True)
        assert out["info"]["key"] == 1 and len(seen) == 12
        with interactive(), pytest.raises(WorkerUnavailable, match="did not finish the job"):
            c.run_one(job(2, "queued:30"), on_progress=seen.append, use_run=True)
        assert c.run_one(job(3, "queued:12"), use_run=True)["info"]["key"] == 3  # batch


def test_no_worker_and_retries_used_up_are_studio_errors() -> None:
    c = client("http://127.0.0.1:9", retries=2)
    with pytest.raises(WorkerUnavailable, match=r"127\.0\.0\.1:9 did not answer.*3 attempts"):
        c.run_one(job(0))
    with FakeEndpoint(respond) as ep:
        keyed = client(ep.url, api_key="sekrit")
        with pytest.raises(WorkerUnavailable, match=r"HTTP 500.*gave up after 2 attempts") as e:
            keyed.run_one(job(0, "500"))
        assert "sekrit" not in str(e.value) and "sekrit" not in repr(keyed)


def test_segment_frames_with_a_stuck_worker_in_the_studio_keeps_the_good_frames(
    settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Frames 3 and 7 hang on the worker; the studio (interactive) gives up on them within
    its deadline, stores the other ten as they arrived and names the two it gave up on."""
    stuck = {3, 7}

    def answer(payload: dict[str, Any]) -> dict[str, Any]:
        image = wire.decode_image(payload["image"])
        if int(image[0, 0, 0]) // 10 in stuck:
            import time

            time.sleep(3.0)
        return mask_answer("", image.shape[0], image.shape[1])

    with FakeEndpoint(answer, hang_s=3.0) as ep:
        for var, value in {"STUDIO_WORKER_URL": ep.url, "STUDIO_RETRIES": "0",
                           "STUDIO_WORKER_INTERACTIVE_TIMEOUT_S": "0.5",
                           "STUDIO_WORKER_INTERACTIVE_DEADLINE_S": "1.0"}.items():
            monkeypatch.setenv(var, value)
        studio = Studio(settings)
        project = frame_project(studio)
        with interactive(), pytest.raises(FrameError) as info:
            studio.segment_frames(project, "remote:segment")
    assert sorted(info.value.errors) == sorted(stuck)
    assert "2 of 12 masks failed (the 10 good ones are kept)" in str(info.value)
    assert "within 1 s, the studio's limit for one action" in str(info.value)
    stored = [bool(r["candidates"][0].get("mask_file"))
              for r in studio.open(project.id).manifest["slots"]]
    assert stored == [i not in stuck for i in range(12)]


def test_remote_segmenter_checks_every_mask_against_its_frame(monkeypatch) -> None:
    with FakeEndpoint(lambda p: mask_answer("small", 8, 8)) as ep:
        seg = RemoteSegmenter("segment", client=client(ep.url))
        results = seg.segment_batch([np.zeros((30, 20, 3), np.uint8)] * 2)
    assert all("64×48 px but its frame is 20×30 px" in str(r.error) for r in results)


# ------------------------------------------------------------------ the studio
@pytest.fixture
def studio_with_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """Starts the studio with STUDIO_WORKER_URL set by the test; yields a function that
    launches it and returns a gradio_client Client."""
    from gradio_client import Client

    from studio.settings import load_settings
    from studio.ui import launch
    from tests.live import free_port

    apps = []

    def start(url: str, **env: str) -> Client:
        monkeypatch.setenv("STUDIO_WORKER_URL", url)
        for k, v in env.items():
            monkeypatch.setenv(k, v)
        studio = Studio(load_settings({"STUDIO_HOME": str(tmp_path / "home")}))
        demo = launch(studio, host="127.0.0.1", port=free_port(), share=False, block=False)
        apps.append(demo)
        return Client(demo.local_url, verbose=False, download_files=str(tmp_path / "dl"))

    try:
        yield start
    finally:
        for demo in apps:
            demo.close()


def test_studio_shows_a_clear_error_when_the_worker_is_down_or_stuck(studio_with_worker):
    from gradio_client import handle_file
    from gradio_client.exceptions import AppError

    c = studio_with_worker("http://127.0.0.1:9", STUDIO_RETRIES="1")
    pid = c.predict(handle_file(str(EXAMPLES / "cat.png")), api_name="/new_project")[0]
    with pytest.raises(AppError) as info:
        c.predict(pid, [], "remote:segment", api_name="/segment")
    message = str(info.value)
    assert "GPU worker at 127.0.0.1:9 did not answer" in message
    assert "upstream" not in message and "Traceback" not in message

    with FakeEndpoint(respond, latency_s=3.0) as ep:  # every answer takes 3 s
        c = studio_with_worker(ep.url, STUDIO_WORKER_INTERACTIVE_DEADLINE_S="1",
                               STUDIO_WORKER_INTERACTIVE_TIMEOUT_S="0.5")
        pid = c.predict(handle_file(str(EXAMPLES / "cat.png")), api_name="/new_project")[0]
        with pytest.raises(AppError, match="did not finish the job within 1 s"):
            c.predict(pid, [], "remote:segment", api_name="/segment")
