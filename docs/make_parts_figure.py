"""Draw docs/parts.png for the README: three characters blinking and waving with part moves
found by the automatic rig (no GPU, no model): each row is the cut-out with its rig drawn on
it, then frames of the loop.

Run: .venv/bin/python docs/make_parts_figure.py
The star is a bundled example; the snowman and the alien monster are Microsoft Fluent UI
Emoji (MIT licence) from ../shared/bench-data/matting-dev when that folder is present.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from studio.motion.rig.overlay import draw_rig
from studio.pipeline import Studio
from studio.settings import load_settings

HERE = Path(__file__).parent
ROOT = HERE.parent
DEV = ROOT.parent / "shared" / "bench-data" / "matting-dev"
CELL = 150
FRAMES = 16
SHOWN = (0, 2, 4, 6, 9, 10, 12, 14)
CASES = [
    (ROOT / "examples" / "star.png", "blink twice then wave"),
    (DEV / "snowman-without-snow__white.truth.png", "blink twice then wave"),
    (DEV / "alien-monster__white.truth.png", "blink twice then wave your left arm"),
    (ROOT / "examples" / "cat.png", "blink twice then wiggle ears"),
]


def checker(size: int, square: int = 10) -> Image.Image:
    yy, xx = np.mgrid[:size, :size]
    g = np.where(((yy // square + xx // square) % 2) == 0, 235, 205).astype(np.uint8)
    return Image.fromarray(np.dstack([g, g, g, np.full_like(g, 255)]))


def tile(rgba: np.ndarray, bg: Image.Image) -> Image.Image:
    im = Image.fromarray(rgba).convert("RGBA").resize((CELL, CELL), Image.Resampling.LANCZOS)
    out = bg.copy()
    out.alpha_composite(im)
    return out


def main() -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        studio = Studio(load_settings({"STUDIO_HOME": tmp}))
        for image, prompt in CASES:
            if not image.is_file():
                print(f"skipped {image} (not on this machine)")
                continue
            project = studio.new_project(image)
            studio.segment_source(project)
            spec = studio.motion_spec(prompt=prompt, frames=FRAMES, fps=12)
            studio.generate(project, spec, size=(360, 360))
            source = project.load_source()
            rig = studio.rig(project)
            frames = project.chosen_frames()
            cells = [tile(draw_rig(source.cutout, rig), checker(CELL))]
            cells += [tile(frames[i], checker(CELL)) for i in SHOWN]
            rows.append((prompt, project.motion.interpretation, rig.describe(), cells))
    label_h = 46
    cols = 1 + len(SHOWN)
    sheet = Image.new("RGBA", (CELL * cols + (cols + 1) * 4, (CELL + label_h) * len(rows) + 4),
                      (255, 255, 255, 255))
    draw = ImageDraw.Draw(sheet)
    for r, (prompt, interp, parts, cells) in enumerate(rows):
        y = r * (CELL + label_h)
        draw.text((4, y + 4), f'"{prompt}"', fill=(20, 20, 20))
        draw.text((4, y + 18), f"rig: {parts}", fill=(60, 60, 60))
        draw.text((4, y + 31), interp.replace("–", "-")[:230], fill=(90, 90, 90))
        for c, cell in enumerate(cells):
            sheet.alpha_composite(cell, (4 + c * (CELL + 4), y + label_h))
    sheet.convert("RGB").save(HERE / "parts.png", optimize=True)
    print(HERE / "parts.png")


if __name__ == "__main__":
    main()
