"""Events of the Export tab: one project to a platform file, or several to a set ZIP.

API endpoints: ``export(project_id, preset)`` → (file, summary, check rows, light preview,
dark preview, halo line, status); ``export_set(project_ids, preset)`` with the ids as a list
or comma-separated text → (ZIP, summary, set check rows, status); ``set_projects()`` → the
projects a set can be made of.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from studio.pipeline import Studio
from studio.ui import exports as E
from studio.ui.layout import UI
from studio.ui.wiring import guarded


def export_events(studio: Studio, ui: UI) -> None:
    """Register the Export tab's events on `ui` (inside its Blocks context)."""

    @guarded
    def on_export(project_id: str, preset: str) -> dict:
        ex = E.export(studio, project_id, preset)
        if not ex.ok:
            gr.Warning("the exported file fails some platform rules: see the check table")
        return {ui.download: str(ex.file), ui.export_summary: ex.summary, ui.check: ex.rows,
                ui.export_light: ex.previews.get("light"), ui.export_dark: ex.previews.get("dark"),
                ui.export_halo: ex.halo_text, ui.status: f"Exported **{ex.file.name}**."}

    ui.export_btn.click(on_export, [ui.pid, ui.export_preset],
                        [ui.download, ui.export_summary, ui.check, ui.export_light,
                         ui.export_dark, ui.export_halo, ui.status], api_name="export")

    def on_set_projects() -> gr.Dropdown:
        return gr.Dropdown(choices=E.set_project_choices(studio))

    ui.set_refresh.click(on_set_projects, None, [ui.set_projects], api_name="set_projects")
    ui.demo.load(on_set_projects, None, [ui.set_projects], api_visibility="private")

    @guarded
    def on_export_set(project_ids: Any, preset: str) -> dict:
        sv = E.export_set(studio, project_ids, preset)
        if not sv.ok:
            gr.Warning("the set fails some platform rules: see the set check")
        return {ui.set_download: str(sv.file), ui.set_summary: sv.summary, ui.set_check: sv.rows,
                ui.status: f"Exported the set **{sv.file.name}** ({len(sv.names)} files)."}

    ui.set_btn.click(on_export_set, [ui.set_projects, ui.set_preset],
                     [ui.set_download, ui.set_summary, ui.set_check, ui.status],
                     api_name="export_set")
