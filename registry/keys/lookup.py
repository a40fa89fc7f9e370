"""Finding rows by a blind-indexed value, whatever index key the row was last indexed under.

While ``cadre keys rotate --index-key`` rebuilds the indexes, a row holds either the previous
key's index or the current one's; outside a rebuild there is one key and this is ``==``.
Uniqueness checks must match the same way, or a duplicate number written during a rebuild
would slip past a row not yet rebuilt.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from registry.crypto import FieldCipher


def index_matches(
    column: sa.ColumnElement[Any], cipher: FieldCipher, value: str, *, purpose: str
) -> sa.ColumnElement[bool]:
    indexes = cipher.blind_indexes(value, purpose=purpose)
    return column == indexes[0] if len(indexes) == 1 else column.in_(indexes)
