"""Spec checker: read a written file back and test it against a preset's rules, one row each."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np

from studio.export.decode import Decoded, decode_animation
from studio.export.presets import Preset

DURATION_TOLERANCE_MS = 1.0


@dataclass(frozen=True)
class CheckRow:
    """One rule: what the preset expects, what the file has, and whether it passed.

    severity: "error" rows decide `CheckReport.ok`; "warning" rows are advice.
    """

    rule: str
    expected: str
    actual: str
    passed: bool
    severity: str = "error"


@dataclass
class CheckReport:
    """All rows for one file; `ok` only when every error-severity rule passed."""

    preset: str
    path: str
    rows: list[CheckRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.rows if r.severity == "error")

    @property
    def failures(self) -> list[CheckRow]:
        return [r for r in self.rows if not r.passed and r.severity == "error"]

    def row(self, rule: str) -> CheckRow:
        """The row named `rule` (KeyError if the check did not apply)."""
        for r in self.rows:
            if r.rule == rule:
                return r
        raise KeyError(rule)

    def to_dict(self) -> dict[str, Any]:
        return {"preset": self.preset, "path": self.path, "ok": self.ok,
                "rows": [asdict(r) for r in self.rows]}

    def to_text(self) -> str:
        head = ("rule", "expected", "actual", "result")
        body = [
            (r.rule, r.expected, r.actual,
             "pass" if r.passed else ("FAIL" if r.severity == "error" else "warn"))
            for r in self.rows
        ]
        widths = [max(len(x[i]) for x in [head, *body]) for i in range(4)]
        lines = [f"{self.path}: {'meets' if self.ok else 'FAILS'} {self.preset}"]
        for cells in [head, *body]:
            padded = (c.ljust(wd) for c, wd in zip(cells, widths, strict=True))
            lines.append("  ".join(padded).rstrip())
        return "\n".join(lines)


def _size_row(p: Preset, w: int, h: int) -> CheckRow:
    actual = f"{w}×{h}"
    if p.size_rule == "within":
        ok = w <= p.width and h <= p.height and max(w, h) >= (p.min_long_side or 0)
        exp = f"≤{p.width}×{p.height}"
        if p.min_long_side:
            exp += f", one side ≥{p.min_long_side}"
        return CheckRow("canvas size", exp, actual, ok)
    sizes = [(p.width, p.height), *p.alt_sizes]
    exp = " or ".join(f"{a}×{b}" for a, b in sizes)
    sev = "warning" if p.size_rule == "recommended" else "error"
    return CheckRow("canvas size", exp, actual, (w, h) in sizes, sev)


def _duration_rows(p: Preset, d: Decoded) -> list[CheckRow]:
    rows = []
    total = sum(d.durations_ms)
    actual = f"{total:g} ms"
    if p.allowed_durations_s:
        ok = any(abs(total - s * 1000) <= DURATION_TOLERANCE_MS for s in p.allowed_durations_s)
        exp = "exactly " + ", ".join(f"{s:g}" for s in p.allowed_durations_s) + " s"
        rows.append(CheckRow("playback duration", exp, actual, ok))
    elif p.max_duration_s is not None:
        ok = total <= p.max_duration_s * 1000 + DURATION_TOLERANCE_MS
        rows.append(CheckRow("playback duration", f"≤ {p.max_duration_s:g} s", actual, ok))
    if p.max_total_playback_s is not None and d.format != "webm":
        loops = d.loop
        if not loops:
            exp = f"finite loops, ≤ {p.max_total_playback_s:g} s"
            rows.append(CheckRow("loops × duration", exp, "loops forever", False))
        else:
            tot = loops * total
            rows.append(CheckRow(
                "loops × duration", f"≤ {p.max_total_playback_s:g} s",
                f"{loops} × {total:g} ms = {tot / 1000:g} s",
                tot <= p.max_total_playback_s * 1000 + DURATION_TOLERANCE_MS,
            ))
    shortest = min(d.durations_ms)
    if p.min_frame_ms is not None:
        rows.append(CheckRow("shortest frame delay", f"≥ {p.min_frame_ms:g} ms", f"{shortest:g} ms",
                             shortest >= p.min_frame_ms - 1e-6))
    rate, how = frame_rate(d)
    if p.max_fps is not None:
        limit = Fraction(p.max_fps).limit_denominator(1001)
        rows.append(CheckRow("frame rate", f"≤ {p.max_fps:g} fps", f"{_fps_text(rate)} fps ({how})",
                             0 < rate <= limit))
    rows.append(_even_row(d, rate))
    return rows


def _even_row(d: Decoded, rate: Fraction) -> CheckRow:
    """Warning row: every delay is a whole number of frames at the file's frame rate, so
    playback has no judder (41/42 ms alternating delays read as 1000 fps and stutter)."""
    exp = "every delay a whole number of frames"
    if rate <= 0:
        return CheckRow("even frame timing", exp, "no frame rate", False, "warning")
    frame = 1000 / rate
    tol = Fraction(1) if d.format == "webm" else Fraction(1, 1000)  # WebM stores whole ms
    counts = [Fraction(x).limit_denominator(1000) / frame for x in d.durations_ms]
    even = all(round(c) >= 1 and abs(c - round(c)) * frame <= tol for c in counts)
    if even and min(round(c) for c in counts) == 1:  # the shortest delay is one frame
        held = sorted({round(c) for c in counts} - {1})
        actual = f"{float(frame):.4g} ms frames" + (
            f" (held ×{', ×'.join(map(str, held))})" if held else "")
        return CheckRow("even frame timing", exp, actual, True, "warning")
    uniq = sorted({round(x, 2) for x in d.durations_ms})[:4]
    return CheckRow("even frame timing", exp,
                    "uneven: " + ", ".join(f"{x:g}" for x in uniq) + " ms", False, "warning")


def _fps_text(rate: Fraction) -> str:
    return str(rate.numerator) if rate.denominator == 1 else f"{float(rate):.4g}"


def _exact_ms(ms: float) -> Fraction:
    """A delay read back as a float (APNG's num/den, GIF's cs) as the exact fraction it was."""
    return Fraction(ms).limit_denominator(1000)


def frame_rate(d: Decoded) -> tuple[Fraction, str]:
    """The frame rate a player (and a checker such as sticker-convert's) reads, exactly, and
    how it was read.

    APNG, GIF, WebP: 1000 / the greatest common divisor of the delays, so delays that are
    all whole multiples of one frame delay read as that rate, and uneven ones (41, 42 ms)
    read as their common tick (1000 fps). WebM: the stream's exact rate (Matroska stores
    timestamps in ms, so 30 fps steps read 33/34 ms) when every timestamp lies on its grid;
    otherwise frames per second of playback.
    """
    if d.format == "webm":
        total = sum(d.durations_ms)
        step = 1000 / float(d.frame_rate) if d.frame_rate else 0.0
        on_grid = step > 0 and all(
            round(x / step) >= 1 and abs(x - round(x / step) * step) <= 1.0
            for x in d.durations_ms[:-1]
        )
        if on_grid:  # every ms timestamp is a whole frame of the header's rate
            return d.frame_rate, "stream header"
        if total <= 0:
            return Fraction(0), "no duration"
        return Fraction(len(d.frames) * 1000) / _exact_ms(total), "frames ÷ duration"
    ticks = [_exact_ms(x) for x in d.durations_ms if x > 0]
    if not ticks:
        return Fraction(0), "no delays"
    tick = reduce(_gcd, ticks)
    return Fraction(1000) / tick, f"{float(tick):g} ms frame delay"


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    den = a.denominator * b.denominator // math.gcd(a.denominator, b.denominator)
    return Fraction(math.gcd(int(a * den), int(b * den)), den)


def _webm_rows(d: Decoded) -> list[CheckRow]:
    alpha_plane = d.pix_fmt.startswith("yuva")
    return [
        CheckRow("video codec", "vp9", d.codec or "(none)", d.codec == "vp9"),
        CheckRow("alpha channel", "yuva420p (decoded with libvpx-vp9)", d.pix_fmt or "(none)",
                 alpha_plane),
        CheckRow("audio streams", "none", str(d.audio_streams), d.audio_streams == 0),
        CheckRow("other streams", "none", str(d.other_streams), d.other_streams == 0),
    ]


def _identical_pairs(frames: list[np.ndarray]) -> list[int]:
    keys = []
    for f in frames:
        k = f.copy()
        k[k[..., 3] == 0] = 0
        keys.append(k)
    return [i for i in range(1, len(keys)) if np.array_equal(keys[i], keys[i - 1])]


def check_bytes(data: bytes, preset: Preset, name: str = "",
                reference: Sequence[np.ndarray] | None = None) -> CheckReport:
    """Check an encoded file's bytes against `preset`; `name` gives the file name for its suffix.
    reference: the frames the file was made from (RGBA uint8): adds the content rows
    (`studio.export.content`: visible area, filled outline, colour of the character)."""
    p = preset
    report = CheckReport(p.id, name)
    rows = report.rows
    d = decode_animation(data)
    rows.append(CheckRow("format", p.format, d.format, d.format == p.format))
    if name:
        suffix = Path(name).suffix.lower()
        rows.append(CheckRow("file extension", p.extension, suffix or "(none)",
                             suffix == p.extension, "warning"))
    rows.append(CheckRow("file size", f"≤ {p.max_bytes} bytes", f"{len(data)} bytes",
                         len(data) <= p.max_bytes))
    if not d.frames:
        why = d.error or "no frames"
        rows.append(CheckRow("readable", "decodes to frames", f"{d.format}: {why}", False))
        return report
    if d.format == "webm":
        rows.extend(_webm_rows(d))
    n = len(d.frames)
    rows.append(_size_row(p, *d.size))
    rows.append(CheckRow("animated", "≥ 2 frames", str(n), n >= 2))
    if p.min_frames is not None or p.max_frames is not None:
        lo, hi = p.min_frames or 1, p.max_frames
        exp = f"{lo}–{hi} frames" if hi else f"≥ {lo} frames"
        rows.append(CheckRow("frame count", exp, str(n), n >= lo and (hi is None or n <= hi)))
    rows.extend(_duration_rows(p, d))
    alpha = np.stack([f[..., 3] for f in d.frames])
    if p.transparent:
        clear = int((alpha == 0).sum())
        per_frame = clear // max(len(d.frames), 1)
        rows.append(CheckRow("transparent background", "some pixels with alpha 0",
                             f"{per_frame} of {alpha[0].size} px clear per frame", clear > 0))
    else:
        solid = bool((alpha == 255).all())
        rows.append(CheckRow("opaque background", "no transparent pixels",
                             "all opaque" if solid else "has transparency", solid))
    first = d.frames[0]
    if p.transparent:
        visible = int((first[..., 3] > 0).sum())
        rows.append(CheckRow("first frame visible", "some visible pixels",
                             f"{visible} visible pixels", visible > 0))
    else:
        flat = bool((first == first[0, 0]).all())
        rows.append(CheckRow("first frame visible", "not one flat colour",
                             "one flat colour" if flat else "has content", not flat))
    if p.distinct_frames:
        same = _identical_pairs(d.frames)
        actual = "none" if not same else ", ".join(f"{i - 1}={i}" for i in same)
        rows.append(CheckRow("identical consecutive frames", "none", actual, not same))
    if reference is not None:
        from studio.export.content import content_rows

        rows.extend(content_rows(d.frames, reference, p))
    return report


def check_file(path: str | Path, preset: Preset,
               reference: Sequence[np.ndarray] | None = None) -> CheckReport:
    """Read the file at `path` back and check it against every rule of `preset` (and, with
    `reference` frames, the content rows)."""
    path = Path(path)
    return check_bytes(path.read_bytes(), preset, str(path), reference)
