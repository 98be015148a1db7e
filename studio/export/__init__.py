"""Export: platform presets (data), encoders (APNG, GIF, WebP), budget fitting, spec checker.

    result = export_animation(frames, durations_ms, "line-emoji", "001.png")
    result.check.ok, result.bytes, result.given_up

Frames are RGBA uint8 arrays (H, W, 4); durations are milliseconds per frame.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from studio.export.apng import encode_apng
from studio.export.check import CheckReport, CheckRow, check_bytes, check_file
from studio.export.encoded import Encoded, write_atomic
from studio.export.fit import EncodeSettings, FitResult, fit_to_budget
from studio.export.frames import fit_canvas, preview_on, psnr
from studio.export.gif import encode_gif
from studio.export.palette import Palette, build_palette, quantize
from studio.export.presets import PRESETS, Preset, apply_overrides, get_preset, list_presets
from studio.export.webp import encode_webp


@dataclass
class ExportResult:
    """A written export.

    bytes: file size; settings: the encoder settings chosen; given_up: what fitting the
    preset cost ("dropped every 2nd frame: 24 → 12 frames"); notes: harmless changes
    (resizing, merged identical frames); warnings: overridden platform rules and failed checks.
    """

    path: Path
    bytes: int
    format: str
    preset: Preset
    settings: EncodeSettings
    frame_count: int
    delays_ms: list[int]
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
) -> ExportResult:
    """Fit RGBA uint8 frames (H, W, 4) to `preset`, write `out_path` atomically, check it.

    overrides: preset fields to replace (e.g. {"max_bytes": 500_000}); each changed platform
    rule adds a warning. The written file is read back and checked; a failed rule leaves
    `result.check.ok` False and adds a warning (the file is still written, for inspection).
    Raises ExportError when no setting fits the budget, InputError for bad frames/overrides.
    """
    p = get_preset(preset) if isinstance(preset, str) else preset
    p, warnings = apply_overrides(p, overrides)
    fit = fit_to_budget(frames, durations_ms, p)
    path = write_atomic(out_path, fit.encoded.data)
    report = check_file(path, p)
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
    "PRESETS", "CheckReport", "CheckRow", "EncodeSettings", "Encoded", "ExportResult",
    "FitResult", "Palette", "Preset", "apply_overrides", "build_palette", "check_bytes",
    "check_file", "encode_apng", "encode_gif", "encode_webp", "export_animation", "fit_canvas",
    "fit_to_budget", "get_preset", "list_presets", "preview_on", "psnr", "quantize",
    "write_atomic",
]
