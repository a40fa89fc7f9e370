"""Building blocks for non-HTTP edges (CLI, jobs): engine, cipher and a system context."""

from __future__ import annotations

import getpass
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from registry.access.principal import Principal
from registry.audit.chain import AuditConfig, set_audit_config
from registry.audit.signing import Signer
from registry.config import Settings
from registry.context import Ctx
from registry.crypto import FieldCipher, KeyProvider, LocalFileKeyProvider
from registry.db import make_engine, make_sessionmaker
from registry.history import Actor, set_actor
from registry.wiring import install


def audit_config(settings: Settings, keys: KeyProvider) -> AuditConfig:
    kid, seed = keys.audit_signing_key()
    return AuditConfig(
        signer=Signer.from_seed(kid, seed),
        checkpoint_dir=settings.checkpoints_dir,
        every_events=settings.audit_checkpoint_every_events,
        every_seconds=settings.audit_checkpoint_every_seconds,
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
        return self.engine_override or make_engine(self.settings.resolved_database_url())

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

    def system_ctx(self, session: Session, *, reason: str, source: str = "manual") -> Ctx:
        """A registry-wide admin acting from this machine's shell, named after the OS user."""
        who = f"cli:{getpass.getuser()}"
        set_actor(session, Actor(actor_id=who, role="admin", reason=reason))
        set_audit_config(session, self.audit)
        principal = Principal(subject=who, role="admin", org_unit_id=None, org_path=None)
        return Ctx(principal=principal, cipher=self.cipher, settings=self.settings, source=source)
