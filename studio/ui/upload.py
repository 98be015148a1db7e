"""The Character upload box: any file reaches the studio's own image checks.

Gradio's `gr.Image` opens an upload with PIL before the handler runs and converts it to RGB
by default: a text file named ``.png`` then fails inside Gradio (no message, an "Error"
badge on every output) and a transparent PNG loses its alpha. `CharacterImage` hands the
uploaded file to the handler as it is, so `studio.ingest` decodes it (modes, EXIF, limits)
and a bad file gets one clear message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr


class CharacterImage(gr.Image):
    """`gr.Image` (same front-end component) whose preprocess returns the uploaded file's
    path untouched; make it with ``type="filepath", image_mode=None``. (Its constructor is
    gr.Image's: Gradio reads the component's properties from that signature.)"""

    def get_block_name(self) -> str:
        return "image"  # the front end renders it as a plain Image

    def preprocess(self, payload: Any) -> Any:
        path = getattr(payload, "path", None)
        if self.type == "filepath" and path and not str(getattr(payload, "url", "") or "")\
                .startswith("data:"):
            return str(path)
        return super().preprocess(payload)


def is_shown_source(image: str | None, source_file: str | None) -> bool:
    """True when the box's value is the project's own source image, put there by the studio
    (opening or resuming a project), rather than a new upload."""
    if not image or not source_file:
        return False
    return Path(image).stem == Path(source_file).stem
