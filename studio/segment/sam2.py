"""SAM 2 click segmenter: ``sam2:tiny|small|base-plus|large`` through transformers' Sam2Model.

Weights: ``facebook/sam2.1-hiera-<size>`` (config.json + model.safetensors) from the Hugging
Face cache or the studio's models folder, found or fetched by `studio.weights`. Preprocessing
is done here with numpy/torch (no torchvision): resize to the model's input size (1024 px
square for the real models), scale to [0, 1], ImageNet mean/std; points and boxes are scaled
the same way. The image embedding is computed once per image and cached by pixel digest
(LRU), so ten clicks on one frame cost one encoder pass; model calls hold a lock. With
``multimask`` the decoder's three masks are scored and the best is kept.
"""

from __future__ import annotations

import importlib.util
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field

from studio import weights
from studio.errors import BackendUnavailable, InputError
from studio.model_settings import ModelSettings, load_model_settings, torch_device, torch_dtype
from studio.options import BackendOptions
from studio.segment.model_common import clean_edges, image_digest, model_input
from studio.types import Mask, Point, Prompt

SIZES = ("tiny", "small", "base-plus", "large")
MEAN = np.array([0.485, 0.456, 0.406], np.float32)
STD = np.array([0.229, 0.224, 0.225], np.float32)


def weights_name(size: str) -> str:
    return f"sam2.1-hiera-{size}"


def check_installed() -> None:
    for mod, pin in (("torch", "torch==2.13.0"), ("transformers", "transformers==5.24.0")):
        if importlib.util.find_spec(mod) is None:
            raise BackendUnavailable(f"sam2 segmenters need the Python package {mod!r}, which "
                                     f"is not installed (pip install {pin})")


def prompt_arrays(prompt: Prompt, w: int, h: int, side: tuple[int, int]
                  ) -> tuple[np.ndarray | None, np.ndarray | None, np.ndarray | None]:
    """Points (1, 1, N, 2) float32, labels (1, 1, N) int64 and box (1, 1, 4) float32 in the
    model's input frame (`side` = (height, width)); None where the prompt has none."""
    sy, sx = side[0] / h, side[1] / w
    pts = labels = box = None
    if prompt.points:
        pts = np.array([[[[p.x * sx, p.y * sy] for p in prompt.points]]], np.float32)
        labels = np.array([[[1 if p.include else 0 for p in prompt.points]]], np.int64)
    if prompt.box is not None:
        x0, y0, x1, y1 = prompt.box
        box = np.array([[[x0 * sx, y0 * sy, x1 * sx, y1 * sy]]], np.float32)
    return pts, labels, box


class Sam2Segmenter:
    """Click-prompted segmentation with SAM 2.1 (include/exclude points, optional box)."""

    promptable = True
    variants = frozenset(SIZES)

    class Options(BackendOptions):
        multimask: bool = Field(
            True, description="ask for three candidate masks and keep the best-scored one")
        cache_images: int = Field(
            8, ge=1, le=256, description="image embeddings kept in memory (one per frame)")
        clean_edges: bool = Field(
            True, description="estimate the foreground colour of edge pixels (no halo)")

    def __init__(self, variant: str | None = None, options: dict | None = None,
                 settings: ModelSettings | None = None) -> None:
        self.size = variant or "tiny"
        if self.size not in SIZES:
            raise InputError(f"unknown sam2 size {self.size!r}; known: {', '.join(SIZES)}")
        self.name = f"sam2:{self.size}"
        self.options = self.Options.parse(options, f"segmenter {self.name!r}")
        self.settings = settings or load_model_settings()
        check_installed()
        self.path: Path = weights.require(weights_name(self.size), self.settings)
        self._model: Any = None
        self._cache: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.RLock()
        self.encoder_calls = 0

    # ------------------------------------------------------------------ model
    @property
    def model(self) -> Any:
        """The loaded Sam2Model (loaded on first use, on the settings' device and dtype)."""
        with self._lock:
            if self._model is None:
                from transformers import Sam2Model

                device = torch_device(self.settings)
                model = Sam2Model.from_pretrained(str(self.path), local_files_only=True)
                self._model = model.to(device=device, dtype=torch_dtype(self.settings, device))
                self._model.eval()
            return self._model

    @property
    def input_size(self) -> tuple[int, int]:
        """(height, width) of the model's input frame (1024 x 1024 for the real models)."""
        size = self.model.config.vision_config.backbone_config.image_size
        return (size, size) if isinstance(size, int) else (int(size[0]), int(size[1]))

    def pixel_values(self, rgb: np.ndarray) -> Any:
        """(1, 3, S, S) tensor on the model's device/dtype: resized, scaled, normalised."""
        import torch
        import torch.nn.functional as F

        x = torch.from_numpy(np.ascontiguousarray(rgb)).permute(2, 0, 1)[None].float() / 255.0
        x = F.interpolate(x, size=self.input_size, mode="bilinear", align_corners=False,
                          antialias=True)
        x = (x - torch.from_numpy(MEAN)[None, :, None, None]) / torch.from_numpy(STD)[
            None, :, None, None]
        p = next(self.model.parameters())
        return x.to(device=p.device, dtype=p.dtype)

    def embeddings(self, rgb: np.ndarray) -> Any:
        """The image embedding of `rgb` (H, W, 3) uint8, cached by pixel digest (LRU)."""
        key = image_digest(rgb)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
            import torch

            with torch.inference_mode():
                emb = self.model.get_image_embeddings(self.pixel_values(rgb))
            self.encoder_calls += 1
            self._cache[key] = emb
            while len(self._cache) > self.options.cache_images:
                self._cache.popitem(last=False)
            return emb

    # ------------------------------------------------------------------ predict
    def predict(self, image: np.ndarray, prompt: Prompt) -> tuple[np.ndarray, float,
                                                                   list[float]]:
        """alpha (H, W) float32 in [0, 1], the chosen mask's score in [0, 1], and every
        candidate's score, for an (H, W, 3|4) uint8 image and a non-empty prompt."""
        import torch
        import torch.nn.functional as F

        if prompt.empty:
            raise InputError(f"{self.name} needs at least one point or a box; use auto or "
                             "rembg:<model> for automatic cut-outs")
        rgb = model_input(image)
        h, w = rgb.shape[:2]
        emb = self.embeddings(rgb)
        side = self.input_size
        pts, labels, box = prompt_arrays(prompt, w, h, side)
        with self._lock, torch.inference_mode():
            p = next(self.model.parameters())

            def tensor(a: np.ndarray | None, float_: bool = True) -> Any:
                if a is None:
                    return None
                t = torch.from_numpy(a).to(p.device)
                return t.to(p.dtype) if float_ else t

            out = self.model(image_embeddings=emb, input_points=tensor(pts),
                             input_labels=tensor(labels, False), input_boxes=tensor(box),
                             multimask_output=self.options.multimask)
        logits = out.pred_masks[0, 0].float()  # (K, h', w') low-res logits
        scores = out.iou_scores[0, 0].float().clamp(0, 1).cpu().numpy()
        best = int(np.argmax(scores))
        up = F.interpolate(logits[best][None, None], size=side, mode="bilinear",
                           align_corners=False)
        up = F.interpolate(up, size=(h, w), mode="bilinear", align_corners=False)
        alpha = torch.sigmoid(up[0, 0]).cpu().numpy().astype(np.float32)
        return alpha, float(scores[best]), [float(s) for s in scores]

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        """image: (H, W, 3|4) uint8; prompt: include/exclude points and/or a box (required).
        Returns alpha (H, W) float32, foreground (H, W, 3) uint8 and the model's score."""
        prompt = prompt or Prompt()
        alpha, score, scores = self.predict(image, prompt)
        rgb = model_input(image)
        fg = clean_edges(rgb, alpha) if self.options.clean_edges else None
        return Mask(alpha=alpha, backend=self.name, score=score, foreground=fg,
                    info={"scores": [round(s, 4) for s in scores],
                          "points": len(prompt.points), "box": prompt.box is not None,
                          "encoder_calls": self.encoder_calls})

    def region_under(self, image: np.ndarray, point: Point) -> tuple[np.ndarray, float]:
        """The SAM 2 region under one click as alpha (H, W) float32 and its score."""
        alpha, score, _ = self.predict(image, Prompt((Point(point.x, point.y, True),)))
        return alpha, score

    def clear_cache(self) -> None:
        with self._lock:
            self._cache.clear()


def click_refine(image: np.ndarray, base: np.ndarray, points: Sequence[Point],
                 sam: Sam2Segmenter) -> np.ndarray:
    """Hybrid refine: each include click adds, each exclude click removes, the SAM 2 region
    under it. base: (H, W) float32 alpha (e.g. an automatic model's); returns (H, W) float32.
    The image is encoded once, however many clicks there are."""
    alpha = base.astype(np.float32, copy=True)
    for p in points:
        region, _ = sam.region_under(image, p)
        alpha = np.maximum(alpha, region) if p.include else np.minimum(alpha, 1.0 - region)
    return alpha
