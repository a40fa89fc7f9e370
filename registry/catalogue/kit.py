"""What every declaration module shares: the class shorthands and the field helpers."""

from __future__ import annotations

from typing import Any

from registry.catalogue.model import (
    CIVIL_SERVICE,
    POPULATION,
    Field,
    Sensitivity,
)

PUB = Sensitivity.PUBLIC
PER = Sensitivity.PERSONAL
SPE = Sensitivity.SPECIAL
SEC = Sensitivity.SECRET
CS = frozenset({CIVIL_SERVICE})


def identity(name: str, sensitivity: Sensitivity = PER, **kw: object) -> Field:
    """A field the national population database owns."""
    return Field(name, sensitivity, group="identity", owner=POPULATION, **kw)  # type: ignore[arg-type]


def many(*names: str, **kw: Any) -> tuple[Field, ...]:
    """Fields that share everything but their name (a group of a record kind)."""
    return tuple(Field(n, **kw) for n in names)


def rank(name: str) -> Field:
    """A field the national civil-servant database owns."""
    return Field(name, PER, group="rank_salary", owner=CIVIL_SERVICE)
