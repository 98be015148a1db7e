"""Draw docs/frames.png for the README: an upload, its cut-out, and frames of two motions.

Run: .venv/bin/python docs/make_frames_figure.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from studio.pipeline import Studio
from studio.settings import load_settings

HERE = Path(__file__).parent
ROOT = HERE.parent
CELL = 150


def checker(size: int, square: int = 10) -> Image.Image:
    yy, xx = np.mgrid[:size, :size]
    g = np.where(((yy // square + xx // square) % 2) == 0, 235, 205).astype(np.uint8)
    return Image.fromarray(np.dstack([g, g, g, np.full_like(g, 255)]))


def tile(rgba: np.ndarray, bg: Image.Image) -> Image.Image:
    im = Image.fromarray(rgba).resize((CELL, CELL), Image.Resampling.LANCZOS)
    out = bg.copy()
    out.alpha_composite(im)
    return out


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(load_settings({"STUDIO_HOME": tmp}))
        rows = []
        for image, prompt in [("cat.png", "big jelly wobble with hearts"),
                              ("blob.png", "hop twice then spin with sparkles")]:
            project = studio.new_project(ROOT / "examples" / image)
            studio.segment_source(project)
            source = project.load_source()
            spec = studio.motion_spec(prompt=prompt, frames=12, fps=12, shadow=True)
            studio.generate(project, spec, size=(360, 360))
            frames = project.chosen_frames()
            cells = [tile(source.image, checker(CELL)), tile(source.cutout, checker(CELL))]
            cells += [tile(frames[i], checker(CELL)) for i in range(0, 12, 2)]
            rows.append((prompt, cells))
    label_h = 22
    sheet = Image.new("RGBA", (CELL * 8 + 9 * 4, (CELL + label_h) * len(rows) + 4),
                      (255, 255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r, (prompt, cells) in enumerate(rows):
        y = r * (CELL + label_h)
        draw.text((4, y + 5), "upload", fill=(60, 60, 60))
        draw.text((CELL + 8, y + 5), "cut-out (classical)", fill=(60, 60, 60))
        draw.text((2 * CELL + 12, y + 5), f'frames of "{prompt}"', fill=(60, 60, 60))
        for c, cell in enumerate(cells):
            sheet.alpha_composite(cell, (4 + c * (CELL + 4), y + label_h))
    sheet.convert("RGB").save(HERE / "frames.png", optimize=True)
    print(HERE / "frames.png")


if __name__ == "__main__":
    main()
