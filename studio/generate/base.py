"""The Generator protocol every generator backend implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from studio.errors import InputError
from studio.types import Candidate, MotionSpec, ProgressFn, Slot, Source


@runtime_checkable
class Generator(Protocol):
    """Turns (source cut-out, MotionSpec, K, seed) into slots, and redoes one slot.

    name: the registry name ("procedural", "diffusers:wan2.2-i2v", "remote").
    produces_alpha: True when candidates come back RGBA (no segmentation needed).
    size: (width, height) of the frames to render.
    """

    name: str
    produces_alpha: bool

    def generate(
        self,
        source: Source,
        spec: MotionSpec,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
        progress: ProgressFn | None = None,
    ) -> list[Slot]: ...

    def regenerate(
        self,
        source: Source,
        spec: MotionSpec,
        slot: int,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
    ) -> list[Candidate]: ...


def check_slot(slot: object, spec: MotionSpec) -> int:
    """`slot` if it is a frame index of `spec`; InputError echoing the bad value otherwise."""
    if isinstance(slot, bool) or not isinstance(slot, int) or not 0 <= slot < spec.frames:
        raise InputError(f"slot must be between 0 and {spec.frames - 1}, got {slot!r}")
    return slot
