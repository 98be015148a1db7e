"""The request/response schema shared by the worker and the client, and its PNG codec.

Request: ``{"task": "rembg" | "sam" | "birefnet" | "segment" | "generate",
"image": <base64 PNG>, "params": {...}}``.
Response: ``{"mask": <base64 16-bit PNG>, "foreground": <base64 PNG> | None, "backend",
"score", "info"}`` for segmentation, ``{"slots": [...]}`` for generation, or
``{"error": {"type", "message"}}``.

Images travel as base64 PNG (lossless); alpha masks as 16-bit greyscale PNG, so a mask that
crossed the wire differs from the local one by at most 1/65535.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
from typing import Any, Literal

import numpy as np
from PIL import Image
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from studio import errors
from studio.errors import InputError, StudioError
from studio.types import Candidate, Mask, Prompt, Slot

Task = Literal["rembg", "sam", "birefnet", "segment", "generate"]
TASKS: tuple[str, ...] = ("rembg", "sam", "birefnet", "segment", "generate")
SEGMENT_TASKS: tuple[str, ...] = ("rembg", "sam", "birefnet", "segment")

MAX_IMAGE_B64_CHARS = 10_000_000  # RunPod's /run body limit is 10 MB
MAX_IMAGE_PIXELS = 4096 * 4096
MAX_POINTS = 64
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class WireError(InputError):
    """A request or response that does not follow the schema; the message says what."""


class RemoteError(StudioError):
    """The worker failed in a way the client cannot map to a known StudioError kind."""


# ---------------------------------------------------------------------------- codec
def encode_png(arr: np.ndarray) -> str:
    """Base64 PNG of an (H, W) uint8/uint16, (H, W, 3) or (H, W, 4) uint8 array."""
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr)).save(buf, format="PNG", compress_level=1)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def decode_png(
    data: str, what: str = "image", max_pixels: int = MAX_IMAGE_PIXELS
) -> np.ndarray:
    """The array in a base64 PNG: (H, W) uint8/uint16 or (H, W, 3|4) uint8 as stored.

    Raises WireError for text that is not base64, bytes that are not a PNG, or more than
    `max_pixels` pixels (checked from the header, before decoding)."""
    if not isinstance(data, str):
        raise WireError(f"{what} must be a base64 PNG string, got {type(data).__name__}")
    if len(data) > MAX_IMAGE_B64_CHARS:
        raise WireError(
            f"{what} is {len(data)} base64 characters; the limit is {MAX_IMAGE_B64_CHARS}"
        )
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise WireError(f"{what} is not valid base64") from None
    if not raw.startswith(PNG_SIGNATURE):
        raise WireError(f"{what} must be a PNG (it does not start with the PNG signature)")
    try:
        with Image.open(io.BytesIO(raw)) as im:
            w, h = im.size
            if w * h > max_pixels:
                raise WireError(
                    f"{what} is {w}x{h} = {w * h} pixels; the limit is {max_pixels}"
                )
            if im.mode not in ("L", "RGB", "RGBA", "I;16"):
                im = im.convert("RGBA")
            return np.asarray(im).copy()
    except WireError:
        raise
    except (OSError, ValueError, Image.DecompressionBombError) as e:
        raise WireError(f"{what} could not be decoded as PNG: {e}") from None


def encode_alpha(alpha: np.ndarray) -> str:
    """Base64 16-bit greyscale PNG of an (H, W) float alpha in [0, 1]."""
    q = np.rint(np.clip(np.asarray(alpha, np.float64), 0, 1) * 65535).astype(np.uint16)
    return encode_png(q)


def decode_alpha(data: str, what: str = "mask") -> np.ndarray:
    """(H, W) float32 alpha in [0, 1] from a base64 8- or 16-bit greyscale PNG."""
    arr = decode_png(data, what)
    if arr.ndim != 2:
        raise WireError(f"{what} must be a greyscale PNG, got shape {arr.shape}")
    scale = 65535.0 if arr.dtype == np.uint16 else 255.0
    return (arr.astype(np.float32) / scale).astype(np.float32)


def decode_image(data: str, what: str = "image") -> np.ndarray:
    """(H, W, 3|4) uint8 RGB(A) from a base64 PNG (greyscale is expanded to RGB)."""
    arr = decode_png(data, what)
    if arr.ndim == 2:
        if arr.dtype == np.uint16:
            arr = (arr >> 8).astype(np.uint8)
        arr = np.repeat(arr[..., None], 3, axis=2)
    return arr


# ---------------------------------------------------------------------------- requests
class _Closed(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PointIn(_Closed):
    x: float
    y: float
    include: bool = True


class PromptIn(_Closed):
    points: list[PointIn] = Field(default_factory=list, max_length=MAX_POINTS)
    box: tuple[float, float, float, float] | None = None

    def to_prompt(self) -> Prompt:
        return Prompt.from_dict(self.model_dump())


class SegmentParams(_Closed):
    """model: the variant for rembg/birefnet/sam ("isnet-anime", "tiny"); backend: the
    worker's registry name for the ``segment`` task ("classical"); options: its Options."""

    model: str | None = Field(None, max_length=64)
    backend: str | None = Field(None, max_length=64)
    prompt: PromptIn | None = None
    options: dict[str, Any] = Field(default_factory=dict)


class GenerateParams(_Closed):
    """The generator call: spec is MotionSpec.to_dict(); size is (width, height) in px;
    slot set means "redo that one slot" (regenerate)."""

    generator: str | None = Field(None, max_length=64)
    options: dict[str, Any] = Field(default_factory=dict)
    spec: dict[str, Any]
    size: tuple[int, int]
    candidates: int = Field(1, ge=1, le=8)
    seed: int = 0
    slot: int | None = Field(None, ge=0)


class Request(_Closed):
    task: Task
    image: str = Field(max_length=MAX_IMAGE_B64_CHARS)
    params: dict[str, Any] = Field(default_factory=dict)

    def segment_params(self) -> SegmentParams:
        return _parse(SegmentParams, self.params, f"params of task {self.task!r}")

    def generate_params(self) -> GenerateParams:
        return _parse(GenerateParams, self.params, "params of task 'generate'")


def _parse(model: type[BaseModel], data: Any, what: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'value'}: {err['msg']}"
            for err in e.errors()[:5]
        )
        raise WireError(f"invalid {what}: {problems}") from None


def parse_request(payload: Any) -> Request:
    """Validate a job input; raises WireError naming the bad fields and the accepted tasks."""
    if not isinstance(payload, dict):
        raise WireError(f"a request must be a JSON object, got {type(payload).__name__}")
    if "task" in payload and payload["task"] not in TASKS:
        raise WireError(f"task must be one of {', '.join(TASKS)}, got {payload['task']!r}")
    return _parse(Request, payload, "request")


def segment_request(
    task: str, image: np.ndarray, params: SegmentParams | None = None
) -> dict[str, Any]:
    """The JSON-ready request to segment `image` ((H, W, 3|4) uint8)."""
    p = params.model_dump(exclude_none=True) if params else {}
    return {"task": task, "image": encode_png(image), "params": p}


# ---------------------------------------------------------------------------- responses
def mask_to_wire(mask: Mask) -> dict[str, Any]:
    fg = encode_png(mask.foreground) if mask.foreground is not None else None
    return {
        "mask": encode_alpha(mask.alpha),
        "foreground": fg,
        "backend": mask.backend,
        "score": None if mask.score is None else float(mask.score),
        "info": jsonable(mask.info),
    }


def mask_from_wire(out: Any, via: str) -> Mask:
    """A Mask from a segmentation response; `via` is prefixed to the backend name."""
    if not isinstance(out, dict) or not isinstance(out.get("mask"), str):
        raise WireError(f"the worker's answer has no mask: {_preview(out)}")
    alpha = decode_alpha(out["mask"])
    fg = out.get("foreground")
    foreground = decode_image(fg, "foreground")[..., :3] if isinstance(fg, str) else None
    if foreground is not None and foreground.shape[:2] != alpha.shape:
        raise WireError(f"foreground {foreground.shape[:2]} and mask {alpha.shape} differ")
    score = out.get("score")
    if score is not None and (isinstance(score, bool) or not isinstance(score, int | float)):
        raise WireError(f"the mask's score must be a number or null, got {_preview(score)}")
    info = out.get("info") or {}
    if not isinstance(info, dict):
        raise WireError(f"the mask's info must be an object, got {_preview(info)}")
    info = dict(info, worker_backend=out.get("backend"))
    return Mask(alpha, via, None if score is None else float(score), foreground, info)


def candidate_to_wire(c: Candidate) -> dict[str, Any]:
    return {
        "id": c.id,
        "origin": jsonable(c.origin),
        "rgba": encode_png(c.rgba) if c.rgba is not None else None,
        "rgb": encode_png(c.rgb) if c.rgb is not None else None,
        "mask": mask_to_wire(c.mask) if c.mask is not None else None,
    }


def candidate_from_wire(d: Any) -> Candidate:
    if not isinstance(d, dict) or not (d.get("rgba") or d.get("rgb")):
        raise WireError(f"a candidate needs an rgba or rgb image, got {_preview(d)}")
    rgba = decode_image(d["rgba"], "candidate rgba") if d.get("rgba") else None
    rgb = decode_image(d["rgb"], "candidate rgb")[..., :3] if d.get("rgb") else None
    mask = mask_from_wire(d["mask"], str(d["mask"].get("backend"))) if d.get("mask") else None
    return Candidate(str(d.get("id", "")), dict(d.get("origin") or {}), rgba, rgb, mask)


def slots_to_wire(slots: list[Slot]) -> dict[str, Any]:
    return {
        "slots": [
            {"index": s.index, "chosen": s.chosen,
             "candidates": [candidate_to_wire(c) for c in s.candidates]}
            for s in slots
        ]
    }


def slots_from_wire(out: Any) -> list[Slot]:
    if not isinstance(out, dict) or not isinstance(out.get("slots"), list):
        raise WireError(f"the worker's answer has no slots: {_preview(out)}")
    return [
        Slot(int(s["index"]), [candidate_from_wire(c) for c in s["candidates"]],
             int(s.get("chosen", 0)))
        for s in out["slots"]
    ]


# ---------------------------------------------------------------------------- errors
def error_to_wire(exc: BaseException) -> dict[str, Any]:
    return {"error": {"type": type(exc).__name__, "message": str(exc)}}


_KINDS: dict[str, type[StudioError]] = {
    name: cls
    for name, cls in vars(errors).items()
    if isinstance(cls, type) and issubclass(cls, StudioError) and name != "FrameError"
}
_KINDS.update(WireError=WireError, RemoteError=RemoteError)


def error_from_wire(err: Any) -> StudioError:
    """The StudioError for a worker's error: {"type", "message"}, its JSON text, RunPod's
    own JSON (error_type / error_message) or plain text."""
    if isinstance(err, str):
        try:
            err = json.loads(err)
        except ValueError:
            return RemoteError(f"the worker failed: {err[:500]}")
    if isinstance(err, dict) and "type" in err:
        cls = _KINDS.get(str(err["type"]), RemoteError)
        msg = str(err.get("message", ""))
        return cls(msg) if cls is not RemoteError else RemoteError(f"{err['type']}: {msg}")
    if isinstance(err, dict) and "error_message" in err:
        kind = str(err.get("error_type", "")).removeprefix("<class '").removesuffix("'>")
        return RemoteError(f"the worker failed: {kind}: {err['error_message']}")
    return RemoteError(f"the worker failed: {_preview(err)}")


def jsonable(info: dict[str, Any]) -> dict[str, Any]:
    """The JSON-safe part of an info/origin dict (numpy scalars become Python numbers)."""
    out: dict[str, Any] = {}
    for k, v in info.items():
        if isinstance(v, (np.floating, np.integer, np.bool_)):
            v = v.item()
        if isinstance(v, (str, int, float, bool)) or v is None:
            out[str(k)] = v
        elif isinstance(v, (list, tuple)) and all(isinstance(x, (str, int, float)) for x in v):
            out[str(k)] = list(v)
    return out


def _preview(obj: Any, n: int = 200) -> str:
    text = repr(obj)
    return text if len(text) <= n else text[:n] + "…"
