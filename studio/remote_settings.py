"""Settings of the remote GPU worker path, read from STUDIO_* environment variables.

=============================  =============================================  ===========
variable                       meaning                                        default
=============================  =============================================  ===========
STUDIO_WORKER_URL              worker endpoint base URL (RunPod:               (none)
                               ``https://api.runpod.ai/v2/<endpoint-id>``)
STUDIO_WORKER_API_KEY          bearer token sent to the endpoint; never        (none)
                               logged or shown
STUDIO_MAX_PARALLEL            remote calls in flight at once                  ``16``
STUDIO_RETRIES                 retries of a transient failure per frame        ``2``
STUDIO_WORKER_TIMEOUT_S        one HTTP call's timeout; a /runsync that        ``90``
                               takes longer falls back to /run + /status
STUDIO_WORKER_JOB_TIMEOUT_S    the longest one job may take, polling included  ``600``
STUDIO_WORKER_INTERACTIVE_     in the studio: one HTTP call's timeout          ``10``
  TIMEOUT_S
STUDIO_WORKER_INTERACTIVE_     in the studio: the longest one action waits     ``30``
  DEADLINE_S                   for the worker, retries and polling included
                               (for a job that reports progress: the longest
                               wait without news); then it gives up, says so
STUDIO_WORKER_CONCURRENCY      jobs one worker process runs at once            ``1``
=============================  =============================================  ===========
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from studio.errors import InputError
from studio.settings import read_env


@dataclass(frozen=True)
class RemoteSettings:
    """Where the worker is and how hard to push it. The API key never appears in repr().

    timeout_s / job_timeout_s are for batch work (CLI, notebooks); the studio runs under
    interactive_timeout_s per call and interactive_deadline_s per action (seconds)."""

    url: str = ""
    api_key: str = field(default="", repr=False)
    max_parallel: int = 16
    retries: int = 2
    timeout_s: float = 90.0
    job_timeout_s: float = 600.0
    interactive_timeout_s: float = 10.0
    interactive_deadline_s: float = 30.0
    worker_concurrency: int = 1
    backoff_s: float = 0.5
    poll_interval_s: float = 0.5


_ENV: dict[str, tuple[str, type, float]] = {  # field → (variable, kind, smallest allowed)
    "url": ("STUDIO_WORKER_URL", str, 0),
    "api_key": ("STUDIO_WORKER_API_KEY", str, 0),
    "max_parallel": ("STUDIO_MAX_PARALLEL", int, 1),
    "retries": ("STUDIO_RETRIES", int, 0),
    "timeout_s": ("STUDIO_WORKER_TIMEOUT_S", float, 0.001),
    "job_timeout_s": ("STUDIO_WORKER_JOB_TIMEOUT_S", float, 0.001),
    "interactive_timeout_s": ("STUDIO_WORKER_INTERACTIVE_TIMEOUT_S", float, 0.001),
    "interactive_deadline_s": ("STUDIO_WORKER_INTERACTIVE_DEADLINE_S", float, 0.001),
    "worker_concurrency": ("STUDIO_WORKER_CONCURRENCY", int, 1),
}


def load_remote_settings(env: Mapping[str, str] | None = None) -> RemoteSettings:
    """Read RemoteSettings from `env` (default os.environ); bad values raise InputError."""
    env = os.environ if env is None else env
    values = read_env(_ENV, env)
    if "url" in values:
        values["url"] = str(values["url"]).rstrip("/")
    url = str(values.get("url", ""))
    if url and not url.startswith(("http://", "https://")):
        raise InputError(f"STUDIO_WORKER_URL must start with http:// or https://, got {url!r}")
    return RemoteSettings(**values)  # type: ignore[arg-type]
