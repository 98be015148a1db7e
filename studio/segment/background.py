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


def _trimmed_fit(a: np.ndarray, vals: np.ndarray, keep: np.ndarray
                 ) -> tuple[np.ndarray, float]:
    """Least squares of vals on a over `keep`, re-trimmed at 6 sigma; (coef, sigma)."""
    res = np.abs(vals - np.median(vals[keep], axis=0)).max(axis=1)
    keep = keep & (res < max(6.0 * (float(np.median(res[keep])) * 1.4826 + 0.5), 4.0))
    use = keep.copy()
    coef = np.zeros((a.shape[1], 3), np.float32)
    sigma = 255.0
    for _ in range(3):
        if keep.sum() < a.shape[1] * 4:
            break
        coef, *_ = np.linalg.lstsq(a[keep], vals[keep], rcond=None)
        res = np.abs(vals - a @ coef).max(axis=1)
        sigma = float(np.median(res[keep]) * 1.4826) + 0.5
        keep = use & (res < max(6.0 * sigma, 4.0))
    return coef, sigma


def fit_smooth(rgb: np.ndarray) -> BackgroundModel:
    """Fit a quadratic colour surface to the border, rejecting outliers (a character
    touching the edge). rgb: (H, W, 3) uint8."""
    h, w = rgb.shape[:2]
    ys, xs = np.nonzero(border_mask(h, w))
    vals = rgb[ys, xs].astype(np.float32)
    a = _design(xs, ys, w, h)
    # the border as a whole, and without each side in turn: a character cut by the frame
    # along most of one side cannot then bend the surface towards its colours
    sides = (ys < BORDER, ys >= h - BORDER, xs < BORDER, xs >= w - BORDER)
    fits = [_trimmed_fit(a, vals, np.ones(len(vals), bool) if drop is None else ~drop)
            for drop in (None, *sides)]
    # judge every fit at the tightest noise level found: the one explaining most wins
    thr = max(6.0 * min(f[1] for f in fits), 4.0)
    counts = [int((np.abs(vals - a @ c).max(axis=1) < thr).sum()) for c, _ in fits]
    best = 0 if counts[0] >= 0.98 * max(counts) else int(np.argmax(counts))
    coef, _ = fits[best]
    res = np.abs(vals - a @ coef).max(axis=1)
    sigma = float(np.median(res[res < thr]) * 1.4826) + 0.5 if (res < thr).any() else 255.0
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


def _two_peaks(lum: np.ndarray) -> tuple[float, float] | None:
    """The two most common luminances (dark, light) of border pixels at least 8 apart."""
    hist = np.bincount(np.clip(np.rint(lum), 0, 255).astype(int), minlength=256)
    hist = np.convolve(hist, np.ones(5), mode="same")
    p1 = int(np.argmax(hist))
    far = hist.copy()
    far[max(0, p1 - 8): p1 + 9] = 0
    p2 = int(np.argmax(far))
    if far[p2] < 0.15 * hist[p1]:
        return None
    return float(min(p1, p2)), float(max(p1, p2))


def fit_checkerboard(rgb: np.ndarray, min_inliers: float = 0.85) -> BackgroundModel | None:
    """Detect a two-colour checkerboard in the border and model it, or None. The period and
    phase come from whichever edge rows / columns show them (a character may cut the
    others). rgb: (H, W, 3) uint8."""
    h, w = rgb.shape[:2]
    img = rgb.astype(np.float32)
    lum = img @ np.array([0.299, 0.587, 0.114], np.float32)
    bm = border_mask(h, w, 2)
    vals = lum[bm]
    peaks = _two_peaks(vals)
    if peaks is None:
        return None
    lo, hi = peaks
    cut = (lo + hi) / 2
    px = next((r for r in (_runs_phase(lum[i] > cut) for i in (0, -1)) if r), None)
    py = next((r for r in (_runs_phase(lum[:, i] > cut) for i in (0, -1)) if r), None)
    if px is None or py is None or abs(px[0] - py[0]) > 1:
        return None
    period = px[0]
    near_hi, near_lo = np.abs(vals - hi) < 6, np.abs(vals - lo) < 6
    light = np.median(img[bm][near_hi], axis=0)
    dark = np.median(img[bm][near_lo], axis=0)
    yy, xx = np.mgrid[0:h, 0:w]
    parity = ((xx - px[1]) // period + (yy - py[1]) // period) % 2
    # which parity is light: vote over the border pixels that are clearly one or the other
    par_b = parity[bm]
    votes = (par_b[near_hi] == 0).sum() - (par_b[near_hi] == 1).sum() \
        + (par_b[near_lo] == 1).sum() - (par_b[near_lo] == 0).sum()
    colours = (light, dark) if votes >= 0 else (dark, light)
    image = np.where((parity == 0)[..., None], colours[0], colours[1]).astype(np.float32)
    res = np.abs(img[bm] - image[bm]).max(axis=1)
    inliers = float((res < 12).mean())
    sigma = float(np.median(res[res < 12]) * 1.4826) + 0.5 if inliers > 0 else 255.0
    model = BackgroundModel("checkerboard", image, sigma, inliers)
    if inliers < min_inliers and (inliers < 0.5 or outlier_runs(rgb, model) > 6):
        return None
    return model


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
