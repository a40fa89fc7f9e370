"""The field-authority matrix: which system owns each field group.

The same table is in README.md ("Who owns which field"). Incoming values for a field the
source owns are applied with provenance; values for fields it does not own, or that clash with
a local edit made since the last sync, become conflicts for an administrator.
"""

from __future__ import annotations

from typing import Final

from adapters.civil_service.mapping import CIVIL_SERVICE_OWNED
from adapters.population.mapping import IDENTITY_FIELDS

REGISTRY: Final = "registry"
POPULATION: Final = "population"
CIVIL_SERVICE: Final = "civil_service"

# field group → (owner, person fields in the group)
MATRIX: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    # The contracts' own lists: the adapters map exactly these fields.
    "identity": (POPULATION, IDENTITY_FIELDS),
    "rank_salary": (CIVIL_SERVICE, CIVIL_SERVICE_OWNED),
    "posts": (REGISTRY, ("agency_code", "position_title", "work_history")),
    "training": (REGISTRY, ("training",)),
    "qualifications": (REGISTRY, ("qualifications",)),
    "evaluations": (REGISTRY, ("evaluations",)),
    "party": (REGISTRY, ("party_membership",)),
    "contact": (REGISTRY, ("phone", "email", "current_residence")),
}

_OWNER: Final = {f: owner for owner, fields in MATRIX.values() for f in fields}
_GROUP: Final = {f: group for group, (_, fields) in MATRIX.items() for f in fields}


def owner_of(field: str) -> str:
    """Fields nobody listed belong to the registry."""
    return _OWNER.get(field, REGISTRY)


def group_of(field: str) -> str:
    return _GROUP.get(field, "other")


def owns(system: str, field: str) -> bool:
    return owner_of(field) == system
