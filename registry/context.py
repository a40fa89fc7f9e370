"""What a service needs to know about the call it serves."""

from __future__ import annotations

from dataclasses import dataclass

from registry.access.principal import Principal
from registry.config import Settings
from registry.crypto import FieldCipher


@dataclass(frozen=True)
class Ctx:
    principal: Principal
    cipher: FieldCipher
    settings: Settings
    request_id: str | None = None
    source: str = "manual"  # provenance of values written in this call
