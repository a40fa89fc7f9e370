"""Helpers shared by the services of person-owned records."""

from __future__ import annotations

import datetime as dt
from typing import Any

from registry.db import Entity
from registry.errors import FieldIssue, Invalid


def apply_changes(obj: Entity, changes: dict[str, Any], *, required: tuple[str, ...] = ()) -> None:
    for key in required:
        if key in changes and changes[key] is None:
            raise Invalid.field(f"body.{key}", "may not be null")
    for key, value in changes.items():
        setattr(obj, key, value)


def check_interval(
    start: dt.date | None, end: dt.date | None, *, start_field: str, end_field: str
) -> None:
    if start is not None and end is not None and end < start:
        raise Invalid(
            f"body.{end_field}: ends before it starts",
            issues=[FieldIssue(f"body.{end_field}", f"is before {start_field}")],
        )


def check_not_future(value: dt.date | None, *, field: str, today: dt.date) -> None:
    if value is not None and value > today:
        raise Invalid.field(f"body.{field}", "is in the future")
