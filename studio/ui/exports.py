"""The Export tab's actions as plain functions: one project to one platform file (with chat
previews and halo scores read back from the written file), or several projects to a platform
set ZIP. StudioError for anything the user can fix; nothing is written then.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.errors import ExportError, InputError
from studio.export import SET_RULES, CheckReport, Preset, get_preset, list_presets
from studio.pipeline import Studio
from studio.project import Project
from studio.ui import ownership, render
from studio.ui.handlers import DEFAULTS, require_project

DEFAULT_SET_PRESET = "line-emoji"
MAX_SET_ITEMS = 60
HALO_WARN = 0.05  # share of edge pixels above which the halo score gets a ⚠


def preset_choices() -> list[tuple[str, str]]:
    """(label, id) of every export preset; presets without an encoder say so."""
    out = []
    for p in list_presets():
        label = f"{p.title} · {p.width}×{p.height} {p.format.upper()}"
        if not p.supported:
            label += " (not available yet)"
        out.append((label, p.id))
    return out


def set_preset_choices() -> list[tuple[str, str]]:
    """(label, id) for set exports: the presets with platform set rules first (their rule in
    the label), then every other preset (files numbered, no rules)."""
    ruled, other = [], []
    for p in list_presets():
        if not p.supported:
            continue
        rule = SET_RULES.get(p.id)
        if rule is not None:
            ruled.append((f"{p.title} set · {rule.notes}", p.id))
        else:
            other.append((f"{p.title} · files numbered, no set rules", p.id))
    return ruled + other


def _rows(report: CheckReport) -> list[list[str]]:
    return [[r.rule, r.expected, r.actual,
             "pass" if r.passed else ("FAIL" if r.severity == "error" else "warn")]
            for r in report.rows]


# ---------------------------------------------------------------------- one project
@dataclass
class ExportView:
    """An export for the UI: the file, the check rows, a bytes-vs-budget line, the previews
    on the platform's chat backgrounds (theme → APNG) and the halo score per theme (0..1)."""

    file: Path
    ok: bool
    rows: list[list[str]]
    summary: str
    previews: dict[str, Path] = field(default_factory=dict)
    halo: dict[str, float] = field(default_factory=dict)

    matte_theme: str | None = None

    @property
    def halo_text(self) -> str:
        """Markdown: the halo score of each theme (and the theme a GIF's edges are matted on)."""
        return halo_text(self.halo, self.matte_theme)


def halo_text(halo: dict[str, float], matte_theme: str | None = None) -> str:
    """ "**Halo score** (...): light **0.2%** · dark **0.0%**" (⚠ above HALO_WARN)."""
    if not halo:
        return ""
    parts = [f"{theme} **{100 * share:.1f}%**" + (" ⚠" if share > HALO_WARN else "")
             for theme, share in halo.items()]
    text = "**Halo score** (edge pixels brighter/darker than they should be): " + " · ".join(parts)
    if matte_theme:
        text += f" · the edges are matted for the {matte_theme} chat (1-bit alpha)"
    return text


def matte_theme(preset: Preset) -> str | None:
    """The chat theme whose background is the preset's matte colour (GIF), if any."""
    if preset.matte is None:
        return None
    return next((theme for theme, rgb in preset.backgrounds if tuple(rgb) == tuple(preset.matte)),
                None)


def export(studio: Studio, project_id: str, preset_id: str | None) -> ExportView:
    project = require_project(studio, project_id)
    preset = get_preset(preset_id or DEFAULTS["export"])
    if not preset.supported:
        raise ExportError(
            f"{preset.title} needs a {preset.format.upper()} encoder, which this version does "
            "not have yet; choose another preset"
        )
    result = studio.export(project, preset.id)
    pct = 100 * result.bytes / preset.max_bytes
    verdict = "✓ meets" if result.ok else "✗ fails"
    lines = [f"{verdict} **{preset.title}** · **{result.bytes:,}** of {preset.max_bytes:,} "
             f"bytes ({pct:.0f}% of the budget) · {result.frame_count} frames"]
    lines += [f"- to fit: {g}" for g in result.given_up]
    lines += [f"- note: {n}" for n in result.notes]
    lines += [f"- ⚠ {w}" for w in result.warnings]
    chat = render.export_previews(project, result.path, result.preset)
    return ExportView(result.path, result.ok, _rows(result.check), "\n".join(lines),
                      chat.previews, chat.halo, matte_theme(result.preset))


# ---------------------------------------------------------------------- sets
def set_project_choices(studio: Studio, limit: int = MAX_SET_ITEMS) -> list[tuple[str, str]]:
    """(label, id) of the recent projects that have frames, newest first."""
    return [(f"{s.name or 'untitled'} · {s.frames} frames · {s.id}", s.id)
            for s in Project.list_recent(studio.settings, limit=limit, keep=ownership.visible)
            if s.frames]


def parse_project_ids(value: Any) -> list[str]:
    """Project ids from a list or a comma/space-separated string, in order, without repeats."""
    if value is None:
        return []
    if isinstance(value, str):
        items = re.split(r"[,\s]+", value)
    elif isinstance(value, list | tuple):
        items = [str(v) for v in value]
    else:
        raise InputError(f"project ids must be a list or comma-separated text, got {value!r}")
    out: list[str] = []
    for pid in (i.strip() for i in items):
        if pid and pid not in out:
            out.append(pid)
    if len(out) > MAX_SET_ITEMS:
        raise InputError(f"a set takes at most {MAX_SET_ITEMS} projects, got {len(out)}")
    return out


@dataclass
class SetView:
    """A set export for the UI: the ZIP, its member names, the set check and a summary."""

    file: Path
    ok: bool
    names: list[str]
    rows: list[list[str]]
    summary: str


def export_set(studio: Studio, project_ids: Any, preset_id: str | None) -> SetView:
    """Export the projects `project_ids` (list or comma-separated) as one platform set ZIP,
    written next to the first project's exports. Count and preset errors write nothing."""
    ids = parse_project_ids(project_ids)
    if not ids:
        raise InputError("choose the projects of the set first (at least one)")
    preset = get_preset(preset_id or DEFAULT_SET_PRESET)
    projects = [require_project(studio, pid) for pid in ids]
    first = projects[0]
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = first.export_path(f"set-{preset.id}-{len(ids)}-{stamp}.zip")
    result = studio.export_set(projects, preset.id, target)
    first.record_export({"preset": preset.id, "file": str(result.path), "bytes": result.bytes,
                         "ok": result.ok, "set": ids})
    rows = _rows(result.check)
    for name, item in zip(result.names, result.items, strict=False):
        budget = f"passes {preset.id} · ≤ {preset.max_bytes:,} bytes"
        got = f"{item.bytes:,} bytes · {item.frame_count} frames"
        rows.append([name, budget, got, "pass" if item.ok else "FAIL"])
    verdict = "✓ a valid" if result.ok else "✗ not a valid"
    lines = [f"{verdict} **{preset.title}** set · {len(result.items)} items · "
             f"**{result.bytes:,}** bytes · files: {', '.join(result.names)}"]
    # Studio.export_set passes the project names, which LINE/WhatsApp ignore; the studio
    # never asked for names, so that warning is not the user's to read
    lines += [f"- ⚠ {w}" for w in result.warnings if not w.startswith("names ignored")]
    return SetView(result.path, result.ok, list(result.names), rows, "\n".join(lines))
