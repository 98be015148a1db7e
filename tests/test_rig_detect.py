"""The automatic rig: eyes on labelled characters, limbs on drawn shapes, rig as JSON."""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from studio.errors import InputError
from studio.motion.rig import Part, Rig, detect_rig
from tests.helpers import face_rgba

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT.parent / "shared" / "bench-data"
LABELS = json.loads((Path(__file__).parent / "data" / "eye_labels.json").read_text())["cases"]
TOLERANCE_PX = 4.0


@cache
def labelled_cutout(image: str) -> np.ndarray | None:
    """The RGBA cut-out of a labelled case (examples are cut out with the classical
    segmenter first), or None when the bench data is not on this machine."""
    if image.startswith("examples/"):
        from studio.segment.classical import ClassicalSegmenter

        rgba = np.array(Image.open(ROOT / image).convert("RGBA"))
        return ClassicalSegmenter().segment(rgba).cutout(rgba)
    path = BENCH / image
    return np.array(Image.open(path).convert("RGBA")) if path.is_file() else None


def eyes_match(rig: Rig, truth: list[list[float]]) -> bool:
    found = sorted(p.pivot for p in rig.of_kind("eye"))
    if len(found) != 2:
        return False
    return all(math.dist(f, t) <= TOLERANCE_PX for f, t in zip(found, sorted(truth), strict=True))


def test_eyes_found_on_labelled_characters():
    hits, pairs, false_eyes, rest = 0, 0, [], 0
    missed = []
    for case in LABELS:
        cut = labelled_cutout(case["image"])
        if cut is None:
            continue
        rig = detect_rig(cut)
        if case["eyes"]:
            pairs += 1
            if eyes_match(rig, case["eyes"]):
                hits += 1
            else:
                missed.append(case["image"])
        else:
            rest += 1
            if rig.of_kind("eye"):
                false_eyes.append(case["image"])
    assert pairs >= 4
    assert hits / pairs >= 0.8, f"eyes found on {hits}/{pairs}; missed {missed}"
    assert not false_eyes, f"false eyes on {false_eyes} (of {rest} without two visible eyes)"


def test_examples_all_have_their_eyes():
    for case in LABELS[:4]:
        rig = detect_rig(labelled_cutout(case["image"]))
        assert eyes_match(rig, case["eyes"]), case["image"]


def test_small_drawn_face_has_eyes_and_a_face():
    rig = detect_rig(face_rgba(160))
    eyes = rig.of_kind("eye")
    assert len(eyes) == 2
    (lx, ly), (rx, ry) = sorted(e.pivot for e in eyes)
    assert abs(lx - 60) <= 2 and abs(rx - 100) <= 2 and abs(ly - 64) <= 2 and abs(ry - 64) <= 2
    assert rig.of_kind("face") and eyes[0].extra["lid"][0] > 200  # the lid is the face colour


def disc(size: int = 200, colour=(250, 200, 60)) -> np.ndarray:
    img = np.zeros((size, size, 4), np.uint8)
    cv2.circle(img, (size // 2, size // 2), int(size * 0.3), (*colour, 255), -1, cv2.LINE_AA)
    return img


def test_one_dark_spot_is_not_a_pair_of_eyes():
    img = disc()
    cv2.circle(img, (85, 90), 8, (30, 30, 30, 255), -1, cv2.LINE_AA)
    rig = detect_rig(img)
    assert not rig.of_kind("eye") and any("eyes" in n for n in rig.notes)


def test_arms_and_ears_stick_out_with_pivots_at_the_join():
    img = disc(240)
    body = (250, 200, 60, 255)
    cv2.rectangle(img, (20, 112), (60, 128), body, -1)  # left arm: the disc edge is at x=48
    cv2.rectangle(img, (180, 112), (220, 128), body, -1)
    cv2.fillPoly(img, [np.array([[80, 80], [100, 20], [112, 60]])], body)  # ear, up-left
    rig = detect_rig(img)
    arms = sorted(rig.of_kind("arm"), key=lambda p: p.pivot[0])
    assert len(arms) == 2
    assert arms[0].pivot[0] < 60 and arms[1].pivot[0] > 180
    assert all(abs(a.pivot[1] - 120) < 6 for a in arms)
    ears = rig.of_kind("ear")
    assert len(ears) == 1 and ears[0].pivot[1] < 80


def test_plain_disc_has_no_parts():
    rig = detect_rig(disc())
    assert rig.parts == ()


def test_rig_round_trips_through_json():
    rig = detect_rig(face_rgba(160))
    again = Rig.from_dict(json.loads(json.dumps(rig.to_dict())))
    assert again == rig and again.describe() == rig.describe()


def test_bad_rig_data_is_an_input_error():
    with pytest.raises(InputError, match="unknown part kind"):
        Part("x", "nose", (0, 0), ((0, 0), (1, 0), (0, 1)))
    with pytest.raises(InputError, match="unique"):
        p = {"id": "a", "kind": "eye", "pivot": [1, 1], "outline": [[0, 0], [2, 0], [0, 2]]}
        Rig.from_dict({"size": [10, 10], "parts": [p, p]})
    with pytest.raises(InputError, match="RGBA"):
        detect_rig(np.zeros((10, 10, 3), np.uint8))
    with pytest.raises(InputError, match="transparent"):
        detect_rig(np.zeros((10, 10, 4), np.uint8))


def test_eyes_are_found_at_any_image_size():
    cut = labelled_cutout("examples/cat.png")
    truth = sorted(LABELS[1]["eyes"])
    for scale in (0.5, 2.5):
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_CUBIC
        rig = detect_rig(cv2.resize(cut, None, fx=scale, fy=scale, interpolation=interp))
        found = sorted(p.pivot for p in rig.of_kind("eye"))
        assert len(found) == 2, scale
        for f, (tx, ty) in zip(found, truth, strict=True):  # within 4 px at the labels' size
            assert math.dist(f, (tx * scale, ty * scale)) <= TOLERANCE_PX * max(scale, 1), scale


def test_glowing_eyes_on_a_dark_visor_are_eyes_but_grey_shapes_in_outlines_are_not():
    img = disc(200, (200, 195, 210))
    cv2.ellipse(img, (100, 90), (50, 22), 0, 0, 360, (30, 30, 30, 255), -1, cv2.LINE_AA)
    for x in (78, 122):
        cv2.ellipse(img, (x, 90), (7, 13), 0, 0, 360, (0, 160, 240, 255), -1, cv2.LINE_AA)
    eyes = sorted(p.pivot for p in detect_rig(img).of_kind("eye"))
    assert len(eyes) == 2 and abs(eyes[0][0] - 78) < 2 and abs(eyes[1][0] - 122) < 2
    grey = img.copy()
    for x in (78, 122):
        cv2.ellipse(grey, (x, 90), (7, 13), 0, 0, 360, (62, 62, 62, 255), -1, cv2.LINE_AA)
    assert not detect_rig(grey).of_kind("eye")
