"""Even frame timing for a preset: how many frames one loop gets and one delay they all share.

Every written frame shows for the same delay, a whole number of the format's tick:

- GIF: 10 ms (delays are stored in centiseconds);
- WebP: 1 ms;
- APNG: any exact fraction (fcTL stores delay_num / delay_den seconds);
- WebM: any exact fraction (the stream's time base is the delay itself).

So a checker that reads the frame rate from the delays (or from their greatest common divisor,
as sticker-convert's does) sees one exact rate: a 30 fps loop is 30/1, never 30.3. A source
whose delays are uneven (a held frame) is sampled on the even grid and the encoder merges the
repeats, so every delay is still a whole multiple of the grid's delay.

The frame count is chosen per format: the source's own count when its delay fits the format
(a nudge of the playback time of at most SPEED_TOLERANCE is allowed where the preset does
not fix the duration: 24 frames in 1 s become 24 × 40 ms GIF frames, 0.96 s), otherwise the
largest count at most the source's that fits, with the motion resampled to it (the frame at
each grid time, or a re-render of the motion when the caller can). Fitting a byte budget
then tries smaller counts (`frame_counts`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from studio.errors import ExportError
from studio.export.presets import Preset

SPEED_TOLERANCE = 0.05  # playback may run up to 5% faster or slower to keep every frame
EXACT_SHARE = 0.8  # when resampling, a count keeping the exact playback wins if ≥ 80% as many
GIF_TICK_MS = 10
WEBP_TICK_MS = 1


def tick_ms(fmt: str) -> int | None:
    """The delay unit of `fmt` in ms: 10 (GIF), 1 (WebP), None for exact fractions (APNG, WebM)."""
    return {"gif": GIF_TICK_MS, "webp": WEBP_TICK_MS}.get(fmt)


@dataclass
class Timing:
    """One loop on an even grid.

    indices: for each written frame, the source frame shown (sampled at the frame's start
    time); delay_ms: the exact delay every frame shares (a Fraction of ms); delays_ms: one per
    written frame (all equal to delay_ms); total_ms: playback of one loop (exact);
    loops: plays (0 = forever); source_frames: frames in the source loop; resampled: the
    frame count differs from the source's, so motion was resampled (or re-rendered).
    """

    indices: list[int]
    delay_ms: Fraction
    total_ms: Fraction
    loops: int
    source_frames: int
    notes: list[str] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.indices)

    @property
    def delays_ms(self) -> list[Fraction]:
        return [self.delay_ms] * len(self.indices)

    @property
    def fps(self) -> Fraction:
        """Frames per second, exact (1000 / delay_ms)."""
        return Fraction(1000) / self.delay_ms

    @property
    def resampled(self) -> bool:
        return self.count != self.source_frames


def _fmt_s(ms: float) -> str:
    return f"{float(ms) / 1000:.3g} s"


def _fmt_fps(fps: Fraction) -> str:
    return f"{fps.numerator}" if fps.denominator == 1 else f"{float(fps):.3g}"


def target_total_ms(durations_ms: Sequence[float], preset: Preset) -> tuple[float, bool, list[str]]:
    """(playback of one loop in ms the preset accepts, nearest to the source's; whether that
    playback is fixed by the preset; notes)."""
    total = float(sum(durations_ms))
    notes: list[str] = []
    if preset.allowed_durations_s:
        allowed = sorted(preset.allowed_durations_s)
        best = min(allowed, key=lambda s: (abs(s * 1000 - total), -s))
        target = best * 1000
        if abs(target - total) > 1.0:
            choices = ", ".join(f"{s:g}" for s in allowed)
            notes.append(
                f"playback {_fmt_s(total)} → {best:g} s ({preset.id} allows {choices} s); "
                f"delays {'stretched' if target > total else 'shortened'}"
            )
        return target, True, notes
    if preset.max_duration_s is not None and total > preset.max_duration_s * 1000:
        target = preset.max_duration_s * 1000
        notes.append(
            f"playback {_fmt_s(total)} → {preset.max_duration_s:g} s ({preset.id} allows at "
            f"most {preset.max_duration_s:g} s); animation sped up"
        )
        return target, False, notes
    return total, False, notes


def min_delay_ms(preset: Preset) -> float:
    """The shortest delay the preset allows (min_frame_ms and 1000 / max_fps), in ms."""
    lo = preset.min_frame_ms or 0.0
    if preset.max_fps:
        lo = max(lo, 1000.0 / preset.max_fps)
    return lo


def _grid(
    m: int, target: float, fixed: bool, preset: Preset, tick: int | None
) -> Fraction | None:
    """The even delay (ms) for m frames in about `target` ms, or None when none is valid."""
    if tick is None:
        delay = Fraction(round(target), m)
        if (delay / 1000).denominator > 65535:  # APNG stores delay_num/delay_den in 16 bits
            return None
    else:
        if fixed:
            units = round(target) / tick
            if abs(units - round(units)) > 1e-9 or round(units) % m:
                return None
            delay = Fraction(round(units) // m * tick)
        else:  # the source's rate or slower first (a 30 fps loop must not read 30.3 fps)
            exact = target / m / tick
            for k in dict.fromkeys((max(1, math.ceil(exact - 1e-9)), max(1, round(exact)))):
                delay = Fraction(k * tick)
                if abs(float(delay * m) - target) <= SPEED_TOLERANCE * target + 1e-9:
                    break
            else:
                return None
    if delay <= 0 or float(delay) < min_delay_ms(preset) - 1e-9:
        return None
    if preset.max_duration_s is not None and delay * m > Fraction(preset.max_duration_s) * 1000:
        return None
    return delay


def frame_counts(n: int, durations_ms: Sequence[float], preset: Preset, fmt: str) -> list[int]:
    """Frame counts with an even delay that the preset accepts, most motion first.

    The first is the source's count n when it fits; else the largest below n that keeps
    the playback time exactly, when it keeps at least EXACT_SHARE of the frames of the
    largest that fits at all (which is taken otherwise); counts above n come only when none
    below fits.
    Raises ExportError when no count fits.
    """
    target, fixed, _ = target_total_ms(durations_ms, preset)
    tick = tick_ms(fmt)
    lo = max(1, preset.min_frames or 1)
    hi = min(preset.max_frames or 600, 600)
    ok = [m for m in range(lo, hi + 1) if _grid(m, target, fixed, preset, tick) is not None]
    if not ok:
        raise ExportError(
            f"no frame count gives {preset.id} an even {fmt.upper()} frame delay for a "
            f"{_fmt_s(target)} loop; change the playback time or the frame rate"
        )
    below = sorted((m for m in ok if m <= n), reverse=True)
    above = sorted(m for m in ok if m > n)
    if not below:
        return above
    if below[0] != n:  # resampling anyway: prefer a count that keeps the playback time exactly
        exact = [m for m in below
                 if abs(float(_grid(m, target, fixed, preset, tick) or 0) * m - target) < 1.0]
        if exact and exact[0] >= EXACT_SHARE * below[0]:
            below.remove(exact[0])
            below.insert(0, exact[0])
    return below


def sample_indices(durations_ms: Sequence[float], m: int) -> list[int]:
    """For m even grid frames over the source loop, the source frame shown at each grid time.

    Frame j samples the source at j/m of its playback; the source frame whose interval holds
    that time is taken.
    """
    starts = [0.0]
    for d in durations_ms[:-1]:
        starts.append(starts[-1] + float(d))
    total = float(sum(durations_ms))
    out = []
    k = 0
    for j in range(m):
        t = total * j / m + 1e-9 * total
        while k + 1 < len(starts) and starts[k + 1] <= t:
            k += 1
        out.append(k)
    return out


def plan_timing(
    durations_ms: Sequence[float], preset: Preset, fmt: str | None = None, count: int | None = None
) -> Timing:
    """The even timing of one loop for `preset` in format `fmt` (default the preset's).

    count: frames to write (one of `frame_counts`); None picks the first (most motion).
    Raises ExportError when the preset's frame count rules cannot be met.
    """
    fmt = fmt or preset.format
    n = len(durations_ms)
    if preset.min_frames is not None and n < preset.min_frames:
        raise ExportError(
            f"{preset.id} needs {preset.min_frames}-{preset.max_frames} frames, got {n}; "
            f"make the animation with at least {preset.min_frames} frames"
        )
    counts = frame_counts(n, durations_ms, preset, fmt)
    m = counts[0] if count is None else int(count)
    target, fixed, notes = target_total_ms(durations_ms, preset)
    delay = _grid(m, target, fixed, preset, tick_ms(fmt))
    if delay is None:
        raise ExportError(f"{m} frames cannot share an even {fmt.upper()} delay for {preset.id}")
    total = delay * m
    if not fixed and abs(float(total) - target) > 1.0:
        notes.append(
            f"playback {_fmt_s(target)} → {_fmt_s(total)} so every {fmt.upper()} frame shows "
            f"{float(delay):g} ms ({_fmt_fps(Fraction(1000) / delay)} fps)"
        )
    loops = 0
    if preset.max_total_playback_s is not None:
        loops = max(1, math.floor(preset.max_total_playback_s * 1000 / float(total) + 1e-9))
    return Timing(sample_indices(durations_ms, m), delay, total, loops, n, notes)


def count_note(before: int, after: int, why: str) -> str:
    """What changing the frame count gives up, in words."""
    return f"motion resampled: {before} → {after} frames ({why})"
