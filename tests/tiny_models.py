"""Tiny stand-ins for real model weights, laid out where the real ones would be.

- `write_rembg_onnx`: a 2-layer ONNX model with u2net's or BiRefNet's input/output signature,
  placed in rembg's model folder under a U2NET_HOME. It darkness-keys: pixels far from white
  score high, so a dark shape on white gives a sensible mask through rembg's own
  normalisation and min-max scaling.
- `write_sam2_cache`: a random ~0.36M-parameter Sam2Model (128 px input) saved with
  ``save_pretrained`` into a fake Hugging Face cache (refs/main + snapshots/<commit>).
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

SAM_SIDE = 128
FAKE_COMMIT = "0123456789abcdef0123456789abcdef01234567"


def write_rembg_onnx(home: Path, name: str, side: int) -> Path:
    """Export a tiny darkness-keying model as <home>/models/<name>/<name>.onnx (rembg's layout).
    u2net-like models return several side outputs; BiRefNet-like ones one logit map."""
    import torch
    from torch import nn

    class Tiny(nn.Module):
        def __init__(self, outputs: int) -> None:
            super().__init__()
            self.key = nn.Conv2d(3, 1, 1)
            self.smooth = nn.Conv2d(1, 1, 3, padding=1, bias=False)
            self.outputs = outputs
            with torch.no_grad():
                self.key.weight.fill_(-1.0)
                self.key.bias.zero_()
                self.smooth.weight.fill_(1.0 / 9.0)

        def forward(self, x: torch.Tensor):
            y = self.smooth(self.key(x))
            if self.outputs == 1:
                return y * 4.0
            return tuple(torch.sigmoid(y * (i + 1)) for i in range(self.outputs))

    outputs = 1 if name.startswith("birefnet") else 2
    model = Tiny(outputs).eval()
    target = home / "models" / name / f"{name}.onnx"
    target.parent.mkdir(parents=True, exist_ok=True)
    names = ["output"] if outputs == 1 else [f"d{i}" for i in range(outputs)]
    with warnings.catch_warnings():  # the TorchScript exporter is deprecated but still right
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(model, (torch.zeros(1, 3, side, side),), str(target),
                          input_names=["input.1" if outputs > 1 else "input_image"],
                          output_names=names, dynamo=False, external_data=False)
    return target


def tiny_sam2_config():
    from transformers import Sam2Config

    s = SAM_SIDE
    return Sam2Config(
        vision_config=dict(
            backbone_config=dict(
                model_type="sam2_hiera_det_model", hidden_size=16, num_attention_heads=1,
                image_size=[s, s], blocks_per_stage=[1, 2, 2, 1],
                embed_dim_per_stage=[16, 32, 64, 128], num_attention_heads_per_stage=[1, 1, 2, 2],
                window_size_per_stage=[4, 4, 4, 2], global_attention_blocks=[4],
                window_positional_embedding_background_size=[4, 4]),
            backbone_channel_list=[128, 64, 32, 16],
            backbone_feature_sizes=[[s // 4, s // 4], [s // 8, s // 8], [s // 16, s // 16]],
            fpn_hidden_size=32),
        prompt_encoder_config=dict(hidden_size=32, image_size=s, patch_size=16,
                                   mask_input_channels=4),
        mask_decoder_config=dict(hidden_size=32, mlp_dim=64, num_attention_heads=2,
                                 iou_head_hidden_dim=32),
    )


def write_sam2_cache(hub: Path, repo: str = "facebook/sam2.1-hiera-tiny") -> Path:
    """Save a tiny random Sam2Model as <hub>/models--org--name/snapshots/<commit>/ with
    refs/main pointing at it, as huggingface_hub lays out a download. Returns the snapshot."""
    import torch
    from transformers import Sam2Model

    torch.manual_seed(0)
    base = hub / ("models--" + repo.replace("/", "--"))
    snap = base / "snapshots" / FAKE_COMMIT
    Sam2Model(tiny_sam2_config()).eval().save_pretrained(str(snap))
    (base / "refs").mkdir(parents=True, exist_ok=True)
    (base / "refs" / "main").write_text(FAKE_COMMIT)
    return snap


def disk_image(h: int = 96, w: int = 120, r: int = 28, centre: tuple[int, int] | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
    """A dark-red disk on white: RGB (H, W, 3) uint8 and its truth (H, W) bool."""
    cy, cx = centre or (h // 2, w // 2)
    yy, xx = np.mgrid[:h, :w]
    truth = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
    img = np.full((h, w, 3), 255, np.uint8)
    img[truth] = (150, 20, 30)
    return img, truth


_BUILT: dict[str, Path] = {}


def model_homes(root: Path) -> dict[str, Path]:
    """Build every tiny model once per test session under `root`: {"u2net_home": ...,
    "hf_cache": ..., "empty": ...}. Later calls return the first build."""
    if not _BUILT:
        home, hub, empty = root / "u2net", root / "hub", root / "empty"
        for name, side in (("u2net", 320), ("isnet-anime", 1024), ("birefnet-general", 1024)):
            write_rembg_onnx(home, name, side)
        write_sam2_cache(hub)
        empty.mkdir(parents=True, exist_ok=True)
        _BUILT.update(u2net_home=home, hf_cache=hub, empty=empty)
    return dict(_BUILT)


def model_env(homes: dict[str, Path], rembg: bool = True, sam2: bool = True) -> dict[str, str]:
    """Environment variables pointing the studio at the tiny weights (or at empty folders)."""
    return {
        "U2NET_HOME": str(homes["u2net_home"] if rembg else homes["empty"]),
        "HF_HUB_CACHE": str(homes["hf_cache"] if sam2 else homes["empty"]),
        "STUDIO_MODELS_DIR": str(homes["empty"]),
        "HF_HUB_OFFLINE": "1",
        "STUDIO_DEVICE": "cpu",
    }
