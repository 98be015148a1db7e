"""Fit an animation under a preset's byte budget, giving up as little as possible.

Every candidate is (geometry, rung): a geometry is a frame count on the format's even grid
(timing.py) and a canvas size, a rung a place in the format's ladder (ladders.py, best
quality first). What a candidate gives up is its rung index plus STEP_COST · log2(most
frames / frames) plus SCALE_COST · log2(full side / side). Geometries are visited
cheapest first; within one the best fitting rung is found by bisection on monotone rungs
(WebP quality, WebM CRF) and by a scan on palette sizes, which are not monotone in bytes.
The search stops when no cheaper candidate is left, so the winner is the cheapest
candidate that fits. Playback time is kept: fewer frames share the same loop with longer
(still even) delays. When the caller can re-render the motion at another frame count
(`render`), fewer frames are re-rendered at their exact phase instead of picked from the
source.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from studio.errors import ExportError
from studio.export.encoded import Encoded
from studio.export.frames import fit_canvas, validate
from studio.export.ladders import LADDERS, EncodeSettings, Ladder, encode_with
from studio.export.palette import ColourTable, Palette
from studio.export.presets import Preset
from studio.export.timing import Timing, count_note, frame_counts, plan_timing

COUNT_RATIOS = (1.0, 0.75, 0.5, 0.34)  # frame counts tried: the most, then about these shares
STEP_COST = 6.0  # halving the frames weighs like going 6 rungs down the ladder
SCALE_COST = 8.0  # halving the canvas side weighs like going 8 rungs down
SCALES = (1.0, 0.85, 0.7)  # canvas sides tried where the preset allows a smaller canvas
# Formats whose palette is lowered, once a setting fits, to the fewest colours that keep
# this PSNR (dB, the lower of on black and on white, vs the frames): APNG's full colour or
# 256 colours cost 2-3× the bytes of a palette that looks the same (bench/peer.py).
QUALITY_TARGET_DB = {"apng": 42.0}


@dataclass
class FitResult:
    """The chosen encoding: bytes in `encoded`, what it cost in `given_up`, every try in `tried`."""

    encoded: Encoded
    settings: EncodeSettings
    timing: Timing
    budget: int
    given_up: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tried: list[tuple[EncodeSettings, int]] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return self.encoded.bytes


def _even(v: float, fmt: str) -> int:
    n = max(1, round(v))
    return max(2, n - n % 2) if fmt == "webm" else n


def canvas_sizes(src_w: int, src_h: int, preset: Preset) -> list[tuple[int, int]]:
    """Canvas sizes the preset accepts for a src_w×src_h source, largest first.

    "exact": the preset size, then smaller alternative sizes. "within": the source aspect
    fitted in the box, then SCALES while the longer side stays ≥ min_long_side.
    "recommended": the preset size, then SCALES (the checker warns).
    """
    fmt = preset.format
    if preset.size_rule == "exact":
        main = (preset.width, preset.height)
        alts = [s for s in preset.alt_sizes if s[0] * s[1] < main[0] * main[1]]
        return [main, *sorted(alts, key=lambda s: -s[0] * s[1])]
    if preset.size_rule == "within":
        k = min(preset.width / src_w, preset.height / src_h)
        base = (src_w * k, src_h * k)
        floor = preset.min_long_side or 0
        out = []
        for s in SCALES:
            w, h = _even(base[0] * s, fmt), _even(base[1] * s, fmt)
            if max(w, h) >= floor and (w, h) not in out:
                out.append((w, h))
        return out
    return [(_even(preset.width * s, fmt), _even(preset.height * s, fmt)) for s in SCALES]


@dataclass
class _Geometry:
    timing: Timing
    size: tuple[int, int]
    cost: float


def _counts(durations_ms: Sequence[float], preset: Preset) -> list[int]:
    """The frame counts tried: the most motion first, then about COUNT_RATIOS of it."""
    valid = frame_counts(len(durations_ms), durations_ms, preset, preset.format)
    base = valid[0]
    lower = [m for m in valid if m <= base]
    out: list[int] = []
    for r in COUNT_RATIOS:
        m = min(lower, key=lambda c: (abs(c - base * r), -c))
        if m not in out and (not out or m < out[-1]):
            out.append(m)
    return out


def _geometries(
    durations_ms: Sequence[float], preset: Preset, src: tuple[int, int]
) -> list[_Geometry]:
    counts = _counts(durations_ms, preset)
    floor = max(preset.min_frames or 2, 2)
    timings = [plan_timing(durations_ms, preset, preset.format, m)
               for m in counts if m >= floor or m == counts[0]]
    base = timings[0].count
    sizes = canvas_sizes(*src, preset)
    full = max(sizes[0])
    out = [
        _Geometry(t, z, STEP_COST * math.log2(base / t.count)
                  + SCALE_COST * math.log2(full / max(z)))
        for t in timings for z in sizes
    ]
    return sorted(out, key=lambda g: g.cost)


def _given_up(
    s: EncodeSettings, top: EncodeSettings, g: _Geometry, base_count: int, n: int,
    preset: Preset, budget: int, full: tuple[int, int],
) -> list[str]:
    out = list(g.timing.notes)
    t = g.timing
    if t.count != n:
        if t.count != base_count:
            why = f"to fit {budget} bytes"
        elif preset.max_frames is not None and n > preset.max_frames:
            why = f"{preset.id} allows at most {preset.max_frames}"
        else:
            why = f"even {preset.format.upper()} delays of {float(t.delay_ms):g} ms"
        out.append(count_note(n, t.count, why))
    if g.size != full:
        out.append(f"canvas {full[0]}×{full[1]} → {g.size[0]}×{g.size[1]} (to fit {budget} bytes)")
    if s.format == "apng" and s.colors is not None and top.colors is None:
        out.append(f"full colour → {s.colors}-colour palette")
    elif s.knob() != top.knob():
        out.append(f"{s.format.upper()} {top.knob()} → {s.knob()}")
    return out


def fit_to_budget(
    frames: Sequence[np.ndarray],
    durations_ms: Sequence[float],
    preset: Preset,
    *,
    max_bytes: int | None = None,
    render: Callable[[int], Sequence[np.ndarray]] | None = None,
) -> FitResult:
    """Resize, time and encode RGBA uint8 frames (H, W, 4) for `preset` under its byte budget.

    durations_ms: how long each source frame shows. max_bytes overrides preset.max_bytes.
    render: m → the same loop rendered as m evenly timed RGBA frames (the motion resampled);
    used when the even grid needs a frame count other than len(frames). Without it the
    grid takes the source frame showing at each grid time.
    Raises ExportError naming the smallest size reached when nothing fits.
    """
    validate(frames, durations_ms)
    fmt = preset.format
    if fmt not in LADDERS or not preset.supported:
        raise ExportError(f"{fmt} export is not available (preset {preset.id})")
    budget = int(max_bytes if max_bytes is not None else preset.max_bytes)
    h, w = frames[0].shape[:2]
    n = len(frames)
    geoms = _geometries(durations_ms, preset, (w, h))
    full = canvas_sizes(w, h, preset)[0]
    ladder = LADDERS[fmt]
    canvases: dict[tuple[int, int, int], list[np.ndarray]] = {}
    tables: dict[int, ColourTable] = {}
    palettes: dict[tuple[int, int], Palette] = {}
    tried: list[tuple[EncodeSettings, int]] = []
    results: dict[tuple[int, int], tuple[Encoded, EncodeSettings]] = {}
    too_few = 0

    def geometry(gi: int) -> tuple[list[np.ndarray], Timing]:
        """The canvas frames and timing of geometry gi (rendered or resized once)."""
        g = geoms[gi]
        timing, key = g.timing, (0, *g.size)
        if render is not None and timing.count != n:
            key = (timing.count, *g.size)
            timing = dataclasses.replace(timing, indices=list(range(timing.count)))
            if key not in canvases:
                canvases[key] = fit_canvas(_rendered(render, timing.count, frames[0]), *g.size)
        elif key not in canvases:
            canvases[key] = fit_canvas(frames, *g.size)
        return canvases[key], timing

    def table(gi: int) -> ColourTable | None:
        if fmt != "apng":
            return None
        if gi not in tables:
            canvas, timing = geometry(gi)
            tables[gi] = ColourTable([canvas[i] for i in timing.indices])
        return tables[gi]

    def encode(gi: int, r: int, **kw) -> tuple[Encoded, EncodeSettings]:
        canvas, timing = geometry(gi)
        s = dataclasses.replace(ladder.rungs[r], frames=timing.count, size=geoms[gi].size)
        tab = table(gi) if s.colors is not None else None
        pal = palettes.get((gi, s.colors)) if s.colors is not None else None
        return encode_with(canvas, timing, s, preset, budget, table=tab, palette=pal, **kw), s

    def fits(gi: int, r: int) -> bool:
        nonlocal too_few
        enc, s = encode(gi, r)
        tried.append((s, enc.bytes))
        results[(gi, r)] = (enc, s)
        if preset.min_frames is not None and enc.frame_count < preset.min_frames:
            too_few += 1
            return False
        return enc.bytes <= budget

    target = QUALITY_TARGET_DB.get(fmt)
    starts: dict[int, tuple[int, float]] = {}

    def start_rung(gi: int) -> int:
        """The first rung tried: with a quality target, the fewest-colours palette that
        still meets it (better rungs would only add bytes)."""
        if target is None or gi in starts:
            return starts.get(gi, (0, math.inf))[0]
        tab = table(gi)
        starts[gi] = (0, math.inf) if tab is None else _relax(tab, ladder, 0, target, palettes,
                                                            gi)
        return starts[gi][0]

    best: tuple[float, int, int] | None = None
    for gi, g in enumerate(geoms):
        if best is not None and g.cost >= best[0]:
            continue
        start = start_rung(gi)
        limit = len(ladder) - start
        if best is not None:
            limit = min(limit, math.ceil(best[0] - g.cost))
        mono = None if ladder.monotone_from is None else max(0, ladder.monotone_from - start)
        k = _best_rung(lambda k, gi=gi, st=start: fits(gi, st + k), limit, mono)
        if k is not None and (best is None or g.cost + k < best[0]):
            best = (g.cost + k, gi, start + k)
    if best is not None:
        _, gi, r = best
        enc, s = results[(gi, r)]
        g = geoms[gi]
        notes = []
        start = start_rung(gi)
        if start > 0:
            q = starts[gi][1]
            notes.append(f"{ladder.rungs[0].knob()} → {ladder.rungs[start].knob()}: "
                         f"{q:.1f} dB on black and white meets the {target:g} dB target")
        if fmt == "apng" and s.colors is not None:
            enc, _ = encode(gi, r, optimize=True)  # oxipng: same pixels, fewer bytes
        if render is not None and g.timing.count != n:
            notes.append(f"motion re-rendered at {g.timing.count} frames")
        if (w, h) != g.size:
            notes.append(f"resized {w}×{h} → {g.size[0]}×{g.size[1]} (aspect kept, centred)")
        if enc.frame_count < len(g.timing.indices):
            notes.append(f"merged identical consecutive frames: {len(g.timing.indices)} → "
                         f"{enc.frame_count} frames")
        base_count = max(x.timing.count for x in geoms)
        given_up = _given_up(s, ladder.rungs[start], g, base_count, n, preset, budget, full)
        return FitResult(enc, s, g.timing, budget, given_up, notes, tried)
    smallest = min(tried, key=lambda t: t[1])
    if too_few == len(tried):
        raise ExportError(
            f"{preset.id} needs at least {preset.min_frames} frames that differ from the one "
            f"before, and this animation has fewer once identical neighbours are merged (a "
            f"move that rests, like pulse, on few frames); use more frames or a livelier motion"
        )
    if too_few:
        raise ExportError(
            f"{too_few} of {len(tried)} settings left fewer than {preset.min_frames} distinct "
            f"frames after merging identical consecutive frames, and none of the rest fit "
            f"{budget} bytes (smallest {smallest[1]} bytes); {preset.id} needs "
            f"{preset.min_frames} frames that differ"
        )
    raise ExportError(
        f"could not fit {preset.id} under {budget} bytes: the smallest file reached was "
        f"{smallest[1]} bytes ({smallest[0].describe()}); use fewer frames or a simpler "
        f"animation, or override max_bytes"
    )


def _relax(
    table: ColourTable, ladder: Ladder, r: int, target: float,
    palettes: dict[tuple[int, int], Palette], key: int,
) -> tuple[int, float]:
    """The fewest-colours rung at or after r whose palette keeps PSNR (the lower of on black
    and on white) ≥ target dB, by bisection (quality falls with the palette size), and its
    PSNR. Rungs without a palette (full colour) count as exact. Palettes built are kept in
    `palettes` under (key, colours)."""
    memo: dict[int, float] = {}

    def q(i: int) -> float:
        if i not in memo:
            colors = ladder.rungs[i].colors
            if colors is None:
                memo[i] = math.inf
            else:
                if (key, colors) not in palettes:
                    palettes[(key, colors)] = table.palette(colors)
                memo[i] = min(table.psnr(palettes[(key, colors)]))
        return memo[i]

    lo, hi = r, len(ladder) - 1
    if q(lo) < target:
        return r, q(lo)
    if q(hi) >= target:
        return hi, q(hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if q(mid) >= target:
            lo = mid
        else:
            hi = mid
    return lo, q(lo)


def _rendered(
    render: Callable[[int], Sequence[np.ndarray]], m: int, like: np.ndarray
) -> list[np.ndarray]:
    """render(m), checked: m RGBA uint8 frames of one shape."""
    out = [np.ascontiguousarray(f) for f in render(m)]
    validate(out, [1.0] * len(out))
    if len(out) != m or out[0].shape[2] != like.shape[2]:
        raise ExportError(f"re-rendering the motion at {m} frames gave {len(out)} frames")
    return out


def _best_rung(
    fits: Callable[[int], bool], limit: int, monotone_from: int | None
) -> int | None:
    """Smallest rung index < limit for which fits(r) holds (bisection on the monotone tail)."""
    head = limit if monotone_from is None else min(limit, monotone_from)
    for r in range(head):
        if fits(r):
            return r
    if monotone_from is None or limit <= monotone_from:
        return None
    lo, hi = monotone_from, limit - 1
    if fits(lo):
        return lo
    if hi == lo or not fits(hi):
        return None
    lo += 1
    while lo < hi:
        mid = (lo + hi) // 2
        if fits(mid):
            hi = mid
        else:
            lo = mid + 1
    return lo
