"""The dialect seam for bulk appends: COPY on PostgreSQL, executemany elsewhere."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from psycopg.types.json import Json

_COPY_FROM = 50  # below this many rows a plain executemany is as quick


def insert_rows(conn: sa.Connection, table: sa.Table, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if conn.dialect.name != "postgresql" or len(rows) < _COPY_FROM:
        conn.execute(sa.insert(table), rows)
        return
    columns = [c.key for c in table.columns if c.key in rows[0]]
    is_json = {c.key for c in table.columns if isinstance(c.type, sa.JSON)}
    cursor: Any = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    names = ", ".join(f'"{c}"' for c in columns)
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([Json(row[c]) if c in is_json else row[c] for c in columns])
    cursor.close()
