"""Small drawn test inputs shared by the tests."""

from __future__ import annotations

import numpy as np


def face_rgba(size: int = 96) -> np.ndarray:
    """A small opaque-edged face on transparent: RGBA uint8 (size, size, 4)."""
    import cv2

    img = np.zeros((size, size, 4), np.uint8)
    c = size // 2
    cv2.circle(img, (c, c), int(size * 0.38), (250, 200, 60, 255), -1, cv2.LINE_AA)
    cv2.circle(
        img, (c - size // 8, c - size // 10), max(2, size // 16), (40, 30, 30, 255), -1, cv2.LINE_AA
    )
    cv2.circle(
        img, (c + size // 8, c - size // 10), max(2, size // 16), (40, 30, 30, 255), -1, cv2.LINE_AA
    )
    return img
