"""Checks of arguments that come from outside (the Python API, the CLI, a remote worker), made
before anything is created or changed. Each raises the product's error kind with the bad
value echoed and what is accepted (diffusers' ``check_inputs`` style).
"""

from __future__ import annotations

import math
import os
from numbers import Integral
from pathlib import Path

import numpy as np

from studio.errors import InputError, MaskError
from studio.types import Mask


def check_index(name: str, value: object, count: int) -> int:
    """`value` as an int if it is a whole number in [0, count); InputError otherwise (the
    message names the accepted range and echoes the value: "slot must be between 0 and 7,
    got 2.5").

    Accepts Python and numpy integers (and floats with no fraction, as a UI number box
    sends them); refuses bools, strings, NaN and fractions such as 2.5."""
    if count <= 0:
        raise InputError(f"there is no {name} yet: generate first")
    if isinstance(value, bool) or value is None:
        ok = False
    elif isinstance(value, Integral):
        ok = True
    elif isinstance(value, float | np.floating):
        ok = math.isfinite(value) and float(value).is_integer()
    else:
        ok = False
    if not ok or not 0 <= int(value) < count:  # type: ignore[call-overload]
        raise InputError(f"{name} must be between 0 and {count - 1}, got {value!r}")
    return int(value)  # type: ignore[call-overload]


def check_number(name: str, value: object, lo: float, hi: float, whole: bool = False) -> float:
    """`value` as a float if it is a number in [lo, hi] (a whole one when `whole`);
    InputError otherwise ("frames must be between 2 and 60, got 0"). Refuses bools, strings,
    None and NaN, which would otherwise fail deep inside with a TypeError."""
    is_number = isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_)
    if not is_number or not math.isfinite(float(value)):  # type: ignore[arg-type]
        raise InputError(f"{name} must be a number between {lo:g} and {hi:g}, got {value!r}")
    number = float(value)  # type: ignore[arg-type]
    if not lo <= number <= hi:
        raise InputError(f"{name} must be between {lo:g} and {hi:g}, got {value!r}")
    if whole and not number.is_integer():
        raise InputError(
            f"{name} must be a whole number between {lo:g} and {hi:g}, got {value!r}")
    return number


def check_stroke(stroke: object, shape: tuple[int, int]) -> np.ndarray:
    """A brush stroke as float32 (H, W) in [0, 1] matching `shape` = (H, W) in px.

    Refuses anything that is not a 2-D numeric array of that size, NaN or infinite values,
    and values outside [0, 1] (by more than a rounding error)."""
    arr = np.asarray(stroke) if not isinstance(stroke, np.ndarray) else stroke
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
        raise InputError(f"a brush stroke must be a numeric (H, W) array, got dtype {arr.dtype}")
    if arr.ndim != 2 or tuple(arr.shape) != tuple(shape):
        raise InputError(
            f"a brush stroke must be a {shape[1]}×{shape[0]} (W×H) array of the frame's size, "
            f"got shape {arr.shape}"
        )
    out = arr.astype(np.float32)
    if not np.isfinite(out).all():
        bad = int(np.count_nonzero(~np.isfinite(out)))
        raise InputError(f"a brush stroke must hold numbers in [0, 1]; {bad} values are NaN or ∞")
    lo, hi = float(out.min()), float(out.max())
    if lo < -1e-3 or hi > 1 + 1e-3:
        raise InputError(f"a brush stroke must hold values in [0, 1], got {lo:g} to {hi:g}")
    return np.clip(out, 0, 1)


_SAME_SUFFIX = {".apng": ".png"}  # an APNG may be named .apng or .png


def check_output_path(path: str | Path, example_suffix: str = ".png") -> Path:
    """The file `path` to write an export to, checked before any work: not a folder, named
    with the suffix of what is written (`example_suffix`, e.g. ".webm" for a Telegram video
    sticker; ".apng" is accepted for ".png"), its folder exists and is writable. Missing
    folders are not created (the CLI's make and export and the Python API behave the same).
    Raises InputError saying what to change."""
    out = Path(path).expanduser()
    if str(path).endswith(("/", os.sep)) or out.is_dir():
        raise InputError(
            f"-o {path} is a folder; give a file name like {out / ('out' + example_suffix)}"
        )
    suffix = out.suffix.lower()
    if _SAME_SUFFIX.get(suffix, suffix) != example_suffix.lower():
        raise InputError(
            f"-o {path}: this writes a {example_suffix} file; name it "
            f"{out.with_suffix(example_suffix)}"
        )
    parent = out.parent
    if not parent.exists():
        raise InputError(f"-o {path}: the folder {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise InputError(f"-o {path}: {parent} is a file, not a folder")
    if not os.access(parent, os.W_OK):
        raise InputError(f"-o {path}: the folder {parent} is not writable")
    return out


def check_mask(mask: object, image: np.ndarray, what: str = "the mask") -> Mask:
    """`mask` if it answers `image` ((H, W, 3|4) uint8): a Mask whose alpha is (H, W) float in
    [0, 1] with no NaN, and whose foreground colour, when given, is (H, W, 3) uint8.

    Raises MaskError naming the frame's size and what came back: a remote worker that
    answered another frame, a mask of the wrong mode or size, or values that are not alpha."""
    h, w = image.shape[:2]
    if not isinstance(mask, Mask):
        raise MaskError(f"{what} is not a mask (got {type(mask).__name__})")
    a = np.asarray(mask.alpha)
    if a.ndim != 2:
        raise MaskError(f"{what} must be one greyscale channel (H, W), got shape {a.shape}")
    if a.shape != (h, w):
        raise MaskError(f"{what} is {a.shape[1]}×{a.shape[0]} px but its frame is {w}×{h} px")
    if not np.issubdtype(a.dtype, np.floating):
        raise MaskError(f"{what} must be float alpha in [0, 1], got dtype {a.dtype}")
    if not np.isfinite(a).all() or float(a.min()) < -1e-3 or float(a.max()) > 1 + 1e-3:
        raise MaskError(f"{what} holds values outside [0, 1] (or NaN)")
    fg = mask.foreground
    if fg is not None:
        f = np.asarray(fg)
        if f.ndim != 3 or f.shape[2] != 3 or f.shape[:2] != (h, w) or f.dtype != np.uint8:
            raise MaskError(
                f"{what}'s colour image must be {w}×{h} RGB uint8, got shape {f.shape} "
                f"dtype {f.dtype}"
            )
    if a.dtype != np.float32:
        mask.alpha = a.astype(np.float32)
    return mask
