"""``diffusers:<model>``: image-to-video generators over diffusers' pipelines (GPU hosts).

The source cut-out is placed on a plain white canvas of the model's resolution (the aspect of
the output size) and animated with a prompt built from the templates (the motion preset's
body mechanics or the custom motion prompt, plus "one character, full body in frame, plain
solid white background, no checkerboard, no camera motion"). K candidates are K seeds, one
clip each. Every clip is border-cropped, resized, looped at the frame closest to its first
(with the seam cross-faded, or closed by last-frame conditioning where the model takes it)
and sampled to the target frame count; frame i of clip k is candidate k of slot i. The
candidates are ranked (identity drift, smoothness with the neighbours) and the best chosen.
Frames come back RGB on white (``produces_alpha`` False): the Studio segments them, then
calls ``refine_masks`` to smooth alpha over time.

Weights load lazily from the Hugging Face cache on first use (``from_pretrained`` by repo
name), on the device and dtype of STUDIO_DEVICE / STUDIO_DTYPE; missing packages or weights
raise BackendUnavailable saying what to install or fetch.
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from pydantic import Field

from studio.errors import BackendUnavailable, InputError
from studio.generate import clip as cl
from studio.generate.alpha_smoothing import smooth_slots
from studio.generate.base import check_slot
from studio.generate.ranking import colour_signature, identity_drift, rank_takes
from studio.generate.templates import VideoPrompt, build_prompt
from studio.generate.video_models import MODELS, VideoModel, get_model, missing_packages
from studio.options import BackendOptions
from studio.types import Candidate, Mask, MotionSpec, ProgressFn, Slot, Source

MAX_CANDIDATES = 8


class DiffusersGenerator:
    """Image-to-video with an open model; needs torch, diffusers, the weights and (in
    practice) a GPU."""

    variants = tuple(MODELS)
    produces_alpha = False
    free_text_prompts = True  # a custom motion prompt goes to the model as written

    class Options(BackendOptions):
        steps: int | None = Field(None, ge=1, le=200, description="denoising steps (None: the "
                                  "model's default)")
        guidance: float | None = Field(None, ge=0.0, le=20.0, description="guidance scale")
        clip_frames: int | None = Field(None, ge=2, le=257, description="frames the model "
                                        "makes per clip (rounded to what it accepts)")
        area: int | None = Field(None, ge=64 * 64, le=1920 * 1088, description="pixels per "
                                 "model frame (None: the model's default resolution)")
        border_crop: float | None = Field(None, ge=0.0, le=0.2, description="fraction of each "
                                          "side cut off the model's frames")
        margin: float = Field(0.1, ge=0.0, lt=0.4, description="canvas fraction kept clear "
                              "around the character in the conditioning image")
        subject: str = Field("the character", min_length=1, max_length=80,
                             description="how the prompt names the character")
        min_loop: float = Field(0.4, gt=0.0, le=1.0, description="shortest loop, as a "
                                "fraction of the clip")
        seam_frames: int = Field(3, ge=0, le=16, description="clip frames cross-faded over "
                                 "the loop seam")
        last_frame: bool = Field(True, description="close loops with last-frame conditioning "
                                 "where the model takes it")
        keep_effects: bool = Field(False, description="keep effect-like details (motion "
                                   "lines, sparks) that are not part of the character")
        alpha_smoothing: float = Field(0.6, ge=0.0, le=1.0, description="temporal smoothing "
                                       "of alpha between neighbouring frames")
        extra_neighbours: int = Field(1, ge=0, le=4, description="on a retry, frames of the "
                                      "new take next to the slot offered as extra candidates")
        offload: Literal["auto", "none", "model", "sequential"] = Field(
            "auto", description="CPU offload on GPU (auto: model offload for big models)"
        )

    def __init__(self, variant: str | None = None, options: dict | None = None):
        self.model: VideoModel = get_model(variant)
        self.variant = variant or next(k for k, v in MODELS.items() if v is self.model)
        self.name = f"diffusers:{self.variant}"
        self.options = self.Options.parse(options, f"generator {self.name!r}")
        self._pipe: Any = None
        self._device = "cpu"
        self._lock = threading.Lock()  # loading
        self._run_lock = threading.Lock()  # one denoising loop at a time on the pipeline

    # ------------------------------------------------------------------ availability
    @classmethod
    def availability(cls, variant: str | None = None) -> str | None:
        """None when `variant` can run here (packages installed, weights cached or
        downloadable), else why not, in words. Imports nothing heavy."""
        from studio.model_settings import load_model_settings
        from studio.weights import hf_cache_dir, hf_snapshot

        model = get_model(variant)
        missing = missing_packages()
        if missing:
            return f"needs the Python packages {', '.join(missing)} ({_install_hint(missing)})"
        snap = hf_snapshot(model.repo, "main", hf_cache_dir())
        if (snap is None or not (snap / "model_index.json").is_file()) and \
                not load_model_settings().may_download:
            return _weights_message(model)
        return None

    def prompt_for(self, spec: MotionSpec) -> VideoPrompt:
        """The prompt (and negative prompt) this model gets for `spec`, to show the user."""
        return build_prompt(spec, subject=self.options.subject, negative=self.model.negative)

    # ------------------------------------------------------------------ loading
    def pipeline(self) -> Any:
        """The diffusers pipeline, loaded on first use (thread-safe)."""
        with self._lock:
            if self._pipe is None:
                self._pipe, self._device = self._load()
            return self._pipe

    def _load(self) -> tuple[Any, str]:
        missing = missing_packages()
        if missing:
            raise BackendUnavailable(
                f"generator {self.name!r} needs the Python packages {', '.join(missing)}, which "
                f"are not installed ({_install_hint(missing)})"
            )
        import diffusers

        from studio.model_settings import load_model_settings, torch_device, torch_dtype
        from studio.weights import hf_cache_dir, hf_snapshot

        ms = load_model_settings()
        m = self.model
        cached = hf_snapshot(m.repo, "main", hf_cache_dir())
        if (cached is None or not (cached / "model_index.json").is_file()) and \
                not ms.may_download:
            raise BackendUnavailable(f"generator {self.name!r}: {_weights_message(m)}")
        cls = getattr(diffusers, m.pipeline)
        device = torch_device(ms)
        dtype = torch_dtype(ms, device)
        try:
            pipe = cls.from_pretrained(
                m.repo,
                cache_dir=str(hf_cache_dir()),
                dtype=dtype,
                local_files_only=not ms.may_download,
                low_cpu_mem_usage=_installed("accelerate"),
            )
        except OSError as e:  # incomplete cache, or the download failed
            raise BackendUnavailable(
                f"generator {self.name!r} could not load {m.repo}: {e}. {_weights_message(m)}"
            ) from e
        pipe.set_progress_bar_config(disable=True)
        offload = self.options.offload
        if offload == "auto":
            offload = "model" if (m.big and device.startswith("cuda")) else "none"
        if offload != "none":
            if not device.startswith("cuda"):
                raise InputError(f"offload={offload!r} needs a CUDA device, got {device!r}")
            if not _installed("accelerate"):
                raise BackendUnavailable(
                    f"offload={offload!r} needs the Python package 'accelerate' "
                    "(pip install accelerate), or set offload='none'"
                )
            gpu = int(device.split(":")[1]) if ":" in device else None
            if offload == "model":
                pipe.enable_model_cpu_offload(gpu_id=gpu)
            else:
                pipe.enable_sequential_cpu_offload(gpu_id=gpu)
        else:
            pipe.to(device)
        return pipe, device

    # ------------------------------------------------------------------ one clip
    def _geometry(self, size: tuple[int, int]) -> tuple[tuple[int, int], int, float]:
        m, o = self.model, self.options
        res = cl.model_resolution(size, o.area or m.area, m.multiple)
        n = cl.frame_count(o.clip_frames or m.frames, m.frame_rule)
        border = m.border if o.border_crop is None else o.border_crop
        return res, n, border

    def _clip(
        self,
        cond: np.ndarray,
        vp: VideoPrompt,
        n_frames: int,
        seed: int,
        last_frame: bool,
        on_step: Any,
    ) -> np.ndarray:
        """One clip: (F, H, W, 3) uint8 RGB at the model's resolution."""
        import torch
        from PIL import Image

        m, o = self.model, self.options
        pipe = self.pipeline()
        image = Image.fromarray(cond)
        h, w = cond.shape[:2]
        kwargs: dict[str, Any] = {
            "image": image,
            "height": h,
            "width": w,
            "num_frames": n_frames,
            "num_inference_steps": o.steps or m.steps,
            m.guidance_arg: m.guidance if o.guidance is None else o.guidance,
            "generator": torch.Generator(device="cpu").manual_seed(int(seed)),
            "output_type": "np",
            "callback_on_step_end": on_step,
        }
        if m.prompt:
            kwargs["prompt"] = vp.prompt
        if m.negative and vp.negative:
            kwargs["negative_prompt"] = vp.negative
        if m.fps_arg:
            kwargs[m.fps_arg] = round(m.fps)
        if m.max_sequence_length:
            kwargs["max_sequence_length"] = m.max_sequence_length
        if last_frame:
            kwargs["last_image"] = image
        kwargs.update(dict(m.call))
        with self._run_lock:
            frames = pipe(**kwargs).frames
        if hasattr(frames, "detach"):  # a tensor (B, F, C, H, W) where "np" is not honoured
            frames = frames.detach().float().cpu().permute(0, 1, 3, 4, 2).numpy()
        return cl.to_uint8(np.asarray(frames)[0])

    def _to_frames(
        self, clip: np.ndarray, spec: MotionSpec, size: tuple[int, int], border: float
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """A clip → spec.frames frames (N, height, width, 3) uint8, and the take's record."""
        o, m = self.options, self.model
        frames = cl.crop_and_resize(clip, border, size)
        info: dict[str, Any] = {"clip_frames": len(frames), "loop": spec.loop}
        if spec.loop and len(frames) >= 3:
            lp = cl.find_loop(frames, min_length=max(2, math.ceil(o.min_loop * (len(frames) - 1))))
            looped = cl.blend_seam(frames, lp.end, o.seam_frames)
            s = cl.sample_positions(lp.end, m.fps, spec.frames, spec.fps, loop=True)
            out = looped[s.indices]
            info.update(
                loop_end=lp.end,
                seam_error=round(lp.error, 4),
                seam_ratio=round(lp.seam_ratio, 3),
                seam_jump=round(cl.seam_jump(out), 3) if len(out) >= 3 else None,
            )
        else:
            s = cl.sample_positions(len(frames), m.fps, spec.frames, spec.fps, loop=False)
            out = frames[s.indices]
        info.update(speed=round(s.speed, 3))
        return out, info

    def _takes(
        self,
        source: Source,
        spec: MotionSpec,
        size: tuple[int, int],
        candidates: int,
        seed: int,
        progress: ProgressFn | None,
    ) -> tuple[list[np.ndarray], list[dict[str, Any]], np.ndarray, VideoPrompt]:
        if source.cutout is None:
            raise InputError("the source has no cut-out yet: segment it before generating")
        if isinstance(candidates, bool) or not 1 <= int(candidates) <= MAX_CANDIDATES:
            raise InputError(f"candidates must be between 1 and {MAX_CANDIDATES}, got {candidates}")
        vp = self.prompt_for(spec)
        res, n_clip, border = self._geometry(size)
        cond = cl.place_on_white(source.cutout, res, self.options.margin)
        reference = cl.crop_and_resize(cond[None], border, size)[0]
        last = bool(spec.loop and self.options.last_frame and self.model.last_frame)
        steps = self.options.steps or self.model.steps
        k_total = int(candidates)
        takes, infos = [], []
        for k in range(k_total):
            def on_step(_pipe: Any, i: int, _t: Any, kw: dict, k: int = k) -> dict:
                if progress is not None:
                    progress(k * steps + i + 1, k_total * steps,
                             f"take {k + 1}/{k_total}: step {i + 1}/{steps}")
                return kw

            clip = self._clip(cond, vp, n_clip, seed + k, last, on_step)
            frames, info = self._to_frames(clip, spec, size, border)
            info.update(
                backend=self.name, model=self.model.repo, seed=seed + k,
                take=f"{self.variant}-{seed + k}-{spec.frames}", prompt=vp.prompt,
                negative_prompt=vp.negative, last_frame=last,
                model_size=list(res),
            )
            takes.append(frames)
            infos.append(info)
        return takes, infos, reference, vp

    # ------------------------------------------------------------------ Generator protocol
    def generate(
        self,
        source: Source,
        spec: MotionSpec,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
        progress: ProgressFn | None = None,
    ) -> list[Slot]:
        """spec.frames slots of `candidates` RGB (height, width, 3) uint8 candidates on white;
        candidate k of every slot comes from clip k (seed + k); the best-ranked is chosen."""
        takes, infos, reference, _ = self._takes(source, spec, size, candidates, seed, progress)
        ranking = rank_takes(takes, reference, loop=spec.loop)
        slots = []
        for i in range(spec.frames):
            cands = [
                Candidate(
                    id=f"s{i:02d}k{k}-{infos[k]['seed']}",
                    origin={**infos[k], **ranking.info(i, k)},
                    rgb=takes[k][i],
                )
                for k in range(len(takes))
            ]
            slots.append(Slot(index=i, candidates=cands, chosen=ranking.chosen[i]))
        return slots

    def regenerate(
        self,
        source: Source,
        spec: MotionSpec,
        slot: int,
        *,
        size: tuple[int, int],
        candidates: int = 1,
        seed: int = 0,
    ) -> list[Candidate]:
        """A new take per candidate with the (possibly edited) spec: each take's frame `slot`
        (best identity first), then its frames next to it (Options.extra_neighbours on each
        side) as extra candidates."""
        check_slot(slot, spec)
        takes, infos, reference, _ = self._takes(source, spec, size, candidates, seed, None)
        ref = colour_signature(reference)
        drift = [identity_drift(t[slot], ref) for t in takes]
        order = sorted(range(len(takes)), key=lambda k: drift[k])
        out = []
        for r, k in enumerate(order):
            origin = {**infos[k], "rank": r, "drift": round(drift[k], 4), "retry_of": slot}
            out.append(Candidate(f"s{slot:02d}k{k}-{infos[k]['seed']}-r", origin,
                                 rgb=takes[k][slot]))
        n = spec.frames
        for k in order:
            seen = {slot}
            for d in range(1, self.options.extra_neighbours + 1):
                for j in (slot - d, slot + d):
                    if not spec.loop and not 0 <= j < n:
                        continue
                    j %= n
                    if j in seen:
                        continue
                    seen.add(j)
                    origin = {**infos[k], "extra": True, "source_slot": j, "retry_of": slot}
                    out.append(Candidate(f"s{slot:02d}k{k}-{infos[k]['seed']}-n{j}", origin,
                                         rgb=takes[k][j]))
        return out

    def refine_masks(self, slots: Sequence[Slot]) -> dict[tuple[int, int], Mask]:
        """After segmentation: alpha smoothed over each take's frames, effect-like details
        removed or kept (Options.keep_effects). Returns {(slot, candidate): new Mask}."""
        return smooth_slots(slots, strength=self.options.alpha_smoothing,
                            keep_effects=self.options.keep_effects)


def _installed(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


def _install_hint(missing: list[str]) -> str:
    parts = [p for p in missing if p != "torch"]
    hint = f"pip install {' '.join(parts)} accelerate" if parts else ""
    if "torch" in missing:
        hint = (hint + "; " if hint else "") + "install torch for your GPU from pytorch.org"
    return hint


def _weights_message(m: VideoModel) -> str:
    return (
        f"the weights {m.repo} are not in the Hugging Face cache and this machine may not "
        "download them now (HF_HUB_OFFLINE=1 or STUDIO_DOWNLOAD=0); fetch them where there is "
        "network with: python -c \"from diffusers import DiffusionPipeline; "
        f"DiffusionPipeline.download('{m.repo}')\" (then copy the cache, or set HF_HUB_CACHE)"
    )
