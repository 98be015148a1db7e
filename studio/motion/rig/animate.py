"""Part moves on the character: the renderer's source image with eyes, mouth and limbs moved.

The renderer draws every frame from one premultiplied float32 source (the cut-out cropped to
its alpha bbox, prescaled); a PartAnimator hands it a per-frame copy of that source with the
parts moved, before the whole-body pose and warps are applied, so part moves combine with
every body move and effect. Edits stay local (a region of interest per part):

- blink: an eyelid in the face colour (the median colour of a ring just outside the eye, so
  never a black bar) closes from the top down over the eye (or over the white of the eye
  when it has one); its lower edge is a thin line in the eye's own ink colour.
- look: the pupil is lifted off (its place filled with the white of the eye, or the face
  colour when there is none) and drawn shifted, clipped to the white of the eye.
- talk: a filled mouth is stretched downward about its top edge; a mouth drawn as a line
  (thinner than LINE_THICKNESS × its width) opens a dark cavity under the line instead.
- wave_arm, wiggle_ears, wag_tail: a limb joined by a narrow neck (neck ≤ RIGID_NECK ×
  its length: arms, tails, antennae) is cut out along its outline and rotated about its
  pivot; the body under it keeps a round "shoulder" at the join, its colour inpainted from
  neighbouring body pixels (cv2.inpaint, Telea), so no notch opens when it turns. A limb
  with a wide base (a cat's triangular ear, a star's point) would show its cut, so it bends
  instead: the pixels in the sector it sweeps turn about the pivot by an angle that ramps
  from 0 at the pivot to the full angle a neck-width away and fades out at the sector's
  sides (a smooth local warp: no seam, no hole; eyes and mouth in the sector stay put), at
  most BEND_MAX_DEG.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from studio.motion.alpha import alpha_bbox
from studio.motion.rig.curves import CURVES, LIMB_REACH_DEG
from studio.motion.rig.draw import (
    MOUTH_DROP,
    MOUTH_GAIN,
    EyeEdit,
    LimbEdit,
    MouthEdit,
    close_lid,
    look_aside,
    open_mouth,
    smooth_profile,
    smoothstep,
    turn_limb,
)
from studio.motion.rig.model import Part, Rig, polygon_mask
from studio.motion.timing import ActiveMove, resolve
from studio.types import MotionSpec

OPS = {"blink": "close", "look": "look", "talk": "open", "wave_arm": "turn",
       "wiggle_ears": "turn", "wag_tail": "turn"}
LINE_THICKNESS = 0.22  # a mouth thinner than this × its width is a line: it opens a cavity
LINE_DEPTH = 0.35  # how deep (× its width) a line mouth opens at amount 1
CAVITY_RGB = (0.45, 0.08, 0.12)  # the inside of an open cartoon mouth, mixed with its ink
RIGID_NECK = 0.5  # limbs whose join is narrower than this × their length turn rigidly
BEND_MAX_DEG = 20.0  # a wide-based limb bends at most this far (more reads as a fold)


def part_animator(rig: Rig | None, spec: MotionSpec, active: list[ActiveMove],
                  cutout: np.ndarray) -> PartAnimator | None:
    """A PartAnimator for the spec's part moves on this rig, or None when nothing moves."""
    if rig is None or not any(m.preset.needs for m in active):
        return None
    box = alpha_bbox(cutout[..., 3] > 0)
    if box is None:
        return None
    anim = PartAnimator(rig, spec, active, (float(box[0]), float(box[1])))
    return anim if anim.moves else None


def chosen_parts(rig: Rig, name: str, kind: str, direction: str | None) -> list[Part]:
    """The parts a part move acts on: one arm for wave_arm (the one on the `direction` side
    of the picture, the right-hand one by default), every part of its kind otherwise."""
    parts = rig.of_kind(kind)
    if name == "wave_arm" and len(parts) > 1:
        parts = [min(parts, key=lambda p: p.pivot[0]) if direction == "left"
                 else max(parts, key=lambda p: p.pivot[0])]
    return parts


class PartAnimator:
    """Moves the rig's parts for the part moves of one render.

    rig: in cut-out px; spec and active: the render's spec and its resolved moves (part
    moves are those whose preset `needs` a part kind); origin: cut-out px of the crop's
    top-left (the alpha bbox). Call `reach_points` for the layout, then `attach` with the
    prescaled source, then `src(i)` per frame.
    """

    def __init__(self, rig: Rig, spec: MotionSpec, active: list[ActiveMove],
                 origin: tuple[float, float]):
        self.rig, self.spec, self.origin = rig, spec, origin
        self.moves: list[tuple[ActiveMove, list[Part]]] = []
        for m in active:
            kind = m.preset.needs
            if kind:
                parts = chosen_parts(rig, m.preset.name, kind, m.direction)
                if parts:
                    self.moves.append((m, parts))
        self.values = [self._values(i / spec.frames) for i in range(spec.frames)]
        self._src: np.ndarray | None = None

    # ------------------------------------------------------------------ timing
    def _values(self, t: float) -> dict[str, dict[str, float]]:
        """part id → {op: value} at loop phase t (parts at rest are absent)."""
        out: dict[str, dict[str, float]] = {}
        for m, parts in self.moves:
            if not (m.start <= t < m.end or (m.end >= 1.0 and t >= m.start)):
                continue
            u = (t - m.start) / (m.end - m.start)
            c = u * m.cycles
            p = c - min(math.floor(c), m.cycles - 1)
            per_cycle = (m.end - m.start) * self.spec.frames / m.cycles
            name = m.preset.name
            v = CURVES[name](p, m.amount, m.direction, per_cycle, self.spec.fps)
            if abs(v) < 1e-4:
                continue
            op = OPS[name]
            for part in parts:
                d = out.setdefault(part.id, {})
                if op == "close":
                    d[op] = max(d.get(op, 0.0), v)
                else:
                    d[op] = d.get(op, 0.0) + v * _gain(name, part, parts)
        return out

    # ------------------------------------------------------------------ layout
    def _limb_moves(self, active: list[ActiveMove]) -> list[tuple[Part, float]]:
        out = []
        for m in active:
            if m.preset.name in LIMB_REACH_DEG:
                for part in chosen_parts(self.rig, m.preset.name, m.preset.needs or "",
                                         m.direction):
                    out.append((part, LIMB_REACH_DEG[m.preset.name] * m.amount))
        return out

    def reach_points(self) -> np.ndarray:
        """(n, 2) crop px points that turning limbs can reach at the spec's exact amounts
        (the same for every candidate, so all share one layout)."""
        pts = [np.zeros((0, 2))]
        for part, reach in self._limb_moves(resolve(self.spec)):
            p = part.points - np.asarray(self.origin)
            c = np.asarray(part.pivot) - np.asarray(self.origin)
            for deg in np.linspace(-reach, reach, 9):
                a = math.radians(deg)
                rot = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
                pts.append((p - c) @ rot.T + c)
        return np.concatenate(pts)

    # ------------------------------------------------------------------ source
    def attach(self, src: np.ndarray, src_scale: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Prepare the parts on the prescaled premultiplied source (h, w, 4) whose px are
        src_scale @ crop px. Returns the source padded for limbs that turn past its edge,
        and the matching src_scale."""
        fx, fy = float(src_scale[0, 0]), float(src_scale[1, 1])
        limbs = [p for m, parts in self.moves if OPS[m.preset.name] == "turn" for p in parts]
        reach = max((float(p.extra.get("length", _length(p))) for p in limbs), default=0.0)
        pad = math.ceil(reach * max(fx, fy)) + 2 if limbs else 0
        padded = np.pad(src, ((pad, pad), (pad, pad), (0, 0))) if pad else src
        scale = src_scale.copy()
        scale[0, 2] += pad
        scale[1, 2] += pad
        ox, oy = self.origin

        def to_src(pts: np.ndarray) -> np.ndarray:
            return (pts - np.array([ox, oy])) * np.array([fx, fy]) + scale[:2, 2]

        self._to_src, self._fx = to_src, (fx + fy) / 2
        self._src = padded
        self.eyes: dict[str, EyeEdit] = {}
        self.limbs: dict[str, LimbEdit] = {}
        self.mouths: dict[str, MouthEdit] = {}
        base = padded
        for m, parts in self.moves:
            op = OPS[m.preset.name]
            for part in parts:
                if op in ("close", "look") and part.id not in self.eyes:
                    self.eyes[part.id] = self._eye(part, padded)
                elif op == "open" and part.id not in self.mouths:
                    self.mouths[part.id] = self._mouth(part, padded)
                elif op == "turn" and part.id not in self.limbs:
                    if _is_rigid(part):
                        limb, base = self._limb(part, padded, base)
                    else:
                        limb = self._bend(part, padded)
                    self.limbs[part.id] = limb
        self._base = base
        return padded, scale

    def _roi(self, pts: np.ndarray, margin: float) -> tuple[int, int, int, int]:
        assert self._src is not None
        h, w = self._src.shape[:2]
        x0, y0 = np.floor(pts.min(0) - margin).astype(int)
        x1, y1 = np.ceil(pts.max(0) + margin).astype(int) + 1
        return max(0, y0), min(h, y1), max(0, x0), min(w, x1)

    def _mask(self, pts: np.ndarray, roi: tuple[int, int, int, int]) -> np.ndarray:
        y0, y1, x0, x1 = roi
        return polygon_mask(pts, (y1 - y0, x1 - x0), 1.0, (x0, y0))

    def _eye(self, part: Part, src: np.ndarray) -> EyeEdit:
        pupil_pts = self._to_src(part.points)
        socket = part.extra.get("socket")
        region_pts = self._to_src(np.asarray(socket, np.float64)) if socket else pupil_pts
        pw = float(np.ptp(pupil_pts[:, 0]))
        ph = float(np.ptp(region_pts[:, 1]))
        margin = 0.6 * pw + max(4.0, 0.4 * ph)
        roi = self._roi(np.concatenate([region_pts, pupil_pts]), margin)
        y0, y1, x0, x1 = roi
        region = np.maximum(self._mask(region_pts, roi), self._mask(pupil_pts, roi))
        grow = 5 if socket else 3  # cover the eye's anti-aliased rim too
        region = cv2.dilate(region, np.ones((grow, grow), np.uint8))
        pupil = cv2.dilate(self._mask(pupil_pts, roi), np.ones((3, 3), np.uint8))
        patch = src[y0:y1, x0:x1]
        a = patch[..., 3]
        rgb = patch[..., :3] / np.maximum(a, 1e-4)[..., None]
        inner = (region > 0.5).astype(np.uint8)
        k = max(2, round(0.3 * max(ph, 4.0)))
        ring = (cv2.dilate(inner, np.ones((2 * k + 1, 2 * k + 1), np.uint8)) > 0) & ~(
            cv2.dilate(inner, np.ones((5, 5), np.uint8)) > 0) & (a > 0.95)
        lid = np.median(rgb[ring], 0) if ring.sum() >= 4 else np.asarray(
            part.extra.get("lid", (200, 200, 200)), np.float32) / 255
        core = (pupil > 0.5) & (a > 0.5)
        ink = np.percentile(rgb[core], 20, axis=0) if core.any() else lid * 0.3
        white = (region > 0.5) & (pupil < 0.05) & (a > 0.95)
        if socket and white.sum() >= 4:
            fill = np.median(rgb[white], 0)
            travel = max(0.0, 0.4 * (float(np.ptp(region_pts[:, 0])) - pw))
        else:
            fill = lid
            travel = 0.3 * pw
        on = region > 0.5
        has = on.any(0)
        top = smooth_profile(np.where(has, np.argmax(on, 0), np.nan), has)
        bottom = smooth_profile(
            np.where(has, region.shape[0] - 1 - np.argmax(on[::-1], 0), np.nan), has)
        return EyeEdit(roi, region, pupil, lid.astype(np.float32), fill.astype(np.float32),
                    ink.astype(np.float32), top, bottom.astype(np.float32), travel,
                    max(1.0, 0.12 * ph))

    def _mouth(self, part: Part, src: np.ndarray) -> MouthEdit:
        pts = self._to_src(part.points)
        h, w = float(np.ptp(pts[:, 1])), float(np.ptp(pts[:, 0]))
        y0, y1, x0, x1 = self._roi(pts, 3.0)
        y1 = min(src.shape[0], y1 + math.ceil(max(1.6 * MOUTH_GAIN * h, LINE_DEPTH * w)) + 2)
        roi = (y0, y1, x0, x1)
        m = cv2.dilate(self._mask(pts, roi), np.ones((3, 3), np.uint8))
        layer = src[y0:y1, x0:x1] * m[..., None]
        edit = MouthEdit(roi, layer, float(pts[:, 1].min() - y0),
                         gain=min(MOUTH_GAIN, MOUTH_DROP * w / max(h, 1.0)))
        a = layer[..., 3]
        rgb = layer[..., :3] / np.maximum(a, 1e-4)[..., None]
        lum = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
        face = np.asarray(part.extra.get("lid", (200, 200, 200)), np.float32) / 255
        ink = (m > 0.5) & (a > 0.5) & (lum < float(face @ [0.299, 0.587, 0.114]) - 0.12)
        if ink.sum() < 4 or ink.sum() / max(w, 1.0) > LINE_THICKNESS * w:
            return edit  # a filled mouth: it stretches
        ys, xs = np.nonzero(ink)
        dark = np.percentile(rgb[ink], 20, axis=0)
        edit.line = (float(xs.mean()), float(ys.mean()), 0.4 * w, LINE_DEPTH * w)
        edit.cavity = (0.5 * dark + 0.5 * np.array(CAVITY_RGB)).astype(np.float32)
        return edit

    def _limb(self, part: Part, src: np.ndarray, base: np.ndarray) -> tuple[LimbEdit, np.ndarray]:
        pts = self._to_src(part.points)
        pivot = self._to_src(np.asarray([part.pivot]))[0]
        reach = float(np.hypot(*(pts - pivot).T).max()) + 3
        roi = self._roi(np.array([pivot - reach, pivot + reach]), 2.0)
        y0, y1, x0, x1 = roi
        # 2 px wider than the outline: the limb's anti-aliased edge goes with it (the seam
        # this opens along the join is under the shoulder disc)
        m = cv2.dilate(self._mask(pts, roi), np.ones((5, 5), np.uint8))
        layer = src[y0:y1, x0:x1] * m[..., None]
        base = base.copy()
        patch = base[y0:y1, x0:x1]
        rest = patch * (1 - m[..., None])
        neck = float(part.extra.get("neck", 0.3 * reach / max(self._fx, 1e-6))) * self._fx
        radius = max(2.0, 0.55 * neck + 1.0)
        px, py = pivot[0] - x0, pivot[1] - y0
        yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0]
        disc = np.clip(radius + 0.5 - np.hypot(xx - px, yy - py), 0, 1).astype(np.float32)
        shoulder = disc * m
        if shoulder.max() > 0:
            a = np.maximum(patch[..., 3], 1e-4)
            rgb8 = np.clip(patch[..., :3] / a[..., None] * 255, 0, 255).astype(np.uint8)
            hole = ((m > 0.3) | (patch[..., 3] < 0.5)).astype(np.uint8)
            filled = cv2.inpaint(rgb8, hole, 3, cv2.INPAINT_TELEA).astype(np.float32) / 255
            fill = np.dstack([filled, np.ones_like(disc)])
            s = shoulder[..., None]
            rest = rest * (1 - s) + fill * s
        base[y0:y1, x0:x1] = rest
        return LimbEdit(roi, layer, (float(px), float(py))), base

    def _bend(self, part: Part, src: np.ndarray) -> LimbEdit:
        pts = self._to_src(part.points)
        pivot = self._to_src(np.asarray([part.pivot]))[0]
        d = pts - pivot
        dist = np.hypot(d[:, 0], d[:, 1])
        reach = float(dist.max())
        margin = max(4.0, 0.25 * reach)
        roi = self._roi(np.array([pivot - reach - margin, pivot + reach + margin]), 1.0)
        y0, y1, x0, x1 = roi
        u = np.asarray(part.extra.get("direction") or (d[np.argmax(dist)] / max(reach, 1e-6)),
                       np.float64)
        u = u / max(float(np.hypot(*u)), 1e-6)
        neck = float(part.extra.get("neck", 0.5 * reach / max(self._fx, 1e-6))) * self._fx
        r1 = max(2.0, 0.8 * neck)
        far = dist > r1
        ang = np.arctan2(d[:, 0] * u[1] - d[:, 1] * u[0], d[:, 0] * u[0] + d[:, 1] * u[1])
        spread = float(np.abs(ang[far]).max()) if far.any() else 0.5
        turn = max((abs(v.get(part.id, {}).get("turn", 0.0)) for v in self.values), default=0)
        gain = min(1.0, BEND_MAX_DEG / turn) if turn > 0 else 1.0
        phi0 = min(spread, math.radians(50)) + math.radians(turn * gain)
        px, py = pivot[0] - x0, pivot[1] - y0
        yy, xx = np.mgrid[0:y1 - y0, 0:x1 - x0].astype(np.float64)
        qx, qy = xx - px, yy - py
        r = np.hypot(qx, qy)
        phi = np.abs(np.arctan2(qx * u[1] - qy * u[0], qx * u[0] + qy * u[1]))
        w_in = smoothstep(r / r1)
        w_out = 1.0 - smoothstep((r - reach) / margin)
        w_side = 1.0 - smoothstep((phi - phi0) / math.radians(40))
        # eyes and mouth in the swept sector stay put
        keep = np.zeros((y1 - y0, x1 - x0), np.float32)
        for other in self.rig.parts:
            if other.kind in ("eye", "mouth"):
                keep = np.maximum(keep, self._mask(self._to_src(other.points), roi))
        if keep.any():
            keep = cv2.GaussianBlur(cv2.dilate(keep, np.ones((7, 7), np.uint8)), (0, 0), 2.0)
        weight = (w_in * w_out * w_side * (1.0 - np.clip(keep, 0, 1))).astype(np.float32)
        grid = (qx.astype(np.float32), qy.astype(np.float32))
        return LimbEdit(roi, np.zeros((0, 0, 4), np.float32), (float(px), float(py)), weight,
                     gain, grid)

    # ------------------------------------------------------------------ frames
    def src(self, i: int) -> np.ndarray:
        """The padded source with the parts of frame i moved (premultiplied float32)."""
        assert self._src is not None, "attach() first"
        vals = self.values[i]
        if not vals:
            return self._src
        turning = any("turn" in v for v in vals.values())
        rigid = any(limb.weight is None for limb in self.limbs.values())
        out = (self._base if turning and rigid else self._src).copy()
        if turning:  # rigid limbs first (the base lacks them), then the bending ones
            for pid, limb in sorted(self.limbs.items(), key=lambda t: t[1].weight is not None):
                turn_limb(out, limb, vals.get(pid, {}).get("turn", 0.0))
        for pid, mouth in self.mouths.items():
            o = vals.get(pid, {}).get("open", 0.0)
            if o > 0:
                open_mouth(out, mouth, o)
        for pid, eye in self.eyes.items():
            v = vals.get(pid, {})
            if v.get("look"):
                look_aside(out, self._src, eye, v["look"])
            if v.get("close"):
                close_lid(out, eye, v["close"])
        return out


def _gain(name: str, part: Part, parts: list[Part]) -> float:
    """Per-part sign and scale of a limb turn: an arm turns so its tip rises, less when it
    already points up (the curve is for a level arm: up to ~56°, so a level arm ends about
    56° up and one pointing 40° up only waves ~20° more); ears mirror each other."""
    if name == "wave_arm":
        dx, dy = (float(v) for v in part.extra.get("direction", (1.0, 0.0)))
        elevation = math.degrees(math.atan2(-dy, abs(dx)))  # 0 level, 90 straight up
        scale = min(1.0, max(0.35, (50.0 - elevation) / 40.0))
        return scale if dx < 0 else -scale
    if name == "wiggle_ears" and len(parts) > 1:
        mid = sum(p.pivot[0] for p in parts) / len(parts)
        return 1.0 if part.pivot[0] < mid else -1.0
    return 1.0


def _length(part: Part) -> float:
    return float(np.hypot(*(part.points - np.asarray(part.pivot)).T).max())


def _is_rigid(part: Part) -> bool:
    length = float(part.extra.get("length", _length(part)))
    neck = part.extra.get("neck")
    return neck is not None and float(neck) <= RIGID_NECK * length
