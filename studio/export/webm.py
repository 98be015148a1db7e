"""WebM VP9 with alpha (yuva420p, no audio) through PyAV's bundled FFmpeg and libvpx.

Encoding uses constant quality (`-b:v 0 -crf N`). The codec time base is the animation's
frame delay itself (1/30 s for 30 fps), so every timestamp is a whole number of frames and
the stream's frame rate is written exactly (30/1, Matroska DefaultDuration); a merged
(held) frame lasts a whole number of ticks. Matroska stores timestamps in ms, so a reader
that rounds them sees 33/34 ms steps: read the rate from the stream, not from ms deltas.
Decoding for checks and round trips uses the libvpx-vp9 decoder: FFmpeg's native vp9
decoder drops the alpha plane.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import reduce

import numpy as np

from studio.errors import BackendUnavailable
from studio.export.encoded import Encoded
from studio.export.frames import bleed_colors, clean_transparent, merge_identical

CODEC = "libvpx-vp9"
_MS = Fraction(1, 1000)


def _av():  # the av module, imported lazily
    try:
        import av
    except ImportError as exc:
        raise BackendUnavailable(
            "WebM export needs PyAV: pip install av (its wheels bundle FFmpeg with libvpx)"
        ) from exc
    return av


def encode_webm(
    frames: Sequence[np.ndarray],
    delays_ms: Sequence[float | Fraction],
    *,
    crf: int = 30,
    max_fps: float | None = None,
    cpu_used: int = 2,
) -> Encoded:
    """WebM bytes (VP9, yuva420p, no audio) of RGBA uint8 frames (H, W, 4).

    delays_ms: ms per frame, exact (Fractions, e.g. 100/3 for 30 fps) or floats (read as the
    nearest fraction with a denominator ≤ 1000). crf: 0..63, lower is better. The stream's
    frame rate is 1000 / the delays' common tick; max_fps: ValueError when that is higher.
    cpu_used: libvpx speed 0..8 (2: near the smallest files, about twice as fast as 0).
    Width and height must be even (yuv420p); odd sizes raise ValueError.
    """
    av = _av()
    h, w = frames[0].shape[:2]
    if h % 2 or w % 2:
        raise ValueError(f"WebM needs an even width and height, got {w}×{h}")
    if not 0 <= crf <= 63:
        raise ValueError(f"crf must be between 0 and 63, got {crf}")
    keys = [clean_transparent(f) for f in frames]
    exact = [Fraction(d).limit_denominator(1000) for d in delays_ms]
    kept, delays = merge_identical(keys, exact)
    tick = reduce(_gcd, exact)  # ms
    rate = Fraction(1000) / tick
    if max_fps is not None and rate > Fraction(max_fps).limit_denominator(1001):
        raise ValueError(f"frame delays of {float(tick):g} ms make {float(rate):g} fps, over "
                         f"the {max_fps:g} fps limit")
    tb = tick / 1000
    buf = io.BytesIO()
    durations: dict[int, int] = {}
    with av.open(buf, "w", format="webm") as box:
        stream = box.add_stream(CODEC, rate=rate)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuva420p"
        stream.codec_context.time_base = tb
        stream.options = {
            "crf": str(int(crf)), "b": "0", "deadline": "good", "cpu-used": str(cpu_used),
            "row-mt": "1",
        }

        def mux(packets: list) -> None:
            for pkt in packets:
                if pkt.pts is not None:
                    pkt.duration = durations.get(int(pkt.pts), pkt.duration)
                box.mux(pkt)

        pts = 0
        for i, d in zip(kept, delays, strict=True):
            vf = av.VideoFrame.from_ndarray(bleed_colors(keys[i], 1.0), format="rgba")
            ticks = int(d / tick)
            vf.pts, vf.time_base = pts, tb
            durations[pts] = ticks
            mux(stream.encode(vf))
            pts += ticks
        mux(stream.encode(None))
    return Encoded(buf.getvalue(), "webm", len(kept), [float(d) for d in delays], None)


def _gcd(a: Fraction, b: Fraction) -> Fraction:
    """Greatest common divisor of two positive fractions."""
    den = a.denominator * b.denominator // math.gcd(a.denominator, b.denominator)
    return Fraction(math.gcd(int(a * den), int(b * den)), den)


@dataclass
class WebmDecoded:
    """A WebM read back: RGBA uint8 frames (H, W, 4), delays in ms, and what the header says.

    codec: the video codec name ("vp9"); pix_fmt: as decoded by libvpx-vp9 ("yuva420p" when
    alpha is present); fps: the stream's average frame rate, rate: the same exactly (a
    Fraction, 0 when the header has none); audio_streams: count.
    """

    frames: list[np.ndarray]
    durations_ms: list[float]
    size: tuple[int, int]
    codec: str
    pix_fmt: str
    fps: float
    audio_streams: int
    other_streams: int
    rate: Fraction = Fraction(0)

    @property
    def has_alpha(self) -> bool:
        return self.pix_fmt.startswith("yuva")


def _rgba(frame) -> np.ndarray:  # frame: an av.VideoFrame
    """RGBA uint8 (H, W, 4) of a decoded frame; alpha copied from the yuva plane itself
    (PyAV 18's yuva420p → rgba conversion garbles alpha on some frames)."""
    rgb = frame.to_ndarray(format="rgb24")
    h, w = rgb.shape[:2]
    if not frame.format.name.startswith("yuva"):
        return np.dstack([rgb, np.full((h, w), 255, np.uint8)])
    plane = frame.planes[3]
    alpha = np.frombuffer(bytes(plane), np.uint8).reshape(plane.height, plane.line_size)
    return np.dstack([rgb, alpha[:h, :w]])


def decode_webm(data: bytes) -> WebmDecoded:
    """Decode WebM bytes with libvpx-vp9 (so alpha survives). Raises av's errors on bad data."""
    av = _av()
    with av.open(io.BytesIO(data)) as box:
        if not box.streams.video:
            raise ValueError("the WebM file has no video stream")
        vs = box.streams.video[0]
        codec = vs.codec_context.name
        audio = len(box.streams.audio)
        other = len(box.streams) - audio - 1
        dec = av.codec.CodecContext.create(CODEC if codec == "vp9" else codec, "r")
        tb = vs.time_base or _MS
        frames, pts, pix = [], [], ""
        last_end = 0.0
        for pkt in box.demux(vs):
            if pkt.size == 0:
                continue
            if pkt.pts is not None:
                end = float((pkt.pts + (pkt.duration or 0)) * tb * 1000)
                last_end = max(last_end, end)
            for fr in dec.decode(pkt):
                pix = pix or fr.format.name
                frames.append(_rgba(fr))
                pts.append(float(pkt.pts * tb * 1000) if pkt.pts is not None else 0.0)
        for fr in dec.decode(None):
            frames.append(_rgba(fr))
            pts.append(pts[-1] if pts else 0.0)
        total = max(last_end, float(box.duration or 0) / 1000.0)
        durations = [b - a for a, b in zip(pts, [*pts[1:], total], strict=True)]
        rate = Fraction(vs.average_rate) if vs.average_rate else Fraction(0)
        size = (vs.codec_context.width, vs.codec_context.height)
    return WebmDecoded(frames, durations, size, codec, pix, float(rate), audio, other, rate)
