"""Events for fixing the cut-out by hand and for animation versions (see `studio.ui.fixes`).

API endpoints: ``paint_source(project_id, editor, mode)`` (the brush on the source: every
procedural frame follows) and ``restore_version(project_id, version)``.
"""

from __future__ import annotations

from studio.pipeline import Studio
from studio.ui import fixes as F
from studio.ui.layout import UI
from studio.ui.wiring import GPU, Views, guarded


def frames_outputs(ui: UI) -> list:
    """The components that show frames (refreshed when the cut-out re-renders them)."""
    return [ui.preview, ui.strip, ui.frames_gal, ui.refine_preview, ui.slot, ui.cands_gal,
            ui.cand, ui.fix_image, ui.editor, ui.duration, ui.slot_info, ui.take_info,
            ui.gen_plan, ui.versions]


def source_brush_events(studio: Studio, ui: UI, v: Views, outputs: list) -> None:
    @guarded
    def on_paint(project_id: str, editor: dict | None, mode: str, slot: float) -> dict:
        message = F.paint_source(studio, project_id, (editor or {}).get("layers") or [], mode)
        project = studio.open(project_id)
        points = (project.manifest.get("cutout") or {}).get("prompt") or {}
        pts = [[p["x"], p["y"], 1 if p["include"] else 0] for p in points.get("points", [])]
        return ({ui.status: message, ui.seg_points: pts} | v.seg(project, pts)
                | v.frames(project, slot))

    ui.src_brush_btn.click(on_paint, [ui.pid, ui.src_editor, ui.src_brush_mode, ui.slot],
                           outputs, api_name="paint_source", concurrency_id=GPU)


def version_events(studio: Studio, ui: UI, v: Views, everything: list) -> None:
    @guarded
    def on_restore(project_id: str, version: int | None) -> dict:
        message = F.restore_version(studio, project_id, version)
        return v.everything(studio.open(project_id), message)

    ui.restore_btn.click(on_restore, [ui.pid, ui.versions], everything,
                         api_name="restore_version")
