"""The custom motion prompt parser: "slow zoom then shake", "spin twice fast" → MotionSpec.

Grammar (all words come from the tables in vocabulary.py):
- "then" (and its synonyms) starts a new step; steps play one after another, each over an
  equal span of the loop. "and", "with", "while", commas start a new clause in the same step
  (moves of one step play together).
- In a clause, intensity, speed, count and direction words apply to every move of the clause;
  a clause with only modifiers refines the clause before it ("bounce, slowly"), or repeats the
  previous step's moves when it opens a step ("zoom in then out").
- Effect words become Effects for the whole loop. Words in no table are reported back.
- Part nouns (ears, tail, arm/hand/paw, eyes, mouth) turn the clause's moves into that
  part's move ("wiggle ears" → wiggle_ears, "wave your paw" → wave_arm, "open mouth" →
  talk). "look left and right" looks both ways.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from studio.errors import InputError, PromptError
from studio.motion import vocabulary as vocab
from studio.motion.effects import EFFECTS
from studio.motion.presets import PRESETS
from studio.motion.spec import check_frames_fps, describe_spec, normalise_effects
from studio.types import Effect, MotionSpec, Move

MAX_PROMPT_CHARS = 300
TOKEN_RE = re.compile(r"\d+x|x\d+|\d+|[a-z]+(?:'[a-z]+)?|[,&+;]")
AMOUNT_CLAMP = (0.1, 2.0)
SPEED_CLAMP = (0.25, 4.0)


@dataclass
class _Clause:
    moves: list[tuple[str, str | None]] = field(default_factory=list)  # (preset, implied dir)
    effects: list[str] = field(default_factory=list)
    amount: float = 1.0
    speed: float = 1.0
    count: int | None = None
    direction: str | None = None
    power: float | None = None  # a pending intensifier ("very")
    parts: list[str] = field(default_factory=list)  # rig part kinds named ("ear", "arm")
    part_words: list[str] = field(default_factory=list)  # the words that named them
    part_verb: bool = False  # "open", "close": a verb that needs a part noun
    seen: list[str] = field(default_factory=list)  # every direction word, in order

    @property
    def modifies(self) -> bool:
        return (
            self.amount != 1.0 or self.speed != 1.0 or self.count is not None
            or self.direction is not None or self.power is not None
        )

    def absorb(self, other: _Clause) -> None:
        self.amount *= other.amount
        self.speed *= other.speed
        self.count = other.count if other.count is not None else self.count
        self.direction = other.direction or self.direction
        self.seen += other.seen


def tokenize(text: str) -> list[str]:
    """Lower-case word tokens with known phrases merged ("speed lines" → "speed_lines")."""
    raw = TOKEN_RE.findall(text.lower().replace("×", "x").replace(";", " then "))
    out: list[str] = []
    i = 0
    longest = max(len(k) for k in vocab.PHRASES)
    while i < len(raw):
        for n in range(longest, 1, -1):
            merged = vocab.PHRASES.get(tuple(raw[i : i + n]))
            if merged is not None:
                out.append(merged)
                i += n
                break
        else:
            out.append(raw[i])
            i += 1
    return out


_TABLES: tuple[tuple[str, object], ...] = (
    ("move", vocab.MOVES), ("part", vocab.PART_NOUNS), ("partverb", vocab.PART_VERBS),
    ("effect", vocab.EFFECTS),
    ("intensity", vocab.INTENSITY),
    ("speed", vocab.SPEED), ("intensifier", vocab.INTENSIFIERS), ("count", vocab.COUNTS),
    ("direction", vocab.DIRECTIONS), ("sequence", vocab.SEQUENCE), ("combine", vocab.COMBINE),
    ("filler", vocab.FILLER),
)


def _lemmas(tok: str) -> list[str]:
    """tok and its likely base forms: bounces, bouncing, bounced → bounce; hopping → hop."""
    cands = [tok]
    for suffix, repl in (("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("es", ""),
                         ("s", ""), ("ly", ""), ("y", "")):
        if tok.endswith(suffix) and len(tok) > len(suffix) + 2:
            stem = tok[: -len(suffix)]
            cands.append(stem + repl)
            if len(stem) > 2 and stem[-1] == stem[-2]:
                cands.append(stem[:-1])  # hopping → hopp → hop
    return cands


def classify(tok: str) -> tuple[str, object] | None:
    """(kind, meaning) of a token, or None when no table knows it."""
    m = re.fullmatch(r"(\d+)x|x(\d+)|(\d+)", tok)
    if m:
        return "count", int(next(g for g in m.groups() if g))
    for cand in _lemmas(tok):
        for kind, table in _TABLES:
            if cand in table:  # type: ignore[operator]
                value = table[cand] if isinstance(table, dict) else cand
                return kind, value
    return None


def _steps(tokens: list[str], unknown: list[str]) -> list[list[_Clause]]:
    steps: list[list[_Clause]] = [[_Clause()]]
    for tok in tokens:
        hit = classify(tok)
        clause = steps[-1][-1]
        if hit is None:
            unknown.append(tok)
            continue
        kind, value = hit
        if kind == "sequence":
            steps.append([_Clause()])
        elif kind == "combine":
            steps[-1].append(_Clause())
        elif kind == "move":
            clause.moves.append((str(value), vocab.IMPLIED_DIRECTION.get(tok)))
        elif kind == "effect":
            clause.effects.append(str(value))
        elif kind in ("intensity", "speed"):
            power = clause.power or 1.0
            clause.power = None
            if kind == "intensity":
                clause.amount *= float(value) ** power  # type: ignore[arg-type]
            else:
                clause.speed *= float(value) ** power  # type: ignore[arg-type]
        elif kind == "intensifier":
            clause.power = float(value)  # type: ignore[arg-type]
        elif kind == "count":
            clause.count = min(max(int(value), 1), vocab.MAX_COUNT)  # type: ignore[call-overload]
        elif kind == "direction":
            clause.direction = str(value)
            clause.seen.append(str(value))
        elif kind == "part":
            clause.parts.append(str(value))
            clause.part_words.append(tok)
        elif kind == "partverb":
            clause.part_verb = True
    for step in steps:
        for c in step:
            if c.power is not None:
                c.amount *= vocab.INTENSIFY_ALONE
                c.power = None
            _apply_parts(c, unknown)
    return steps


def _apply_parts(c: _Clause, unknown: list[str]) -> None:
    """A clause that names parts moves them: its whole-body moves become the parts' moves
    ("wiggle ears"), part moves stay ("blink eyes"), "open mouth" / "close eyes" play the
    part's move; a part noun with no verb is reported as not understood."""
    if not c.parts:
        return
    if not c.moves and not c.part_verb:
        unknown.extend(c.part_words)
        return
    targets = [vocab.PART_MOVE[p] for p in dict.fromkeys(c.parts)]
    moves: list[tuple[str, str | None]] = []
    for name, implied in c.moves or [(t, None) for t in targets]:
        if PRESETS[name].needs:
            moves.append((name, implied))
        else:
            moves += [(t, implied) for t in targets]
    c.moves = list(dict.fromkeys(moves))


def _attach_modifiers(steps: list[list[_Clause]]) -> list[list[_Clause]]:
    """Give modifier-only clauses a home (previous clause, or a repeat of the previous step)."""
    out: list[list[_Clause]] = []
    carry: _Clause | None = None
    for step in steps:
        new: list[_Clause] = []
        for j, c in enumerate(step):
            if carry is not None and (c.moves or c.effects):
                c.absorb(carry)
                carry = None
            if c.moves or c.effects:
                new.append(c)
            elif c.modifies:
                if new:
                    new[-1].absorb(c)
                elif j == 0 and out:
                    repeat = _Clause(moves=[(n, None) for cl in out[-1] for n, _ in cl.moves])
                    repeat.absorb(c)
                    new.append(repeat)
                else:
                    carry = c
        if new:
            out.append(new)
    return out


def _direction_for(name: str, clause: _Clause, implied: str | None) -> str | None:
    accepted = PRESETS[name].directions
    for d in (clause.direction, vocab.EQUIVALENT_DIRECTION.get(clause.direction or ""), implied):
        if d in accepted:
            return d
    return None


def _clamp(x: float, lo_hi: tuple[float, float]) -> float:
    return round(float(min(max(x, lo_hi[0]), lo_hi[1])), 3)


def known_moves_hint() -> str:
    return ", ".join(PRESETS)


def parse_motion_prompt(
    text: str,
    *,
    frames: int = 12,
    fps: float = 12.0,
    effects: Sequence[str | Effect] = (),
    shadow: bool = False,
) -> MotionSpec:
    """Parse a custom motion prompt into a MotionSpec (with its interpretation in words and
    the words it did not understand). Raises PromptError when nothing in it is understood."""
    check_frames_fps(frames, fps)
    if not isinstance(text, str):
        raise InputError(f"the motion prompt must be text, got {type(text).__name__}")
    if len(text) > MAX_PROMPT_CHARS:
        raise PromptError(
            f"the motion prompt is too long ({len(text)} characters; at most {MAX_PROMPT_CHARS})"
        )
    examples = "e.g. 'subtle bounce', 'spin twice fast', 'slow zoom then shake', 'nod with hearts'"
    if not text.strip():
        raise PromptError(
            f"the motion prompt is empty; describe a motion, {examples}. "
            f"Known moves: {known_moves_hint()}"
        )
    unknown: list[str] = []
    steps = _attach_modifiers(_steps(tokenize(text), unknown))
    move_steps = [s for s in steps if any(c.moves for c in s)]
    found_effects = [e for s in steps for c in s for e in c.effects]
    if not move_steps and not found_effects:
        raise PromptError(
            f"could not understand the motion prompt {text.strip()!r}: it names no known move "
            f"or effect. Try {examples}. Known moves: {known_moves_hint()}; effects: "
            f"{', '.join(e.replace('_', ' ') for e in EFFECTS)}"
        )
    moves: list[Move] = []
    notes: list[str] = []
    n = len(move_steps)
    for j, step in enumerate(move_steps):
        for c in step:
            for name, implied in c.moves:
                direction = _direction_for(name, c, implied)
                if name in vocab.BOTH_WAYS and {"left", "right"} <= set(c.seen):
                    direction = None  # "look left and right"
                elif c.direction and direction is None:
                    notes.append(f"'{c.direction}' does not apply to {name}")
                moves.append(
                    Move(
                        name,
                        amount=_clamp(c.amount, AMOUNT_CLAMP),
                        speed=_clamp(c.speed, SPEED_CLAMP),
                        count=c.count,
                        direction=direction,
                        start=j / n,
                        end=(j + 1) / n,
                    )
                )
    effect_objs = list(normalise_effects(effects))
    for s in steps:
        for c in s:
            for e in c.effects:
                if all(x.name != e for x in effect_objs):
                    amount = c.amount if not c.moves else 1.0
                    effect_objs.append(Effect(e, amount=round(min(max(amount, 0.5), 2.0), 3)))
    spec = MotionSpec(
        moves=tuple(moves),
        effects=tuple(effect_objs),
        frames=int(frames),
        fps=float(fps),
        shadow=bool(shadow),
        prompt=text.strip(),
        unknown_words=tuple(dict.fromkeys(unknown)),
    )
    return replace(spec, interpretation=describe_spec(spec, notes))
