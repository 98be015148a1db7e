"""Backend names → lazily imported classes.

A name is ``family`` or ``family:variant`` ("classical", "rembg:isnet-anime", "sam2:tiny").
The table below is the one place that says which module implements which name; modules are
imported only when a backend is asked for, so ``import studio`` stays light.

A backend class is constructed as ``Class(variant=..., options=...)``; ``options`` is a dict
validated by the class's ``Options`` (a pydantic model that forbids unknown fields).
"""

from __future__ import annotations

import importlib
from typing import Any, Literal

from studio.errors import BackendUnavailable, InputError, UnknownBackend

Kind = Literal["generator", "segmenter"]

# kind → family → "module:Class". Families that take a variant list the variants they know
# in the class attribute ``variants`` (checked on construction, not at import).
BACKENDS: dict[str, dict[str, str]] = {
    "generator": {
        "procedural": "studio.generate.procedural:ProceduralGenerator",
        "diffusers": "studio.generate.diffusers:DiffusersGenerator",
        "remote": "studio.remote.backends:RemoteGenerator",
    },
    "segmenter": {
        "classical": "studio.segment.classical:ClassicalSegmenter",
        "remote": "studio.remote.backends:RemoteSegmenter",
        "rembg": "studio.segment.rembg:RembgSegmenter",
        "sam2": "studio.segment.sam2:Sam2Segmenter",
        "auto": "studio.segment.auto:AutoSegmenter",
    },
}

DEFAULTS: dict[str, str] = {"generator": "procedural", "segmenter": "classical"}


def split_name(name: str) -> tuple[str, str | None]:
    """ "rembg:isnet-anime" → ("rembg", "isnet-anime"); "classical" → ("classical", None)."""
    family, _, variant = name.strip().partition(":")
    return family, (variant or None)


def known(kind: Kind) -> list[str]:
    """The registered family names of one kind, sorted."""
    return sorted(BACKENDS[kind])


def resolve_class(kind: Kind, name: str) -> type:
    """Import and return the class behind `name` (raises UnknownBackend / BackendUnavailable)."""
    if kind not in BACKENDS:
        raise InputError(f"backend kind must be one of {sorted(BACKENDS)}, got {kind!r}")
    family, _ = split_name(name)
    target = BACKENDS[kind].get(family)
    if target is None:
        raise UnknownBackend(f"unknown {kind} {name!r}; known {kind}s: {', '.join(known(kind))}")
    module_name, _, cls_name = target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as e:  # a backend whose optional dependency is missing
        if (e.name or "").split(".")[0] == "studio":
            raise  # a bug in the package, not a missing install
        raise BackendUnavailable(
            f"{kind} {name!r} needs the Python package {e.name!r}, which is not installed "
            f"(pip install {e.name})"
        ) from e
    return getattr(module, cls_name)


def create(kind: Kind, name: str | None = None, options: dict[str, Any] | None = None) -> Any:
    """Construct the backend called `name`.

    None means the kind's default; "auto" is the kind's registered ``auto`` backend where there
    is one (it chooses per call and reports its choice), else the default.
    """
    if not name or (name == "auto" and "auto" not in BACKENDS.get(kind, {})):
        name = DEFAULTS.get(kind, name or "")
    cls = resolve_class(kind, name)
    _, variant = split_name(name)
    variants = getattr(cls, "variants", None)
    if variant is not None and variants is not None and variant not in variants:
        raise UnknownBackend(
            f"unknown variant {variant!r} of {kind} {split_name(name)[0]!r}; "
            f"known: {', '.join(sorted(variants))}"
        )
    if variant is not None and variants is None:
        raise UnknownBackend(f"{kind} {split_name(name)[0]!r} takes no variant, got {name!r}")
    return cls(variant=variant, options=options)
