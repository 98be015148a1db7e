"""Exports of a procedural project re-render the motion at the frame count the preset's even
timing needs; edited projects fall back to picking frames."""

from __future__ import annotations

import numpy as np
import pytest

from studio.generate.resample import exact_take, loop_renderer
from studio.pipeline import Studio
from tests.conftest import EXAMPLES


@pytest.fixture
def studio(settings) -> Studio:
    return Studio(settings)


def test_line_export_re_renders_24_frames_as_20(studio: Studio, tmp_path) -> None:
    p = studio.new_project(EXAMPLES / "blob.png")
    spec = studio.motion_spec(prompt="bounce", frames=24, fps=24)
    studio.generate(p, spec, size=(180, 180), candidates=2)
    assert exact_take(p)
    render = loop_renderer(p, studio.backend("generator", "procedural"), lambda f: f)
    assert render is not None
    twelve = render(12)
    assert len(twelve) == 12 and np.array_equal(twelve[0], p.chosen_frames()[0])
    assert np.array_equal(twelve[6], p.chosen_frames()[12])  # same phase, same frame
    res = studio.export(p, "line-emoji", tmp_path / "a.png")
    assert res.ok and res.frame_count <= 20
    assert any("motion re-rendered at 20 frames" in n for n in res.notes), res.notes
    studio.choose(p, 3, 1)  # a softer take in one slot: the frames are no longer the spec's
    assert not exact_take(p)
    res = studio.export(p, "line-emoji", tmp_path / "b.png")
    assert res.ok and not any("re-rendered" in n for n in res.notes)
