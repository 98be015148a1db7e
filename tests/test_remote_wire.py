"""Wire schema: PNG codec round trips, limits, request validation, error mapping."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from studio.errors import BackendUnavailable, InputError, UnknownBackend
from studio.remote import wire
from studio.remote_settings import load_remote_settings
from studio.types import Candidate, Mask, Point, Prompt, Slot


def _rng_image(h: int, w: int, c: int) -> np.ndarray:
    return np.random.default_rng(h * w + c).integers(0, 256, (h, w, c), dtype=np.uint8)


@pytest.mark.parametrize("channels", [3, 4])
def test_png_round_trip_is_lossless(channels: int) -> None:
    img = _rng_image(17, 23, channels)
    assert np.array_equal(wire.decode_image(wire.encode_png(img)), img)


def test_alpha_round_trip_within_16_bit_step() -> None:
    alpha = np.random.default_rng(0).random((31, 19)).astype(np.float32)
    back = wire.decode_alpha(wire.encode_alpha(alpha))
    assert back.dtype == np.float32 and back.shape == alpha.shape
    assert np.abs(back - alpha).max() <= 0.5 / 65535 + 1e-7


def test_mask_and_slots_round_trip() -> None:
    fg = _rng_image(12, 10, 3)
    mask = Mask(np.linspace(0, 1, 120, dtype=np.float32).reshape(12, 10), "classical", 0.75,
                fg, {"background": "white", "n": np.int64(3), "bad": object()})
    back = wire.mask_from_wire(json.loads(json.dumps(wire.mask_to_wire(mask))), "remote:x")
    assert back.backend == "remote:x" and back.score == 0.75
    assert np.array_equal(back.foreground, fg)
    assert back.info["worker_backend"] == "classical" and back.info["n"] == 3
    assert "bad" not in back.info
    slots = [Slot(0, [Candidate("a", {"seed": 1}, rgba=_rng_image(8, 9, 4))]),
             Slot(1, [Candidate("b", {}, rgb=_rng_image(8, 9, 3), mask=mask_small())])]
    got = wire.slots_from_wire(json.loads(json.dumps(wire.slots_to_wire(slots))))
    assert [s.index for s in got] == [0, 1]
    assert np.array_equal(got[0].candidates[0].rgba, slots[0].candidates[0].rgba)
    assert np.array_equal(got[1].candidates[0].rgb, slots[1].candidates[0].rgb)
    assert got[1].candidates[0].mask is not None


def mask_small() -> Mask:
    return Mask(np.full((8, 9), 0.5, np.float32), "classical")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("not base64!!", "not valid base64"),
        (base64.b64encode(b"GIF89a....").decode(), "must be a PNG"),
        (base64.b64encode(wire.PNG_SIGNATURE + b"garbage").decode(), "could not be decoded"),
        (12, "base64 PNG string"),
    ],
)
def test_bad_images_are_rejected_with_a_clear_message(data: object, expected: str) -> None:
    with pytest.raises(wire.WireError, match=expected):
        wire.decode_png(data)  # type: ignore[arg-type]


def test_pixel_limit_is_checked_before_decoding() -> None:
    big = wire.encode_png(np.zeros((300, 400, 3), np.uint8))
    with pytest.raises(wire.WireError, match=r"400x300 = 120000 pixels; the limit is 1000"):
        wire.decode_png(big, max_pixels=1000)


def test_oversized_base64_is_rejected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wire, "MAX_IMAGE_B64_CHARS", 100)
    with pytest.raises(wire.WireError, match="the limit is 100"):
        wire.decode_png("A" * 101)


def test_request_validation() -> None:
    good = wire.segment_request(
        "sam", _rng_image(8, 8, 3),
        wire.SegmentParams(model="tiny", prompt=wire.PromptIn.model_validate(
            Prompt((Point(1, 2), Point(3, 4, include=False))).to_dict())),
    )
    req = wire.parse_request(json.loads(json.dumps(good)))
    p = req.segment_params()
    assert p.model == "tiny" and p.prompt is not None
    assert p.prompt.to_prompt().points[1] == Point(3, 4, include=False)
    with pytest.raises(wire.WireError, match="task must be one of rembg, sam, birefnet"):
        wire.parse_request({"task": "paint", "image": "x"})
    with pytest.raises(wire.WireError, match="image"):
        wire.parse_request({"task": "segment"})
    with pytest.raises(wire.WireError, match="colour: Extra inputs"):
        wire.parse_request({"task": "segment", "image": "x", "colour": 1})
    with pytest.raises(wire.WireError, match="JSON object"):
        wire.parse_request(["segment"])
    bad = wire.Request(task="segment", image="x", params={"modle": "u2net"})
    with pytest.raises(wire.WireError, match="modle"):
        bad.segment_params()
    gen = wire.Request(task="generate", image="x", params={"spec": {}, "size": [64, 64],
                                                           "candidates": 9})
    with pytest.raises(wire.WireError, match="candidates"):
        gen.generate_params()


def test_errors_map_back_to_their_kind() -> None:
    for exc in (BackendUnavailable("no rembg"), UnknownBackend("no such"), InputError("bad")):
        err = wire.error_to_wire(exc)["error"]
        for form in (err, json.dumps(err)):
            back = wire.error_from_wire(form)
            assert type(back) is type(exc) and str(back) == str(exc)
    odd = wire.error_from_wire({"type": "KeyError", "message": "'x'"})
    assert isinstance(odd, wire.RemoteError) and "KeyError" in str(odd)
    runpod_style = json.dumps({"error_type": "<class 'ValueError'>", "error_message": "boom"})
    assert "ValueError: boom" in str(wire.error_from_wire(runpod_style))
    assert "Job ID not found" in str(wire.error_from_wire("Job ID not found"))


def test_remote_settings_from_env() -> None:
    s = load_remote_settings({"STUDIO_WORKER_URL": "http://127.0.0.1:9/", "STUDIO_MAX_PARALLEL":
                              "30", "STUDIO_WORKER_API_KEY": "sekret"})
    assert s.url == "http://127.0.0.1:9" and s.max_parallel == 30
    assert "sekret" not in repr(s)
    with pytest.raises(InputError, match="STUDIO_MAX_PARALLEL must be at least 1, got '0'"):
        load_remote_settings({"STUDIO_MAX_PARALLEL": "0"})
    with pytest.raises(InputError, match="must start with http"):
        load_remote_settings({"STUDIO_WORKER_URL": "ftp://x"})
