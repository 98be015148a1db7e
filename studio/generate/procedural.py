"""The procedural generator: the motion engine of studio.motion as a Generator backend.

Candidates: candidate 0 of every slot is the exact spec rendered with `seed`. Candidate k ≥ 1
uses seed + k and `variation` (Options): moves with randomness (shake) get a different random
sequence, and every move plays at a seeded, slightly softer amount (up to 30% × variation).
The factors depend on the candidate's seed only, never on the frame, so choosing candidate k
for every slot gives a seamless loop; mixing candidates across slots gives small steps.
All candidates of a spec share one layout (scale and position), so mixing never jumps in size.
Part moves (blink, wave_arm, ...) move the parts of `source.rig`; a source without one gets
the rig detected on its cut-out.
"""

from __future__ import annotations

from pydantic import Field

from studio.errors import InputError
from studio.generate.base import check_slot
from studio.motion.pixelgrid import renderer_for
from studio.motion.renderer import Renderer
from studio.motion.rig import Rig, detect_rig
from studio.motion.rig.bind import needs_rig
from studio.options import BackendOptions
from studio.types import Candidate, MotionSpec, ProgressFn, Slot, Source

MAX_CANDIDATES = 8


class ProceduralGenerator:
    """Renders moves, warps and effects on the source cut-out; needs no GPU and no weights."""

    name = "procedural"
    produces_alpha = True
    uses_rig = True  # part moves (blink, wave_arm, ...) move the parts of source.rig
    variants = None

    class Options(BackendOptions):
        supersample: int = Field(2, ge=1, le=4, description="render at this scale, then downsample")
        margin: float = Field(
            0.06, ge=0.0, lt=0.4, description="canvas fraction kept clear around the character"
        )
        variation: float = Field(
            0.5, ge=0.0, le=1.0, description="how much candidates 2..K differ from the exact spec"
        )

    def __init__(self, variant: str | None = None, options: dict | None = None):
        if variant is not None:
            raise InputError(f"the procedural generator takes no variant, got {variant!r}")
        self.options = self.Options.parse(options, "procedural generator")

    def _renderers(
        self, source: Source, spec: MotionSpec, size: tuple[int, int], candidates: int, seed: int
    ) -> list[Renderer]:
        if source.cutout is None:
            raise InputError("the source has no cut-out yet: segment it before generating")
        if isinstance(candidates, bool) or not 1 <= int(candidates) <= MAX_CANDIDATES:
            raise InputError(f"candidates must be between 1 and {MAX_CANDIDATES}, got {candidates}")
        o = self.options
        rig = Rig.from_dict(source.rig) if source.rig else None
        if rig is None and needs_rig(spec):  # a caller without a project (worker, notebook)
            rig = detect_rig(source.cutout)
        kind, cutout = renderer_for(source.image, source.cutout)  # pixel art: its own grid
        parts = {"rig": rig} if kind is Renderer else {}  # no part moves on a pixel grid
        return [
            kind(
                cutout, spec, size, seed=seed + k, variation=0.0 if k == 0 else o.variation,
                supersample=o.supersample, margin=o.margin, **parts,
            )
            for k in range(int(candidates))
        ]

    def _candidate(
        self, r: Renderer, spec: MotionSpec, slot: int, k: int, seed: int
    ) -> Candidate:
        origin = {
            "backend": self.name,
            "seed": seed + k,
            "prompt": spec.prompt or ", ".join(m.name for m in spec.moves) or "still",
            "variation": 0.0 if k == 0 else self.options.variation,
        }
        return Candidate(id=f"s{slot:02d}c{k}-{seed}", origin=origin, rgba=r.frame(slot))

    def generate(
        self,
        source: Source,
        spec: MotionSpec,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
        progress: ProgressFn | None = None,
    ) -> list[Slot]:
        """spec.frames slots of `candidates` RGBA (height, width, 4) uint8 candidates each."""
        renderers = self._renderers(source, spec, size, candidates, seed)
        total = spec.frames * len(renderers)
        slots = []
        for i in range(spec.frames):
            cands = []
            for k, r in enumerate(renderers):
                cands.append(self._candidate(r, spec, i, k, seed))
                if progress is not None:
                    progress(i * len(renderers) + k + 1, total, f"frame {i + 1}/{spec.frames}")
            slots.append(Slot(index=i, candidates=cands))
        return slots

    def regenerate(
        self,
        source: Source,
        spec: MotionSpec,
        slot: int,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
    ) -> list[Candidate]:
        """Frame `slot` of the (possibly edited) spec: candidate k matches slot `slot` of
        generate(spec, seed=seed), candidate k."""
        check_slot(slot, spec)
        renderers = self._renderers(source, spec, size, candidates, seed)
        return [self._candidate(r, spec, slot, k, seed) for k, r in enumerate(renderers)]
