"""The studio's actions as plain functions over a Studio: explicit arguments (a project id,
numbers, points as ``[[x, y, 1|0], ...]`` in full-size image pixels), StudioError for
anything the user can fix. The Gradio layer only adapts these; tests call them directly.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from studio.errors import InputError, NoCharacter, StudioError
from studio.pipeline import Studio
from studio.presence import ACCEPTED, why_empty
from studio.project import Project
from studio.refine import EdgeSettings, parse_hex
from studio.types import MotionSpec, Point, ProgressFn, Prompt
from studio.ui import ownership, render
from studio.ui.backends import generator_prompt, require_available

CUSTOM = "custom"
DEFAULTS: dict[str, Any] = {
    "preset": "bounce", "frames": 12, "fps": 12, "candidates": 1, "size": 360,
    "export": "line-emoji",
}
MAX_POINTS = 64


# ---------------------------------------------------------------------- projects
def require_project(studio: Studio, project_id: str | None) -> Project:
    """Open the project `project_id` if the requester owns it (studio.ui.ownership);
    InputError when there is none yet, ProjectError when it is missing or someone else's."""
    if not project_id or not str(project_id).strip():
        raise InputError("no project yet: upload a character image (or pick an example) first")
    return ownership.check(studio.open(str(project_id).strip()))


def new_project(studio: Studio, image: str | Path | None) -> str:
    """Ingest an uploaded image file into a new project owned by the requester; returns its
    id. An image with nothing in it (fully transparent, one flat colour) is refused first."""
    if image is None or str(image) == "":
        raise InputError("no image given: upload a PNG, JPEG or WebP picture of a character")
    path = Path(image)
    source = studio.read_image(path)
    reason = why_empty(source.image)  # refused before a project exists
    if reason is not None:
        raise NoCharacter(f"no character found in {source.name}: {reason}; {ACCEPTED}")
    project = Project.create(path.stem[:40] or "upload", studio.settings)
    project.set_source(source)
    ownership.claim(project)
    return project.id


def recent_projects(studio: Studio, limit: int = 12) -> list[tuple[str, str, str]]:
    """(thumbnail path, caption, project id) of the most recently changed projects."""
    out = []
    for summary in Project.list_recent(studio.settings, limit=limit, keep=ownership.visible):
        try:
            project = studio.open(summary.id)
            thumb = render.thumbnail_of(project)
        except (StudioError, OSError):
            continue  # a broken or half-written project is not offered
        frames = f"{summary.frames} frames" if summary.frames else "not generated"
        if summary.status:
            frames += f" ({summary.status.split(':')[0]})"  # e.g. interrupted (generate)
        out.append((str(thumb), f"{summary.name} · {frames} · {summary.id}", summary.id))
    return out


def controls_of(project: Project) -> dict[str, Any]:
    """The UI choices stored in a project (motion, size, edges), to restore the controls."""
    spec = project.motion
    out: dict[str, Any] = dict(DEFAULTS, prompt="", effects=[])
    if spec is not None:
        if spec.prompt:
            out.update(preset=CUSTOM, prompt=spec.prompt)
        elif spec.moves:
            out["preset"] = spec.moves[0].name
        out.update(frames=spec.frames, fps=spec.fps, effects=[e.name for e in spec.effects])
    if project.manifest.get("size"):
        out["size"] = int(project.manifest["size"][0])
    if project.manifest.get("generator"):
        out["generator"] = project.manifest["generator"]
    out["edges"] = EdgeSettings(**project.settings_block("edges"))
    return out


# ---------------------------------------------------------------------- points
def parse_points(value: Any) -> list[list[float]]:
    """Points from a list or its JSON text: ``[[x, y, 1|0], ...]`` (1 include, 0 exclude)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except json.JSONDecodeError:
            raise InputError(f"points must be JSON like [[120, 80, 1]], got {value!r}") from None
    if not isinstance(value, list | tuple):
        raise InputError(f"points must be a list like [[120, 80, 1]], got {value!r}")
    if len(value) > MAX_POINTS:
        raise InputError(f"at most {MAX_POINTS} points, got {len(value)}")
    out = []
    for p in value:
        ok = isinstance(p, list | tuple) and len(p) in (2, 3)
        ok = ok and all(isinstance(v, int | float) and not isinstance(v, bool) for v in p[:2])
        if not ok or (len(p) == 3 and p[2] not in (0, 1, True, False)):
            raise InputError(f"each point must be [x, y] or [x, y, 1|0] (pixels), got {p!r}")
        out.append([float(p[0]), float(p[1]), 1 if len(p) == 2 or p[2] else 0])
    return out


def to_prompt(points: Sequence[Sequence[float]]) -> Prompt:
    return Prompt(tuple(Point(float(x), float(y), bool(inc)) for x, y, inc in points))


def add_point(
    points: Any, display_xy: Sequence[float], include: bool, scale: float
) -> list[list[float]]:
    """Append a click at display pixels `display_xy` (image px = display px / `scale`)."""
    pts = parse_points(points)
    x, y = (float(v) / scale for v in display_xy)
    return [*pts, [round(x, 1), round(y, 1), 1 if include else 0]]


# ---------------------------------------------------------------------- motion and generate
def motion_spec(
    studio: Studio, preset: str | None, prompt: str | None, effects: Sequence[str],
    frames: float, fps: float, generator: str | None = None,
) -> MotionSpec:
    """The spec the Generate tab asks for: the motion prompt when it has text (or the preset
    is "custom"), else the preset. For generators that read free text (diffusers), the prompt
    goes to the model as written."""
    text = (prompt or "").strip()
    use_prompt = bool(text) or preset in (CUSTOM, None, "")
    return studio.motion_spec(
        prompt=text if use_prompt else None,
        preset=None if use_prompt else preset,
        effects=list(effects or ()),
        frames=int(frames),
        fps=float(fps),
        generator=_backend(generator),
    )


def describe_motion(spec: MotionSpec, generator: str | None = None) -> str:
    """Markdown: how the motion was understood, the words that were not, and (for video
    models) the final prompt the model reads."""
    text = f"**Motion:** {spec.interpretation}"
    if spec.unknown_words:
        text += f"\n\n⚠ not understood: {', '.join(repr(w) for w in spec.unknown_words)}"
    model_prompt = generator_prompt(generator, spec)
    if model_prompt:
        text += f"\n\n{model_prompt}"
    return text


def generate(
    studio: Studio, project_id: str, preset: str | None, prompt: str | None,
    effects: Sequence[str], frames: float, fps: float, candidates: float, size: float,
    generator: str | None = None, progress: ProgressFn | None = None,
) -> MotionSpec:
    """Render the animation (cutting the source out first if needed); returns the spec."""
    require_available("generator", generator)
    project = require_project(studio, project_id)
    spec = motion_spec(studio, preset, prompt, effects, frames, fps, generator)
    side = int(size)
    studio.generate(
        project, spec, generator=_backend(generator),
        size=(side, side), candidates=int(candidates), progress=progress,
    )
    return project.motion or spec  # as played: fitted to the character's rig


# ---------------------------------------------------------------------- segment
def segment(studio: Studio, project_id: str, points: Any, backend: str | None = None,
            rerender: bool = True) -> str:
    """Cut the source out (automatically, or from include/exclude points); the message names
    the backend that made the mask (and says when `auto` chose it) and what the frames do.
    rerender False: procedural frames are only marked stale (the studio renders them next)."""
    from studio.ui.fixes import after_cutout

    require_available("segmenter", backend)
    project = require_project(studio, project_id)
    prompt = to_prompt(parse_points(points))
    mask = studio.segment_source(project, _backend(backend), prompt if not prompt.empty else None,
                                 rerender=rerender)
    return f"Cut out with {made_by(mask.backend, mask.info)}.{after_cutout(project)}"


def made_by(backend: str, info: dict[str, Any] | None) -> str:
    """ "**classical** (chosen by auto)" from a mask's backend and info."""
    info = info or {}
    how = ", ".join(f"{k} {info[k]}" for k in ("method", "model", "confidence") if info.get(k))
    if info.get("region") == "outlined drawing":  # a photo behind an outlined character
        how += (", the outlined drawing was cut out of the photo" + (
            " (the model chose another object)" if "another object" in str(info.get("fusion"))
            else ""))
    return f"**{backend}**" + (" (chosen by auto)" if info.get("auto_choice") else "") + (
        f" — {how}" + (f". {info['note']}" if info.get("note") else "") if how else "")


def segment_frames(
    studio: Studio, project_id: str, backend: str | None = None,
    progress: ProgressFn | None = None,
) -> str:
    require_available("segmenter", backend)
    project = require_project(studio, project_id)
    if not project.manifest["slots"]:
        raise InputError("this project has no frames yet: generate first")
    n = studio.segment_frames(project, _backend(backend), progress)
    if n == 0:
        return "Every frame already has transparency (this generator renders with alpha)."
    return f"Segmented {n} frame image{'s' * (n != 1)}."


def _backend(name: str | None) -> str | None:
    return None if name in (None, "", "auto") else name


# ---------------------------------------------------------------------- refine
def choose(studio: Studio, project_id: str, slot: float, candidate: float) -> str:
    project = require_project(studio, project_id)
    studio.choose(project, int(slot), int(candidate))
    return f"Frame #{int(slot)} now uses take {int(candidate)}."


def fix_frame(
    studio: Studio, project_id: str, slot: float, points: Any, backend: str | None = None
) -> str:
    require_available("segmenter", backend)
    project = require_project(studio, project_id)
    mask = studio.fix_frame(project, int(slot), to_prompt(parse_points(points)), _backend(backend))
    return f"Frame #{int(slot)}: mask redone with {made_by(mask.backend, mask.info)}."


def paint_frame(
    studio: Studio, project_id: str, slot: float, stroke: np.ndarray, mode: str
) -> str:
    """Apply a brush stroke (H, W) float32 in [0, 1]; mode "erase" or "restore"."""
    if mode not in ("erase", "restore"):
        raise InputError(f"brush mode must be 'erase' or 'restore', got {mode!r}")
    if not np.any(stroke > 0.02):
        raise InputError("the brush layer is empty: paint over the frame first")
    project = require_project(studio, project_id)
    studio.paint_frame(project, int(slot), stroke, erase=mode == "erase")
    return f"Frame #{int(slot)}: brush {mode}d."


def retry_frame(
    studio: Studio, project_id: str, slot: float, prompt: str | None, candidates: float = 1
) -> str:
    """A new take of one frame: with an edited motion prompt, or (empty) the project's motion
    with another seed. The new take is chosen."""
    project = require_project(studio, project_id)
    text = (prompt or "").strip() or None
    cands = studio.regenerate(project, int(slot), text, candidates=int(candidates))
    return f"Frame #{int(slot)}: {len(cands)} new take{'s' * (len(cands) != 1)}, first chosen."


def normalise_colour(colour: str | None) -> str:
    """ "#rrggbb", "rrggbb" or "rgb(r, g, b)"/"rgba(...)" → "#rrggbb"."""
    text = (colour or "#ffffff").strip()
    m = re.fullmatch(r"rgba?\(\s*([\d.]+)\s*,\s*([\d.]+)\s*,\s*([\d.]+)\s*(,[^)]*)?\)", text)
    if m:
        return "#" + "".join(f"{min(255, round(float(v))):02x}" for v in m.groups()[:3])
    return "#{:02x}{:02x}{:02x}".format(*parse_hex(text))


def set_edges(
    studio: Studio, project_id: str, feather: float, grow: float, defringe: float,
    outline: float, outline_color: str | None,
) -> str:
    project = require_project(studio, project_id)
    edges = EdgeSettings(float(feather), float(grow), float(defringe), float(outline),
                         normalise_colour(outline_color))
    studio.set_edges(project, edges)
    return "Edges updated." if not edges.is_identity else "Edges reset to the plain mask."


def set_duration(studio: Studio, project_id: str, slot: float, duration_ms: float | None) -> str:
    """Per-frame timing in ms; 0 or None goes back to 1/fps."""
    project = require_project(studio, project_id)
    ms = None if not duration_ms else float(duration_ms)
    studio.set_duration(project, int(slot), ms)
    return f"Frame #{int(slot)} shows for {ms:g} ms." if ms else f"Frame #{int(slot)}: 1/fps."
