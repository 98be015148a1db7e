"""Platform sets: many animations exported for one preset and packed in one ZIP.

    result = export_set([(frames, durations_ms), ...], "line-emoji", "set.zip")
    result.ok, result.check.to_text(), result.names

Set rules are data (SET_RULES): item count, file names, and the extra images a platform
wants (LINE's tab image, WhatsApp's tray icon), made from item 1's first frame.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from PIL import Image

from studio.errors import InputError
from studio.export.check import CheckReport, CheckRow
from studio.export.encoded import write_atomic
from studio.export.frames import fit_canvas
from studio.export.palette import apply_palette, build_palette
from studio.export.presets import Preset, get_preset

if TYPE_CHECKING:
    from studio.export import ExportResult


@dataclass(frozen=True)
class SetRule:
    """A platform's rules for a set.

    name_pattern: str.format pattern of item file names with the 1-based index (None: any
    name, items are named from `names` or numbered). counts: allowed item counts (empty:
    any count in min_items..max_items). icon: (file name, (width, height), max bytes or
    None) of the tab/tray image, None when the platform has none.
    """

    min_items: int = 1
    max_items: int | None = None
    counts: tuple[int, ...] = ()
    name_pattern: str | None = None
    icon: tuple[str, tuple[int, int], int | None] | None = None
    notes: str = ""


SET_RULES: dict[str, SetRule] = {
    "line-emoji": SetRule(8, 40, name_pattern="{:03d}.png", icon=("tab.png", (96, 74), None),
                          notes="001.png…040.png plus tab.png 96×74"),
    "line-sticker": SetRule(8, 24, counts=(8, 16, 24), name_pattern="{:02d}.png",
                            icon=("tab.png", (96, 74), None),
                            notes="8, 16 or 24 stickers 01.png… plus tab.png 96×74 (3p)"),
    "whatsapp": SetRule(3, 30, name_pattern="{:02d}.webp", icon=("tray.png", (96, 96), 50_000),
                        notes="3-30 stickers plus a 96×96 tray icon PNG ≤ 50 KB"),
}
DEFAULT_RULE = SetRule(notes="no platform set rules; files numbered or named by `names`")


@dataclass
class SetResult:
    """A written set ZIP: per-item exports, the set-level check and the ZIP's member names.

    ok: every item passed its preset's check and every set rule passed.
    """

    path: Path
    bytes: int
    preset: Preset
    items: list[ExportResult]
    names: list[str]
    check: CheckReport
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.check.ok and all(r.check.ok for r in self.items)

    def to_dict(self) -> dict[str, Any]:
        return {"path": str(self.path), "bytes": self.bytes, "preset": self.preset.id,
                "ok": self.ok, "names": list(self.names), "check": self.check.to_dict(),
                "items": [r.to_dict() for r in self.items], "warnings": list(self.warnings)}


def _icon_png(frame: np.ndarray, size: tuple[int, int], max_bytes: int | None) -> bytes:
    """A still PNG of an RGBA frame fitted in `size`, palette-reduced until under max_bytes."""
    (icon,) = fit_canvas([frame], *size)
    buf = io.BytesIO()
    Image.fromarray(icon).save(buf, format="PNG", optimize=True)
    for colors in (256, 128, 64, 32, 16):
        if max_bytes is None or buf.tell() <= max_bytes:
            break
        pal = build_palette([icon], colors)
        (idx,) = apply_palette([icon], pal)
        im = Image.frombytes("P", size, np.ascontiguousarray(idx).tobytes())
        im.putpalette(pal.colors.tobytes(), "RGBA")
        buf = io.BytesIO()
        im.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _file_names(rule: SetRule, preset: Preset, n: int, names: Sequence[str] | None) -> list[str]:
    if rule.name_pattern is not None or names is None:
        pattern = rule.name_pattern or ("{:02d}" + preset.extension)
        return [pattern.format(i + 1) for i in range(n)]
    if len(names) != n:
        raise InputError(f"names must have one entry per item: {n} items, {len(names)} names")
    out = [Path(str(s)).name + preset.extension for s in names]
    if len(set(out)) != n or any(s.startswith(".") or s == preset.extension for s in out):
        raise InputError(f"names must be distinct, non-empty file names, got {list(names)}")
    return out


def _count_row(rule: SetRule, n: int) -> CheckRow:
    if rule.counts:
        exp = " or ".join(map(str, rule.counts)) + " items"
        return CheckRow("item count", exp, str(n), n in rule.counts)
    hi = rule.max_items
    exp = f"{rule.min_items}–{hi} items" if hi else f"≥ {rule.min_items} items"
    return CheckRow("item count", exp, str(n), n >= rule.min_items and (hi is None or n <= hi))


def export_set(
    frames_list: Sequence[tuple[Sequence[np.ndarray], Sequence[float]]],
    preset_id: str | Preset,
    out_zip: str | Path,
    *,
    names: Sequence[str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> SetResult:
    """Export each (RGBA uint8 frames (H, W, 4), durations in ms) item for the preset and
    write one ZIP atomically: platform file names, plus the tab/tray icon from item 1's
    first frame.

    names: file stems for presets without a naming rule (ignored, with a warning, for LINE
    and WhatsApp, whose names are fixed). Raises InputError when the item count breaks the
    set rule, ExportError when an item cannot fit its budget. Items that fail their check
    are still packed; `result.ok` is then False.
    """
    from studio.export import export_animation

    preset = get_preset(preset_id) if isinstance(preset_id, str) else preset_id
    rule = SET_RULES.get(preset.id, DEFAULT_RULE)
    n = len(frames_list)
    count = _count_row(rule, n)
    if not count.passed:
        raise InputError(f"a {preset.title} set needs {count.expected}, got {n}")
    warnings: list[str] = []
    if names is not None and rule.name_pattern is not None:
        warnings.append(f"names ignored: {preset.title} sets use the file names {rule.notes}")
    files = _file_names(rule, preset, n, names)
    report = CheckReport(f"{preset.id} set", str(out_zip), [count])
    items: list[ExportResult] = []
    members: list[tuple[str, bytes]] = []
    with tempfile.TemporaryDirectory(prefix="popcon-set-") as tmp:
        for name, (frames, durations) in zip(files, frames_list, strict=True):
            res = export_animation(frames, durations, preset, Path(tmp) / name,
                                   overrides=overrides)
            items.append(res)
            members.append((name, res.path.read_bytes()))
            warnings.extend(f"{name}: {w}" for w in res.warnings)
    failed = [name for name, r in zip(files, items, strict=True) if not r.check.ok]
    report.rows.append(CheckRow("every item passes its check", "all", "all" if not failed
                                else "fails: " + ", ".join(failed), not failed))
    if rule.icon is not None:
        icon_name, size, max_bytes = rule.icon
        first = np.asarray(frames_list[0][0][0])
        data = _icon_png(first, size, max_bytes)
        members.append((icon_name, data))
        with Image.open(io.BytesIO(data)) as im:
            got = im.size
        report.rows.append(CheckRow(f"{icon_name} size", f"{size[0]}×{size[1]}",
                                    f"{got[0]}×{got[1]}", got == size))
        if max_bytes is not None:
            report.rows.append(CheckRow(f"{icon_name} bytes", f"≤ {max_bytes} bytes",
                                        f"{len(data)} bytes", len(data) <= max_bytes))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_STORED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    path = write_atomic(out_zip, buf.getvalue())
    return SetResult(path, path.stat().st_size, preset, items, [m for m, _ in members], report,
                     warnings)
