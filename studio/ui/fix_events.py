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
APPLYING = "Applied; loading the new image into the brush…"
def settle_then_click(editor_id: str, elem_id: str) -> str:
    """JS: clear the strokes of the image editor `editor_id` (its own Clear canvas button),
    wait until the page has made no upload for 0.8 s (at most 15 s), then click the button
    `elem_id`."""
    js = """async () => {
  document.querySelector('#EDITOR button[aria-label="Clear canvas"]')?.click();
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
  document.querySelector("#ELEM button, button#ELEM")?.click();
  return [];
}"""
    return js.replace("EDITOR", editor_id).replace("ELEM", elem_id)


def refresh_editor(event: Any, editor: gr.ImageEditor, reload: gr.Button, note: gr.Markdown,
                   value: Callable[..., Any], inputs: list) -> None:
    """After `event` (which read the editor's strokes), show the editor's new image, idle and
    ready for the next stroke, and say so in `note`. In gradio 6.31 an image editor that an
    event read must not be that event's output, and a value set while it still holds
    strokes or uploads its layers leaves its spinner on forever and its next strokes unseen.
    So the page clears the strokes, waits for the uploads, then clicks the hidden `reload`
    button, whose events hide the editor and show it again (a fresh editor) with the new
    image. The event itself should set `note` to APPLYING."""

    def shown(*args: Any) -> tuple:
        return (gr.ImageEditor(value=value(*args), visible=True),
                "Applied: the brush is ready for the next stroke.")

    reload.click(lambda: gr.ImageEditor(visible=False), None, [editor], **PRIVATE).then(
        shown, inputs, [editor, note], **PRIVATE)
    event.then(None, None, None, js=settle_then_click(editor.elem_id, reload.elem_id))


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
        return view | {ui.src_brush_note: APPLYING}

    def editor_value(project_id: str) -> Any:
        return v.seg(studio.open(project_id), [])[ui.src_editor]

    applied = ui.src_brush_btn.click(
        on_paint, [ui.pid, ui.src_editor, ui.src_brush_mode, ui.slot],
        [*(o for o in outputs if o is not ui.src_editor), ui.src_brush_note],
        api_name="paint_source",
        concurrency_id=GPU)
    refresh_editor(applied, ui.src_editor, ui.src_brush_reload, ui.src_brush_note, editor_value,
                   [ui.pid])


def version_events(studio: Studio, ui: UI, v: Views, everything: list) -> None:
    @guarded
    def on_restore(project_id: str, version: int | None) -> dict:
        message = F.restore_version(studio, project_id, version)
        return v.everything(studio.open(project_id), message)

    ui.restore_btn.click(on_restore, [ui.pid, ui.versions], everything,
                         api_name="restore_version")
