"""Find the eyes and the mouth on a flat-drawn character.

Rules (for cartoon characters, emoji and line art; no model weights):

- An eye is a dark, filled, roughly elliptic region inside the silhouette (not touching the
  transparent outside), often with a light highlight inside it (holes are filled before the
  shape is measured). Thin dark strokes (outlines, eyebrows, whiskers) are removed first by a
  morphological opening. Dark means darker than ``DARK_FRACTIONS`` × the median luminance of
  the character, tried at several levels so both brown eyes on a brown bear and black eyes
  on white line art are found.
- Eyes come in a pair: similar size, shape and colour, side by side (the line through them
  within about 25° of horizontal), apart by more than their width, in the upper 75 % of the
  character. The highest good pair wins (nostrils and buttons are pairs too, but lower).
  One eye alone (a profile, a wink) is left out: the rig never guesses. Without a dark pair,
  light eyes ringed by a dark area (a robot's visor) are looked for the same way.
- The mouth is a region darker than the face (or a dark stroke), below the eyes, centred
  between them, at least a quarter of the eye distance wide and MOUTH_ASPECT times wider
  than tall (so a nose, snout or beak is not taken for it).

All work happens on a copy scaled so the character's bbox is WORK_SIZE px on its longer side.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.motion.rig.model import Part, contour_outline

WORK_SIZE = 256
DARK_FRACTIONS = (0.35, 0.5, 0.65)
DARK_CAP = 150.0  # never call a pixel brighter than this "dark" (0-255 luminance)
MIN_EYE_AREA = 0.0007  # of the silhouette's area
MAX_EYE_AREA = 0.06
MIN_CONTRAST = 35.0  # luminance: ring around an eye minus the eye
LIGHT_CONTRAST = 45.0  # a light eye is this much brighter than the dark ground around it
GLOW = 100.0  # …and itself at least this bright: grey shapes in black outlines are not eyes
PAIR_SCORE_MIN = 0.45
MOUTH_ASPECT = 1.75  # a mouth is at least this much wider than tall


@dataclass
class Work:
    """The character at work scale: rgb float32 (h, w, 3) 0-255, lum (h, w), inside bool
    (alpha > 0.5), scale (work px per cut-out px) and offset (cut-out px of work (0, 0))."""

    rgb: np.ndarray
    lum: np.ndarray
    inside: np.ndarray
    scale: float
    offset: tuple[float, float]

    @property
    def area(self) -> float:
        return float(self.inside.sum())

    def to_px(self, x: float, y: float) -> tuple[float, float]:
        return x / self.scale + self.offset[0], y / self.scale + self.offset[1]


def prepare(rgba: np.ndarray) -> Work | None:
    """The cut-out RGBA uint8 (H, W, 4) cropped to alpha > 0.5 and scaled to WORK_SIZE."""
    a = rgba[..., 3] > 127
    ys, xs = np.nonzero(a)
    if len(xs) < 64:
        return None
    x0, y0, x1, y1 = xs.min(), ys.min(), xs.max() + 1, ys.max() + 1
    pad = 2
    x0, y0 = max(0, x0 - pad), max(0, y0 - pad)
    x1, y1 = min(rgba.shape[1], x1 + pad), min(rgba.shape[0], y1 + pad)
    crop = rgba[y0:y1, x0:x1].astype(np.float32)
    s = WORK_SIZE / max(x1 - x0, y1 - y0)
    size = (max(8, round((x1 - x0) * s)), max(8, round((y1 - y0) * s)))
    interp = cv2.INTER_AREA if s < 1 else cv2.INTER_LINEAR
    alpha = crop[..., 3:4] / 255.0
    prem = cv2.resize(np.dstack([crop[..., :3] * alpha, alpha]), size, interpolation=interp)
    al = prem[..., 3]
    rgb = prem[..., :3] / np.maximum(al, 1e-4)[..., None]
    lum = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    sx, sy = size[0] / (x1 - x0), size[1] / (y1 - y0)
    return Work(rgb, lum, al > 0.5, (sx + sy) / 2, (float(x0), float(y0)))


@dataclass
class Blob:
    """A dark candidate region at work scale."""

    mask: np.ndarray  # bool (h, w), holes filled
    area: float
    cx: float
    cy: float
    axes: tuple[float, float]  # semi-axes (major, minor), work px
    angle: float  # degrees
    colour: np.ndarray  # mean RGB of the dark pixels
    lum: float
    ring_lum: float
    ring_colour: np.ndarray
    has_highlight: bool
    width: float
    height: float


def _fill_holes(m: np.ndarray) -> np.ndarray:
    h, w = m.shape
    pad = np.zeros((h + 2, w + 2), np.uint8)
    pad[1:-1, 1:-1] = m
    flood = pad.copy()
    cv2.floodFill(flood, None, (0, 0), 1)
    return (pad | (1 - flood))[1:-1, 1:-1].astype(bool)


def _blob(work: Work, comp: np.ndarray, dark: np.ndarray) -> Blob | None:
    filled = _fill_holes(comp.astype(np.uint8))
    area = float(filled.sum())
    ys, xs = np.nonzero(filled)
    cx, cy = float(xs.mean()), float(ys.mean())
    cov = np.cov(np.stack([xs - cx, ys - cy])) + np.eye(2) / 12.0
    ev, vec = np.linalg.eigh(cov)
    major, minor = 2 * math.sqrt(max(ev[1], 1e-6)), 2 * math.sqrt(max(ev[0], 1e-6))
    angle = math.degrees(math.atan2(vec[1, 1], vec[0, 1]))
    r = max(2, round(0.35 * minor) + 1)
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * r + 1, 2 * r + 1))
    grown = cv2.dilate(filled.astype(np.uint8), k).astype(bool)
    ring = grown & ~cv2.dilate(filled.astype(np.uint8), np.ones((3, 3), np.uint8)).astype(bool)
    if (ring & ~work.inside).any():
        return None  # touches the outside: not inside the face
    core = filled & dark
    if ring.sum() < 4 or core.sum() < 4:
        return None
    return Blob(
        mask=filled, area=area, cx=cx, cy=cy, axes=(major, minor), angle=angle,
        colour=work.rgb[core].mean(0), lum=float(work.lum[core].mean()),
        ring_lum=float(np.median(work.lum[ring])), ring_colour=np.median(work.rgb[ring], 0),
        has_highlight=bool((filled & ~comp).sum() > 0.02 * area),
        width=float(xs.max() - xs.min() + 1), height=float(ys.max() - ys.min() + 1),
    )


def dark_blobs(work: Work) -> list[Blob]:
    """Filled, elliptic, dark regions inside the silhouette, from several darkness levels;
    a region nested in a bigger one found at a lighter level keeps the darker one."""
    med = float(np.median(work.lum[work.inside]))
    inside_area = work.area
    k = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    out: list[Blob] = []
    for frac in DARK_FRACTIONS:
        t = min(DARK_CAP, frac * med + 10.0)
        dark = (work.lum < t) & work.inside
        opened = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_OPEN, k)
        n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
        for i in range(1, n):
            a = stats[i, cv2.CC_STAT_AREA]
            if not MIN_EYE_AREA * inside_area <= a <= 1.5 * MAX_EYE_AREA * inside_area:
                continue
            b = _blob(work, labels == i, dark)
            if b is None or not _elliptic(b, inside_area):
                continue
            if b.ring_lum - b.lum < MIN_CONTRAST:
                continue
            if any(_same(b, o) for o in out):
                continue
            out.append(b)
    return out


def light_blobs(work: Work) -> list[Blob]:
    """Filled, elliptic regions much lighter than their surroundings and ringed by a dark
    area: glowing eyes on a visor or a dark face (a robot). Tried only when no dark pair is
    found, since the highlights inside dark eyes are such regions too."""
    lum8 = np.clip(work.lum, 0, 255).astype(np.uint8)
    k = int(0.2 * WORK_SIZE) | 1  # white top-hat: bright regions narrower than this
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (k, k))
    tophat = cv2.morphologyEx(lum8, cv2.MORPH_TOPHAT, disc).astype(np.float32)
    light = (tophat > LIGHT_CONTRAST) & work.inside
    opened = cv2.morphologyEx(light.astype(np.uint8), cv2.MORPH_OPEN,
                              cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5)))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(opened, connectivity=8)
    out = []
    for i in range(1, n):
        if not MIN_EYE_AREA * work.area <= stats[i, cv2.CC_STAT_AREA] <= MAX_EYE_AREA * work.area:
            continue
        b = _blob(work, labels == i, light)
        if b is None or not _elliptic(b, work.area):
            continue
        if b.lum - b.ring_lum >= MIN_CONTRAST and b.ring_lum < DARK_CAP * 0.7 and b.lum >= GLOW:
            out.append(b)
    return out


def _elliptic(b: Blob, inside_area: float) -> bool:
    if not MIN_EYE_AREA * inside_area <= b.area <= MAX_EYE_AREA * inside_area:
        return False
    ellipse_area = math.pi * b.axes[0] * b.axes[1]
    fill = b.area / max(ellipse_area, 1e-6)
    hull = cv2.convexHull(np.argwhere(b.mask)[:, ::-1].astype(np.int32))
    solidity = b.area / max(cv2.contourArea(hull) + 0.5 * cv2.arcLength(hull, True) + 1, 1)
    return 0.75 <= fill <= 1.2 and solidity >= 0.8 and b.axes[0] <= 3.0 * b.axes[1]


def _same(b: Blob, o: Blob) -> bool:
    """b lies in o (or o in b): keep whichever was found first (the darker level)."""
    return bool(o.mask[round(b.cy), round(b.cx)] or b.mask[round(o.cy),
                                                                      round(o.cx)])


def _pair_score(a: Blob, b: Blob, work: Work) -> float:
    h, w = work.inside.shape
    dx, dy = b.cx - a.cx, b.cy - a.cy
    size = (a.width + b.width) / 2
    if dx <= 0 or dx < 1.3 * size or dx > 0.75 * w or abs(dy) > 0.45 * dx:
        return 0.0
    ratio = max(a.area, b.area) / min(a.area, b.area)
    if ratio > 2.2:
        return 0.0
    if max(a.cy, b.cy) > 0.75 * h:
        return 0.0
    colour = float(np.linalg.norm(a.colour - b.colour))
    if colour > 60:
        return 0.0
    shape = abs(a.axes[0] / a.axes[1] - b.axes[0] / b.axes[1])
    s = 1.0
    s -= 0.25 * (ratio - 1)
    s -= 0.4 * abs(dy) / dx
    s -= colour / 200
    s -= 0.15 * min(shape, 2)
    s += 0.1 * (a.has_highlight and b.has_highlight)
    return max(s, 0.0)


def find_eye_pair(work: Work) -> tuple[Blob, Blob, float] | None:
    """The best pair of eye blobs (left, right, score), or None when no pair is sure:
    dark eyes first, light eyes on a dark ground when there is no dark pair."""
    pairs = _pairs(dark_blobs(work), work) or _pairs(light_blobs(work), work)
    if not pairs:
        return None
    h = work.inside.shape[0]
    # highest pair first; within a tenth of the height, the better score
    pairs.sort(key=lambda p: (round((p[0].cy + p[1].cy) / (0.2 * h)), -p[2]))
    return pairs[0]


def _pairs(blobs: list[Blob], work: Work) -> list[tuple[Blob, Blob, float]]:
    pairs = []
    for i, a in enumerate(blobs):
        for b in blobs[i + 1:]:
            left, right = (a, b) if a.cx < b.cx else (b, a)
            s = _pair_score(left, right, work)
            if s >= PAIR_SCORE_MIN:
                pairs.append((left, right, s))
    return pairs


def _socket(work: Work, eye: Blob) -> np.ndarray | None:
    """The light region around a pupil (the white of the eye) when it is enclosed and small,
    else None. bool (h, w) at work scale."""
    ring_col = eye.ring_colour
    if eye.ring_lum < 150:
        return None
    near = np.linalg.norm(work.rgb - ring_col, axis=2) < 40
    cand = (near & work.inside & ~eye.mask).astype(np.uint8)
    cand = cv2.morphologyEx(cand, cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    _n, labels = cv2.connectedComponents(cand, connectivity=4)
    grown = cv2.dilate(eye.mask.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    ids = np.unique(labels[grown & (labels > 0)])
    if len(ids) != 1:
        return None
    sock = labels == ids[0]
    area = float(sock.sum())
    if area > 8 * eye.area or area < 0.3 * eye.area:
        return None
    edge = cv2.dilate(sock.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
    if (edge & ~work.inside).any():
        return None
    full = _fill_holes((sock | eye.mask).astype(np.uint8))
    ys, xs = np.nonzero(full)
    cov = np.cov(np.stack([xs, ys])) + np.eye(2) / 12.0
    ev = np.linalg.eigvalsh(cov)
    ellipse_area = 4 * math.pi * math.sqrt(max(ev[0] * ev[1], 1e-9))
    off = math.hypot(xs.mean() - eye.cx, ys.mean() - eye.cy)
    if not 0.8 <= full.sum() / ellipse_area <= 1.15 or off > 0.5 * math.sqrt(ev[1]) * 2:
        return None  # not an elliptic eye white around the pupil (a marking, a patch)
    return full


def eye_parts(work: Work) -> tuple[list[Part], list[str], tuple[Blob, Blob] | None]:
    """Two eye Parts (left first) or none, notes for the user, and the blobs found."""
    found = find_eye_pair(work)
    if found is None:
        return [], ["no pair of eyes found (blink and look need two visible eyes)"], None
    left, right, score = found
    parts = []
    for side, b in (("l", left), ("r", right)):
        grown = cv2.dilate(b.mask.astype(np.uint8), np.ones((3, 3), np.uint8))
        outline = contour_outline(grown, work.scale, work.offset)
        extra: dict = {
            "lid": [round(float(v)) for v in b.ring_colour],
            "ink": [round(float(v)) for v in b.colour],
        }
        sock = _socket(work, b)
        if sock is not None:
            extra["socket"] = [list(p) for p in contour_outline(sock, work.scale, work.offset)]
        parts.append(Part(f"eye-{side}", "eye", work.to_px(b.cx, b.cy), outline,
                          round(min(score, 1.0), 3), "auto", extra))
    return parts, [], (left, right)


def mouth_part(work: Work, eyes: tuple[Blob, Blob]) -> tuple[list[Part], list[str]]:
    """The mouth below a pair of eyes, or none (with a note)."""
    left, right = eyes
    d = right.cx - left.cx
    mx, ey = (left.cx + right.cx) / 2, max(left.cy, right.cy)
    eyes_mask = left.mask | right.mask
    for b in eyes:
        sock = _socket(work, b)
        if sock is not None:
            eyes_mask |= sock
    # the face colour: a ring just outside the eyes (outside the whites of the eyes)
    grown = cv2.dilate(eyes_mask.astype(np.uint8), np.ones((9, 9), np.uint8)) > 0
    ring = grown & ~(cv2.dilate(eyes_mask.astype(np.uint8), np.ones((3, 3), np.uint8)) > 0)
    ring &= work.inside
    if ring.sum() < 8:
        return [], ["no mouth found below the eyes"]
    face = np.median(work.rgb[ring], 0)
    face_lum = float(np.median(work.lum[ring]))
    darker = (work.lum < face_lum - 25) & work.inside
    darker &= ~(cv2.dilate(eyes_mask.astype(np.uint8), np.ones((5, 5))) > 0)
    differ = np.linalg.norm(work.rgb - face, axis=2) > 50
    cand = (darker & differ).astype(np.uint8)
    cand = cv2.morphologyEx(cand, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    n, labels, stats, cents = cv2.connectedComponentsWithStats(cand, connectivity=8)
    best, best_score = None, 0.0
    eye_half = max(left.height, right.height) / 2
    for i in range(1, n):
        _x, _y, w, h, a = stats[i]
        cx, cy = cents[i]
        if a < 0.001 * work.area or a > 0.2 * work.area:
            continue
        if abs(cx - mx) > 0.35 * d or not ey + eye_half + 0.1 * d < cy < ey + 1.8 * d:
            continue
        if w < 0.25 * d or w > 1.8 * d or h > 1.2 * d or w < MOUTH_ASPECT * h:
            continue  # noses, snouts and beaks are about as tall as wide: not a mouth
        comp = labels == i
        edge = cv2.dilate(comp.astype(np.uint8), np.ones((5, 5), np.uint8)).astype(bool)
        if (edge & ~work.inside).any():
            continue
        score = a * (1 - abs(cx - mx) / d)
        if score > best_score:
            best, best_score = i, score
    if best is None:
        return [], ["no mouth found below the eyes"]
    comp = _fill_holes((labels == best).astype(np.uint8))
    ys, xs = np.nonzero(comp)
    grown = cv2.dilate(comp.astype(np.uint8), np.ones((3, 3), np.uint8))
    outline = contour_outline(grown, work.scale, work.offset)
    pivot = work.to_px(float(xs.mean()), float(ys.mean()))
    lid = [round(float(v)) for v in face]
    return [Part("mouth", "mouth", pivot, outline, 0.8, "auto", {"lid": lid})], []
