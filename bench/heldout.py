"""Generate a held-out matting set of drawn characters the classical segmenter never saw.

Usage: python bench/heldout.py [OUT_DIR]   (default /tmp/heldout)

16 characters (12 drawn here in different styles + the 4 of examples/draw_examples.py) are
composited over 10 backgrounds made the way the dev set's are (white, off-white with noise
as JPEG, white with a soft drop shadow, grey gradient, solid colour, colour gradient,
checkerboard, two synthetic "photos" (one JPEG) and a brick/tile texture) on a 384 px
canvas. Writes `<case>.png|jpg`, `<case>.truth.png` (the character alone, RGBA) and
`manifest.json` in the dev set's format; score with `python bench/matting.py OUT_DIR`.
Deterministic: the same files on every run.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "examples"))

SIZE = 384
SS = 4  # supersampling
SHIFT = 4  # cv2 sub-pixel bits


class Canvas:
    """A supersampled RGBA painting surface in 384-px canvas coordinates (float RGB 0..1)."""

    def __init__(self, size: int = SIZE) -> None:
        self.size = size
        n = size * SS
        self.rgb = np.zeros((n, n, 3), np.float32)
        self.a = np.zeros((n, n), np.float32)

    def _layer(self) -> np.ndarray:
        return np.zeros(self.a.shape, np.uint8)

    @staticmethod
    def _p(x: float) -> int:
        return round(x * SS * (1 << SHIFT))

    def paint(self, layer: np.ndarray, colour) -> None:
        m = layer.astype(np.float32)[..., None] / 255
        col = np.asarray(colour, np.float32) / 255
        self.rgb[:] = self.rgb * (1 - m) + col * m
        self.a[:] = self.a + m[..., 0] * (1 - self.a)

    def erase(self, layer: np.ndarray) -> None:
        self.a *= 1 - layer.astype(np.float32) / 255

    def ellipse(self, c, axes, colour=(255, 255, 255), angle: float = 0.0, width: float = -1,
                arc: tuple[float, float] = (0, 360), erase: bool = False) -> None:
        layer = self._layer()
        th = -1 if width < 0 else max(1, round(width * SS))
        cv2.ellipse(layer, (self._p(c[0]), self._p(c[1])), (self._p(axes[0]), self._p(axes[1])),
                    angle, arc[0], arc[1], 255, th, cv2.LINE_AA, SHIFT)
        self.erase(layer) if erase else self.paint(layer, colour)

    def poly(self, pts, colour, erase: bool = False) -> None:
        layer = self._layer()
        arr = np.array([[self._p(x), self._p(y)] for x, y in pts], np.int32)
        cv2.fillPoly(layer, [arr], 255, cv2.LINE_AA, SHIFT)
        self.erase(layer) if erase else self.paint(layer, colour)

    def line(self, pts, colour, width: float) -> None:
        layer = self._layer()
        arr = np.array([[self._p(x), self._p(y)] for x, y in pts], np.int32)
        cv2.polylines(layer, [arr], False, 255, max(1, round(width * SS)), cv2.LINE_AA,
                      SHIFT)
        self.paint(layer, colour)

    def text(self, s: str, org, scale: float, colour, width: float) -> None:
        layer = self._layer()
        cv2.putText(layer, s, (int(org[0] * SS), int(org[1] * SS)), cv2.FONT_HERSHEY_DUPLEX,
                    scale * SS, 255, int(width * SS), cv2.LINE_AA)
        self.paint(layer, colour)

    def shade(self, layer_fn: Callable[[Canvas], None], colour_map: np.ndarray) -> None:
        """Paint a shape (drawn by layer_fn into a scratch canvas) with a per-pixel colour."""
        tmp = Canvas(self.size)
        layer_fn(tmp)
        self.paint(np.clip(tmp.a * 255, 0, 255).astype(np.uint8), colour_map)

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        n = self.a.shape[0]
        yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / SS
        return xx, yy

    def finish(self) -> np.ndarray:
        """(384, 384, 4) uint8 RGBA, downsampled premultiplied."""
        pre = np.dstack([self.rgb * self.a[..., None], self.a])
        small = cv2.resize(pre, (self.size, self.size), interpolation=cv2.INTER_AREA)
        al = small[..., 3:4]
        col = np.where(al > 1e-6, small[..., :3] / np.maximum(al, 1e-6), 0)
        return np.clip(np.rint(np.dstack([col, al]) * 255), 0, 255).astype(np.uint8)


INK = (35, 30, 40)


def outlined_bunny(ref=None) -> np.ndarray:
    c = Canvas()
    fill = (250, 215, 225)
    for sx in (-1, 1):
        c.ellipse((192 + 38 * sx, 110), (30, 80), INK, angle=12 * sx)
        c.ellipse((192 + 38 * sx, 110), (23, 73), fill, angle=12 * sx)
        c.ellipse((192 + 38 * sx, 112), (10, 55), (240, 150, 170), angle=12 * sx)
    c.ellipse((192, 235), (112, 95), INK)
    c.ellipse((192, 235), (105, 88), fill)
    for sx in (-1, 1):
        c.ellipse((192 + 40 * sx, 225), (9, 13), INK)
        c.ellipse((192 + 65 * sx, 258), (15, 8), (245, 160, 180))
    c.ellipse((192, 262), (16, 10), INK, arc=(0, 180), width=3)
    return c.finish()


def flat_bird(ref=None) -> np.ndarray:
    c = Canvas()
    c.poly([(80, 210), (30, 170), (40, 235)], (40, 100, 190))  # tail
    c.line([(175, 300), (170, 345), (155, 352)], (240, 150, 40), 3)
    c.line([(215, 300), (215, 345), (232, 352)], (240, 150, 40), 3)
    c.ellipse((195, 215), (120, 95), (70, 150, 230))
    c.ellipse((180, 240), (60, 35), (40, 110, 200), angle=-15)
    c.poly([(300, 200), (350, 215), (300, 232)], (250, 170, 40))
    c.ellipse((265, 185), (18, 18), (255, 255, 255))
    c.ellipse((270, 187), (8, 9), (20, 20, 30))
    return c.finish()


def shaded_slime(ref=None) -> np.ndarray:
    c = Canvas()
    xx, yy = c.grid()
    t = np.clip(((xx - 110) * 0.6 + (yy - 100)) / 300, 0, 1)[..., None]
    light, dark = np.array([170, 240, 140]), np.array([30, 120, 60])
    cmap = light * (1 - t) + dark * t

    def body(k: Canvas) -> None:
        k.ellipse((192, 240), (130, 95))
        k.ellipse((192, 170), (80, 90))
        k.ellipse((120, 320), (30, 22))
        k.ellipse((268, 322), (30, 22))

    c.shade(body, cmap)
    hl = Canvas()
    hl.ellipse((155, 150), (28, 40), (255, 255, 255), angle=-30)
    soft = cv2.GaussianBlur(hl.a, (0, 0), 8 * SS) * 0.8
    c.rgb[:] = c.rgb * (1 - soft[..., None]) + soft[..., None]
    for sx in (-1, 1):
        c.ellipse((192 + 35 * sx, 215), (11, 16), (20, 50, 30))
    c.ellipse((192, 255), (22, 12), (20, 50, 30), arc=(0, 180), width=4)
    return c.finish()


def antenna_bug(ref=None) -> np.ndarray:
    c = Canvas()
    for i, y in enumerate((200, 240, 280)):
        for sx in (-1, 1):
            c.line([(192 + 60 * sx, y), (192 + 115 * sx, y - 25 + 15 * i),
                    (192 + 140 * sx, y + 20 + 10 * i)], INK, 2)
    for sx in (-1, 1):
        c.line([(192 + 12 * sx, 140), (192 + 35 * sx, 90), (192 + 70 * sx, 50)], INK, 1.2)
        c.ellipse((192 + 70 * sx, 50), (5, 5), (230, 60, 60))
    c.ellipse((192, 160), (40, 32), INK)
    c.ellipse((192, 250), (85, 100), (210, 40, 40))
    c.line([(192, 155), (192, 350)], INK, 3)
    for x, y in ((150, 220), (235, 215), (160, 290), (225, 300), (192, 330)):
        c.ellipse((x, y), (13, 13), INK)
    return c.finish()


def penguin(ref=None) -> np.ndarray:
    c = Canvas()
    black = (30, 34, 45)
    c.ellipse((150, 330), (28, 12), (245, 150, 40))
    c.ellipse((234, 330), (28, 12), (245, 150, 40))
    c.ellipse((192, 210), (105, 125), black)
    c.ellipse((90, 230), (22, 60), black, angle=20)
    c.ellipse((294, 230), (22, 60), black, angle=-20)
    c.ellipse((192, 235), (72, 92), (252, 252, 252))
    for sx in (-1, 1):
        c.ellipse((192 + 30 * sx, 150), (20, 22), (255, 255, 255))
        c.ellipse((192 + 30 * sx, 153), (8, 10), black)
    c.poly([(175, 180), (209, 180), (192, 200)], (245, 150, 40))
    return c.finish()


def cloud(ref=None) -> np.ndarray:
    c = Canvas()
    edge, white = (190, 198, 212), (250, 251, 253)
    puffs = [((130, 220), (62, 58)), ((200, 180), (75, 72)), ((270, 215), (62, 60)),
             ((190, 250), (110, 55))]
    for ctr, ax in puffs:
        c.ellipse(ctr, (ax[0] + 3, ax[1] + 3), edge)
    for ctr, ax in puffs:
        c.ellipse(ctr, ax, white)
    for sx in (-1, 1):
        c.ellipse((192 + 32 * sx, 220), (7, 10), INK)
        c.ellipse((192 + 60 * sx, 245), (14, 7), (250, 190, 200))
    c.ellipse((192, 240), (14, 9), INK, arc=(0, 180), width=2.5)
    return c.finish()


def pretzel(ref=None) -> np.ndarray:
    c = Canvas()
    brown, dark = (180, 105, 45), (110, 60, 25)
    loops = [((140, 170), (62, 70), 20), ((244, 170), (62, 70), -20)]
    for ctr, ax, ang in loops:
        c.ellipse(ctr, ax, dark, angle=ang, width=34)
    c.line([(120, 300), (192, 215), (264, 300)], dark, 34)
    c.ellipse((192, 270), (95, 45), dark, arc=(0, 180), width=34)
    for ctr, ax, ang in loops:
        c.ellipse(ctr, ax, brown, angle=ang, width=26)
    c.line([(120, 300), (192, 215), (264, 300)], brown, 26)
    c.ellipse((192, 270), (95, 45), brown, arc=(0, 180), width=26)
    for x, y in ((100, 140), (170, 120), (215, 118), (290, 150), (150, 310), (235, 312)):
        c.poly([(x, y), (x + 7, y + 3), (x + 2, y + 8)], (250, 250, 245))
    for sx in (-1, 1):
        c.ellipse((192 + 14 * sx, 232), (4, 6), INK)
    return c.finish()


def tiny_chick(ref=None) -> np.ndarray:
    c = Canvas()
    c.ellipse((262, 268), (34, 30), (250, 210, 50))
    c.ellipse((262, 235), (22, 20), (250, 210, 50))
    c.poly([(282, 232), (296, 237), (282, 242)], (240, 130, 30))
    c.ellipse((270, 230), (3, 4), INK)
    c.line([(255, 296), (255, 306)], (240, 130, 30), 1.5)
    c.line([(270, 296), (270, 306)], (240, 130, 30), 1.5)
    return c.finish()


def edge_bust(ref=None) -> np.ndarray:
    c = Canvas()
    c.ellipse((192, 420), (150, 110), (60, 90, 170))  # shoulders cut by the bottom edge
    c.ellipse((192, 300), (30, 30), (235, 190, 160))
    c.ellipse((192, 200), (85, 95), (235, 190, 160))
    c.ellipse((192, 150), (92, 65), (90, 55, 35), arc=(180, 360))
    for sx in (-1, 1):
        c.ellipse((192 + 30 * sx, 205), (7, 10), INK)
    c.ellipse((192, 245), (20, 10), (180, 70, 70), arc=(0, 180), width=3)
    return c.finish()


def ninja(ref=None) -> np.ndarray:
    c = Canvas()
    dark, mid = (28, 28, 36), (58, 58, 72)
    c.line([(260, 120), (320, 90), (335, 120)], dark, 8)  # headband tails
    c.ellipse((192, 290), (75, 60), dark)
    c.ellipse((192, 175), (100, 95), dark)
    c.ellipse((192, 185), (75, 24), (230, 200, 175))
    for sx in (-1, 1):
        c.ellipse((192 + 30 * sx, 186), (9, 9), dark)
        c.ellipse((192 + 95 * sx, 285), (20, 35), mid, angle=25 * sx)
    c.line([(95, 125), (289, 125)], mid, 10)
    return c.finish()


def camouflage(ref=None) -> np.ndarray:
    """A blob whose body colour is close to the background's (distance ~40)."""
    c = Canvas()
    ref = np.array([235, 235, 235] if ref is None else ref, np.float32)
    shift = -34.0 if ref.mean() > 110 else 34.0
    body = np.clip(ref + shift + np.array([6, 0, -6]), 0, 255)
    feat = np.clip(ref + 3.5 * shift, 0, 255)
    c.ellipse((192, 200), (115, 120), tuple(body))
    c.ellipse((120, 320), (28, 16), tuple(body))
    c.ellipse((264, 320), (28, 16), tuple(body))
    for sx in (-1, 1):
        c.ellipse((192 + 38 * sx, 185), (10, 14), tuple(feat))
    c.ellipse((192, 230), (20, 10), tuple(feat), arc=(0, 180), width=3)
    return c.finish()


def text_sticker(ref=None) -> np.ndarray:
    c = Canvas()
    c.text("HEY!", (48, 210), 3.0, (200, 40, 90), 9)
    c.line([(60, 250), (120, 240), (190, 258), (260, 238), (330, 250)], (40, 70, 160), 5)
    c.text("yo", (140, 320), 1.8, (30, 30, 30), 3)
    return c.finish()


def _examples() -> dict[str, Callable]:
    import draw_examples as ex  # examples/draw_examples.py

    return {"ex-blob": lambda ref=None: ex.blob(), "ex-cat": lambda ref=None: ex.cat(),
            "ex-donut": lambda ref=None: ex.donut(), "ex-star": lambda ref=None: ex.star()}


def characters() -> dict[str, Callable]:
    """name -> draw(ref colour or None) returning (384, 384, 4) uint8 RGBA."""
    drawn = {"bunny-outline": outlined_bunny, "bird-flat": flat_bird,
             "slime-shaded": shaded_slime, "bug-antennae": antenna_bug,
             "penguin-white": penguin, "cloud-white": cloud, "pretzel-holes": pretzel,
             "chick-tiny": tiny_chick, "bust-edge": edge_bust, "ninja-dark": ninja,
             "camouflage": camouflage, "text-strokes": text_sticker}
    return {**drawn, **_examples()}


# ---------------------------------------------------------------- backgrounds

def _noise(rng: np.random.Generator, scales=(4, 8, 16, 32, 64), ch: int = 3) -> np.ndarray:
    """Multi-scale smooth noise (H, W, ch) float32, roughly unit variance."""
    out = np.zeros((SIZE, SIZE, ch), np.float32)
    for s in scales:
        n = max(2, SIZE // s)
        small = rng.normal(0, 1, (n, n, ch)).astype(np.float32)
        out += cv2.resize(small, (SIZE, SIZE), interpolation=cv2.INTER_CUBIC).reshape(out.shape)
    return out / np.sqrt(len(scales))


def _ramp(rng: np.random.Generator) -> np.ndarray:
    ang = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32) / (SIZE - 1) - 0.5
    t = xx * np.cos(ang) + yy * np.sin(ang)
    return ((t - t.min()) / np.ptp(t))[..., None]


def _hsv(h: float, s: float, v: float) -> np.ndarray:
    px = np.uint8([[[int(h * 179), int(s * 255), int(v * 255)]]])
    return cv2.cvtColor(px, cv2.COLOR_HSV2RGB)[0, 0].astype(np.float32)


def bg_white(rng, alpha):
    return np.full((SIZE, SIZE, 3), 255, np.float32)


def bg_offwhite(rng, alpha):
    base = rng.uniform(238, 252) + rng.uniform(-2, 2, 3)
    paper = _noise(rng, (32, 64), 1) * rng.uniform(0.5, 1.5)
    return base + paper + rng.normal(0, rng.uniform(1.5, 3.5), (SIZE, SIZE, 1))


def bg_shadow(rng, alpha):
    dx, dy = rng.integers(-10, 11), rng.integers(4, 14)
    sh = cv2.warpAffine(alpha, np.float32([[1, 0, dx], [0, 1, dy]]), (SIZE, SIZE))
    sh = cv2.GaussianBlur(sh, (0, 0), rng.uniform(4, 9)) * rng.uniform(0.25, 0.45)
    return 255 * (1 - sh[..., None]) * np.ones(3, np.float32)


def bg_gray_gradient(rng, alpha):
    g0, g1 = rng.uniform(160, 215), rng.uniform(235, 255)
    return (g0 + (g1 - g0) * _ramp(rng)) * np.ones(3, np.float32)


def bg_solid(rng, alpha):
    col = _hsv(rng.uniform(0, 1), rng.uniform(0.1, 0.7), rng.uniform(0.35, 0.95))
    return np.broadcast_to(col, (SIZE, SIZE, 3)).copy()


def bg_color_gradient(rng, alpha):
    a = _hsv(rng.uniform(0, 1), rng.uniform(0.3, 0.8), rng.uniform(0.4, 0.95))
    b = _hsv(rng.uniform(0, 1), rng.uniform(0.3, 0.8), rng.uniform(0.4, 0.95))
    return a + (b - a) * _ramp(rng)


def bg_checkerboard(rng, alpha):
    sq = int(rng.choice([6, 8, 10, 12, 16, 20]))
    light, dark = [(255, 204), (255, 230), (240, 200), (250, 220), (255, 191)][
        rng.integers(0, 5)]
    ox, oy = rng.integers(0, sq, 2)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE]
    par = (((xx + ox) // sq + (yy + oy) // sq) % 2 == 0)[..., None]
    return np.where(par, float(light), float(dark)) * np.ones(3, np.float32)


def bg_photo_bokeh(rng, alpha):
    """Blurred multi-scale colour noise, colour blobs and bokeh discs (saved as JPEG)."""
    pal = np.stack([_hsv(rng.uniform(0, 1), rng.uniform(0.3, 0.9), rng.uniform(0.2, 0.9))
                    for _ in range(3)])
    w = _noise(rng, (16, 32, 64, 128), 3)
    w = np.exp(1.5 * w) / np.exp(1.5 * w).sum(-1, keepdims=True)
    img = w @ pal + 18 * _noise(rng, (2, 4, 8), 1)
    yy, xx = np.mgrid[0:SIZE, 0:SIZE].astype(np.float32)
    for _ in range(rng.integers(4, 9)):
        cx, cy, r = rng.uniform(0, SIZE), rng.uniform(0, SIZE), rng.uniform(30, 110)
        g = np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))[..., None]
        img = img * (1 - 0.7 * g) + 0.7 * g * _hsv(rng.uniform(0, 1), 0.6, 0.9)
    disc = np.zeros((SIZE, SIZE), np.float32)
    for _ in range(rng.integers(10, 25)):
        c = (int(rng.uniform(0, SIZE)), int(rng.uniform(0, SIZE)))
        cv2.circle(disc, c, int(rng.uniform(5, 22)), float(rng.uniform(0.3, 0.8)), -1,
                   cv2.LINE_AA)
    disc = cv2.GaussianBlur(disc, (0, 0), 1.5)[..., None]
    img = img * (1 - disc) + disc * np.array([255, 240, 200], np.float32)
    return cv2.GaussianBlur(img, (0, 0), 0.8)


def bg_photo_scene(rng, alpha):
    """A sky-to-ground scene with clutter: poles, wires, buildings and lights."""
    yy = np.linspace(0, 1, SIZE, dtype=np.float32)[:, None, None]
    top, mid = _hsv(rng.uniform(0.55, 0.68), 0.6, rng.uniform(0.3, 0.8)), _hsv(
        rng.uniform(0.05, 0.15), 0.3, 0.95)
    img = top + (mid - top) * yy * np.ones((1, SIZE, 1), np.float32)
    horizon = int(rng.uniform(0.55, 0.8) * SIZE)
    ground = _hsv(rng.uniform(0.05, 0.35), 0.5, rng.uniform(0.25, 0.5))
    img[horizon:] = ground + 25 * _noise(rng, (2, 4, 16), 3)[horizon:]
    for _ in range(rng.integers(3, 7)):  # buildings
        x0, wd = int(rng.uniform(-20, SIZE)), int(rng.uniform(25, 90))
        hgt = int(rng.uniform(20, 160))
        col = _hsv(rng.uniform(0, 1), rng.uniform(0, 0.4), rng.uniform(0.15, 0.7))
        cv2.rectangle(img, (x0, horizon - hgt), (x0 + wd, horizon), tuple(map(float, col)), -1)
    for _ in range(rng.integers(2, 5)):  # poles and wires
        x = int(rng.uniform(0, SIZE))
        cv2.line(img, (x, int(rng.uniform(0, horizon))), (x, SIZE), (40.0, 35.0, 30.0),
                 int(rng.integers(2, 6)), cv2.LINE_AA)
        cv2.line(img, (0, int(rng.uniform(0, SIZE / 2))), (SIZE, int(rng.uniform(0, SIZE / 2))),
                 (30.0, 30.0, 30.0), 1, cv2.LINE_AA)
    for _ in range(rng.integers(5, 15)):  # lights
        c = (int(rng.uniform(0, SIZE)), int(rng.uniform(horizon - 60, SIZE)))
        cv2.circle(img, c, int(rng.integers(2, 6)), (255.0, 235.0, 180.0), -1, cv2.LINE_AA)
    return cv2.GaussianBlur(img, (0, 0), 0.7) + rng.normal(0, 3, img.shape)


def bg_texture(rng, alpha):
    """Bricks (staggered) or square tiles, per-unit colour jitter, mortar, grain."""
    tiles = bool(rng.integers(0, 2))
    bw, bh = (int(rng.integers(28, 48)),) * 2 if tiles else (int(rng.integers(40, 70)),
                                                            int(rng.integers(14, 24)))
    base = _hsv(rng.uniform(0, 1), rng.uniform(0, 0.5), rng.uniform(0.45, 0.8))
    mortar = base * rng.uniform(0.5, 1.3)
    img = np.empty((SIZE, SIZE, 3), np.float32)
    img[:] = mortar
    gap = int(rng.integers(2, 5))
    for r, y in enumerate(range(-bh, SIZE + bh, bh)):
        off = 0 if tiles or r % 2 == 0 else bw // 2
        for x in range(-bw - off, SIZE + bw, bw):
            col = tuple(map(float, base * rng.uniform(0.8, 1.15) + rng.normal(0, 6, 3)))
            cv2.rectangle(img, (x + gap, y + gap), (x + bw - 1, y + bh - 1), col, -1)
    return img + 10 * _noise(rng, (2, 4), 1) + rng.normal(0, 4, img.shape)


BACKGROUNDS: dict[str, tuple[Callable, str]] = {
    "white": (bg_white, "png"), "offwhite_noise": (bg_offwhite, "jpg"),
    "white_shadow": (bg_shadow, "png"), "gray_gradient": (bg_gray_gradient, "png"),
    "solid_color": (bg_solid, "png"), "color_gradient": (bg_color_gradient, "png"),
    "checkerboard": (bg_checkerboard, "png"), "photo_bokeh": (bg_photo_bokeh, "jpg"),
    "photo_scene": (bg_photo_scene, "png"), "texture_tile": (bg_texture, "png"),
}


def composite(rgba: np.ndarray, bg: np.ndarray) -> np.ndarray:
    """RGBA (H, W, 4) uint8 over bg (H, W, 3) float -> (H, W, 3) uint8."""
    a = rgba[..., 3:].astype(np.float32) / 255
    out = rgba[..., :3].astype(np.float32) * a + np.clip(bg, 0, 255) * (1 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def build(out: Path) -> list[dict[str, str]]:
    """Write the held-out set into `out`; returns the manifest rows."""
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    for ci, (name, draw) in enumerate(characters().items()):
        shape = draw()
        alpha = shape[..., 3].astype(np.float32) / 255
        for bi, (bname, (make, ext)) in enumerate(BACKGROUNDS.items()):
            rng = np.random.default_rng(7919 * ci + 104729 * bi + 1)
            bg = make(rng, alpha).astype(np.float32)
            ring = np.concatenate([bg[:8].reshape(-1, 3), bg[-8:].reshape(-1, 3)])
            char = draw(np.median(ring, 0)) if name == "camouflage" else shape
            image = composite(char, bg)
            case = f"{name}__{bname}"
            im = Image.fromarray(image)
            if ext == "jpg":
                im.save(out / f"{case}.jpg", quality=int(rng.integers(80, 91)))
            else:
                im.save(out / f"{case}.png")
            Image.fromarray(char).save(out / f"{case}.truth.png")
            rows.append({"case": case, "image": f"{case}.{ext}", "truth": f"{case}.truth.png",
                         "character": name, "background": bname})
    (out / "manifest.json").write_text(json.dumps(rows, indent=1))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=Path("/tmp/heldout"))
    ns = ap.parse_args()
    rows = build(ns.out)
    print(f"{len(rows)} cases in {ns.out}")


if __name__ == "__main__":
    main()
