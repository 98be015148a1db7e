"""Find protrusions of the silhouette (ears, arms, legs, tails) from the alpha alone.

Rule: the body core is the silhouette opened with a disc of CORE_RADII × the largest
inscribed radius (the distance transform's maximum): thin parts do not survive the opening.
What is left over and touches the core through a join (the neck) is a protrusion when it
is long enough (≥ MIN_LENGTH of the character's size, and longer than NECK_RATIO × its neck)
(EAR_NECK_RATIO for ears) and thick enough to be a limb rather than a whisker or an outline
stroke. Its pivot is the
middle of the neck. Kind by where its join is on the core and where it points: up from the
top third → ear; down, or from the bottom quarter → leg; otherwise arm; a sideways arm or
leg in the lower half with no mirror partner on the other side → tail.
"""

from __future__ import annotations

import cv2
import numpy as np

from studio.motion.rig.features import Work
from studio.motion.rig.model import Part, contour_outline

CORE_RADII = (0.5, 0.7)  # × the largest inscribed radius
MAX_SHARE = 0.25  # a protrusion larger than this share of the character is a body part
MIN_AREA = 0.008  # of the silhouette's area
MIN_LENGTH = 0.1  # of the work size (the bbox's longer side)
MIN_THICKNESS = 5.0  # work px (the limb's widest inscribed diameter)
MAX_PARTS = 6
NECK_RATIO = 0.9  # a protrusion is longer than this × the width of its join
EAR_NECK_RATIO = 0.6  # ears are often wide-based triangles


def _disc(r: float) -> np.ndarray:
    k = max(1, round(r))
    return cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * k + 1, 2 * k + 1))


def limb_parts(work: Work, avoid: list[tuple[float, float]] | None = None
               ) -> tuple[list[Part], list[str]]:
    """Protrusion Parts (ears, arms, legs, tails) and notes on what was left out.

    avoid: work px points (the eyes) no limb may contain: a part holding them is the head.
    Two core sizes are tried (CORE_RADII): the larger catches thick limbs (a rabbit's ears)
    and wins where both find the same limb; the smaller keeps limbs the larger one loses."""
    inside = work.inside.astype(np.uint8)
    dt = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    big = float(dt.max())
    if big < 4:
        return [], ["the character is too thin to find a body and limbs"]
    kept: list[tuple[dict, str]] = []
    for frac in sorted(CORE_RADII, reverse=True):
        for f, kind in _protrusions(work, dt, frac * big):
            if f["comp"].sum() > MAX_SHARE * work.area:
                continue
            if any(f["comp"][int(y), int(x)] for x, y in avoid or ()):
                continue
            if any((f["comp"] & g["comp"]).any() for g, _ in kept):
                continue
            kept.append((f, kind))
    notes: list[str] = []
    found_kinds = sorted(kept, key=lambda t: -t[0]["score"])
    if len(found_kinds) > MAX_PARTS:
        notes.append(f"{len(found_kinds)} protrusions found; kept the {MAX_PARTS} clearest")
        found_kinds = found_kinds[:MAX_PARTS]
    parts = []
    counters: dict[str, int] = {}
    for f, kind in sorted(found_kinds, key=lambda t: (t[1], t[0]["centre"][0])):
        counters[kind] = counters.get(kind, 0) + 1
        grown = cv2.dilate(f["comp"].astype(np.uint8), _disc(1))
        outline = contour_outline(grown, work.scale, work.offset)
        if len(outline) < 3:
            continue
        extra = {"direction": [round(f["dir"][0], 3), round(f["dir"][1], 3)],
                 "neck": round(f["neck"] / work.scale, 2),
                 "length": round(f["length"] / work.scale, 2)}
        parts.append(Part(f"{kind}-{counters[kind]}", kind, work.to_px(*f["pivot"]), outline,
                          round(f["score"], 3), "auto", extra))
    return parts, notes


def _protrusions(work: Work, dt: np.ndarray, radius: float) -> list[tuple[dict, str]]:
    """(protrusion, kind) pairs left over by opening the silhouette with a disc of `radius`
    work px."""
    inside = work.inside.astype(np.uint8)
    core = cv2.morphologyEx(inside, cv2.MORPH_OPEN, _disc(radius))
    n, labels, stats, _ = cv2.connectedComponentsWithStats(core, connectivity=8)
    if n < 2:
        return []
    body = labels == 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    bys, bxs = np.nonzero(body)
    body_box = (float(bxs.min()), float(bys.min()), float(bxs.max()), float(bys.max()))
    residue = inside.astype(bool) & ~cv2.dilate(body.astype(np.uint8), _disc(1)).astype(bool)
    rn, rlab, rstats, _ = cv2.connectedComponentsWithStats(residue.astype(np.uint8), 8)
    size = max(work.inside.shape)
    near_body = cv2.dilate(body.astype(np.uint8), _disc(3)).astype(bool)
    found = []
    for i in range(1, rn):
        if rstats[i, cv2.CC_STAT_AREA] < MIN_AREA * work.area:
            continue
        comp = rlab == i
        neck = comp & near_body
        if neck.sum() < 2:
            continue
        nys, nxs = np.nonzero(neck)
        px, py = float(nxs.mean()), float(nys.mean())
        neck_w = float(max(nxs.max() - nxs.min(), nys.max() - nys.min()) + 1)
        ys, xs = np.nonzero(comp)
        dist = np.hypot(xs - px, ys - py)
        length = float(dist.max())
        thick = 2.0 * float(dt[comp].max())
        if length < MIN_LENGTH * size or length < EAR_NECK_RATIO * neck_w or thick < MIN_THICKNESS:
            continue
        tip = int(np.argmax(dist))
        vx, vy = (xs[tip] - px) / length, (ys[tip] - py) / length
        cx, cy = float(xs.mean()), float(ys.mean())
        score = float(np.clip(1.2 - 0.5 * neck_w / length, 0.3, 1.0))
        found.append({"comp": comp, "pivot": (px, py), "dir": (vx, vy), "centre": (cx, cy),
                      "score": score, "length": length, "neck": neck_w})
    kinds = _classify(found, body_box, work.inside.shape)
    return [(f, k) for f, k in zip(found, kinds, strict=True)
            if k == "ear" or f["length"] >= NECK_RATIO * f["neck"]]


def _classify(found: list[dict], body_box: tuple[float, float, float, float],
              shape: tuple[int, int]) -> list[str]:
    h, w = shape
    bx0, by0, bx1, by1 = body_box
    bcx, bcy = (bx0 + bx1) / 2, (by0 + by1) / 2
    kinds = []
    for f in found:
        _vx, vy = f["dir"]
        py = (f["pivot"][1] - by0) / max(by1 - by0, 1.0)  # 0 at the core's top, 1 at its bottom
        if vy < -0.55 and py < 0.35:
            kinds.append("ear")
        elif vy > 0.2 and (py > 0.75 or (vy > 0.7 and f["centre"][1] > bcy)):
            kinds.append("leg")
        else:
            kinds.append("arm")
    for j, f in enumerate(found):
        if kinds[j] not in ("arm", "leg") or f["centre"][1] < bcy:
            continue
        mirror = 2 * bcx - f["centre"][0]
        partner = any(
            k != j and kinds[k] in ("arm", "leg")
            and abs(g["centre"][0] - mirror) < 0.2 * w
            and abs(g["centre"][1] - f["centre"][1]) < 0.2 * h
            for k, g in enumerate(found)
        )
        if not partner and abs(f["dir"][0]) > 0.5:
            kinds[j] = "tail"
    return kinds
