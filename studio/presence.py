"""Is there a character at all? The check that refuses empty cut-outs before anything is written.

An upload with no character (all white, fully transparent, one flat colour, or a picture the
segmenter finds nothing in) must end in one clear message, not in an empty cut-out or a
project with nothing to animate.
"""

from __future__ import annotations

import numpy as np

from studio.errors import NoCharacter

VISIBLE_ALPHA = 8  # 0-255: pixels at or below this are invisible
FLAT_RANGE = 6  # 0-255: a channel whose 0.5-99.5 percentile range is this small is flat
MIN_FOREGROUND_PX = 16
MIN_FOREGROUND_SHARE = 0.0002  # of the image's pixels (0.02 %)
ACCEPTED = "use a picture of one character on a plain or transparent background"


def why_empty(image: np.ndarray) -> str | None:
    """Why `image` (RGBA or RGB uint8, (H, W, 3|4)) cannot hold a character, or None.

    Fully transparent (no pixel above alpha 8/255), or fully opaque and one flat colour
    (every channel within 6/255 between its 0.5th and 99.5th percentiles)."""
    if image.ndim != 3 or image.shape[2] not in (3, 4):
        return f"it is not an RGB(A) image (shape {image.shape})"
    if image.shape[2] == 4:
        visible = image[..., 3] > VISIBLE_ALPHA
        if not visible.any():
            return "the image is fully transparent"
        if not visible.all():
            return None  # a shape on transparency: its outline is the character
    rgb = image[..., :3].reshape(-1, 3)
    if len(rgb) > 200_000:
        rgb = rgb[:: len(rgb) // 200_000]
    lo, hi = np.percentile(rgb, [0.5, 99.5], axis=0)
    if np.all(hi - lo <= FLAT_RANGE):
        return "the image is one flat colour"
    return None


def foreground_pixels(alpha: np.ndarray) -> int:
    """Pixels of an alpha (H, W) float32 in [0, 1] that are more opaque than not."""
    return int(np.count_nonzero(alpha > 0.5))


def require_character(image: np.ndarray, alpha: np.ndarray, name: str = "the image") -> None:
    """Raise NoCharacter unless `image` holds a character and `alpha` (H, W) float32 in
    [0, 1], its cut-out, keeps at least 16 px and 0.02 % of the image opaque."""
    reason = why_empty(image)
    if reason is None:
        need = max(MIN_FOREGROUND_PX, int(MIN_FOREGROUND_SHARE * alpha.size))
        if foreground_pixels(alpha) < need:
            reason = "nothing stands out from the background (the cut-out is empty)"
    if reason is not None:
        raise NoCharacter(f"no character found in {name}: {reason}; {ACCEPTED}")
