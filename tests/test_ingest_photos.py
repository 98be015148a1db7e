"""Phone photos and written files: MPO (JPEG + MPF) accepted, a 36-megapixel JPEG scaled
down while decoding (with a note), bombs and absurd sizes still refused, and every file the
studio writes gets the mode the umask says."""

from __future__ import annotations

import io
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.errors import ImageError
from studio.fileio import atomic_write_bytes
from studio.ingest import decode_image, draft_scale
from tests.conftest import EXAMPLES


def jpeg(w: int, h: int, **kw) -> bytes:
    """A w×h JPEG: a red disc on light grey (cheap to encode at any size)."""
    small = Image.new("RGB", (64, 64), (235, 235, 235))
    yy, xx = np.mgrid[0:64, 0:64]
    arr = np.asarray(small).copy()
    arr[(yy - 32) ** 2 + (xx - 32) ** 2 < 20**2] = (220, 30, 30)
    buf = io.BytesIO()
    Image.fromarray(arr).resize((w, h), Image.NEAREST).save(buf, "JPEG", quality=70, **kw)
    return buf.getvalue()


def test_mpo_phone_photo_is_accepted() -> None:
    first = Image.new("RGB", (120, 80), (200, 20, 20))
    second = Image.new("RGB", (120, 80), (20, 20, 200))
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(buf.getvalue())).format == "MPO"
    src = decode_image(buf.getvalue(), name="IMG_0001.jpg")
    assert src.image.shape == (80, 120, 4)
    r, _, b = (int(c) for c in src.image[40, 60, :3])
    assert r > 150 and b < 80, "the primary (first) image is the one used"
    assert src.notes == ()


def test_a_36_megapixel_jpeg_is_scaled_down_with_a_note() -> None:
    data = jpeg(7360, 4912)  # 36.2 MP, as a phone writes it
    src = decode_image(data, name="PXL_1234.jpg")
    assert src.image.shape == (2456, 3680, 4)  # decoded at 1/2: 9 MP
    assert len(src.notes) == 1
    note = src.notes[0]
    assert "7360×4912" in note and "36 megapixels" in note and "1/2" in note
    assert "3680×2456" in note and "STUDIO_MAX_PIXELS" not in note
    centre = src.image[2456 // 2, 3680 // 2]
    assert centre[0] > 180 and centre[1] < 80  # the picture, not noise
    # within the limit: decoded as it is, no note
    assert decode_image(jpeg(400, 300), name="small.jpg").notes == ()


def test_scaled_photo_keeps_exif_rotation_and_cmyk() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: rotate 90° clockwise to display
    src = decode_image(jpeg(2000, 1000, exif=exif), name="r.jpg", max_pixels=600_000)
    assert src.image.shape == (1000, 500, 4) and "1/2" in src.notes[0]
    buf = io.BytesIO()
    Image.new("CMYK", (1600, 1200), (0, 200, 200, 0)).save(buf, "JPEG")
    src = decode_image(buf.getvalue(), name="print.jpg", max_pixels=200_000)
    assert src.image.shape == (300, 400, 4) and "1/4" in src.notes[0]
    assert src.image[150, 200, 0] > 180 and src.image[150, 200, 1] < 90  # red, not inverted


def test_scaled_photo_note_reaches_the_project(studio_home: Path) -> None:
    from studio.pipeline import Studio
    from studio.settings import load_settings

    studio = Studio(load_settings({"STUDIO_HOME": str(studio_home),
                                   "STUDIO_MAX_PIXELS": "1000000"}))
    project = studio.new_project(jpeg(2000, 1500), name="big.jpg")
    src = project.manifest["source"]
    assert src["size"] == [1000, 750]
    assert any("scaled down to 1/2" in n for n in src["notes"])


def test_bombs_and_absurd_sizes_are_still_refused() -> None:
    # a JPEG too large even at 1/8 scale for the limit in force
    with pytest.raises(ImageError, match=r"3000×3000 = 9 megapixels; the limit is 0\.1 megapixels"):
        decode_image(jpeg(3000, 3000), name="a.jpg", max_pixels=100_000)
    assert draft_scale(3000, 3000, 100_000) is None and draft_scale(3000, 3000, 150_000) == 8
    # a JPEG whose header declares 20000×10000 px (200 MP): Pillow's bomb limit refuses it
    data = bytearray(jpeg(64, 64))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = (10000).to_bytes(2, "big") + (20000).to_bytes(2, "big")
    with pytest.raises(ImageError, match="declares 200 megapixels"):
        decode_image(bytes(data), name="bomb.jpg")
    # other formats are not scaled: over the limit is refused before decoding
    png = io.BytesIO()
    Image.new("RGB", (600, 400)).save(png, "PNG")
    with pytest.raises(ImageError, match=r"600×400 = 0\.24 megapixels; the limit"):
        decode_image(png.getvalue(), name="a.png", max_pixels=200_000)


@pytest.fixture
def umask() -> Iterator[object]:
    old = os.umask(0o022)
    try:
        yield os.umask
    finally:
        os.umask(old)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_written_files_follow_the_umask(
    tmp_path: Path, umask, mask: int, mode: int, studio_home: Path
) -> None:
    umask(mask)
    target = tmp_path / "out" / "file.bin"
    atomic_write_bytes(target, b"x")
    assert stat.S_IMODE(target.stat().st_mode) == mode
    atomic_write_bytes(target, b"yy")  # replacing keeps to the umask too
    assert stat.S_IMODE(target.stat().st_mode) == mode and target.read_bytes() == b"yy"
    assert not list(target.parent.glob(".*.tmp"))

    from studio.pipeline import Studio

    studio = Studio()
    project = studio.new_project(EXAMPLES / "star.png")
    spec = studio.motion_spec(preset="bounce", frames=6, fps=6)
    studio.generate(project, spec, size=(96, 96))
    export = studio.export(project, "telegram-emoji", tmp_path / "sticker.webm")
    written = [project.path / "manifest.json", export.path,
               *[p for p in project.path.rglob("*") if p.is_file()][:5]]
    for p in written:
        assert stat.S_IMODE(p.stat().st_mode) == mode, p
