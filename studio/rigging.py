"""The Studio's rig methods: read, detect, edit and use the character's rig (a mixin of
studio.pipeline.Studio, kept apart so the pipeline stays small).

    rig = studio.rig(project)                        # detected once, stored in the manifest
    rig = studio.move_pivot(project, "arm-1", 120, 200)
    rig = studio.assign_part(project, 150, 190, "eye")    # the region under a click
    rig = studio.assign_part(project, 150, 190, "none")   # remove the part under a click
    spec = studio.bind_motion(project, spec)          # what this character can play

All coordinates are px of the source image (the cut-out has the same size). Edits are marked
source="user"; a new cut-out throws the rig away (it was found on the old one).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import cv2
import numpy as np

from studio.errors import InputError
from studio.motion.rig import PART_KINDS, Part, Rig, detect_rig
from studio.motion.rig.bind import bind_to_rig, needs_rig
from studio.motion.rig.model import contour_outline
from studio.project import Project
from studio.types import MotionSpec, Source

if TYPE_CHECKING:
    from studio.settings import Settings

REGION_TOLERANCE = 40.0  # RGB distance that still counts as the same painted region
MAX_REGION_SHARE = 0.35  # a clicked region larger than this share of the character is refused


class RigMixin:
    """Rig methods for Studio (which provides settings, ensure_cutout and backend)."""

    settings: Settings

    # ------------------------------------------------------------------ read
    def rig(self, project: Project) -> Rig:
        """The project's rig: the stored one, or detected on the cut-out (cutting the source
        out first if needed) and stored."""
        data = project.rig_data
        if data:
            return Rig.from_dict(data)
        return self.redetect_rig(project)

    def redetect_rig(self, project: Project) -> Rig:
        """Detect the rig again on the current cut-out (user edits are replaced)."""
        source = self.ensure_cutout(project)  # type: ignore[attr-defined]
        assert source.cutout is not None
        rig = detect_rig(source.cutout)
        project.set_rig(rig.to_dict())
        return rig

    # ------------------------------------------------------------------ edit
    def set_rig(self, project: Project, rig: Rig | dict[str, Any]) -> Rig:
        """Replace the rig (e.g. one edited as JSON). InputError if it does not fit the
        cut-out (size) or a pivot lies outside the image."""
        rig = rig if isinstance(rig, Rig) else Rig.from_dict(rig)
        source = self.ensure_cutout(project)  # type: ignore[attr-defined]
        assert source.cutout is not None
        h, w = source.cutout.shape[:2]
        if tuple(rig.size) != (w, h):
            raise InputError(f"the rig is for a {rig.size[0]}×{rig.size[1]} image; "
                             f"this cut-out is {w}×{h}")
        for p in rig.parts:
            _check_point(p.pivot[0], p.pivot[1], w, h, f"the pivot of {p.id}")
        project.set_rig(rig.to_dict())
        return rig

    def move_pivot(self, project: Project, part_id: str, x: float, y: float) -> Rig:
        """Move one part's pivot (what a limb turns about) to (x, y) px."""
        rig = self.rig(project)
        part = rig.get(part_id)
        w, h = rig.size
        _check_point(x, y, w, h, "the pivot")
        rig = rig.with_part(replace(part, pivot=(float(x), float(y)), source="user"))
        project.set_rig(rig.to_dict())
        return rig

    def assign_part(self, project: Project, x: float, y: float, kind: str) -> Rig:
        """Re-assign the part under a click at (x, y) px to `kind`, or make one from the
        painted region under the click when no part is there; kind "none" removes the part
        under the click. InputError when the click is off the character or on a region too
        large to be one part."""
        if kind != "none" and kind not in PART_KINDS:
            raise InputError(f"unknown part kind {kind!r}; use one of "
                             f"{', '.join(PART_KINDS)} or 'none'")
        rig = self.rig(project)
        w, h = rig.size
        _check_point(x, y, w, h, "the click")
        hit = part_at(rig, x, y)
        if kind == "none":
            if hit is None:
                raise InputError(f"there is no part at ({x:g}, {y:g}) to remove")
            rig = rig.without(hit.id)
        elif hit is not None and hit.kind != "face":
            new_id = hit.id if hit.kind == kind else rig.new_id(kind)
            rig = rig.without(hit.id).with_part(replace(hit, id=new_id, kind=kind, source="user"))
        else:
            source = self.ensure_cutout(project)  # type: ignore[attr-defined]
            assert source.cutout is not None
            rig = rig.with_part(region_part(source.cutout, x, y, kind, rig.new_id(kind)))
        project.set_rig(rig.to_dict())
        return rig

    # ------------------------------------------------------------------ use
    def bind_motion(self, project: Project, spec: MotionSpec,
                    generator: str | None = None) -> MotionSpec:
        """The spec fitted to the character's rig (part moves without their part skipped,
        said in the interpretation) for generators that use the rig; others get it as is."""
        gen = self.backend("generator", generator)  # type: ignore[attr-defined]
        if not getattr(gen, "uses_rig", False) or not needs_rig(spec):
            return spec
        return bind_to_rig(spec, self.rig(project))

    def rigged(self, project: Project, gen: Any, spec: MotionSpec,
               source: Source) -> tuple[MotionSpec, Source]:
        """(spec fitted to the rig, source carrying the rig) for generator `gen`."""
        if not getattr(gen, "uses_rig", False) or not needs_rig(spec):
            return spec, source
        rig = self.rig(project)
        return bind_to_rig(spec, rig), replace(source, rig=rig.to_dict())


def _check_point(x: float, y: float, w: int, h: int, what: str) -> None:
    if not (0 <= x < w and 0 <= y < h):
        raise InputError(f"{what} ({x:g}, {y:g}) is outside the {w}×{h} image")


def part_at(rig: Rig, x: float, y: float) -> Part | None:
    """The smallest part whose outline contains (x, y), or None."""
    hits = []
    for p in rig.parts:
        pts = p.points.astype(np.float32).reshape(-1, 1, 2)
        if cv2.pointPolygonTest(pts, (float(x), float(y)), False) >= 0:
            hits.append((cv2.contourArea(pts), p))
    return min(hits, key=lambda t: t[0])[1] if hits else None


def region_part(cutout: np.ndarray, x: float, y: float, kind: str, part_id: str) -> Part:
    """A part from the painted region under (x, y): the connected pixels of about the same
    colour inside the character. Eyes and mouth pivot at their centre; limbs at the point of
    the region nearest the character's centre (where they join the body)."""
    alpha = cutout[..., 3] > 127
    xi, yi = int(x), int(y)
    if not alpha[yi, xi]:
        raise InputError(f"({x:g}, {y:g}) is not on the character: click inside its cut-out")
    rgb = np.ascontiguousarray(cutout[..., :3])
    mask = np.zeros((rgb.shape[0] + 2, rgb.shape[1] + 2), np.uint8)
    mask[1:-1, 1:-1][~alpha] = 1  # flood never leaves the character
    tol = (int(REGION_TOLERANCE),) * 3
    flags = 8 | cv2.FLOODFILL_MASK_ONLY | cv2.FLOODFILL_FIXED_RANGE | (2 << 8)
    cv2.floodFill(rgb, mask, (xi, yi), (0, 0, 0), tol, tol, flags)
    region = mask[1:-1, 1:-1] == 2
    share = region.sum() / max(alpha.sum(), 1)
    if share > MAX_REGION_SHARE:
        raise InputError(f"the region under ({x:g}, {y:g}) covers {share:.0%} of the character: "
                         "too large for one part; click on the part itself")
    outline = contour_outline(cv2.dilate(region.astype(np.uint8), np.ones((3, 3), np.uint8)))
    ys, xs = np.nonzero(region)
    extra: dict[str, Any] = {}
    if kind in ("eye", "mouth", "face"):
        pivot = (float(xs.mean()), float(ys.mean()))
    else:
        ay, ax = np.nonzero(alpha)
        cx, cy = ax.mean(), ay.mean()
        i = int(np.argmin(np.hypot(xs - cx, ys - cy)))
        pivot = (float(xs[i]), float(ys[i]))
        dist = np.hypot(xs - pivot[0], ys - pivot[1])
        tip = int(np.argmax(dist))
        length = max(float(dist[tip]), 1.0)
        extra = {"direction": [round(float(xs[tip] - pivot[0]) / length, 3),
                               round(float(ys[tip] - pivot[1]) / length, 3)],
                 "length": round(length, 2)}
    return Part(part_id, kind, pivot, outline, 1.0, "user", extra)
