"""Background models estimated from an image's border (pure functions).

A model predicts the background colour at every pixel: a smooth low-order surface (white,
solid colours, grey or colour gradients, noisy off-white) or a two-colour checkerboard
("fake transparency"). When neither explains the border, the background is "complex"
(a photo or a texture) and the caller falls back to a colour-model segmentation.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BORDER = 3
"""Width in pixels of the border strip the model is fitted to."""


@dataclass(frozen=True)
class BackgroundModel:
    """A background estimate.

    kind: "white" | "solid" | "gradient" | "checkerboard" | "complex".
    image: (H, W, 3) float32 predicted background colour, 0..255 (None when complex).
    noise: robust standard deviation of the border around the model, 0..255 units.
    inliers: fraction of border pixels the model explains.
    """

    kind: str
    image: np.ndarray | None
    noise: float
    inliers: float

    @property
    def known(self) -> bool:
        return self.image is not None


def border_mask(h: int, w: int, width: int = BORDER) -> np.ndarray:
    """(H, W) bool, True on the outer `width` pixels."""
    m = np.zeros((h, w), bool)
    m[:width], m[-width:], m[:, :width], m[:, -width:] = True, True, True, True
    return m


def _design(xs: np.ndarray, ys: np.ndarray, w: int, h: int) -> np.ndarray:
    x = xs.astype(np.float32) / max(w - 1, 1) - 0.5
    y = ys.astype(np.float32) / max(h - 1, 1) - 0.5
    return np.stack([np.ones_like(x), x, y, x * x, x * y, y * y], axis=-1)


def fit_smooth(rgb: np.ndarray) -> BackgroundModel:
    """Fit a quadratic colour surface to the border, rejecting outliers (a character
    touching the edge). rgb: (H, W, 3) uint8."""
    h, w = rgb.shape[:2]
    ys, xs = np.nonzero(border_mask(h, w))
    vals = rgb[ys, xs].astype(np.float32)
    a = _design(xs, ys, w, h)
    # start from the median colour, so a character touching the edge cannot skew the fit
    res = np.abs(vals - np.median(vals, axis=0)).max(axis=1)
    keep = res < max(6.0 * (float(np.median(res)) * 1.4826 + 0.5), 4.0)
    coef = np.zeros((a.shape[1], 3), np.float32)
    sigma = 0.0
    for _ in range(3):
        coef, *_ = np.linalg.lstsq(a[keep], vals[keep], rcond=None)
        res = np.abs(vals - a @ coef).max(axis=1)
        sigma = float(np.median(res[keep]) * 1.4826) + 0.5
        keep = res < max(6.0 * sigma, 4.0)
    inliers = float(keep.mean())
    yy, xx = np.mgrid[0:h, 0:w]
    image = (_design(xx.ravel(), yy.ravel(), w, h) @ coef).reshape(h, w, 3)
    image = np.clip(image, 0, 255).astype(np.float32)
    span = float(np.ptp(image.reshape(-1, 3), axis=0).max())
    mean = image.reshape(-1, 3).mean(axis=0)
    if span > 12:
        kind = "gradient"
    elif mean.min() > 225 and np.ptp(mean) < 12:
        kind = "white"
    else:
        kind = "solid"
    return BackgroundModel(kind, image, sigma, inliers)


def _runs_phase(labels: np.ndarray) -> tuple[int, int] | None:
    """Period and phase of the class changes along a 1-D label line, or None."""
    edges = np.nonzero(labels[1:] != labels[:-1])[0] + 1
    if len(edges) < 3:
        return None
    gaps = np.diff(edges)
    period = int(np.median(gaps))
    if period < 2 or np.mean(np.abs(gaps - period) <= 1) < 0.7:
        return None
    return period, int(edges[0] % period)


def fit_checkerboard(rgb: np.ndarray) -> BackgroundModel | None:
    """Detect a two-colour checkerboard in the border and model it, or None.
    rgb: (H, W, 3) uint8."""
    h, w = rgb.shape[:2]
    img = rgb.astype(np.float32)
    lum = img @ np.array([0.299, 0.587, 0.114], np.float32)
    bm = border_mask(h, w, 2)
    vals = lum[bm]
    lo, hi = np.percentile(vals, 10), np.percentile(vals, 90)
    if hi - lo < 8:
        return None
    cut = (lo + hi) / 2
    top, left = lum[0] > cut, lum[:, 0] > cut
    px, py = _runs_phase(top), _runs_phase(left)
    if px is None or py is None or abs(px[0] - py[0]) > 1:
        return None
    period = px[0]
    light = img[bm][vals > cut].mean(axis=0)
    dark = img[bm][vals <= cut].mean(axis=0)
    yy, xx = np.mgrid[0:h, 0:w]
    parity = ((xx - px[1]) // period + (yy - py[1]) // period) % 2
    p00 = parity[0, 0]
    first_light = lum[0, 0] > cut
    colours = (light, dark) if first_light else (dark, light)
    image = np.where((parity == p00)[..., None], colours[0], colours[1]).astype(np.float32)
    res = np.abs(img[bm] - image[bm]).max(axis=1)
    inliers = float((res < 12).mean())
    if inliers < 0.85:
        return None
    sigma = float(np.median(res) * 1.4826) + 0.5
    return BackgroundModel("checkerboard", image, sigma, inliers)


def outlier_runs(rgb: np.ndarray, model: BackgroundModel) -> int:
    """How many separate stretches of the outermost pixel ring the model fails to explain:
    a character cut by the frame makes a few, a texture makes many."""
    assert model.image is not None
    h, w = rgb.shape[:2]
    ys = np.concatenate([np.zeros(w, int), np.arange(h), np.full(w, h - 1), np.arange(h)[::-1]])
    xs = np.concatenate([np.arange(w), np.full(h, w - 1), np.arange(w)[::-1], np.zeros(h, int)])
    res = np.abs(rgb[ys, xs].astype(np.float32) - model.image[ys, xs]).max(axis=1)
    bad = res >= max(6.0 * model.noise, 4.0)
    return int(np.count_nonzero(bad & ~np.roll(bad, 1)))


def estimate_background(rgb: np.ndarray, min_inliers: float = 0.9,
                        max_noise: float = 8.0) -> BackgroundModel:
    """Choose the background model that explains the border of rgb (H, W, 3) uint8.
    Less than `min_inliers` of the border is accepted when the misfit comes in a few
    stretches (a character touching the frame), not many (a texture)."""
    smooth = fit_smooth(rgb)
    if smooth.noise <= max_noise and (
        smooth.inliers >= min_inliers
        or (smooth.inliers >= 0.5 and outlier_runs(rgb, smooth) <= 6)
    ):
        return smooth
    checker = fit_checkerboard(rgb)
    if checker is not None:
        return checker
    return BackgroundModel("complex", None, smooth.noise, smooth.inliers)
