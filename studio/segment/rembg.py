"""rembg segmenters: ``rembg:<model>`` through rembg's own ONNX sessions.

Models: u2net, u2netp, isnet-general-use, isnet-anime, birefnet-general, birefnet-general-lite,
birefnet-portrait, or a custom ONNX file given as ``rembg:/path/to/model.onnx`` (its pre- and
post-processing chosen with the ``arch`` option). The weights are found (or fetched) by
`studio.weights`; rembg's session class for the model does the inference, so the
normalisation and output handling are exactly rembg's. Sessions are created once per
(file, providers) and shared by every instance and thread (onnxruntime's ``run`` is
thread-safe). Providers come from STUDIO_ORT_PROVIDERS (default: CUDA when available, else
CPU). The alpha then goes through the classical edge clean-up (foreground colour estimation).
"""

from __future__ import annotations

import importlib.util
import os
import threading
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import Field

from studio import weights
from studio.errors import BackendUnavailable, InputError
from studio.model_settings import ModelSettings, load_model_settings, ort_providers
from studio.options import BackendOptions
from studio.segment.model_common import clean_edges, model_input
from studio.types import Mask, Prompt

MODELS = ("u2net", "u2netp", "isnet-general-use", "isnet-anime", "birefnet-general",
          "birefnet-general-lite", "birefnet-portrait")
ARCH_SESSION = {"u2net": "u2net", "isnet": "isnet-general-use", "isnet-anime": "isnet-anime",
                "birefnet": "birefnet-general"}
DEFAULT_MODEL = "isnet-anime"


class Variants(frozenset):
    """The named models, plus any path ending in .onnx (a custom model file)."""

    def __contains__(self, item: object) -> bool:
        return super().__contains__(item) or (isinstance(item, str) and is_custom(item))


def is_custom(variant: str) -> bool:
    return variant.lower().endswith(".onnx")


_SESSIONS: dict[tuple[str, str, tuple[str, ...]], Any] = {}
_LOCK = threading.Lock()


def session_for(model: str, path: Path, providers: list[str]) -> Any:
    """The shared rembg session of `model`'s class over the ONNX file `path`."""
    key = (model, str(path), tuple(providers))
    with _LOCK:
        if key not in _SESSIONS:
            _SESSIONS[key] = _new_session(model, path, providers)
        return _SESSIONS[key]


def _new_session(model: str, path: Path, providers: list[str]) -> Any:
    import onnxruntime as ort
    from rembg.sessions import sessions_class

    base = next((sc for sc in sessions_class if sc.name() == model), None)
    if base is None:
        raise BackendUnavailable(f"this rembg has no session for {model!r}; "
                                 "pip install rembg==2.0.86")

    def located(cls: type, *args: Any, **kwargs: Any) -> str:
        return str(path)

    cls = type(f"Studio{base.__name__}", (base,), {"download_models": classmethod(located)})
    opts = ort.SessionOptions()
    threads = os.environ.get("OMP_NUM_THREADS")
    if threads and threads.isdigit():
        opts.intra_op_num_threads = int(threads)
    return cls(model, opts, providers=providers)


def clear_sessions() -> None:
    """Forget every cached session (tests; switching weights on disk)."""
    with _LOCK:
        _SESSIONS.clear()


def check_installed() -> None:
    """BackendUnavailable naming the pip command unless rembg and onnxruntime import."""
    for mod, pin in (("onnxruntime", "onnxruntime==1.32.0"), ("rembg", "rembg==2.0.86")):
        if importlib.util.find_spec(mod) is None:
            raise BackendUnavailable(f"rembg segmenters need the Python package {mod!r}, which "
                                     f"is not installed (pip install {pin})")


class RembgSegmenter:
    """Automatic background removal with one of rembg's models (not promptable)."""

    promptable = False
    variants = Variants(MODELS)

    class Options(BackendOptions):
        arch: Literal["u2net", "isnet", "isnet-anime", "birefnet"] = Field(
            "u2net", description="pre/post-processing of a custom .onnx file: the model family "
            "it was exported from (ignored for named models)")
        clean_edges: bool = Field(
            True, description="estimate the foreground colour of edge pixels (no halo)")

    def __init__(self, variant: str | None = None, options: dict | None = None,
                 settings: ModelSettings | None = None) -> None:
        variant = variant or DEFAULT_MODEL
        if variant not in self.variants:
            raise InputError(f"unknown rembg model {variant!r}; known: {', '.join(MODELS)} "
                             "or a path to an .onnx file")
        self.name = f"rembg:{variant}"
        self.options = self.Options.parse(options, f"segmenter {self.name!r}")
        self.settings = settings or load_model_settings()
        check_installed()
        if is_custom(variant):
            path = Path(variant).expanduser()
            if not path.is_file():
                raise InputError(f"custom rembg model {str(path)!r} does not exist")
            self.model, self.path = ARCH_SESSION[self.options.arch], path
        else:
            self.model = variant
            self.path = weights.require(variant, self.settings)

    def session(self) -> Any:
        return session_for(self.model, self.path, ort_providers(self.settings))

    def predict_alpha(self, rgb: np.ndarray) -> np.ndarray:
        """alpha (H, W) float32 in [0, 1] for an (H, W, 3) uint8 RGB image."""
        from PIL import Image

        (mask,) = self.session().predict(Image.fromarray(rgb))[:1]
        alpha = np.asarray(mask.convert("L"), dtype=np.float32) / 255.0
        return alpha

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        """image: (H, W, 3|4) uint8. Returns alpha (H, W) float32 and foreground (H, W, 3)."""
        if prompt is not None and not prompt.empty:
            raise InputError(f"{self.name} does not take click points; use sam2:<size> or "
                             "auto to fix a mask with clicks")
        rgb = model_input(image)
        alpha = self.predict_alpha(rgb)
        fg = clean_edges(rgb, alpha) if self.options.clean_edges else None
        providers = self.session().inner_session.get_providers()
        return Mask(alpha=alpha, backend=self.name, foreground=fg,
                    info={"model": self.model, "weights": str(self.path),
                          "providers": list(providers)})
