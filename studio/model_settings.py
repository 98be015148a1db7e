"""Settings for model backends, read from STUDIO_* environment variables.

=========================  ===========================================  ==================
variable                   meaning                                      default
=========================  ===========================================  ==================
STUDIO_DEVICE              torch device: auto | cpu | cuda | cuda:N      ``auto`` (CUDA if
                           | mps                                        present, else CPU)
STUDIO_DTYPE               torch dtype: auto | float32 | float16 |       ``auto`` (float32
                           bfloat16                                     on CPU, bfloat16
                                                                        or float16 on GPU)
STUDIO_ORT_PROVIDERS       onnxruntime providers, comma separated       (auto: CUDA when
                           (e.g. ``CUDAExecutionProvider,CPU...``)      available, else CPU)
STUDIO_MODELS_DIR          where downloaded weights are kept            ``models`` in the
                                                                        user's cache folder
                                                                        (platformdirs)
STUDIO_DOWNLOAD            download missing weights on first use (1/0)  ``1`` (never when
                                                                        HF_HUB_OFFLINE=1)
=========================  ===========================================  ==================

Nothing here imports torch or onnxruntime until a device or provider is resolved.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studio.errors import InputError
from studio.settings import env_choice, env_flag

DEVICES = ("auto", "cpu", "cuda", "mps")
DTYPES = ("auto", "float32", "float16", "bfloat16")


def default_models_dir() -> Path:
    """``models`` in the user's cache folder: ``$XDG_CACHE_HOME/popcon/models`` (default
    ``~/.cache/popcon/models``) on Linux, ``~/Library/Caches/popcon/models`` on macOS,
    ``%LOCALAPPDATA%\\popcon\\Cache\\models`` on Windows."""
    from platformdirs import user_cache_path

    return user_cache_path("popcon", appauthor=False) / "models"


@dataclass(frozen=True)
class ModelSettings:
    device: str = "auto"
    dtype: str = "auto"
    ort_providers: tuple[str, ...] = ()
    models_dir: Path = field(default_factory=default_models_dir)
    download: bool = True
    offline: bool = False

    @property
    def may_download(self) -> bool:
        """True when missing weights may be fetched now (allowed and not offline)."""
        return self.download and not self.offline


def load_model_settings(env: Mapping[str, str] | None = None) -> ModelSettings:
    """Read the model settings from `env` (default: os.environ); bad values raise InputError."""
    env = os.environ if env is None else env
    device = env.get("STUDIO_DEVICE", "").strip().lower() or "auto"
    if device.split(":")[0] not in DEVICES or (":" in device and not device.startswith("cuda:")):
        raise InputError(f"STUDIO_DEVICE must be one of {', '.join(DEVICES)} or cuda:N, "
                         f"got {device!r}")
    providers = tuple(p.strip() for p in env.get("STUDIO_ORT_PROVIDERS", "").split(",")
                      if p.strip())
    models_dir = Path(env.get("STUDIO_MODELS_DIR") or default_models_dir()).expanduser()
    return ModelSettings(
        device=device,
        dtype=env_choice(env, "STUDIO_DTYPE", DTYPES, "auto"),
        ort_providers=providers,
        models_dir=models_dir,
        download=env_flag(env, "STUDIO_DOWNLOAD", True),
        offline=env_flag(env, "HF_HUB_OFFLINE", False),
    )


def torch_device(ms: ModelSettings) -> str:
    """The torch device string to use ("cpu", "cuda", "cuda:1", "mps")."""
    import torch

    if ms.device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if ms.device.startswith("cuda") and not torch.cuda.is_available():
        raise InputError(f"STUDIO_DEVICE is {ms.device!r} but torch sees no CUDA device "
                         "(use cpu or auto)")
    return ms.device


def torch_dtype(ms: ModelSettings, device: str) -> Any:
    """The torch dtype for `device`: float32 on CPU, bfloat16 (or float16) on a GPU."""
    import torch

    if ms.dtype != "auto":
        return getattr(torch, ms.dtype)
    if device.startswith("cuda"):
        return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
    return torch.float32


def ort_providers(ms: ModelSettings) -> list[str]:
    """onnxruntime execution providers in order of preference; unknown names are an error."""
    import onnxruntime as ort

    available = ort.get_available_providers()
    if ms.ort_providers:
        missing = [p for p in ms.ort_providers if p not in available]
        if missing:
            raise InputError(f"STUDIO_ORT_PROVIDERS names {', '.join(missing)}, which this "
                             f"onnxruntime lacks; available: {', '.join(available)}")
        return list(ms.ort_providers)
    if "CUDAExecutionProvider" in available and ms.device.split(":")[0] in ("auto", "cuda"):
        return ["CUDAExecutionProvider", "CPUExecutionProvider"]
    return ["CPUExecutionProvider"]
