"""Dates and instants in a query string, as the document says them: ISO 8601 text only.

The bounded types of ``schemas.common`` (``Day``, ``Instant``) take only the ISO text (never
``on=0`` read as a Unix time) within 1900–2100; the API's parameters use them under these
names.
"""

from __future__ import annotations

from schemas.common import Day, Instant

IsoDay = Day
IsoInstant = Instant
