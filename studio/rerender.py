"""One source of truth for procedural animations, and the true colours of any frame.

Frames the procedural generator made are the source cut-out moved by the motion, so a fix
to the cut-out (clicks, brush on the source) re-renders them: every procedural take of
every slot is rendered again from the new cut-out with its own motion, seed and variation,
at the project's size; chosen takes, per-frame timing and effects stay. Frames a generator
drew itself (image-to-video: each has its own pixels) are left alone; they are fixed one
by one in Refine.

`frame_colours` gives the straight RGB under every pixel of a take, for a restore brush or a
click fix: the frame's own colour where it shows, elsewhere (procedural) the un-cut source
moved exactly as the character is in that frame, never black and never a key or overlay
colour. Images are RGBA uint8 (H, W, 4); colours RGB uint8 (H, W, 3).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import ndimage

from studio.motion.renderer import Renderer
from studio.types import Candidate, MotionSpec

if TYPE_CHECKING:
    from studio.pipeline import Studio
    from studio.project import Project

PROCEDURAL = "procedural"


def is_procedural(origin: dict[str, Any] | None) -> bool:
    """True for a take the procedural generator rendered from the cut-out."""
    return bool(origin) and origin.get("backend") == PROCEDURAL and "seed" in origin


def take_spec(project: Project, origin: dict[str, Any]) -> MotionSpec:
    """The motion a procedural take was rendered with: its own (a retry with an edited
    prompt stores it as origin["motion"]) or the project's."""
    if origin.get("motion"):
        return MotionSpec.from_dict(origin["motion"])
    spec = project.motion
    assert spec is not None
    return spec


def _renderer(studio: Studio, project: Project, cutout: np.ndarray, origin: dict[str, Any],
              cache: dict[tuple, Renderer]) -> Renderer:
    gen = studio.backend("generator", project.manifest.get("generator") or PROCEDURAL)
    opts = getattr(gen, "options", None)
    ss, margin = getattr(opts, "supersample", 2), getattr(opts, "margin", 0.06)
    spec = take_spec(project, origin)
    key = (repr(spec.to_dict()), int(origin["seed"]), float(origin.get("variation", 0.0)))
    if key not in cache:
        cache[key] = Renderer(cutout, spec, tuple(project.manifest["size"]),
                              seed=key[1], variation=key[2], supersample=ss, margin=margin)
    return cache[key]


def procedural_takes(project: Project) -> list[tuple[int, int]]:
    """(slot, take) of every take of the current animation that was rendered procedurally."""
    return [(i, k) for i, rec in enumerate(project.manifest["slots"])
            for k, c in enumerate(rec["candidates"]) if is_procedural(c.get("origin"))]


def mark_stale(project: Project) -> None:
    """Note that the cut-out changed and the procedural frames are not rendered from it yet
    (the studio shows a click first and renders right after; `ensure_rendered` catches up
    if that second step never ran)."""
    if procedural_takes(project):
        with project.lock:
            project.manifest["frames_stale"] = True
            project.save()


def ensure_rendered(studio: Studio, project: Project) -> int:
    """Re-render when `mark_stale` said so; returns how many takes were rendered."""
    return rerender(studio, project) if project.manifest.get("frames_stale") else 0


def rerender(studio: Studio, project: Project) -> int:
    """Render every procedural take again from the project's current cut-out (same motion,
    seed, variation, size, chosen takes and timing); returns how many takes it rendered.
    Hand fixes made on those frames are dropped: the cut-out is their truth now."""
    todo = procedural_takes(project)
    cutout = project.load_source().cutout if todo else None
    if cutout is None:
        if project.manifest.get("frames_stale"):
            with project.lock:
                project.manifest["frames_stale"] = False
                project.save()
        return 0
    cache: dict[tuple, Renderer] = {}
    images = {}
    for slot, k in todo:
        origin = project.manifest["slots"][slot]["candidates"][k]["origin"]
        images[(slot, k)] = _renderer(studio, project, cutout, origin, cache).frame(slot)
    with project.lock:
        project.manifest["frames_stale"] = False
        project.replace_candidate_images(images)
    return len(images)


def source_in_frame(studio: Studio, project: Project, slot: int, take: int) -> np.ndarray | None:
    """The un-cut source moved as the character is in (slot, take): RGBA uint8 (H, W, 4);
    None when the take is not procedural or the project has no cut-out."""
    rec = project.slot_record(slot)["candidates"][take]
    if not is_procedural(rec.get("origin")):
        return None
    source = project.load_source()
    if source.cutout is None or not (source.cutout[..., 3] > 0).any():
        return None
    r = _renderer(studio, project, source.cutout, rec["origin"], {})
    return r.moved(slot, source.image)


def frame_colours(studio: Studio, project: Project, slot: int, take: int,
                  cand: Candidate) -> np.ndarray:
    """Straight RGB (H, W, 3) uint8 under every pixel of a take: the generator's RGB when it
    drew on a background; for RGBA takes the frame's colour where it shows (alpha > 0),
    the moved source where the frame is clear (procedural), else the nearest shown colour."""
    if cand.rgb is not None:
        return cand.rgb.copy()
    assert cand.rgba is not None
    rgba = cand.rgba
    shown = rgba[..., 3] > 0
    out = rgba[..., :3].copy()
    moved = source_in_frame(studio, project, slot, take)
    if moved is not None:
        fill = ~shown & (moved[..., 3] > 0)
        out[fill] = moved[..., :3][fill]
        shown = shown | fill
    if not shown.all() and shown.any():
        _, (iy, ix) = ndimage.distance_transform_edt(~shown, return_indices=True)
        out = out[iy, ix]
    return out
