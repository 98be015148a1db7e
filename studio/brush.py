"""Brush edits: erase or restore under a stroke, on the source cut-out or on one frame.

A stroke is (H, W) float32 in [0, 1] (how much the brush covers each pixel). Edits on the
source are kept as a map (H, W, 2) uint8 (channel 0 erase, channel 1 restore, 0-255; the
latest stroke wins where strokes overlap) and applied to every new cut-out, so clicking
again in the Segment tab does not lose them. Applying an edit map is idempotent: erase caps
alpha at 1 - erase, restore lifts it to restore. Restored pixels take the source's real
colours, never black.
"""

from __future__ import annotations

import numpy as np

from studio.errors import InputError


def merge_edits(edits: np.ndarray | None, stroke: np.ndarray, erase: bool) -> np.ndarray:
    """Add a stroke to an edit map (H, W, 2) uint8 (None = no edits yet): where the stroke
    paints, it replaces what earlier strokes said."""
    h, w = stroke.shape
    out = np.zeros((h, w, 2), np.uint8) if edits is None else edits.copy()
    painted = stroke > 0.02
    value = np.clip(np.rint(stroke * 255), 0, 255).astype(np.uint8)
    mine, other = (0, 1) if erase else (1, 0)
    out[..., mine][painted] = value[painted]
    out[..., other][painted] = 0
    return out


def apply_edits(cutout: np.ndarray, source: np.ndarray, edits: np.ndarray | None) -> np.ndarray:
    """The cut-out RGBA uint8 (H, W, 4) with the source edits applied: alpha ≤ 1 - erase,
    alpha ≥ restore (never above the source's own alpha); restored pixels show the source's
    colour. source: the ingested image, RGBA uint8 (H, W, 4)."""
    if edits is None:
        return cutout
    if edits.shape[:2] != cutout.shape[:2]:
        raise InputError("the source brush edits do not match the image size")
    alpha = cutout[..., 3].astype(np.float32) / 255
    erase = edits[..., 0].astype(np.float32) / 255
    restore = edits[..., 1].astype(np.float32) / 255 * (source[..., 3].astype(np.float32) / 255)
    new = np.maximum(np.minimum(alpha, 1 - erase), restore)
    out = cutout.copy()
    lifted = new > alpha + 1e-6
    out[..., :3][lifted] = source[..., :3][lifted]
    out[..., 3] = np.clip(np.rint(new * 255), 0, 255).astype(np.uint8)
    return out


def paint_frame_rgba(current: np.ndarray, colours: np.ndarray, stroke: np.ndarray,
                     erase: bool) -> tuple[np.ndarray, np.ndarray]:
    """A brush stroke on one frame: current RGBA uint8 (H, W, 4), colours the straight RGB
    (H, W, 3) under every pixel (see `studio.rerender.frame_colours`). Returns (alpha (H, W)
    float32, foreground (H, W, 3) uint8): erase scales alpha by 1 - stroke, restore lifts it
    to the stroke and shows `colours` where it lifted."""
    alpha = current[..., 3].astype(np.float32) / 255
    fg = current[..., :3].copy()
    if erase:
        return (alpha * (1 - stroke)).astype(np.float32), fg
    new = np.maximum(alpha, stroke).astype(np.float32)
    lifted = new > alpha + 1e-6
    fg[lifted] = colours[lifted]
    return new, fg
