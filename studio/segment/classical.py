"""The classical segmenter: background removal with no model weights.

1. Model the background from the image border (white, off-white with noise, solid colour,
   grey or colour gradient, checkerboard "fake transparency"; otherwise "complex").
2. Hard region: key the modelled background in from the border (soft drop shadows count as
   background; enclosed regions that show the background become holes), or GrabCut with the
   border as background for photos and textures (an outlined drawing on a photo is found by
   its stroke, `studio.segment.outlined`), less the parts the background's own colours join
   to it (bricks kept along the mortar lines, `studio.segment.texture`). Include/exclude
   clicks act on the regions under them (`studio.segment.regions`).
3. Soft edges on a narrow band around the outline: un-mix each pixel against the local
   background (under a drop shadow extrapolated to the outline by a local plane) and the
   nearest foreground colour; alpha that noise alone explains is snapped to 0 or 1;
   closed-form matting where un-mixing is ill posed (low contrast). Where no model predicts
   the background (photos, textures), the closed-form band gets a data term from the best
   pair of nearby pure colours (`studio.segment.texture.sampled_band`).
4. Foreground colour estimation, so no fringe of the old background stays (on a noisy
   JPEG, from the paint's median colour, without the ringing next to the edge).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal

import numpy as np
from pydantic import Field
from scipy import ndimage

from studio.errors import InputError
from studio.options import BackendOptions
from studio.segment.background import BackgroundModel, estimate_background
from studio.segment.classical_region import keyed_region
from studio.segment.matting import (
    JPEG_LUMA,
    clamp_to_noise,
    closed_form_band,
    estimate_foreground,
    jpeg_foreground,
    linear_fill,
    nearest_colour,
    paint_colour,
    project_alpha,
    smooth_fill,
)
from studio.segment.model_common import check_image
from studio.segment.regions import apply_region_clicks
from studio.segment.softedge import despill, rim_width, soft_rim
from studio.segment.texture import complex_background_region, sampled_band
from studio.types import Mask, Prompt

DISK = ndimage.generate_binary_structure(2, 1)
NOISY = 1.5
"""Background noise (0..255) above which an image is treated as noisy (JPEG, sensor)."""
PAINT_RADIUS = 3
"""Window half width (px) over which a noisy image's paint colour is taken (7 x 7)."""
PAINT_TOL = 4.0
"""Colour tolerance of that window in units of the background noise."""


def has_alpha(image: np.ndarray) -> bool:
    """True when `image` (H, W, 3|4) uint8 carries transparency (some alpha < 255)."""
    return image.shape[2] == 4 and bool(image[..., 3].min() < 255)


class ClassicalSegmenter:
    """Border-keyed background removal with edge matting; promptable via GrabCut seeds."""

    name = "classical"
    promptable = True
    variants = None

    class Options(BackendOptions):
        tolerance: float = Field(
            12.0, ge=1.0, le=100.0,
            description="colour distance (0-255) under which a pixel matches the background")
        band: int = Field(
            2, ge=1, le=8, description="half width in px of the soft edge band that is matted")
        shadows: bool = Field(True, description="treat soft drop shadows as background")
        holes: Literal["auto", "on", "off"] = Field(
            "auto", description="make enclosed regions that show the background transparent "
            "(auto: not for near-white regions, which are usually paint)")
        min_contrast: float = Field(
            24.0, ge=1.0, le=255.0,
            description="foreground/background colour distance under which edges are "
            "matted with closed-form matting instead of colour un-mixing")

    def __init__(self, variant: str | None = None, options: dict | None = None) -> None:
        if variant is not None:
            raise InputError(f"segmenter 'classical' takes no variant, got {variant!r}")
        self.options = self.Options.parse(options, "segmenter 'classical'")

    def segment(self, image: np.ndarray, prompt: Prompt | None = None) -> Mask:
        """image: (H, W, 3|4) uint8 RGB(A). Returns a Mask with alpha (H, W) float32 and
        foreground (H, W, 3) uint8; info["background"] names the background it found."""
        check_image(image)
        rgb = np.ascontiguousarray(image[..., :3])
        points = prompt.points if prompt is not None else ()
        if has_alpha(image):
            return from_alpha(image)
        opts = self.options
        region, model, info = hard_region(rgb, opts)
        if points:
            region = apply_region_clicks(rgb, region, points)  # clicks act on regions
            info["points"] = len(points)
        alpha, fg = soft_edges(rgb, region, model if model.known else None, opts,
                                bool(info.get("shadow")))
        return Mask(alpha=alpha, backend=self.name, foreground=fg, info=info)


def hard_region(rgb: np.ndarray, opts: ClassicalSegmenter.Options,
                prior: np.ndarray | Callable[[], np.ndarray] | None = None
                ) -> tuple[np.ndarray, BackgroundModel, dict[str, object]]:
    """(region (H, W) bool, background model, info) for rgb (H, W, 3) uint8: the keyed
    region on a known background (`prior` votes on enclosed regions, see `keyed_region`),
    else the photo/texture region (`texture.complex_background_region`; the model's object
    does not seed it: seeding GrabCut with it lost more cases than it won on the dev sets,
    a salient photo object joins in). info names the background and what was found."""
    model = estimate_background(rgb)
    info: dict[str, object] = {"background": model.kind, "noise": round(model.noise, 2)}
    if model.known:
        region, found = keyed_region(rgb, model, opts.tolerance, opts.shadows, opts.holes,
                                     prior=prior)
    else:
        region, found = complex_background_region(rgb)
    info.update(found)
    return region, model, info


def from_alpha(image: np.ndarray, backend: str = "classical") -> Mask:
    """The image's own alpha, kept exactly, and its colour, kept exactly wherever alpha > 0:
    an input that is already cut out (a translucent ghost, a soft shadow, a glow) is not
    re-estimated. Fully transparent pixels (invisible) take the nearest visible colour, so
    resampling never bleeds whatever colour was stored under them.
    image: (H, W, 4) uint8 RGBA with some alpha < 255."""
    alpha = image[..., 3].astype(np.float32) / 255.0
    fg = np.array(image[..., :3])
    seen = image[..., 3] > 0
    if seen.any() and not seen.all():
        fg[~seen] = nearest_colour(fg, seen).astype(np.uint8)[~seen]
    return Mask(alpha=alpha, backend=backend, foreground=fg,
                info={"background": "alpha", "method": "alpha kept"})


def soft_edges(rgb: np.ndarray, region: np.ndarray, model: BackgroundModel | None,
                opts: ClassicalSegmenter.Options, shadow: bool
                ) -> tuple[np.ndarray, np.ndarray]:
    """Alpha (H, W) float32 and foreground (H, W, 3) uint8 from a hard region."""
    img = rgb.astype(np.float32)
    r = opts.band if model is not None else opts.band + 2
    noisy = model is not None and model.noise > NOISY
    solid = ndimage.binary_erosion(region, DISK, iterations=r)
    # JPEG ringing lifts the pixels just outside an edge past the keying tolerance, so a
    # noisy image's region reaches about 1 px further out and its first "solid" pixels
    # are still mixed: the band reaches 1 px further in there, and the pure colour is the
    # one of the two depths that stands out more (`_purest`)
    inner = ndimage.binary_erosion(solid, DISK) if noisy else solid
    clear = ~ndimage.binary_dilation(region, DISK, iterations=r)
    band = ~inner & ~clear
    alpha = region.astype(np.float32)
    paint = img
    if model is not None and model.image is not None:
        bg = local_background(img, model, clear, band, shadow)
        if not solid.any():
            solid = region
        if noisy:  # JPEG noise and ringing out of the paint colours next to the edge
            paint = paint_colour(img, solid, solid & ~ndimage.binary_erosion(
                solid, DISK, iterations=r + 3), PAINT_RADIUS, PAINT_TOL * model.noise)
        fgc = _local_foreground(paint, bg, region, solid, r)
        if noisy and inner.any():
            fgc = _purest(fgc, nearest_colour(paint, inner), bg)
        a, contrast = project_alpha(img[band], fgc[band], bg[band])
        low = np.zeros_like(band)
        low[band] = contrast < opts.min_contrast
        if noisy:  # JPEG: chroma is stored at half resolution and bleeds; luma stays sharp
            a_y, contrast_y = project_alpha(img[band] @ JPEG_LUMA, fgc[band] @ JPEG_LUMA,
                                            bg[band] @ JPEG_LUMA)
            luma = contrast_y >= max(8.0, 4.0 * model.noise)
            a[luma] = a_y[luma]
            contrast = np.where(luma, contrast_y, contrast)
        alpha[band] = clamp_to_noise(a, contrast, model.noise)
        if low.any():
            alpha = closed_form_band(img, alpha, low)
    else:  # a photo or texture: sample pairs of nearby pure colours
        sampled = sampled_band(rgb, region, band, solid, clear, 3 * r, opts.min_contrast)
        if sampled is None:
            bg = smooth_fill(img, clear, 2.0)
            alpha = closed_form_band(img, alpha, band)
            fgc = None
        else:
            alpha, bg, fgc = sampled
    near = fgc
    rim = np.zeros_like(region)
    if near is not None and model is not None and model.kind != "checkerboard":
        # a blurred / furry edge wider than the band: alpha from colour coverage
        alpha, rim, far = soft_rim(img, bg, region, alpha, model.noise,
                                   rim_width(*region.shape), opts.min_contrast)
        if rim.any():
            solid = solid & ~rim
            near = np.where(rim[..., None], far, near)
    if noisy:  # JPEG: colours next to an edge ring and bleed; take them from further in
        deep = ndimage.binary_erosion(region, DISK, iterations=r + 2)
        solid = deep if deep.any() else solid
        if near is not None:  # unless they belong to another colour (thin outlines)
            near = jpeg_foreground(img, bg, alpha, solid, near, max(8.0, 5.0 * model.noise),
                                   paint)
    fg = estimate_foreground(paint, alpha, None if noisy else bg, solid, near)
    if near is not None and model is not None:  # a coloured backdrop's tint on the edge
        deep = ndimage.binary_erosion(region, DISK, iterations=2 * r + 2)
        edge = (~deep | rim) & (alpha > 0)
        ref = nearest_colour(img, deep) if deep.any() else near
        fg = np.rint(despill(fg.astype(np.float32), bg, ref, edge)).astype(np.uint8)
    return alpha, fg


def local_background(img: np.ndarray, model: BackgroundModel, clear: np.ndarray,
                     band: np.ndarray, shadow: bool) -> np.ndarray:
    """(H, W, 3) float32 background colour behind each pixel: the model, times the ratio
    image / model carried in from the `clear` pixels (beyond the edge band) where a drop
    shadow darkens it or noise makes the model only a mean. Under a shadow the ratio is
    extrapolated to the `band` pixels by a local plane (`linear_fill`): a shadow darkens
    towards the outline, and a weighted mean of the ratio further out left the band
    pixels 5-8 levels too light, so they read as 2-3 % mixed with a dark outline. The
    plane is fitted over more pixels where the background is noisier (sigma 1.5 px + the
    noise level) so it extrapolates no more noise than the mean did."""
    bg = model.image
    assert bg is not None
    if model.kind == "checkerboard" or not (shadow or model.noise > NOISY):
        return bg
    ratio = img / np.maximum(bg, 1.0)
    mean = smooth_fill(ratio, clear, 2.0)
    ratio = linear_fill(ratio, clear, 1.5 + model.noise, band, mean) if shadow else mean
    return np.clip(bg * np.clip(ratio, 0.1, 1.5), 0, 255)


def _purest(near: np.ndarray, deeper: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """(H, W, 3) float32: per pixel, whichever of two candidate foreground colours (from
    the first solid pixels and from 1 px further in) differs more from the background
    `bg` in luma. A mixed pixel always differs less than the paint it is mixed from, so
    this skips a mixed first pixel; a thin outline of its own colour (darker than the fill
    behind it) is kept. All (H, W, 3) float32 0..255."""
    lum = JPEG_LUMA[:, 0]
    far = np.abs((deeper - bg) @ lum) > np.abs((near - bg) @ lum)
    return np.where(far[..., None], deeper, near)


def _local_foreground(img: np.ndarray, bg: np.ndarray, region: np.ndarray,
                      solid: np.ndarray, r: int) -> np.ndarray:
    """(H, W, 3) float32 pure foreground colour for each edge pixel: the nearest solid
    pixel's colour, or, where no solid pixel is close (thin limbs, antennae, whiskers,
    text strokes narrower than the band), the colour of the region pixel within r + 1 px
    that stands out most from the background."""
    dist, (iy, ix) = ndimage.distance_transform_edt(~solid, return_indices=True)
    out = img[iy, ix]
    thin = (dist > r + 1.5) & ndimage.binary_dilation(region, DISK, iterations=r)
    if not thin.any():
        return out
    ys, xs = np.nonzero(thin)
    k = r + 1
    diff = img - bg
    contrast = np.where(region, np.sqrt(np.einsum("hwc,hwc->hw", diff, diff)), -1.0)
    pad_c = np.pad(contrast, k, constant_values=-1.0)
    best = np.full(len(ys), -1.0, np.float32)
    by, bx = ys.copy(), xs.copy()
    h, w = region.shape
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            c = pad_c[ys + k + dy, xs + k + dx]
            better = c > best
            best[better] = c[better]
            by[better] = np.clip(ys[better] + dy, 0, h - 1)
            bx[better] = np.clip(xs[better] + dx, 0, w - 1)
    out[ys, xs] = img[by, bx]
    return out
