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
STUDIO_HOST / STUDIO_PORT  where the studio listens (else Gradio's own   ``127.0.0.1`` / 7860
                           GRADIO_SERVER_NAME / GRADIO_SERVER_PORT,
                           as a Hugging Face Space sets them)
STUDIO_QUEUE_CONCURRENCY   studio events running at once               ``2``
STUDIO_QUEUE_MAX_SIZE      studio events waiting at most               ``16``
STUDIO_AUTH                "user:password" to require a login          (none)
STUDIO_SHARE               ask Gradio for a public share link (1/0)    ``0``
=========================  ==========================================  =====================

This module also holds the one parser of environment values that every settings object uses
(`read_env`, `env_flag`, `env_choice`): `studio.model_settings` and `studio.remote_settings`
declare their variables in tables and read them with it, so a value is spelt, checked and
reported the same way everywhere (``STUDIO_PORT must be a whole number, got 'abc'``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
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


# field → (variable(s), kind, smallest allowed); with several variables the first set wins
_ENV: dict[str, tuple[str | tuple[str, ...], type, float | None]] = {
    "generator": ("STUDIO_GENERATOR", str, None),
    "segmenter": ("STUDIO_SEGMENTER", str, None),
    "max_parallel": ("STUDIO_MAX_PARALLEL", int, 1),
    "retries": ("STUDIO_RETRIES", int, 0),
    "max_pixels": ("STUDIO_MAX_PIXELS", int, 1),
    "max_upload_mb": ("STUDIO_MAX_UPLOAD_MB", float, 1),
    "host": (("STUDIO_HOST", "GRADIO_SERVER_NAME"), str, None),
    "port": (("STUDIO_PORT", "GRADIO_SERVER_PORT"), int, 1),
    "queue_concurrency": ("STUDIO_QUEUE_CONCURRENCY", int, 1),
    "queue_max_size": ("STUDIO_QUEUE_MAX_SIZE", int, 1),
    "auth": ("STUDIO_AUTH", str, None),
    "share": ("STUDIO_SHARE", bool, None),
}

TRUE_WORDS = ("1", "true", "yes", "on")
FALSE_WORDS = ("0", "false", "no", "off")
_KIND_WORDS = {int: "a whole number", float: "a number", str: "text", bool: "1 or 0"}


def parse_value(var: str, raw: str, kind: type, lo: float | None = None) -> object:
    """`raw` (stripped, non-empty) as `kind` (str, int, float or bool); InputError naming
    `var` and the bad value when it is not one, or is below `lo`."""
    if kind is str:
        return raw
    if kind is bool:
        word = raw.lower()
        if word not in TRUE_WORDS + FALSE_WORDS:
            raise InputError(f"{var} must be {_KIND_WORDS[bool]} (or true/false, yes/no, "
                             f"on/off), got {raw!r}")
        return word in TRUE_WORDS
    try:
        value = kind(raw)
    except ValueError:
        raise InputError(f"{var} must be {_KIND_WORDS[kind]}, got {raw!r}") from None
    if lo is not None and value < lo:
        raise InputError(f"{var} must be at least {lo:g}, got {raw!r}")
    return value


def read_env(
    table: Mapping[str, tuple[str | tuple[str, ...], type, float | None]],
    env: Mapping[str, str],
) -> dict[str, object]:
    """{field: value} for every variable of `table` (field → (variable or variables, kind,
    smallest allowed)) that is set and not blank in `env`; with several variables the first
    one set wins. Fields whose variables are unset are left out (the dataclass default)."""
    values: dict[str, object] = {}
    for name, (names, kind, lo) in table.items():
        for var in (names,) if isinstance(names, str) else names:
            raw = env.get(var, "").strip()
            if raw:
                values[name] = parse_value(var, raw, kind, lo)
                break
    return values


def env_flag(env: Mapping[str, str], var: str, default: bool) -> bool:
    """A yes/no variable (1/0, true/false, yes/no, on/off); `default` when unset."""
    raw = env.get(var, "").strip()
    return default if not raw else bool(parse_value(var, raw, bool))


def env_choice(env: Mapping[str, str], var: str, choices: tuple[str, ...], default: str) -> str:
    """A variable that must be one of `choices` (case-insensitive); `default` when unset."""
    raw = env.get(var, "").strip().lower()
    if not raw:
        return default
    if raw not in choices:
        raise InputError(f"{var} must be one of {', '.join(choices)}, got {raw!r}")
    return raw


def load_settings(env: Mapping[str, str] | None = None) -> Settings:
    """Read the settings from `env` (default: os.environ). Bad values raise InputError."""
    env = os.environ if env is None else env
    values: dict[str, object] = {
        "home": Path(env.get("STUDIO_HOME") or Path.home() / ".popcon").expanduser(),
        "max_parallel": max(1, os.cpu_count() or 1),
    }
    values.update(read_env(_ENV, env))
    return Settings(**values)  # type: ignore[arg-type]
