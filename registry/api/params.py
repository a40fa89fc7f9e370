"""Dates and instants in a query string, as the document says them: ISO 8601 text only.

H1's bounded types (``schemas.common.Day``, ``Instant``) keep values within 1900–2100; in a
query string pydantic would also read ``on=0`` or ``to=0.5`` as a Unix timestamp, which the
document (``format: date`` / ``date-time``) does not allow. These refuse anything that does
not look like the ISO form before the bounded type reads it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BeforeValidator

from schemas.common import Day, Instant

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _iso(pattern: re.Pattern[str], form: str) -> Any:
    def check(value: Any) -> Any:
        if isinstance(value, str) and not pattern.match(value):
            raise ValueError(f"must be an ISO 8601 {form}")
        return value

    return BeforeValidator(check)


IsoDay = Annotated[Day, _iso(_DATE, "date (YYYY-MM-DD)")]
IsoInstant = Annotated[Instant, _iso(_INSTANT, "instant with an offset (RFC 3339)")]
