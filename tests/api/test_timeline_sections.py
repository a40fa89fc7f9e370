"""Every section of the file the catalogue places on the timeline (``RecordKind.timeline``)
appears there, at the start its record states, for whoever may see it; on the auditor's page
it reads as the section's name and the value in words. New sections are covered without an
edit here: the records are made from each resource's own example."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient

from registry.audit.timeline import TimelineEntry, _day, timeline_kinds
from registry.catalogue import KINDS, Sensitivity
from registry.web.person_pages import _declared_entry
from tests.api.helpers import API, new_person, post
from tests.api.route_catalog import extra_resources, generic_body
from tests.factories import World


def _records(client: TestClient, world: World) -> tuple[str, dict[str, dict[str, Any]]]:
    """A person with one record of every timeline section: table → the record as written."""
    person = new_person(client, world, "admin", world.cell_a.id, 771)
    refs = {"persons": person["id"], "cell": str(world.cell_a.id)}
    membership = {
        "person_id": person["id"],
        "party_cell_id": str(world.cell_a.id),
        "admitted_on": "2025-06-01",
        "status": "probationary",
    }
    post(client, world, "admin", "party-memberships", membership)
    tables = {k.table for k in timeline_kinds()}
    made: dict[str, dict[str, Any]] = {}
    for res in extra_resources():
        table = res.model.__tablename__
        if table not in tables:
            continue
        body = generic_body(res.create, refs)
        spec = KINDS[table].timeline
        assert spec is not None
        if body.get(spec.start) is None:  # an example that leaves the start open
            body[spec.start] = "2020-03-01"
        made[table] = post(client, world, "admin", res.path, body)
    return person["id"], made


def test_each_declared_section_is_on_the_timeline_at_its_start(
    client: TestClient, world: World
) -> None:
    pid, made = _records(client, world)
    assert set(made) == {k.table for k in timeline_kinds()}  # every declared one has a route
    r = client.get(f"{API}/persons/{pid}/timeline", headers=world.auth("admin"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    by_kind = {e["kind"]: e for e in items}
    for table, rec in made.items():
        spec = KINDS[table].timeline
        assert spec is not None
        entry = by_kind.get(table)
        assert entry is not None, (table, items)
        assert entry["record_id"] == rec["id"]
        assert entry["start"] == str(_day(rec[spec.start]))
        if spec.summary and rec.get(spec.summary) is not None:
            assert entry["summary"] == str(rec[spec.summary])
    starts = [e["start"] for e in items]
    assert starts == sorted(starts)


def test_a_partial_date_starts_the_period_it_names() -> None:
    assert _day("2004") == dt.date(2004, 1, 1)
    assert _day("2004-03") == dt.date(2004, 3, 1)
    assert _day(dt.date(2004, 3, 5)) == dt.date(2004, 3, 5)
    assert _day("not a date") is None and _day(None) is None


def test_special_sections_are_closed_to_an_auditor_without_purpose(
    client: TestClient, world: World
) -> None:
    pid, _ = _records(client, world)

    def entries(who: str) -> dict[str, dict[str, Any]]:
        r = client.get(f"{API}/persons/{pid}/timeline", headers=world.auth(who))
        assert r.status_code == 200, r.text
        return {e["kind"]: e for e in r.json()["items"] if e["kind"] in KINDS}

    def special(table: str) -> bool:
        return KINDS[table].sensitivity >= Sensitivity.SPECIAL

    admin, auditor = entries("admin"), entries("auditor")
    assert any(special(t) and e["summary"] for t, e in admin.items())
    assert not [e for t, e in auditor.items() if special(t) and e["summary"]]
    ordinary = {t: e for t, e in admin.items() if not special(t)}
    assert ordinary and all(auditor[t] == e for t, e in ordinary.items())


def test_the_page_names_a_section_and_its_value_in_words() -> None:
    kind = KINDS["organisation_memberships"]
    entry = TimelineEntry(
        start=dt.date(2008, 7, 1),
        kind=kind.table,
        summary="cong_doan",
        record_type=kind.table,
    )
    shown = _declared_entry(entry, kind, "vi")
    assert shown == {
        "start": "01/07/2008",
        "end": "",
        "what": "Tham gia tổ chức chính trị - xã hội",
        "summary": "Công đoàn Việt Nam",
    }
