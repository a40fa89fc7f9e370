"""The rest of the personnel file (form 2C-BNV/2008, 2C/TCTW-98, Decree 27/2026 data groups):
family relations, personal history, military service, health, socio-political organisations,
salary and allowance history."""

from __future__ import annotations

from registry.catalogue.model import RecordKind

KINDS: tuple[RecordKind, ...] = ()
