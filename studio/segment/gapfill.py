"""Gap-closing background fill and the paint-vs-hole decision for enclosed regions.

- `ball_fill`: "trapped-ball" filling as in line-art colourisation (Zhang et al., "A
  Trapped-Ball Approach to Automatic Line Art Colorization", 2009; also the flood fills of
  drawing programs with "gap closing"): the background is flooded in from outside the frame
  by a ball of radius r, which cannot pass through a gap in an outline narrower than 2r px,
  then grown back r + 1 px (geodesically, inside the background candidates) so corners the
  ball could not reach are still background. Light paint inside an almost-closed outline
  then stays enclosed instead of leaking out as background.
- `enclosed_regions` / `decide_enclosed`: every background-coloured region the fill did not
  reach is judged from evidence: whether it is joined to the outside (through a gap or
  mixed pixels), its thickness (largest inscribed radius, px), its area, its colour, and,
  where a u2net-family prediction is given, the model's mean alpha over it.

Masks are (H, W) bool; `prior` is (H, W) float32 in [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from scipy import ndimage

FOUR = ndimage.generate_binary_structure(2, 1)


def gap_radius(h: int, w: int) -> int:
    """Ball radius in px for an (h, w) image: 1.5 % of the short side, at least 3 px (6 px at
    384 px), so outline gaps up to about 2r px (11 px at 384) are closed. Narrower
    background channels the ball cannot enter are recognised by their thickness instead
    (`decide_enclosed`, rule 1)."""
    return int(max(3, round(0.015 * min(h, w))))


def _regrow(core: np.ndarray, within: np.ndarray, steps: int) -> np.ndarray:
    """uint8 core grown `steps` px (8-connected) inside `within` (uint8)."""
    grown = core.astype(np.uint8)
    three = np.ones((3, 3), np.uint8)
    for _ in range(steps):
        grown = cv2.dilate(grown, three) & within
    return grown


def _ball(radius: int) -> np.ndarray:
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * radius + 1, 2 * radius + 1))


def ball_fill(cand: np.ndarray, radius: int) -> np.ndarray:
    """(H, W) bool: the pixels of `cand` (background candidates) reached from outside the
    frame by a ball of `radius` px, grown back radius + 1 px inside `cand`."""
    h, w = cand.shape
    p = radius + 1
    padded = np.pad(cand.astype(np.uint8), p, constant_values=1)
    opened = cv2.morphologyEx(padded, cv2.MORPH_OPEN, _ball(radius))
    _, labels = cv2.connectedComponents(opened, connectivity=4)
    core = (labels == labels[0, 0]) & (opened > 0)
    return _regrow(core, padded, radius + 1)[p:p + h, p:p + w] > 0


def split_channels(rest: np.ndarray, radius: int) -> tuple[np.ndarray, np.ndarray]:
    """(wide, channels): the parts of `rest` (H, W) bool a ball of `radius` px reaches
    (grown back radius + 1 px), and the narrow rest (channels, slivers along outlines)."""
    m = rest.astype(np.uint8)
    wide = _regrow(cv2.morphologyEx(m, cv2.MORPH_OPEN, _ball(radius)), m, radius + 1) > 0
    return wide, rest & ~wide


@dataclass(frozen=True)
class Regions:
    """Background-coloured regions the fill did not reach. labels: (H, W) int32, 0 = none;
    per region (index i = label i + 1): area (px), thickness (largest inscribed radius, px),
    leaky (joined to the outside at pixel level or through mixed pixels), prior (mean model
    alpha, NaN without a model), paint_contact (fraction of the 1-px ring around the region
    that is light paint: a rim of ringing inside a painted area, not a channel)."""

    labels: np.ndarray
    area: np.ndarray
    thickness: np.ndarray
    leaky: np.ndarray
    prior: np.ndarray
    paint_contact: np.ndarray

    @property
    def count(self) -> int:
        return len(self.area)


def enclosed_regions(rest: np.ndarray, outside: np.ndarray, joined: np.ndarray,
                     prior: np.ndarray | None, paint: np.ndarray | None = None) -> Regions:
    """Label `rest` (background candidates not reached by the fill). `joined`: (H, W) bool,
    pixels connected to the frame through candidates or mixed pixels; `outside` the fill;
    paint: (H, W) bool light foreground pixels that differ from the background, or None."""
    labels, n = ndimage.label(rest, FOUR)
    idx = np.arange(1, n + 1)
    if n == 0:
        empty = np.zeros(0)
        return Regions(labels, empty, empty, np.zeros(0, bool), empty, empty)
    area = np.bincount(labels.ravel(), minlength=n + 1)[1:].astype(np.float64)
    inner = cv2.distanceTransform(rest.astype(np.uint8), cv2.DIST_L2, 5)
    thickness = ndimage.maximum(inner, labels, idx)
    touch = ndimage.binary_dilation(outside, FOUR) | joined
    leaky = ndimage.maximum(touch.astype(np.uint8), labels, idx) > 0
    no_prior = np.full(n, np.nan)
    mean_prior = no_prior if prior is None else ndimage.mean(prior, labels, idx)
    contact = np.zeros(n)
    if paint is not None and paint.any():
        grown = ndimage.grey_dilation(labels, footprint=FOUR)
        ring = (labels == 0) & (grown > 0)
        ring_n = np.bincount(grown[ring], minlength=n + 1)[1:]
        ring_p = np.bincount(grown[ring & paint], minlength=n + 1)[1:]
        contact = ring_p / np.maximum(ring_n, 1)
    return Regions(labels, np.asarray(area), np.asarray(thickness), np.asarray(leaky),
                   np.asarray(mean_prior), contact)


def model_votes(regions: Regions, radius: int, min_area: int, light_paint: np.ndarray,
                hole_ok: np.ndarray, prior_min_thickness: float = 0.0) -> np.ndarray:
    """(count,) bool: the regions whose fate a model prior decides (rule 2 of
    `decide_enclosed`); when none, the prior need not be computed (or waited for)."""
    thin = regions.thickness <= radius + 1
    channel = regions.leaky & thin & (regions.paint_contact < 0.33)
    return (~channel & (regions.area >= min_area) & (regions.thickness >= prior_min_thickness)
            & ~np.asarray(light_paint, bool) & ~np.asarray(hole_ok, bool))


def decide_enclosed(regions: Regions, radius: int, min_area: int, light_paint: np.ndarray,
                    hole_ok: np.ndarray, prior_min_thickness: float = 0.0,
                    min_paint_area: float = 0.0) -> np.ndarray:
    """(count,) bool: True where a region is background (transparent), False where paint.

    light_paint: (count,) bool, the region's colour could be paint that matches the
    background (white or light paint on a white background); hole_ok: (count,) bool, the
    caller's own evidence that a fully enclosed region shows the background (colour rules,
    checkerboard parity). Rules, in order:
    1. a thin region joined to the outside (a channel the ball could not enter, the gap
       between letters) is background, unless a third or more of its rim is light paint
       (JPEG ringing along an outline inside a painted area);
    2. with a model prior, the model decides for regions of at least min_area px and
       prior_min_thickness px (finer detail than the model resolves is left to 3-4): mean
       alpha < 0.5 is background. Not for regions that may be light paint (on the line-art
       sets u2netp gives white paint on white 0.04-0.06, the same as real holes) nor for
       regions the colour evidence already calls holes (salient-object models fill holes:
       a pretzel's or a ring's inside scored >= 0.5 on the held-out set), so there the
       outline and colour evidence (rules 3-4) decide;
    3. a wide region joined to the outside only through gaps is paint when it may be light
       paint and covers at least min_paint_area px (a body, not a pocket between an arm and
       a scarf), else background (its colour is the background's and the background
       reaches it);
    4. a fully enclosed region follows hole_ok.
    """
    n = regions.count
    out = np.zeros(n, bool)
    votes = model_votes(regions, radius, min_area, light_paint, hole_ok, prior_min_thickness)
    for i in range(n):
        thin = regions.thickness[i] <= radius + 1
        if regions.leaky[i] and thin and regions.paint_contact[i] < 0.33:
            out[i] = True
        elif votes[i] and not np.isnan(regions.prior[i]):
            out[i] = regions.prior[i] < 0.5
        elif regions.leaky[i]:  # small pockets behind a narrow entrance are background
            out[i] = not (light_paint[i] and regions.area[i] >= min_paint_area)
        else:
            out[i] = bool(hole_ok[i]) and regions.area[i] >= min_area
    return out
