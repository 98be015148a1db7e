"""Per-frame transforms of the character: rigid deltas, non-rigid warps, and their composition.

Character space is the pixel grid of the cut-out cropped to its alpha bbox: x right, y down,
origin at the crop's top-left, size (cw, ch). Move amounts are in units of the crop height
``ch`` ("unit"), angles in degrees with positive = clockwise on screen.

A warp is a displacement field ``warp(u, v) -> (dx, dy)`` over normalised coordinates
``u = (x - cw/2) / ch`` (0 at the horizontal centre) and ``v = y / ch`` (0 top, 1 bottom),
returning displacements in units of ``ch``. Warps are applied before the rigid transform.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import numpy as np

WarpFn = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

MIN_SCALE = 0.02  # |scale| is kept above this so every transform stays invertible


@dataclass(frozen=True)
class Delta:
    """One move's contribution at one instant (identity by default).

    tx, ty: translation in units of the crop height; angle: degrees clockwise;
    sx, sy: scale about the move's pivot; warp: optional displacement field;
    clip: hide whatever goes below the resting ground line (peek).
    """

    tx: float = 0.0
    ty: float = 0.0
    angle: float = 0.0
    sx: float = 1.0
    sy: float = 1.0
    warp: WarpFn | None = None
    clip: bool = False

    def scaled(self, w: float) -> Delta:
        """This delta blended towards identity: w=1 unchanged, w=0 identity."""
        if w >= 1.0:
            return self
        warp = None
        if self.warp is not None:
            inner = self.warp

            def warp(u: np.ndarray, v: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
                dx, dy = inner(u, v)
                return dx * w, dy * w

        return replace(
            self,
            tx=self.tx * w,
            ty=self.ty * w,
            angle=self.angle * w,
            sx=1.0 + (self.sx - 1.0) * w,
            sy=1.0 + (self.sy - 1.0) * w,
            warp=warp,
        )


@dataclass
class Pose:
    """The character's full transform at one instant.

    matrix: (3, 3) float64 affine, character px → character px (before layout).
    warps: displacement fields applied before the matrix (summed).
    clip: hide what goes below the resting ground line.
    """

    matrix: np.ndarray = field(default_factory=lambda: np.eye(3))
    warps: tuple[WarpFn, ...] = ()
    clip: bool = False


def _safe(s: float) -> float:
    return math.copysign(max(abs(s), MIN_SCALE), s if s != 0 else 1.0)


def delta_matrix(d: Delta, pivot: tuple[float, float], unit: float) -> np.ndarray:
    """(3, 3) affine of a delta about `pivot` (character px); translations scaled by `unit`."""
    px, py = pivot
    a = math.radians(d.angle)
    c, s = math.cos(a), math.sin(a)
    sx, sy = _safe(d.sx), _safe(d.sy)
    rs = np.array([[c * sx, -s * sy], [s * sx, c * sy]])
    m = np.eye(3)
    m[:2, :2] = rs
    m[:2, 2] = np.array([px + d.tx * unit, py + d.ty * unit]) - rs @ np.array([px, py])
    return m


def compose(parts: list[tuple[Delta, tuple[float, float]]], unit: float) -> Pose:
    """Compose (delta, pivot px) pairs in order (the first is applied first) into a Pose."""
    m = np.eye(3)
    warps: list[WarpFn] = []
    clip = False
    for d, pivot in parts:
        m = delta_matrix(d, pivot, unit) @ m
        if d.warp is not None:
            warps.append(d.warp)
        clip = clip or d.clip
    return Pose(m, tuple(warps), clip)


def displacement(
    warps: tuple[WarpFn, ...], x: np.ndarray, y: np.ndarray, cw: float, ch: float
) -> tuple[np.ndarray, np.ndarray]:
    """Summed warp displacement (px) at character px coordinates x, y (any equal shapes)."""
    u = (x - cw * 0.5) / ch
    v = y / ch
    dx = np.zeros_like(x, dtype=np.float64)
    dy = np.zeros_like(y, dtype=np.float64)
    for w in warps:
        ddx, ddy = w(u, v)
        dx = dx + ddx * ch
        dy = dy + ddy * ch
    return dx, dy


def transform_points(pose: Pose, pts: np.ndarray, cw: float, ch: float) -> np.ndarray:
    """Forward-map (n, 2) character px points through the pose's warps and matrix."""
    x = pts[:, 0].astype(np.float64)
    y = pts[:, 1].astype(np.float64)
    if pose.warps:
        dx, dy = displacement(pose.warps, x, y, cw, ch)
        x, y = x + dx, y + dy
    m = pose.matrix
    return np.stack([m[0, 0] * x + m[0, 1] * y + m[0, 2], m[1, 0] * x + m[1, 1] * y + m[1, 2]], 1)


def max_scale(m: np.ndarray) -> float:
    """The largest singular value of an affine's linear part (how much it magnifies)."""
    return float(np.linalg.norm(m[:2, :2], 2))
