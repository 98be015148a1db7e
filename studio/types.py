"""The vocabulary of popcon studio, as dataclasses over numpy arrays.

Conventions: images are RGBA ``uint8`` arrays of shape (H, W, 4) (RGB (H, W, 3) where a
generator has no alpha); alpha masks are ``float32`` (H, W) in [0, 1]. Colours are RGB,
never BGR. PIL appears only at I/O edges.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

ProgressFn = Callable[[int, int, str], None]
"""progress(done, total, message): called by long steps; the UI and the CLI render it."""


@dataclass(frozen=True)
class Point:
    """A click on an image in pixel coordinates of that image; include=False excludes."""

    x: float
    y: float
    include: bool = True


@dataclass(frozen=True)
class Prompt:
    """Click prompts for promptable segmenters: points and an optional box (x0, y0, x1, y1)."""

    points: tuple[Point, ...] = ()
    box: tuple[float, float, float, float] | None = None

    @property
    def empty(self) -> bool:
        return not self.points and self.box is None

    def to_dict(self) -> dict[str, Any]:
        return {
            "points": [asdict(p) for p in self.points],
            "box": list(self.box) if self.box else None,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Prompt:
        if not d:
            return cls()
        box = d.get("box")
        return cls(tuple(Point(**p) for p in d.get("points", [])), tuple(box) if box else None)


@dataclass
class Mask:
    """A segmentation result.

    alpha: (H, W) float32 in [0, 1].
    foreground: (H, W, 3) uint8 estimated foreground colour (old background removed from
        edge pixels), or None when the segmenter does not estimate it.
    backend: the segmenter that made it ("classical", "rembg:isnet-anime", ...).
    score: model confidence in [0, 1] where the backend gives one.
    """

    alpha: np.ndarray
    backend: str
    score: float | None = None
    foreground: np.ndarray | None = None
    info: dict[str, Any] = field(default_factory=dict)

    def cutout(self, image: np.ndarray) -> np.ndarray:
        """RGBA uint8 (H, W, 4): the foreground colour (or the image's) with this alpha."""
        rgb = self.foreground if self.foreground is not None else image[..., :3]
        a = np.clip(np.rint(self.alpha * 255), 0, 255).astype(np.uint8)
        return np.dstack([rgb.astype(np.uint8), a])


@dataclass
class Source:
    """The ingested user image and, once segmented, its cut-out.

    image: (H, W, 4) uint8 RGBA as uploaded (alpha 255 where the file had none).
    cutout: (H, W, 4) uint8 RGBA, the character alone, or None before segmentation.
    rig: the cut-out's parts as JSON data (studio.motion.rig.Rig.to_dict()), or None.
    notes: what ingest changed that the user should know (e.g. a large photo scaled down).
    """

    image: np.ndarray
    name: str = "source"
    digest: str = ""
    had_alpha: bool = False
    cutout: np.ndarray | None = None
    mask_backend: str | None = None
    rig: dict[str, Any] | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Move:
    """One move of a motion: a preset name plus parameters, active over [start, end) of the loop.

    amount: intensity multiplier (1 = normal, 0.5 = subtle, 1.6 = big).
    speed: tempo multiplier (cycles within its span scale with it).
    count: how many cycles within its span (None = the move's default).
    direction: "left" | "right" | "up" | "down" | "cw" | "ccw" | "in" | "out" | None.
    """

    name: str
    amount: float = 1.0
    speed: float = 1.0
    count: int | None = None
    direction: str | None = None
    start: float = 0.0
    end: float = 1.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Effect:
    """An overlay drawn over or around the character: name, intensity, colour ("#rrggbb")."""

    name: str
    amount: float = 1.0
    color: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class MotionSpec:
    """What to animate: data, serialisable, shown back to the user and editable.

    frames: number of frames in one loop; fps: playback rate; duration = frames / fps.
    moves: applied together; moves with disjoint [start, end) spans play in sequence.
    prompt: the custom motion prompt it came from, if any; interpretation: it in words.
    """

    moves: tuple[Move, ...]
    effects: tuple[Effect, ...] = ()
    frames: int = 12
    fps: float = 12.0
    loop: bool = True
    shadow: bool = False
    prompt: str | None = None
    interpretation: str = ""
    unknown_words: tuple[str, ...] = ()

    @property
    def duration_s(self) -> float:
        return self.frames / self.fps

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["moves"] = [m.to_dict() for m in self.moves]
        d["effects"] = [e.to_dict() for e in self.effects]
        d["unknown_words"] = list(self.unknown_words)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> MotionSpec:
        d = dict(d)
        d["moves"] = tuple(Move(**m) for m in d.get("moves", []))
        d["effects"] = tuple(Effect(**e) for e in d.get("effects", []))
        d["unknown_words"] = tuple(d.get("unknown_words", ()))
        return cls(**d)


@dataclass
class Candidate:
    """One take for a slot.

    rgba: (H, W, 4) uint8 when the generator knows alpha; otherwise rgb (H, W, 3) uint8 on a
        plain background and, after segmentation, mask.
    origin: where it came from: {"backend", "seed", "prompt", ...}.
    """

    id: str
    origin: dict[str, Any]
    rgba: np.ndarray | None = None
    rgb: np.ndarray | None = None
    mask: Mask | None = None

    @property
    def has_alpha(self) -> bool:
        return self.rgba is not None or self.mask is not None

    def image(self) -> np.ndarray:
        """RGBA uint8 (H, W, 4) of this candidate (opaque if it has no alpha yet)."""
        if self.mask is not None:  # a segmented or hand-fixed mask wins over built-in alpha
            base = self.rgb if self.rgb is not None else self.rgba
            assert base is not None
            return self.mask.cutout(base[..., :3])
        if self.rgba is not None:
            return self.rgba
        assert self.rgb is not None
        return np.dstack([self.rgb, np.full(self.rgb.shape[:2], 255, np.uint8)])


@dataclass
class Slot:
    """Frame `index` of the animation: K candidates, one chosen, shown for `duration_ms`."""

    index: int
    candidates: list[Candidate]
    chosen: int = 0
    duration_ms: int | None = None

    @property
    def current(self) -> Candidate:
        return self.candidates[self.chosen]
