"""Draw the bundled example characters (run: python examples/draw_examples.py).

Each is drawn with anti-aliased vector shapes at 4× and downsampled, then saved the way a
user might upload it: on white, on a pale colour, or with real transparency. The files live
in the package (``studio/assets/examples/``, package data the studio's gallery reads); the
PNGs beside this script are links to them.
"""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
from PIL import Image

SS = 4  # supersampling factor
OUT = Path(__file__).resolve().parents[1] / "studio" / "assets" / "examples"


def canvas(size: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros((size * SS, size * SS, 3), np.float32), np.zeros(
        (size * SS, size * SS), np.float32
    )


def _pts(points: list[tuple[float, float]]) -> np.ndarray:
    return (np.array(points, np.float64) * SS * 16).astype(np.int32).reshape(-1, 1, 2)


def ellipse(rgb, a, c, axes, color, angle=0.0, thickness=-1):
    cx, cy = c
    ax, ay = axes
    layer = np.zeros(a.shape, np.uint8)
    cv2.ellipse(
        layer,
        (int(cx * SS * 16), int(cy * SS * 16)),
        (int(ax * SS * 16), int(ay * SS * 16)),
        angle,
        0,
        360,
        255,
        -1 if thickness < 0 else int(thickness * SS),
        cv2.LINE_AA,
        4,
    )
    paint(rgb, a, layer, color)


def poly(rgb, a, points, color):
    layer = np.zeros(a.shape, np.uint8)
    cv2.fillPoly(layer, [_pts(points)], 255, cv2.LINE_AA, 4)
    paint(rgb, a, layer, color)


def paint(rgb, a, layer, color):
    m = layer.astype(np.float32) / 255
    col = np.array(color, np.float32) / 255
    rgb[:] = rgb * (1 - m[..., None]) + col * m[..., None]
    a[:] = a + m * (1 - a)


def finish(rgb, a, size) -> np.ndarray:
    """Downsample premultiplied and return RGBA uint8."""
    pre = np.dstack([rgb * a[..., None], a])
    small = cv2.resize(pre, (size, size), interpolation=cv2.INTER_AREA)
    alpha = small[..., 3:4]
    col = np.where(alpha > 1e-6, small[..., :3] / np.maximum(alpha, 1e-6), 0)
    return np.clip(np.rint(np.dstack([col, alpha]) * 255), 0, 255).astype(np.uint8)


def on_background(rgba: np.ndarray, bg: tuple[int, int, int]) -> np.ndarray:
    a = rgba[..., 3:4].astype(np.float32) / 255
    out = rgba[..., :3] * a + np.array(bg, np.float32) * (1 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def blob(size=384) -> np.ndarray:
    """A round green blob with an outline, eyes, blush and little feet."""
    rgb, a = canvas(size)
    ink = (40, 44, 52)
    ellipse(rgb, a, (150, 310), (34, 18), ink)
    ellipse(rgb, a, (234, 310), (34, 18), ink)
    ellipse(rgb, a, (192, 200), (120, 112), ink)
    ellipse(rgb, a, (192, 200), (112, 104), (110, 204, 120))
    ellipse(rgb, a, (170, 160), (60, 36), (160, 230, 160), angle=-20)
    ellipse(rgb, a, (150, 205), (14, 20), ink)
    ellipse(rgb, a, (234, 205), (14, 20), ink)
    ellipse(rgb, a, (146, 197), (5, 6), (255, 255, 255))
    ellipse(rgb, a, (230, 197), (5, 6), (255, 255, 255))
    ellipse(rgb, a, (125, 240), (16, 9), (240, 140, 150))
    ellipse(rgb, a, (259, 240), (16, 9), (240, 140, 150))
    poly(rgb, a, [(176, 240), (208, 240), (192, 256)], ink)
    return finish(rgb, a, size)


def cat(size=384) -> np.ndarray:
    """An orange cat face with ears, whiskers and a white muzzle (no outline: soft edges)."""
    rgb, a = canvas(size)
    orange, dark = (245, 160, 70), (70, 50, 40)
    poly(rgb, a, [(95, 170), (110, 60), (180, 120)], orange)
    poly(rgb, a, [(289, 170), (274, 60), (204, 120)], orange)
    poly(rgb, a, [(112, 150), (118, 88), (160, 125)], (250, 190, 190))
    poly(rgb, a, [(272, 150), (266, 88), (224, 125)], (250, 190, 190))
    ellipse(rgb, a, (192, 210), (120, 100), orange)
    ellipse(rgb, a, (192, 250), (60, 42), (255, 245, 235))
    ellipse(rgb, a, (150, 195), (12, 18), dark)
    ellipse(rgb, a, (234, 195), (12, 18), dark)
    poly(rgb, a, [(180, 232), (204, 232), (192, 246)], (230, 110, 120))
    for dy in (-8, 8):
        poly(
            rgb, a, [(130, 250 + dy), (60, 240 + dy * 2), (60, 243 + dy * 2), (130, 253 + dy)], dark
        )
        poly(
            rgb,
            a,
            [(254, 250 + dy), (324, 240 + dy * 2), (324, 243 + dy * 2), (254, 253 + dy)],
            dark,
        )
    return finish(rgb, a, size)


def star(size=384) -> np.ndarray:
    """A yellow star character with a hole-free outline and a smile."""
    rgb, a = canvas(size)
    cx, cy = 192, 200
    pts_out, pts_in = [], []
    for i in range(10):
        r = 150 if i % 2 == 0 else 66
        ang = -np.pi / 2 + i * np.pi / 5
        pts_out.append((cx + (r + 8) * np.cos(ang), cy + (r + 8) * np.sin(ang)))
        pts_in.append((cx + r * np.cos(ang), cy + r * np.sin(ang)))
    poly(rgb, a, pts_out, (60, 40, 20))
    poly(rgb, a, pts_in, (255, 214, 60))
    ellipse(rgb, a, (170, 195), (8, 13), (60, 40, 20))
    ellipse(rgb, a, (214, 195), (8, 13), (60, 40, 20))
    ellipse(rgb, a, (192, 225), (20, 10), (60, 40, 20), thickness=3)
    return finish(rgb, a, size)


def donut(size=384) -> np.ndarray:
    """A pink donut character: the hole must stay transparent after segmentation."""
    rgb, a = canvas(size)
    ellipse(rgb, a, (192, 192), (140, 130), (120, 70, 40))
    ellipse(rgb, a, (192, 185), (132, 118), (250, 150, 190))
    for i, col in enumerate([(255, 255, 255), (120, 200, 255), (255, 230, 90)] * 3):
        ang = i * 2 * np.pi / 9
        ellipse(
            rgb,
            a,
            (192 + 95 * np.cos(ang), 185 + 85 * np.sin(ang)),
            (10, 4),
            col,
            angle=np.degrees(ang) + 60,
        )
    ellipse(rgb, a, (150, 150), (8, 11), (50, 30, 30))
    ellipse(rgb, a, (234, 150), (8, 11), (50, 30, 30))
    hole = np.zeros(a.shape, np.uint8)
    cv2.ellipse(
        hole,
        (192 * SS * 16, 215 * SS * 16),
        (40 * SS * 16, 32 * SS * 16),
        0,
        0,
        360,
        255,
        -1,
        cv2.LINE_AA,
        4,
    )
    a *= 1 - hole.astype(np.float32) / 255
    return finish(rgb, a, size)


def main() -> None:
    outputs = {
        "blob.png": on_background(blob(), (255, 255, 255)),
        "cat.png": on_background(cat(), (250, 248, 240)),
        "star.png": star(),  # real transparency
        "donut.png": on_background(donut(), (255, 255, 255)),
    }
    for name, arr in outputs.items():
        Image.fromarray(arr).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
