"""The field-authority matrix: which system owns each field group.

Read from the field catalogue (``registry.catalogue``): a person field's group and owner are
declared there once, and the records the registry pushes are the kinds it marks pushed. The
README's table "Who owns which field" is generated from the same declaration
(``registry.catalogue.docs``) and checked by a test. Incoming values for a field the source
owns are applied with provenance; values for fields it does not own, or that clash with a
local edit made since the last sync, become conflicts for an administrator.
"""

from __future__ import annotations

from typing import Final

from registry import catalogue
from registry.catalogue import CIVIL_SERVICE, POPULATION, REGISTRY

__all__ = ["CIVIL_SERVICE", "MATRIX", "POPULATION", "REGISTRY", "group_of", "owner_of", "owns"]

# field group → (owner, person fields in the group)
MATRIX: Final[dict[str, tuple[str, tuple[str, ...]]]] = {
    group: (catalogue.group_owner(group), fields) for group, fields in catalogue.groups().items()
}

_OWNER: Final = {f: owner for owner, fields in MATRIX.values() for f in fields}
_GROUP: Final = {f: group for group, (_, fields) in MATRIX.items() for f in fields}


def owner_of(field: str) -> str:
    """Fields nobody declared belong to the registry."""
    return _OWNER.get(field, REGISTRY)


def group_of(field: str) -> str:
    return _GROUP.get(field, "other")


def owns(system: str, field: str) -> bool:
    return owner_of(field) == system
