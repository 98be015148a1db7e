"""An outlined drawing on a photo: the drawing is cut out, not the dark photo object its
outline touches (classical, and `auto` when the model chose the photo object)."""

from __future__ import annotations

import json
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from studio.segment.classical import ClassicalSegmenter
from studio.segment.classical_region import grabcut_region
from studio.segment.fusion import fuse
from studio.segment.outlined import complex_region, outlined_art
from tests.test_cutout_methods import aa, iou

LINEART = Path(__file__).resolve().parents[2] / "shared" / "bench-data" / "matting-lineart"
SIZE = 384


def photo(seed: int = 0, helmet: bool = True) -> np.ndarray:
    """(384, 384, 3) uint8: a warm, busy "photo", with a near-black helmet at lower right."""
    rng = np.random.default_rng(seed)
    tex = ndimage.gaussian_filter(rng.normal(0, 1, (SIZE, SIZE, 3)), (3, 3, 0))
    tex = (tex - tex.min()) / (tex.max() - tex.min())
    img = 60 + 150 * tex
    img[..., 0] += 50
    if not helmet:
        return np.clip(np.rint(img), 0, 255).astype(np.uint8)
    helmet = aa(lambda c, s: cv2.circle(c, (290 * s, 300 * s), 90 * s, 255, -1), SIZE)
    shine = aa(lambda c, s: cv2.circle(c, (300 * s, 270 * s), 18 * s, 255, -1), SIZE)
    img = img * (1 - helmet[..., None]) + np.array([12, 12, 14]) * helmet[..., None]
    img = img * (1 - shine[..., None]) + 230 * shine[..., None]
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def character(bg: np.ndarray, ink: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(image, truth coverage): a white mascot with an ear, a pink belly and eyes, drawn in
    7 px black outlines (ink=True) or as flat paint only, overlapping the helmet."""
    def body(c, s, grow=0):
        cv2.ellipse(c, (170 * s, 200 * s), ((88 + grow) * s, (113 + grow) * s), 0, 0, 360, 255, -1)
        cv2.circle(c, (100 * s, 90 * s), (28 + grow) * s, 255, -1)

    outer = aa(lambda c, s: body(c, s, 7), SIZE)
    inner = aa(lambda c, s: body(c, s), SIZE)
    belly_ink = aa(lambda c, s: cv2.circle(c, (170 * s, 240 * s), 40 * s, 255, -1), SIZE)
    belly = aa(lambda c, s: cv2.circle(c, (170 * s, 240 * s), 33 * s, 255, -1), SIZE)
    eyes = aa(lambda c, s: [cv2.circle(c, (x * s, 160 * s), 9 * s, 255, -1)
                            for x in (140, 200)], SIZE)
    if ink:
        layers = [(outer, (0, 0, 0)), (inner, (255, 255, 255)), (belly_ink, (0, 0, 0)),
                  (belly, (236, 160, 170)), (eyes, (0, 0, 0))]
        truth = outer
    else:
        layers = [(inner, (250, 226, 120)), (belly, (236, 160, 170)), (eyes, (90, 60, 40))]
        truth = inner
    out = bg.astype(np.float32)
    for cov, col in layers:
        out = out * (1 - cov[..., None]) + np.asarray(col, np.float32) * cov[..., None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8), truth


def test_grabcut_alone_joins_the_helmet_to_the_outline():
    """The fault this module fixes: the plain GrabCut cut-out takes the helmet too."""
    image, truth = character(photo())
    assert iou(grabcut_region(image).astype(np.float32), truth) < 0.8


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_outlined_drawing_is_cut_out_without_the_photo(seed):
    image, truth = character(photo(seed))
    art = outlined_art(image)
    assert art is not None and art.convincing
    assert abs(art.stroke_px - 7) <= 1
    region, info = complex_region(image)
    assert info["region"] == "outlined drawing"
    assert iou(region.astype(np.float32), truth) >= 0.97
    helmet_only = (photo(seed).astype(np.float32).mean(-1) < 40) & (truth < 0.01)
    assert region[helmet_only].mean() < 0.02  # none of the helmet joins the drawing
    mask = ClassicalSegmenter().segment(image)
    assert mask.info["region"] == "outlined drawing"
    assert iou(mask.alpha, truth) >= 0.97


def test_paint_without_ink_keeps_grabcut():
    """No outline stroke: the drawing rule does not apply, GrabCut's answer is kept."""
    image, _ = character(photo(), ink=False)
    art = outlined_art(image)
    assert art is None or not art.convincing
    region, info = complex_region(image)
    assert info["region"] == "grabcut"
    assert np.array_equal(region, grabcut_region(image))


def test_known_background_is_not_touched():
    """On a plain background the keyed region decides; no drawing analysis runs."""
    image, truth = character(np.full((SIZE, SIZE, 3), 255, np.uint8))
    mask = ClassicalSegmenter().segment(image)
    assert "region" not in mask.info
    assert iou(mask.alpha, truth) >= 0.98


def test_fusion_keeps_the_drawing_when_the_model_chose_the_helmet():
    image, truth = character(photo())
    helmet = aa(lambda c, s: cv2.circle(c, (290 * s, 300 * s), 90 * s, 255, -1), SIZE)
    mask = fuse(image, helmet, ClassicalSegmenter.Options(), "rembg:u2netp")
    assert iou(mask.alpha, truth) >= 0.97
    assert mask.info["region"] == "outlined drawing"
    assert "another object" in mask.info["fusion"]
    assert mask.info["confidence"] == "medium"


@pytest.mark.skipif(not LINEART.is_dir(), reason="needs ../shared/bench-data beside the clone")
def test_lineart_on_the_astronaut_photo():
    """Dev cases where GrabCut alone took the astronaut's helmet and suit (IoU 0.37-0.53)."""
    cases = {c["case"]: c for c in json.loads((LINEART / "manifest.json").read_text())}
    for name in ("koala__photo_astronaut", "pig__photo_astronaut", "swan__photo_astronaut"):
        c = cases[name]
        image = np.asarray(Image.open(LINEART / c["image"]).convert("RGB"))
        truth = np.asarray(Image.open(LINEART / c["truth"]).convert("RGBA"))[..., 3] / 255
        mask = ClassicalSegmenter().segment(image)
        assert iou(mask.alpha, truth) >= 0.9, name



def test_a_dark_character_is_not_taken_for_its_outline():
    """A black penguin with a white, outlined belly: its wide dark body walls the belly in;
    it is the character, not a photo's dark area, so GrabCut's answer stands."""
    bg = photo(helmet=False)
    body = aa(lambda c, s: cv2.ellipse(c, (160 * s, 200 * s), (100 * s, 130 * s), 0, 0, 360,
                                       255, -1), SIZE)
    belly = aa(lambda c, s: cv2.ellipse(c, (160 * s, 220 * s), (60 * s, 85 * s), 0, 0, 360,
                                        255, -1), SIZE)
    out = bg.astype(np.float32) * (1 - body[..., None]) + 15 * body[..., None]
    out = out * (1 - belly[..., None]) + 255 * belly[..., None]
    image = np.clip(np.rint(out), 0, 255).astype(np.uint8)
    art = outlined_art(image)
    assert art is not None and art.walled > 0.5 and not art.convincing
    _, info = complex_region(image)
    assert info["region"] == "grabcut"
    assert iou(ClassicalSegmenter().segment(image).alpha, body) >= 0.95


def test_the_studio_says_the_drawing_was_cut_out_of_the_photo():
    from studio.ui.handlers import made_by

    image, _ = character(photo())
    helmet = aa(lambda c, s: cv2.circle(c, (290 * s, 300 * s), 90 * s, 255, -1), SIZE)
    mask = fuse(image, helmet, ClassicalSegmenter.Options(), "rembg:u2netp")
    said = made_by(mask.backend, {**mask.info, "auto_choice": "rembg:u2netp"})
    assert "confidence medium" in said
    assert "outlined drawing was cut out of the photo (the model chose another object)" in said
    plain = made_by("classical", ClassicalSegmenter().segment(character(photo(), False)[0]).info)
    assert "outlined" not in plain
