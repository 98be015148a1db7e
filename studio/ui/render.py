"""Project → view files for the studio: cut-out composites, the looping preview, frame strips,
thumbnails and export previews, all written under ``<project>/ui/`` (the only folders the
studio serves are project folders). Nothing here imports gradio.

Points are ``[x, y, 1|0]`` in full-size image pixels.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studio.export import Preset, chat_previews, decode_file, halo_scores
from studio.pipeline import Studio, segmentable_frame
from studio.project import Project
from studio.ui import views

UI_DIR = "ui"


def ui_path(project: Project, name: str) -> Path:
    """A view file inside the project folder (its ui/ sub-folder)."""
    return project.path / UI_DIR / name


def editor_value(background: Path) -> dict:
    """An image editor's value: the view file `background` and no layer yet."""
    return {"background": str(background), "layers": [], "composite": None}


def write_fresh(project: Project, stem: str, image: np.ndarray) -> Path:
    """Write a view under a name that changes with its pixels (ui/<stem>-<digest>.png) and
    remove the older ones: an image editor given the same URL again never finishes loading
    it (its spinner stays), and a browser may show the cached old pixels."""
    import hashlib

    digest = hashlib.sha1(np.ascontiguousarray(image).tobytes()).hexdigest()[:10]
    path = ui_path(project, f"{stem}-{digest}.png")
    if path.parent.is_dir():
        for old in path.parent.glob(f"{stem}-*.png"):
            if old != path:
                old.unlink(missing_ok=True)
    return views.write_image(path, image)


@dataclass
class SourceView:
    """The Segment tab: the clickable source (points drawn, outside of the mask dimmed) and
    the cut-out over a checkerboard and the dark and light chat backgrounds."""

    clickable: Path
    checker: Path | None
    dark: Path | None
    light: Path | None
    scale: float
    info: str


@dataclass
class AnimationView:
    """The looping preview (APNG over a checkerboard), a strip of frames and the frame
    thumbnails with captions for the Refine gallery; all None/empty before generating."""

    preview: Path | None = None
    strip: Path | None = None
    frames: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class SlotView:
    """One frame in the Refine tab: its candidates, the clickable frame and the brush base."""

    slot: int
    candidates: list[tuple[str, str]]
    chosen: int
    clickable: Path
    editor_base: Path
    duration_ms: float
    scale: float
    info: str
    origins: str = ""


def source_view(project: Project, points: Sequence[Sequence[float]]) -> SourceView:
    source = project.load_source()
    image = source.image
    h, w = image.shape[:2]
    scale = views.display_scale(w, h)
    alpha = source.cutout[..., 3].astype(np.float32) / 255 if source.cutout is not None else None
    base = views.on_checker(image) if source.had_alpha else image[..., :3]
    disp = views.to_display(base)
    disp_alpha = views.to_display(alpha) if alpha is not None else None
    clickable = views.draw_points(views.tint_outside(disp, disp_alpha), points, scale)
    out = SourceView(views.write_image(ui_path(project, "source-points.png"), clickable),
                     None, None, None, scale, "")
    if source.cutout is not None:
        cut = views.to_display(source.cutout, 512)
        out.checker = views.write_image(ui_path(project, "cutout-checker.png"),
                                        views.on_checker(cut))
        out.dark = views.write_image(ui_path(project, "cutout-dark.png"),
                                     views.over(cut, views.DARK_CHAT))
        out.light = views.write_image(ui_path(project, "cutout-light.png"),
                                      views.over(cut, views.LIGHT_CHAT))
        cut_rec = project.manifest.get("cutout") or {}
        n = len(points)
        auto = " (chosen by auto)" if (cut_rec.get("info") or {}).get("auto_choice") else ""
        out.info = f"cut out with **{cut_rec.get('backend', '?')}**{auto}" + (
            f" from {n} point{'s' * (n != 1)}" if n else " (automatic)"
        )
    else:
        out.info = "not cut out yet: click the character or press **Cut out**"
    return out


def animation_view(studio: Studio, project: Project) -> AnimationView:
    if not project.manifest.get("slots"):
        return AnimationView()
    frames = studio.final_frames(project)
    durations = studio.durations_ms(project)
    checker = [views.on_checker(f) for f in frames]
    view = AnimationView(
        preview=views.write_animation(ui_path(project, "preview.png"), checker, durations),
        strip=views.write_image(ui_path(project, "strip.png"), views.strip(frames)),
    )
    for i, (f, d) in enumerate(zip(checker, durations, strict=True)):
        rec = project.slot_record(i)
        path = views.write_image(ui_path(project, f"frames/{i:03d}.png"), views.thumbnail(f))
        k = len(rec["candidates"])
        view.frames.append((str(path), f"#{i} · {d:.0f} ms" + (f" · {k} takes" if k > 1 else "")))
    return view


def slot_view(project: Project, slot: int, points: Sequence[Sequence[float]]) -> SlotView:
    rec = project.slot_record(slot)
    cands = []
    for k, c in enumerate(rec["candidates"]):
        cand = project.load_candidate(slot, k)
        tile = views.on_checker(views.thumbnail(cand.image(), 200))
        path = views.write_image(ui_path(project, f"candidates/{slot:03d}-{k}.png"), tile)
        origin = c.get("origin", {})
        mark = " ✓" if k == rec["chosen"] else ""
        rank = f" · rank {origin['rank']}" if "rank" in origin else ""
        cands.append((str(path), f"take {k}{mark} · seed {origin.get('seed', '?')}{rank}"))
    current = project.load_candidate(slot)
    frame = current.image()
    h, w = frame.shape[:2]
    scale = views.display_scale(w, h)
    disp = views.to_display(segmentable_frame(current))
    alpha = views.to_display(frame[..., 3].astype(np.float32) / 255)
    clickable = views.draw_points(views.tint_outside(disp, alpha), points, scale)
    spec = project.motion
    step = 1000.0 / spec.fps if spec else 0.0
    duration = float(rec.get("duration_ms") or step)
    info = (f"frame **#{slot}** · take {rec['chosen']} of {len(rec['candidates'])} · "
            f"mask by {rec['candidates'][rec['chosen']].get('mask_backend') or 'the generator'}")
    return SlotView(
        slot=slot,
        candidates=cands,
        chosen=int(rec["chosen"]),
        clickable=views.write_image(ui_path(project, "slot-points.png"), clickable),
        editor_base=write_fresh(project, "slot-brush", views.on_checker(frame)),
        duration_ms=duration,
        scale=scale,
        info=info,
        origins=describe_origins(rec),
    )


ORIGIN_FIELDS = (("rank", "rank"), ("score", "score"), ("drift", "drift"),
                 ("retry_of", "retry of #"), ("source_slot", "from frame #"))


def describe_origins(rec: dict) -> str:
    """Markdown: where each take of a slot record came from (backend, seed, ranking when the
    generator ranks takes) and the prompt it was made with (once when all takes share it)."""
    lines, prompts = [], []
    for k, c in enumerate(rec["candidates"]):
        o = c.get("origin") or {}
        parts = [f"take {k}" + (" ✓" if k == rec["chosen"] else ""), str(o.get("backend", "?")),
                 f"seed {o.get('seed', '?')}"]
        parts += [f"{label} {o[key]}" if not label.endswith("#") else f"{label}{o[key]}"
                  for key, label in ORIGIN_FIELDS if key in o]
        lines.append("- " + " · ".join(parts))
        prompts.append(str(o.get("prompt") or ""))
    shared = len(set(prompts)) == 1
    if not shared:
        lines = [f"{line}  \n  prompt: {p!r}" if p else line
                 for line, p in zip(lines, prompts, strict=True)]
    text = "\n".join(lines)
    if shared and prompts and prompts[0]:
        text += f"\n\n**Prompt:** {prompts[0]}"
    return text


def thumbnail_of(project: Project) -> Path:
    """A small thumbnail of the project's source (written once)."""
    path = ui_path(project, "thumb.png")
    if not path.exists():
        src = project.load_source()
        views.write_image(path, views.thumbnail(views.on_checker(src.image), 160))
    return path


@dataclass
class ChatView:
    """Previews of an exported file on each of its platform's chat themes (theme → APNG) and
    the halo score per theme (share 0..1 of edge pixels); empty when it cannot be decoded."""

    previews: dict[str, Path] = field(default_factory=dict)
    halo: dict[str, float] = field(default_factory=dict)
    error: str = ""


def export_previews(project: Project, exported: Path, preset: Preset) -> ChatView:
    """The exported file read back (APNG, GIF, WebP or WebM), composited on the preset's
    light and dark chat backgrounds, with its halo score on each."""
    decoded = decode_file(exported)
    if not decoded.frames:
        return ChatView(error=decoded.error)
    durations = [d or 100.0 for d in decoded.durations_ms]
    view = ChatView(halo=halo_scores(decoded.frames, preset))
    for theme, frames in chat_previews(decoded.frames, preset).items():
        path = ui_path(project, f"export-{theme}.png")
        view.previews[theme] = views.write_animation(path, frames, durations)
    return view
