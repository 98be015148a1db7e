"""Backend menus of the studio: what the registry offers, which of it can run here and why
not, the check before a backend is used, and the prompt a video model would read.

Nothing here loads a model: availability comes from installed packages, weights on disk and
settings (`segmenter_status`, `DiffusersGenerator.availability`, STUDIO_WORKER_URL).
"""

from __future__ import annotations

from dataclasses import dataclass

from studio import registry
from studio.errors import BackendUnavailable, StudioError
from studio.types import MotionSpec

AUTO = "auto"
REMOTE_REASON = ("needs the GPU worker's address: set STUDIO_WORKER_URL (see the README's "
                 "remote GPU section)")


@dataclass(frozen=True)
class BackendChoice:
    """One menu entry: registry name, whether it can run here, and what it is / why not."""

    name: str
    available: bool
    note: str


def _remote_reason() -> str | None:
    from studio.remote_settings import load_remote_settings

    try:
        url = load_remote_settings().url
    except StudioError as e:
        return str(e)
    return None if url else REMOTE_REASON


def _segmenters() -> list[BackendChoice]:
    from studio.remote.backends import RemoteSegmenter
    from studio.segment.auto import segmenter_status

    out = [BackendChoice(s.name, s.available, s.note) for s in segmenter_status()]
    remote = _remote_reason()
    out += [BackendChoice(f"remote:{task}", remote is None, remote or f"the worker's {task} task")
            for task in RemoteSegmenter.variants]
    return out


def _generators() -> list[BackendChoice]:
    from studio.generate.diffusers import DiffusersGenerator
    from studio.generate.video_models import MODELS

    out = [BackendChoice(AUTO, True, f"the studio's default ({registry.DEFAULTS['generator']} "
                                     "unless STUDIO_GENERATOR says otherwise)"),
           BackendChoice("procedural", True, "the motion engine: CPU, no weights, with alpha")]
    for variant, model in MODELS.items():
        reason = DiffusersGenerator.availability(variant)
        out.append(BackendChoice(f"diffusers:{variant}", reason is None,
                                 reason or model.description))
    remote = _remote_reason()
    out.append(BackendChoice("remote", remote is None, remote or "generation on the GPU worker"))
    return out


def backend_status(kind: registry.Kind) -> list[BackendChoice]:
    """`auto` first, then every backend the registry offers for `kind` (with variants)."""
    return _segmenters() if kind == "segmenter" else _generators()


def backend_choices(kind: registry.Kind) -> list[tuple[str, str]]:
    """(label, name) for a dropdown; unavailable backends say so in their label."""
    return [(c.name if c.available else f"{c.name} (unavailable)", c.name)
            for c in backend_status(kind)]


def require_available(kind: registry.Kind, name: str | None) -> None:
    """BackendUnavailable (with the reason and the fix) when `name` cannot run here."""
    if not name or name == AUTO:
        return
    registry.resolve_class(kind, name)  # unknown names: the list of known ones
    for c in backend_status(kind):
        if c.name == name and not c.available:
            raise BackendUnavailable(f"{kind} {name} is unavailable here — {c.note}")


def _auto_line(kind: registry.Kind) -> str:
    if kind == "generator":
        return f"**auto** uses the studio's default generator (**{registry.DEFAULTS[kind]}**)"
    from studio.segment.auto import AutoSegmenter

    auto = AutoSegmenter()
    return (f"**auto** picks the best segmenter here: **{auto.choice(False)}** for automatic "
            f"cut-outs, **{auto.choice(True)}** for clicks")


def backend_note(kind: registry.Kind, name: str | None) -> str:
    """Markdown under a backend menu: the chosen backend, then each unavailable one's reason."""
    status = backend_status(kind)
    chosen = next((c for c in status if c.name == name), None)
    if not name or name == AUTO:
        head = _auto_line(kind)
    elif chosen is None:
        head = f"⚠ unknown {kind} {name!r}"
    elif chosen.available:
        head = f"**{name}** · {chosen.note}"
    else:
        head = f"⚠ **{name}** is unavailable — {chosen.note}"
    missing = [c for c in status if not c.available]
    if not missing:
        return head
    lines = "\n".join(f"- {c.name} — {c.note}" for c in missing)
    return f"{head}\n\n<details><summary>unavailable here ({len(missing)})</summary>\n\n" \
           f"{lines}\n\n</details>"


def generator_prompt(generator: str | None, spec: MotionSpec) -> str | None:
    """Markdown: the final prompt a video-model generator would send for `spec`, or None for
    generators that read no text (procedural, remote). Builds the prompt only; loads nothing."""
    if not generator or generator == AUTO:
        return None
    cls = registry.resolve_class("generator", generator)
    if not hasattr(cls, "prompt_for"):
        return None
    gen = registry.create("generator", generator)
    if not getattr(getattr(gen, "model", None), "prompt", True):
        return f"**{generator}** takes no text prompt: the motion comes from the image alone."
    vp = gen.prompt_for(spec)
    text = f"**Model prompt** ({generator}): {vp.prompt}"
    if vp.negative:
        text += f"\n\n**Negative prompt:** {vp.negative}"
    return text
