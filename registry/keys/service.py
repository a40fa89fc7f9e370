"""Rotating, reporting and retiring keys (``cadre keys rotate | status | retire``)."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.audit.chain import set_audit_config
from registry.crypto import KeyManager, KeyringState
from registry.documents.store import DocumentStore
from registry.errors import RegistryError
from registry.history import set_actor
from registry.keys import rotation
from registry.keys.usage import (
    Usage,
    document_usage,
    history_usage,
    live_usage,
    other_usage,
)
from registry.runtime import Runtime

MAX_PASSES = 5


def manager(rt: Runtime) -> KeyManager:
    keys = rt.key_provider
    if not isinstance(keys, KeyManager):
        raise RegistryError("this deployment's key provider cannot change its keys")
    return keys


@dataclass
class RotationReport:
    data_key: str
    index_key: str | None
    resumed: bool
    passes: int = 0
    rewritten: Counter[str] = field(default_factory=Counter)
    duplicates: set[str] = field(default_factory=set)
    files: int = 0
    unreadable: set[str] = field(default_factory=set)
    data_done: bool = False
    index_done: bool = False


def documents(rt: Runtime) -> DocumentStore:
    return DocumentStore(rt.settings.documents_dir, rt.cipher)


def _preparer(rt: Runtime, extra: Callable[[Session], None] | None) -> Callable[[Session], None]:
    def prepare(session: Session) -> None:
        set_actor(session, rotation.ACTOR)
        set_audit_config(session, rt.audit)
        if extra is not None:
            extra(session)

    return prepare


def _passes(
    rt: Runtime,
    report: RotationReport,
    plan: rotation.Plan,
    *,
    batch_size: int,
    prepare: Callable[[Session], None],
    progress: Callable[[str, int], None] | None,
    pause: float,
) -> bool:
    """Passes until one rewrites nothing; True when no row or file is left wrong."""
    store = documents(rt)
    for _ in range(MAX_PASSES):
        done = rotation.run_pass(
            rt.sessions,
            rt.cipher,
            plan=plan,
            limit=batch_size,
            prepare=prepare,
            progress=progress,
            pause=pause,
            documents=store,
        )
        report.passes += 1
        report.rewritten.update(done.rewritten)
        report.files += done.files
        report.duplicates = {str(d) for d in done.duplicates}
        report.unreadable = done.unreadable
        if not sum(done.rewritten.values()) and not done.files:
            return not done.unreadable
    return False


def rotate(
    rt: Runtime,
    *,
    index_key: bool = False,
    batch_size: int = 500,
    prepare: Callable[[Session], None] | None = None,
    progress: Callable[[str, int], None] | None = None,
    pause: float = 0.0,
) -> RotationReport:
    """Make a new data key (and with ``index_key`` a new index key) current and rewrite every
    value and document file under it; or, when a rotation was interrupted, finish that one (no
    new key)."""
    keys = manager(rt)
    with keys.exclusive():
        state = keys.state()
        resumed = state.rotating is not None or state.index_previous is not None
        data_key = state.rotating or keys.begin_data_rotation()
        if index_key and state.index_previous is None:
            keys.begin_index_rotation()
        rebuild = keys.state().index_previous is not None
        report = RotationReport(
            data_key=data_key,
            index_key=keys.state().index_current if rebuild else None,
            resumed=resumed,
        )
        plan = rotation.Plan(data_key=data_key, rebuild_index=rebuild)
        ready = _preparer(rt, prepare)
        run = functools.partial(
            _passes,
            rt,
            report,
            batch_size=batch_size,
            prepare=ready,
            progress=progress,
            pause=pause,
        )
        clean = run(plan)
        report.data_done = clean
        if clean:
            keys.end_data_rotation()
        if rebuild and clean and not report.duplicates:
            keys.end_index_rotation()
            # A process that computed an index with the previous key just before the rebuild
            # began may have committed since the last pass: one more pass catches it.
            final = rotation.Plan(data_key=data_key, rebuild_index=True)
            run(final)
            report.index_done = True
        return report


@dataclass
class KeyStatus:
    state: KeyringState
    live: list[Usage]
    other: list[Usage]
    files: list[Usage]
    history: list[Usage] | None


def _known(state: KeyringState) -> set[str]:
    return set(state.data_key_ids) | set(state.retired)


def status(
    rt: Runtime, session: Session, *, metadata: sa.MetaData, with_history: bool = False
) -> KeyStatus:
    state = manager(rt).state()
    kids = _known(state)
    return KeyStatus(
        state=state,
        live=live_usage(session, metadata, kids),
        other=other_usage(session, metadata, kids),
        files=document_usage(documents(rt), kids),
        history=history_usage(session) if with_history else None,
    )


def retire(
    rt: Runtime,
    session: Session,
    key_id: str,
    *,
    metadata: sa.MetaData,
    forget_history: bool = False,
) -> None:
    """Remove a data key from the keyring, only when nothing needs it any more.

    Recorded versions are never rewritten, so they keep values under the keys they were
    written with; an as-of read decrypts them. Retiring a key they still use makes those past
    values unreadable: refused unless ``forget_history`` says that is intended."""
    keys = manager(rt)
    with keys.exclusive():
        state = keys.state()
        if key_id == state.current or key_id == state.rotating:
            raise RegistryError(f"{key_id} is the current data key")
        if key_id not in state.data_key_ids:
            raise RegistryError(f"no data key {key_id!r} in the keyring")
        uses = [
            u
            for u in live_usage(session, metadata, [key_id])
            + other_usage(session, metadata, [key_id])
            + document_usage(documents(rt), [key_id])
            if u.key_id == key_id
        ]
        if uses:
            where = ", ".join(f"{u.table}.{u.column}: {u.values}" for u in uses)
            raise RegistryError(f"{key_id} still encrypts stored values ({where})")
        recorded = sum(u.values for u in history_usage(session) if u.key_id == key_id)
        if recorded and not forget_history:
            raise RegistryError(
                f"{recorded} recorded versions hold values under {key_id}; as-of reads need it"
                " (--forget-history retires it anyway and leaves them unreadable)"
            )
        keys.retire_data_key(key_id)
