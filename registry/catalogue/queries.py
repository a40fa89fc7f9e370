"""Questions the rest of the system asks the catalogue (answers are computed once)."""

from __future__ import annotations

from functools import cache

from registry.catalogue.declarations import KINDS
from registry.catalogue.model import Field, RecordKind, Sensitivity


def kind(table: str) -> RecordKind | None:
    return KINDS.get(table)


def field(table: str, name: str) -> Field | None:
    k = KINDS.get(table)
    return None if k is None else k.by_name.get(name)


@cache
def encrypted(table: str) -> dict[str, str]:
    """Field name → ciphertext column (``{"nid": "nid_ct", …}``)."""
    k = KINDS.get(table)
    return {} if k is None else {f.name: f.column for f in k.fields if f.encrypted}


@cache
def blind_indexed(table: str) -> dict[str, str]:
    """Field name → blind-index column (``{"nid": "nid_bidx", …}``)."""
    k = KINDS.get(table)
    return {} if k is None else {f.name: f"{f.name}_bidx" for f in k.fields if f.blind_indexed}


@cache
def encrypted_columns() -> tuple[tuple[str, str, str], ...]:
    """(table, field, ciphertext column) of every encrypted value in the registry."""
    return tuple(
        (k.table, f.name, f.column) for k in KINDS.values() for f in k.fields if f.encrypted
    )


@cache
def redacted(table: str) -> frozenset[str]:
    """Columns recorded as changed but never copied into the history."""
    k = KINDS.get(table)
    return (
        frozenset() if k is None else frozenset(f.column for f in k.fields if f.redacted_in_history)
    )


@cache
def groups(table: str = "persons") -> dict[str, tuple[str, ...]]:
    """Provenance / authority group → its fields, in declaration order."""
    out: dict[str, list[str]] = {}
    k = KINDS.get(table)
    for f in () if k is None else k.fields:
        if f.group is not None and not f.derived_from:
            out.setdefault(f.group, []).append(f.name)
    return {g: tuple(names) for g, names in out.items()}


@cache
def owned_by(system: str, table: str = "persons") -> tuple[str, ...]:
    k = KINDS.get(table)
    return () if k is None else tuple(f.name for f in k.fields if f.owner == system)


@cache
def group_owner(group: str, table: str = "persons") -> str:
    k = KINDS.get(table)
    owners = {f.owner for f in (() if k is None else k.fields) if f.group == group}
    if len(owners) > 1:
        raise ValueError(f"group {group} of {table} has several owners: {sorted(owners)}")
    return owners.pop() if owners else "registry"


@cache
def pushed_tables(system: str) -> frozenset[str]:
    return frozenset(k.table for k in KINDS.values() if system in k.pushed_to)


@cache
def sensitive_fields(table: str, at_least: Sensitivity = Sensitivity.SPECIAL) -> tuple[str, ...]:
    """Fields of ``table`` of class ``at_least`` or above (as the API names them)."""
    k = KINDS.get(table)
    if k is None:
        return ()
    return tuple(f.name for f in k.fields if k.sensitivity_of(f.name) >= at_least)


@cache
def sensitive_tables(at_least: Sensitivity = Sensitivity.SPECIAL) -> frozenset[str]:
    """Kinds that are of class ``at_least`` as a whole."""
    return frozenset(k.table for k in KINDS.values() if k.sensitivity >= at_least)
