"""Hugging Face ZeroGPU: a `spaces.GPU` shim and the in-process GPU entry points.

On a ZeroGPU Space (``SPACES_ZERO_GPU`` set) `gpu` is ``spaces.GPU``: the decorated
function gets a GPU for its call. Anywhere else it returns the function unchanged and never
imports ``spaces``. It works bare (``@gpu``) and with arguments (``@gpu(duration=60)``).

ZeroGPU runs the decorated call in another process, so arguments and results must pickle:
the entry points below take and return numpy arrays, plain dicts and dataclasses of them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, overload

import numpy as np

from studio.remote.warm import warm_backend
from studio.types import Mask, Prompt

F = TypeVar("F", bound=Callable[..., Any])


def on_zerogpu(env: dict[str, str] | None = None) -> bool:
    """True on a Hugging Face Space with ZeroGPU hardware."""
    env = dict(os.environ) if env is None else env
    flag = env.get("SPACES_ZERO_GPU", "").strip().lower()
    return bool(env.get("SPACE_ID")) and flag not in ("", "0", "false", "no", "off")


@overload
def gpu(fn: F, *, duration: float | Callable[..., float] | None = None) -> F: ...
@overload
def gpu(
    fn: None = None, *, duration: float | Callable[..., float] | None = None
) -> Callable[[F], F]: ...
def gpu(
    fn: F | None = None, *, duration: float | Callable[..., float] | None = None
) -> F | Callable[[F], F]:
    """``spaces.GPU`` on ZeroGPU, a no-op elsewhere; `duration` is the expected seconds."""
    if fn is None:
        return lambda f: gpu(f, duration=duration)
    if not on_zerogpu():
        return fn
    import spaces  # only on a Space, where the SDK provides it

    return spaces.GPU(duration=duration)(fn) if duration is not None else spaces.GPU(fn)


@gpu(duration=60)
def segment_on_gpu(
    name: str, image: np.ndarray, prompt: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
) -> Mask:
    """Segment (H, W, 3|4) uint8 `image` with the warm backend `name` (prompt as
    Prompt.to_dict()); returns its Mask (alpha (H, W) float32)."""
    warm = warm_backend("segmenter", name, options)
    with warm.lock:
        return warm.backend.segment(image, Prompt.from_dict(prompt) if prompt else None)


@gpu(duration=120)
def segment_many_on_gpu(
    name: str, images: Sequence[np.ndarray], options: dict[str, Any] | None = None
) -> list[Mask]:
    """Segment several frames in one GPU allocation (one call, one model load)."""
    warm = warm_backend("segmenter", name, options)
    with warm.lock:
        batch = getattr(warm.backend, "segment_batch", None)
        if batch is not None:
            from studio.executor import values_or_raise

            return values_or_raise(batch(list(images)), "masks")
        return [warm.backend.segment(im) for im in images]
