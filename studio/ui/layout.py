"""The studio's Blocks layout: a project bar and the Generate → Segment → Refine → Export tabs.

Layout only; `studio.ui.wiring` connects the events. Components are collected on a `UI`
object so the wiring can name them.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from studio import motion
from studio.assets import example_paths
from studio.ui import backends as B
from studio.ui import exports as E
from studio.ui import handlers as H

CSS = """
.gradio-container {max-width: 1280px !important; margin: auto;}
#status p {margin: 0; min-height: 1.4em;}
#frames .thumbnail-item, #candidates .thumbnail-item {background: #eee;}
footer {display: none !important;}
.popcon-hidden {display: none !important;}
"""


class UI(SimpleNamespace):
    """The components, by name (set by `build_layout`)."""


def example_files() -> list[str]:
    """The bundled example characters (package data: `studio.assets`)."""
    return [str(p) for p in example_paths()]


def _project_bar(ui: UI) -> None:
    with gr.Row(equal_height=True):
        ui.pid = gr.Textbox(label="Project", interactive=False, scale=3, elem_id="project-id",
                            placeholder="upload a character to start a project")
        ui.new_btn = gr.Button("New project", scale=1, min_width=100, elem_id="new-project")
    ui.status = gr.Markdown(elem_id="status")
    with gr.Accordion("Resume a recent project", open=False, elem_id="recent"):
        ui.recent = gr.Gallery(show_label=False, columns=6, height=190, allow_preview=False,
                               elem_id="recent-gallery")
        with gr.Row(equal_height=True):
            ui.open_id = gr.Textbox(label="Project id", scale=3,
                                    placeholder="20260101-120000-abc123")
            ui.open_btn = gr.Button("Open", scale=1)
            ui.recent_btn = gr.Button("Refresh list", scale=1)
    # the API's upload endpoint takes a plain file (a non-image gets a clear error)
    ui.api_file = gr.File(visible=False)
    ui.api_upload = gr.Button(visible=False)


def _generate_tab(ui: UI) -> None:
    gr.Markdown("Upload a character (or click an example), choose a motion and press "
                "**Generate**. The defaults make a LINE emoji in three clicks.")
    with gr.Row():
        with gr.Column(scale=1, min_width=260):
            ui.upload = gr.Image(label="Character", type="filepath", image_mode=None,
                                 sources=["upload", "clipboard"], height=280, elem_id="upload")
            if example_files():
                gr.Examples([[f] for f in example_files()], inputs=[ui.upload], label="Examples",
                            examples_per_page=8, elem_id="examples")
        with gr.Column(scale=1, min_width=260):
            presets = [(f"{p.name} · {p.description}", p.name) for p in motion.list_presets()]
            ui.preset = gr.Dropdown([("custom · use the motion prompt", H.CUSTOM), *presets],
                                    value=H.DEFAULTS["preset"], label="Motion preset")
            ui.prompt = gr.Textbox(label="Custom motion prompt", lines=1,
                                   placeholder="e.g. subtle bounce then spin with sparkles")
            ui.interp = gr.Markdown(elem_id="interpretation")
            ui.gen_btn = gr.Button("Generate", variant="primary", elem_id="generate")
            ui.gen_plan = gr.Markdown(elem_id="generate-plan")
            with gr.Accordion("Versions", open=False, elem_id="versions-box"), \
                    gr.Row(equal_height=True):
                ui.versions = gr.Dropdown([], label="Earlier animations", scale=3,
                                          elem_id="versions")
                ui.restore_btn = gr.Button("Restore", scale=1, elem_id="restore-version")
            ui.effects = gr.CheckboxGroup(
                [(e.name.replace("_", " "), e.name) for e in motion.list_effects()],
                label="Effects")
            with gr.Accordion("Frames, size, takes and generator", open=True):
                with gr.Row():
                    ui.frames = gr.Slider(2, 60, H.DEFAULTS["frames"], step=1, label="Frames",
                                          elem_id="frames-n")
                    ui.fps = gr.Slider(1, 60, H.DEFAULTS["fps"], step=1, label="FPS")
                with gr.Row():
                    ui.candidates = gr.Slider(1, 8, H.DEFAULTS["candidates"], step=1,
                                              label="Takes per frame", elem_id="takes-n")
                    ui.size = gr.Slider(64, 1024, H.DEFAULTS["size"], step=8, label="Size (px)")
                ui.generator = gr.Dropdown(B.backend_choices("generator"), value=B.AUTO,
                                           label="Generator", elem_id="generator")
                ui.gen_note = gr.Markdown(B.backend_note("generator", B.AUTO),
                                          elem_id="generator-note")
        with gr.Column(scale=1, min_width=260):
            ui.preview = gr.Image(label="Preview (loops)", interactive=False, height=300,
                                  elem_id="preview")
            ui.strip = gr.Image(label="Frames", interactive=False, height=90, elem_id="strip")


def _segment_tab(ui: UI) -> None:
    gr.Markdown("Click the character to keep it (**include**) or the background to drop it "
                "(**exclude**); the cut-out updates after every click.")
    with gr.Row():
        with gr.Column(scale=3, min_width=300):
            ui.seg_image = gr.Image(label="Source: click to add a point", interactive=False,
                                    height=440, elem_id="seg-image")
            with gr.Row(equal_height=True):
                ui.seg_mode = gr.Radio(["include", "exclude"], value="include",
                                       label="A click adds", scale=2, elem_id="seg-mode")
                ui.seg_undo = gr.Button("Undo last point", scale=1)
                ui.seg_clear = gr.Button("Clear points", scale=1)
            ui.seg_points = gr.JSON(value=[], label="Points [x, y, 1 include | 0 exclude]",
                                    open=False)
            with gr.Accordion("Brush on the cut-out (every frame follows)", open=False,
                              elem_id="source-brush-box"):
                ui.src_editor = gr.ImageEditor(
                    type="numpy", label="Paint over the source", height=360, layers=False,
                    transforms=(), sources=(), elem_id="source-brush",
                    brush=gr.Brush(colors=["#ff2d75"], color_mode="fixed"),
                )
                with gr.Row(equal_height=True):
                    ui.src_brush_mode = gr.Radio(["erase", "restore"], value="restore",
                                                 label="The brush", scale=2)
                    ui.src_brush_btn = gr.Button("Apply brush to the cut-out", scale=1,
                                                 elem_id="source-brush-apply")
                ui.src_brush_note = gr.Markdown(elem_id="source-brush-note")
                ui.src_brush_reload = gr.Button("reload", elem_id="source-brush-reload",
                                                elem_classes=["popcon-hidden"])
        with gr.Column(scale=2, min_width=260):
            ui.seg_backend = gr.Dropdown(B.backend_choices("segmenter"), value=B.AUTO,
                                         label="Segmenter", elem_id="segmenter")
            ui.seg_note = gr.Markdown(B.backend_note("segmenter", B.AUTO),
                                      elem_id="segmenter-note")
            with gr.Row():
                ui.cut_btn = gr.Button("Cut out", variant="primary", elem_id="cut-out")
                ui.seg_frames_btn = gr.Button("Segment all frames")
            ui.seg_info = gr.Markdown(elem_id="seg-info")
            with gr.Row():
                ui.cut_checker = gr.Image(label="Cut-out", interactive=False, height=160)
                ui.cut_dark = gr.Image(label="On dark", interactive=False, height=160)
                ui.cut_light = gr.Image(label="On light", interactive=False, height=160)


def _refine_tab(ui: UI) -> None:
    gr.Markdown("Pick a frame: swap in another take, click to fix its mask, brush to erase or "
                "restore, or retry it with an edited prompt. Edges and timing apply on export.")
    ui.frames_gal = gr.Gallery(label="Frames (click one)", columns=10, height=170,
                               allow_preview=False, elem_id="frames")
    with gr.Row():
        with gr.Column(scale=1, min_width=240):
            with gr.Row(equal_height=True):
                ui.slot = gr.Number(0, label="Frame #", precision=0, minimum=0)
                ui.slot_btn = gr.Button("Show frame", elem_id="show-frame")
            ui.slot_info = gr.Markdown(elem_id="slot-info")
            ui.cands_gal = gr.Gallery(label="Takes (click one to use it)", columns=3,
                                      height=200, allow_preview=False, elem_id="candidates")
            ui.take_info = gr.Markdown(elem_id="take-info")
            with gr.Row(equal_height=True):
                ui.cand = gr.Number(0, label="Take #", precision=0, minimum=0)
                ui.choose_btn = gr.Button("Use take")
            ui.retry_prompt = gr.Textbox(label="Retry prompt",
                                         placeholder="empty: same motion, another seed")
            with gr.Row(equal_height=True):
                ui.retry_n = gr.Slider(1, 4, 1, step=1, label="New takes")
                ui.retry_btn = gr.Button("Retry this frame")
            with gr.Row(equal_height=True):
                ui.duration = gr.Number(0, label="Frame time (ms; 0 = 1/fps)", minimum=0)
                ui.duration_btn = gr.Button("Set timing")
        with gr.Column(scale=2, min_width=300):
            with gr.Tab("Click to fix"):
                ui.fix_image = gr.Image(label="Frame: click to add a point", interactive=False,
                                        height=360, elem_id="fix-image")
                with gr.Row(equal_height=True):
                    ui.fix_mode = gr.Radio(["include", "exclude"], value="include",
                                           label="A click adds", scale=2)
                    ui.fix_undo = gr.Button("Undo last point", scale=1)
                    ui.fix_clear = gr.Button("Clear points", scale=1)
                ui.fix_points = gr.JSON(value=[], label="Points [x, y, 1|0]", open=False)
                ui.fix_btn = gr.Button("Fix mask with these points")
            with gr.Tab("Brush"):
                ui.editor = gr.ImageEditor(
                    type="numpy", label="Paint over the frame", height=360, layers=False,
                    transforms=(), sources=(), elem_id="brush",
                    brush=gr.Brush(colors=["#ff2d75"], color_mode="fixed"),
                )
                with gr.Row(equal_height=True):
                    ui.brush_mode = gr.Radio(["erase", "restore"], value="erase",
                                             label="The brush", scale=2, elem_id="brush-mode")
                    ui.brush_btn = gr.Button("Apply brush", scale=1, elem_id="brush-apply")
                ui.brush_note = gr.Markdown(elem_id="brush-note")
                ui.brush_reload = gr.Button("reload", elem_id="brush-reload",
                                            elem_classes=["popcon-hidden"])
        with gr.Column(scale=1, min_width=240):
            ui.refine_preview = gr.Image(label="Preview", interactive=False, height=240,
                                         elem_id="refine-preview")
            ui.feather = gr.Slider(0, 10, 0, step=0.5, label="Feather (px)")
            ui.grow = gr.Slider(-10, 10, 0, step=0.5, label="Shrink / grow (px)")
            ui.defringe = gr.Slider(0, 6, 0, step=0.5, label="Defringe (px)")
            ui.outline = gr.Slider(0, 20, 0, step=1, label="Outline (px)")
            ui.outline_color = gr.ColorPicker("#ffffff", label="Outline colour")
            ui.edges_btn = gr.Button("Apply edges")


def _export_tab(ui: UI) -> None:
    gr.Markdown("Choose where it goes. The file is fitted to the platform's budget and checked "
                "against its rules; previews show it on the platform's light and dark chats.")
    with gr.Row(equal_height=True):
        ui.export_preset = gr.Dropdown(E.preset_choices(), value=H.DEFAULTS["export"],
                                       label="Platform preset", scale=3)
        ui.export_btn = gr.Button("Export", variant="primary", scale=1, elem_id="export")
    ui.export_summary = gr.Markdown(elem_id="export-summary")
    with gr.Row():
        ui.export_light = gr.Image(label="On a light chat", interactive=False, height=220)
        ui.export_dark = gr.Image(label="On a dark chat", interactive=False, height=220)
        ui.download = gr.File(label="Download", elem_id="download")
    ui.export_halo = gr.Markdown(elem_id="export-halo")
    ui.check = gr.Dataframe(headers=["rule", "expected", "actual", "result"], interactive=False,
                            label="Spec check", elem_id="check", wrap=True)
    with gr.Accordion("Export a set (several projects in one ZIP)", open=False,
                      elem_id="set-export"):
        gr.Markdown("Pick the projects of the set (each is one emoji or sticker, in this "
                    "order) and a platform: LINE wants 8–40 emoji plus a tab image, WhatsApp "
                    "3–30 stickers plus a tray icon.")
        with gr.Row(equal_height=True):
            ui.set_projects = gr.Dropdown([], value=[], multiselect=True,
                                          allow_custom_value=True, label="Projects", scale=4,
                                          elem_id="set-projects")
            ui.set_refresh = gr.Button("Refresh list", scale=1)
        with gr.Row(equal_height=True):
            ui.set_preset = gr.Dropdown(E.set_preset_choices(), value=E.DEFAULT_SET_PRESET,
                                        label="Set preset", scale=4)
            ui.set_btn = gr.Button("Export set", variant="primary", scale=1,
                                   elem_id="export-set")
        ui.set_summary = gr.Markdown(elem_id="set-summary")
        with gr.Row():
            ui.set_check = gr.Dataframe(headers=["rule", "expected", "actual", "result"],
                                        interactive=False, label="Set check", wrap=True,
                                        elem_id="set-check", scale=3)
            ui.set_download = gr.File(label="Set ZIP", elem_id="set-download", scale=1)


def build_layout() -> tuple[gr.Blocks, UI]:
    """The Blocks app and its components (no events yet)."""
    ui = UI()
    with gr.Blocks(title="popcon studio", analytics_enabled=False) as demo:
        gr.Markdown("# popcon studio\nOne character image in, a looping animated emoji or "
                    "sticker out: **generate → segment → refine → export**.")
        _project_bar(ui)
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("Generate", id="generate"):
                _generate_tab(ui)
            with gr.Tab("Segment", id="segment"):
                _segment_tab(ui)
                from studio.ui import rig_panel  # (it imports the UI helpers that import us)

                rig_panel.build(ui)
            with gr.Tab("Refine", id="refine"):
                _refine_tab(ui)
            with gr.Tab("Export", id="export"):
                _export_tab(ui)
        ui.last_pid = gr.BrowserState("", storage_key="popcon-last-project",
                                      secret="popcon-project-id")
    ui.demo = demo
    return demo, ui
