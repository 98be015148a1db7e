"""Mask and edge operations: pure functions on arrays, shared by the UI, CLI and worker.

alpha: (H, W) float32 in [0, 1]; rgba: (H, W, 4) uint8. Distances are in pixels.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from studio.errors import InputError


@dataclass(frozen=True)
class EdgeSettings:
    """Edge clean-up applied to every chosen frame before export.

    feather: blur radius of the alpha edge (0-10 px); grow: dilate (+) or erode (-) the
    mask (-10-10 px); defringe: replace the colour of the outermost `defringe` px of the
    edge with the colour just inside it (0-6 px); outline: sticker border width (0-20 px)
    in `outline_color` ("#rrggbb").
    """

    feather: float = 0.0
    grow: float = 0.0
    defringe: float = 0.0
    outline: float = 0.0
    outline_color: str = "#ffffff"

    def validate(self) -> EdgeSettings:
        for name, lo, hi in (
            ("feather", 0, 10),
            ("grow", -10, 10),
            ("defringe", 0, 6),
            ("outline", 0, 20),
        ):
            v = getattr(self, name)
            if not lo <= v <= hi:
                raise InputError(f"{name} must be between {lo} and {hi} px, got {v!r}")
        parse_hex(self.outline_color)
        return self

    @property
    def is_identity(self) -> bool:
        return not (self.feather or self.grow or self.defringe or self.outline)


def parse_hex(color: str) -> tuple[int, int, int]:
    """ "#rrggbb" or "rrggbb" → (r, g, b)."""
    s = color.strip().lstrip("#")
    if len(s) != 6 or any(c not in "0123456789abcdefABCDEF" for c in s):
        raise InputError(f"colour must look like #rrggbb, got {color!r}")
    return int(s[0:2], 16), int(s[2:4], 16), int(s[4:6], 16)


def _signed_distance(alpha: np.ndarray) -> np.ndarray:
    """Signed distance (px) to the 0.5 contour: positive inside, negative outside."""
    inside = (alpha >= 0.5).astype(np.uint8)
    d_in = cv2.distanceTransform(inside, cv2.DIST_L2, 5)
    d_out = cv2.distanceTransform(1 - inside, cv2.DIST_L2, 5)
    return np.where(inside == 1, d_in - 0.5, 0.5 - d_out).astype(np.float32)


def grow(alpha: np.ndarray, px: float) -> np.ndarray:
    """Dilate (px > 0) or erode (px < 0) a soft mask, keeping a 1 px anti-aliased edge."""
    if px == 0:
        return alpha.astype(np.float32)
    sd = _signed_distance(alpha)
    return np.clip(sd + px + 0.5, 0, 1).astype(np.float32)


def feather(alpha: np.ndarray, radius: float) -> np.ndarray:
    """Soften the edge with a Gaussian of sigma `radius`/2; the interior stays opaque."""
    if radius <= 0:
        return alpha.astype(np.float32)
    blurred = cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), radius / 2)
    return blurred


def defringe(rgba: np.ndarray, px: float) -> np.ndarray:
    """Replace the colour of semi-transparent and outermost edge pixels by the nearest colour
    from at least `px` inside the edge (removes halos of an old background)."""
    if px <= 0:
        return rgba
    alpha = rgba[..., 3].astype(np.float32) / 255
    core = (_signed_distance(alpha) >= px).astype(np.uint8)
    if not core.any():
        return rgba
    _, labels = cv2.distanceTransformWithLabels(
        1 - core, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    ys, xs = np.nonzero(core == 1)
    # label values of core pixels, in the order distanceTransformWithLabels numbers them
    lut = np.zeros(labels.max() + 1, np.int64)
    lut[labels[ys, xs]] = ys * rgba.shape[1] + xs
    nearest = lut[labels]
    out = rgba.copy()
    band = (core == 0) & (alpha > 0)
    flat = rgba[..., :3].reshape(-1, 3)
    out[..., :3][band] = flat[nearest[band]]
    return out


def outline(rgba: np.ndarray, width: float, color: str = "#ffffff") -> np.ndarray:
    """A sticker border: the character over a `width` px band of `color`, anti-aliased."""
    if width <= 0:
        return rgba
    alpha = rgba[..., 3].astype(np.float32) / 255
    ring = grow(alpha, width)
    col = np.array(parse_hex(color), np.float32)
    a = alpha[..., None]
    out_a = a + ring[..., None] * (1 - a)
    out_rgb = (rgba[..., :3] * a + col * ring[..., None] * (1 - a)) / np.maximum(out_a, 1e-6)
    return np.dstack(
        [np.clip(np.rint(out_rgb), 0, 255), np.clip(np.rint(out_a * 255), 0, 255)]
    ).astype(np.uint8)


def paint_alpha(alpha: np.ndarray, stroke: np.ndarray, erase: bool) -> np.ndarray:
    """Apply a brush stroke mask (H, W) in [0, 1]: erase lowers alpha, restore raises it."""
    if stroke.shape != alpha.shape:
        raise InputError(f"stroke is {stroke.shape}, the mask is {alpha.shape}")
    s = np.clip(stroke.astype(np.float32), 0, 1)
    return (alpha * (1 - s) if erase else np.maximum(alpha, s)).astype(np.float32)


def apply_edges(rgba: np.ndarray, edges: EdgeSettings) -> np.ndarray:
    """Apply grow → feather → defringe → outline to one RGBA frame."""
    edges.validate()
    if edges.is_identity:
        return rgba
    alpha = rgba[..., 3].astype(np.float32) / 255
    alpha = feather(grow(alpha, edges.grow), edges.feather)
    out = np.dstack([rgba[..., :3], np.clip(np.rint(alpha * 255), 0, 255).astype(np.uint8)])
    out = defringe(out, edges.defringe)
    return outline(out, edges.outline, edges.outline_color)
