"""Refusals in the studio: one message a user can act on, and the screen left as it was.

When an event with outputs fails, Gradio shows the error as a toast and also puts an "Error"
badge over every output, hiding what it showed. So:

- the upload and Generate are two steps: a check (or the project's creation) whose only
  output is a hidden State, then, on success, the step that fills the outputs; a refused
  upload also puts the Character box back as it was;
- for every other action, QUIET_ERRORS_CSS hides the per-output error badges (the toast
  is the one message; the outputs keep what they showed, as the handler changed nothing).
"""

from __future__ import annotations

import threading
import time
from typing import Any

import gradio as gr

from studio.errors import StudioError
from studio.pipeline import MAX_CANDIDATES, MAX_SIZE, Studio, check_range
from studio.ui import handlers as H
from studio.ui.backends import require_available
from studio.ui.layout import UI
from studio.ui.upload import is_shown_source, upload_path
from studio.ui.wiring import Views, guarded

PRIVATE: dict[str, Any] = {"api_visibility": "private"}
QUIET_ERRORS_CSS = """
[data-testid="status-tracker"]:has(> .error) {display: none !important;}
"""


def _source_file(studio: Studio, project_id: str | None) -> str | None:
    if not project_id:
        return None
    try:
        src = H.require_project(studio, project_id).manifest.get("source")
    except StudioError:
        return None
    return src["file"] if src else None


class RecentRefusals:
    """Uploads refused in the last `window_s` seconds, by their upload path.

    With a project open, Gradio 6.31 sends one new upload's change event twice; refusing it
    twice would show its message twice ("Error (2)"). The upload path holds the file's
    digest, so the same file uploaded again after the window is judged (and refused) anew.
    The record is per studio, not per browser: a second user uploading the very same refused
    file within the window sees no message (and no project is made)."""

    def __init__(self, window_s: float = 5.0):
        self.window_s = window_s
        self._at: dict[str, float] = {}
        self._lock = threading.Lock()

    def add(self, path: str) -> None:
        with self._lock:
            self._at[path] = time.monotonic()

    def seen(self, path: str) -> bool:
        now = time.monotonic()
        with self._lock:
            self._at = {p: t for p, t in self._at.items() if now - t <= self.window_s}
            return path in self._at


def upload_events(studio: Studio, ui: UI, v: Views, everything: list) -> None:
    """Character box → new project (step 1, refusals are one toast) → every view (step 2)."""
    ui.pending_pid = gr.State("")

    refused = RecentRefusals()

    @guarded
    def create(payload: Any, current: str | None) -> str:
        image = upload_path(payload)  # the raw upload: studio.ingest judges the file
        if not image or is_shown_source(image, _source_file(studio, current)):
            return ""  # cleared, or the studio showing the open project's own source
        if refused.seen(image):
            return ""  # the same upload's second change event: its message is on screen
        try:
            return H.new_project(studio, image)
        except StudioError:
            refused.add(image)
            raise

    @guarded
    def show(pid: str) -> dict:
        if not pid:
            return {ui.status: gr.skip()}  # nothing new: leave the screen as it is
        project = H.require_project(studio, pid)
        return v.everything(project, f"New project **{pid}**: now press **Generate**.")

    def put_back(current: str | None) -> dict:
        src = _source_file(studio, current)
        project = H.require_project(studio, current) if src else None
        return {ui.upload: str(project.path / src) if project and src else None}

    step = ui.upload.change(create, [ui.upload, ui.pid], [ui.pending_pid], preprocess=False,
                            **PRIVATE)
    step.success(show, [ui.pending_pid], everything, **PRIVATE)
    step.failure(put_back, [ui.pid], [ui.upload], **PRIVATE)


def generate_check(studio: Studio, project_id: str, preset: str, prompt: str, effects: list,
                   frames: float, fps: float, candidates: float, size: float,
                   generator: str) -> None:
    """Everything Generate needs, checked without rendering: a project of the requester's,
    an available generator, a motion the parser accepts (an empty custom prompt is refused
    here), takes and size in range."""
    require_available("generator", generator)
    H.require_project(studio, project_id)
    H.motion_spec(studio, preset, prompt, effects, frames, fps, generator)
    check_range("takes per frame", float(candidates), 1, MAX_CANDIDATES)
    check_range("size (px)", float(size), 16, MAX_SIZE)


def checked_generate(studio: Studio, ui: UI, inputs: list) -> Any:
    """The Generate button's first step (its .success runs the generation)."""

    @guarded
    def check(*args: Any) -> None:
        generate_check(studio, *args)

    return ui.gen_btn.click(check, inputs, None, **PRIVATE)
