"""The rig panel (Segment tab): the parts the automatic rig found, drawn on a copy of the
cut-out, and edited with a click: re-assign the part under the click (or make one from the
painted region there, or remove it with "none"), or move a part's pivot to the click.

Self-contained: `build(ui)` adds the components (call it inside the Segment tab) and
`wire(studio, ui)` their events. API endpoints (explicit arguments, source px):

    rig(project_id) · rig_detect(project_id)
    rig_edit(project_id, mode, part_id, kind, x, y)     mode: "assign part" | "move pivot"
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import gradio as gr

from studio.errors import InputError
from studio.motion.rig import PART_KINDS, Rig
from studio.motion.rig.overlay import draw_rig
from studio.pipeline import Studio
from studio.project import Project
from studio.ui import handlers as H
from studio.ui import views
from studio.ui.render import ui_path

if TYPE_CHECKING:
    from studio.ui.layout import UI

DISPLAY_SIDE = 512  # the rig view's longer side, px (small cut-outs are enlarged to click)
ASSIGN, PIVOT = "assign part", "move pivot"
KIND_CHOICES = [*(k for k in PART_KINDS if k != "face"), "none"]


@dataclass
class RigView:
    image: str | None  # path of the overlay PNG
    scale: float  # display px per source px
    info: str  # markdown
    part_ids: list[str]
    data: dict[str, Any] | None


def display_scale(width: int, height: int) -> float:
    return min(2.0, DISPLAY_SIDE / max(width, height))


def rig_view(studio: Studio, project: Project, message: str = "") -> RigView:
    """The overlay of the project's rig (detected now if it has none yet)."""
    if project.manifest.get("cutout") is None:
        return RigView(None, 1.0, "cut the character out first: the rig is found on the "
                       "cut-out", [], None)
    rig = studio.rig(project)
    source = project.load_source()
    assert source.cutout is not None
    h, w = source.cutout.shape[:2]
    scale = display_scale(w, h)
    image = draw_rig(source.cutout, rig, scale=scale)
    path = views.write_image(ui_path(project, "rig.png"), image)
    return RigView(str(path), scale, describe(rig, message),
                   [p.id for p in rig.parts if p.kind != "face"], rig.to_dict())


def describe(rig: Rig, message: str = "") -> str:
    lines = [f"**Rig:** {rig.describe()}."]
    edited = [p.id for p in rig.parts if p.source == "user"]
    if edited:
        lines.append(f"Edited by hand: {', '.join(edited)}.")
    lines += [f"- {n}" for n in rig.notes]
    if message:
        lines.insert(0, message)
    return "\n\n".join(lines[:2]) + ("\n" + "\n".join(lines[2:]) if len(lines) > 2 else "")


def edit(studio: Studio, project_id: str, mode: str, part_id: str | None, kind: str | None,
         x: float, y: float) -> str:
    """Apply one click at (x, y) source px; returns what changed, in words."""
    project = H.require_project(studio, project_id)
    if mode == PIVOT:
        if not part_id:
            raise InputError("choose the part whose pivot moves, then click where it turns")
        studio.move_pivot(project, part_id, x, y)
        return f"Moved the pivot of **{part_id}** to ({x:.0f}, {y:.0f})."
    if mode != ASSIGN:
        raise InputError(f"the rig click mode must be {ASSIGN!r} or {PIVOT!r}, got {mode!r}")
    kind = kind or "none"
    before = {p.id for p in studio.rig(project).parts}
    rig = studio.assign_part(project, x, y, kind)
    after = {p.id for p in rig.parts}
    if kind == "none":
        return f"Removed **{', '.join(sorted(before - after))}**."
    new = sorted(after - before)
    return f"Made **{', '.join(new) or kind}** a {kind} at ({x:.0f}, {y:.0f})."


def build(ui: UI) -> None:
    """The rig panel's components (inside the Segment tab)."""
    with gr.Accordion("Rig: the parts that move (blink, look, talk, wave, wiggle, wag)",
                      open=False, elem_id="rig") as ui.rig_box:
        gr.Markdown("The parts found on the cut-out. Click the picture to fix them: "
                    "**assign part** makes the region under the click (or the part already "
                    "there) the chosen kind, *none* removes it; **move pivot** moves the "
                    "chosen part's pivot (what it turns about) to the click.")
        with gr.Row():
            with gr.Column(scale=3, min_width=300):
                ui.rig_image = gr.Image(label="Rig (click to edit)", interactive=False,
                                        height=420, elem_id="rig-image")
            with gr.Column(scale=2, min_width=240):
                ui.rig_mode = gr.Radio([ASSIGN, PIVOT], value=ASSIGN, label="A click will")
                ui.rig_kind = gr.Dropdown(KIND_CHOICES, value="eye", label="Part kind")
                ui.rig_part = gr.Dropdown([], value=None, label="Part (for its pivot)",
                                          allow_custom_value=True)
                ui.rig_info = gr.Markdown(elem_id="rig-info")
                with gr.Row():
                    ui.rig_show = gr.Button("Show rig")
                    ui.rig_detect = gr.Button("Find parts again")
                with gr.Accordion("Rig data (JSON)", open=False):
                    ui.rig_json = gr.JSON(label="Rig data", open=False)
        # the API's edit endpoint takes source px (the click above takes display px)
        ui.rig_x = gr.Number(visible=False)
        ui.rig_y = gr.Number(visible=False)
        ui.rig_api = gr.Button(visible=False)


def wire(studio: Studio, ui: UI) -> None:
    """The rig panel's events."""
    from studio.ui.wiring import guarded

    outputs = [ui.rig_image, ui.rig_info, ui.rig_part, ui.rig_json]

    def values(project: Project, message: str = "") -> dict:
        rv = rig_view(studio, project, message)
        return {ui.rig_image: rv.image, ui.rig_info: rv.info,
                ui.rig_part: gr.Dropdown(choices=rv.part_ids,
                                         value=rv.part_ids[0] if rv.part_ids else None),
                ui.rig_json: rv.data}

    @guarded
    def on_show(project_id: str) -> dict:
        return values(H.require_project(studio, project_id))

    def on_expand(project_id: str) -> dict:
        return on_show(project_id) if project_id else {}

    @guarded
    def on_detect(project_id: str) -> dict:
        project = H.require_project(studio, project_id)
        studio.redetect_rig(project)
        return values(project, "Found the parts again (hand edits were replaced).")

    @guarded
    def on_edit(project_id: str, mode: str, part_id: str, kind: str, x: float,
                y: float) -> dict:
        message = edit(studio, project_id, mode, part_id, kind, float(x), float(y))
        return values(H.require_project(studio, project_id), message)

    @guarded
    def on_click(project_id: str, mode: str, part_id: str, kind: str,
                 evt: gr.SelectData) -> dict:
        project = H.require_project(studio, project_id)
        w, h = project.manifest["source"]["size"]
        s = display_scale(w, h)
        x, y = (float(v) / s for v in evt.index)
        message = edit(studio, project_id, mode, part_id, kind, x, y)
        return values(project, message)

    ui.rig_show.click(on_show, [ui.pid], outputs, api_name="rig")
    ui.rig_box.expand(on_expand, [ui.pid], outputs, api_visibility="private")
    ui.rig_detect.click(on_detect, [ui.pid], outputs, api_name="rig_detect")
    ui.rig_api.click(on_edit, [ui.pid, ui.rig_mode, ui.rig_part, ui.rig_kind, ui.rig_x,
                               ui.rig_y], outputs, api_name="rig_edit")
    ui.rig_image.select(on_click, [ui.pid, ui.rig_mode, ui.rig_part, ui.rig_kind], outputs,
                        api_visibility="private")
