"""Small drawn test inputs shared by the tests."""

from __future__ import annotations

from pathlib import Path

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


def empty_image(name: str, folder: Path) -> Path:
    """An image with no character, of the kinds in ../shared/field-cases: `all-white`
    (256×256 RGB, every pixel 255) or `all-transparent` (256×256 RGBA, every pixel 0).
    The shared file is used when it is there; otherwise the same image is drawn into
    `folder`, so the tests do not depend on ../shared being beside the clone."""
    shared = Path(__file__).resolve().parents[1].parent / "shared" / "field-cases" / f"{name}.png"
    if shared.is_file():
        return shared
    from PIL import Image

    kinds = {"all-white": ("RGB", (255, 255, 255)), "all-transparent": ("RGBA", (0, 0, 0, 0))}
    mode, colour = kinds[name]
    path = folder / f"{name}.png"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        Image.new(mode, (256, 256), colour).save(path)
    return path
