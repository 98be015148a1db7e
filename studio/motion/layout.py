"""Where the character goes on the canvas: the union of its transformed outline over every frame,
scaled and centred so that it stays inside the canvas (minus margins) through the whole loop."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.motion.transforms import Pose, transform_points

MAX_OUTLINE_POINTS = 256


def outline_points(alpha: np.ndarray) -> np.ndarray:
    """(n, 2) float64 character px points on the convex hull of alpha > 0, densified along the
    edges (warps bend edges, so corners alone would miss the bulge). alpha: (h, w) float32."""
    mask = (alpha > 0).astype(np.uint8)
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    pts = np.concatenate([c.reshape(-1, 2) for c in contours]).astype(np.float32)
    hull = cv2.convexHull(pts).reshape(-1, 2).astype(np.float64)
    # pixel index (x, y) is the centre of a pixel covering ±0.5: include its corners
    hull = np.concatenate([hull + np.array([dx, dy]) for dx in (-0.5, 0.5) for dy in (-0.5, 0.5)])
    hull = cv2.convexHull(hull.astype(np.float32)).reshape(-1, 2).astype(np.float64)
    seg = np.roll(hull, -1, axis=0) - hull
    lengths = np.hypot(seg[:, 0], seg[:, 1])
    step = max(lengths.sum() / MAX_OUTLINE_POINTS, 1.0)
    out = [
        hull[i] + seg[i] * f
        for i in range(len(hull))
        for f in np.arange(0.0, 1.0, step / max(lengths[i], 1e-9))
    ]
    return np.array(out)


def bounds(points: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) of (n, 2) points."""
    return (
        float(points[:, 0].min()),
        float(points[:, 1].min()),
        float(points[:, 0].max()),
        float(points[:, 1].max()),
    )


def pose_bounds(
    pose: Pose, outline: np.ndarray, cw: float, ch: float
) -> tuple[float, float, float, float]:
    """Character-space bounds of the outline under a pose; clipped poses stop at the ground."""
    x0, y0, x1, y1 = bounds(transform_points(pose, outline, cw, ch))
    if pose.clip:
        y1 = min(y1, float(ch))
        y0 = min(y0, y1)
    return x0, y0, x1, y1


@dataclass(frozen=True)
class Layout:
    """matrix: (3, 3) character px → (supersampled) canvas px: a uniform scale and a shift."""

    matrix: np.ndarray

    @property
    def scale(self) -> float:
        return float(self.matrix[0, 0])

    def apply(self, x: float, y: float) -> tuple[float, float]:
        m = self.matrix
        return m[0, 0] * x + m[0, 2], m[1, 1] * y + m[1, 2]

    def box(self, b: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        x0, y0 = self.apply(b[0], b[1])
        x1, y1 = self.apply(b[2], b[3])
        return x0, y0, x1, y1


def fit(
    union: tuple[float, float, float, float],
    canvas: tuple[int, int],
    margins: tuple[float, float, float, float],
) -> Layout:
    """Scale and centre the union box (character px) into `canvas` (W, H px) inside
    `margins` (left, top, right, bottom px)."""
    x0, y0, x1, y1 = union
    W, H = canvas
    left, top, right, bottom = margins
    aw, ah = max(W - left - right, 1.0), max(H - top - bottom, 1.0)
    s = min(aw / max(x1 - x0, 1e-6), ah / max(y1 - y0, 1e-6))
    ox = left + aw / 2 - s * (x0 + x1) / 2
    oy = top + ah / 2 - s * (y0 + y1) / 2
    return Layout(np.array([[s, 0.0, ox], [0.0, s, oy], [0.0, 0.0, 1.0]]))
