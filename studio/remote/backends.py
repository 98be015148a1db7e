"""`remote:<task>` segmenters and the `remote` generator: the local backends' protocols, run
on a GPU worker through WorkerClient.

``STUDIO_SEGMENTER=remote:birefnet STUDIO_WORKER_URL=...`` changes nothing else: the studio
and the CLI call ``segment`` (one frame) or ``segment_batch`` (all frames in flight at once).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from pydantic import Field

from studio.errors import InputError, MaskError, StudioError
from studio.executor import FrameResult
from studio.options import BackendOptions
from studio.remote import wire
from studio.remote.client import WorkerClient
from studio.types import Candidate, Mask, MotionSpec, ProgressFn, Prompt, Slot, Source
from studio.validate import check_mask


class RemoteSegmenter:
    """Segmentation on the worker. Variants are the worker's tasks: birefnet, rembg, sam,
    segment (the worker's own default, or ``options.backend``)."""

    variants = ("birefnet", "rembg", "sam", "segment")

    class Options(BackendOptions):
        model: str | None = Field(
            None, max_length=64,
            description="the worker-side variant: rembg model (isnet-anime, u2net...), "
            "birefnet model (birefnet-general...), sam2 size (tiny, small...)")
        backend: str | None = Field(
            None, max_length=64,
            description="for remote:segment, the worker's registry name (classical, auto...)")
        options: dict[str, Any] = Field(
            default_factory=dict, description="options of the worker-side backend")

    def __init__(
        self, variant: str | None = None, options: dict | None = None,
        client: WorkerClient | None = None,
    ) -> None:
        self.task = variant or "segment"
        self.name = f"remote:{self.task}"
        self.promptable = self.task in ("sam", "segment")
        self.options = self.Options.parse(options, f"segmenter {self.name!r}")
        if self.options.backend and self.task != "segment":
            raise InputError(f"option 'backend' is for remote:segment only, not {self.name!r}")
        self.client = client or WorkerClient()

    def _request(self, image: np.ndarray, prompt: Prompt | None) -> dict[str, Any]:
        if not isinstance(image, np.ndarray) or image.ndim != 3 or image.shape[2] not in (3, 4):
            shape = getattr(image, "shape", None)
            raise InputError(f"image must be an (H, W, 3) or (H, W, 4) array, got {shape}")
        o = self.options
        params = wire.SegmentParams(
            model=o.model, backend=o.backend, options=o.options,
            prompt=wire.PromptIn.model_validate(prompt.to_dict()) if prompt and not prompt.empty
            else None,
        )
        return wire.segment_request(self.task, image, params)

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        """image (H, W, 3|4) uint8 → Mask with alpha (H, W) float32 (16-bit precise)."""
        out = self.client.run_one(self._request(image, prompt))
        return self._mask(out, image)

    def segment_batch(
        self,
        images: Sequence[np.ndarray],
        prompts: Sequence[Prompt | None] | None = None,
        *,
        progress: ProgressFn | None = None,
        cancel: threading.Event | None = None,
        on_result: Callable[[FrameResult[Mask]], None] | None = None,
    ) -> list[FrameResult[Mask]]:
        """Every image at once (up to STUDIO_MAX_PARALLEL in flight): one FrameResult per
        image, in order, holding its Mask or its own error (one bad frame loses no other).

        Each answer is decoded and checked against its image (size, mode, values) as it
        arrives; on_result(result) is then called with it (e.g. to store the good ones)."""
        prompts = list(prompts) if prompts is not None else [None] * len(images)
        if len(prompts) != len(images):
            raise InputError(f"got {len(images)} images but {len(prompts)} prompts")
        payloads = [self._request(im, p) for im, p in zip(images, prompts, strict=True)]
        out: dict[int, FrameResult[Mask]] = {}

        def arrived(r: FrameResult[dict[str, Any]]) -> None:
            fr: FrameResult[Mask] = FrameResult(r.index, error=r.error, attempts=r.attempts)
            if r.ok:
                try:
                    fr.value = self._mask(r.value, images[r.index])
                except StudioError as e:
                    fr.error = e
            out[r.index] = fr
            if on_result is not None:
                on_result(fr)

        results = self.client.run_many(payloads, progress=progress, cancel=cancel, label="mask",
                                       on_result=arrived)
        for r in results:  # those never delivered (cancelled before they ran)
            if r.index not in out:
                out[r.index] = FrameResult(r.index, error=r.error, attempts=r.attempts)
        return [out[i] for i in range(len(images))]

    def _mask(self, answer: Any, image: np.ndarray) -> Mask:
        """The Mask in a worker's answer, checked against the image it answers."""
        try:
            mask = wire.mask_from_wire(answer, self.name)
        except StudioError as e:
            raise MaskError(f"the worker's mask is unusable: {e}") from None
        return check_mask(mask, image, "the worker's mask")


class RemoteGenerator:
    """Generation on the worker (``options.generator``, default the worker's own). Frames come
    back RGBA when the worker's generator knows alpha, else RGB for segmentation."""

    name = "remote"
    variants = None
    produces_alpha = False  # not known before the answer; RGBA candidates skip segmentation

    class Options(BackendOptions):
        generator: str | None = Field(
            None, max_length=64,
            description="the worker-side generator (procedural, diffusers:...)")
        options: dict[str, Any] = Field(
            default_factory=dict, description="options of the worker-side generator")

    def __init__(
        self, variant: str | None = None, options: dict | None = None,
        client: WorkerClient | None = None,
    ) -> None:
        if variant is not None:
            raise InputError(f"the remote generator takes no variant, got {variant!r}")
        self.options = self.Options.parse(options, "generator 'remote'")
        self.client = client or WorkerClient()

    def _payload(
        self, source: Source, spec: MotionSpec, size: tuple[int, int], candidates: int,
        seed: int, slot: int | None,
    ) -> dict[str, Any]:
        if source.cutout is None:
            raise InputError("the source has no cut-out yet: segment it before generating")
        params = wire.GenerateParams(
            generator=self.options.generator, options=self.options.options,
            spec=spec.to_dict(), size=(int(size[0]), int(size[1])),
            candidates=candidates, seed=seed, slot=slot,
        )
        return {"task": "generate", "image": wire.encode_png(source.cutout),
                "params": params.model_dump(exclude_none=True)}

    def generate(
        self,
        source: Source,
        spec: MotionSpec,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
        progress: ProgressFn | None = None,
    ) -> list[Slot]:
        """spec.frames slots of `candidates` candidates each, rendered on the worker; the
        worker's progress is relayed while the job runs."""
        def relay(p: dict[str, Any]) -> None:
            if progress is not None:
                progress(int(p.get("done", 0)), int(p.get("total", 0)), str(p.get("message", "")))

        payload = self._payload(source, spec, size, candidates, seed, None)
        out = self.client.run_one(payload, on_progress=relay, use_run=progress is not None)
        slots = wire.slots_from_wire(out)
        if progress is not None:
            progress(len(slots), len(slots), f"{len(slots)} frames from the worker")
        return slots

    def regenerate(
        self,
        source: Source,
        spec: MotionSpec,
        slot: int,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
    ) -> list[Candidate]:
        """Frame `slot` again, on the worker."""
        out = self.client.run_one(self._payload(source, spec, size, candidates, seed, slot))
        slots = wire.slots_from_wire(out)
        if len(slots) != 1:
            raise wire.WireError(f"expected one slot back, got {len(slots)}")
        return slots[0].candidates
