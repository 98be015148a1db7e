"""The image-to-video models the ``diffusers:<model>`` generators drive, as data.

One row per variant: the Hugging Face repo (diffusers layout), the diffusers pipeline class,
the clip it makes by default (frames, native fps, pixel area, side multiple, frame-count rule),
what its call accepts (text prompt, negative prompt, last-frame conditioning) and the defaults
of the call. Nothing here imports torch or diffusers.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from typing import Any

from studio.errors import InputError


@dataclass(frozen=True)
class VideoModel:
    """An image-to-video model.

    frames / fps: the clip made by default and the model's native frame rate;
    area: pixels per frame (width × height) at the default resolution; multiple: both sides
        are multiples of it; frame_rule: frame counts are frame_rule·k + 1 (1: any count);
    prompt / negative / last_frame: the call takes a text prompt / a negative prompt /
        `last_image` (first-and-last-frame conditioning, used to close loops);
    guidance_arg: the name of the guidance argument; fps_arg: the argument that tells the
        model its frame rate (None: none); border: fraction of each side cropped off the
        output (edge smear); big: large enough that model CPU offload is the default on GPU.
    """

    repo: str
    pipeline: str
    description: str
    frames: int
    fps: float
    area: int
    multiple: int
    frame_rule: int
    steps: int
    guidance: float
    prompt: bool = True
    negative: bool = True
    last_frame: bool = False
    guidance_arg: str = "guidance_scale"
    fps_arg: str | None = None
    max_sequence_length: int | None = None
    border: float = 0.0
    big: bool = False
    call: tuple[tuple[str, Any], ...] = ()


MODELS: dict[str, VideoModel] = {
    "wan2.2-i2v": VideoModel(
        repo="Wan-AI/Wan2.2-I2V-A14B-Diffusers",
        pipeline="WanImageToVideoPipeline",
        description="Wan 2.2 image-to-video, 14B mixture of experts (about 80 GB of VRAM or "
        "CPU offload); first-and-last-frame conditioning closes loops",
        frames=49, fps=16, area=832 * 480, multiple=16, frame_rule=4, steps=40, guidance=3.5,
        last_frame=True, max_sequence_length=512, border=0.01, big=True,
    ),
    "wan2.2-ti2v-5b": VideoModel(
        repo="Wan-AI/Wan2.2-TI2V-5B-Diffusers",
        pipeline="WanImageToVideoPipeline",
        description="Wan 2.2 text/image-to-video 5B at 24 fps (fits a 24 GB GPU with offload)",
        frames=49, fps=24, area=1280 * 704, multiple=32, frame_rule=4, steps=40, guidance=5.0,
        max_sequence_length=512, border=0.01,
    ),
    "wan2.1-i2v-480p": VideoModel(
        repo="Wan-AI/Wan2.1-I2V-14B-480P-Diffusers",
        pipeline="WanImageToVideoPipeline",
        description="Wan 2.1 image-to-video 14B, 480p",
        frames=49, fps=16, area=832 * 480, multiple=16, frame_rule=4, steps=40, guidance=5.0,
        max_sequence_length=512, border=0.01, big=True,
    ),
    "wan2.1-i2v-720p": VideoModel(
        repo="Wan-AI/Wan2.1-I2V-14B-720P-Diffusers",
        pipeline="WanImageToVideoPipeline",
        description="Wan 2.1 image-to-video 14B, 720p",
        frames=49, fps=16, area=1280 * 720, multiple=16, frame_rule=4, steps=40, guidance=5.0,
        max_sequence_length=512, border=0.01, big=True,
    ),
    "wan2.1-flf2v-720p": VideoModel(
        repo="Wan-AI/Wan2.1-FLF2V-14B-720P-diffusers",
        pipeline="WanImageToVideoPipeline",
        description="Wan 2.1 first-and-last-frame-to-video 14B, 720p: loops end on the source",
        frames=49, fps=16, area=1280 * 720, multiple=16, frame_rule=4, steps=40, guidance=5.0,
        last_frame=True, max_sequence_length=512, border=0.01, big=True,
    ),
    "ltx-video": VideoModel(
        repo="Lightricks/LTX-Video",
        pipeline="LTXImageToVideoPipeline",
        description="LTX-Video 2B image-to-video: fast, about 12 GB of VRAM",
        frames=65, fps=25, area=704 * 480, multiple=32, frame_rule=8, steps=40, guidance=3.0,
        fps_arg="frame_rate", max_sequence_length=128, border=0.02,
        call=(("decode_timestep", 0.03), ("decode_noise_scale", 0.025)),
    ),
    "svd": VideoModel(
        repo="stabilityai/stable-video-diffusion-img2vid-xt",
        pipeline="StableVideoDiffusionPipeline",
        description="Stable Video Diffusion XT: image only (no prompt), 25 frames",
        frames=25, fps=7, area=1024 * 576, multiple=64, frame_rule=1, steps=25, guidance=3.0,
        prompt=False, negative=False, guidance_arg="max_guidance_scale", fps_arg="fps",
        call=(("motion_bucket_id", 127), ("noise_aug_strength", 0.02), ("decode_chunk_size", 8)),
    ),
}

DEFAULT_MODEL = "ltx-video"


def get_model(variant: str | None) -> VideoModel:
    """The model of `variant` (DEFAULT_MODEL when None); InputError listing the known ones."""
    name = variant or DEFAULT_MODEL
    if name not in MODELS:
        raise InputError(f"unknown video model {name!r}; known: {', '.join(MODELS)}")
    return MODELS[name]


def missing_packages() -> list[str]:
    """The Python packages the diffusers generators need that are not installed (no import)."""
    return [p for p in ("torch", "diffusers", "transformers")
            if importlib.util.find_spec(p) is None]
