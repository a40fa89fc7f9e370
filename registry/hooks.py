"""Listeners the registry core calls without knowing who listens.

The core writes history; other parts of the system (the sync outbox, say) react to it. They are
installed by the composition root (``registry.wiring.install``), so the core never imports them.
A listener runs inside the writer's transaction: what it writes commits or rolls back with the
change it reacts to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy.orm import Session

VersionListener = Callable[[Session, Iterable[dict[str, Any]]], None]
_version_listeners: list[VersionListener] = []


def on_versions(listener: VersionListener) -> None:
    """Call ``listener`` with every batch of history rows written (installing twice is once)."""
    if listener not in _version_listeners:
        _version_listeners.append(listener)


def versions_written(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    batch = list(rows)
    for listener in _version_listeners:
        listener(session, batch)
