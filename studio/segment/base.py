"""The Segmenter protocol every segmentation backend implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from studio.types import Mask, Prompt


@runtime_checkable
class Segmenter(Protocol):
    """Turns an image into a Mask.

    name: the registry name ("classical", "rembg:isnet-anime", "sam2:tiny", "remote:birefnet").
    promptable: True when include/exclude points change the result.
    segment(image): image is (H, W, 3) or (H, W, 4) uint8 RGB(A); the returned Mask has
        alpha (H, W) float32 in [0, 1] of the same size.
    """

    name: str
    promptable: bool

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask: ...
