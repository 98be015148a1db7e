"""The popcon studio: a Gradio Blocks app over the Studio service.

    from studio.ui import build_app, launch
    demo = build_app()          # gr.Blocks with its queue set from the settings
    launch(port=7861)           # serve it (blocks until interrupted unless block=False)

Only this package imports gradio; ``import studio`` stays free of it. Importing it changes
no environment variable: Gradio's analytics are off through the Blocks (``analytics_enabled=
False`` in `studio.ui.layout`), and whether models may be downloaded is the deployment's
choice (HF_HUB_OFFLINE, STUDIO_DOWNLOAD), not this module's.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gradio as gr

    from studio.pipeline import Studio

log = logging.getLogger("studio.ui")


def build_app(studio: Studio | None = None) -> gr.Blocks:
    """The studio's Blocks app over `studio` (a new Studio from the settings when None),
    with the queue configured (concurrency and size from the settings)."""
    import gradio as gr

    from studio.pipeline import Studio
    from studio.ui import ownership
    from studio.ui.events import wire
    from studio.ui.layout import build_layout

    studio = studio or Studio()
    demo, ui = build_layout()
    with demo:  # the browser's owner token (studio.ui.ownership), kept across reloads
        ui.owner = gr.BrowserState("", storage_key="popcon-owner",
                                   secret=ownership.token_secret(studio.settings))
        wire(studio, ui)
    ownership.configure(demo, studio.settings)
    s = studio.settings
    demo.queue(default_concurrency_limit=s.queue_concurrency, max_size=s.queue_max_size)
    demo.studio = studio  # type: ignore[attr-defined]
    return demo


def launch_options(studio: Studio) -> dict:
    """Keyword arguments of ``Blocks.launch`` from the settings: login, upload cap, the
    project folders readable by the app (its views are served through Gradio's cache) and
    never served directly by the file route (studio.ui.ownership.ProjectFilesGuard)."""
    from starlette.middleware import Middleware

    from studio.ui.layout import CSS
    from studio.ui.ownership import ProjectFilesGuard
    from studio.ui.refusals import QUIET_ERRORS_CSS

    s = studio.settings
    s.projects_dir.mkdir(parents=True, exist_ok=True)
    return {
        "auth": s.auth_pair,
        "allowed_paths": [str(s.projects_dir)],
        "max_file_size": s.max_upload_bytes,
        "css": CSS + QUIET_ERRORS_CSS,
        "footer_links": [],
        "app_kwargs": {"middleware": [Middleware(ProjectFilesGuard,
                                                 projects_dir=s.projects_dir)]},
    }


def launch(
    studio: Studio | None = None,
    *,
    host: str | None = None,
    port: int | None = None,
    share: bool | None = None,
    block: bool = True,
) -> gr.Blocks:
    """Serve the studio on host:port (default: STUDIO_HOST / STUDIO_PORT, else Gradio's
    GRADIO_SERVER_NAME / GRADIO_SERVER_PORT as a Hugging Face Space sets them, else
    127.0.0.1:7860).

    share: ask Gradio for a public link (default: STUDIO_SHARE). When the link cannot be made
    (offline), a one-line warning is logged and the local studio keeps running.
    block: wait until interrupted; False returns the running app (close it with .close()).
    """
    from studio.pipeline import Studio
    from studio.recovery import sweep
    from studio.ui import ownership

    studio = studio or Studio()
    s = studio.settings
    want_share = s.share if share is None else bool(share)
    report = sweep(s)  # temp files and interrupted generations of a killed studio
    if report.interrupted:
        log.warning("marked %d interrupted generation(s): %s", len(report.interrupted),
                    ", ".join(report.interrupted))
    demo = build_app(studio)
    ownership.configure(demo, s, host or s.host, want_share)
    demo.launch(
        server_name=host or s.host,
        server_port=port or s.port,
        share=want_share,
        prevent_thread_lock=True,
        **launch_options(studio),
    )
    if want_share and not demo.share_url:
        log.warning("no public share link (offline, or the share server is unreachable); "
                    "the studio keeps running locally at %s", demo.local_url)
    if block:
        try:
            demo.block_thread()
        except KeyboardInterrupt:
            demo.close()
    return demo


__all__ = ["build_app", "launch", "launch_options"]
