"""The procedural generator backend (studio.generate.procedural)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from studio import registry
from studio.errors import InputError
from studio.generate.base import Generator
from studio.generate.procedural import ProceduralGenerator
from studio.motion import parse_motion_prompt, preset_spec, render_frames
from studio.types import Source

SIZE = (72, 60)  # (width, height)


def face_source(size: int = 80) -> Source:
    alpha = np.zeros((size, size), np.uint8)
    c = size // 2
    cv2.circle(alpha, (c, c), int(size * 0.4), 255, -1, cv2.LINE_AA)
    rgb = np.empty((size, size, 3), np.uint8)
    rgb[:] = (240, 190, 70)
    for dx in (-1, 1):
        cv2.circle(rgb, (c + dx * size // 7, c - size // 10), size // 14, (30, 30, 40), -1)
    cutout = np.dstack([rgb, alpha])
    return Source(image=cutout.copy(), name="face", cutout=cutout)


SOURCE = face_source()


def same(a: np.ndarray, b: np.ndarray) -> bool:
    return bool(np.array_equal(a, b))


def test_registry_builds_it_and_it_is_a_generator():
    gen = registry.create("generator", "procedural", {"supersample": 3})
    assert isinstance(gen, ProceduralGenerator) and isinstance(gen, Generator)
    assert gen.name == "procedural" and gen.produces_alpha and gen.variants is None
    assert gen.options.supersample == 3


def test_options_are_closed_and_checked():
    with pytest.raises(InputError, match="supersampel"):
        ProceduralGenerator(options={"supersampel": 2})
    with pytest.raises(InputError, match="margin"):
        ProceduralGenerator(options={"margin": 0.9})
    with pytest.raises(InputError, match="no variant"):
        ProceduralGenerator(variant="fast")


def test_generate_slots_candidates_and_progress():
    spec = parse_motion_prompt("shake with sparkles", frames=6)
    calls = []
    slots = ProceduralGenerator().generate(
        SOURCE, spec, size=SIZE, candidates=3, seed=5, progress=lambda *a: calls.append(a)
    )
    assert [s.index for s in slots] == list(range(6))
    for s in slots:
        assert len(s.candidates) == 3 and s.chosen == 0
        for k, c in enumerate(s.candidates):
            assert c.id == f"s{s.index:02d}c{k}-5"
            assert c.origin["backend"] == "procedural"
            assert c.origin["seed"] == 5 + k
            assert c.origin["prompt"] == "shake with sparkles"
            assert c.origin["variation"] == (0.0 if k == 0 else 0.5)
            assert c.rgba is not None and c.rgba.shape == (60, 72, 4) and c.rgba.dtype == np.uint8
            assert c.has_alpha
    assert len(calls) == 18
    assert calls[-1][:2] == (18, 18)
    assert [c[0] for c in calls] == list(range(1, 19))


def test_candidate_zero_is_the_exact_spec():
    spec = preset_spec("hop", frames=8)
    slots = ProceduralGenerator().generate(SOURCE, spec, size=SIZE, candidates=2, seed=9)
    exact = render_frames(SOURCE.cutout, spec, SIZE, seed=9)
    assert all(same(s.candidates[0].rgba, f) for s, f in zip(slots, exact, strict=True))
    assert slots[0].candidates[0].origin["prompt"] == "hop"


def test_candidates_differ_where_the_move_is_random():
    spec = preset_spec("shake", frames=8)
    slots = ProceduralGenerator(options={"variation": 0.0}).generate(
        SOURCE, spec, size=SIZE, candidates=3
    )
    for k in (1, 2):
        assert any(not same(s.candidates[0].rgba, s.candidates[k].rgba) for s in slots)


def test_variation_candidates_loop_when_chosen_consistently():
    spec = preset_spec("bounce", frames=12)
    slots = ProceduralGenerator().generate(SOURCE, spec, size=SIZE, candidates=2)
    assert any(not same(s.candidates[0].rgba, s.candidates[1].rgba) for s in slots)
    frames = [s.candidates[1].rgba.astype(float) for s in slots]
    steps = [np.abs(frames[(i + 1) % 12] - frames[i]).mean() for i in range(12)]
    assert steps[-1] <= 1.5 * max(steps[:-1]) + 0.05


def test_generate_is_deterministic():
    spec = parse_motion_prompt("wobble and shake with hearts", frames=5)
    gen = ProceduralGenerator()
    a = gen.generate(SOURCE, spec, size=SIZE, candidates=2, seed=3)
    b = gen.generate(SOURCE, spec, size=SIZE, candidates=2, seed=3)
    for sa, sb in zip(a, b, strict=True):
        for ca, cb in zip(sa.candidates, sb.candidates, strict=True):
            assert ca.id == cb.id and same(ca.rgba, cb.rgba)


def test_regenerate_returns_that_frame():
    spec = parse_motion_prompt("spin then shake", frames=10)
    gen = ProceduralGenerator()
    slots = gen.generate(SOURCE, spec, size=SIZE, candidates=2, seed=4)
    again = gen.regenerate(SOURCE, spec, 7, size=SIZE, candidates=2, seed=4)
    assert [c.id for c in again] == ["s07c0-4", "s07c1-4"]
    for c, ref in zip(again, slots[7].candidates, strict=True):
        assert same(c.rgba, ref.rgba)
    fresh = gen.regenerate(SOURCE, spec, 7, size=SIZE, candidates=2, seed=11)
    assert same(fresh[0].rgba, slots[7].candidates[0].rgba) is False  # shake: new seed, new take
    assert fresh[1].origin["seed"] == 12


def test_regenerate_uses_the_edited_spec():
    gen = ProceduralGenerator()
    edited = preset_spec("zoom", frames=10)
    new = gen.regenerate(SOURCE, edited, 3, size=SIZE)
    assert len(new) == 1
    assert same(new[0].rgba, render_frames(SOURCE.cutout, edited, SIZE, indices=[3])[0])
    assert new[0].origin["prompt"] == "zoom"


def test_bad_requests_are_rejected():
    gen = ProceduralGenerator()
    spec = preset_spec("bounce", frames=4)
    with pytest.raises(InputError, match="no cut-out"):
        gen.generate(Source(image=SOURCE.image), spec, size=SIZE)
    with pytest.raises(InputError, match="candidates must be between 1 and 8, got 0"):
        gen.generate(SOURCE, spec, size=SIZE, candidates=0)
    with pytest.raises(InputError, match="slot must be between 0 and 3, got 4"):
        gen.regenerate(SOURCE, spec, 4, size=SIZE)
