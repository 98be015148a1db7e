"""detect_rig: the automatic rig of a cut-out (eyes, mouth, face, ears, arms, legs, tail).

Parts the detector is unsure of are left out and named in ``Rig.notes``; a user adds or
fixes them in the studio (see studio/rig_edit.py).
"""

from __future__ import annotations

import math

import numpy as np

from studio.errors import InputError
from studio.motion.rig.features import eye_parts, mouth_part, prepare
from studio.motion.rig.limbs import limb_parts
from studio.motion.rig.model import Part, Rig


def detect_rig(cutout: np.ndarray) -> Rig:
    """The rig of a cut-out: RGBA uint8 (H, W, 4) with the character's alpha.

    Raises InputError for a wrong array or a fully transparent cut-out. Runs in about
    50-150 ms on a CPU (all work at 256 px)."""
    if not isinstance(cutout, np.ndarray) or cutout.ndim != 3 or cutout.shape[2] != 4:
        raise InputError(f"the rig needs an RGBA cut-out (H, W, 4), got "
                         f"{getattr(cutout, 'shape', None)}")
    if cutout.dtype != np.uint8:
        raise InputError(f"the rig needs a uint8 cut-out, got dtype {cutout.dtype}")
    size = (int(cutout.shape[1]), int(cutout.shape[0]))
    work = prepare(cutout)
    if work is None:
        raise InputError("the cut-out is (almost) fully transparent: there is nothing to rig")
    eyes, notes, blobs = eye_parts(work)
    parts: list[Part] = list(eyes)
    if blobs is not None:
        mouth, mnotes = mouth_part(work, blobs)
        parts += mouth
        notes += mnotes
        parts.append(face_part(eyes, mouth))
    avoid = [(b.cx, b.cy) for b in blobs] if blobs is not None else []
    limbs, lnotes = limb_parts(work, avoid)
    parts += limbs
    notes += lnotes
    if not limbs:
        notes.append("no ears, arms, legs or tail stick out of the silhouette")
    return Rig(size, tuple(parts), tuple(notes))


def face_part(eyes: list[Part], mouth: list[Part]) -> Part:
    """An ellipse around the eyes (and mouth): where the face is, for display and editing."""
    (lx, ly), (rx, ry) = eyes[0].pivot, eyes[1].pivot
    d = math.hypot(rx - lx, ry - ly)
    cx, cy = (lx + rx) / 2, (ly + ry) / 2 + 0.3 * d
    ax, ay = 1.1 * d, 0.95 * d
    if mouth:
        my = mouth[0].pivot[1]
        ay = max(ay, (my - cy) + 0.4 * d)
    t = np.linspace(0, 2 * math.pi, 32, endpoint=False)
    outline = tuple((float(cx + ax * math.cos(a)), float(cy + ay * math.sin(a))) for a in t)
    return Part("face", "face", (cx, cy), outline, min(e.score for e in eyes), "auto")
