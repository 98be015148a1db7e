"""Render a MotionSpec on a character cut-out into looping RGBA frames.

Pipeline per frame (all in premultiplied float32 on a canvas `supersample`× the output size):
shadow → character (cv2.warpAffine, or cv2.remap through the warp mesh) → clip (peek) →
effects → INTER_AREA downsample → un-premultiply to RGBA uint8. The layout (scale and offset)
is computed once from the union of the character's outline over every frame, so it never
leaves the canvas and all candidates of one spec share it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from studio.errors import InputError
from studio.motion import shadow as shadow_mod
from studio.motion.alpha import alpha_bbox, crop_premultiplied, over, unpremultiply
from studio.motion.effects import draw_effects, get_effect
from studio.motion.layout import Layout, bounds, fit, outline_points, pose_bounds
from studio.motion.rig.animate import part_animator
from studio.motion.rig.model import Rig
from studio.motion.spec import check_frames_fps
from studio.motion.timing import ActiveMove, pose_at, resolve
from studio.motion.transforms import Pose, displacement, max_scale
from studio.types import MotionSpec

EFFECT_MARGIN = (0.12, 0.17, 0.12, 0.04)  # extra (left, top, right, bottom), fraction of canvas


class Renderer:
    """Prepared renderer for one (cut-out, spec, size, seed, variation); `frame(i)` renders one.

    cutout: RGBA uint8 (H, W, 4) of any size (cropped to its alpha bbox); size: (width, height)
    of the output frames in px; seed: random moves and effect placement; variation in [0, 1]:
    0 is the exact spec, more plays each move up to 30% softer (seeded). margin: fraction of the
    canvas kept clear on each side; supersample: render scale before the area downsample.
    rig: the character's parts (studio.motion.rig), needed by part moves (blink, wave_arm…).
    interpolation: how the character is sampled (cv2 flag); pixelgrid.PixelGridRenderer
    samples nearest on whole source pixels.
    """

    interpolation: int = cv2.INTER_LINEAR

    def __init__(
        self,
        cutout: np.ndarray,
        spec: MotionSpec,
        size: tuple[int, int],
        *,
        seed: int = 0,
        variation: float = 0.0,
        supersample: int = 2,
        margin: float = 0.06,
        rig: Rig | None = None,
    ):
        check_frames_fps(spec.frames, spec.fps)
        w, h = (int(v) for v in size)
        if not (8 <= w <= 4096 and 8 <= h <= 4096):
            raise InputError(f"frame size must be between 8 and 4096 px per side, got {size}")
        if not 1 <= supersample <= 4:
            raise InputError(f"supersample must be between 1 and 4, got {supersample}")
        if not 0.0 <= variation <= 1.0:
            raise InputError(f"variation must be between 0 and 1, got {variation}")
        for eff in spec.effects:
            get_effect(eff.name)
        self.spec, self.size, self.seed, self.ss = spec, (w, h), int(seed), int(supersample)
        self.char = crop_premultiplied(cutout)
        self.crop_box = alpha_bbox(cutout[..., 3] > 0)
        ch, cw = self.char.shape[:2]
        self.cw, self.ch = float(cw), float(ch)
        self.outline = outline_points(self.char[..., 3])
        self.active = resolve(spec, seed=self.seed, variation=variation)
        self.parts = part_animator(rig, spec, self.active, cutout)  # part moves, or None
        if self.parts is not None:
            self.outline = np.concatenate([self.outline, self.parts.reach_points()])
        self.layout = self._fit(margin)
        self.poses = [
            pose_at(self.active, i / spec.frames, self.cw, self.ch) for i in range(len(self))
        ]
        self._prescale()
        if self.parts is not None:
            self.src, self.src_scale = self.parts.attach(self.src, self.src_scale)

    def __len__(self) -> int:
        return self.spec.frames

    # ------------------------------------------------------------------ layout
    def _layout_poses(self) -> list[Pose]:
        """Poses that bound every candidate: exact amounts, random keys at both extremes."""
        n = self.spec.frames
        sets: list[list[ActiveMove]] = [resolve(self.spec)]
        if any(m.preset.random for m in sets[0]):
            sets = [resolve(self.spec, bound_keys=b) for b in (-1.0, 1.0)]
        return [pose_at(s, i / n, self.cw, self.ch) for s in sets for i in range(n)]

    def _fit(self, margin: float) -> Layout:
        if not 0.0 <= margin < 0.4:
            raise InputError(f"margin must be between 0 and 0.4, got {margin}")
        boxes = [pose_bounds(p, self.outline, self.cw, self.ch) for p in self._layout_poses()]
        if self.spec.shadow:
            boxes.append(bounds(shadow_mod.extent_points(self.cw, self.ch)))
        union = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        W2, H2 = self.size[0] * self.ss, self.size[1] * self.ss
        base = margin * min(W2, H2) + self.ss  # + one output px for the AA edge
        extra = EFFECT_MARGIN if self.spec.effects else (0.0, 0.0, 0.0, 0.0)
        margins = (
            base + extra[0] * W2, base + extra[1] * H2, base + extra[2] * W2, base + extra[3] * H2
        )
        return fit(union, (W2, H2), margins)

    def _prescale(self) -> None:
        """Area-downsample the crop once to about the largest size any frame shows it at."""
        zoom = self.layout.scale * max(max_scale(p.matrix) for p in self.poses)
        f = min(1.0, zoom)
        h, w = self.char.shape[:2]
        nw, nh = max(1, round(w * f)), max(1, round(h * f))
        src = self.char
        if (nw, nh) != (w, h):
            src = cv2.resize(self.char, (nw, nh), interpolation=cv2.INTER_AREA)
        self.src = src
        fx, fy = nw / w, nh / h  # pixel centres: src index i ↔ crop index (i + 0.5) / f - 0.5
        self.src_scale = np.array([[fx, 0, 0.5 * fx - 0.5], [0, fy, 0.5 * fy - 0.5], [0, 0, 1.0]])

    # ------------------------------------------------------------------ frames
    def frame_box(self, i: int) -> tuple[float, float, float, float]:
        """The character's bbox in frame i, in supersampled canvas px."""
        return self.layout.box(pose_bounds(self.poses[i], self.outline, self.cw, self.ch))

    def frame(self, i: int) -> np.ndarray:
        """Frame i (0 ≤ i < frames) as RGBA uint8 (height, width, 4)."""
        if not 0 <= i < len(self):
            raise InputError(f"frame index must be between 0 and {len(self) - 1}, got {i}")
        W, H = self.size
        W2, H2 = W * self.ss, H * self.ss
        canvas = np.zeros((H2, W2, 4), np.float32)
        pose = self.poses[i]
        rest = self.layout.box((0.0, 0.0, self.cw, self.ch))
        box = self.frame_box(i)
        if self.spec.shadow:
            lift = (rest[3] - box[3]) / max(rest[3] - rest[1], 1e-6)
            cx = (box[0] + box[2]) / 2
            shadow_mod.draw_shadow(canvas, cx, rest[3], rest[2] - rest[0], lift)
        src = self.parts.src(i) if self.parts is not None else self.src
        layer = self._character(pose, (W2, H2), box, src)
        if pose.clip:
            layer[math.ceil(rest[3]) :] = 0.0
        over(canvas, layer)
        if self.spec.effects:
            t = i / len(self)
            draw_effects(canvas, self.spec.effects, t, rest, box, self.seed)
        if self.ss > 1:
            canvas = cv2.resize(canvas, (W, H), interpolation=cv2.INTER_AREA)
        return unpremultiply(canvas)

    def moved(self, i: int, image: np.ndarray) -> np.ndarray:
        """Another image aligned with the cut-out (RGB(A) uint8, the cut-out's H × W: e.g. the
        un-cut source) moved exactly as the character is in frame i, without shadow or
        effects: RGBA uint8 (height, width, 4). Gives the source's real colours under any
        pixel of frame i (a brush restoring what the cut-out dropped)."""
        if not 0 <= i < len(self):
            raise InputError(f"frame index must be between 0 and {len(self) - 1}, got {i}")
        assert self.crop_box is not None
        x0, y0, x1, y1 = self.crop_box
        rgba = image if image.shape[2] == 4 else np.dstack(
            [image, np.full(image.shape[:2], 255, np.uint8)])
        crop = rgba[y0:y1, x0:x1].astype(np.float32) * (1.0 / 255.0)
        crop[..., :3] *= crop[..., 3:4]
        h, w = self.src.shape[:2]
        if crop.shape[:2] != (h, w):
            crop = cv2.resize(crop, (w, h), interpolation=cv2.INTER_AREA)
        W, H = self.size
        layer = self._character(self.poses[i], (W * self.ss, H * self.ss), self.frame_box(i),
                                crop)
        if self.ss > 1:
            layer = cv2.resize(layer, (W, H), interpolation=cv2.INTER_AREA)
        return unpremultiply(layer)

    def _character(self, pose: Pose, canvas: tuple[int, int], box,
                   src: np.ndarray | None = None) -> np.ndarray:
        """The transformed character (or `src`, prescaled like it) alone, premultiplied
        float32 (H2, W2, 4)."""
        src = self.src if src is None else src
        W2, H2 = canvas
        a = self.layout.matrix @ pose.matrix  # character px → canvas px
        if not pose.warps:
            m = a @ np.linalg.inv(self.src_scale)  # prescaled px → canvas px
            return cv2.warpAffine(
                src, m[:2], (W2, H2), flags=self.interpolation,
                borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0),
            )
        out = np.zeros((H2, W2, 4), np.float32)
        pad = 0.25 * self.layout.scale * self.ch + 4
        x0, y0 = max(0, int(box[0] - pad)), max(0, int(box[1] - pad))
        x1, y1 = min(W2, int(box[2] + pad) + 1), min(H2, int(box[3] + pad) + 1)
        if x1 <= x0 or y1 <= y0:
            return out
        inv = np.linalg.inv(a)
        gx, gy = np.meshgrid(np.arange(x0, x1, dtype=np.float64), np.arange(y0, y1))
        x = inv[0, 0] * gx + inv[0, 1] * gy + inv[0, 2]
        y = inv[1, 0] * gx + inv[1, 1] * gy + inv[1, 2]
        dx, dy = displacement(pose.warps, x, y, self.cw, self.ch)
        p = self.src_scale
        mx = ((x - dx) * p[0, 0] + p[0, 2]).astype(np.float32)
        my = ((y - dy) * p[1, 1] + p[1, 2]).astype(np.float32)
        out[y0:y1, x0:x1] = cv2.remap(
            src, mx, my, self.interpolation,
            borderMode=cv2.BORDER_CONSTANT, borderValue=(0, 0, 0, 0),
        )
        return out


def render_frames(
    cutout_rgba: np.ndarray,
    spec: MotionSpec,
    size: tuple[int, int] = (180, 180),
    seed: int = 0,
    variation: float = 0.0,
    *,
    supersample: int = 2,
    margin: float = 0.06,
    indices: Sequence[int] | None = None,
    rig: Rig | None = None,
) -> list[np.ndarray]:
    """Render the loop: a list of RGBA uint8 (height, width, 4) frames (or only `indices`).

    Frame i is the pose at loop phase i / spec.frames, so frame N-1 flows into frame 0.
    Deterministic for a given seed.
    """
    r = Renderer(
        cutout_rgba, spec, size, seed=seed, variation=variation,
        supersample=supersample, margin=margin, rig=rig,
    )
    return [r.frame(i) for i in (range(len(r)) if indices is None else indices)]
