"""Events of the studio: thin adapters from components to `studio.ui.handlers`.

Every action has an ``api_name`` with explicit arguments (project id, numbers, points as
``[[x, y, 1|0], ...]``); select events (clicks on images and galleries) are private and call
the same handlers. StudioError becomes gr.Error; nothing is changed in the project then.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from typing import Any

import gradio as gr

from studio import registry
from studio.errors import StudioError
from studio.pipeline import Studio
from studio.project import Project
from studio.remote.profile import interactive
from studio.types import ProgressFn
from studio.ui import backends as B
from studio.ui import fixes as F
from studio.ui import handlers as H
from studio.ui import render
from studio.ui.layout import UI
from studio.ui.resume import last_export, saved_controls

GPU = "gpu"  # the concurrency group of events that run models


def guarded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn StudioError into gr.Error (shown to the user as a toast); remote GPU calls made
    by the handler run under the interactive time limits (studio.remote.profile)."""

    @functools.wraps(fn)
    def inner(*args: Any, **kwargs: Any) -> Any:
        try:
            with interactive():
                return fn(*args, **kwargs)
        except StudioError as e:
            raise gr.Error(str(e), print_exception=False) from None

    return inner


def progress_fn(progress: gr.Progress) -> ProgressFn:
    def update(done: int, total: int, message: str) -> None:
        progress((done, total), desc=message)

    return update


def backend_picker(
    menu: gr.Dropdown, note: gr.Markdown, kind: registry.Kind,
    extra: tuple[gr.components.Component, Callable[[str], Any]] | None = None,
) -> None:
    """When a person picks a backend: the note under the menu follows it; an unavailable one
    puts the menu back on auto and shows why as a gr.Error (nothing else changes).
    extra: (component, name → its update) also refreshed on every pick."""

    def updates(name: str) -> dict:
        out = {note: B.backend_note(kind, name)}
        if extra is not None:
            out[extra[0]] = extra[1](name)
        return out

    def on_pick(name: str) -> Iterator[dict]:
        try:
            B.require_available(kind, name)
        except StudioError as e:
            yield {menu: B.AUTO} | updates(B.AUTO)
            raise gr.Error(str(e), print_exception=False) from None
        yield updates(name)

    outputs = [menu, note] + ([extra[0]] if extra is not None else [])
    menu.input(on_pick, [menu], outputs, api_visibility="private", queue=True)


class Views:
    """{component: value} for groups of components, from a project on disk."""

    def __init__(self, studio: Studio, ui: UI):
        self.studio, self.ui = studio, ui

    def seg(self, project: Project | None, points: Any) -> dict:
        u = self.ui
        if project is None or not project.manifest.get("source"):
            return {u.seg_image: None, u.cut_checker: None, u.cut_dark: None,
                    u.cut_light: None, u.seg_info: "", u.src_editor: None}
        sv = render.source_view(project, H.parse_points(points))
        info = "\n\n".join(t for t in (sv.info, F.coverage_note(project), F.LEGEND) if t)
        editor = render.editor_value(F.brush_base(project))
        return {u.seg_image: str(sv.clickable), u.cut_checker: sv.checker, u.cut_dark: sv.dark,
                u.cut_light: sv.light, u.seg_info: info, u.src_editor: editor}

    def plan(self, project: Project | None) -> dict:
        """What Generate will do, and the versions menu."""
        u = self.ui
        return {u.gen_plan: F.generate_plan(project),
                u.versions: gr.Dropdown(choices=F.versions(project), value=None)}

    def frames(self, project: Project, slot: Any) -> dict:
        """Everything that shows the frames (after a cut-out change re-rendered them)."""
        return self.anim(project) | self.slot(project, slot, []) | self.plan(project)

    def anim(self, project: Project | None) -> dict:
        u = self.ui
        av = render.animation_view(self.studio, project) if project else render.AnimationView()
        return {u.preview: av.preview, u.strip: av.strip, u.frames_gal: av.frames,
                u.refine_preview: av.preview}

    def slot(self, project: Project | None, slot: Any, points: Any) -> dict:
        u = self.ui
        n = len(project.manifest["slots"]) if project else 0
        if n == 0:
            return {u.slot: 0, u.cands_gal: [], u.cand: 0, u.fix_image: None, u.editor: None,
                    u.duration: 0, u.slot_info: "generate first: the frames appear here",
                    u.take_info: ""}
        index = min(max(int(slot or 0), 0), n - 1)
        sv = render.slot_view(project, index, H.parse_points(points))
        return {u.slot: index, u.cands_gal: sv.candidates, u.cand: sv.chosen,
                u.fix_image: str(sv.clickable),
                u.editor: render.editor_value(sv.editor_base),
                u.duration: round(sv.duration_ms, 1), u.slot_info: sv.info,
                u.take_info: sv.origins}

    def refine(self, project: Project, slot: Any, points: Any, message: str) -> dict:
        return (self.anim(project) | self.slot(project, slot, points) | self.plan(project)
                | {self.ui.status: message})

    def controls(self, project: Project | None) -> dict:
        u = self.ui
        c = saved_controls(project) if project else dict(H.DEFAULTS, prompt="", effects=[])
        edges = c.get("edges")
        out = {u.preset: c["preset"], u.prompt: c["prompt"], u.effects: c["effects"],
               u.frames: c["frames"], u.fps: c["fps"], u.size: c["size"],
               u.candidates: c["candidates"], u.generator: c.get("generator", "auto")}
        if edges is not None:
            out |= {u.feather: edges.feather, u.grow: edges.grow, u.defringe: edges.defringe,
                    u.outline: edges.outline, u.outline_color: edges.outline_color}
        return out

    def export_blank(self) -> dict:
        u = self.ui
        return {u.export_summary: "", u.export_light: None, u.export_dark: None, u.check: None,
                u.download: None, u.export_halo: ""}

    def export_restored(self, project: Project | None) -> dict:
        """The Export tab as the project's last export left it (blank when there is none)."""
        restored = last_export(project) if project else None
        if restored is None:
            return self.export_blank()
        u, ex = self.ui, restored.view
        return {u.export_summary: ex.summary, u.export_light: ex.previews.get("light"),
                u.export_dark: ex.previews.get("dark"), u.check: ex.rows,
                u.download: str(ex.file), u.export_halo: ex.halo_text,
                u.export_preset: restored.preset_id}

    def everything(self, project: Project | None, message: str) -> dict:
        u = self.ui
        pid = project.id if project else ""
        src = project.manifest.get("source") if project else None
        if project is not None and project.manifest.get("interrupted"):
            message += " Its last generation was interrupted: press **Generate** again."
        return (
            {u.pid: pid, u.last_pid: pid, u.seg_points: [], u.fix_points: [], u.status: message,
             u.interp: "", u.upload: str(project.path / src["file"]) if src else None}
            | self.controls(project) | self.seg(project, []) | self.anim(project)
            | self.slot(project, 0, []) | self.export_restored(project) | self.plan(project)
        )


def all_outputs(ui: UI) -> list:
    names = ("pid last_pid seg_points fix_points status interp upload preset prompt effects "
             "frames fps candidates export_preset size generator feather grow defringe outline "
             "outline_color seg_image cut_checker "
             "cut_dark cut_light seg_info preview strip frames_gal refine_preview slot cands_gal "
             "cand fix_image editor duration slot_info take_info export_summary export_light "
             "export_dark export_halo check download gen_plan versions src_editor")
    return [getattr(ui, n) for n in names.split()]
