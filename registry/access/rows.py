"""Rows whose existence is itself a closed fact.

An alert under a discipline rule says, by being there, that its holder has a discipline in
effect; a near-miss "lacks party membership" says the person is not a member. The catalogue
declares such values as made of another kind (``Field.made_of``: a discriminating field and,
per value, the kind). For a principal the read policy closes that kind to, those rows are
withheld wherever rows are read (``registry.access.scope.visible``) and a filter naming such a
value is refused.
"""

from __future__ import annotations

from registry import catalogue
from registry.access import policy
from registry.access.principal import Principal
from registry.errors import FieldIssue, Forbidden


def withheld_rows(principal: Principal, table: str) -> dict[str, frozenset[str]]:
    """Discriminating field → the values whose rows are withheld from the principal."""
    k = catalogue.kind(table)
    out: dict[str, set[str]] = {}
    for f in () if k is None else k.fields:
        if f.made_of is None:
            continue
        by, sources = f.made_of
        closed = {v for v, kind in sources.items() if not policy.sees_kind(principal, kind)}
        if closed:
            out.setdefault(by, set()).update(closed)
    return {name: frozenset(values) for name, values in out.items()}


def is_withheld(principal: Principal, table: str, field: str, value: object) -> bool:
    return str(value) in withheld_rows(principal, table).get(field, frozenset())


def require_filter_value(
    principal: Principal, *, table: str, field: str, value: str | None, param: str
) -> None:
    """A filter naming a withheld value reads the closed fact: 403 naming the parameter."""
    if value is not None and is_withheld(principal, table, field, value):
        raise Forbidden(
            f"{param}={value} reads special-category data: state a purpose (X-Purpose)",
            issues=[FieldIssue(f"query.{param}", "may not be read by this role")],
        )
