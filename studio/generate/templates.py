"""Prompt templates for image-to-video models: a MotionSpec → the text the model reads.

The templates are data (``prompt_templates.toml`` beside this file): each motion preset has an
action written as body mechanics; a custom motion prompt is inserted into the template as
written; every prompt asks for one character, full body in frame, a plain solid white
background, no checkerboard and no camera motion. The negative prompt is used where the model
takes one. The final prompt is shown to the user and stored with every candidate.

    vp = build_prompt(spec)            # VideoPrompt(prompt=..., negative=..., action=...)
"""

from __future__ import annotations

import tomllib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from studio.errors import InputError, PromptError
from studio.types import Effect, MotionSpec, Move

TEMPLATE_FILE = files("studio.generate") / "prompt_templates.toml"  # package data
MAX_PROMPT_CHARS = 240  # keeps the framing inside LTX-Video's 128 T5 tokens


@dataclass(frozen=True)
class VideoPrompt:
    """What a video model is asked: prompt, negative prompt (None where the model takes none),
    and the action part alone (for display)."""

    prompt: str
    negative: str | None
    action: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@lru_cache(maxsize=1)
def load_templates(path: str | None = None) -> dict[str, Any]:
    """The parsed template table (cached; `path` only for tests of other tables)."""
    with (Path(path) if path else TEMPLATE_FILE).open("rb") as f:
        return tomllib.load(f)


def _adverbs(move: Move, t: dict[str, Any]) -> list[str]:
    out = []
    if move.amount < t["subtle_below"]:
        out.append(t["subtle"])
    elif move.amount > t["big_above"]:
        out.append(t["big"])
    if move.speed < t["subtle_below"]:
        out.append(t["slow"])
    elif move.speed > t["big_above"]:
        out.append(t["fast"])
    return out


def describe_move(move: Move, subject: str | None = None) -> str:
    """One move as body mechanics: "the character bends its knees, ... gently, twice"."""
    t = load_templates()
    row = t["actions"].get(move.name)
    if row is None:
        raise InputError(
            f"no prompt template for motion preset {move.name!r}; "
            f"known: {', '.join(sorted(t['actions']))}"
        )
    direction = t["directions"].get(move.direction or "", row.get("default_dir", ""))
    text = row["text"].format(subject=subject or t["subject"], dir=direction)
    text = " ".join(text.split())
    tail = _adverbs(move, t)
    if move.count is not None and move.count > 0:
        tail.append(t["counts"].get(str(move.count), f"{move.count} times"))
    return f"{text}, {' and '.join(tail)}" if tail else text


def _join_moves(moves: Sequence[Move], subject: str | None) -> str:
    spans: dict[tuple[float, float], list[Move]] = {}
    for m in moves:
        spans.setdefault((m.start, m.end), []).append(m)
    parts = []
    for span in sorted(spans):
        together = [describe_move(m, subject) for m in spans[span]]
        parts.append(", while ".join(together))
    return ", then ".join(parts)


def describe_effects(effects: Sequence[Effect]) -> str:
    """The effect phrases joined ("small sparkles twinkle around it and ..."), or ""."""
    table = load_templates()["effects"]
    phrases = []
    for e in effects:
        if e.name not in table:
            raise InputError(
                f"no prompt template for effect {e.name!r}; known: {', '.join(sorted(table))}"
            )
        phrases.append(table[e.name])
    return " and ".join(phrases)


def clean_custom_prompt(prompt: str) -> str:
    """A custom motion prompt as it goes into the template: one line, no trailing dot.

    Raises PromptError when it is empty or longer than MAX_PROMPT_CHARS characters."""
    text = " ".join(str(prompt).split()).rstrip(".!;, ")
    if not text:
        raise PromptError("the custom motion prompt is empty; describe the motion, e.g. 'waves'")
    if len(text) > MAX_PROMPT_CHARS:
        raise PromptError(
            f"the custom motion prompt must be at most {MAX_PROMPT_CHARS} characters, "
            f"got {len(text)}"
        )
    return text


def build_prompt(
    spec: MotionSpec, *, subject: str | None = None, negative: bool = True
) -> VideoPrompt:
    """The prompt for `spec`: its custom motion prompt when it has one, else its moves as body
    mechanics; plus its effects, the framing and (when spec.loop) the loop sentence.

    subject: how the character is named ("the character", "a round orange cat");
    negative: False for models that take no negative prompt (the result's negative is None).
    """
    t = load_templates()
    subj = " ".join((subject or t["subject"]).split())
    if spec.prompt is not None and spec.prompt.strip():
        action = t["custom"].format(subject=subj, prompt=clean_custom_prompt(spec.prompt))
    elif spec.moves:
        action = _join_moves(spec.moves, subj)
    else:
        action = f"{subj} stands still, blinking and breathing softly"
    action = action[0].upper() + action[1:]
    effects = describe_effects(spec.effects)
    prompt = t["template"].format(
        action=action,
        effects=f", {effects}" if effects else "",
        framing=" ".join(t["framing"].split()),
        loop=t["loop"] if spec.loop else "",
    )
    neg = " ".join(t["negative"].split()) if negative else None
    return VideoPrompt(prompt=prompt, negative=neg, action=action)


def video_motion_spec(
    prompt: str,
    *,
    frames: int = 12,
    fps: float = 12.0,
    effects: Sequence[Effect] = (),
    shadow: bool = False,
    loop: bool = True,
) -> MotionSpec:
    """A MotionSpec for a video model from free text ("raises both arms and laughs").

    The text goes to the model as written; moves the procedural parser recognises are kept
    for display, and text it does not recognise is fine here (a video model reads it)."""
    from studio.motion import parse_motion_prompt

    text = clean_custom_prompt(prompt)
    try:
        parsed = parse_motion_prompt(
            text, frames=frames, fps=fps, effects=tuple(effects), shadow=shadow
        )
        moves = parsed.moves
    except PromptError:
        moves = ()
    return MotionSpec(
        moves=moves,
        effects=tuple(effects),
        frames=frames,
        fps=fps,
        loop=loop,
        shadow=shadow,
        prompt=text,
        interpretation=f"sent to the video model as written: {text!r}",
    )
