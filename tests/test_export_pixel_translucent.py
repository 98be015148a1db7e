"""Pixel art keeps its palette through motion and export; translucent bodies survive GIF."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from studio.export import decode_animation, export_animation, fit_canvas
from studio.motion import preset_spec, render_frames
from studio.motion.pixelgrid import (
    PixelGridRenderer,
    block_size,
    frame_colours,
    is_pixel_art,
    renderer_for,
)
from studio.motion.renderer import Renderer
from tests.test_export_encoders import cartoon_frames

FIELD = Path(__file__).resolve().parents[2] / "shared" / "field-cases"


def sprite() -> np.ndarray:
    """A 24×20 four-colour sprite with a 1-pixel outline: RGBA, hard alpha."""
    img = np.zeros((20, 24, 4), np.uint8)
    yy, xx = np.mgrid[0:20, 0:24]
    body = ((xx - 12) / 10) ** 2 + ((yy - 10) / 8) ** 2 <= 1
    img[body] = (20, 60, 20, 255)
    inner = ((xx - 12) / 9) ** 2 + ((yy - 10) / 7) ** 2 <= 1
    img[inner] = (90, 200, 90, 255)
    img[7:9, 8:10] = img[7:9, 14:16] = (0, 0, 0, 255)
    return img


def field_sprite() -> np.ndarray:
    rgb = np.asarray(Image.open(FIELD / "pixel-art-32px.png").convert("RGB"))
    alpha = np.where((rgb == 255).all(axis=2), 0, 255).astype(np.uint8)
    return np.dstack([rgb, alpha])


def sources() -> list[np.ndarray]:
    out = [sprite(), np.repeat(np.repeat(sprite(), 3, 0), 3, 1)]  # native and upscaled ×3
    if (FIELD / "pixel-art-32px.png").exists():
        out.append(field_sprite())
    return out


def colours(img: np.ndarray) -> set[tuple[int, int, int]]:
    return frame_colours([img])


@pytest.mark.parametrize("move", ["bounce", "spin", "jelly"])
def test_pixel_art_motion_keeps_palette_and_grid(move):
    for src in sources():
        kind, _ = renderer_for(src, src)
        assert is_pixel_art(src) and kind is PixelGridRenderer
        spec = preset_spec(move, frames=8, fps=8.0)
        r = PixelGridRenderer(src, spec, (180, 180))
        frames = [r.frame(i) for i in range(8)]
        assert frame_colours(frames) <= colours(src), move
        assert r.factor >= 2
        for f in frames:
            assert set(np.unique(f[..., 3])) <= {0, 255}
            assert block_size(f) % r.factor == 0  # whole source pixels, k×k each
        assert len({f.tobytes() for f in frames}) > 1  # it moves


def test_pixel_art_read_from_the_source_not_the_soft_cutout():
    """Segmentation softens a sprite's edges and re-estimates edge colours: the grid and the
    colours come from the uploaded image, only the alpha from the cut-out."""
    import cv2

    native = sprite()
    image = np.repeat(np.repeat(native, 4, 0), 4, 1)
    image[image[..., 3] == 0] = (40, 160, 200, 255)  # on a plain cyan background
    cutout = np.repeat(np.repeat(native, 4, 0), 4, 1)
    cutout[..., 3] = cv2.GaussianBlur(cutout[..., 3], (0, 0), 1.5)  # soft edge
    edge = (cutout[..., 3] > 0) & (cutout[..., 3] < 255)
    cutout[edge, :3] = (37, 99, 61)  # an estimated colour the sprite never had
    kind, art = renderer_for(image, cutout)
    assert kind is PixelGridRenderer and art.shape[:2] == native.shape[:2]
    assert colours(art) <= colours(native) and set(np.unique(art[..., 3])) <= {0, 255}
    frames = [kind(art, preset_spec("spin", frames=6, fps=6.0), (128, 128)).frame(i)
              for i in range(6)]
    assert frame_colours(frames) <= colours(native)


def test_smooth_art_is_not_pixel_art():
    cartoon = cartoon_frames(1, 96)[0]
    assert not is_pixel_art(cartoon) and renderer_for(cartoon, cartoon)[0] is Renderer
    photo = np.random.default_rng(0).integers(0, 256, (40, 40, 4), dtype=np.uint8)
    photo[..., 3] = 255
    assert not is_pixel_art(photo)


@pytest.mark.parametrize("preset_id", ["whatsapp", "line-emoji", "discord-emoji"])
def test_pixel_art_export_keeps_palette(preset_id, tmp_path):
    src = sources()[-1]
    spec = preset_spec("bounce", frames=10, fps=10.0)
    frames = [PixelGridRenderer(src, spec, (160, 160)).frame(i) for i in range(10)]
    assert fit_canvas(frames, 512, 512)[0][..., 3].max() == 255
    res = export_animation(frames, [100] * 10, preset_id, tmp_path / "a.x")
    assert res.ok, res.check.to_text()
    got = decode_animation(res.path.read_bytes()).frames
    allowed = colours(src)
    if preset_id == "discord-emoji":  # GIF composites on the matte: hard edges add nothing
        allowed = allowed | {tuple(res.preset.matte)}
    assert frame_colours(got) <= allowed


def ghost() -> np.ndarray:
    """A 40%-translucent white body with opaque dark eyes (RGBA 160 px)."""
    import cv2

    img = np.zeros((160, 160, 4), np.uint8)
    cv2.ellipse(img, (80, 80), (50, 60), 0, 0, 360, (240, 240, 255, 102), -1, cv2.LINE_AA)
    for ex in (62, 98):
        cv2.circle(img, (ex, 70), 7, (20, 30, 60, 255), -1, cv2.LINE_AA)
    return img


def ghost_sources() -> list[np.ndarray]:
    out = [ghost()]
    if (FIELD / "translucent-ghost-40pct-rgba.png").exists():
        out.append(np.asarray(Image.open(FIELD / "translucent-ghost-40pct-rgba.png")
                              .convert("RGBA")).copy())
    return out


@pytest.mark.parametrize("preset_id", ["discord-emoji", "slack-emoji"])
def test_translucent_body_survives_gif(preset_id, tmp_path):
    for k, src in enumerate(ghost_sources()):
        frames = render_frames(src, preset_spec("float", frames=8, fps=8.0), size=(128, 128))
        gif = export_animation(frames, [125] * 8, preset_id, tmp_path / f"{k}.gif")
        webp = export_animation(frames, [125] * 8, "discord-emoji", tmp_path / f"{k}.webp",
                                overrides={"format": "webp"})
        g = decode_animation(gif.path.read_bytes()).frames
        w = decode_animation(webp.path.read_bytes()).frames
        area_g = np.mean([(f[..., 3] > 0).sum() for f in g])
        area_w = np.mean([(f[..., 3] > 0).sum() for f in w])
        assert area_g >= 0.8 * area_w, (preset_id, area_g, area_w)
        body = frames[0][..., 3] == 102
        if body.any():  # the body shows the matte-tinted colour, not the background
            assert (g[0][body, 3] == 255).mean() > 0.95


def test_make_pixel_art_keeps_its_colours(tmp_path):
    """`popcon make` on a sprite (the field case, and a ×4 sprite on cyan): every frame of
    the file shows only the sprite's own colours."""
    import os
    import subprocess
    import sys

    native = sprite()
    up = np.repeat(np.repeat(native, 4, 0), 4, 1)
    up[up[..., 3] == 0] = (40, 160, 200, 255)
    Image.fromarray(up[..., :3]).save(tmp_path / "sprite.png")
    cases = [(tmp_path / "sprite.png", colours(native))]
    if (FIELD / "pixel-art-32px.png").exists():
        cases.append((FIELD / "pixel-art-32px.png", colours(field_sprite())))
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "STUDIO_HOME": str(tmp_path / "home"),
           "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    for k, (src, allowed) in enumerate(cases):
        out = tmp_path / f"x{k}.png"
        proc = subprocess.run([sys.executable, "-m", "studio", "make", str(src), "-o", str(out)],
                              env=env, capture_output=True, text=True, timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        got = decode_animation(out.read_bytes()).frames
        assert len(got) >= 2 and frame_colours(got) <= allowed, sorted(frame_colours(got))[:5]
