"""The RunPod Serverless worker: a thin adapter from the wire schema to the backends.

``python -m studio.remote.worker`` starts it under ``runpod.serverless.start``; add
``--rp_serve_api --rp_api_port 8000 --rp_api_host 127.0.0.1`` for the SDK's local API
server (``/runsync``, ``/run``, ``/status/{id}``) used by the tests. Tasks map to registry
names (the same backend classes as the local path), loaded on the first job and kept warm:

===========  ==============================================  =========================
task         backend                                         ``params.model`` default
===========  ==============================================  =========================
rembg        ``rembg:<model>``                               ``isnet-anime``
birefnet     ``rembg:<model>``                               ``birefnet-general``
sam          ``sam2:<model>``                                ``tiny``
segment      ``params.backend`` or STUDIO_SEGMENTER          —
generate     ``params.generator`` or STUDIO_GENERATOR        —
===========  ==============================================  =========================
"""

from __future__ import annotations

import asyncio
import json
import os
import threading
import time
from typing import Any

from studio import registry
from studio.errors import BackendUnavailable, InputError, StudioError
from studio.remote import wire
from studio.remote.warm import warm_backend
from studio.settings import load_settings
from studio.types import MotionSpec, ProgressFn, Slot, Source

TASK_BACKENDS: dict[str, tuple[str, str | None]] = {  # task → (family, default variant)
    "rembg": ("rembg", "isnet-anime"),
    "birefnet": ("rembg", "birefnet-general"),
    "sam": ("sam2", "tiny"),
}
MAX_SIZE = 1024


def backend_name(task: str, params: wire.SegmentParams) -> str:
    """The registry name a segmentation task runs on."""
    if task == "segment":
        return params.backend or load_settings().segmenter
    family, default = TASK_BACKENDS[task]
    if family not in registry.BACKENDS["segmenter"]:
        raise BackendUnavailable(
            f"this worker has no {family!r} segmenter for task {task!r}: install the "
            f"package that provides it and rebuild the worker image"
        )
    variant = params.model or default
    return f"{family}:{variant}" if variant else family


def handle(payload: Any, progress: ProgressFn | None = None) -> dict[str, Any]:
    """Answer one job input (a wire request dict) with a wire response dict.

    A StudioError (bad request, unknown or unavailable backend, bad image) becomes
    ``{"error": {"type", "message"}}``; anything else is a bug and propagates."""
    try:
        req = wire.parse_request(payload)
        if req.task == "generate":
            return _generate(req, progress)
        return _segment(req)
    except StudioError as e:
        return wire.error_to_wire(e)


def _segment(req: wire.Request) -> dict[str, Any]:
    params = req.segment_params()
    image = wire.decode_image(req.image)
    prompt = params.prompt.to_prompt() if params.prompt else None
    h, w = image.shape[:2]
    for p in prompt.points if prompt else ():
        if not (0 <= p.x < w and 0 <= p.y < h):
            raise InputError(f"point ({p.x:g}, {p.y:g}) is outside the {w}×{h} image")
    warm = warm_backend("segmenter", backend_name(req.task, params), params.options)
    with warm.lock:
        mask = warm.backend.segment(image, prompt)
    return wire.mask_to_wire(mask)


def _generate(req: wire.Request, progress: ProgressFn | None) -> dict[str, Any]:
    p = req.generate_params()
    cutout = wire.decode_image(req.image, "cut-out")
    if cutout.ndim != 3 or cutout.shape[2] != 4:
        raise wire.WireError(f"the cut-out must be an RGBA PNG, got shape {cutout.shape}")
    try:
        spec = MotionSpec.from_dict(p.spec)
    except (TypeError, ValueError, KeyError) as e:
        raise wire.WireError(f"invalid motion spec: {e}") from None
    w, h = p.size
    for label, v in (("width", w), ("height", h)):
        if not 16 <= v <= MAX_SIZE:
            raise InputError(f"{label} must be between 16 and {MAX_SIZE}, got {v}")
    warm = warm_backend("generator", p.generator or load_settings().generator, p.options)
    source = Source(image=cutout, name="remote", cutout=cutout, had_alpha=True)
    with warm.lock:
        gen = warm.backend
        if p.slot is not None:
            cands = gen.regenerate(
                source, spec, p.slot, size=(w, h), candidates=p.candidates, seed=p.seed
            )
            slots = [Slot(p.slot, cands)]
        else:
            slots = gen.generate(
                source, spec, size=(w, h), candidates=p.candidates, seed=p.seed,
                progress=progress,
            )
    return wire.slots_to_wire(slots)


def _runpod_progress(job: dict[str, Any], every_s: float = 1.0) -> ProgressFn | None:
    """progress → runpod.serverless.progress_update, at most once per `every_s` (and the
    last); None outside RunPod, where there is no job-status endpoint to post to."""
    if not os.environ.get("RUNPOD_WEBHOOK_POST_OUTPUT"):
        return None
    import runpod

    last = [0.0]
    lock = threading.Lock()

    def report(done: int, total: int, message: str) -> None:
        with lock:
            now = time.monotonic()
            if done < total and now - last[0] < every_s:
                return
            last[0] = now
        runpod.serverless.progress_update(
            job, {"progress": {"done": done, "total": total, "message": message}}
        )

    return report


def handler(job: dict[str, Any]) -> dict[str, Any]:
    """The RunPod handler: job = {"id", "input": <wire request>} → wire response.

    RunPod takes an ``error`` key in the output as the job's failure and wants it as text, so
    the error object goes out as its JSON (the endpoint answers ``{"status": "FAILED",
    "error": "{\"type\": ..., \"message\": ...}"}``; the client decodes either form)."""
    out = handle(job.get("input"), _runpod_progress(job))
    if isinstance(out.get("error"), dict):
        return {"error": json.dumps(out["error"])}
    return out


async def async_handler(job: dict[str, Any]) -> dict[str, Any]:
    """`handler` in a thread, so the SDK's event loop keeps answering while a job runs."""
    return await asyncio.to_thread(handler, job)


def main() -> None:
    """Start the worker (RunPod's runtime, or the local API server with --rp_serve_api)."""
    import runpod

    from studio.remote_settings import load_remote_settings

    concurrency = load_remote_settings().worker_concurrency
    runpod.serverless.start(
        {"handler": async_handler, "concurrency_modifier": lambda _current: concurrency}
    )


if __name__ == "__main__":
    main()
