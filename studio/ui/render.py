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
from PIL import Image

from studio.pipeline import Studio, segmentable_frame
from studio.project import Project
from studio.ui import views

UI_DIR = "ui"


def ui_path(project: Project, name: str) -> Path:
    """A view file inside the project folder (its ui/ sub-folder)."""
    return project.path / UI_DIR / name


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
        out.info = f"cut out with **{cut_rec.get('backend', '?')}**" + (
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
        cands.append((str(path), f"take {k}{mark} · seed {origin.get('seed', '?')}"))
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
        editor_base=views.write_image(ui_path(project, "slot-brush.png"), views.on_checker(frame)),
        duration_ms=duration,
        scale=scale,
        info=info,
    )


def thumbnail_of(project: Project) -> Path:
    """A small thumbnail of the project's source (written once)."""
    path = ui_path(project, "thumb.png")
    if not path.exists():
        src = project.load_source()
        views.write_image(path, views.thumbnail(views.on_checker(src.image), 160))
    return path


def decode_animation(path: Path) -> tuple[list[np.ndarray], list[float]]:
    """RGBA uint8 frames (H, W, 4) and delays (ms) of an animated file Pillow can read."""
    frames, durations = [], []
    with Image.open(path) as im:
        for i in range(getattr(im, "n_frames", 1)):
            im.seek(i)
            frames.append(np.asarray(im.convert("RGBA")).copy())
            durations.append(float(im.info.get("duration", 100) or 100))
    return frames, durations


def export_previews(
    project: Project,
    exported: Path,
    light_rgb: tuple[int, int, int] = views.LIGHT_CHAT,
    dark_rgb: tuple[int, int, int] = views.DARK_CHAT,
) -> tuple[Path | None, Path | None]:
    """The exported file itself, decoded and shown on the light and dark chat backgrounds."""
    try:
        frames, durations = decode_animation(exported)
    except OSError:  # a format Pillow cannot read (WebM): no preview
        return None, None
    light = [views.over(f, light_rgb) for f in frames]
    dark = [views.over(f, dark_rgb) for f in frames]
    return (
        views.write_animation(ui_path(project, "export-light.png"), light, durations),
        views.write_animation(ui_path(project, "export-dark.png"), dark, durations),
    )
