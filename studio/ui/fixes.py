"""Handlers for fixing a cut-out by hand and for animation versions, as plain functions over
a Studio (no gradio): the brush on the source, what Generate will do to the current
animation, the list of versions and restoring one, the cut-out's coverage warning and the
overlay legend. StudioError for anything the user can fix.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from studio.errors import InputError
from studio.pipeline import Studio
from studio.project import Project
from studio.rerender import procedural_takes
from studio.segment.regions import outline_coverage
from studio.ui import views
from studio.ui.handlers import require_project

COVERAGE_WARN = 0.7
"""Share of the outline's enclosed area under which the Segment tab warns."""
LEGEND = ("**Overlay:** green ⊕ include point · red ⊖ exclude point · dimmed blue: not in the "
          "cut-out (drawn on this view only, never in a frame)")


def paint_source(studio: Studio, project_id: str, layers: list, mode: str) -> str:
    """Apply the source brush (editor layers, any size) in `mode` "erase" or "restore"."""
    if mode not in ("erase", "restore"):
        raise InputError(f"brush mode must be 'erase' or 'restore', got {mode!r}")
    project = require_project(studio, project_id)
    w, h = project.manifest["source"]["size"]
    stroke = views.stroke_from_layers(layers or [], (h, w))
    if not np.any(stroke > 0.02):
        raise InputError("the brush layer is empty: paint over the source first")
    n = studio.paint_source(project, stroke, erase=mode == "erase")
    again = f" Re-rendered {n} frame take{'s' * (n != 1)} from it." if n else ""
    return f"Cut-out brush {mode}d.{again}"


def after_cutout(project: Project) -> str:
    """What a new cut-out does to the frames, for the status line."""
    if not project.manifest["slots"]:
        return ""
    n = len(procedural_takes(project))
    if n:
        return (f" Every frame follows it: {n} take{'s' * (n != 1)} re-rendered with the same "
                "motion, takes and timing.")
    return (" These frames were drawn by the generator: fix them one by one in **Refine** (or "
            "press **Generate** for a new version).")


def coverage_note(project: Project) -> str:
    """A warning when the cut-out keeps much less than the character's outline encloses."""
    source = project.load_source()
    if source.cutout is None:
        return ""
    share = outline_coverage(source.cutout[..., 3].astype(np.float32) / 255)
    if share >= COVERAGE_WARN:
        return ""
    return (f"⚠ The cut-out keeps only **{100 * share:.0f}%** of what the character's outline "
            "encloses. If part of the character (a white body?) is missing, choose **include** "
            "and click it once.")


def kept_area(project: Project) -> int:
    """Pixels the project's cut-out keeps (alpha ≥ 50 %); 0 before any cut-out."""
    cutout = project.load_source().cutout
    return 0 if cutout is None else int((cutout[..., 3] >= 128).sum())


def loss_note(before: int, after: int) -> str:
    """A warning when one fix dropped more than half of what the cut-out kept (an exclude
    click on the body instead of on a gap), pointing at the way back."""
    if before == 0 or after >= before / 2:
        return ""
    return (f" ⚠ This change removed **{100 * (before - after) / before:.0f}%** of the cut-out."
            " If that was not meant, press **Undo last point**.")


def brush_base(project: Project) -> Path:
    """The source brush's background: the source (display size) with what the cut-out drops
    dimmed, written to the project's ui/ folder."""
    from studio.ui.render import write_fresh

    source = project.load_source()
    base = views.on_checker(source.image) if source.had_alpha else source.image[..., :3]
    alpha = (source.cutout[..., 3].astype(np.float32) / 255 if source.cutout is not None
             else None)
    disp = views.to_display(base)
    shown = views.tint_outside(disp, views.to_display(alpha) if alpha is not None else None)
    return write_fresh(project, "source-brush", shown)


def versions(project: Project | None) -> list[tuple[str, int]]:
    """(label, version) of every animation of the project, newest first."""
    if project is None:
        return []
    out = []
    for v in reversed(project.versions()):
        when = time.strftime("%H:%M:%S", time.localtime(v["created"])) if v["created"] else ""
        mark = " (current)" if v["current"] else ""
        label = f"v{v['version']}{mark} · {v['label']} · {v['frames']} frames · {when}"
        out.append((label, int(v["version"])))
    return out


def generate_plan(project: Project | None) -> str:
    """What pressing Generate will do to the current animation, said before it happens."""
    if project is None or not project.manifest["slots"]:
        return ""
    current = int(project.manifest.get("version", 1))
    nxt = 1 + max(v["version"] for v in project.versions())
    edits = int(project.manifest.get("edited", 0))
    done = (f" with your **{edits} hand edit{'s' * (edits != 1)}** (takes, fixes, brush, "
            "retries, timing)" if edits else "")
    return (f"**Generate** makes version **v{nxt}** from the current cut-out and settings. "
            f"The current animation **v{current}**{done} is kept and can be restored under "
            "**Versions**.")


def restore_version(studio: Studio, project_id: str, version: Any) -> str:
    project = require_project(studio, project_id)
    if version is None or version == "":
        raise InputError("choose a version to restore first")
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise InputError(f"a version is a number like 2, got {version!r}") from None
    studio.restore_version(project, number)
    return f"Restored animation **v{number}**; the one before stays under **Versions**."
