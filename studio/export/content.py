"""Content check: does the exported file still show the character the project shows?

The spec rules (size, bytes, timing) say nothing about what is in the frames: an emoji
whose white body was dropped by the cut-out, or a GIF that thresholded a 40 %-translucent
body away, passes them all. These rows compare what is visible:

- **character visible area**: the mean visible area (alpha ≥ `VISIBLE_ALPHA`, or for an
  opaque file pixels that differ from its background) of the exported frames against the
  project's frames fitted to the same canvas. Losing more than `MAX_LOSS` of it fails.
- **character filled**: the exported character's visible area against the area its own
  outline encloses (`studio.segment.regions.outline_coverage`): a body dropped inside a kept
  outline (eyes and outline left, 1706 of 14 000 px) fails, a donut's hole does not.
- **character colour**: the mean colour of the visible character against the project's
  (a warning above `MAX_COLOUR_SHIFT`).

Frames are RGBA uint8 (H, W, 4). Frame counts may differ (dropped or merged frames): areas
and colours are means over all frames.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from studio.export.check import CheckRow
from studio.export.frames import fit_canvas
from studio.export.presets import Preset

VISIBLE_ALPHA = 26
"""Alpha (0-255) from which a pixel counts as visible: about 10 % opacity."""
MAX_LOSS = 0.2
"""Largest share of the character's visible area an export may lose (a fifth)."""
MAX_COLOUR_SHIFT = 40.0
"""Mean RGB distance (0-441) of the character's colour above which the colour row warns."""
OPAQUE_TOLERANCE = 24
"""For files without alpha: a pixel further than this (max channel) from the background
colour is visible."""
MAX_FRAMES = 24


@dataclass(frozen=True)
class Content:
    """What is visible in a set of frames: mean visible area (px), the share of it that is
    translucent (alpha < 128) and mean visible colour (RGB float)."""

    area: float
    translucent: float
    colour: tuple[float, float, float]


def _sample(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
    step = max(1, -(-len(frames) // MAX_FRAMES))
    return list(frames[::step])


def _visible(frame: np.ndarray, background: tuple[int, int, int] | None) -> np.ndarray:
    if background is None:
        return frame[..., 3] >= VISIBLE_ALPHA
    bg = np.asarray(background, np.int16)
    return np.abs(frame[..., :3].astype(np.int16) - bg).max(-1) > OPAQUE_TOLERANCE


def measure(frames: Sequence[np.ndarray], background: tuple[int, int, int] | None = None
            ) -> Content:
    """Visible content of RGBA frames; `background` given: an opaque file on that colour."""
    areas, trans, colours, weights = [], [], [], []
    for f in _sample(frames):
        vis = _visible(f, background)
        n = int(vis.sum())
        areas.append(n)
        trans.append(int((vis & (f[..., 3] < 128)).sum()))
        if n:
            colours.append(f[..., :3][vis].astype(np.float64).mean(axis=0))
            weights.append(n)
    area = float(np.mean(areas)) if areas else 0.0
    translucent = float(np.sum(trans) / max(np.sum(areas), 1))
    colour = (tuple(np.average(colours, axis=0, weights=weights)) if colours
              else (0.0, 0.0, 0.0))
    return Content(area, translucent, colour)  # type: ignore[arg-type]


def _on(frames: Sequence[np.ndarray], rgb: tuple[int, int, int]) -> list[np.ndarray]:
    bg = np.asarray(rgb, np.float32)
    out = []
    for f in frames:
        a = f[..., 3:].astype(np.float32) / 255
        c = np.clip(np.rint(f[..., :3] * a + bg * (1 - a)), 0, 255).astype(np.uint8)
        out.append(np.dstack([c, np.full(f.shape[:2], 255, np.uint8)]))
    return out


def filled_share(frames: Sequence[np.ndarray]) -> float:
    """Mean share of the area each frame's outline encloses that is visible (0..1]."""
    from studio.segment.regions import outline_coverage

    shares = [outline_coverage((f[..., 3] >= VISIBLE_ALPHA).astype(np.float32))
              for f in _sample(frames)]
    return float(np.mean(shares)) if shares else 1.0


def content_rows(exported: Sequence[np.ndarray], reference: Sequence[np.ndarray],
                 preset: Preset) -> list[CheckRow]:
    """Rows comparing the decoded export with the project's frames (see the module doc)."""
    if not exported or not reference:
        return []
    h, w = exported[0].shape[:2]
    ref = fit_canvas(_sample(reference), w, h)
    background = None
    if not preset.transparent:
        background = tuple(preset.matte or (255, 255, 255))
        ref = _on(ref, background)
    want, got = measure(ref, background), measure(exported, background)
    rows = []
    ratio = got.area / want.area if want.area else 1.0
    actual = f"{got.area:.0f} px ({100 * ratio:.0f}% of the project's {want.area:.0f} px)"
    ok = ratio >= 1.0 - MAX_LOSS
    if not ok:
        actual += " — " + _loss_advice(want, preset)
    rows.append(CheckRow("character visible area",
                         f"≥ {100 * (1 - MAX_LOSS):.0f}% of the project's frames", actual, ok))
    if background is None:
        share = filled_share(exported)
        actual = f"{100 * share:.0f}% of the area its outline encloses"
        ok = share >= 1.0 - MAX_LOSS
        if not ok:
            actual += (" — part of the character (a white body?) was cut out: in Segment, "
                       "include-click the missing part (or brush-restore it); if the "
                       "character really has this opening, ignore this row")
        rows.append(CheckRow("character filled", f"≥ {100 * (1 - MAX_LOSS):.0f}% of its "
                             "outline's area visible", actual, ok))
    if want.area and got.area:
        shift = float(np.linalg.norm(np.subtract(got.colour, want.colour)))
        rows.append(CheckRow("character colour", f"mean within {MAX_COLOUR_SHIFT:g} of the "
                             "project's", f"differs by {shift:.0f}", shift <= MAX_COLOUR_SHIFT,
                             "warning"))
    return rows


def _loss_advice(want: Content, preset: Preset) -> str:
    if want.translucent > MAX_LOSS and preset.format == "gif":
        return ("the character is partly see-through and GIF has 1-bit alpha: make the body "
                "opaque (Refine → brush restore) or choose an APNG/WebP preset")
    return ("the exported frames lost part of the character: check the cut-out (Segment) "
            "and the frames (Refine), or choose a larger canvas or budget")
