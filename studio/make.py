"""The whole job in one call, all or nothing: image → cut-out → animation → export file.

Everything the job needs is checked before anything is created: the output path, the
preset, the generator and segmenter (known and available), the numbers, the image, and
that the image holds a character at all. Only then is a project made; if a later step fails
(a worker error, an export that cannot be written) the project is removed again, so a
refused ``popcon make`` leaves no half-made project behind.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from studio.pipeline import MAX_CANDIDATES, Studio, _jsonable, check_range
from studio.presence import require_character
from studio.project import Project
from studio.recovery import pending_write, provisional, remove_stale_temp
from studio.types import MotionSpec, ProgressFn, Source
from studio.validate import check_output_path

if TYPE_CHECKING:
    from studio.export import ExportResult


@dataclass
class MadeJob:
    """A finished make: the project (kept for later exports) and the written file's result."""

    project: Project
    result: ExportResult


def make(
    studio: Studio,
    image: str | Path | bytes | np.ndarray,
    spec: MotionSpec,
    preset: str,
    out: str | Path,
    *,
    generator: str | None = None,
    segmenter: str | None = None,
    candidates: int = 1,
    seed: int = 0,
    name: str | None = None,
    progress: ProgressFn | None = None,
    on_ready: Callable[[Source, MotionSpec], None] | None = None,
) -> MadeJob:
    """Make `out` (a file for `preset`) from `image`. Raises StudioError before anything is
    written when an argument, a backend or the image is refused (NoCharacter when the image
    has no character); removes the new project when a later step fails. `on_ready` is called
    with the source (its ingest notes) and the motion fitted to the character's rig (skipped
    part moves said in its interpretation) once both are known, before generating."""
    from studio.export import get_preset

    p = get_preset(preset)
    target = check_output_path(out, p.extension)
    check_range("candidates", candidates, 1, MAX_CANDIDATES)
    studio.backend("generator", generator)  # unknown or unavailable: refused here
    studio.backend("segmenter", segmenter)
    source = studio.read_image(image, name)
    mask = studio.segment_image(source.image, segmenter)
    require_character(source.image, mask.alpha, source.name)
    remove_stale_temp(target.parent, target.name)  # left by a make or export that was killed

    project = Project.create(name or Path(source.name).stem, studio.settings)
    with provisional(project):
        project.set_source(source)
        project.set_cutout(mask.cutout(source.image), mask.backend, None, _jsonable(mask.info))
        spec = studio.bind_motion(project, spec, generator)  # part moves need the rig
        if on_ready is not None:
            on_ready(source, spec)
        studio.generate(
            project, spec, generator=generator, size=(p.width, p.height),
            candidates=candidates, seed=seed, segmenter=segmenter, progress=progress,
        )
        with pending_write(studio.settings, target):
            result = studio.export(project, p.id, target)
    return MadeJob(project, result)
