"""The field catalogue: one declaration per field of every record kind.

Everything that treats a field differently by what it is reads this declaration: masking and
the read policy (``registry.access.policy``), encryption and blind indexes (the person writer),
history redaction, provenance, the sync authority matrix and the outbox, the README's tables.
A test fails when a model grows a column the catalogue does not declare, or when an adapter's
contract list and the catalogue disagree.

Sensitivity classes (Law 91/2025 on personal data protection, Decree 13/2023):

- ``public``: organisation data, titles, dates of a post — no personal data;
- ``personal``: basic personal data (names, birth date, posts held, qualifications);
- ``special``: special-category data — ethnicity, religion, political affiliation (party
  membership and its events), health, discipline;
- ``secret``: identifiers and direct contacts whose disclosure enables impersonation or
  targeting (identification numbers, phone, e-mail) and credentials; encrypted at rest.
"""

from __future__ import annotations

from registry.catalogue.declarations import KINDS
from registry.catalogue.model import (
    CIVIL_SERVICE,
    POPULATION,
    REGISTRY,
    Field,
    RecordKind,
    Sensitivity,
)
from registry.catalogue.queries import (
    blind_indexed,
    encrypted,
    encrypted_columns,
    field,
    group_owner,
    groups,
    kind,
    owned_by,
    pushed_tables,
    redacted,
    sensitive_fields,
    sensitive_tables,
)

__all__ = [
    "CIVIL_SERVICE",
    "KINDS",
    "POPULATION",
    "REGISTRY",
    "Field",
    "RecordKind",
    "Sensitivity",
    "blind_indexed",
    "encrypted",
    "encrypted_columns",
    "field",
    "group_owner",
    "groups",
    "kind",
    "owned_by",
    "pushed_tables",
    "redacted",
    "sensitive_fields",
    "sensitive_tables",
]
