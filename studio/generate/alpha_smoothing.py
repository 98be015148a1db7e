"""Temporal smoothing of alpha across the frames of one take, and effect-like details.

Frames from a video model have no alpha: each is segmented on its own, so edges flicker from
frame to frame. Here each frame's alpha is averaged with its neighbours' (within `radius`
frames, wrapping around a loop), weighted per pixel by how alike the frames' colours are
there: where the picture did not change, the alpha should not either; where something moved,
the frame keeps its own alpha (no ghosts of a moving arm).

Effect-like details (motion lines, sparks, hearts) are inked regions on the white background
that are detached from the character. By default they are removed; with keep_effects they
are kept, and inked detached regions the segmenter dropped are added back with an alpha from
how far their colour is from white.

Frames: RGB (H, W, 3) uint8 on white; alphas: (H, W) float32 in [0, 1].
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

import cv2
import numpy as np

from studio.errors import InputError
from studio.types import Mask, Slot

SIGMA = 14.0
"""Colour difference (0-255 scale, mean over RGB) at which a neighbour's weight falls to e⁻¹."""
CHARACTER_SHARE = 0.15
"""Components with at least this share of the largest one's area are part of the character."""
INK_LO, INK_HI = 24.0, 96.0
"""Distance from white (max over RGB) mapped to alpha 0 → 1 for effect pixels."""


def _colour_weight(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    diff = np.abs(a.astype(np.float32) - b.astype(np.float32)).mean(axis=-1)
    return np.exp(-((diff / SIGMA) ** 2))


def temporal_smooth(
    frames: Sequence[np.ndarray],
    alphas: Sequence[np.ndarray],
    *,
    strength: float = 0.6,
    radius: int = 1,
    loop: bool = True,
) -> list[np.ndarray]:
    """Each alpha averaged with its neighbours' where the frames' colours agree.

    strength in [0, 1]: a neighbour's weight relative to the frame itself (0: unchanged);
    a neighbour d frames away weighs 1/d as much.
    """
    if not 0 <= strength <= 1:
        raise InputError(f"alpha smoothing strength must be between 0 and 1, got {strength}")
    if radius < 0:
        raise InputError(f"alpha smoothing radius must be at least 0, got {radius}")
    n = len(frames)
    if n != len(alphas):
        raise InputError(f"got {n} frames but {len(alphas)} alphas")
    out = []
    for t in range(n):
        acc = alphas[t].astype(np.float32).copy()
        wsum = np.ones_like(acc)
        for d in range(-radius, radius + 1):
            s = t + d
            if d == 0 or (not loop and not 0 <= s < n):
                continue
            s %= n
            if s == t:
                continue
            w = strength * _colour_weight(frames[t], frames[s]) / abs(d)
            acc += w * alphas[s]
            wsum += w
        out.append(np.clip(acc / wsum, 0.0, 1.0).astype(np.float32))
    return out


def ink_alpha(rgb: np.ndarray) -> np.ndarray:
    """(H, W) float32 in [0, 1]: how far each pixel is from white (an alpha for effects)."""
    dist = 255.0 - rgb.astype(np.float32).min(axis=-1)
    return np.clip((dist - INK_LO) / (INK_HI - INK_LO), 0.0, 1.0)


def character_region(alpha: np.ndarray) -> np.ndarray:
    """(H, W) bool: the connected components of alpha > 0.5 big enough to be the character
    (at least CHARACTER_SHARE of the largest), dilated by 2 pixels."""
    solid = (alpha > 0.5).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(solid, connectivity=8)
    if count <= 1:
        return np.zeros(alpha.shape, bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.nonzero(areas >= CHARACTER_SHARE * areas.max())[0] + 1
    region = np.isin(labels, keep).astype(np.uint8)
    return cv2.dilate(region, np.ones((5, 5), np.uint8)).astype(bool)


def handle_effects(
    rgb: np.ndarray, alpha: np.ndarray, *, keep_effects: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(alpha, added): effects removed (keep_effects False) or kept and completed from the
    ink on white (True); `added` is the (H, W) bool of pixels whose alpha was raised."""
    body = character_region(alpha)
    if not body.any():
        return alpha, np.zeros(alpha.shape, bool)
    # a soft ramp away from the body so removing effects never cuts the body's own edge
    near = cv2.dilate(body.astype(np.uint8), np.ones((7, 7), np.uint8)).astype(bool)
    if not keep_effects:
        return np.where(near, alpha, 0.0).astype(np.float32), np.zeros(alpha.shape, bool)
    detached = ink_alpha(rgb)
    detached[near] = 0.0
    added = detached > alpha + 1e-3
    return np.maximum(alpha, detached).astype(np.float32), added


def smooth_take(
    frames: Sequence[np.ndarray],
    masks: Sequence[Mask],
    *,
    strength: float = 0.6,
    radius: int = 1,
    loop: bool = True,
    keep_effects: bool = False,
) -> list[Mask]:
    """New masks for the frames of one take (in play order): temporally smoothed alpha, with
    effects removed or kept; foreground colour kept, effect pixels take the frame's colour."""
    alphas = temporal_smooth(
        frames, [m.alpha for m in masks], strength=strength, radius=radius, loop=loop
    )
    out = []
    for rgb, mask, alpha in zip(frames, masks, alphas, strict=True):
        alpha, added = handle_effects(rgb, alpha, keep_effects=keep_effects)
        fg = mask.foreground.copy() if mask.foreground is not None else rgb.copy()
        fg[added] = rgb[added]
        info = dict(mask.info)
        info.update(temporal_smoothing=strength, keep_effects=keep_effects)
        backend = mask.backend if mask.backend.endswith("+temporal") else f"{mask.backend}+temporal"
        out.append(Mask(alpha, backend, mask.score, foreground=fg, info=info))
    return out


def smooth_slots(
    slots: Sequence[Slot],
    *,
    strength: float = 0.6,
    radius: int = 1,
    keep_effects: bool = False,
) -> dict[tuple[int, int], Mask]:
    """New masks for every segmented candidate that belongs to a take spanning several slots.

    Candidates are grouped by origin["take"] (extra candidates, origin["extra"], are left
    alone); a take's frames are put in slot order and smoothed together, wrapping around when
    origin["loop"] is true. Returns {(slot index, candidate index): Mask}.
    """
    takes: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for slot in slots:
        for k, c in enumerate(slot.candidates):
            take = c.origin.get("take")
            if take is None or c.origin.get("extra") or c.mask is None or c.rgb is None:
                continue
            takes[str(take)].append((slot.index, k))
    by_index = {s.index: s for s in slots}
    result: dict[tuple[int, int], Mask] = {}
    for members in takes.values():
        members.sort()
        if len(members) < 2 or len({i for i, _ in members}) != len(members):
            continue
        cands = [by_index[i].candidates[k] for i, k in members]
        loop = bool(cands[0].origin.get("loop", True)) and len(members) == len(slots)
        new = smooth_take(
            [c.rgb for c in cands],  # type: ignore[misc]
            [c.mask for c in cands],  # type: ignore[misc]
            strength=strength,
            radius=radius,
            loop=loop,
            keep_effects=keep_effects,
        )
        result.update(zip(members, new, strict=True))
    return result
