"""Building blocks for non-HTTP edges (CLI, jobs): engine, cipher and a system context."""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.access.principal import Principal, Role
from registry.audit.chain import AuditConfig, set_audit_config
from registry.audit.signing import Signer
from registry.config import Settings
from registry.context import Ctx
from registry.crypto import FieldCipher, KeyProvider, LocalFileKeyProvider
from registry.db import make_engine, make_sessionmaker, pool_options
from registry.history import Actor, set_actor
from registry.wiring import install

# The role a job's writes are recorded with: the role of applications, not an administrator's.
JOB_ROLE: Role = "service"


def audit_config(settings: Settings, keys: KeyProvider) -> AuditConfig:
    kid, seed = keys.audit_signing_key()
    return AuditConfig(
        signer=Signer.from_seed(kid, seed),
        checkpoint_dir=settings.checkpoints_dir,
        every_events=settings.audit_checkpoint_every_events,
        every_seconds=settings.audit_checkpoint_every_seconds,
        sequence_in_request=settings.audit_sequence_in_request is not False,
    )


@dataclass
class Runtime:
    settings: Settings
    keys: KeyProvider | None = None
    engine_override: Engine | None = None
    # Optional collaborators for non-HTTP edges (e.g. an HTTP policy for the sync clients).
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        install()

    @cached_property
    def engine(self) -> Engine:
        if self.engine_override is not None:
            return self.engine_override
        url = self.settings.resolved_database_url()
        pool = pool_options(
            url,
            workers=self.settings.serve_workers or (os.cpu_count() or 1),
            pool_size=self.settings.db_pool_size,
            max_overflow=self.settings.db_max_overflow,
        )
        return make_engine(url, **pool)

    def close(self) -> None:
        """Give back the connections of an engine this runtime made (not an override)."""
        if self.engine_override is None and "engine" in self.__dict__:
            self.engine.dispose()

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_sessionmaker(self.engine)

    @cached_property
    def key_provider(self) -> KeyProvider:
        return self.keys or LocalFileKeyProvider(self.settings.keys_dir)

    @cached_property
    def cipher(self) -> FieldCipher:
        return FieldCipher(self.key_provider)

    @cached_property
    def audit(self) -> AuditConfig:
        return audit_config(self.settings, self.key_provider)

    def system_ctx(
        self,
        session: Session,
        *,
        reason: str,
        source: str = "manual",
        actor: Actor | None = None,
    ) -> Ctx:
        """A registry-wide admin acting from this machine's shell, named after the OS user;
        ``actor``: someone else on record in the history (a scheduled job, see ``job_ctx``)."""
        who = actor or Actor(actor_id=f"cli:{getpass.getuser()}", role="admin", reason=reason)
        set_actor(session, who)
        set_audit_config(session, self.audit)
        role: Role = "service" if who.role == JOB_ROLE else "admin"
        principal = Principal(subject=who.actor_id, role=role, org_unit_id=None, org_path=None)
        return Ctx(principal=principal, cipher=self.cipher, settings=self.settings, source=source)

    def job_ctx(self, session: Session, *, job: str, reason: str | None = None, source: str) -> Ctx:
        """A scheduled job of the registry: on record as ``system:<job>`` with the ``service``
        role (an application's: it may write and read registry-wide, never opens sensitive
        fields), so the history tells a job's writes from an administrator's."""
        actor = Actor(actor_id=f"system:{job}", role=JOB_ROLE, reason=reason or job)
        return self.system_ctx(session, reason=actor.reason, source=source, actor=actor)
