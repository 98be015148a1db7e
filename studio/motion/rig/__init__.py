"""The automatic rig: parts of a flat-drawn character (eyes, mouth, ears, arms, legs, tail),
found on the cut-out without a model, stored as data in the project, editable by the user.

    rig = detect_rig(cutout_rgba)          # Rig(size, parts, notes)
    rig.to_dict()                          # JSON for the project manifest
"""

from __future__ import annotations

from studio.motion.rig.detect import detect_rig
from studio.motion.rig.model import PART_KINDS, Part, Rig

__all__ = ["PART_KINDS", "Part", "Rig", "detect_rig"]
