"""From a generated video clip to the frames of a sticker: pure functions on numpy arrays.

A clip is (F, H, W, 3) uint8 RGB on a plain white background. The steps, in order:

1. ``place_on_white``: the source cut-out fitted onto a white canvas of the model's size (the
   conditioning image).
2. ``crop_and_resize``: drop the border some models smear, and scale to the output size.
3. ``find_loop`` + ``blend_seam``: where the clip comes closest to its first frame, and a
   cross-fade over the seam; ``seam_error`` says how far apart the two ends still are.
4. ``sample_positions``: which clip frames become the target frames at the target fps.

Distances between frames are mean absolute differences of 48-pixel thumbnails, in [0, 1].
Ranking of candidates lives in ``studio.generate.ranking``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from studio.errors import InputError

THUMB = 48


def place_on_white(
    cutout: np.ndarray, size: tuple[int, int], margin: float = 0.08
) -> np.ndarray:
    """The cut-out's bounding box scaled to fit `size` (width, height) inside `margin` (a
    fraction of each side), centred, composited on white.

    cutout: (h, w, 4) uint8 RGBA. Returns (height, width, 3) uint8 RGB."""
    width, height = size
    if not 0 <= margin < 0.5:
        raise InputError(f"margin must be between 0 and 0.5, got {margin}")
    alpha = cutout[..., 3]
    ys, xs = np.nonzero(alpha > 8)
    if len(xs) == 0:
        raise InputError("the source cut-out is empty (fully transparent): segment it again")
    crop = cutout[ys.min() : ys.max() + 1, xs.min() : xs.max() + 1].astype(np.float32) / 255
    ch, cw = crop.shape[:2]
    scale = min(width * (1 - 2 * margin) / cw, height * (1 - 2 * margin) / ch)
    nw, nh = max(1, round(cw * scale)), max(1, round(ch * scale))
    interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
    # premultiplied resize: no white or dark fringes from transparent pixels' colours
    premul = np.dstack([crop[..., :3] * crop[..., 3:4], crop[..., 3:4]])
    premul = np.clip(cv2.resize(premul, (nw, nh), interpolation=interp), 0, 1)
    canvas = np.ones((height, width, 3), np.float32)
    x0, y0 = (width - nw) // 2, (height - nh) // 2
    region = canvas[y0 : y0 + nh, x0 : x0 + nw]
    region[:] = premul[..., :3] + region * (1 - premul[..., 3:4])
    return np.clip(np.rint(canvas * 255), 0, 255).astype(np.uint8)


def to_uint8(frames: np.ndarray) -> np.ndarray:
    """(F, H, W, 3) float in [0, 1] (a pipeline's "np" output) → uint8; uint8 passes through."""
    if frames.dtype == np.uint8:
        return frames
    return np.clip(np.rint(np.asarray(frames, np.float32) * 255), 0, 255).astype(np.uint8)


def crop_and_resize(frames: np.ndarray, border: float, size: tuple[int, int]) -> np.ndarray:
    """Cut `border` (fraction of width and height, each side) off every frame, then resize to
    `size` (width, height). frames: (F, H, W, 3) uint8 → (F, height, width, 3) uint8."""
    if not 0 <= border < 0.25:
        raise InputError(f"border crop must be between 0 and 0.25, got {border}")
    _f, h, w = frames.shape[:3]
    bx, by = round(w * border), round(h * border)
    cropped = frames[:, by : h - by, bx : w - bx]
    if cropped.shape[1:3] == (size[1], size[0]):
        return np.ascontiguousarray(cropped)
    interp = cv2.INTER_AREA if cropped.shape[2] >= size[0] else cv2.INTER_CUBIC
    return np.stack([cv2.resize(fr, size, interpolation=interp) for fr in cropped])


def thumbnails(frames: np.ndarray, side: int = THUMB) -> np.ndarray:
    """(F, H, W, 3) uint8 → (F, side, side, 3) float32 in [0, 1], for frame distances."""
    return np.stack(
        [cv2.resize(fr, (side, side), interpolation=cv2.INTER_AREA) for fr in frames]
    ).astype(np.float32) / 255


def distance(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute difference of two thumbnails (or any equal-shape float arrays)."""
    return float(np.mean(np.abs(a - b)))


@dataclass(frozen=True)
class LoopPoint:
    """A loop of the clip: frames [0, end) play, then frame 0 again.

    error: distance (in [0, 1]) between frame `end` and frame 0 (0: a perfect match);
    step: median distance between consecutive frames of the loop, for scale (a seam with
        error ≈ step is as smooth as any other step).
    """

    end: int
    error: float
    step: float

    @property
    def seam_ratio(self) -> float:
        """error / step: ≈ 1 or below is seamless; 3 is a visible jump."""
        return self.error / max(self.step, 1e-4)


def find_loop(
    frames: np.ndarray, *, min_length: int = 2, max_length: int | None = None
) -> LoopPoint:
    """The loop point where the clip comes closest to its first frame.

    frames: (F, H, W, 3) uint8. Looks at ends in [min_length, min(max_length, F - 1)]; the
    frame at `end` is the one most like frame 0 (ties go to the longer loop). A clip of F
    frames whose last frame repeats the first (last-frame conditioning) gives end = F - 1.
    """
    n = len(frames)
    hi = min(n - 1, max_length if max_length is not None else n - 1)
    if n < 3 or min_length < 1 or min_length > hi:
        raise InputError(
            f"a loop needs min_length between 1 and {max(1, n - 1)} on a clip of {n} frames, "
            f"got {min_length}"
        )
    th = thumbnails(frames)
    errs = np.array([distance(th[i], th[0]) for i in range(n)])
    window = errs[min_length : hi + 1]
    best = float(window.min())
    ends = np.nonzero(window <= best + 1e-6)[0]
    end = int(ends[-1]) + min_length
    steps = [distance(th[i], th[i + 1]) for i in range(end)]
    return LoopPoint(end=end, error=float(errs[end]), step=float(np.median(steps)))


def blend_seam(frames: np.ndarray, end: int, overlap: int) -> np.ndarray:
    """The loop frames [0, end) with the seam cross-faded over `overlap` frames.

    Where the clip goes on past `end`, its frames end + j (which follow the loop's last frame
    naturally and are in phase with frame j) fade into frames j: frame j = mix of clip[end + j]
    (weight 1 - (j + 1) / (overlap + 1)) and clip[j]. So the step from the last frame back to
    frame 0 is a step the clip really made. Without frames past `end`, the last `overlap`
    frames fade towards frame 0 instead. Returns (end, H, W, 3) uint8."""
    n = len(frames)
    if not 2 <= end <= n:
        raise InputError(f"loop end must be between 2 and {n}, got {end}")
    overlap = max(0, min(overlap, end // 2))
    out = frames[:end].astype(np.float32)
    after = min(overlap, n - end)
    for j in range(after):
        w = 1 - (j + 1) / (after + 1)
        out[j] = w * frames[end + j] + (1 - w) * frames[j]
    if after == 0 and overlap > 0:
        for j in range(overlap):
            w = (j + 1) / (overlap + 1)
            i = end - overlap + j
            out[i] = (1 - w) * frames[i] + w * frames[0]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def seam_jump(frames: np.ndarray) -> float:
    """How the last → first step of a looping sequence compares with its median step
    (≈ 1: seamless; 3: a visible jump). frames: (N, H, W, 3) uint8, N ≥ 3."""
    th = thumbnails(frames)
    steps = [distance(th[i], th[i + 1]) for i in range(len(th) - 1)]
    return distance(th[-1], th[0]) / max(float(np.median(steps)), 1e-4)


@dataclass(frozen=True)
class Sampling:
    """Which clip frames become the target frames.

    positions: (n_out,) float positions in the clip (frame units); indices: them rounded
    (wrapped into [0, period) when looping); speed: how much faster the motion plays than the
    model made it (1: real time; 2: twice as fast).
    """

    positions: np.ndarray
    indices: np.ndarray
    speed: float


def sample_positions(
    n_src: int, src_fps: float, n_out: int, out_fps: float, *, loop: bool
) -> Sampling:
    """Sample `n_out` frames at `out_fps` from a clip of `n_src` frames at `src_fps`.

    loop: the clip is a loop of period n_src (frame n_src is frame 0 again); the n_out frames
        cover one whole period evenly, so the motion plays at speed
        (n_src / src_fps) / (n_out / out_fps).
    not loop: frame k shows time k / out_fps of the clip; when the clip is shorter than the
        target duration, the frames spread evenly over the whole clip instead (slower motion).
    """
    if n_src < 1 or n_out < 1 or src_fps <= 0 or out_fps <= 0:
        raise InputError(
            f"sampling needs positive frame counts and rates, got {n_src} frames at "
            f"{src_fps} fps → {n_out} frames at {out_fps} fps"
        )
    k = np.arange(n_out, dtype=np.float64)
    if loop:
        pos = k * n_src / n_out
        speed = (n_src / src_fps) / (n_out / out_fps)
        idx = np.rint(pos).astype(int) % n_src
    else:
        step = src_fps / out_fps
        if (n_out - 1) * step > n_src - 1:
            step = (n_src - 1) / max(n_out - 1, 1)
        pos = k * step
        speed = step * out_fps / src_fps
        idx = np.clip(np.rint(pos).astype(int), 0, n_src - 1)
    return Sampling(positions=pos, indices=idx, speed=float(speed))


def model_resolution(size: tuple[int, int], area: int, multiple: int) -> tuple[int, int]:
    """(width, height) with the aspect of `size`, about `area` pixels, both sides multiples of
    `multiple` (at least one multiple)."""
    w, h = size
    scale = math.sqrt(area / (w * h))
    mw = max(multiple, round(w * scale / multiple) * multiple)
    mh = max(multiple, round(h * scale / multiple) * multiple)
    return int(mw), int(mh)


def frame_count(n: int, rule: int) -> int:
    """The nearest frame count ≥ 2 of the form rule·k + 1 (Wan: 4k + 1; LTX: 8k + 1); any
    count when rule is 1."""
    if rule <= 1:
        return max(2, n)
    k = max(1, round((n - 1) / rule))
    return rule * k + 1
