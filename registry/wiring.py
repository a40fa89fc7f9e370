"""The composition root: what the registry core is connected to.

Every edge (the HTTP app, the CLI and its jobs, the test suite) calls ``install()`` before it
writes: the sync outbox then hears of every history row. This module and the edges are the only
parts of ``registry/`` that import ``sync/``.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from registry import hooks


def install() -> None:
    from sync import outbox

    hooks.on_versions(outbox.enqueue_for_versions)


def metadata() -> MetaData:
    """Every table of the deployment, the registry's and sync's (Alembic, tests)."""
    import sync.drift
    import sync.models  # noqa: F401 - registers sync's tables on the shared metadata
    from registry.models import Base

    return Base.metadata
