"""One Settings object read from STUDIO_* environment variables.

Every knob a deployment may change lives here, with its variable name and default:

=========================  ==========================================  =====================
variable                   meaning                                     default
=========================  ==========================================  =====================
STUDIO_HOME                folder holding ``projects/``                ``~/.popcon``
STUDIO_GENERATOR           default generator backend                   ``procedural``
STUDIO_SEGMENTER           default segmenter backend                   ``auto``
STUDIO_MAX_PARALLEL        per-frame work in flight at once            CPU count (≥ 1)
STUDIO_RETRIES             retries of a failed frame (transient only)  ``2``
STUDIO_MAX_PIXELS          largest accepted image, in pixels           ``24000000``
STUDIO_MAX_UPLOAD_MB       largest accepted image file, in MB          ``50``
STUDIO_HOST / STUDIO_PORT  where the studio listens                    ``127.0.0.1`` / 7860
STUDIO_QUEUE_CONCURRENCY   studio events running at once               ``2``
STUDIO_QUEUE_MAX_SIZE      studio events waiting at most               ``16``
STUDIO_AUTH                "user:password" to require a login          (none)
STUDIO_SHARE               ask Gradio for a public share link (1/0)    ``0``
=========================  ==========================================  =====================
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from studio.errors import InputError


@dataclass(frozen=True)
class Settings:
    home: Path
    generator: str = "procedural"
    segmenter: str = "auto"
    max_parallel: int = 2
    retries: int = 2
    max_pixels: int = 24_000_000
    max_upload_mb: float = 50.0
    host: str = "127.0.0.1"
    port: int = 7860
    queue_concurrency: int = 2
    queue_max_size: int = 16
    auth: str = ""
    share: bool = False

    @property
    def auth_pair(self) -> tuple[str, str] | None:
        """(user, password) from STUDIO_AUTH, or None when no login is required."""
        if not self.auth:
            return None
        user, sep, password = self.auth.partition(":")
        if not sep or not user or not password:
            raise InputError("STUDIO_AUTH must look like user:password")
        return user, password

    @property
    def projects_dir(self) -> Path:
        return self.home / "projects"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)


_ENV = {
    "home": "STUDIO_HOME",
    "generator": "STUDIO_GENERATOR",
    "segmenter": "STUDIO_SEGMENTER",
    "max_parallel": "STUDIO_MAX_PARALLEL",
    "retries": "STUDIO_RETRIES",
    "max_pixels": "STUDIO_MAX_PIXELS",
    "max_upload_mb": "STUDIO_MAX_UPLOAD_MB",
    "host": "STUDIO_HOST",
    "port": "STUDIO_PORT",
    "queue_concurrency": "STUDIO_QUEUE_CONCURRENCY",
    "queue_max_size": "STUDIO_QUEUE_MAX_SIZE",
    "auth": "STUDIO_AUTH",
    "share": "STUDIO_SHARE",
}


_KIND_WORDS = {int: "a whole number", float: "a number", str: "text", bool: "1 or 0"}
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


def _convert(name: str, raw: str, kind: type) -> object:
    if kind is bool:
        if raw.strip().lower() not in _TRUE + _FALSE:
            raise InputError(f"{_ENV[name]} must be {_KIND_WORDS[bool]}, got {raw!r}")
        return raw.strip().lower() in _TRUE
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{_ENV[name]} must be {_KIND_WORDS[kind]}, got {raw!r}") from None
    if kind in (int, float) and value < (0 if name == "retries" else 1):  # type: ignore[operator]
        raise InputError(f"{_ENV[name]} must be positive, got {raw!r}")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: os.environ). Bad values raise InputError."""
    env = dict(os.environ if env is None else env)
    values: dict[str, object] = {
        "home": Path(env.get("STUDIO_HOME") or Path.home() / ".popcon").expanduser(),
        "max_parallel": max(1, os.cpu_count() or 1),
    }
    kinds = {f.name: f.type for f in fields(Settings)}
    for name, var in _ENV.items():
        raw = env.get(var)
        if name == "home" or raw is None or raw == "":
            continue
        kind = {"int": int, "float": float, "str": str, "bool": bool}[str(kinds[name])]
        values[name] = _convert(name, raw, kind)
    return Settings(**values)  # type: ignore[arg-type]
