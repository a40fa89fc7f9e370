"""The field catalogue is the one declaration: every stored column is in it, the adapters'
contract lists agree with it, docs/catalogue.md is written from it, and the read policy
derived from it never opens a closed value."""

from __future__ import annotations

import re
import uuid

from hypothesis import given
from hypothesis import strategies as st

from adapters.civil_service.mapping import CIVIL_SERVICE_OWNED, REGISTRY_OWNED
from adapters.population.mapping import IDENTITY_FIELDS
from registry import catalogue
from registry.access import policy
from registry.access.principal import ROLES, Principal
from registry.catalogue import CIVIL_SERVICE, POPULATION, Sensitivity
from registry.catalogue.docs import DOC_PATH, document, masking_table, ownership_table
from registry.wiring import metadata

BOOKKEEPING = {"id", "version", "created_at", "updated_at", "retired_at"}
# Tables of machinery, not of registry facts about people or posts.
MACHINERY = {
    "audit_events",
    "audit_head",
    "audit_pending",
    "audit_checkpoints",
    "record_versions",
    "sign_in_failures",
    "password_change_due",
    "sync_outbox",
    "sync_cursors",
    "sync_runs",
    "sync_remote_state",
    "sync_contract_drift",
    "identity_verifications",
    "lookup_windows",
}


def test_every_stored_column_is_declared_and_every_declaration_is_stored() -> None:
    tables = metadata().tables
    undeclared = []
    for name, table in tables.items():
        if name in MACHINERY or name.startswith("zz_"):
            continue
        kind = catalogue.kind(name)
        assert kind is not None, f"table {name} has no record kind in the catalogue"
        declared = {c for f in kind.fields for c in f.stored_columns}
        link = {kind.person_link} if kind.person_link else set()
        for column in table.columns:
            if column.name not in declared | BOOKKEEPING | link:
                undeclared.append(f"{name}.{column.name}")
        missing = declared - {c.name for c in table.columns}
        assert not missing, f"{name}: declared but not stored: {sorted(missing)}"
    assert not undeclared, f"columns the catalogue does not declare: {undeclared}"
    assert set(catalogue.KINDS) <= set(tables)


def test_the_adapters_contract_lists_are_the_catalogues() -> None:
    assert tuple(IDENTITY_FIELDS) == catalogue.owned_by(POPULATION)
    assert set(CIVIL_SERVICE_OWNED) == set(catalogue.owned_by(CIVIL_SERVICE))
    # Each owner's fields form one authority group, so one provenance row says who asserted them.
    for system in (POPULATION, CIVIL_SERVICE):
        owned = catalogue.owned_by(system)
        assert len({catalogue.field("persons", f).group for f in owned}) == 1  # type: ignore[union-attr]
    # What the registry pushes: the person's own post plus one section per pushed kind.
    pushed = catalogue.pushed_tables(CIVIL_SERVICE) - {"persons"}
    sections = {"assignments": "work_history", "trainings": "training"}
    assert {sections.get(t, t) for t in pushed} <= set(REGISTRY_OWNED)
    # A pushed kind's fields are all pushed; nothing special-category is.
    for table in pushed:
        kind = catalogue.kind(table)
        assert kind is not None and kind.sensitivity < Sensitivity.SPECIAL
        assert all(CIVIL_SERVICE in f.pushed_to for f in kind.fields), table


def test_secrets_are_encrypted_or_kept_out_of_history() -> None:
    for kind in catalogue.KINDS.values():
        for f in kind.fields:
            if f.sensitivity is Sensitivity.SECRET:
                assert f.encrypted or f.redacted_in_history, f"{kind.table}.{f.name}"
            if f.blind_indexed:
                assert f.encrypted, f"{kind.table}.{f.name}: an index of a plain value"


def test_the_readme_tables_are_the_catalogues() -> None:
    text = DOC_PATH.read_text(encoding="utf-8")
    assert text == document(), "run: python -m registry.catalogue.docs --write"
    assert ownership_table() in text
    assert masking_table() in text


def test_a_declaration_shown_to_fail() -> None:
    """The column check is not vacuous: a new undeclared column would be found."""
    kind = catalogue.kind("persons")
    assert kind is not None
    assert "birth_place" in {c for f in kind.fields for c in f.stored_columns}
    assert "shoe_size" not in {c for f in kind.fields for c in f.stored_columns}
    assert re.search(r"\| identity \| population database \|", ownership_table())


principals = st.builds(
    Principal,
    subject=st.just("someone"),
    role=st.sampled_from(ROLES),
    org_unit_id=st.none() | st.just(uuid.uuid4()),
    org_path=st.none() | st.just("/1/"),
    purpose=st.none() | st.sampled_from(["", "thanh tra", "kiểm tra hồ sơ"]),
)
fields = st.sampled_from(
    [(k.table, f.name) for k in catalogue.KINDS.values() for f in k.fields]
    + [("persons", "nid_ct"), ("persons", "phone_ct"), ("persons", "nid_bidx")]
)


@given(principals, fields)
def test_the_policy_opens_a_closed_value_only_to_who_sees_sensitive(
    p: Principal, where: tuple[str, str]
) -> None:
    table, name = where
    kind = catalogue.kind(table)
    assert kind is not None
    level = kind.sensitivity_of(name.removesuffix("_ct").removesuffix("_bidx"))
    shown = policy.sees_field(p, table, name)
    assert shown == (level < Sensitivity.SPECIAL or p.sees_sensitive)
    masked, names = policy.mask(p, table, {name: "canary"})
    assert (masked[name] == "canary") == shown
    assert (names != []) == (not shown)
    if not policy.sees_kind(p, table):
        assert table in policy.closed_tables(p) and not shown


@given(principals, st.sampled_from([*sorted(catalogue.declarations.RULE_SOURCES), "vacancy"]))
def test_an_explanation_made_of_a_closed_kind_is_closed(p: Principal, rule: str) -> None:
    source = catalogue.declarations.RULE_SOURCES.get(rule)
    shown = policy.sees_value(p, "alerts", "details", {"rule": rule})
    assert shown == (source is None or policy.sees_kind(p, source))
