"""Platform presets as data: one row per export target (see shared/PLATFORMS.md).

Byte budgets use the stricter reading of "KB": 1 KB = 1000 bytes (LINE's "300 KB" is
300_000 bytes), so a file that passes here passes whichever the platform means.
Values marked (3p) come from third-party tools; a user may override any limit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from studio.errors import InputError

FORMATS = ("apng", "gif", "webp", "webm")
EXTENSIONS = {"apng": ".png", "gif": ".gif", "webp": ".webp", "webm": ".webm"}
SIZE_RULES = ("exact", "within", "recommended")
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Preset:
    """A platform target.

    width, height: the canvas the exporter produces, in pixels.
    size_rule: "exact" (width×height or one of alt_sizes), "within" (each side ≤ the canvas,
        the longer side ≥ min_long_side) or "recommended" (a warning only).
    min_frames, max_frames: frame count range of one loop (None: no limit).
    allowed_durations_s: playback of one loop must be exactly one of these (seconds).
    max_duration_s: playback of one loop at most this (seconds).
    max_total_playback_s: loops × duration at most this; the loop count must be finite.
    max_bytes: file size budget in bytes.
    transparent: the file keeps a transparent background; else frames are put on `matte`.
    matte: RGB colour semi-transparent edges are composited on for 1-bit alpha formats (GIF).
    max_fps, min_frame_ms: frame rate cap and shortest allowed frame delay (ms).
    distinct_frames: identical consecutive frames are rejected by the platform.
    supported: an encoder for `format` exists in this version.
    backgrounds: the platform's chat backgrounds as ((theme, RGB), ...), light first; used
        for previews, halo scores and the GIF matte of a chosen theme (approximate colours
        of the default themes).
    platform_rules: False for `custom`, whose limits are the user's (overrides don't warn).
    """

    id: str
    title: str
    platform: str
    width: int
    height: int
    format: str
    max_bytes: int
    transparent: bool = True
    size_rule: str = "exact"
    alt_sizes: tuple[tuple[int, int], ...] = ()
    min_long_side: int | None = None
    alt_formats: tuple[str, ...] = ()
    min_frames: int | None = None
    max_frames: int | None = None
    allowed_durations_s: tuple[float, ...] = ()
    max_duration_s: float | None = None
    max_total_playback_s: float | None = None
    matte: tuple[int, int, int] | None = None
    max_fps: float | None = None
    min_frame_ms: float | None = None
    distinct_frames: bool = False
    supported: bool = True
    backgrounds: tuple[tuple[str, tuple[int, int, int]], ...] = (
        ("light", (255, 255, 255)), ("dark", (0, 0, 0)),
    )
    platform_rules: bool = True
    notes: str = ""

    @property
    def extension(self) -> str:
        """File name suffix for the preset's format, e.g. ".png" for APNG."""
        return EXTENSIONS[self.format]

    @property
    def themes(self) -> list[str]:
        """Theme names with a background colour, light first."""
        return [name for name, _ in self.backgrounds]

    def background(self, theme: str) -> tuple[int, int, int]:
        """The chat background RGB of `theme`; InputError listing the themes otherwise."""
        for name, rgb in self.backgrounds:
            if name == theme:
                return rgb
        themes = ", ".join(self.themes)
        raise InputError(f"unknown theme {theme!r} for {self.id}; themes: {themes}")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _bg(light: str, dark: str) -> tuple[tuple[str, tuple[int, int, int]], ...]:
    def rgb(hex_: str) -> tuple[int, int, int]:
        return (int(hex_[1:3], 16), int(hex_[3:5], 16), int(hex_[5:7], 16))

    return (("light", rgb(light)), ("dark", rgb(dark)))


_GIF_MIN_MS = 20.0  # browsers show GIF delays under 20 ms as 100 ms

PRESETS: tuple[Preset, ...] = (
    Preset(
        id="line-emoji", title="LINE animated emoji", platform="LINE",
        width=180, height=180, format="apng", max_bytes=300_000,
        min_frames=5, max_frames=20, allowed_durations_s=(1.0, 2.0, 3.0, 4.0),
        max_total_playback_s=4.0, distinct_frames=True,
        backgrounds=_bg("#8cabd8", "#1f1f1f"),
        notes="frame 1 is the still preview; a set has 8-40 items 001.png... plus tab.png 96x74",
    ),
    Preset(
        id="line-sticker", title="LINE animated sticker", platform="LINE",
        width=320, height=270, size_rule="within", min_long_side=270, format="apng",
        max_bytes=300_000, min_frames=5, max_frames=20, max_duration_s=4.0,
        max_total_playback_s=4.0, distinct_frames=True,
        backgrounds=_bg("#8cabd8", "#1f1f1f"),
        notes="≤320×270 with one side ≥270 (main image 240×240); 1-4 loops",
    ),
    Preset(
        id="telegram-video", title="Telegram video sticker", platform="Telegram",
        width=512, height=512, size_rule="within", min_long_side=512, format="webm",
        max_bytes=256_000, max_duration_s=3.0, max_fps=30.0,
        backgrounds=_bg("#dbe6c6", "#0e1621"),
        notes="VP9 with alpha (yuva420p), no audio; one side exactly 512",
    ),
    Preset(
        id="telegram-emoji", title="Telegram custom emoji", platform="Telegram",
        width=100, height=100, format="webm", max_bytes=256_000, max_duration_s=3.0,
        max_fps=30.0, backgrounds=_bg("#dbe6c6", "#0e1621"),
        notes="VP9 with alpha; budget (3p), some tools use 64 KB",
    ),
    Preset(
        id="discord-emoji", title="Discord custom emoji", platform="Discord",
        width=128, height=128, size_rule="recommended", format="gif", alt_formats=("webp",),
        max_bytes=256_000, matte=(0x31, 0x33, 0x38), min_frame_ms=_GIF_MIN_MS,
        backgrounds=_bg("#ffffff", "#313338"),
        notes="GIF edges matted for the dark theme #313338 (light theme: #ffffff)",
    ),
    Preset(
        id="slack-emoji", title="Slack custom emoji", platform="Slack",
        width=128, height=128, format="gif", max_bytes=128_000, matte=WHITE,
        min_frame_ms=_GIF_MIN_MS, backgrounds=_bg("#ffffff", "#1a1d21"),
        notes="budget (3p), some say 256 KB; matte for light #ffffff (dark #1a1d21)",
    ),
    Preset(
        id="whatsapp", title="WhatsApp animated sticker", platform="WhatsApp",
        width=512, height=512, format="webp", max_bytes=500_000, max_duration_s=10.0,
        min_frame_ms=8.0, backgrounds=_bg("#efeae2", "#0b141a"),
        notes="shown ending on frame 1, so frame 1 is the full image; tray icon 96×96 PNG",
    ),
    Preset(
        id="kakao-proposal", title="KakaoTalk emoticon proposal", platform="KakaoTalk",
        width=360, height=360, format="gif", max_bytes=2_000_000, transparent=False,
        matte=WHITE, max_frames=24, min_frame_ms=_GIF_MIN_MS,
        backgrounds=_bg("#bacee0", "#1e1e1e"),
        notes="GIF on white for proposals (3p: ≤24 frames, 2 MB)",
    ),
    Preset(
        id="imessage", title="iMessage sticker", platform="iMessage",
        width=408, height=408, alt_sizes=((300, 300), (618, 618)), format="apng",
        alt_formats=("gif",), max_bytes=500_000, matte=WHITE,
        backgrounds=_bg("#ffffff", "#000000"),
        notes="300, 408 or 618 px square; APNG for real alpha",
    ),
    Preset(
        id="custom", title="Custom", platform="custom", width=512, height=512,
        size_rule="within", format="apng", max_bytes=500_000, matte=WHITE,
        platform_rules=False,
        notes="your own format, size, fps and byte budget: set them with overrides "
        "(format, width, height, fps, max_bytes)",
    ),
)

_BY_ID = {p.id: p for p in PRESETS}


def list_presets() -> list[Preset]:
    """All known presets, in table order."""
    return list(PRESETS)


def get_preset(preset_id: str) -> Preset:
    """The preset named `preset_id`; InputError listing the known ids otherwise."""
    try:
        return _BY_ID[preset_id]
    except KeyError:
        known = ", ".join(_BY_ID)
        raise InputError(f"unknown export preset {preset_id!r}; known presets: {known}") from None


_OVERRIDABLE = tuple(f.name for f in dataclasses.fields(Preset) if f.name not in ("id", "platform"))


def custom_preset(
    format: str,
    width: int,
    height: int,
    *,
    max_bytes: int,
    fps: float | None = None,
    transparent: bool = True,
) -> Preset:
    """A `custom` preset: `format` in FORMATS, canvas within width×height pixels, frame rate
    at most `fps` (None: as the source), file at most `max_bytes` bytes."""
    ov: dict[str, Any] = {"format": format, "width": width, "height": height,
                          "max_bytes": max_bytes, "transparent": transparent}
    if fps is not None:
        ov["fps"] = fps
    return apply_overrides(get_preset("custom"), ov)[0]


def apply_overrides(preset: Preset, overrides: dict[str, Any] | None) -> tuple[Preset, list[str]]:
    """A copy of `preset` with user overrides, and one warning per overridden platform rule."""
    if not overrides:
        return preset, []
    overrides = dict(overrides)
    if "fps" in overrides:
        overrides["max_fps"] = overrides.pop("fps")
    unknown = sorted(set(overrides) - set(_OVERRIDABLE))
    if unknown:
        raise InputError(
            f"unknown preset override(s) {unknown}; overridable: {', '.join(_OVERRIDABLE)}"
        )
    clean: dict[str, Any] = {}
    for key, value in overrides.items():
        old = getattr(preset, key)
        if isinstance(old, bool) and not isinstance(value, bool):
            raise InputError(f"override {key} must be true or false, got {value!r}")
        if isinstance(old, tuple) and isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        positive_int = isinstance(value, int) and not isinstance(value, bool) and value > 0
        if key in ("width", "height", "max_bytes", "min_frames", "max_frames") and not positive_int:
            raise InputError(f"override {key} must be a positive integer, got {value!r}")
        if key in ("max_fps", "max_duration_s", "min_frame_ms") and not (
            isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0
        ):
            raise InputError(f"override {key} must be a positive number, got {value!r}")
        if key == "format" and value not in FORMATS:
            raise InputError(f"override format must be one of {FORMATS}, got {value!r}")
        if key == "size_rule" and value not in SIZE_RULES:
            raise InputError(f"override size_rule must be one of {SIZE_RULES}, got {value!r}")
        clean[key] = value
    if "format" in clean and clean["format"] in preset.alt_formats:
        others = tuple(f for f in (preset.format, *preset.alt_formats) if f != clean["format"])
        clean.setdefault("alt_formats", others)
    new = dataclasses.replace(preset, **clean)
    warnings = [
        f"{key} overridden: {preset.id} rule is {getattr(preset, key)!r}, using {value!r}; "
        f"{preset.platform} may reject this file"
        for key, value in clean.items()
        if key in overrides and getattr(preset, key) != value and preset.platform_rules
        and not (key == "format" and value in preset.alt_formats)
    ]
    return new, warnings
