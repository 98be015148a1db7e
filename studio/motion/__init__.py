"""Procedural animation: motion presets, the custom motion prompt parser, the renderer and
effect overlays.

    spec = parse_motion_prompt("subtle bounce then spin", frames=12, fps=12)
    frames = render_frames(cutout_rgba, spec, size=(180, 180))   # list of (180, 180, 4) uint8
"""

from __future__ import annotations

from studio.motion.custom import register_move, unregister_move
from studio.motion.effects import EffectInfo, list_effects
from studio.motion.parser import parse_motion_prompt
from studio.motion.presets import PresetInfo, list_presets
from studio.motion.renderer import Renderer, render_frames
from studio.motion.spec import check_frames_fps, describe_spec, preset_spec

__all__ = [
    "EffectInfo",
    "PresetInfo",
    "Renderer",
    "check_frames_fps",
    "describe_spec",
    "list_effects",
    "list_presets",
    "parse_motion_prompt",
    "preset_spec",
    "register_move",
    "render_frames",
    "unregister_move",
]
