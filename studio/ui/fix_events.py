"""Events for fixing the cut-out by hand and for animation versions (see `studio.ui.fixes`).

API endpoints: ``paint_source(project_id, editor, mode)`` (the brush on the source: every
procedural frame follows) and ``restore_version(project_id, version)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from studio.pipeline import Studio
from studio.ui import fixes as F
from studio.ui.layout import UI
from studio.ui.wiring import GPU, Views, guarded

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
SETTLE_JS = """async () => {
  const uploads = () => performance.getEntriesByType("resource")
    .filter((e) => e.name.includes("/upload")).length;
  performance.clearResourceTimings();
  let seen = uploads(), quiet = 0;
  for (let t = 0; t < 150 && quiet < 8; t++) {
    await new Promise((r) => setTimeout(r, 100));
    const now = uploads();
    quiet = now === seen ? quiet + 1 : 0;
    seen = now;
  }
  return [];
}"""
"""Wait until the image editor has finished uploading its layers (no upload for 0.8 s, at most
15 s): a new value set while those uploads run leaves its spinner on forever (gradio 6)."""


def refresh_editor(event: Any, editor: gr.ImageEditor, value: Callable[..., Any],
                   inputs: list) -> None:
    """After `event` (which read `editor`'s strokes), give the editor its new image and
    leave it idle: an editor that is an event's input must not be its output, and a value
    set while it still uploads its layers keeps its spinner on forever (gradio 6), so the
    value is set once the uploads are over, and once more after the uploads that set
    caused."""
    for _ in range(2):
        event = event.then(None, None, None, js=SETTLE_JS).then(value, inputs, [editor],
                                                                 **PRIVATE)


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
        view = ({ui.status: message, ui.seg_points: pts} | v.seg(project, pts)
                | v.frames(project, slot))
        view.pop(ui.src_editor)
        return view

    def editor_value(project_id: str) -> Any:
        return v.seg(studio.open(project_id), [])[ui.src_editor]

    applied = ui.src_brush_btn.click(
        on_paint, [ui.pid, ui.src_editor, ui.src_brush_mode, ui.slot],
        [o for o in outputs if o is not ui.src_editor], api_name="paint_source",
        concurrency_id=GPU)
    refresh_editor(applied, ui.src_editor, editor_value, [ui.pid])


def version_events(studio: Studio, ui: UI, v: Views, everything: list) -> None:
    @guarded
    def on_restore(project_id: str, version: int | None) -> dict:
        message = F.restore_version(studio, project_id, version)
        return v.everything(studio.open(project_id), message)

    ui.restore_btn.click(on_restore, [ui.pid, ui.versions], everything,
                         api_name="restore_version")
