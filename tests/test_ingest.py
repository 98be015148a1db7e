from __future__ import annotations

import io
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from studio.errors import ImageError
from studio.ingest import decode_image, from_array, load_image


def encode(im: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    im.save(buf, format=fmt, **kw)
    return buf.getvalue()


def png_with_header(w: int, h: int) -> bytes:
    """A PNG whose IHDR claims w×h (no real pixel data): a decompression bomb header."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64))


@pytest.mark.parametrize("fmt", ["PNG", "JPEG", "WEBP", "BMP", "TIFF", "GIF"])
def test_formats_decode_to_rgba(fmt: str) -> None:
    im = Image.new("RGB", (40, 30), (200, 10, 10))
    src = decode_image(encode(im, fmt), name=f"x.{fmt.lower()}")
    assert src.image.shape == (30, 40, 4) and src.image.dtype == np.uint8
    assert abs(int(src.image[15, 20, 0]) - 200) < 12
    assert (src.image[..., 3] == 255).all()
    assert not src.had_alpha


def test_palette_with_transparency() -> None:
    im = Image.new("P", (32, 32), 0)
    im.putpalette([255, 255, 255, 255, 0, 0] + [0] * 762)
    im.paste(1, (8, 8, 24, 24))
    src = decode_image(encode(im, "PNG", transparency=0))
    assert src.had_alpha
    assert src.image[0, 0, 3] == 0 and src.image[16, 16, 3] == 255
    assert tuple(src.image[16, 16, :3]) == (255, 0, 0)


def test_la_and_16bit_and_cmyk() -> None:
    la = Image.merge("LA", [Image.new("L", (20, 20), 90), Image.new("L", (20, 20), 128)])
    src = decode_image(encode(la, "PNG"))
    assert src.image[0, 0, 3] == 128 and src.image[0, 0, 0] == 90

    arr16 = np.full((20, 20), 65535 // 2, np.uint16)
    src = decode_image(encode(Image.fromarray(arr16), "PNG"))
    assert abs(int(src.image[0, 0, 0]) - 128) <= 1

    cmyk = Image.new("CMYK", (20, 20), (0, 255, 255, 0))  # red
    src = decode_image(encode(cmyk, "JPEG"))
    assert src.image[5, 5, 0] > 200 and src.image[5, 5, 1] < 60


def test_exif_rotation_is_applied() -> None:
    im = Image.new("RGB", (40, 20), (0, 0, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise to display
    src = decode_image(encode(im, "JPEG", exif=exif))
    assert src.image.shape[:2] == (40, 20)


def test_gif_first_frame() -> None:
    frames = [Image.new("RGB", (20, 20), c) for c in [(255, 0, 0), (0, 255, 0)]]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    src = decode_image(data)
    assert src.image[0, 0, 0] > 200 and src.image[0, 0, 1] < 50


@pytest.mark.parametrize(
    "data, words",
    [
        (b"", "empty"),
        (b"this is not an image at all", "not a recognised image"),
        (png_with_header(50000, 50000), "megapixels"),
        (encode(Image.new("RGB", (8, 8)), "PNG"), "at least 16"),
    ],
)
def test_bad_inputs_give_clear_errors(data: bytes, words: str) -> None:
    with pytest.raises(ImageError, match=words):
        decode_image(data, name="upload.png")


def test_a_40_megapixel_image_is_refused_by_default() -> None:
    with pytest.raises(ImageError, match="8000×5000 = 40 megapixels; the limit is 24"):
        decode_image(png_with_header(8000, 5000), name="huge.png")


def test_pixel_and_byte_limits() -> None:
    data = encode(Image.new("RGB", (100, 100)), "PNG")
    with pytest.raises(ImageError, match="megapixels"):
        decode_image(data, max_pixels=5000)
    with pytest.raises(ImageError, match="MB"):
        decode_image(data, max_bytes=10)


def test_truncated_file(tmp_path) -> None:
    data = encode(Image.new("RGB", (200, 200), (1, 2, 3)), "PNG")
    p = tmp_path / "cut.png"
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ImageError, match=r"cut\.png"):
        load_image(p)
    with pytest.raises(ImageError, match="no such file"):
        load_image(tmp_path / "missing.png")


def test_from_array_validates() -> None:
    assert from_array(np.zeros((20, 20, 3), np.uint8)).image.shape == (20, 20, 4)
    with pytest.raises(ImageError, match="uint8"):
        from_array(np.zeros((20, 20, 3), np.float32))
