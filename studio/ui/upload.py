"""The Character upload box: any file reaches the studio's own image checks.

Gradio's `gr.Image` opens an upload with PIL before the handler runs (and converts it to
RGB unless ``image_mode=None``): a text file named ``.png`` then fails inside Gradio, with
no message and an "Error" badge on every output. The upload event therefore runs with
``preprocess=False`` and takes the uploaded file's path from the raw payload (`upload_path`),
so `studio.ingest` decodes it (modes, alpha, EXIF, limits) and a bad file gets one clear
message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def upload_path(payload: Any) -> str | None:
    """The file path in an image component's raw payload (``{"path": ..., "url": ...}``,
    as events with ``preprocess=False`` receive it), or a plain path; None when empty."""
    if payload is None or payload == "":
        return None
    if isinstance(payload, str | Path):
        return str(payload)
    if isinstance(payload, dict):
        path = payload.get("path")
        return str(path) if path else None
    path = getattr(payload, "path", None)
    return str(path) if path else None


def is_shown_source(image: str | None, source_file: str | None) -> bool:
    """True when the box's value is the project's own source image, put there by the studio
    (opening or resuming a project), rather than a new upload."""
    if not image or not source_file:
        return False
    return Path(image).stem == Path(source_file).stem
