"""popcon studio: one character image in, a looping animated emoji or sticker out.

The public API::

    from studio import Studio
    studio = Studio()                                   # settings from STUDIO_* variables
    project = studio.new_project("examples/blob.png")
    spec = studio.motion_spec(prompt="subtle bounce then spin", frames=12, fps=12)
    studio.generate(project, spec, size=(180, 180))
    result = studio.export(project, "line-emoji", "blob.png")
    print(result.check.to_text())

Importing this package loads numpy and Pillow only: no torch, gradio or onnxruntime.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from studio.errors import (
    BackendUnavailable,
    ExportError,
    ImageError,
    InputError,
    ProjectError,
    PromptError,
    StudioError,
)
from studio.types import Candidate, Effect, Mask, MotionSpec, Move, Point, Prompt, Slot, Source

__version__ = "0.1.0"

_LAZY = {
    "Studio": "studio.pipeline",
    "Project": "studio.project",
    "load_settings": "studio.settings",
    "load_image": "studio.ingest",
    "parse_motion_prompt": "studio.motion",
    "preset_spec": "studio.motion",
    "list_presets": "studio.motion",
    "list_effects": "studio.motion",
    "export_animation": "studio.export",
    "get_preset": "studio.export",
    "detect_rig": "studio.motion.rig",
    "Rig": "studio.motion.rig",
}

if TYPE_CHECKING:
    from studio.export import export_animation, get_preset
    from studio.ingest import load_image
    from studio.motion import list_effects, list_presets, parse_motion_prompt, preset_spec
    from studio.motion.rig import Rig, detect_rig
    from studio.pipeline import Studio
    from studio.project import Project
    from studio.settings import load_settings


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'studio' has no attribute {name!r}")


__all__ = [
    "BackendUnavailable",
    "Candidate",
    "Effect",
    "ExportError",
    "ImageError",
    "InputError",
    "Mask",
    "MotionSpec",
    "Move",
    "Point",
    "Project",
    "ProjectError",
    "Prompt",
    "PromptError",
    "Rig",
    "Slot",
    "Source",
    "Studio",
    "StudioError",
    "detect_rig",
    "export_animation",
    "get_preset",
    "list_effects",
    "list_presets",
    "load_image",
    "load_settings",
    "parse_motion_prompt",
    "preset_spec",
]
