"""Ranking candidates: closeness to the source character and smoothness with the neighbours.

K takes (clips) give each slot K candidates. Two measures, both "lower is better":

- drift (identity drift) in [0, 1]: how far a frame's character strays from the source —
  half the L1 distance between their colour histograms of non-white pixels, plus how much
  its inked area changed (|log area ratio|, capped at 1), averaged.
- jump: the frame's distance to the chosen frames of the neighbouring slots, in units of the
  takes' typical frame-to-frame step (≈ 1 inside one take; 3 is a visible jump).

The chosen path (one candidate per slot) minimises the sum of drift plus JUMP_WEIGHT × jump
over the loop (dynamic programming; K ≤ 8 and N ≤ 60 keep it tiny). Each candidate's score is
its drift + JUMP_WEIGHT × max(0, jump − 1) against that path; the refine gallery shows the
ranks. Frames are RGB (H, W, 3) uint8 on white.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from studio.generate.clip import distance, thumbnails

BINS = 8
WHITE_TOL = 30
JUMP_WEIGHT = 0.1


def ink(rgb: np.ndarray, tol: int = WHITE_TOL) -> np.ndarray:
    """(H, W) bool: pixels that are not the white background (any channel < 255 - tol)."""
    return rgb.min(axis=-1) < 255 - tol


def colour_signature(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """(BINS³,) normalised colour histogram of the non-white pixels, and their area fraction."""
    mask = ink(rgb)
    px = rgb[mask]
    if len(px) == 0:
        return np.zeros(BINS**3, np.float64), 0.0
    q = (px.astype(np.int32) * BINS) // 256
    codes = (q[:, 0] * BINS + q[:, 1]) * BINS + q[:, 2]
    hist = np.bincount(codes, minlength=BINS**3).astype(np.float64)
    return hist / hist.sum(), float(mask.mean())


def identity_drift(rgb: np.ndarray, reference: tuple[np.ndarray, float]) -> float:
    """Drift in [0, 1] of a frame from the reference signature (see the module docstring)."""
    hist, area = colour_signature(rgb)
    ref_hist, ref_area = reference
    if area == 0.0 or ref_area == 0.0:
        return 1.0
    colour = 0.5 * float(np.abs(hist - ref_hist).sum())
    size = min(1.0, abs(float(np.log(area / ref_area))))
    return 0.5 * (colour + size)


@dataclass
class Ranking:
    """Per slot i and take k: drift[i][k], jump[i][k], score[i][k] and rank[i][k] (0 = best);
    chosen[i] is the take of the best path; order[i] the takes sorted best first."""

    drift: np.ndarray
    jump: np.ndarray
    score: np.ndarray
    rank: np.ndarray
    chosen: list[int]

    def order(self, slot: int) -> list[int]:
        return [int(k) for k in np.argsort(self.rank[slot], kind="stable")]

    def info(self, slot: int, take: int) -> dict[str, float | int]:
        """JSON-ready ranking fields of one candidate (stored in its origin)."""
        return {
            "rank": int(self.rank[slot, take]),
            "score": round(float(self.score[slot, take]), 4),
            "drift": round(float(self.drift[slot, take]), 4),
            "jump": round(float(self.jump[slot, take]), 3),
        }


def _best_path(unary: np.ndarray, pair: np.ndarray, loop: bool) -> list[int]:
    """argmin over paths p of Σ unary[i, p_i] + Σ pair[i, p_i, p_{i+1}] (+ the wrap-around
    pair[n-1, p_{n-1}, p_0] when loop). unary: (N, K); pair: (N, K, K), pair[i] links i → i+1."""
    n, k = unary.shape
    best_cost, best_path = np.inf, [0] * n
    for start in range(k) if loop else [-1]:
        cost = unary[0].copy()
        if start >= 0:
            cost[np.arange(k) != start] = np.inf
        back = np.zeros((n, k), int)
        for i in range(1, n):
            total = cost[:, None] + pair[i - 1]
            back[i] = np.argmin(total, axis=0)
            cost = total[back[i], np.arange(k)] + unary[i]
        if loop:
            cost = cost + pair[n - 1][:, start]
        last = int(np.argmin(cost))
        if cost[last] < best_cost:
            path = [last]
            for i in range(n - 1, 0, -1):
                path.append(int(back[i][path[-1]]))
            best_cost, best_path = float(cost[last]), path[::-1]
    return best_path


def rank_takes(
    takes: Sequence[np.ndarray], reference: np.ndarray, *, loop: bool = True
) -> Ranking:
    """Rank K takes' frames slot by slot.

    takes: K arrays (N, H, W, 3) uint8, frame i of each is a candidate of slot i;
    reference: (H, W, 3) uint8 the source as the model saw it (same crop and size).
    """
    k, n = len(takes), len(takes[0])
    ref = colour_signature(reference)
    drift = np.array([[identity_drift(t[i], ref) for t in takes] for i in range(n)])
    th = [thumbnails(t) for t in takes]
    steps = [distance(t[i], t[i + 1]) for t in th for i in range(n - 1)]
    unit = max(float(np.median(steps)) if steps else 0.0, 1e-3)
    pair = np.zeros((n, k, k))
    for i in range(n):
        j = (i + 1) % n
        for a in range(k):
            for b in range(k):
                pair[i, a, b] = JUMP_WEIGHT * distance(th[a][i], th[b][j]) / unit
    chosen = _best_path(drift, pair, loop) if n > 1 else [int(np.argmin(drift[0]))]
    jump = np.ones((n, k))
    for i in range(n):
        neighbours = [(i - 1) % n, (i + 1) % n] if loop else [m for m in (i - 1, i + 1)
                                                             if 0 <= m < n]
        neighbours = [m for m in neighbours if m != i]
        for a in range(k):
            if neighbours:
                d = [distance(th[a][i], th[chosen[m]][m]) for m in neighbours]
                jump[i, a] = float(np.mean(d)) / unit
    score = drift + JUMP_WEIGHT * np.maximum(0.0, jump - 1.0)
    rank = np.zeros((n, k), int)
    for i in range(n):  # the chosen path's candidate ranks first, the others by score
        others = [a for a in np.argsort(score[i], kind="stable") if a != chosen[i]]
        for r, a in enumerate([chosen[i], *others]):
            rank[i, a] = r
    return Ranking(drift=drift, jump=jump, score=score, rank=rank, chosen=chosen)
