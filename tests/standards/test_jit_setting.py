"""A standards run turns PostgreSQL's JIT off for its statements and gives the caller's
transaction its setting back, whether the rules end well or raise (SQLite has no JIT: the
block only runs)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.dates import today
from registry.standards.engine import _without_jit, evaluate


def _jit(session: Session) -> str | None:
    if session.get_bind().dialect.name != "postgresql":
        return None
    return str(session.scalar(sa.text("SELECT current_setting('jit')")))


def test_jit_is_off_inside_and_as_it_was_after(session: Session) -> None:
    pg = session.get_bind().dialect.name == "postgresql"
    if pg:
        session.execute(sa.text("SELECT set_config('jit', 'on', true)"))
    before = _jit(session)
    with _without_jit(session):
        assert _jit(session) == ("off" if pg else None)
    assert _jit(session) == before
    with pytest.raises(ValueError, match="a rule failed"), _without_jit(session):
        assert _jit(session) == ("off" if pg else None)
        raise ValueError("a rule failed")
    assert _jit(session) == before  # the transaction goes on, with its own setting
    evaluate(session, on=today())
    assert _jit(session) == before
