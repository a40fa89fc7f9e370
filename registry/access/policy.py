"""The read policy: for a principal, which fields and records of the registry it may see.

One decision, read from the field catalogue, for every output — the file, lists, filters and
sorts, the change log, the timeline and as-of reads, candidates, alerts, sync conflicts,
exports, pages and downloads:

- public and personal data: shown to every role inside its org scope;
- special-category and secret data (``Sensitivity.SPECIAL`` and above): shown to
  administrators and officers, and to auditors who state a purpose (``X-Purpose``); masked for
  auditors without one and for applications (service tokens) — the value is withheld and the
  field is named in ``masked_fields`` (``(ẩn)`` on the pages), never shown as "none";
- a record kind that is special as a whole (a discipline, a party membership or event) and a
  document attached to one are withheld entirely from those principals;
- a filter or sort on a field the principal may not see is refused (403 naming it): a filter
  is a read of the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry import catalogue
from registry.access.principal import Principal
from registry.catalogue import Sensitivity
from registry.errors import FieldIssue, Forbidden


def _open(principal: Principal, level: Sensitivity) -> bool:
    return level < Sensitivity.SPECIAL or principal.sees_sensitive


def sees_kind(principal: Principal, table: str) -> bool:
    """Whether the principal may see records of ``table`` at all (their existence included)."""
    k = catalogue.kind(table)
    return k is None or _open(principal, k.sensitivity)


def sees_document(principal: Principal, owner_table: str) -> bool:
    """A document is as closed as the record it is attached to."""
    return sees_kind(principal, "documents") and sees_kind(principal, owner_table)


def sees_field(principal: Principal, table: str, name: str) -> bool:
    k = catalogue.kind(table)
    if k is None:
        return True
    return _open(principal, k.sensitivity_of(_field_name(table, name)))


def sees_value(principal: Principal, table: str, name: str, row: Mapping[str, Any]) -> bool:
    """``sees_field`` for one row: a value made of another kind's records (an alert's
    explanation under a discipline rule) is as closed as that kind."""
    if not sees_field(principal, table, name):
        return False
    declared = catalogue.field(table, name)
    if declared is None or declared.made_of is None:
        return True
    by, sources = declared.made_of
    source = sources.get(str(row.get(by)))
    return source is None or sees_kind(principal, source)


def _field_name(table: str, name: str) -> str:
    """A stored column (``nid_ct``, ``nid_bidx``) → the field it stores."""
    for suffix in ("_ct", "_bidx"):
        base = name.removesuffix(suffix)
        if base != name and catalogue.field(table, base) is not None:
            return base
    return name


_HIDDEN: dict[tuple[int, str, bool], tuple[str, ...]] = {}


def hidden_fields(principal: Principal, table: str) -> tuple[str, ...]:
    """The declared fields of ``table`` the principal may not see. They depend only on the
    kind and on whether the principal opens sensitive data, so they are worked out once per
    kind and answer (a list page asks for every row)."""
    k = catalogue.kind(table)
    if k is None:
        return ()
    key = (id(k), table, principal.sees_sensitive)
    known = _HIDDEN.get(key)
    if known is None:
        known = tuple(f.name for f in k.fields if not _open(principal, k.sensitivity_of(f.name)))
        _HIDDEN[key] = known
    return known


def maskable(table: str) -> bool:
    """Whether some principal may be shown a record of ``table`` with some value withheld:
    the kind is open to them but a field of it is closed (by class, or by what it is made
    of). An answer carrying such records must allow null there and name the masked fields."""
    k = catalogue.kind(table)
    if k is None or k.sensitivity >= Sensitivity.SPECIAL:
        return False
    return any(f.sensitivity >= Sensitivity.SPECIAL or f.made_of is not None for f in k.fields)


def mask(
    principal: Principal, table: str, data: Mapping[str, Any]
) -> tuple[dict[str, Any], list[str]]:
    """``data`` (one row of ``table``) with every value the principal may not see set to
    None, and their names: closed by class, or made of a kind closed to the principal."""
    out = dict(data)
    masked: list[str] = []
    for name in data:
        if not sees_value(principal, table, name, data):
            out[name] = None
            masked.append(_field_name(table, name))
    return out, sorted(set(masked))


def mask_record(principal: Principal, table: str, record: Any) -> dict[str, Any] | None:
    """One record (a row object or a mapping) as the principal may see it, with
    ``masked_fields`` naming what was withheld; None when nothing is withheld (the record may
    be answered as it is)."""
    if not maskable(table):
        return None
    if isinstance(record, Mapping):
        row: dict[str, Any] = dict(record)
    else:
        row = {c.key: getattr(record, c.key) for c in record.__table__.columns}
    out, masked = mask(principal, table, row)
    if not masked:
        return None
    out["masked_fields"] = sorted({*out.get("masked_fields", ()), *masked})
    return out


def require_filter(principal: Principal, *, param: str, table: str, field: str) -> None:
    """Refuse (403 naming ``param``) a filter or sort on a field the principal may not see."""
    if not sees_field(principal, table, field):
        raise Forbidden(
            f"filtering or sorting by {param} reads {table}.{field}: not for this role",
            issues=[FieldIssue(f"query.{param}", "may not be read by this role")],
        )


def require_lookup(principal: Principal, *, param: str, table: str, field: str) -> None:
    """An exact lookup by an identifier the caller supplies (``?nid=``) tells which file holds
    it. Callers that may write files may look up (they could learn as much from a refused
    duplicate on create; the lookups are rate-limited); others only if they may see it."""
    declared = catalogue.field(table, field)
    if declared is not None and declared.blind_indexed and principal.can_write:
        return
    require_filter(principal, param=param, table=table, field=field)


def require_kind(principal: Principal, table: str, *, field: str = "query.table") -> None:
    if not sees_kind(principal, table):
        raise Forbidden(
            f"{table} are special-category data: state a purpose (X-Purpose)",
            issues=[FieldIssue(field, f"{table} may not be read by this role")],
        )


def closed_tables(principal: Principal) -> frozenset[str]:
    """Record kinds withheld from the principal entirely."""
    return frozenset(t for t in catalogue.KINDS if not sees_kind(principal, t))
