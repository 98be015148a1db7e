"""Typed, closed backend options: a misspelt option is an error, not a silent default."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from studio.errors import InputError

T = TypeVar("T", bound="BackendOptions")


class BackendOptions(BaseModel):
    """Base for a backend's ``Options``; fields carry descriptions the UI shows as help."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def parse(cls: type[T], options: dict[str, Any] | None, owner: str) -> T:
        try:
            return cls(**(options or {}))
        except ValidationError as e:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in err['loc']) or 'options'}: {err['msg']}"
                for err in e.errors()
            )
            raise InputError(f"invalid options for {owner}: {problems}") from None
