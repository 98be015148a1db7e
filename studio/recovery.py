"""Nothing half-made: stale temp files, interrupted jobs and provisional projects.

- Every atomic write goes through a temp file ``.<name>.<pid>.<random>.tmp`` beside its
  target (studio.fileio). A process killed mid-write leaves it; `remove_stale_temp` removes
  those whose writer is gone (its pid no longer runs, or the file is older than
  STALE_TEMP_S when the pid cannot be read).
- A long job on a project (``generate``, ``make``) is recorded in the manifest as
  ``"job": {"kind", "pid", "host", "started"}`` while it runs (`job_marker`). A job whose
  process is gone was interrupted: `sweep` (run when the CLI or the studio starts) turns the
  record into ``"interrupted": {"kind", "at"}``, which `popcon projects` and the studio show,
  and which the next successful run of that job clears.
- `provisional` wraps the steps that create a project (``popcon make``): when any of them
  fails, the project is removed, so a refused make leaves nothing behind.
- A write outside the projects folder (``-o`` of make and export) is announced in
  ``$STUDIO_HOME/pending-writes/`` while it runs (`pending_write`), so `sweep` can also
  remove the temp file a killed export left beside its target.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from studio.fileio import atomic_write_json
from studio.project import ID_PATTERN, Project
from studio.settings import Settings

PENDING = "pending-writes"

STALE_TEMP_S = 3600.0  # a temp file whose writer cannot be identified is stale after an hour
FOREIGN_JOB_S = 6 * 3600.0  # a job recorded by another host is stale after six hours
_TEMP_NAME = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def pid_alive(pid: int) -> bool:
    """True when a process with this pid runs on this machine (0 and negatives: False)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    except OSError:
        return False
    return True


def is_stale_temp(path: Path, now: float | None = None) -> bool:
    """Whether `path` is a temp file left by an atomic write whose writer is gone."""
    if not (path.name.startswith(".") and path.name.endswith(".tmp")):
        return False
    m = _TEMP_NAME.match(path.name)
    if m is not None and int(m["pid"]) != os.getpid() and not pid_alive(int(m["pid"])):
        return True
    try:
        age = (now or time.time()) - path.stat().st_mtime
    except OSError:
        return False
    if m is not None and int(m["pid"]) == os.getpid():
        return False  # this process is writing it
    return age > STALE_TEMP_S


def remove_stale_temp(
    folder: Path, target: str | None = None, recursive: bool = False
) -> list[Path]:
    """Remove the stale temp files in `folder` (of one target file name when given; in
    sub-folders too when `recursive`); returns what was removed."""
    folder = Path(folder)
    if not folder.is_dir():
        return []
    pattern = f".{target}.*.tmp" if target else ".*.tmp"
    found = folder.rglob(pattern) if recursive else folder.glob(pattern)
    removed = []
    for path in found:
        if path.is_file() and is_stale_temp(path):
            try:
                path.unlink()
            except OSError:
                continue
            removed.append(path)
    return removed


@dataclass
class RecoveryReport:
    """What `sweep` cleaned: temp files removed, projects marked interrupted (ids)."""

    removed_temp: list[Path] = field(default_factory=list)
    interrupted: list[str] = field(default_factory=list)


def _job_is_dead(job: dict, now: float) -> bool:
    pid, host = int(job.get("pid") or 0), str(job.get("host") or "")
    if host and host != socket.gethostname():
        return now - float(job.get("started") or 0) > FOREIGN_JOB_S
    return pid != os.getpid() and not pid_alive(pid)


def sweep(settings: Settings) -> RecoveryReport:
    """Clean up after processes that were killed: remove stale temp files under the
    projects folder and mark projects whose job's process is gone as interrupted."""
    report = RecoveryReport()
    report.removed_temp = _sweep_pending(settings)
    root = settings.projects_dir
    if not root.is_dir():
        return report
    report.removed_temp += remove_stale_temp(root, recursive=True)
    now = time.time()
    for folder in root.iterdir():
        if not ID_PATTERN.match(folder.name) or not (folder / "manifest.json").is_file():
            continue
        try:
            project = Project.open_path(folder)
        except Exception:  # an unreadable manifest is reported when it is opened
            continue
        job = project.manifest.get("job")
        if isinstance(job, dict) and _job_is_dead(job, now):
            with project.lock:
                project.manifest.pop("job", None)
                project.manifest["interrupted"] = {"kind": job.get("kind", "job"), "at": now}
                project.save()
            report.interrupted.append(project.id)
    return report


@contextmanager
def pending_write(settings: Settings, target: Path) -> Iterator[Path]:
    """Announce that this process writes `target` (outside the projects folder) while the
    block runs, so a kill mid-write can be cleaned up by the next `sweep`."""
    folder = settings.home / PENDING
    entry = folder / f"{os.getpid()}-{secrets.token_hex(4)}.json"
    atomic_write_json(entry, {"pid": os.getpid(), "host": socket.gethostname(),
                              "started": time.time(), "target": str(Path(target).resolve())})
    try:
        yield target
    finally:
        entry.unlink(missing_ok=True)


def _sweep_pending(settings: Settings) -> list[Path]:
    """Remove the temp files beside the targets of writes whose process is gone."""
    folder = settings.home / PENDING
    if not folder.is_dir():
        return []
    removed = remove_stale_temp(folder)
    now = time.time()
    for entry in folder.glob("*.json"):
        try:
            record = json.loads(entry.read_text())
            target = Path(record["target"])
        except (OSError, ValueError, KeyError, TypeError):
            entry.unlink(missing_ok=True)
            continue
        if _job_is_dead(record, now):
            removed += remove_stale_temp(target.parent, target.name)
            entry.unlink(missing_ok=True)
    return removed


def _set_job(project: Project, kind: str | None) -> None:
    with project.lock:
        if kind is None:
            project.manifest.pop("job", None)
        else:
            project.manifest["job"] = {"kind": kind, "pid": os.getpid(),
                                       "host": socket.gethostname(), "started": time.time()}
        project.save()


@contextmanager
def job_marker(project: Project, kind: str) -> Iterator[Project]:
    """Record `kind` as running on `project` while the block runs. On success the record and
    any earlier ``interrupted`` mark go; on an error the record goes (the project keeps its
    previous state); on KeyboardInterrupt/SystemExit it becomes ``interrupted``."""
    _set_job(project, kind)
    try:
        yield project
    except (KeyboardInterrupt, SystemExit):
        with project.lock:
            project.manifest.pop("job", None)
            project.manifest["interrupted"] = {"kind": kind, "at": time.time()}
            project.save()
        raise
    except BaseException:
        _set_job(project, None)
        raise
    with project.lock:
        project.manifest.pop("job", None)
        project.manifest.pop("interrupted", None)
        project.save()


@contextmanager
def provisional(project: Project) -> Iterator[Project]:
    """Remove `project` (its folder and everything in it) when the block fails in any way;
    keep it when the block completes."""
    try:
        yield project
    except BaseException:
        if project.path.is_dir():
            project.delete()
        raise

