"""Strict, typed configuration models: unknown keys and wrongly typed values are errors that name the key.

Training configs, the document-flag settings and the model manifest are all read through `StrictModel`, so a
typo or `C: "abc"` fails loudly instead of being ignored or passed on.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

M = TypeVar("M", bound="StrictModel")


class StrictModel(BaseModel):
    """A pydantic model that forbids unknown keys."""

    model_config = ConfigDict(extra="forbid")


def _model_at(cls: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    model: Any = cls
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        if field is None or not (isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel)):
            return None
        model = field.annotation
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def describe(cls: type[BaseModel], exc: ValidationError, where: str) -> str:
    """One readable line per problem: `where.section: unknown key(s) [...]; known keys: [...]` or the type error."""
    unknown: dict[tuple[Any, ...], list[str]] = {}
    problems: list[str] = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        if err["type"] == "extra_forbidden":
            unknown.setdefault(loc[:-1], []).append(str(loc[-1]))
        else:
            problems.append(f"{'.'.join([where, *map(str, loc)])}: {err['msg']} (got {err.get('input')!r})")
    for parent, keys in unknown.items():
        model = _model_at(cls, parent)
        known = f"; known keys: {sorted(model.model_fields)}" if model else ""
        problems.insert(0, f"{'.'.join([where, *map(str, parent)])}: unknown key(s) {sorted(keys)}{known}")
    return "; ".join(problems)


def load_strict(cls: type[M], data: Any, where: str) -> M:
    """Validate `data` as `cls`; raise ValueError with `describe`'s message."""
    try:
        return cls.model_validate(data)
    except ValidationError as exc:
        raise ValueError(describe(cls, exc, where)) from None
