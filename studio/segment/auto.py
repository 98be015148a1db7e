"""``auto``: the best cut-out this machine can make, and what it did.

- Input that already has transparency: its alpha and colour are kept exactly.
- Automatic cut-outs (no clicks): the classical keyed region fused with a u2net-family
  prediction (`studio.segment.fusion`) from the best model present: BiRefNet
  (``rembg:birefnet-general``), else isnet-anime, else u2net, else u2netp (which `make`
  fetches on every set-up); with none, ``classical`` alone.
- Click prompts: ``sam2`` (the smallest present on a CPU, the largest on a GPU), else
  region clicks (`studio.segment.regions`) on the automatic cut-out.
- `refine` (hybrid): an existing or automatic mask first, then each click adds (include) or
  removes (exclude) the SAM 2 region under it; without SAM 2 weights, the region bounded by
  the outlines under it (or the whole separate object).

Every Mask says what made it: ``Mask.backend``, ``info["auto_choice"]`` (the model or
backend chosen), ``info["method"]`` ("fusion", "classical", "alpha kept" or the prompted
backend), ``info["model"]`` and ``info["confidence"]`` ("high" | "medium" | "low"; "low"
comes with ``info["note"]`` asking for a click). The choice is made per call from what is on
disk, so weights pulled while the studio runs are used at once. `segmenter_status` lists
every model segmenter with why it is unavailable.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from studio import registry, weights
from studio.errors import BackendUnavailable, InputError
from studio.model_settings import ModelSettings, load_model_settings
from studio.options import BackendOptions
from studio.segment.classical import ClassicalSegmenter, from_alpha, has_alpha
from studio.segment.fusion import fuse
from studio.segment.model_common import clean_edges, image_digest, model_input
from studio.types import Mask, Prompt

AUTOMATIC = ("rembg:birefnet-general", "rembg:isnet-anime", "rembg:u2net", "rembg:u2netp")
"""Models that guide the fused automatic cut-out, best first."""
PROMPTED_CPU = ("sam2:tiny", "sam2:small", "sam2:base-plus", "sam2:large")
PACKAGES = {"rembg": ("rembg", "onnxruntime"), "sam2": ("torch", "transformers")}
_PREDICTIONS = ThreadPoolExecutor(max_workers=2, thread_name_prefix="popcon-prior")
"""Model predictions for automatic cut-outs, run beside the keying (a started thread is
reused; idle threads cost nothing)."""


@dataclass(frozen=True)
class SegmenterStatus:
    """name: registry name; available: usable now; note: what it is, or what is missing."""

    name: str
    available: bool
    note: str


def unavailable_reason(name: str, ms: ModelSettings | None = None) -> str | None:
    """None when the model segmenter `name` can run here, else why not (and the fix)."""
    family = registry.split_name(name)[0]
    for mod in PACKAGES.get(family, ()):
        if importlib.util.find_spec(mod) is None:
            return f"needs the Python package {mod!r} (pip install {mod})"
    if family in PACKAGES:
        spec = weights.get_spec(name)
        if weights.locate(spec.name, ms) is None:
            return f"weights not downloaded: {spec.fetch_command} (about {spec.size_mb:.0f} MB)"
    return None


def segmenter_status(ms: ModelSettings | None = None) -> list[SegmenterStatus]:
    """Every known segmenter with whether it can run now; for the UI's backend menu."""
    ms = ms or load_model_settings()
    out = [SegmenterStatus("auto", True, "the best available below, chosen per call"),
           SegmenterStatus("classical", True, "no weights; border-keyed, GrabCut clicks")]
    for spec in weights.manifest().values():
        reason = unavailable_reason(spec.backend, ms)
        out.append(SegmenterStatus(spec.backend, reason is None, reason or spec.description))
    return out


class AutoSegmenter:
    """Chooses per call among the segmenters that can run here; says which it chose."""

    name = "auto"
    promptable = True
    variants = None

    class Options(BackendOptions):
        guide: str | None = Field(
            None, description="the model that guides the automatic cut-out (one of "
            + ", ".join(AUTOMATIC) + "); default: the best one present")

        @field_validator("guide")
        @classmethod
        def _known_guide(cls, v: str | None) -> str | None:
            if v is not None and v not in AUTOMATIC:
                raise ValueError(f"guide must be one of {', '.join(AUTOMATIC)}, got {v!r}")
            return v

    def __init__(self, variant: str | None = None, options: dict | None = None,
                 settings: ModelSettings | None = None) -> None:
        if variant is not None:
            raise InputError(f"segmenter 'auto' takes no variant, got {variant!r}")
        self.options = self.Options.parse(options, "segmenter 'auto'")
        self.settings = settings or load_model_settings()
        self._backends: dict[str, Any] = {}
        self._auto_masks: dict[str, Mask] = {}
        self._lock = threading.Lock()

    def choice(self, prompted: bool) -> str:
        """The registry name `segment` would use now for a prompted or automatic call."""
        if not prompted and self.options.guide is not None:
            reason = unavailable_reason(self.options.guide, self.settings)
            if reason is not None:
                raise BackendUnavailable(f"auto's guide {self.options.guide}: {reason}")
            return self.options.guide
        order = PROMPTED_CPU if prompted else AUTOMATIC
        ready = [name for name in order if unavailable_reason(name, self.settings) is None]
        if prompted and len(ready) > 1 and (self.settings.device.startswith("cuda") or (
                self.settings.device == "auto" and _cuda_available())):
            return ready[-1]  # the largest SAM 2 present, on a GPU
        if ready:
            return ready[0]
        return "classical"

    def backend(self, name: str) -> Any:
        with self._lock:
            if name not in self._backends:
                self._backends[name] = registry.create("segmenter", name)
            return self._backends[name]

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        """Mask (alpha (H, W) float32, foreground (H, W, 3) uint8) of image (H, W, 3|4)
        uint8; info says the method, the model and the confidence (see the module doc)."""
        prompted = prompt is not None and not prompt.empty
        name = self.choice(prompted)
        if not prompted:
            return self.automatic(image)
        if name == "classical" and prompt.points and prompt.box is None:
            return self.refine(image, None, prompt)  # region clicks on the automatic cut-out
        mask = self.backend(name).segment(image, prompt)
        mask.info.setdefault("method", name)
        mask.info["auto_choice"] = name
        return mask

    def automatic(self, image: np.ndarray) -> Mask:
        """The automatic mask of `image`, cached by pixel digest (the last 8 images)."""
        key = image_digest(model_input(image))
        with self._lock:
            cached = self._auto_masks.get(key)
        if cached is not None:
            return dataclasses.replace(cached, info=dict(cached.info))
        mask = self._automatic(image)
        with self._lock:
            self._auto_masks[key] = mask
            while len(self._auto_masks) > 8:
                self._auto_masks.pop(next(iter(self._auto_masks)))
        return mask

    def _automatic(self, image: np.ndarray) -> Mask:
        """The automatic mask, uncached: alpha kept for transparent input, else the keyed
        region fused with the best u2net-family model present, else classical alone."""
        if has_alpha(image):
            mask = from_alpha(image, backend="auto")
            mask.info.update(auto_choice="alpha", confidence="high")
            return mask
        name = self.choice(prompted=False)
        if name == "classical":
            mask = self.backend(name).segment(image)
            known = mask.info.get("background") not in ("complex", None)
            mask.info.setdefault("method", "classical")
            mask.info.setdefault("confidence", "high" if known else "medium")
        else:
            rgb = model_input(image)
            # the model runs in its own thread while the keying (or the photo analysis) runs
            # here; fusion waits for it when its answer is first needed
            future = _PREDICTIONS.submit(self.backend(name).predict_alpha, rgb)
            try:
                mask = fuse(rgb, future.result, ClassicalSegmenter.Options(), name)
            finally:
                future.cancel()
        mask.info["auto_choice"] = name
        return mask

    def refine(self, image: np.ndarray, base: Mask | None, prompt: Prompt) -> Mask:
        """Hybrid refine: `base` (or the automatic mask when None) fixed by the clicks; each
        include click adds, each exclude click removes, the SAM 2 region under it (the
        outline-bounded region or separate object when no SAM 2 weights are here).
        Returns alpha (H, W) float32 + foreground."""
        if not prompt.points:
            raise InputError("give at least one include or exclude point to refine a mask")
        base = base if base is not None else self.automatic(image)
        rgb = model_input(image)
        if base.alpha.shape != rgb.shape[:2]:
            raise InputError(f"the mask is {base.alpha.shape[1]}x{base.alpha.shape[0]} but the "
                             f"image is {rgb.shape[1]}x{rgb.shape[0]}")
        name = self.choice(prompted=True)
        if name.startswith("sam2:"):
            from studio.segment.sam2 import click_refine

            alpha = click_refine(rgb, base.alpha, prompt.points, self.backend(name))
        else:
            from studio.segment.regions import apply_region_clicks, clicked_alpha

            before = base.alpha >= 0.5
            region = apply_region_clicks(rgb, before, prompt.points)
            alpha = clicked_alpha(base.alpha, before, region)
        how = name if name.startswith("sam2:") else "regions"
        return Mask(alpha=alpha, backend=f"{base.backend}+{how}", foreground=clean_edges(
            rgb, alpha), info={"auto_choice": name, "base": base.backend,
                               "points": len(prompt.points)})


def _cuda_available() -> bool:
    if importlib.util.find_spec("torch") is None:
        return False
    try:
        import torch
    except ImportError as e:  # a broken install: say so rather than guess
        raise BackendUnavailable(f"torch is installed but does not import: {e}") from e
    return bool(torch.cuda.is_available())
