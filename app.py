"""Start the popcon studio: ``python app.py`` (or ``make run``) serves it on
STUDIO_HOST:STUDIO_PORT (default 127.0.0.1:7860); see studio/settings.py for every setting."""

from __future__ import annotations

from studio.ui import launch

if __name__ == "__main__":
    launch()
