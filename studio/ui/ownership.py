"""Projects belong to their owner: a login, or the browser session that made them.

Who is asking (`requester`), read from the Gradio request of the event being handled:

- with a login (STUDIO_AUTH): ``user:<name>``;
- in a browser without a login: ``browser:<sha256 of a token>``; the token is 32 random
  bytes kept in the browser (a `gr.BrowserState`, encrypted with a key kept in STUDIO_HOME),
  bound to the page's session when it loads, so a reload or a restart keeps its projects;
- an API client (gradio_client) without a login: ``session:<sha256 of its session hash>``
  (one Client instance is one session).

A new project records its owner in the manifest (``"owner"``). Listing, opening, changing
and exporting check it: another owner's project is answered like one that does not exist.
Projects without an owner (made by the CLI, or before owners existed) are open in a local,
single-user studio and hidden in a shared one (a login, a share link, or a host other than
loopback). Project folders are not served by the file route at all (`ProjectFilesGuard`):
the studio shows its images through Gradio's cache, under names only their recipient gets.

Outside a Gradio event (the CLI, tests calling handlers directly) there is no requester and
nothing is restricted.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import secrets
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from studio.errors import ProjectError
from studio.project import Project, ProjectSummary
from studio.settings import Settings

KEY_FILE = ".owner-key"  # in STUDIO_HOME: encrypts the browser tokens at rest
MAX_SESSIONS = 20_000


@dataclass(frozen=True)
class Requester:
    """Who sends the current event: `key` is the owner key projects record; `shared` is
    True when the studio is reachable by others (login, share link, non-loopback host)."""

    key: str
    shared: bool


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:40]


class Sessions:
    """Page session hash → owner key of the browser that loaded it (bounded, thread-safe)."""

    def __init__(self, limit: int = MAX_SESSIONS) -> None:
        self._map: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()
        self.limit = limit

    def bind(self, session_hash: str, key: str) -> None:
        with self._lock:
            self._map[session_hash] = key
            self._map.move_to_end(session_hash)
            while len(self._map) > self.limit:
                self._map.popitem(last=False)

    def get(self, session_hash: str) -> str | None:
        with self._lock:
            return self._map.get(session_hash)


def is_shared(settings: Settings, host: str | None, share: bool) -> bool:
    """True when people other than the person at this machine can reach the studio."""
    if settings.auth or share:
        return True
    name = (host or settings.host or "127.0.0.1").strip("[]")
    if name == "localhost":
        return False
    try:
        return not ipaddress.ip_address(name).is_loopback
    except ValueError:
        return True


def configure(demo: Any, settings: Settings, host: str | None = None,
              share: bool = False) -> None:
    """Attach the session map and the shared/local mode to the Blocks app `demo`."""
    if not isinstance(getattr(demo, "popcon_sessions", None), Sessions):
        demo.popcon_sessions = Sessions()
    demo.popcon_shared = is_shared(settings, host, share)


def token_secret(settings: Settings) -> str:
    """The key that encrypts owner tokens in browsers; made once and kept in STUDIO_HOME
    (mode 0600) so tokens survive a restart of the studio."""
    path = settings.home / KEY_FILE
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    settings.home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it first
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def _context() -> tuple[Any, Any]:
    try:
        from gradio.context import LocalContext
    except ImportError:  # no gradio: never inside an event
        return None, None
    return LocalContext.request.get(None), LocalContext.blocks.get(None)


def requester() -> Requester | None:
    """The owner key of the event being handled, or None outside a Gradio event."""
    request, blocks = _context()
    if request is None:
        return None
    shared = bool(getattr(blocks, "popcon_shared", False))
    username = getattr(request, "username", None)
    if username:
        return Requester(f"user:{username}", shared)
    session = getattr(request, "session_hash", None) or ""
    sessions = getattr(blocks, "popcon_sessions", None)
    bound = sessions.get(session) if isinstance(sessions, Sessions) and session else None
    if bound:
        return Requester(bound, shared)
    if not session:
        return Requester("anonymous", shared)  # no session: sees only unowned, if local
    return Requester(f"session:{_digest(session)}", shared)


def bind_browser(token: str | None) -> str:
    """Bind the current page session to the browser token `token` (a new random one when it
    is empty or malformed); returns the token for the browser to keep."""
    token = token if isinstance(token, str) and 32 <= len(token) <= 128 else ""
    token = token or secrets.token_urlsafe(32)
    request, blocks = _context()
    session = getattr(request, "session_hash", None)
    sessions = getattr(blocks, "popcon_sessions", None)
    if session and isinstance(sessions, Sessions):
        sessions.bind(session, f"browser:{_digest(token)}")
    return token


def may_use(owner: str | None, who: Requester | None) -> bool:
    """Whether `who` may list, open, change and export a project owned by `owner`."""
    if who is None:
        return True
    if owner is None:
        return not who.shared
    return owner == who.key


def check(project: Project) -> Project:
    """`project` if the requester may use it; ProjectError worded like a missing project
    otherwise (so ids of other people's projects cannot be probed)."""
    if not may_use(project.manifest.get("owner"), requester()):
        raise ProjectError(
            f"no project with id {project.id!r} here; projects are private to the browser "
            "session or login that made them"
        )
    return project


def visible(summary: ProjectSummary) -> bool:
    """Whether the requester may see `summary` in a project list."""
    return may_use(summary.owner, requester())


def claim(project: Project) -> None:
    """Record the requester as the owner of the new `project` (no-op outside an event)."""
    who = requester()
    if who is None or project.manifest.get("owner"):
        return
    with project.lock:
        project.manifest["owner"] = who.key
        project.save()


class ProjectFilesGuard:
    """ASGI middleware: the file route never serves a path inside the projects folder.

    The studio's images and downloads reach the browser through Gradio's cache (copies under
    a per-process salted content hash), so nothing legitimate asks for a project folder path;
    refusing it keeps another owner's manifest, source and exports out of reach."""

    def __init__(self, app: Any, projects_dir: str | Path) -> None:
        self.app = app
        self.root = Path(projects_dir).resolve()

    def _inside(self, raw: str) -> bool:
        try:
            target = Path(os.path.abspath(raw)).resolve()
        except (OSError, ValueError):
            return True
        return target == self.root or self.root in target.parents

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope.get("type") == "http":
            path = scope.get("path", "")
            marker = path.find("/file=")
            if marker >= 0 and self._inside(path[marker + len("/file="):]):
                body = b"project files are only shown to their owner, through the studio"
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
