"""Who is calling, and what that role may do."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Literal

from registry import catalogue

Role = Literal["admin", "officer", "auditor", "service"]
ROLES: tuple[Role, ...] = ("admin", "officer", "auditor", "service")

# Fields hidden from roles that may not see them (Law 91/2025: sensitive personal data), and
# records sensitive as a whole (political views, sanctions) — so is a document attached to one.
# Both are the catalogue's special-category and secret classes.
SENSITIVE_PERSON_FIELDS = catalogue.sensitive_fields("persons")
SENSITIVE_TABLES = tuple(sorted(catalogue.sensitive_tables()))


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``org_path`` None means the whole registry."""

    subject: str
    role: Role
    org_unit_id: uuid.UUID | None
    org_path: str | None
    purpose: str | None = None
    # The token's own quota of exact lookups a minute (None: the default of its kind).
    lookups_per_minute: int | None = None

    @property
    def can_write(self) -> bool:
        return self.role in ("admin", "officer", "service")

    @property
    def reads_everything(self) -> bool:
        return self.role == "auditor" or self.org_path is None

    @property
    def sees_sensitive(self) -> bool:
        if self.role in ("admin", "officer"):
            return True
        # Auditors open sensitive fields only for a stated purpose (X-Purpose).
        return self.role == "auditor" and bool(self.purpose)

    def covers(self, path: str) -> bool:
        return self.reads_everything or path.startswith(self.org_path or "")

    def may_write_in(self, path: str) -> bool:
        return self.can_write and (self.org_path is None or path.startswith(self.org_path))
