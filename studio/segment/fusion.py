"""Fusion of the keyed region with a u2net-family prediction (pure functions).

The model says *which* object and which enclosed regions belong to it; keying, the
gap-closing fill and edge matting say *where exactly* the edge is:

- known background (white, off-white, gradients, solid colours, checkerboards): the keyed
  region decides the edge. The prior decides background-coloured enclosed regions (paint or
  hole, `gapfill.decide_enclosed`); light paint the fill reached through an opening too wide
  to close (a skull whose jaw is open at the bottom: white paint on white has no visible edge)
  is added where the model is confident, with the model's soft edge there. Separate keyed
  parts are never dropped for want of model support (u2netp misses thin separate strokes:
  a tail, a pixel-art limb); an unwanted label is removed with one exclude click.
- complex background (photos, textures): the classical cut-out (GrabCut seeded by flat paint,
  or the outlined drawing where GrabCut joined part of the photo to it,
  `studio.segment.outlined`; less what the background's own colours join to it,
  `studio.segment.texture`) is compared with the model's object. Where they disagree the
  confidence is "low": the most salient object in a photo may not be the character, and the
  studio asks for a click; an outlined drawing found by its stroke stays "medium".

Every result carries info["fusion"] (what was done) and info["confidence"] ("high",
"medium" or "low") with info["agreement"] (IoU of the keyed and model regions, 0..1).
Images are (H, W, 3) uint8 RGB; prior (H, W) float32 in [0, 1]; masks (H, W) bool.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy import ndimage

from studio.segment.background import BackgroundModel
from studio.segment.classical import ClassicalSegmenter, hard_region, soft_edges
from studio.segment.gapfill import gap_radius
from studio.types import Mask

FOUR = ndimage.generate_binary_structure(2, 1)
Prior = np.ndarray | Callable[[], np.ndarray]
"""A u2net-family alpha (H, W) float32 in [0, 1], or a callable that returns it."""


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two (H, W) bool masks (1.0 when both are empty)."""
    union = np.count_nonzero(a | b)
    return float(np.count_nonzero(a & b) / union) if union else 1.0


def confidence_of(agreement: float) -> str:
    """"high" (IoU >= 0.9), "medium" (>= 0.7) or "low": how far keying and the model agree."""
    return "high" if agreement >= 0.9 else "medium" if agreement >= 0.7 else "low"


def model_paint(region: np.ndarray, prior: np.ndarray, model: BackgroundModel
                ) -> np.ndarray:
    """(H, W) bool: background-coloured areas outside `region` that the model holds to be
    part of the object with confidence (mean prior >= 0.75, wider than the gap-closing ball):
    light paint on a light background whose edge keying cannot see. Only on "white" kinds
    (on a coloured background, its colour inside the character is the background)."""
    if model.kind != "white":
        return np.zeros_like(region)
    h, w = region.shape
    r = gap_radius(h, w)
    labels, n = ndimage.label(~region & (prior > 0.5), FOUR)
    if n == 0:
        return np.zeros_like(region)
    idx = np.arange(1, n + 1)
    mean = ndimage.mean(prior, labels, idx)
    area = np.bincount(labels.ravel(), minlength=n + 1)[1:].astype(np.float64)
    inner = ndimage.distance_transform_edt(labels > 0)
    thick = ndimage.maximum(inner, labels, idx)
    ok = (np.asarray(mean) >= 0.75) & (np.asarray(area) >= max(64, 0.002 * h * w)) & (
        np.asarray(thick) > 2 * r + 1)
    return np.concatenate([[False], ok])[labels]


def _judge(region: np.ndarray, prior: np.ndarray, known: bool,
           info: dict[str, object]) -> dict[str, object]:
    """fusion text, agreement (IoU of region and the model's object) and confidence for
    the final hard region; a "low" confidence comes with a note asking for a click."""
    agreement = iou(region, prior > 0.5)
    out: dict[str, object] = {"agreement": round(agreement, 3)}
    conf = confidence_of(agreement)
    if known:
        out["fusion"] = "keyed edge, model regions"
        conf = "medium" if conf == "low" else conf  # the edge and the object are plain to
        # see; salient-object models under-rate white paint on white
    else:
        drawing = info.get("region") == "outlined drawing"
        out["fusion"] = (("outlined drawing" if drawing else "GrabCut seeded by flat paint")
                         + ("; the model agrees" if agreement >= 0.7
                            else "; the model chose another object"))
        # a photo or texture behind: never more than "medium"; an outlined drawing is
        # plain to see whatever the salient-object model chose
        conf = "medium" if conf == "high" or drawing else conf
    out["confidence"] = conf
    if conf == "low":
        out["note"] = ("the most salient object may not be the character; click on the "
                       "character (include) or on what to remove (exclude)")
    return out


def fuse(rgb: np.ndarray, prior: Prior, opts: ClassicalSegmenter.Options,
         guide: str) -> Mask:
    """The fused cut-out of rgb (H, W, 3) uint8 with `prior` (H, W) float32 from the model
    `guide` (a registry name), or a callable returning it (e.g. the `result` of a prediction
    running in another thread): the keyed region (or the photo analysis) and its soft edges
    are computed first, and the model's answer is waited for only when first needed.
    Returns a Mask: alpha (H, W) float32, foreground (H, W, 3) uint8, backend "auto", info
    with method, model, fusion, confidence and agreement."""
    region, model, info = hard_region(rgb, opts, prior)
    shadow = bool(info.get("shadow"))
    alpha, fg = soft_edges(rgb, region, model if model.known else None, opts, shadow)
    prior = prior() if callable(prior) else prior
    added = model_paint(region, prior, model) if model.known else np.zeros_like(region)
    if model.known:
        info["model_paint_px"] = int(added.sum())
    if added.any():  # no visible edge there: the model's soft edge, the image's colour
        keyed = region
        region = region | added
        alpha, fg = soft_edges(rgb, region, model, opts, shadow)
        r = opts.band + 2
        zone = (ndimage.binary_dilation(added, FOUR, iterations=r)
                & ~ndimage.binary_erosion(added, FOUR, iterations=r)
                & ~ndimage.binary_dilation(keyed, FOUR, iterations=1))
        soft = np.clip((prior - 0.5) / 0.3 + 0.5, 0.0, 1.0).astype(np.float32)
        alpha = np.where(zone, soft, alpha).astype(np.float32)
        fg = np.where(zone[..., None], rgb, fg)
    info.update(_judge(region, prior, model.known, info))
    info.update(method="fusion", model=guide)
    return Mask(alpha=alpha, backend="auto", foreground=fg, info=info)
