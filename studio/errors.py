"""Errors a user can act on.

The message is what the user reads: say what was wrong and what is accepted.
"""

from __future__ import annotations


class StudioError(Exception):
    """Base class: something the user can fix (bad input, missing backend, budget not met)."""


class InputError(StudioError):
    """An argument or file the user gave is invalid (echo the bad value and the accepted range)."""


class ImageError(InputError):
    """An image could not be decoded or is outside the accepted limits."""


class PromptError(InputError):
    """A custom motion prompt could not be understood."""


class NoCharacter(InputError):
    """The image holds no character to cut out (empty, fully transparent, one flat colour)."""


class BackendUnavailable(StudioError):
    """A backend is not installed or its weights are missing; the message says how to get it."""


class UnknownBackend(InputError):
    """A backend name is not in the registry; the message lists the known names."""


class WorkerUnavailable(StudioError):
    """The GPU worker could not be reached or did not answer in time (retries used up)."""


class MaskError(StudioError):
    """A segmenter (often a remote worker) returned a mask that does not fit the frame it
    answers: wrong size, wrong mode, values that are not alpha, or bytes that do not decode."""


class ProjectError(StudioError):
    """A project is missing, has an invalid id, or its manifest cannot be read."""


class ExportError(StudioError):
    """An export could not meet the preset's rules (e.g. over the byte budget at every setting)."""


class FrameError(StudioError):
    """Per-frame work failed for some frames; `.errors` maps frame index to the message."""

    def __init__(self, message: str, errors: dict[int, str]):
        super().__init__(message)
        self.errors = errors
