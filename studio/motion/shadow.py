"""A soft ground shadow: an ellipse under the character that shrinks and fades as it lifts."""

from __future__ import annotations

import cv2
import numpy as np

from studio.motion.alpha import over

WIDTH = 0.75  # shadow width as a fraction of the character's resting width
ASPECT = 0.16  # height / width
OPACITY = 0.35
SOFTNESS = 0.35  # blur sigma as a fraction of the shadow height


def extent_points(cw: float, ch: float) -> np.ndarray:
    """(2, 2) character-space corners bounding the resting shadow (for the layout)."""
    hw = 0.5 * WIDTH * cw
    hh = 0.5 * ASPECT * WIDTH * cw * (1 + 3 * SOFTNESS)
    cx = cw * 0.5
    return np.array([[cx - hw, ch - hh], [cx + hw, ch + hh]])


def draw_shadow(
    canvas: np.ndarray, cx: float, ground_y: float, rest_width: float, lift: float
) -> None:
    """Composite the shadow onto premultiplied float32 `canvas` (H, W, 4), in place.

    cx, ground_y: canvas px of the shadow centre; rest_width: character width in canvas px;
    lift: how high the character is off the ground, as a fraction of its height (0 = resting).
    """
    lift = float(np.clip(lift, 0.0, 1.0))
    w = WIDTH * rest_width * (1.0 - 0.5 * lift)
    h = ASPECT * w
    opacity = OPACITY * (1.0 - 0.6 * lift)
    if w < 1 or opacity <= 0:
        return
    sigma = max(0.8, SOFTNESS * h)
    pad = int(np.ceil(3 * sigma)) + 2
    H, W = canvas.shape[:2]
    x0, x1 = max(0, int(cx - w / 2) - pad), min(W, int(cx + w / 2) + pad + 1)
    y0, y1 = max(0, int(ground_y - h / 2) - pad), min(H, int(ground_y + h / 2) + pad + 1)
    if x1 <= x0 or y1 <= y0:
        return
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    centre = (round((cx - x0) * 16), round((ground_y - y0) * 16))
    axes = (max(1, round(w / 2 * 16)), max(1, round(h / 2 * 16)))
    cv2.ellipse(mask, centre, axes, 0, 0, 360, 255, -1, cv2.LINE_AA, 4)
    cov = cv2.GaussianBlur(mask.astype(np.float32) * (opacity / 255.0), (0, 0), sigma)
    layer = np.zeros((y1 - y0, x1 - x0, 4), np.float32)
    layer[..., 3] = cov  # black shadow: premultiplied colour stays 0
    roi = canvas[y0:y1, x0:x1]
    over(roi, layer)
