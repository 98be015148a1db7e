"""Resume restores everything that was on screen: the Generate controls as the person set
them (preset, prompt, ticked effects, frames, fps, takes per frame, size, generator) and the
last export (file, check table, chat previews, halo score).

The controls are stored in the manifest's ``settings["controls"]`` block when Generate runs;
projects made before that (or by the CLI) fall back to what the motion spec says.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import StudioError
from studio.export import check_file, get_preset
from studio.project import Project
from studio.ui import render
from studio.ui.exports import ExportView, _rows, matte_theme
from studio.ui.handlers import CUSTOM, DEFAULTS, controls_of

CONTROLS = "controls"
KEYS = ("preset", "prompt", "effects", "frames", "fps", "candidates", "size", "generator")


def record_controls(project: Project, preset: str | None, prompt: str | None,
                    effects: Any, frames: float, fps: float, candidates: float, size: float,
                    generator: str | None) -> None:
    """Store the Generate controls exactly as set (ticked effects only, not the ones the
    motion prompt adds), so a reload shows them again."""
    project.set_settings(CONTROLS, {
        "preset": preset or CUSTOM, "prompt": prompt or "", "effects": list(effects or []),
        "frames": int(frames), "fps": float(fps), "candidates": int(candidates),
        "size": int(size), "generator": generator or "auto",
    })


def saved_controls(project: Project) -> dict[str, Any]:
    """The Generate controls to show for `project`: as recorded, else derived from its
    animation (takes per frame = the fewest takes any frame has), else the defaults."""
    out = controls_of(project)
    slots = project.manifest.get("slots") or []
    if slots:
        out["candidates"] = min(len(s["candidates"]) for s in slots)
    saved = project.settings_block(CONTROLS)
    out.update({k: saved[k] for k in KEYS if k in saved})
    return out


@dataclass
class RestoredExport:
    """The last single-file export of a project, read back from disk for the Export tab."""

    preset_id: str
    view: ExportView


def last_export(project: Project) -> RestoredExport | None:
    """The newest export whose file still exists (sets are skipped), checked again against
    its preset and previewed on the chat backgrounds; None when there is none."""
    for record in reversed(project.manifest.get("exports") or []):
        if record.get("set"):
            continue
        path = Path(str(record.get("file", "")))
        if not path.is_file():
            continue
        try:
            preset = get_preset(str(record.get("preset")))
            report = check_file(path, preset)
            chat = render.export_previews(project, path, preset)
        except (StudioError, OSError, ValueError):
            continue
        size = path.stat().st_size
        verdict = "✓ meets" if report.ok else "✗ fails"
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(record.get("created", 0)))
        summary = (f"{verdict} **{preset.title}** · **{size:,}** of {preset.max_bytes:,} bytes "
                   f"({100 * size / preset.max_bytes:.0f}% of the budget) · exported {when}")
        view = ExportView(path, report.ok, _rows(report), summary, chat.previews, chat.halo,
                          matte_theme(preset))
        return RestoredExport(preset.id, view)
    return None


def default_export_preset() -> str:
    return str(DEFAULTS["export"])
