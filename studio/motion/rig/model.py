"""The rig as data: named parts of the character, each with a pivot and an outline.

Coordinates are pixels of the cut-out the rig was found on (x right, y down, origin at the
top-left of the whole cut-out image, not of its alpha bbox). A part's mask is its outline
polygon, so a rig is small JSON that lives in the project manifest and a user can edit it.

    rig = Rig(size=(384, 384), parts=(Part("eye-l", "eye", (140.0, 170.0), outline), ...))
    Rig.from_dict(rig.to_dict()) == rig
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from studio.errors import InputError

RIG_VERSION = 1

# part kind → what it is; "face" is informative (shown on the source), the others move
PART_KINDS: dict[str, str] = {
    "face": "the face region around the eyes and mouth",
    "eye": "an eye (a dark, roughly elliptic region; blinks and looks aside)",
    "mouth": "the mouth (opens and closes)",
    "ear": "an ear or antenna on top (wiggles)",
    "arm": "an arm, paw, wing or hand on a side (waves)",
    "leg": "a leg or foot at the bottom",
    "tail": "a tail (wags)",
}


@dataclass(frozen=True)
class Part:
    """One part of the rig.

    id: unique in the rig ("eye-l", "arm-1"); kind: a key of PART_KINDS; pivot: (x, y) px,
    the point it turns about (limbs: the middle of the join with the body; eyes and mouth:
    their centre); outline: (n, 2) float polygon in px, n ≥ 3; score: detection confidence
    in [0, 1] (1 for parts a user placed); source: "auto" or "user".
    """

    id: str
    kind: str
    pivot: tuple[float, float]
    outline: tuple[tuple[float, float], ...]
    score: float = 1.0
    source: str = "auto"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in PART_KINDS:
            raise InputError(
                f"unknown part kind {self.kind!r}; known kinds: {', '.join(PART_KINDS)}"
            )
        if len(self.outline) < 3:
            raise InputError(f"part {self.id!r} needs an outline of at least 3 points")
        # stored rounded to 1/100 px, so a rig equals itself after a trip through JSON
        object.__setattr__(self, "pivot", (_r(self.pivot[0]), _r(self.pivot[1])))
        object.__setattr__(self, "outline", tuple((_r(x), _r(y)) for x, y in self.outline))
        object.__setattr__(self, "score", round(float(self.score), 3))

    @property
    def points(self) -> np.ndarray:
        """The outline as a (n, 2) float64 array in px."""
        return np.asarray(self.outline, np.float64)

    def bbox(self) -> tuple[float, float, float, float]:
        """(x0, y0, x1, y1) of the outline in px."""
        p = self.points
        return float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(
            p[:, 1].max()
        )

    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.bbox()
        return (x0 + x1) / 2, (y0 + y1) / 2

    def mask(self, shape: tuple[int, int], scale: float = 1.0,
             offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
        """float32 (h, w) in [0, 1]: the outline filled (anti-aliased) on a grid where
        grid px = (rig px - offset) * scale."""
        return polygon_mask(self.points, shape, scale, offset)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "id": self.id,
            "kind": self.kind,
            "pivot": list(self.pivot),
            "outline": [list(p) for p in self.outline],
            "score": self.score,
            "source": self.source,
        }
        if self.extra:
            d["extra"] = self.extra
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Part:
        try:
            return cls(
                id=str(d["id"]),
                kind=str(d["kind"]),
                pivot=(float(d["pivot"][0]), float(d["pivot"][1])),
                outline=tuple((float(x), float(y)) for x, y in d["outline"]),
                score=float(d.get("score", 1.0)),
                source=str(d.get("source", "auto")),
                extra=dict(d.get("extra", {})),
            )
        except (KeyError, TypeError, ValueError, IndexError) as e:
            raise InputError(f"a rig part must have id, kind, pivot [x, y] and outline "
                             f"[[x, y], ...]; got {d!r} ({e})") from None


@dataclass(frozen=True)
class Rig:
    """All parts found on one cut-out of size (width, height) px; `notes` say what was left
    out and why (shown to the user)."""

    size: tuple[int, int]
    parts: tuple[Part, ...] = ()
    notes: tuple[str, ...] = ()

    def of_kind(self, kind: str) -> list[Part]:
        return [p for p in self.parts if p.kind == kind]

    def get(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        known = ", ".join(p.id for p in self.parts) or "none"
        raise InputError(f"the rig has no part {part_id!r}; its parts: {known}")

    def with_part(self, part: Part) -> Rig:
        """This rig with `part` replacing the part of the same id (or added)."""
        parts = [p for p in self.parts if p.id != part.id]
        return replace(self, parts=(*parts, part))

    def without(self, part_id: str) -> Rig:
        self.get(part_id)
        return replace(self, parts=tuple(p for p in self.parts if p.id != part_id))

    def new_id(self, kind: str) -> str:
        used = {p.id for p in self.parts}
        i = 1
        while f"{kind}-{i}" in used:
            i += 1
        return f"{kind}-{i}"

    def describe(self) -> str:
        """The parts in words, e.g. '2 eyes, a mouth, 2 ears'."""
        counts: dict[str, int] = {}
        for p in self.parts:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        words = []
        for kind in PART_KINDS:
            n = counts.get(kind, 0)
            if n:
                article = "an" if kind[0] in "aeiou" else "a"
                words.append(f"{article} {kind}" if n == 1 else f"{n} {kind}s")
        return ", ".join(words) if words else "no parts"

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": RIG_VERSION,
            "size": [int(self.size[0]), int(self.size[1])],
            "parts": [p.to_dict() for p in self.parts],
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Rig:
        if not isinstance(d, dict) or "size" not in d:
            raise InputError(f"a rig must be a dict with size and parts, got {d!r}")
        version = d.get("version", RIG_VERSION)
        if version > RIG_VERSION:
            raise InputError(f"rig version {version} is newer than this popcon reads "
                             f"({RIG_VERSION})")
        parts = tuple(Part.from_dict(p) for p in d.get("parts", []))
        ids = [p.id for p in parts]
        if len(set(ids)) != len(ids):
            raise InputError(f"rig part ids must be unique, got {ids}")
        return cls((int(d["size"][0]), int(d["size"][1])), parts, tuple(d.get("notes", ())))


def _r(v: float) -> float:
    return round(float(v), 2)


def polygon_mask(points: np.ndarray, shape: tuple[int, int], scale: float = 1.0,
                 offset: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    """float32 (h, w) in [0, 1]: polygon `points` (n, 2) px filled with anti-aliased edges on
    a grid where grid px = (px - offset) * scale."""
    h, w = shape
    sub = 8  # cv2 fixed-point subpixel bits (3 → 1/8 px)
    p = (np.asarray(points, np.float64) - np.asarray(offset)) * scale
    pts = np.rint(p * sub).astype(np.int32).reshape(-1, 1, 2)
    out = np.zeros((h, w), np.uint8)
    cv2.fillPoly(out, [pts], 255, cv2.LINE_AA, 3)
    return out.astype(np.float32) / 255.0


def contour_outline(mask: np.ndarray, scale: float = 1.0,
                    offset: tuple[float, float] = (0.0, 0.0),
                    max_points: int = 48) -> tuple[tuple[float, float], ...]:
    """The outer contour of a binary mask (h, w) as a polygon in px = grid / scale + offset,
    simplified to at most about `max_points` points."""
    m = mask.astype(np.uint8)
    contours, _ = cv2.findContours(m, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    if not contours:
        return ()
    c = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    if len(c) > max_points:
        c = c[np.linspace(0, len(c) - 1, max_points).astype(int)]
    c = c / scale + np.asarray(offset)
    return tuple((float(x), float(y)) for x, y in c)
