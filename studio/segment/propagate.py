"""Carry a click prompt given on one frame to every frame of an animation.

Each frame is re-prompted with the points (and box) mapped through that frame's known motion:
a (2, 3) or (3, 3) affine, or any function mapping (N, 2) source-frame pixels to (N, 2) frame
pixels. With a promptable segmenter whose embeddings are cached (SAM 2), one click fixes the
whole animation for one encoder pass per frame. (transformers' Sam2VideoModel memory tracking
is not used: the animation's motion is known exactly, which is what its memory estimates.)

Each frame gets a confidence in [0, 1]: the model's score times how well the mask's area
agrees with the source frame's area scaled by the motion. Frames whose confidence is under
`min_confidence`, or more than `drop` under the median, are flagged so the refine tab can
point the user to them. When the motion is unknown, `motion_from_alpha` estimates a
translation + scale from two alpha masks (e.g. procedural frames, which have alpha).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from studio.errors import InputError
from studio.segment.base import Segmenter
from studio.types import Mask, Point, ProgressFn, Prompt

PointMap = Callable[[np.ndarray], np.ndarray]
Motion = np.ndarray | PointMap | None


@dataclass
class FrameMask:
    """One frame's result: its mask (None when every point left the frame), the prompt it
    was given, its confidence in [0, 1] and whether it is flagged for review."""

    index: int
    mask: Mask | None
    prompt: Prompt
    confidence: float
    flagged: bool = False
    reason: str = ""


@dataclass
class Propagation:
    source: int
    frames: list[FrameMask] = field(default_factory=list)

    @property
    def flagged(self) -> list[int]:
        """Indices of the frames to review."""
        return [f.index for f in self.frames if f.flagged]

    @property
    def confidences(self) -> list[float]:
        return [f.confidence for f in self.frames]


def as_point_map(motion: Motion) -> PointMap:
    """A function (N, 2) → (N, 2) for an affine (2, 3)/(3, 3), a function, or None (still)."""
    if motion is None:
        return lambda pts: np.asarray(pts, np.float64)
    if callable(motion):
        return motion
    m = np.asarray(motion, np.float64)
    if m.shape not in ((2, 3), (3, 3)):
        raise InputError(f"a frame's motion must be a (2, 3) or (3, 3) affine, got {m.shape}")
    a = m[:2]
    return lambda pts: np.asarray(pts, np.float64) @ a[:, :2].T + a[:, 2]


def area_scale(motion: Motion, near: tuple[float, float]) -> float:
    """How much `motion` scales areas around the point `near` (local Jacobian determinant)."""
    f = as_point_map(motion)
    x, y = near
    p = f(np.array([[x, y], [x + 1.0, y], [x, y + 1.0]]))
    j = np.stack([p[1] - p[0], p[2] - p[0]], 1)
    return float(abs(np.linalg.det(j)))


def map_prompt(prompt: Prompt, motion: Motion, size: tuple[int, int]) -> Prompt:
    """`prompt` moved through `motion` into a frame of `size` (width, height); points that
    land outside it are dropped; the box becomes the bounding box of its moved corners,
    clipped to the frame (dropped when nothing of it is left)."""
    w, h = size
    f = as_point_map(motion)
    points: list[Point] = []
    if prompt.points:
        moved = f(np.array([[p.x, p.y] for p in prompt.points], np.float64))
        for p, (x, y) in zip(prompt.points, moved, strict=True):
            if 0 <= x < w and 0 <= y < h:
                points.append(Point(float(x), float(y), p.include))
    box = None
    if prompt.box is not None:
        x0, y0, x1, y1 = prompt.box
        c = f(np.array([[x0, y0], [x1, y0], [x0, y1], [x1, y1]], np.float64))
        bx0, by0 = max(c[:, 0].min(), 0.0), max(c[:, 1].min(), 0.0)
        bx1, by1 = min(c[:, 0].max(), w - 1.0), min(c[:, 1].max(), h - 1.0)
        if bx1 > bx0 and by1 > by0:
            box = (float(bx0), float(by0), float(bx1), float(by1))
    return Prompt(tuple(points), box)


def motion_from_alpha(ref: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """(2, 3) affine (translation + uniform scale) taking `ref` (H, W) alpha's centroid and
    size to `alpha`'s; identity when either is empty."""
    def moments(a: np.ndarray) -> tuple[float, float, float] | None:
        m = a.astype(np.float64)
        s = m.sum()
        if s <= 1e-6:
            return None
        yy, xx = np.mgrid[: a.shape[0], : a.shape[1]]
        return float((xx * m).sum() / s), float((yy * m).sum() / s), float(s)

    r, c = moments(ref), moments(alpha)
    if r is None or c is None:
        return np.array([[1.0, 0, 0], [0, 1.0, 0]])
    k = float(np.sqrt(c[2] / r[2]))
    return np.array([[k, 0, c[0] - k * r[0]], [0, k, c[1] - k * r[1]]])


def propagate(segmenter: Segmenter, frames: Sequence[np.ndarray], prompt: Prompt,
              motions: Sequence[Motion] | None = None, *, source: int = 0,
              min_confidence: float = 0.5, drop: float = 0.2,
              progress: ProgressFn | None = None) -> Propagation:
    """Segment every frame with `prompt` (given on frame `source`) carried by its motion.

    frames: (H, W, 3|4) uint8 each; motions[i] maps source-frame pixels to frame i's
    (motions[source] should be the identity; None = no motion for every frame).
    Returns a Propagation with one FrameMask per frame, in order."""
    n = len(frames)
    if n == 0:
        raise InputError("give at least one frame to propagate a prompt over")
    if not 0 <= source < n:
        raise InputError(f"source frame must be between 0 and {n - 1}, got {source}")
    if prompt.empty:
        raise InputError("give at least one include point or a box to propagate")
    if motions is not None and len(motions) != n:
        raise InputError(f"give one motion per frame: {n} frames, {len(motions)} motions")
    if not segmenter.promptable:
        raise InputError(f"segmenter {segmenter.name!r} does not take click prompts")
    motions = list(motions) if motions is not None else [None] * n
    src_mask = segmenter.segment(frames[source], prompt)
    src_area = float(src_mask.alpha.sum())
    inc = [p for p in prompt.points if p.include]
    anchor = (inc[0].x, inc[0].y) if inc else _box_centre(prompt.box)
    out = Propagation(source=source)
    for i, frame in enumerate(frames):
        h, w = frame.shape[:2]
        if i == source:
            fp, mask = prompt, src_mask
        else:
            fp = map_prompt(prompt, motions[i], (w, h))
            if not any(p.include for p in fp.points) and fp.box is None:
                out.frames.append(FrameMask(i, None, fp, 0.0, True,
                                            "the clicked points left the frame"))
                _tick(progress, i + 1, n)
                continue
            mask = segmenter.segment(frame, fp)
        expected = src_area * area_scale(motions[i], anchor)
        area = float(mask.alpha.sum())
        agree = min(area, expected) / max(area, expected) if max(area, expected) > 0 else 0.0
        score = 1.0 if mask.score is None else float(mask.score)
        out.frames.append(FrameMask(i, mask, fp, round(score * agree, 4)))
        _tick(progress, i + 1, n)
    _flag(out, min_confidence, drop)
    return out


def _box_centre(box: tuple[float, float, float, float] | None) -> tuple[float, float]:
    assert box is not None
    return (box[0] + box[2]) / 2, (box[1] + box[3]) / 2


def _tick(progress: ProgressFn | None, done: int, total: int) -> None:
    if progress is not None:
        progress(done, total, "propagate")


def _flag(out: Propagation, min_confidence: float, drop: float) -> None:
    scored = [f.confidence for f in out.frames if f.mask is not None]
    median = float(np.median(scored)) if scored else 0.0
    for f in out.frames:
        if f.mask is None:
            continue
        if f.confidence < min_confidence:
            f.flagged, f.reason = True, f"confidence {f.confidence:.2f} < {min_confidence:.2f}"
        elif f.confidence < median - drop:
            f.flagged, f.reason = True, (f"confidence {f.confidence:.2f} dropped below the "
                                         f"median {median:.2f}")
