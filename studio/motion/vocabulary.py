"""The words the motion prompt parser knows, as tables (no if-chains).

Every table maps a lower-case word (after light stemming: "bouncing" → "bounce") to its meaning.
PHRASES are merged into one token before lookup ("speed lines" → "speed_lines").
"""

from __future__ import annotations

# synonym → motion preset name
MOVES: dict[str, str] = {
    **{w: "bounce" for w in ("bounce", "bouncy", "boing", "boink")},
    **{w: "squash" for w in ("squash", "stretch", "squish", "squishy", "squeeze")},
    **{w: "hop" for w in ("hop", "jump", "leap", "skip", "bunny")},
    **{w: "spin" for w in ("spin", "rotate", "rotation", "twirl", "whirl", "turn", "roll")},
    **{w: "shake" for w in ("shake", "tremble", "shiver", "vibrate", "jitter", "quake",
                            "shudder", "rattle", "buzz", "nervous", "scared")},
    **{w: "wobble" for w in ("wobble", "wobbly", "rock", "teeter", "totter", "weeble")},
    **{w: "sway" for w in ("sway", "swing", "lean", "bend")},
    **{w: "nod" for w in ("nod", "yes", "agree", "bow")},
    **{w: "pulse" for w in ("pulse", "heartbeat", "throb", "beat", "pump", "pound")},
    **{w: "float" for w in ("float", "hover", "drift", "levitate", "fly", "bob")},
    **{w: "zoom" for w in ("zoom", "grow", "enlarge", "shrink", "scale")},
    **{w: "jelly" for w in ("jelly", "jiggle", "jello", "wiggle", "squiggle", "gelatin",
                            "jiggly", "wiggly")},
    **{w: "peek" for w in ("peek", "peekaboo", "hide", "duck", "peep")},
    **{w: "popin" for w in ("popin", "pop", "appear", "spawn")},
    **{w: "tilt" for w in ("tilt", "cock", "head_tilt", "confused", "curious")},
    **{w: "wave" for w in ("wave", "ripple", "flag", "undulate")},
    **{w: "flip" for w in ("flip", "mirror", "turnaround")},
    **{w: "dance" for w in ("dance", "groove", "boogie", "bop", "party", "vibe")},
    **{w: "breathe" for w in ("breathe", "breath", "breathing", "idle", "inhale", "exhale")},
    # part moves (they need the automatic rig: studio/motion/rig)
    **{w: "blink" for w in ("blink", "wink", "blinky")},
    **{w: "look" for w in ("look", "glance", "gaze", "eyeball")},
    **{w: "talk" for w in ("talk", "speak", "chat", "chatter", "yap", "chomp", "munch",
                           "chew", "babble", "mumble", "say")},
    **{w: "wave_arm" for w in ("flap", "wave_arm", "wave_hand")},
    **{w: "wiggle_ears" for w in ("wiggle_ears", "ear_wiggle")},
    **{w: "wag_tail" for w in ("wag", "wag_tail", "tail_wag")},
}

# part nouns → rig part kind; a clause naming a part moves that part ("wiggle ears" →
# wiggle_ears, "wave your hand" → wave_arm); a part noun with no verb is not understood
PART_NOUNS: dict[str, str] = {
    **{w: "ear" for w in ("ear", "ears", "antenna", "antennae", "antennas")},
    **{w: "arm" for w in ("arm", "arms", "hand", "hands", "paw", "paws", "wing", "wings",
                          "flipper", "flippers")},
    **{w: "tail" for w in ("tail", "tails")},
    **{w: "eye" for w in ("eye", "eyes", "eyelid", "eyelids", "pupil", "pupils")},
    **{w: "mouth" for w in ("mouth", "jaw", "lips", "lip")},
}
# rig part kind → the part move a clause naming it plays
PART_MOVE: dict[str, str] = {
    "ear": "wiggle_ears", "arm": "wave_arm", "tail": "wag_tail", "eye": "blink",
    "mouth": "talk",
}
# moves for which "left and right" means both ways (no single direction)
BOTH_WAYS = frozenset({"look"})

# synonym → effect name
EFFECTS: dict[str, str] = {
    **{w: "sparkles" for w in ("sparkle", "sparkles", "sparkly", "glitter", "glittery",
                               "twinkle", "shine", "shiny", "star", "stars", "magic")},
    **{w: "hearts" for w in ("heart", "hearts", "love", "loving", "lovely", "kiss")},
    **{w: "sweat" for w in ("sweat", "sweaty", "sweating", "sweatdrop", "drop", "drops")},
    **{w: "anger" for w in ("anger", "angry", "mad", "rage", "furious", "annoyed", "vein")},
    **{w: "speed_lines" for w in ("speed_lines", "speedlines", "motion_lines", "zoomies",
                                  "whoosh", "dash")},
    **{w: "zzz" for w in ("zzz", "zz", "z", "sleep", "sleepy", "asleep", "snore", "tired",
                          "nap", "snooze")},
    **{w: "music_notes" for w in ("music_notes", "music", "musical", "note", "notes", "sing",
                                  "singing", "song", "melody", "tune")},
}

# intensity words → amount multiplier
INTENSITY: dict[str, float] = {
    "tiny": 0.35, "barely": 0.35, "minimal": 0.35,
    "subtle": 0.5, "subtly": 0.5, "slight": 0.5, "slightly": 0.5, "a_bit": 0.5,
    "gentle": 0.6, "gently": 0.6, "soft": 0.6, "softly": 0.6, "mild": 0.6, "small": 0.6,
    "little": 0.6, "a_little": 0.6, "light": 0.6, "lightly": 0.6, "calm": 0.6,
    "normal": 1.0, "regular": 1.0, "medium": 1.0,
    "strong": 1.4, "strongly": 1.4, "hard": 1.4, "large": 1.4, "a_lot": 1.5,
    "big": 1.5, "bigger": 1.5, "energetic": 1.5, "intense": 1.6, "intensely": 1.6,
    "huge": 1.8, "massive": 1.8, "wild": 1.8, "wildly": 1.8, "crazy": 1.8, "extreme": 1.9,
    "violent": 1.9, "violently": 1.9, "maximum": 2.0, "max": 2.0,
}

# speed words → tempo multiplier
SPEED: dict[str, float] = {
    "slow": 0.5, "slowly": 0.5, "lazy": 0.5, "lazily": 0.5, "leisurely": 0.5, "relaxed": 0.5,
    "steady": 1.0,
    "fast": 2.0, "quick": 2.0, "quickly": 2.0, "rapid": 2.0, "rapidly": 2.0, "speedy": 2.0,
    "hyper": 2.5, "frantic": 2.5, "frantically": 2.5,
}

# words that strengthen the next intensity or speed word (exponent), or the clause by itself
INTENSIFIERS: dict[str, float] = {
    "very": 1.5, "really": 1.5, "super": 1.5, "extra": 1.5, "extremely": 1.8, "so": 1.3,
    "too": 1.3, "more": 1.2, "quite": 1.2,
}
INTENSIFY_ALONE = 1.3  # an intensifier with no intensity/speed word after it: amount × this

# cycle counts
COUNTS: dict[str, int] = {
    "once": 1, "twice": 2, "thrice": 3, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "double": 2, "triple": 3,
}
MAX_COUNT = 12

# direction words → Move.direction
DIRECTIONS: dict[str, str] = {
    "left": "left", "leftward": "left", "leftwards": "left",
    "right": "right", "rightward": "right", "rightwards": "right",
    "up": "up", "upward": "up", "upwards": "up",
    "down": "down", "downward": "down", "downwards": "down",
    "clockwise": "cw", "cw": "cw",
    "counterclockwise": "ccw", "anticlockwise": "ccw", "ccw": "ccw",
    "in": "in", "inward": "in", "inwards": "in", "closer": "in",
    "out": "out", "outward": "out", "outwards": "out", "away": "out",
}
# a synonym that implies a direction
IMPLIED_DIRECTION: dict[str, str] = {"shrink": "out", "grow": "in", "enlarge": "in"}

# separators
SEQUENCE = frozenset({"then", "after", "afterwards", "next", "finally", "followed"})
COMBINE = frozenset({"and", "while", "with", "plus", "also", ",", "&", "+", "together"})

# a direction a preset does not take, and the one it means for it ("turn left" → ccw spin)
EQUIVALENT_DIRECTION: dict[str, str] = {
    "left": "ccw", "right": "cw", "ccw": "left", "cw": "right",
}

# words that carry no meaning here but are not "unknown"
FILLER = frozenset({
    "a", "an", "the", "please", "some", "it", "its", "it's", "is", "be", "to", "of", "bit",
    "lil", "time", "times", "make", "makes", "let", "do", "does", "character", "him", "her",
    "them", "they", "me", "my", "like", "kind", "sort", "just", "that", "this", "around",
    "back", "forth", "loop", "looping", "loops", "animation", "animate", "animated", "gif",
    "emoji", "sticker", "motion", "move", "moving", "go", "goes", "going", "keep", "keeps",
    "all", "over", "place", "at", "on", "by", "for", "from", "side", "into", "cute", "again",
    "same", "whole", "up_and_down", "gets", "get", "can", "you", "i", "want", "should",
    "hello", "hi", "your", "his", "both", "each",
})
# verbs that only mean something with a part noun ("open mouth" → talk, "close eyes" → blink)
PART_VERBS = frozenset({"open", "close", "shut"})

# multi-word phrases → one token (matched on whole words, longest first)
PHRASES: dict[tuple[str, ...], str] = {
    ("speed", "lines"): "speed_lines", ("speed", "line"): "speed_lines",
    ("motion", "lines"): "motion_lines", ("music", "notes"): "music_notes",
    ("musical", "notes"): "music_notes", ("music", "note"): "music_notes",
    ("counter", "clockwise"): "counterclockwise", ("anti", "clockwise"): "anticlockwise",
    ("pop", "in"): "popin", ("pop", "up"): "popin", ("pop", "out"): "popin",
    ("squash", "and", "stretch"): "squash", ("heart", "beat"): "heartbeat",
    ("a", "little", "bit"): "a_bit", ("a", "bit"): "a_bit", ("a", "little"): "a_little",
    ("a", "lot"): "a_lot", ("one", "time"): "once", ("two", "times"): "twice",
    ("back", "and", "forth"): "back", ("side", "to", "side"): "side",
    ("up", "and", "down"): "up_and_down", ("turn", "around"): "turnaround",
    ("head", "tilt"): "head_tilt", ("in", "place"): "place", ("in", "a", "loop"): "loop",
    ("to", "the", "left"): "left", ("to", "the", "right"): "right",
    ("wave", "hello"): "wave", ("ear", "wiggle"): "ear_wiggle", ("tail", "wag"): "tail_wag",
}

# amount → the word the interpretation uses
INTENSITY_LABELS: tuple[tuple[float, str], ...] = (
    (0.45, "tiny"), (0.75, "subtle"), (1.25, "normal"), (1.65, "big"), (float("inf"), "huge"),
)
SPEED_LABELS: tuple[tuple[float, str], ...] = (
    (0.4, "very slow"), (0.8, "slow"), (1.25, "normal speed"), (2.2, "fast"),
    (float("inf"), "very fast"),
)
DIRECTION_WORDS: dict[str, str] = {
    "left": "left", "right": "right", "up": "up", "down": "down", "cw": "clockwise",
    "ccw": "counterclockwise", "in": "in", "out": "out",
}


def label(value: float, table: tuple[tuple[float, str], ...]) -> str:
    """The first label whose upper bound is above `value`."""
    return next(name for bound, name in table if value < bound)
