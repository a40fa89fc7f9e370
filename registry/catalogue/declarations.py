"""The declarations: every record kind and every field of it, once.

Each area declares its kinds in its own module (``kinds_*.py``, helpers in ``kit.py``); this
module assembles them. Bookkeeping columns (``id``, ``version``, ``created_at``,
``updated_at``, ``retired_at``) and a kind's link to its person are public and not repeated.
``tests/unit/test_catalogue.py`` fails when a model has a column no declaration covers.
"""

from __future__ import annotations

from typing import Final

from registry.catalogue import (
    kinds_file,
    kinds_party,
    kinds_person,
    kinds_posts,
    kinds_records,
    kinds_system,
)
from registry.catalogue.model import RecordKind
from registry.catalogue.rule_sources import RULE_SOURCES

__all__ = ["KINDS", "RULE_SOURCES"]

KINDS: Final[dict[str, RecordKind]] = {
    k.table: k
    for module in (
        kinds_person,
        kinds_party,
        kinds_records,
        kinds_posts,
        kinds_file,
        kinds_system,
    )
    for k in module.KINDS
}
