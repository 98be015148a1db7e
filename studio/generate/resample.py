"""Re-render a procedural loop at another frame count, for exports whose even timing needs one.

An export's even frame grid (studio/export/timing.py) may need m frames where the project
has n (LINE allows at most 20; 30 fps has no exact GIF delay). When every frame of the
project is still the exact spec's procedural take, the motion is rendered again at m frames
(each at its exact phase of the loop) instead of picking m of the n frames.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from studio.project import Project

RenderFn = Callable[[int], list[np.ndarray]]


def exact_take(project: Project) -> bool:
    """Whether every slot shows the procedural generator's exact take of the project's spec:
    the chosen candidate of each slot has variation 0, one seed and one prompt for all, no
    fixed mask, and no slot has its own duration."""
    if project.manifest.get("generator") != "procedural" or project.motion is None:
        return False
    seen: set[tuple[Any, Any]] = set()
    for rec in project.manifest["slots"]:
        cand = rec["candidates"][rec["chosen"]]
        origin = cand.get("origin") or {}
        if (origin.get("backend") != "procedural" or origin.get("variation", 1) != 0
                or "mask_file" in cand or rec.get("duration_ms") is not None):
            return False
        seen.add((origin.get("seed"), origin.get("prompt")))
    return len(seen) == 1


def loop_renderer(
    project: Project, generator: Any, finish: Callable[[np.ndarray], np.ndarray]
) -> RenderFn | None:
    """m → the project's loop rendered as m RGBA uint8 frames (H, W, 4) by `generator` (the
    procedural backend), each passed through `finish` (edge settings); None when the frames
    are not the exact take (see `exact_take`) or the source has no cut-out."""
    if not exact_take(project):
        return None
    source = project.load_source()
    if source.cutout is None:
        return None
    spec = project.motion
    assert spec is not None
    first = project.manifest["slots"][0]
    seed = int(first["candidates"][first["chosen"]]["origin"]["seed"])
    w, h = project.manifest["size"]

    def render(m: int) -> list[np.ndarray]:
        respec = dataclasses.replace(spec, frames=int(m))
        slots = generator.generate(source, respec, size=(int(w), int(h)), candidates=1,
                                   seed=seed)
        return [finish(s.candidates[0].image()) for s in slots]

    return render
