"""The per-frame edits of part moves on a premultiplied float32 source (see animate.py): an
eyelid closing, a pupil looking aside, a mouth opening, a limb turning rigidly or bending.
Each works in place on a region of interest."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

MOUTH_GAIN = 0.9  # talk at amount 1 stretches a small mouth to 1.9× its height
MOUTH_DROP = 0.3  # …and a big one by at most this × its width (a grin stays in the face)


@dataclass
class EyeEdit:
    roi: tuple[int, int, int, int]  # y0, y1, x0, x1 in padded src px
    region: np.ndarray  # float32 (h, w): what the lid covers (the white of the eye, or the eye)
    pupil: np.ndarray  # float32 (h, w): the dark eye / pupil
    lid: np.ndarray  # (3,) float32 0-1, face colour
    fill: np.ndarray  # (3,) colour behind a pupil that looks aside
    ink: np.ndarray  # (3,) lash line colour
    top: np.ndarray  # (w,) first row of the region per column (nan where empty)
    bottom: np.ndarray
    travel: float  # px a pupil may move each way
    line: float  # lash line thickness, px


@dataclass
class LimbEdit:
    roi: tuple[int, int, int, int]
    layer: np.ndarray  # premultiplied (h, w, 4): the limb alone (rigid limbs)
    pivot: tuple[float, float]  # in roi px
    weight: np.ndarray | None = None  # (h, w) share of the turn per px (bending limbs)
    gain: float = 1.0  # bending limbs: the curve's angle × gain (≤ BEND_MAX_DEG)
    grid: tuple[np.ndarray, np.ndarray] | None = None  # float32 (h, w) x, y from the pivot


@dataclass
class MouthEdit:
    roi: tuple[int, int, int, int]
    layer: np.ndarray
    top: float  # roi row of the mouth's top edge
    # a mouth drawn as a line opens a dark cavity under it instead of stretching:
    line: tuple[float, float, float, float] | None = None  # centre x, y, half-width, depth px
    cavity: np.ndarray | None = None  # (3,) colour 0-1
    gain: float = MOUTH_GAIN  # a filled mouth stretches to (1 + gain × amount) × its height



def over_layer(dst: np.ndarray, layer: np.ndarray) -> None:
    dst *= 1.0 - layer[..., 3:4]
    dst += layer


def smooth_profile(y: np.ndarray, has: np.ndarray) -> np.ndarray:
    """A per-column edge profile with its pixel steps smoothed (nan where `has` is False)."""
    y = y.astype(np.float32)
    if has.sum() < 3:
        return y
    filled = np.where(has, y, np.interp(np.arange(len(y)), np.flatnonzero(has), y[has]))
    sigma = max(1.0, 0.06 * has.sum())
    smooth = cv2.GaussianBlur(filled.reshape(1, -1).astype(np.float32), (0, 0), sigma,
                              borderType=cv2.BORDER_REPLICATE).ravel()
    return np.where(has, smooth, np.nan).astype(np.float32)


def smoothstep(x: np.ndarray) -> np.ndarray:
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3 - 2 * x)


def turn_limb(out: np.ndarray, limb: LimbEdit, degrees: float) -> None:
    y0, y1, x0, x1 = limb.roi
    if limb.weight is not None:
        if abs(degrees) > 1e-3:
            bend_limb(out[y0:y1, x0:x1], limb, degrees * limb.gain)
        return
    layer = limb.layer
    if abs(degrees) > 1e-3:
        m = cv2.getRotationMatrix2D(limb.pivot, -degrees, 1.0)  # cv2: + is counter-clockwise
        layer = cv2.warpAffine(layer, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                               borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    over_layer(out[y0:y1, x0:x1], layer)


def bend_limb(patch: np.ndarray, limb: LimbEdit, degrees: float) -> None:
    """Turn the pixels of `patch` about the pivot by degrees × weight (backward mapping)."""
    assert limb.weight is not None and limb.grid is not None
    a = np.float32(math.radians(degrees)) * limb.weight
    px, py = np.float32(limb.pivot[0]), np.float32(limb.pivot[1])
    qx, qy = limb.grid
    c, s = np.cos(a), np.sin(a)
    mx = px + c * qx + s * qy
    my = py - s * qx + c * qy
    patch[:] = cv2.remap(np.ascontiguousarray(patch), mx, my, cv2.INTER_LINEAR,
                         borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))


def open_mouth(out: np.ndarray, mouth: MouthEdit, amount: float) -> None:
    y0, y1, x0, x1 = mouth.roi
    if mouth.line is not None and mouth.cavity is not None:
        cx, cy, half, depth = mouth.line
        ax = half * (0.6 + 0.4 * min(amount, 1.0))
        ay = max(depth * amount, 0.5)
        yy, xx = np.mgrid[0 : y1 - y0, 0 : x1 - x0].astype(np.float32)
        r = np.sqrt(((xx - cx) / ax) ** 2 + ((yy - cy) / ay) ** 2)
        inside = np.clip((1.0 - r) * min(ax, ay) + 0.5, 0, 1) * np.clip(yy - cy + 1.0, 0, 1)
        paint(out[y0:y1, x0:x1], inside, mouth.cavity)
        over_layer(out[y0:y1, x0:x1], mouth.layer)  # the line stays on top
        return
    s = 1.0 + mouth.gain * amount
    m = np.array([[1.0, 0.0, 0.0], [0.0, s, mouth.top * (1 - s)]])
    layer = cv2.warpAffine(mouth.layer, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    layer *= out[y0:y1, x0:x1, 3:4]  # the mouth never grows out of the face
    over_layer(out[y0:y1, x0:x1], layer)


def paint(patch: np.ndarray, mask: np.ndarray, colour: np.ndarray) -> None:
    """Opaque `colour` (3,) 0-1 over the premultiplied patch with coverage mask (h, w)."""
    m = mask[..., None]
    patch *= 1 - m
    patch[..., :3] += colour * m
    patch[..., 3:] += m


def look_aside(out: np.ndarray, src: np.ndarray, eye: EyeEdit, x: float) -> None:
    y0, y1, x0, x1 = eye.roi
    patch = out[y0:y1, x0:x1]
    paint(patch, eye.pupil, eye.fill)
    layer = src[y0:y1, x0:x1] * eye.pupil[..., None]
    m = np.array([[1.0, 0.0, x * eye.travel], [0.0, 1.0, 0.0]])
    layer = cv2.warpAffine(layer, m, (x1 - x0, y1 - y0), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0))
    layer *= eye.region[..., None]
    over_layer(patch, layer)


def close_lid(out: np.ndarray, eye: EyeEdit, closure: float) -> None:
    y0, y1, x0, x1 = eye.roi
    patch = out[y0:y1, x0:x1]
    rows = np.arange(y1 - y0, dtype=np.float32)[:, None] + 0.5
    valid = ~np.isnan(eye.top)
    top = np.where(valid, eye.top, 0)
    edge = top + closure * (np.where(valid, eye.bottom, 0) - top + 1.0)
    lid = eye.region * np.clip(edge[None, :] - rows + 0.5, 0, 1) * valid[None, :]
    paint(patch, lid, eye.lid)
    strength = min(1.0, 2.0 * closure)
    half = eye.line / 2
    slope = np.gradient(np.where(valid, edge, np.nan)) if valid.sum() > 1 else np.zeros_like(edge)
    stretch = np.sqrt(1.0 + np.nan_to_num(slope) ** 2)  # distance across the line, not down
    across = np.abs(rows - edge[None, :]) / stretch[None, :]
    line = np.clip(half + 0.5 - across, 0, 1) * valid[None, :]
    near = cv2.dilate(eye.region, np.ones((3, 3), np.uint8))
    paint(patch, line * near * strength, eye.ink)
