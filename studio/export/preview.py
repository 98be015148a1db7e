"""Previews on a platform's chat backgrounds and a halo score for exported frames.

A halo is an edge fringe the export added: bright edge pixels on a dark chat background
(a light matte or left-over white), dark ones on a light background. Frames are RGBA uint8
(H, W, 4); backgrounds are RGB tuples.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from studio.export.frames import preview_on
from studio.export.presets import Preset

HALO_LEVELS = 24.0  # luminance steps (0..255) beyond which an edge pixel counts as a halo
EDGE_PX = 1.5  # edge band: visible pixels this close to a transparent one


def chat_previews(frames: Sequence[np.ndarray], preset: Preset) -> dict[str, list[np.ndarray]]:
    """The animation on each of the preset's chat backgrounds: theme → RGB (H, W, 3) frames."""
    return {theme: preview_on(frames, rgb) for theme, rgb in preset.backgrounds}


def _luma(rgb: np.ndarray) -> np.ndarray:
    return rgb[..., :3].astype(np.float32) @ np.array([0.299, 0.587, 0.114], np.float32)


def _edge_and_inner(alpha: np.ndarray) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Edge band mask and, per pixel, the index of the nearest pixel deeper than the band."""
    from scipy.ndimage import distance_transform_edt

    depth = distance_transform_edt(alpha > 0)
    edge = (alpha > 0) & (depth <= EDGE_PX)
    inner = depth > EDGE_PX + 0.5
    if not inner.any():
        inner = alpha == alpha.max()
    _, (iy, ix) = distance_transform_edt(~inner, return_indices=True)
    return edge, (iy, ix)


def halo_score(
    frames: Sequence[np.ndarray],
    background: tuple[int, int, int],
    reference: Sequence[np.ndarray] | None = None,
) -> float:
    """Share (0..1) of edge pixels that show a halo on `background`, over all frames.

    On a dark background (luma < 128) a halo pixel is brighter, on a light one darker, by more
    than HALO_LEVELS than it should be. "Should" is the `reference` frames (the RGBA source at
    the same size and count) composited on the same background when given; otherwise the
    range between the background and the nearest pixel inside the edge band (drawn dark
    outlines thicker than the band can then count on light backgrounds).
    """
    bg = np.asarray(background, np.float32)
    dark = float(_luma(bg[None])[0]) < 128.0
    if reference is not None and len(reference) != len(frames):
        raise ValueError(f"reference has {len(reference)} frames, frames has {len(frames)}")
    hits = total = 0
    for i, f in enumerate(frames):
        alpha = f[..., 3]
        if reference is not None:
            alpha = np.maximum(alpha, reference[i][..., 3])
        edge, (iy, ix) = _edge_and_inner(alpha)
        if not edge.any():
            continue
        shown = _luma(preview_on([f], background)[0])[edge]
        if reference is not None:
            want = _luma(preview_on([reference[i]], background)[0])[edge]
            lo = hi = want
        else:
            inner = _luma(preview_on([f], background)[0])[iy, ix][edge]
            bg_l = float(_luma(bg[None])[0])
            lo, hi = np.minimum(inner, bg_l), np.maximum(inner, bg_l)
        excess = shown - hi if dark else lo - shown
        hits += int((excess > HALO_LEVELS).sum())
        total += int(edge.sum())
    return hits / total if total else 0.0


def halo_scores(
    frames: Sequence[np.ndarray], preset: Preset, reference: Sequence[np.ndarray] | None = None
) -> dict[str, float]:
    """halo_score of `frames` on each of the preset's chat backgrounds: theme → share."""
    return {theme: halo_score(frames, rgb, reference) for theme, rgb in preset.backgrounds}
