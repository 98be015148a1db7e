"""Connect the layout's components to the handlers (see `studio.ui.wiring` for the helpers).

API endpoints (``api_name`` → explicit arguments), all returning their outputs' values:

    new_project(file) · open_project(project_id) · recent_projects()
    describe_motion(preset, prompt, effects, frames, fps, generator)
    generate(project_id, preset, prompt, effects, frames, fps, candidates, size, generator)
    segment(project_id, points, segmenter) · segment_frames(project_id, segmenter)
    frame(project_id, slot, points) · choose(project_id, slot, take)
    fix_frame(project_id, slot, points, segmenter) · paint_frame(project_id, slot, editor, mode)
    retry_frame(project_id, slot, prompt, takes) · set_duration(project_id, slot, ms)
    paint_source(project_id, editor, mode) · restore_version(project_id, version)
    set_edges(project_id, feather, grow, defringe, outline, colour) · export(project_id, preset)
    export_set(project_ids, preset) · set_projects()   (see studio.ui.export_events)
    rig(project_id) · rig_detect(project_id) · rig_edit(project_id, mode, part, kind, x, y)
                                                        (see studio.ui.rig_panel)
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.pipeline import Studio
from studio.ui import exports as E
from studio.ui import fixes as F
from studio.ui import handlers as H
from studio.ui import ownership, rig_panel, views
from studio.ui.export_events import export_events
from studio.ui.fix_events import (
    APPLYING,
    frames_outputs,
    refresh_editor,
    source_brush_events,
    version_events,
)
from studio.ui.layout import UI
from studio.ui.refusals import checked_generate, upload_events
from studio.ui.resume import record_controls
from studio.ui.wiring import GPU, Views, all_outputs, backend_picker, guarded, progress_fn

PRIVATE: dict[str, Any] = {"api_visibility": "private"}


def wire(studio: Studio, ui: UI) -> None:
    """Register every event of the studio on `ui` (inside its Blocks context)."""
    v = Views(studio, ui)
    everything = all_outputs(ui)
    _project_events(studio, ui, v, everything)
    _generate_events(studio, ui, v)
    _segment_events(studio, ui, v)
    _refine_events(studio, ui, v)
    export_events(studio, ui)
    rig_panel.wire(studio, ui)
    version_events(studio, ui, v, everything)


def _open(studio: Studio, v: Views, project_id: str, message: str) -> dict:
    project = H.require_project(studio, project_id)
    return v.everything(project, message)


def _project_events(studio: Studio, ui: UI, v: Views, everything: list) -> None:
    @guarded
    def on_upload(image: str | None) -> dict:
        if not image:
            return {ui.status: gr.skip()}
        pid = H.new_project(studio, image)
        notes = "".join(f" Note: {n}." for n in studio.open(pid).manifest["source"]["notes"])
        return _open(studio, v, pid, f"New project **{pid}**: now press **Generate**.{notes}")

    ui.api_upload.click(on_upload, [ui.api_file], everything, api_name="new_project")
    upload_events(studio, ui, v, everything)

    @guarded
    def on_open(project_id: str) -> dict:
        return _open(studio, v, project_id, f"Opened project **{project_id.strip()}**.")

    ui.open_btn.click(on_open, [ui.open_id], everything, api_name="open_project")

    def on_new() -> dict:
        return v.everything(None, "Upload a character to start a new project.")

    ui.new_btn.click(on_new, None, everything, **PRIVATE)

    def on_recent() -> list:
        return [(thumb, caption) for thumb, caption, _ in H.recent_projects(studio)]

    ui.recent_btn.click(on_recent, None, [ui.recent], api_name="recent_projects")

    @guarded
    def on_recent_select(evt: gr.SelectData) -> dict:
        recent = H.recent_projects(studio)
        if not 0 <= evt.index < len(recent):
            return {}
        pid = recent[evt.index][2]
        return _open(studio, v, pid, f"Opened project **{pid}**.") | {ui.open_id: pid}

    ui.recent.select(on_recent_select, None, [*everything, ui.open_id], **PRIVATE)

    def on_load(last: str | None, token: str | None) -> dict:
        owner = {ui.owner: ownership.bind_browser(token)}  # first: this page's owner
        recent = on_recent()
        if not last:
            return {ui.recent: recent} | owner
        try:
            return (_open(studio, v, last, f"Resumed project **{last}**.")
                    | {ui.recent: recent} | owner)
        except Exception:  # the remembered project was deleted: start blank
            return {ui.recent: recent} | owner

    ui.demo.load(on_load, [ui.last_pid, ui.owner], [*everything, ui.recent, ui.owner],
                 **PRIVATE)


def _generate_events(studio: Studio, ui: UI, v: Views) -> None:
    def on_describe(preset: str, prompt: str, effects: list, frames: float, fps: float,
                    generator: str) -> str:
        try:
            spec = H.motion_spec(studio, preset, prompt, effects, frames, fps, generator)
            return H.describe_motion(spec, generator)
        except Exception as e:  # while typing, an error is shown here rather than as a toast
            return f"⚠ {e}"

    motion_inputs = [ui.preset, ui.prompt, ui.effects, ui.frames, ui.fps]
    gr.on([ui.prompt.change, ui.preset.change, ui.effects.change, ui.frames.release,
           ui.fps.release, ui.generator.change], on_describe, [*motion_inputs, ui.generator],
          [ui.interp], api_name="describe_motion", queue=False)

    def prompt_box(generator: str) -> gr.Textbox:
        if str(generator).startswith("diffusers:"):
            return gr.Textbox(label="Custom motion prompt (free text for the video model)",
                              placeholder="e.g. waves hello, then laughs with eyes closed")
        return gr.Textbox(label="Custom motion prompt",
                          placeholder="e.g. subtle bounce then spin with sparkles")

    backend_picker(ui.generator, ui.gen_note, "generator", extra=(ui.prompt, prompt_box))

    @guarded
    def on_generate(project_id: str, preset: str, prompt: str, effects: list, frames: float,
                    fps: float, candidates: float, size: float, generator: str,
                    progress: gr.Progress = gr.Progress()) -> dict:  # noqa: B008
        spec = H.generate(studio, project_id, preset, prompt, effects, frames, fps, candidates,
                          size, generator, progress_fn(progress))
        record_controls(studio.open(project_id), preset, prompt, effects, frames, fps,
                        candidates, size, generator)
        if spec.unknown_words:
            gr.Warning(f"not understood in the motion prompt: {', '.join(spec.unknown_words)}")
        project = studio.open(project_id)
        message = f"Generated {spec.frames} frames at {spec.fps:g} fps. Next: **Export**."
        if len(project.versions()) > 1:
            message += " The previous animation is kept under **Versions**."
        return ({ui.interp: H.describe_motion(spec, generator), ui.status: message,
                 ui.set_projects: gr.Dropdown(choices=E.set_project_choices(studio))}
                | v.anim(project)
                | v.seg(project, []) | v.slot(project, 0, []) | v.plan(project)
                | {ui.seg_points: [], ui.fix_points: []})

    outputs = [ui.preview, ui.strip, ui.interp, ui.status, ui.frames_gal, ui.refine_preview,
               ui.seg_image, ui.cut_checker, ui.cut_dark, ui.cut_light, ui.seg_info, ui.slot,
               ui.cands_gal, ui.cand, ui.fix_image, ui.editor, ui.duration, ui.slot_info,
               ui.take_info, ui.seg_points, ui.fix_points, ui.set_projects, ui.src_editor,
               ui.gen_plan, ui.versions]
    gen_inputs = [ui.pid, *motion_inputs, ui.candidates, ui.size, ui.generator]
    checked_generate(studio, ui, gen_inputs).success(
        on_generate, gen_inputs, outputs, api_name="generate", concurrency_id=GPU)


def _segment_events(studio: Studio, ui: UI, v: Views) -> None:
    seg_out = [ui.seg_points, ui.seg_image, ui.cut_checker, ui.cut_dark, ui.cut_light,
               ui.seg_info, ui.status, ui.src_editor]
    frames_out = frames_outputs(ui)

    def cut(project_id: str, points: Any, backend: str, rerender: bool = False) -> dict:
        """A click shows on the source at once; the frames follow in `on_rendered`."""
        before = F.kept_area(studio.open(project_id))
        message = H.segment(studio, project_id, points, backend, rerender)
        project = studio.open(project_id)
        message += F.loss_note(before, F.kept_area(project))
        return {ui.seg_points: H.parse_points(points), ui.status: message} | v.seg(project, points)

    @guarded
    def on_cut(project_id: str, points: Any, backend: str, slot: float) -> dict:
        out = cut(project_id, points, backend, rerender=True)
        return out | v.frames(studio.open(project_id), slot)

    ui.cut_btn.click(on_cut, [ui.pid, ui.seg_points, ui.seg_backend, ui.slot],
                     seg_out + frames_out, api_name="segment", concurrency_id=GPU)

    @guarded
    def on_rendered(project_id: str, slot: float) -> dict:
        project = H.require_project(studio, project_id)
        studio.ensure_rendered(project)
        return v.frames(project, slot)

    @guarded
    def on_click(project_id: str, points: Any, mode: str, backend: str,
                 evt: gr.SelectData) -> dict:
        project = H.require_project(studio, project_id)
        w, h = project.manifest["source"]["size"]
        pts = H.add_point(points, evt.index, mode == "include", views.display_scale(w, h))
        return cut(project_id, pts, backend)

    ui.seg_image.select(on_click, [ui.pid, ui.seg_points, ui.seg_mode, ui.seg_backend], seg_out,
                        concurrency_id=GPU, **PRIVATE).success(
        on_rendered, [ui.pid, ui.slot], frames_out, **PRIVATE)

    @guarded
    def on_edit_points(project_id: str, points: Any, backend: str, clear: bool) -> dict:
        pts = [] if clear else H.parse_points(points)[:-1]
        return cut(project_id, pts, backend)

    def on_undo(project_id: str, points: Any, backend: str) -> dict:
        return on_edit_points(project_id, points, backend, False)

    def on_clear(project_id: str, points: Any, backend: str) -> dict:
        return on_edit_points(project_id, points, backend, True)

    for btn, fn in ((ui.seg_undo, on_undo), (ui.seg_clear, on_clear)):
        btn.click(fn, [ui.pid, ui.seg_points, ui.seg_backend], seg_out, concurrency_id=GPU,
                  **PRIVATE).success(on_rendered, [ui.pid, ui.slot], frames_out, **PRIVATE)
    source_brush_events(studio, ui, v, seg_out + frames_out)
    backend_picker(ui.seg_backend, ui.seg_note, "segmenter")

    @guarded
    def on_frames(project_id: str, backend: str,
                  progress: gr.Progress = gr.Progress()) -> dict:  # noqa: B008
        message = H.segment_frames(studio, project_id, backend, progress_fn(progress))
        project = studio.open(project_id)
        return v.refine(project, 0, [], message)

    ui.seg_frames_btn.click(on_frames, [ui.pid, ui.seg_backend], _refine_outputs(ui),
                            api_name="segment_frames", concurrency_id=GPU)


def _refine_outputs(ui: UI) -> list:
    return [ui.status, ui.preview, ui.strip, ui.frames_gal, ui.refine_preview, ui.slot,
            ui.cands_gal, ui.cand, ui.fix_image, ui.editor, ui.duration, ui.slot_info,
            ui.take_info, ui.gen_plan, ui.versions]


def _refine_events(studio: Studio, ui: UI, v: Views) -> None:
    out = _refine_outputs(ui)

    def after(project_id: str, slot: Any, points: Any, message: str) -> dict:
        return v.refine(studio.open(project_id), slot, points, message)

    @guarded
    def on_frame(project_id: str, slot: float, points: Any) -> dict:
        project = H.require_project(studio, project_id)
        return v.slot(project, slot, points) | {ui.fix_points: H.parse_points(points)}

    slot_out = [ui.slot, ui.cands_gal, ui.cand, ui.fix_image, ui.editor, ui.duration,
                ui.slot_info, ui.take_info, ui.fix_points]
    ui.slot_btn.click(on_frame, [ui.pid, ui.slot, ui.fix_points], slot_out, api_name="frame")
    def on_frame_select(project_id: str, evt: gr.SelectData) -> dict:
        return on_frame(project_id, evt.index, [])

    ui.frames_gal.select(on_frame_select, [ui.pid], slot_out, **PRIVATE)

    @guarded
    def on_choose(project_id: str, slot: float, take: float) -> dict:
        return after(project_id, slot, [], H.choose(studio, project_id, slot, take))

    ui.choose_btn.click(on_choose, [ui.pid, ui.slot, ui.cand], out, api_name="choose")
    def on_take_select(project_id: str, slot: float, evt: gr.SelectData) -> dict:
        return on_choose(project_id, slot, evt.index)

    ui.cands_gal.select(on_take_select, [ui.pid, ui.slot], out, **PRIVATE)

    @guarded
    def on_fix(project_id: str, slot: float, points: Any, backend: str) -> dict:
        message = H.fix_frame(studio, project_id, slot, points, backend)
        return after(project_id, slot, points, message) | {ui.fix_points: H.parse_points(points)}

    fix_in = [ui.pid, ui.slot, ui.fix_points, ui.seg_backend]
    ui.fix_btn.click(on_fix, fix_in, [*out, ui.fix_points], api_name="fix_frame",
                     concurrency_id=GPU)

    @guarded
    def on_fix_click(project_id: str, slot: float, points: Any, backend: str, mode: str,
                     evt: gr.SelectData) -> dict:
        project = H.require_project(studio, project_id)
        w, h = project.manifest["size"]
        pts = H.add_point(points, evt.index, mode == "include", views.display_scale(w, h))
        return on_fix(project_id, slot, pts, backend)

    ui.fix_image.select(on_fix_click, [*fix_in, ui.fix_mode], [*out, ui.fix_points],
                        concurrency_id=GPU, **PRIVATE)

    @guarded
    def on_fix_points(project_id: str, slot: float, points: Any, clear: bool) -> dict:
        pts = [] if clear else H.parse_points(points)[:-1]
        project = H.require_project(studio, project_id)
        return v.slot(project, slot, pts) | {ui.fix_points: pts}

    def on_fix_undo(project_id: str, slot: float, points: Any) -> dict:
        return on_fix_points(project_id, slot, points, False)

    def on_fix_clear(project_id: str, slot: float, points: Any) -> dict:
        return on_fix_points(project_id, slot, points, True)

    for btn, fn in ((ui.fix_undo, on_fix_undo), (ui.fix_clear, on_fix_clear)):
        btn.click(fn, [ui.pid, ui.slot, ui.fix_points], slot_out, **PRIVATE)

    @guarded
    def on_paint(project_id: str, slot: float, editor: dict | None, mode: str) -> dict:
        project = H.require_project(studio, project_id)
        w, h = project.manifest["size"]
        layers = (editor or {}).get("layers") or []
        stroke = views.stroke_from_layers(layers, (h, w))
        message = H.paint_frame(studio, project_id, slot, stroke, mode)
        view = after(project_id, slot, [], message)
        view.pop(ui.editor)  # the editor gets its new frame in the next step (see below)
        return view | {ui.brush_note: APPLYING}

    def editor_value(project_id: str, slot: float) -> Any:
        project = H.require_project(studio, project_id)
        return v.slot(project, slot, [])[ui.editor]

    applied = ui.brush_btn.click(on_paint, [ui.pid, ui.slot, ui.editor, ui.brush_mode],
                                 [*(o for o in out if o is not ui.editor), ui.brush_note],
                                 api_name="paint_frame",
                                 concurrency_id=GPU)
    refresh_editor(applied, ui.editor, ui.brush_reload, ui.brush_note, editor_value,
                   [ui.pid, ui.slot])

    @guarded
    def on_retry(project_id: str, slot: float, prompt: str, takes: float) -> dict:
        return after(project_id, slot, [], H.retry_frame(studio, project_id, slot, prompt, takes))

    ui.retry_btn.click(on_retry, [ui.pid, ui.slot, ui.retry_prompt, ui.retry_n], out,
                       api_name="retry_frame", concurrency_id=GPU)

    @guarded
    def on_duration(project_id: str, slot: float, ms: float) -> dict:
        return after(project_id, slot, [], H.set_duration(studio, project_id, slot, ms))

    ui.duration_btn.click(on_duration, [ui.pid, ui.slot, ui.duration], out,
                          api_name="set_duration")

    @guarded
    def on_edges(project_id: str, slot: float, feather: float, grow: float, defringe: float,
                 outline: float, colour: str) -> dict:
        message = H.set_edges(studio, project_id, feather, grow, defringe, outline, colour)
        return after(project_id, slot, [], message)

    ui.edges_btn.click(on_edges, [ui.pid, ui.slot, ui.feather, ui.grow, ui.defringe, ui.outline,
                                  ui.outline_color], out, api_name="set_edges")
