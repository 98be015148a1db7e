"""The project store: one folder per job, a versioned JSON manifest, atomic writes, resume.

Layout of ``$STUDIO_HOME/projects/<id>/``::

    manifest.json            schema-versioned state (below); written last and atomically
    source.png               the ingested image, RGBA
    cutout.png               the segmented character, RGBA (once segmented)
    edits-<token>.png        brush edits on the source (R erase, G restore), re-applied to
                             every new cut-out
    candidates/<file>.png    one RGBA (or RGB) image per candidate
    masks/<file>.png         masks of candidates that were segmented or fixed: RGBA, alpha =
                             the mask, RGB = the estimated foreground colour
    exports/<file>           finished exports

Each Generate makes a new version of the animation: the previous slots move to
``manifest["versions"]`` (at most MAX_VERSIONS) and can be made current again
(`restore_version`); ``edited`` counts the hand edits of the current one.

Image files are immutable once written: new work writes new files and the manifest is
switched to them in one atomic rename, so a crash or a rejected input leaves the previous
state intact. Files the manifest no longer names are removed after the switch.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studio.errors import ProjectError
from studio.fileio import atomic_write_json, read_png, write_png
from studio.settings import Settings, load_settings
from studio.types import Candidate, Mask, MotionSpec, Slot, Source

SCHEMA_VERSION = 1
MAX_VERSIONS = 20
"""Earlier animations kept per project; the oldest go first beyond this."""
ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{2,63}$")
_locks: dict[str, threading.RLock] = {}
_locks_guard = threading.Lock()


def _lock_for(path: Path) -> threading.RLock:
    with _locks_guard:
        return _locks.setdefault(str(path), threading.RLock())


def validate_id(project_id: str) -> str:
    """Return `project_id` if it is a safe folder name; raise ProjectError otherwise."""
    if not isinstance(project_id, str) or not ID_PATTERN.match(project_id):
        raise ProjectError(
            f"invalid project id {project_id!r}: use 3-64 characters, lower-case letters, "
            "digits and '-'"
        )
    return project_id


def new_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + secrets.token_hex(3)


@dataclass(frozen=True)
class ProjectSummary:
    id: str
    name: str
    updated: float
    frames: int
    path: Path
    owner: str | None = None  # who may open it in a shared studio (studio.ui.ownership)
    status: str = ""  # "" or why it is unfinished (an interrupted or running job)


def job_status(manifest: dict[str, Any]) -> str:
    """ "interrupted (generate): run it again", "generate running" or "" (see
    studio.recovery, which writes the ``job`` and ``interrupted`` records)."""
    mark = manifest.get("interrupted")
    if isinstance(mark, dict):
        return f"interrupted ({mark.get('kind', 'job')}): run it again"
    job = manifest.get("job")
    if isinstance(job, dict):
        return f"{job.get('kind', 'job')} running"
    return ""


def _empty_manifest(project_id: str, name: str) -> dict[str, Any]:
    now = time.time()
    return {
        "schema": SCHEMA_VERSION,
        "id": project_id,
        "name": name,
        "created": now,
        "updated": now,
        "source": None,
        "cutout": None,
        "rig": None,
        "motion": None,
        "generator": None,
        "size": None,
        "slots": [],
        "settings": {},
        "exports": [],
    }


class Project:
    """A project folder and its manifest. Use `Project.create` or `Project.open`."""

    def __init__(self, path: Path, manifest: dict[str, Any]):
        self.path = path
        self.manifest = manifest
        self.lock = _lock_for(path)

    # ------------------------------------------------------------------ lifecycle
    @property
    def id(self) -> str:
        return self.manifest["id"]

    @classmethod
    def create(cls, name: str = "untitled", settings: Settings | None = None) -> Project:
        settings = settings or load_settings()
        project_id = new_id()
        path = settings.projects_dir / project_id
        path.mkdir(parents=True, exist_ok=False)
        project = cls(path, _empty_manifest(project_id, name))
        project.save()
        return project

    @classmethod
    def open(cls, project_id: str, settings: Settings | None = None) -> Project:
        settings = settings or load_settings()
        path = settings.projects_dir / validate_id(project_id)
        return cls.open_path(path)

    @classmethod
    def open_path(cls, path: Path) -> Project:
        manifest_path = Path(path) / "manifest.json"
        if not manifest_path.is_file():
            raise ProjectError(f"no project with id {Path(path).name!r} (see `popcon projects`)")
        try:
            manifest = json.loads(manifest_path.read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise ProjectError(f"cannot read the manifest of {path}: {e}") from None
        schema = manifest.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise ProjectError(
                f"project {path.name} has manifest schema {schema!r}; this popcon reads "
                f"schema ≤ {SCHEMA_VERSION} (made by a newer version?)"
            )
        return cls(Path(path), manifest)

    @staticmethod
    def list_recent(
        settings: Settings | None = None,
        limit: int = 20,
        keep: Callable[[ProjectSummary], bool] | None = None,
    ) -> list[ProjectSummary]:
        """The `limit` most recently changed projects (those `keep` accepts), newest first."""
        settings = settings or load_settings()
        out = []
        if not settings.projects_dir.is_dir():
            return []
        for d in settings.projects_dir.iterdir():
            if not ID_PATTERN.match(d.name):
                continue
            try:
                m = json.loads((d / "manifest.json").read_text())
            except (OSError, json.JSONDecodeError):
                continue
            out.append(
                ProjectSummary(
                    d.name, m.get("name", ""), m.get("updated", 0.0), len(m.get("slots", [])), d,
                    m.get("owner"), job_status(m),
                )
            )
        if keep is not None:
            out = [s for s in out if keep(s)]
        out.sort(key=lambda s: s.updated, reverse=True)
        return out[:limit]

    def save(self) -> None:
        """Write the manifest atomically, then remove image files it no longer names."""
        with self.lock:
            self.manifest["updated"] = time.time()
            atomic_write_json(self.path / "manifest.json", self.manifest)
            self._collect_garbage()

    def _referenced(self) -> set[str]:
        m = self.manifest
        refs = {m["source"]["file"]} if m.get("source") else set()
        if m.get("cutout"):
            refs.add(m["cutout"]["file"])
        if m.get("source_edits"):
            refs.add(m["source_edits"])
        slots = list(m["slots"])
        for version in m.get("versions", []):
            slots.extend(version["slots"])
        for slot in slots:
            for c in slot["candidates"]:
                refs.add(c["file"])
                if c.get("mask_file"):
                    refs.add(c["mask_file"])
        return refs

    def _collect_garbage(self) -> None:
        refs = self._referenced()
        for sub in ("candidates", "masks"):
            folder = self.path / sub
            if folder.is_dir():
                for f in folder.iterdir():
                    if f"{sub}/{f.name}" not in refs and not f.name.startswith("."):
                        f.unlink(missing_ok=True)
        for name in ("source", "cutout", "edits"):
            for f in self.path.glob(f"{name}-*.png"):
                if f.name not in refs:
                    f.unlink(missing_ok=True)

    def _new_file(self, folder: str, stem: str, ext: str = ".png") -> str:
        token = secrets.token_hex(3)
        return f"{folder}/{stem}-{token}{ext}" if folder else f"{stem}-{token}{ext}"

    # ------------------------------------------------------------------ source and cut-out
    def set_source(self, source: Source) -> None:
        with self.lock:
            rel = self._new_file("", "source")
            write_png(self.path / rel, source.image)
            self.manifest["source"] = {
                "file": rel,
                "name": source.name,
                "digest": source.digest,
                "had_alpha": source.had_alpha,
                "size": [source.image.shape[1], source.image.shape[0]],
                "notes": list(source.notes),
            }
            self.manifest["cutout"] = None
            self.manifest["rig"] = None
            self.save()

    def set_cutout(
        self,
        cutout: np.ndarray,
        backend: str,
        prompt: dict[str, Any] | None = None,
        info: dict[str, Any] | None = None,
    ) -> None:
        with self.lock:
            rel = self._new_file("", "cutout")
            write_png(self.path / rel, cutout)
            self.manifest["cutout"] = {
                "file": rel,
                "backend": backend,
                "prompt": prompt,
                "info": info or {},
            }
            self.manifest["rig"] = None  # the rig belongs to the old cut-out
            self.save()

    def set_rig(self, rig: dict[str, Any] | None) -> None:
        """Store the cut-out's rig (JSON data of studio.motion.rig.Rig), or None."""
        with self.lock:
            self.manifest["rig"] = rig
            self.save()

    @property
    def rig_data(self) -> dict[str, Any] | None:
        return self.manifest.get("rig")

    def load_source(self) -> Source:
        src = self.manifest.get("source")
        if not src:
            raise ProjectError(f"project {self.id} has no source image yet")
        image = read_png(self.path / src["file"])
        cut = self.manifest.get("cutout")
        return Source(
            image=image,
            name=src["name"],
            digest=src["digest"],
            had_alpha=src["had_alpha"],
            cutout=read_png(self.path / cut["file"]) if cut else None,
            mask_backend=cut["backend"] if cut else None,
            rig=self.manifest.get("rig") if cut else None,
        )

    # ------------------------------------------------------------------ motion and slots
    def _candidate_record(self, slot: int, cand: Candidate) -> dict[str, Any]:
        rel = self._new_file("candidates", f"{slot:03d}-{cand.id}")
        if cand.rgba is not None:
            write_png(self.path / rel, cand.rgba)
        elif cand.rgb is not None:
            write_png(self.path / rel, cand.rgb)
        else:
            raise ProjectError(f"candidate {cand.id} of slot {slot} has no image")
        rec: dict[str, Any] = {
            "id": cand.id,
            "origin": cand.origin,
            "file": rel,
            "alpha": cand.rgba is not None,
        }
        if cand.mask is not None:
            rec.update(self._write_mask(slot, cand, cand.mask))
        return rec

    def _write_mask(self, slot: int, cand: Candidate, mask: Mask) -> dict[str, Any]:
        """Store a mask as RGBA (foreground colour + alpha); returns the record fields."""
        base = cand.rgb if cand.rgb is not None else cand.rgba
        assert base is not None
        mrel = self._new_file("masks", f"{slot:03d}-{cand.id}")
        write_png(self.path / mrel, mask.cutout(base[..., :3]))
        return {"mask_file": mrel, "mask_backend": mask.backend, "mask_score": mask.score}

    def set_animation(
        self, spec: MotionSpec, generator: str, size: tuple[int, int], slots: list[Slot]
    ) -> None:
        """Make a new animation the current version (files first, manifest switched last);
        the previous animation stays in the project as a version (`restore_version`)."""
        with self.lock:
            records = []
            for slot in slots:
                records.append(
                    {
                        "index": slot.index,
                        "chosen": slot.chosen,
                        "duration_ms": slot.duration_ms,
                        "candidates": [
                            self._candidate_record(slot.index, c) for c in slot.candidates
                        ],
                    }
                )
            self._archive_current()  # each Generate is a new version; the old one stays
            number = 1 + max([v["version"] for v in self.versions()], default=0)
            self.manifest.update(
                motion=spec.to_dict(), generator=generator, size=list(size), slots=records,
                version=number, version_created=time.time(), edited=0, frames_stale=False,
            )
            self.save()

    def replace_candidate_images(self, images: dict[tuple[int, int], np.ndarray]) -> None:
        """New RGBA (H, W, 4) uint8 pixels for candidates {(slot, k): image} (a re-render):
        id, origin, chosen take and timing stay; a per-frame mask is dropped, since the
        pixels it was made for are gone. Files first, manifest switched last."""
        with self.lock:
            for (slot, k), rgba in images.items():
                rec = self._slot_record(slot)["candidates"][k]
                rel = self._new_file("candidates", f"{slot:03d}-{rec['id']}")
                write_png(self.path / rel, rgba)
                rec.update(file=rel, alpha=True)
                for key in ("mask_file", "mask_backend", "mask_score"):
                    rec.pop(key, None)
            self.save()

    def set_source_edits(self, edits: np.ndarray | None) -> None:
        """Brush edits on the source, kept across new cut-outs: (H, W, 2) uint8, channel 0 =
        erase strength, channel 1 = restore strength (0-255); None removes them."""
        with self.lock:
            if edits is None:
                self.manifest["source_edits"] = None
            else:
                rel = self._new_file("", "edits")
                rgb = np.dstack([edits[..., 0], edits[..., 1], np.zeros_like(edits[..., 0])])
                write_png(self.path / rel, rgb.astype(np.uint8))
                self.manifest["source_edits"] = rel
            self.save()

    def load_source_edits(self) -> np.ndarray | None:
        """The source's brush edits (H, W, 2) uint8 (see `set_source_edits`), or None."""
        rel = self.manifest.get("source_edits")
        if not rel:
            return None
        return read_png(self.path / rel, "RGB")[..., :2].copy()

    # ------------------------------------------------------------------ versions
    def versions(self) -> list[dict[str, Any]]:
        """Every animation of the project, oldest first: {"version", "created", "label",
        "frames", "takes", "generator", "current"}; the current one last-made or restored."""
        m = self.manifest
        out = [_version_summary(v, current=False) for v in m.get("versions", [])]
        if m["slots"]:
            cur = {"version": m.get("version", 1), "created": m.get("version_created", 0.0),
                   "motion": m["motion"], "generator": m["generator"], "slots": m["slots"]}
            out.append(_version_summary(cur, current=True))
        return sorted(out, key=lambda v: v["version"])

    def _archive_current(self) -> None:
        m = self.manifest
        if not m["slots"]:
            return
        m.setdefault("versions", []).append({
            "version": m.get("version", 1), "created": m.get("version_created", 0.0),
            "motion": m["motion"], "generator": m["generator"], "size": m["size"],
            "slots": m["slots"], "edited": m.get("edited", 0)})
        del m["versions"][:-MAX_VERSIONS]

    def restore_version(self, version: int) -> None:
        """Make the stored animation `version` current again; the current one is kept as a
        version too (nothing is lost). ProjectError for an unknown version."""
        with self.lock:
            m = self.manifest
            stored = m.get("versions", [])
            match = [v for v in stored if v["version"] == version]
            if not match:
                known = ", ".join(str(v["version"]) for v in self.versions()) or "none"
                raise ProjectError(f"project {self.id} has no version {version}; versions: "
                                   f"{known}")
            old = match[0]
            self._archive_current()
            m["versions"] = [v for v in m["versions"] if v is not old]
            m.update(motion=old["motion"], generator=old["generator"], size=old["size"],
                     slots=old["slots"], version=old["version"],
                     version_created=old["created"], edited=old.get("edited", 0))
            self.save()

    def mark_edited(self) -> None:
        """Count one hand edit (take, fix, brush, retry, timing) of the current animation."""
        with self.lock:
            self.manifest["edited"] = int(self.manifest.get("edited", 0)) + 1
            self.save()

    def add_candidates(self, slot: int, candidates: list[Candidate], choose: bool = True) -> None:
        """Append candidates to a slot (a retry); optionally choose the first new one."""
        with self.lock:
            rec = self._slot_record(slot)
            first_new = len(rec["candidates"])
            rec["candidates"].extend(self._candidate_record(slot, c) for c in candidates)
            if choose and candidates:
                rec["chosen"] = first_new
            self.save()

    def set_candidate_mask(self, slot: int, candidate: int, mask: Mask) -> None:
        with self.lock:
            slot_rec = self._slot_record(slot)
            n = len(slot_rec["candidates"])
            if not 0 <= candidate < n:
                raise ProjectError(f"slot {slot} has candidates 0-{n - 1}, got {candidate}")
            rec = slot_rec["candidates"][candidate]
            rec.update(self._write_mask(slot, self._load_candidate(rec), mask))
            self.save()

    def set_duration(self, slot: int, duration_ms: float | None) -> None:
        """Per-frame timing: show slot `slot` for `duration_ms` (None = 1/fps)."""
        with self.lock:
            self._slot_record(slot)["duration_ms"] = duration_ms
            self.save()

    def set_settings(self, key: str, value: dict[str, Any]) -> None:
        """Store a block of user choices (e.g. "edges") in the manifest."""
        with self.lock:
            self.manifest.setdefault("settings", {})[key] = value
            self.save()

    def settings_block(self, key: str) -> dict[str, Any]:
        return dict(self.manifest.get("settings", {}).get(key, {}))

    def choose(self, slot: int, candidate: int) -> None:
        with self.lock:
            rec = self._slot_record(slot)
            n = len(rec["candidates"])
            if not 0 <= candidate < n:
                raise ProjectError(f"slot {slot} has candidates 0-{n - 1}, got {candidate}")
            rec["chosen"] = candidate
            self.save()

    def slot_record(self, slot: int) -> dict[str, Any]:
        """The manifest record of one slot (raises ProjectError for a bad index)."""
        return self._slot_record(slot)

    def _slot_record(self, slot: int) -> dict[str, Any]:
        slots = self.manifest["slots"]
        if not slots:
            raise ProjectError(f"project {self.id} has no frames yet: generate first")
        if not 0 <= slot < len(slots):
            raise ProjectError(f"slot must be between 0 and {len(slots) - 1}, got {slot}")
        return slots[slot]

    @property
    def motion(self) -> MotionSpec | None:
        m = self.manifest.get("motion")
        return MotionSpec.from_dict(m) if m else None

    def load_candidate(self, slot: int, candidate: int | None = None) -> Candidate:
        rec = self._slot_record(slot)
        c = rec["candidates"][rec["chosen"] if candidate is None else candidate]
        return self._load_candidate(c)

    def _load_candidate(self, c: dict[str, Any]) -> Candidate:
        if c["alpha"]:
            cand = Candidate(c["id"], c["origin"], rgba=read_png(self.path / c["file"]))
        else:
            cand = Candidate(c["id"], c["origin"], rgb=read_png(self.path / c["file"], "RGB"))
        if c.get("mask_file"):
            m = read_png(self.path / c["mask_file"])
            alpha = m[..., 3].astype(np.float32) / 255
            cand.mask = Mask(
                alpha, c.get("mask_backend", "?"), c.get("mask_score"), foreground=m[..., :3].copy()
            )
        return cand

    def load_slots(self) -> list[Slot]:
        return [
            Slot(
                rec["index"],
                [self._load_candidate(c) for c in rec["candidates"]],
                rec["chosen"],
                rec.get("duration_ms"),
            )
            for rec in self.manifest["slots"]
        ]

    def chosen_frames(self) -> list[np.ndarray]:
        """The chosen candidate of every slot as RGBA uint8 (H, W, 4), in order."""
        return [self.load_candidate(i).image() for i in range(len(self.manifest["slots"]))]

    # ------------------------------------------------------------------ exports
    def export_path(self, filename: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", Path(filename).name) or "export"
        (self.path / "exports").mkdir(exist_ok=True)
        return self.path / "exports" / safe

    def record_export(self, record: dict[str, Any]) -> None:
        with self.lock:
            self.manifest["exports"].append({**record, "created": time.time()})
            self.save()

    def delete(self) -> None:
        shutil.rmtree(self.path)


def _version_summary(v: dict[str, Any], current: bool) -> dict[str, Any]:
    motion = v.get("motion") or {}
    label = motion.get("prompt") or ", ".join(m["name"] for m in motion.get("moves", []))
    return {"version": v["version"], "created": v.get("created", 0.0),
            "label": label or "still", "frames": len(v["slots"]),
            "takes": sum(len(s["candidates"]) for s in v["slots"]),
            "generator": v.get("generator"), "current": current}
