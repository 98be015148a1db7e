from __future__ import annotations

import numpy as np
import pytest

from studio.errors import InputError
from studio.refine import EdgeSettings, apply_edges, defringe, feather, grow, outline, paint_alpha
from tests.helpers import face_rgba


def disc(size: int = 64, r: float = 20) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size]
    d = np.hypot(xx - size / 2, yy - size / 2)
    return np.clip(r - d + 0.5, 0, 1).astype(np.float32)


def area(a: np.ndarray) -> float:
    return float(a.sum())


def test_grow_and_shrink_change_radius() -> None:
    a = disc()
    assert area(grow(a, 3)) == pytest.approx(np.pi * 23**2, rel=0.05)
    assert area(grow(a, -3)) == pytest.approx(np.pi * 17**2, rel=0.05)
    g = grow(a, 3)
    assert ((g > 0) & (g < 1)).any()  # the edge stays anti-aliased


def test_feather_softens_edge_only() -> None:
    a = disc()
    f = feather(a, 4)
    assert f[32, 32] == pytest.approx(1, abs=1e-3)
    assert ((f > 0.05) & (f < 0.95)).sum() > ((a > 0.05) & (a < 0.95)).sum()


def test_defringe_replaces_edge_colour() -> None:
    rgba = np.zeros((64, 64, 4), np.uint8)
    a = disc()
    rgba[..., 3] = np.rint(a * 255)
    rgba[..., :3] = (200, 30, 30)
    edge = (a > 0) & (a < 1)
    rgba[edge, :3] = 255  # a white fringe left by the old background
    out = defringe(rgba, 2)
    assert (out[edge, 0] == 200).all() and (out[edge, 1] == 30).all()
    assert (out[..., 3] == rgba[..., 3]).all()


def test_outline_adds_a_border_of_the_colour() -> None:
    rgba = face_rgba(96)
    out = outline(rgba, 4, "#ff00ff")
    ring = (out[..., 3] == 255) & (rgba[..., 3] == 0)
    assert ring.sum() > 0.6 * 2 * np.pi * 38 * 4  # minus the anti-aliased rims
    assert (out[ring][:, :3] == (255, 0, 255)).all()
    inside = rgba[..., 3] == 255
    assert (out[inside] == rgba[inside]).all()


def test_paint_alpha_and_settings_validation() -> None:
    a = disc()
    stroke = np.zeros_like(a)
    stroke[:, :32] = 1
    assert paint_alpha(a, stroke, erase=True)[:, :32].max() == 0
    assert paint_alpha(a, stroke, erase=False)[:, :32].min() == 1
    with pytest.raises(InputError, match="outline must be between 0 and 20 px, got 50"):
        apply_edges(face_rgba(), EdgeSettings(outline=50))
    with pytest.raises(InputError, match="#rrggbb"):
        apply_edges(face_rgba(), EdgeSettings(outline=2, outline_color="pink"))
    assert apply_edges(face_rgba(), EdgeSettings()) is not None
