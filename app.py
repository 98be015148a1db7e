"""Start the popcon studio: ``python app.py`` (or ``make run``) serves it on
STUDIO_HOST:STUDIO_PORT, else GRADIO_SERVER_NAME:GRADIO_SERVER_PORT (a Hugging Face Space
sets those), else 127.0.0.1:7860; see studio/settings.py for every setting."""

from __future__ import annotations

from studio.ui import launch

if __name__ == "__main__":
    launch()
