"""Data files shipped inside the package, read through ``importlib.resources`` so they are
found the same way in a source checkout, an editable install and an installed wheel:

- ``weights.json``: the manifest of known model weights (see ``studio.weights``);
- ``examples/*.png``: the example characters (drawn by ``examples/draw_examples.py``; the
  repository's ``examples/`` folder links to them).
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path


def asset_path(*parts: str) -> Path:
    """The file-system path of a packaged data file, e.g. ``asset_path("weights.json")``.

    pip installs packages as plain files, so the resource is a real path (gradio and PIL
    read it by name); a zip-imported copy of the package is not supported."""
    ref = files(__name__).joinpath(*parts)
    path = Path(str(ref))
    if not isinstance(ref, Path) and not path.exists():
        raise RuntimeError(f"studio.assets/{'/'.join(parts)} is not a file on disk ({ref!r}); "
                           "install popcon-studio with pip rather than importing it from a zip")
    return path


def example_paths() -> list[Path]:
    """The bundled example characters (PNG, RGBA or RGB), sorted by name."""
    return sorted(asset_path("examples").glob("*.png"))


__all__ = ["asset_path", "example_paths"]
