"""Export: platform presets (data), encoders (APNG, GIF, WebP, WebM VP9 with alpha), budget
fitting, spec checker, chat previews and halo scores, platform sets, sprite sheets.

    result = export_animation(frames, durations_ms, "line-emoji", "001.png")
    result.check.ok, result.bytes, result.given_up
    export_set([(frames, durations_ms), ...], "line-emoji", "set.zip")

Frames are RGBA uint8 arrays (H, W, 4); durations are milliseconds per frame.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.export.apng import encode_apng
from studio.export.check import CheckReport, CheckRow, check_bytes, check_file
from studio.export.decode import Decoded, decode_animation, decode_file, sniff_format
from studio.export.encoded import Encoded, write_atomic
from studio.export.fit import FitResult, canvas_sizes, fit_to_budget
from studio.export.frames import fit_canvas, preview_on, psnr
from studio.export.gif import encode_gif
from studio.export.ladders import LADDERS, EncodeSettings
from studio.export.palette import Palette, build_palette, quantize
from studio.export.presets import (
    PRESETS,
    Preset,
    apply_overrides,
    custom_preset,
    get_preset,
    list_presets,
)
from studio.export.preview import chat_previews, halo_score, halo_scores
from studio.export.sets import SET_RULES, SetResult, export_set
from studio.export.sheet import export_frames_zip, export_sprite_sheet
from studio.export.webm import decode_webm, encode_webm
from studio.export.webp import encode_webp


@dataclass
class ExportResult:
    """A written export.

    bytes: file size; settings: the encoder settings chosen; delays_ms: one per written
    frame, all equal (even timing) unless identical neighbours were merged; given_up: what
    fitting the preset cost ("motion resampled: 24 → 20 frames (line-emoji allows at most
    20)"); notes: harmless changes
    (resizing, merged identical frames); warnings: overridden platform rules and failed checks.
    """

    path: Path
    bytes: int
    format: str
    preset: Preset
    settings: EncodeSettings
    frame_count: int
    delays_ms: list[float]
    loops: int
    check: CheckReport
    given_up: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path), "bytes": self.bytes, "format": self.format,
            "preset": self.preset.id, "settings": self.settings.to_dict(),
            "frame_count": self.frame_count, "delays_ms": list(self.delays_ms),
            "loops": self.loops, "given_up": list(self.given_up), "notes": list(self.notes),
            "warnings": list(self.warnings), "check": self.check.to_dict(),
        }


def export_animation(
    frames: Sequence[np.ndarray],
    durations_ms: Sequence[float],
    preset: str | Preset,
    out_path: str | Path,
    *,
    overrides: dict[str, Any] | None = None,
    theme: str | None = None,
    render: Callable[[int], Sequence[np.ndarray]] | None = None,
) -> ExportResult:
    """Fit RGBA uint8 frames (H, W, 4) to `preset`, write `out_path` atomically, check it.

    overrides: preset fields to replace (e.g. {"max_bytes": 500_000}; "fps" sets max_fps);
    each changed platform rule adds a warning (none for the `custom` preset).
    theme: "light" or "dark" (see preset.themes): GIF edges are matted on that chat
    background instead of the preset's default matte.
    render: m → the loop rendered as m frames, used when the preset's even timing needs a
    frame count other than len(frames) (see fit_to_budget).
    The written file is read back and checked; a failed rule leaves
    `result.check.ok` False and adds a warning (the file is still written, for inspection).
    Raises ExportError when no setting fits the budget, InputError for bad frames/overrides.
    """
    p = get_preset(preset) if isinstance(preset, str) else preset
    p, warnings = apply_overrides(p, overrides)
    if theme is not None:
        p = dataclasses.replace(p, matte=p.background(theme))
    fit = fit_to_budget(frames, durations_ms, p, render=render)
    path = write_atomic(out_path, fit.encoded.data)
    report = check_file(path, p, reference=frames)  # + content rows vs the frames
    if not report.ok:
        failed = ", ".join(r.rule for r in report.failures)
        warnings.append(f"the written file fails {p.id} rules: {failed}")
    return ExportResult(
        path=path, bytes=fit.bytes, format=fit.encoded.format, preset=p,
        settings=fit.settings, frame_count=fit.encoded.frame_count,
        delays_ms=list(fit.encoded.delays_ms), loops=fit.timing.loops, check=report,
        given_up=list(fit.given_up), notes=list(fit.notes), warnings=warnings,
    )


__all__ = [
    "LADDERS", "PRESETS", "SET_RULES", "CheckReport", "CheckRow", "Decoded", "EncodeSettings",
    "Encoded", "ExportResult", "FitResult", "Palette", "Preset", "SetResult", "apply_overrides",
    "build_palette", "canvas_sizes", "chat_previews", "check_bytes", "check_file",
    "custom_preset", "decode_animation", "decode_file", "decode_webm", "encode_apng",
    "encode_gif", "encode_webm", "encode_webp", "export_animation", "export_frames_zip",
    "export_set", "export_sprite_sheet", "fit_canvas", "fit_to_budget", "get_preset",
    "halo_score", "halo_scores", "list_presets", "preview_on", "psnr", "quantize",
    "sniff_format", "write_atomic",
]
