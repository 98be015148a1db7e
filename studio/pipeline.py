"""The Studio service: generate / segment / refine / export on a Project.

The UI, the CLI, the notebooks and the worker are thin adapters over this class. Every
method validates its input before touching the project, so a rejected request changes
nothing on disk.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studio import registry
from studio.brush import apply_edits, merge_edits, paint_frame_rgba
from studio.errors import InputError, PromptError, StudioError
from studio.executor import FrameResult, failure_summary, run_frames
from studio.ingest import decode_image, from_array, load_image
from studio.presence import require_character
from studio.project import Project
from studio.recovery import job_marker
from studio.refine import EdgeSettings, apply_edges
from studio.rerender import ensure_rendered, frame_colours, mark_stale
from studio.rerender import rerender as rerender_takes
from studio.rigging import RigMixin
from studio.settings import Settings, load_settings
from studio.types import Candidate, Effect, Mask, MotionSpec, ProgressFn, Prompt, Slot, Source
from studio.validate import (
    check_index,
    check_mask,
    check_number,
    check_output_path,
    check_stroke,
)

if TYPE_CHECKING:
    from studio.export import ExportResult, SetResult

MAX_CANDIDATES = 8
MAX_SIZE = 1024


def check_range(name: str, value: float, lo: float, hi: float, whole: bool = False) -> None:
    """InputError unless `value` is a number (a whole one when `whole`) in [lo, hi]."""
    check_number(name, value, lo, hi, whole)


class Studio(RigMixin):
    """Runs the pipeline on projects under ``settings.projects_dir``; backends are cached.
    The rig methods (rig, move_pivot, assign_part, bind_motion, ...) are in studio/rigging.py."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or load_settings()
        self._backends: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ backends
    def backend(self, kind: registry.Kind, name: str | None = None) -> Any:
        """The backend instance for `name` (settings default when None), created once."""
        name = name or (self.settings.generator if kind == "generator" else self.settings.segmenter)
        key = (kind, name)
        with self._lock:
            if key not in self._backends:
                self._backends[key] = registry.create(kind, name)
            return self._backends[key]

    # ------------------------------------------------------------------ projects
    def read_image(self, image: str | Path | bytes | np.ndarray, name: str | None = None) -> Source:
        s = self.settings
        if isinstance(image, np.ndarray):
            return from_array(image, name or "array")
        if isinstance(image, bytes):
            return decode_image(
                image, name=name or "upload", max_pixels=s.max_pixels, max_bytes=s.max_upload_bytes
            )
        return load_image(image, max_pixels=s.max_pixels, max_bytes=s.max_upload_bytes)

    def new_project(
        self, image: str | Path | bytes | np.ndarray, name: str | None = None
    ) -> Project:
        """Ingest `image` (validated first: bad input creates nothing) into a new project."""
        source = self.read_image(image, name)
        project = Project.create(name or Path(source.name).stem, self.settings)
        project.set_source(source)
        return project

    def open(self, project_id: str) -> Project:
        return Project.open(project_id, self.settings)

    # ------------------------------------------------------------------ segment
    def segment_image(
        self, image: np.ndarray, backend: str | None = None, prompt: Prompt | None = None
    ) -> Mask:
        """Segment one RGB(A) uint8 image; returns its Mask (alpha + foreground colour)."""
        seg = self.backend("segmenter", backend)
        if prompt and not prompt.empty:
            self._check_points(image, prompt)
        mask = seg.segment(image, prompt)
        return check_mask(mask, image, f"the mask from {getattr(seg, 'name', 'the segmenter')}")

    @staticmethod
    def _check_points(image: np.ndarray, prompt: Prompt) -> None:
        h, w = image.shape[:2]
        for p in prompt.points:
            if not (0 <= p.x < w and 0 <= p.y < h):
                raise InputError(f"point ({p.x:g}, {p.y:g}) is outside the {w}×{h} image")

    def segment_source(
        self, project: Project, backend: str | None = None, prompt: Prompt | None = None,
        *, rerender: bool = True,
    ) -> Mask:
        """Cut the character out of the project's source and store the cut-out (with the
        source's brush edits applied). Procedural frames are rendered again from it; with
        `rerender` False only marked stale (a click view first; `ensure_rendered` after)."""
        source = project.load_source()
        mask = self.segment_image(source.image, backend, prompt)
        require_character(source.image, mask.alpha, source.name)
        cutout = apply_edits(mask.cutout(source.image), source.image, project.load_source_edits())
        project.set_cutout(
            cutout,
            mask.backend,
            prompt.to_dict() if prompt else None,
            _jsonable(mask.info),
        )
        if rerender:  # procedural frames follow the cut-out (one source of truth)
            rerender_takes(self, project)
        else:
            mark_stale(project)
        return mask

    def ensure_rendered(self, project: Project) -> int:
        """Re-render procedural frames a cut-out change left stale; returns how many."""
        return ensure_rendered(self, project)

    def paint_source(self, project: Project, stroke: np.ndarray, erase: bool) -> int:
        """Erase (or restore, in the source's real colours) the cut-out under a brush stroke
        (H, W) float32 in [0, 1] on the source; the edit is kept for later cut-outs and the
        procedural frames are rendered again. Returns how many takes were re-rendered."""
        source = project.load_source()
        if source.cutout is None:
            raise InputError("cut the character out first (Segment tab), then brush over it")
        stroke = check_stroke(stroke, source.image.shape[:2])
        if not (stroke > 0.02).any():
            raise InputError("the brush stroke is empty: paint over the image first")
        edits = merge_edits(project.load_source_edits(), stroke, erase)
        cut = project.manifest["cutout"]
        project.set_cutout(apply_edits(source.cutout, source.image, edits),
                           cut["backend"], cut.get("prompt"), cut.get("info"))
        project.set_source_edits(edits)
        return rerender_takes(self, project)

    def segment_frames(
        self, project: Project, backend: str | None = None, progress: ProgressFn | None = None
    ) -> int:
        """Segment every candidate that has no alpha yet (in parallel); returns how many.

        Each mask is checked against its frame (size, mode, values) and stored as it arrives,
        so a failure keeps the good ones; then FrameError names every failed frame and why."""
        slots = project.load_slots()
        todo = [
            (s.index, k, c) for s in slots for k, c in enumerate(s.candidates) if not c.has_alpha
        ]
        if not todo:
            return 0
        seg = self.backend("segmenter", backend)
        images = [t[2].rgb for t in todo]
        takes = max(len(s.candidates) for s in slots)
        labels = [f"frame #{i}" + (f" take {k}" if takes > 1 else "") for i, k, _ in todo]

        def store(r: FrameResult[Mask]) -> None:  # as each mask arrives
            if not r.ok:
                return
            slot, k, _ = todo[r.index]
            try:
                mask = check_mask(r.value, images[r.index], "the mask")
                project.set_candidate_mask(slot, k, mask)
            except StudioError as e:
                r.value, r.error = None, e

        batch = getattr(seg, "segment_batch", None)
        if batch is not None:  # remote: every frame in flight at once; local GPU: one batch
            results = batch(images, progress=progress, on_result=store)
        else:  # CPU: a thread per core
            results = run_frames(
                lambda i, _im: seg.segment(images[i]),
                images,
                max_workers=self.settings.max_parallel,
                retries=self.settings.retries,
                progress=progress,
                label="mask",
                on_result=store,
            )
        failure = failure_summary(results, "masks", labels)
        if failure is not None:
            raise failure
        return len(todo)

    # ------------------------------------------------------------------ motion
    def motion_spec(
        self,
        *,
        prompt: str | None = None,
        preset: str | None = None,
        effects: Sequence[str] = (),
        frames: int = 12,
        fps: float = 12.0,
        shadow: bool = False,
        generator: str | None = None,
    ) -> MotionSpec:
        """A MotionSpec from a custom motion prompt or a preset name (exactly one of them).

        For generators that read free text (image-to-video models), a prompt the motion parser
        does not understand ("cry", "wave hello") is passed on to the model as written.
        """
        from studio import motion

        frames = int(check_number("frames", frames, 2, 60, whole=True))
        fps = check_number("fps", fps, 1, 60)
        known_effects = {e.name for e in motion.list_effects()}
        for e in effects:
            if e not in known_effects:
                raise InputError(
                    f"unknown effect {e!r}; known effects: {', '.join(sorted(known_effects))}"
                )
        effect_objs = tuple(Effect(e) for e in effects)
        if prompt is not None and preset is not None:
            raise InputError("give either a custom motion prompt or a motion preset, not both")
        if prompt is not None:
            return self._parse_prompt(prompt, generator, frames, fps, effect_objs, shadow)
        return motion.preset_spec(
            preset or "bounce", frames=frames, fps=fps, effects=effect_objs, shadow=shadow
        )

    def _parse_prompt(
        self,
        prompt: str,
        generator: str | None,
        frames: int,
        fps: float,
        effects: tuple[Effect, ...],
        shadow: bool,
    ) -> MotionSpec:
        """Parse a custom motion prompt; generators that read free text (image-to-video
        models) take what the motion parser does not understand as written."""
        from studio import motion

        name = generator or self.settings.generator
        free_text = getattr(registry.resolve_class("generator", name), "free_text_prompts", False)
        if free_text:
            from studio.generate.templates import video_motion_spec

            if not prompt.strip():
                raise PromptError("the motion prompt is empty: describe how it should move")
            return video_motion_spec(prompt, frames=frames, fps=fps, effects=effects, shadow=shadow)
        return motion.parse_motion_prompt(
            prompt, frames=frames, fps=fps, effects=effects, shadow=shadow
        )

    # ------------------------------------------------------------------ generate
    def ensure_cutout(self, project: Project, backend: str | None = None) -> Source:
        source = project.load_source()
        if source.cutout is None:
            self.segment_source(project, backend)
            source = project.load_source()
        return source

    def generate(
        self,
        project: Project,
        spec: MotionSpec,
        *,
        generator: str | None = None,
        size: tuple[int, int] = (360, 360),
        candidates: int = 1,
        seed: int = 0,
        segmenter: str | None = None,
        progress: ProgressFn | None = None,
    ) -> list[Slot]:
        """Render the animation into the project's slots (K candidates each)."""
        candidates = int(check_number("candidates", candidates, 1, MAX_CANDIDATES, whole=True))
        if not isinstance(size, tuple | list) or len(size) != 2:
            raise InputError(f"size must be (width, height) in px, got {size!r}")
        size = (int(check_number("width", size[0], 16, MAX_SIZE, whole=True)),
                int(check_number("height", size[1], 16, MAX_SIZE, whole=True)))
        if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
            raise InputError(f"seed must be a whole number, got {seed!r}")
        gen = self.backend("generator", generator)
        if not gen.produces_alpha:
            self.backend("segmenter", segmenter)  # unknown or unavailable: refused up front
        source = self.ensure_cutout(project, segmenter)
        spec, source = self.rigged(project, gen, spec, source)
        with job_marker(project, "generate"):  # a kill leaves the project marked interrupted
            slots = gen.generate(
                source, spec, size=size, candidates=candidates, seed=seed, progress=progress
            )
            project.set_animation(spec, gen.name, size, slots)
            if not gen.produces_alpha:
                self.segment_frames(project, segmenter, progress)
                refine = getattr(gen, "refine_masks", None)  # e.g. temporal smoothing of alpha
                if refine is not None:
                    for (i, k), mask in refine(project.load_slots()).items():
                        project.set_candidate_mask(i, k, mask)
                slots = project.load_slots()
        return slots

    def regenerate(
        self,
        project: Project,
        slot: int,
        prompt: str | None = None,
        *,
        candidates: int = 1,
        seed: int | None = None,
    ) -> list[Candidate]:
        """Redo one slot, optionally with an edited motion prompt; new candidates are appended
        to the slot and the first is chosen."""
        candidates = int(check_number("candidates", candidates, 1, MAX_CANDIDATES, whole=True))
        spec = project.motion
        if spec is None:
            raise InputError("this project has no animation yet: generate first")
        slot = check_index("slot", slot, len(project.manifest["slots"]))
        generator = project.manifest.get("generator")
        if prompt is not None and prompt.strip():
            spec = self._parse_prompt(
                prompt, generator, spec.frames, spec.fps, spec.effects, spec.shadow
            )
        gen = self.backend("generator", generator)
        spec, source = self.rigged(project, gen, spec, project.load_source())
        existing = len(project.manifest["slots"][slot]["candidates"])
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int | np.integer)):
            raise InputError(f"seed must be a whole number, got {seed!r}")
        seed = existing * 7919 + slot if seed is None else int(seed)
        size = tuple(project.manifest["size"])
        cands = gen.regenerate(
            source, spec, slot, size=size, candidates=candidates, seed=seed
        )
        if spec != project.motion:  # an edited prompt: the take is re-rendered with it
            for c in cands:
                c.origin.setdefault("motion", spec.to_dict())
        project.add_candidates(slot, cands)
        project.mark_edited()
        if not gen.produces_alpha:
            self.segment_frames(project)
        return cands

    def restore_version(self, project: Project, version: int) -> None:
        """Make an earlier animation of the project (see `Project.versions`) current again;
        the current one stays as a version."""
        project.restore_version(int(version))

    def choose(self, project: Project, slot: int, candidate: int) -> None:
        slot = check_index("slot", slot, len(project.manifest["slots"]))
        takes = len(project.manifest["slots"][slot]["candidates"])
        project.choose(slot, check_index("take", candidate, takes))
        project.mark_edited()

    # ------------------------------------------------------------------ refine
    def fix_frame(
        self, project: Project, slot: int, prompt: Prompt, backend: str | None = None
    ) -> Mask:
        """Fix the chosen candidate's mask of `slot` with click prompts and store it.

        With the `auto` segmenter (the default) this is a hybrid refine: the frame's current
        mask (or the automatic one) is kept and each click adds or removes the region under it
        (SAM 2 where its weights are present, GrabCut seeds otherwise). A named backend
        re-segments the frame with the clicks instead.
        """
        if prompt.empty:
            raise InputError("give at least one include or exclude point to fix a frame")
        slot = check_index("slot", slot, len(project.manifest["slots"]))
        rec = project.slot_record(slot)
        cand = project.load_candidate(slot)
        image = segmentable_frame(cand)
        seg = self.backend("segmenter", backend)
        if hasattr(seg, "refine"):
            self._check_points(image, prompt)
            base = cand.mask
            if base is None and cand.rgba is not None:
                base = Mask(
                    cand.rgba[..., 3].astype(np.float32) / 255,
                    "alpha",
                    foreground=cand.rgba[..., :3].copy(),
                )
            mask = seg.refine(image, base, prompt)
        else:
            mask = self.segment_image(image, backend, prompt)
        if cand.rgba is not None:  # the frame's own colours, not the key colour it was
            # composited on for the segmenter (that colour must never enter a frame)
            mask.foreground = frame_colours(self, project, slot, rec["chosen"], cand)
        project.set_candidate_mask(slot, rec["chosen"], mask)
        project.mark_edited()
        return mask

    def paint_frame(self, project: Project, slot: int, stroke: np.ndarray, erase: bool) -> Mask:
        """Erase (or restore) the chosen candidate's alpha under a brush stroke (H, W) in
        [0, 1]. Restored pixels show the frame's real colours: the generator's RGB, or for a
        procedural frame the source moved as the character is in that frame (never black)."""
        slot = check_index("slot", slot, len(project.manifest["slots"]))
        rec = project.slot_record(slot)
        cand = project.load_candidate(slot)
        current = cand.image()
        stroke = check_stroke(stroke, current.shape[:2])
        colours = frame_colours(self, project, slot, rec["chosen"], cand)
        alpha, fg = paint_frame_rgba(current, colours, stroke, erase)
        mask = Mask(alpha, "brush", None, foreground=fg)
        project.set_candidate_mask(slot, rec["chosen"], mask)
        project.mark_edited()
        return mask

    def set_edges(self, project: Project, edges: EdgeSettings) -> None:
        """Store edge clean-up and outline settings (applied at preview and export)."""
        project.set_settings("edges", asdict(edges.validate()))

    def edges(self, project: Project) -> EdgeSettings:
        return EdgeSettings(**project.settings_block("edges"))

    def set_duration(self, project: Project, slot: int, duration_ms: float | None) -> None:
        """Per-frame timing in ms (20-5000), or None for 1/fps."""
        slot = check_index("slot", slot, len(project.manifest["slots"]))
        if duration_ms is not None:
            if not isinstance(duration_ms, int | float) or isinstance(duration_ms, bool) \
                    or duration_ms != duration_ms:
                raise InputError(f"frame duration (ms) must be a number, got {duration_ms!r}")
            check_range("frame duration (ms)", duration_ms, 20, 5000)
        project.set_duration(slot, duration_ms)
        project.mark_edited()

    def final_frames(self, project: Project) -> list[np.ndarray]:
        """The chosen frames with edge settings applied: what preview and export show."""
        edges = self.edges(project)
        ensure_rendered(self, project)
        return [apply_edges(f, edges) for f in project.chosen_frames()]

    # ------------------------------------------------------------------ export
    def export_set(
        self,
        projects: Sequence[Project],
        preset: str,
        out: str | Path,
        *,
        overrides: dict[str, Any] | None = None,
    ) -> SetResult:
        """Export several projects (or several motions of one character, each a project) as
        one platform set: LINE emoji ZIP with 001.png… and tab.png, WhatsApp pack with tray."""
        from studio.export import SET_RULES, export_set, get_preset

        out = check_output_path(out, ".zip")
        items = []
        for project in projects:
            frames = self.final_frames(project)
            if not frames:
                raise InputError(f"project {project.id} has no frames yet: generate first")
            items.append((frames, self.durations_ms(project)))
        names = None  # platforms with fixed file names (LINE, WhatsApp) ignore names
        rule = SET_RULES.get(get_preset(preset).id)
        if rule is None or rule.name_pattern is None:
            names = [p.manifest.get("name") or p.id for p in projects]
        return export_set(items, preset, out, names=names, overrides=overrides)

    def durations_ms(self, project: Project) -> list[float]:
        spec = project.motion
        if spec is None:
            raise InputError("this project has no animation yet: generate first")
        step = 1000.0 / spec.fps
        return [float(s.get("duration_ms") or step) for s in project.manifest["slots"]]

    def export(
        self,
        project: Project,
        preset: str,
        out: str | Path | None = None,
        *,
        overrides: dict[str, Any] | None = None,
    ) -> ExportResult:
        """Encode the chosen frames for `preset`, fit the budget, check the written file."""
        from studio.export import export_animation, get_preset

        p = get_preset(preset)
        if out is not None:
            out = check_output_path(out, p.extension)
        frames = self.final_frames(project)
        if not frames:
            raise InputError("this project has no frames yet: generate first")
        durations = self.durations_ms(project)
        target = Path(out) if out else project.export_path(f"{project.id}-{p.id}{p.extension}")
        from studio.generate.resample import loop_renderer  # motion resampled, not picked

        edges = self.edges(project)
        render = loop_renderer(project, self.backend("generator", "procedural"),
                               lambda f: apply_edges(f, edges))
        result = export_animation(frames, durations, p, target, overrides=overrides,
                                  render=render)
        project.record_export(
            {"preset": p.id, "file": str(target), "bytes": result.bytes, "ok": result.check.ok}
        )
        return result


def segmentable_frame(cand: Candidate) -> np.ndarray:
    """RGB uint8 (H, W, 3) to segment for a candidate: its RGB, or its RGBA over the key colour
    (white, black, magenta, green or blue) farthest from every colour the frame shows."""
    if cand.rgb is not None:
        return cand.rgb
    assert cand.rgba is not None
    rgba = cand.rgba
    shown = rgba[..., :3][rgba[..., 3] > 8].reshape(-1, 3).astype(np.float32)
    if len(shown) > 4000:
        shown = shown[:: len(shown) // 4000]
    keys = np.array(KEY_COLOURS, np.float32)
    if len(shown):
        dist = np.linalg.norm(shown[None, :, :] - keys[:, None, :], axis=2).min(axis=1)
        key = keys[int(np.argmax(dist))]
    else:
        key = keys[0]
    a = rgba[..., 3:4].astype(np.float32) / 255
    out = rgba[..., :3].astype(np.float32) * a + key * (1 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


KEY_COLOURS = ((255, 255, 255), (0, 0, 0), (255, 0, 255), (0, 255, 0), (0, 0, 255))


def _jsonable(info: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in info.items():
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[k] = v
        elif isinstance(v, (np.floating, np.integer)):
            out[k] = v.item()
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in v):
            out[k] = list(v)
    return out
