"""Anti-aliased vector shapes drawn into a premultiplied float32 canvas (H, W, 4).

Geometry functions return (n, 2) float64 canvas px outlines (curves sampled finely); `fill` and
`stroke` rasterise them with OpenCV's LINE_AA at 1/16 px precision into an 8-bit coverage mask
over the shape's bounding box only, then composite the colour through that coverage.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

SHIFT = 4
ONE = 1 << SHIFT
Rgb = tuple[float, float, float]


def _roi(canvas: np.ndarray, pts: np.ndarray, pad: float) -> tuple[int, int, int, int] | None:
    H, W = canvas.shape[:2]
    x0 = max(0, math.floor(pts[:, 0].min() - pad))
    y0 = max(0, math.floor(pts[:, 1].min() - pad))
    x1 = min(W, math.ceil(pts[:, 0].max() + pad) + 1)
    y1 = min(H, math.ceil(pts[:, 1].max() + pad) + 1)
    return None if x1 <= x0 or y1 <= y0 else (x0, y0, x1, y1)


def _fixed(pts: np.ndarray, x0: int, y0: int) -> np.ndarray:
    return np.rint((pts - [x0, y0]) * ONE).astype(np.int32)


def _composite(roi: np.ndarray, mask: np.ndarray, rgb: Rgb, opacity: float) -> None:
    cov = mask.astype(np.float32) * (float(opacity) / 255.0)
    keep = 1.0 - cov
    for ch in range(3):
        roi[..., ch] = roi[..., ch] * keep + rgb[ch] * cov
    roi[..., 3] = roi[..., 3] * keep + cov


def fill(canvas: np.ndarray, polys: list[np.ndarray], rgb: Rgb, opacity: float = 1.0) -> None:
    """Fill closed outlines (canvas px) with colour rgb (0..1) at `opacity`, anti-aliased."""
    if opacity <= 0 or not polys:
        return
    box = _roi(canvas, np.concatenate(polys), 2)
    if box is None:
        return
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.fillPoly(mask, [_fixed(p, x0, y0) for p in polys], 255, cv2.LINE_AA, SHIFT)
    _composite(canvas[y0:y1, x0:x1], mask, rgb, opacity)


def stroke(
    canvas: np.ndarray,
    lines: list[np.ndarray],
    width: float,
    rgb: Rgb,
    opacity: float = 1.0,
    closed: bool = False,
) -> None:
    """Stroke polylines (canvas px) `width` px wide with round-ish AA ends."""
    if opacity <= 0 or not lines:
        return
    w = max(1, round(width))
    box = _roi(canvas, np.concatenate(lines), w / 2 + 2)
    if box is None:
        return
    x0, y0, x1, y1 = box
    mask = np.zeros((y1 - y0, x1 - x0), np.uint8)
    cv2.polylines(mask, [_fixed(p, x0, y0) for p in lines], closed, 255, w, cv2.LINE_AA, SHIFT)
    _composite(canvas[y0:y1, x0:x1], mask, rgb, opacity)


def bezier(p0: np.ndarray, p1: np.ndarray, p2: np.ndarray, p3: np.ndarray, n: int = 24):
    """(n, 2) points on a cubic Bézier curve."""
    t = np.linspace(0.0, 1.0, n)[:, None]
    pts = [np.asarray(p, np.float64) for p in (p0, p1, p2, p3)]
    return (
        (1 - t) ** 3 * pts[0]
        + 3 * (1 - t) ** 2 * t * pts[1]
        + 3 * (1 - t) * t**2 * pts[2]
        + t**3 * pts[3]
    )


def _place(xs: np.ndarray, ys: np.ndarray, cx: float, cy: float, r: float, rot: float):
    c, s = math.cos(math.radians(rot)), math.sin(math.radians(rot))
    return np.stack([cx + r * (c * xs - s * ys), cy + r * (s * xs + c * ys)], 1)


def sparkle(cx: float, cy: float, r: float, rot: float = 0.0, n: int = 64) -> np.ndarray:
    """A four-pointed sparkle (astroid with a little body) of radius r."""
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    k = 0.12
    xs = np.sign(np.cos(t)) * np.abs(np.cos(t)) ** 3 * (1 - k) + k * np.cos(t)
    ys = np.sign(np.sin(t)) * np.abs(np.sin(t)) ** 3 * (1 - k) + k * np.sin(t)
    return _place(xs, ys, cx, cy, r, rot)


def heart(cx: float, cy: float, r: float, rot: float = 0.0, n: int = 72) -> np.ndarray:
    """A heart of half-width r centred on (cx, cy)."""
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    xs = 16 * np.sin(t) ** 3 / 16.0
    ys = -(13 * np.cos(t) - 5 * np.cos(2 * t) - 2 * np.cos(3 * t) - np.cos(4 * t)) / 16.0
    return _place(xs, ys + 0.1, cx, cy, r, rot)


def drop(cx: float, cy: float, r: float, rot: float = 0.0, n: int = 64) -> np.ndarray:
    """A tear/sweat drop, tip up, round bottom of radius ~r centred on (cx, cy)."""
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    xs = np.sin(t) * np.sin(t / 2) ** 1.2
    ys = -np.cos(t) * 1.3
    return _place(xs, ys, cx, cy, r, rot)


def ellipse(cx: float, cy: float, rx: float, ry: float, rot: float = 0.0, n: int = 48):
    """An ellipse outline with radii (rx, ry) rotated by `rot` degrees."""
    t = np.linspace(0, 2 * math.pi, n, endpoint=False)
    return _place(np.cos(t) * rx, np.sin(t) * ry, cx, cy, 1.0, rot)


def zee(cx: float, cy: float, r: float, rot: float = 0.0) -> np.ndarray:
    """A 'Z' polyline (stroke it) of half-size r."""
    xs = np.array([-0.8, 0.8, -0.8, 0.8])
    ys = np.array([-1.0, -1.0, 1.0, 1.0])
    return _place(xs, ys, cx, cy, r, rot)


def anger(cx: float, cy: float, r: float) -> list[np.ndarray]:
    """The four bent strokes of an anger mark (stroke them)."""
    out = []
    for sx in (-1, 1):
        for sy in (-1, 1):
            p0 = np.array([cx + sx * 0.25 * r, cy + sy * r])
            p3 = np.array([cx + sx * r, cy + sy * 0.25 * r])
            k = np.array([cx + sx * 0.3 * r, cy + sy * 0.3 * r])
            out.append(bezier(p0, (p0 + 2 * k) / 3, (p3 + 2 * k) / 3, p3, 16))
    return out


def note(cx: float, cy: float, r: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """An eighth note with its head at (cx, cy): (head outline, stem polyline, flag polyline)."""
    head = ellipse(cx, cy, 0.55 * r, 0.4 * r, -20)
    sx = cx + 0.48 * r
    stem = np.array([[sx, cy - 0.1 * r], [sx, cy - 1.8 * r]])
    top = np.array([sx, cy - 1.8 * r])
    off = np.array([[0.1, 0.5], [0.8, 0.5], [0.6, 1.2]]) * r
    flag = bezier(top, top + off[0], top + off[1], top + off[2])
    return head, stem, flag
