"""The RunPod worker: the handler in-process on every task, and the real worker process
under the SDK's local API server, driven by the client."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest

from studio import registry
from studio.errors import UnknownBackend
from studio.generate.procedural import ProceduralGenerator
from studio.motion import preset_spec
from studio.remote import warm, wire, worker
from studio.remote.backends import RemoteGenerator, RemoteSegmenter
from studio.remote.client import WorkerClient
from studio.remote_settings import RemoteSettings
from studio.segment.classical import ClassicalSegmenter
from studio.types import Mask, Point, Prompt, Source
from tests.helpers import face_rgba

ROOT = Path(__file__).resolve().parent.parent


def on_white(rgba: np.ndarray, shift: int = 0) -> np.ndarray:
    """(H, W, 3) uint8: the RGBA drawing over white, moved `shift` px right."""
    rgba = np.roll(rgba, shift, axis=1)
    a = rgba[..., 3:4].astype(np.float32) / 255
    return np.clip(np.rint(rgba[..., :3] * a + 255 * (1 - a)), 0, 255).astype(np.uint8)


@pytest.fixture(autouse=True)
def _fresh_warm_cache() -> Iterator[None]:
    warm.clear()
    yield
    warm.clear()


class ProbeSegmenter:
    """Counts constructions and the most calls that ever ran at once."""

    name = "probe"
    promptable = False
    variants = None
    made = 0
    running = 0
    peak = 0
    guard = threading.Lock()

    def __init__(self, variant: str | None = None, options: dict | None = None) -> None:
        type(self).made += 1

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        cls = type(self)
        with cls.guard:
            cls.running += 1
            cls.peak = max(cls.peak, cls.running)
        time.sleep(0.02)
        with cls.guard:
            cls.running -= 1
        return Mask(np.ones(image.shape[:2], np.float32), self.name)


# ---------------------------------------------------------------------------- in-process
def test_segment_task_matches_the_local_path() -> None:
    rgb = on_white(face_rgba(80))
    out = worker.handle(wire.segment_request("segment", rgb, wire.SegmentParams(
        backend="classical")))
    mask = wire.mask_from_wire(json.loads(json.dumps(out)), "remote:segment")
    local = ClassicalSegmenter().segment(rgb)
    assert np.abs(mask.alpha - local.alpha).max() <= 1 / 65535
    assert np.array_equal(mask.foreground, local.foreground)
    assert mask.info["worker_backend"] == "classical"


@pytest.mark.parametrize("task", ["rembg", "birefnet", "sam"])
def test_model_tasks_run_on_their_backend_or_say_it_is_unavailable(task: str) -> None:
    out = worker.handle(wire.segment_request(task, on_white(face_rgba(32))))
    if "error" in out:
        assert out["error"]["type"] == "BackendUnavailable", out
        assert out["error"]["message"]
    else:
        assert wire.mask_from_wire(out, f"remote:{task}").alpha.shape == (32, 32)


@pytest.mark.parametrize("task", ["rembg", "birefnet", "sam", "segment"])
def test_every_segment_task_with_the_classical_backend(
    task: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(worker, "TASK_BACKENDS", dict.fromkeys(
        ("rembg", "birefnet", "sam"), ("classical", None)))
    monkeypatch.setenv("STUDIO_SEGMENTER", "classical")
    rgb = on_white(face_rgba(48))
    prompt = wire.PromptIn.model_validate(Prompt((Point(24, 24),)).to_dict())
    out = worker.handle(wire.segment_request(task, rgb, wire.SegmentParams(prompt=prompt)))
    mask = wire.mask_from_wire(out, f"remote:{task}")
    iou = ((mask.alpha > 0.5) & (face_rgba(48)[..., 3] > 127)).sum() / (
        (mask.alpha > 0.5) | (face_rgba(48)[..., 3] > 127)).sum()
    assert iou > 0.9


def test_generate_task_matches_the_local_generator() -> None:
    cut = face_rgba(64)
    spec = preset_spec("bounce", frames=4, fps=8)
    progress: list[tuple[int, int]] = []
    req = {"task": "generate", "image": wire.encode_png(cut), "params": {
        "generator": "procedural", "spec": spec.to_dict(), "size": [48, 48], "candidates": 2}}
    out = worker.handle(json.loads(json.dumps(req)), lambda d, t, _m: progress.append((d, t)))
    slots = wire.slots_from_wire(out)
    local = ProceduralGenerator().generate(Source(cut, cutout=cut), spec, size=(48, 48),
                                           candidates=2)
    assert len(slots) == 4 and all(len(s.candidates) == 2 for s in slots)
    for got, want in zip(slots, local, strict=True):
        for g, w in zip(got.candidates, want.candidates, strict=True):
            assert np.array_equal(g.rgba, w.rgba) and g.id == w.id
    assert progress[-1] == (8, 8)
    redo = wire.slots_from_wire(worker.handle({**req, "params": {**req["params"], "slot": 2}}))
    assert len(redo) == 1 and np.array_equal(redo[0].candidates[1].rgba,
                                             local[2].candidates[1].rgba)


@pytest.mark.parametrize(
    ("payload", "kind", "words"),
    [
        ({"task": "segment", "image": "@@"}, "WireError", "not valid base64"),
        ({"task": "segment", "params": {"backend": "nope"}}, "UnknownBackend", "nope"),
        ({"task": "segment", "params": {"backend": "remote:birefnet"}}, "InputError",
         "cannot use"),
        ({"task": "segment", "params": {"backend": "classical", "prompt": {"points": [
            {"x": 500, "y": 1}]}}}, "InputError", "outside the 16×16 image"),
        ({"task": "generate", "params": {"spec": {"moves": [{"nam": 1}]}, "size": [32, 32]}},
         "WireError", "invalid motion spec"),
        ({"task": "generate", "params": {"spec": {"moves": []}, "size": [8, 32]}},
         "InputError", "width must be between 16 and 1024, got 8"),
    ],
)
def test_bad_jobs_get_a_typed_error(payload: dict, kind: str, words: str) -> None:
    image = wire.encode_png(face_rgba(16) if payload["task"] == "generate" else
                            on_white(face_rgba(16)))
    out = worker.handle({"image": image, **payload})
    assert out["error"]["type"] == kind and words in out["error"]["message"], out
    as_runpod = worker.handler({"id": "j", "input": {"image": image, **payload}})
    assert json.loads(as_runpod["error"])["type"] == kind


def test_models_load_once_and_each_runs_one_input_at_a_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(registry.BACKENDS["segmenter"], "probe",
                        f"{__name__}:ProbeSegmenter")
    ProbeSegmenter.made = ProbeSegmenter.peak = 0
    req = wire.segment_request("segment", on_white(face_rgba(16)),
                               wire.SegmentParams(backend="probe"))
    threads = [threading.Thread(target=worker.handle, args=(req,)) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert ProbeSegmenter.made == 1 and ProbeSegmenter.peak == 1
    assert ("segmenter", "probe") in warm.loaded()


# ---------------------------------------------------------------------------- subprocess
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def worker_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path_factory.mktemp("worker") / "worker.log").open("w")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "STUDIO_SEGMENTER": "classical",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "studio.remote.worker", "--rp_serve_api", "--rp_api_port",
         str(port), "--rp_api_host", "127.0.0.1", "--rp_log_level", "WARN"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 25
        while True:
            assert proc.poll() is None, f"the worker exited: {Path(log.name).read_text()}"
            assert time.monotonic() < deadline, "the worker did not start within 25 s"
            try:
                if httpx.get(url + "/docs", timeout=1, follow_redirects=True).status_code < 500:
                    break
            except httpx.TransportError:
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        log.close()


def _client(url: str, **kw: object) -> WorkerClient:
    return WorkerClient(RemoteSettings(url=url, **kw))  # type: ignore[arg-type]


def test_twelve_frames_through_the_worker_equal_the_local_masks(worker_url: str) -> None:
    frames = [on_white(face_rgba(64), shift) for shift in range(-6, 6)]
    seg = RemoteSegmenter("segment", {"backend": "classical"},
                          client=_client(worker_url, max_parallel=12))
    seen: list[int] = []
    results = seg.segment_batch(frames, progress=lambda d, _t, _m: seen.append(d))
    assert [r.ok for r in results] == [True] * 12, [r.error for r in results]
    local = ClassicalSegmenter()
    for frame, r in zip(frames, results, strict=True):
        want = local.segment(frame)
        assert r.value is not None and r.value.backend == "remote:segment"
        assert np.abs(r.value.alpha - want.alpha).max() <= 1 / 65535
        assert np.array_equal(r.value.foreground, want.foreground)
    assert seen[0] == 0 and seen[-1] == 12


def test_worker_errors_and_run_status_path(worker_url: str) -> None:
    client = _client(worker_url)
    good = wire.segment_request("segment", on_white(face_rgba(32)),
                                wire.SegmentParams(backend="classical"))
    out = client.run_one(good, use_run=True)  # /run, then /status (POST on the local server)
    assert wire.mask_from_wire(out, "x").alpha.shape == (32, 32)
    bad = {**good, "params": {"backend": "nope"}}
    results = client.run_many([good, bad, good])
    assert [r.ok for r in results] == [True, False, True]
    assert isinstance(results[1].error, UnknownBackend) and results[1].attempts == 1


def test_remote_generator_through_the_worker(worker_url: str) -> None:
    cut = face_rgba(48)
    spec = preset_spec("hop", frames=3, fps=6)
    gen = RemoteGenerator(options={"generator": "procedural"}, client=_client(worker_url))
    seen: list[tuple[int, int]] = []
    slots = gen.generate(Source(cut, cutout=cut), spec, size=(40, 40),
                         progress=lambda d, t, _m: seen.append((d, t)))
    local = ProceduralGenerator().generate(Source(cut, cutout=cut), spec, size=(40, 40))
    assert [np.array_equal(a.current.rgba, b.current.rgba)
            for a, b in zip(slots, local, strict=True)] == [True] * 3
    assert seen and seen[-1] == (3, 3)


# ---------------------------------------------------------------------------- ZeroGPU shim
def test_gpu_shim_is_a_no_op_off_spaces(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    from studio.remote import zerogpu

    monkeypatch.delenv("SPACES_ZERO_GPU", raising=False)

    def f(x: int) -> int:
        return x + 1

    assert zerogpu.gpu(f) is f and zerogpu.gpu(duration=30)(f) is f
    assert "spaces" not in sys.modules or not zerogpu.on_zerogpu()
    rgb = on_white(face_rgba(32))
    mask = zerogpu.segment_on_gpu("classical", rgb, Prompt((Point(16, 16),)).to_dict())
    assert pickle.loads(pickle.dumps(mask)).alpha.shape == (32, 32)
    many = zerogpu.segment_many_on_gpu("classical", [rgb, rgb])
    assert np.array_equal(many[0].alpha, many[1].alpha)


def test_gpu_shim_uses_spaces_gpu_on_zerogpu(monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    from studio.remote import zerogpu

    calls: list[object] = []

    def fake_gpu(fn=None, *, duration=60):  # the shape of spaces.GPU
        if fn is None:
            return lambda f: (calls.append(duration), f)[1]
        calls.append("bare")
        return fn

    monkeypatch.setitem(sys.modules, "spaces", types.SimpleNamespace(GPU=fake_gpu))
    monkeypatch.setenv("SPACE_ID", "user/popcon")
    monkeypatch.setenv("SPACES_ZERO_GPU", "true")
    assert zerogpu.on_zerogpu()
    zerogpu.gpu(len)
    zerogpu.gpu(duration=90)(len)
    assert calls == ["bare", 90]
    assert not zerogpu.on_zerogpu({"SPACE_ID": "user/popcon"})
