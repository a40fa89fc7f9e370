"""Correcting a record already in the file through its form: every record form opens on each
of its records from the file page, shows what is recorded, changes only what is typed
differently (with the reason in the history), keeps fixed what the API's update model does
not change, and refuses a stale form, an emptied required box or a form with no change,
writing nothing."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.history import RecordVersion
from registry.web.form_specs import FORMS, editable_fields, resource
from tests.api.route_catalog import generic_body
from tests.factories import World
from tests.web.conftest import csrf_of, sign_in

# The box each form's test changes, and the new text: an editable, optional box.
CHANGE = {
    "trainings": ("institution", "Học viện Cán bộ, lớp đính chính"),
    "qualifications": ("major", "Luật hiến pháp (đính chính)"),
    "evaluations": ("task_points", "41"),
    "commendations": ("decision_no", "88-QĐ/ĐU"),
    "disciplines": ("decision_no", "77-QĐ/UBKT"),
    "assignments": ("decision_no", "66-QĐ/ĐU"),
}


def _hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found, name
    return html.unescape(found.group(1))


def _value(page: str, name: str) -> str:
    found = re.search(rf'id="in-{name}"[^>]*value="([^"]*)"', page)
    if found:
        return html.unescape(found.group(1))
    found = re.search(rf'<textarea id="in-{name}"[^>]*>([^<]*)<', page)
    if found:
        return html.unescape(found.group(1))
    found = re.search(rf'<select id="in-{name}".*?</select>', page, re.S)
    assert found, name
    chosen = re.search(r'<option value="([^"]*)" selected', found.group(0))
    return html.unescape(chosen.group(1)) if chosen else ""


def _make(web: TestClient, world: World, key: str) -> dict[str, Any]:
    """One record of the form's kind in person a's file, made through the API."""
    res = resource(FORMS[key].table)
    refs = {
        "persons": str(world.persons["a"].id),
        "positions": str(world.positions["cell_a_secretary"].id),
        "cell": str(world.cell_a.id),
    }
    body = generic_body(res.create, refs)
    if key == "evaluations":
        body |= {"period": "2024", "general_points": 25, "task_points": 50}
        body.pop("override_classification", None)
        body.pop("override_reason", None)
    if key == "assignments":
        body |= {"valid_from": "2019-01-01", "valid_to": "2019-12-31", "kind": "appointment"}
        body["decision_date"] = "2018-12-20"
    r = web.post(f"/api/v1/{res.path}", json=body, headers=world.auth("admin"))
    assert r.status_code == 201, (key, r.text)
    made: dict[str, Any] = r.json()
    return made


def test_every_form_has_a_box_changed_here() -> None:
    assert set(CHANGE) == set(FORMS)
    for key, (name, _) in CHANGE.items():
        assert name in editable_fields(FORMS[key]), key


@pytest.mark.parametrize("key", sorted(FORMS))
def test_a_record_is_corrected_through_its_form(
    web: TestClient, session: Session, world: World, key: str
) -> None:
    rec = _make(web, world, key)
    person = world.persons["a"]
    sign_in(web, "admin")
    page = web.get(f"/persons/{person.id}")
    link = f"/persons/{person.id}/{key}/{rec['id']}/edit"
    assert page.status_code == 200 and f'href="{link}"' in page.text
    form = web.get(link)
    assert form.status_code == 200, form.text
    spec = FORMS[key]
    editable = editable_fields(spec)
    shown = {i.name: _value(form.text, i.name) for i in spec.inputs}
    for name, value in shown.items():  # what is recorded, as the form shows it
        recorded = rec.get(name)
        assert value == ("" if recorded is None else str(recorded)), (name, value, recorded)
    for i in spec.inputs:
        disabled = re.search(rf'id="in-{i.name}"[^>]*disabled', form.text) is not None
        assert disabled == (i.name not in editable), i.name
    base = {"csrf": csrf_of(form), "etag": _hidden(form.text, "etag")} | {
        n: v for n, v in shown.items() if n in editable
    }
    target = f"/persons/{person.id}/{key}/{rec['id']}"
    versions = sa.select(sa.func.count()).select_from(RecordVersion)
    before = session.scalar(versions)

    unchanged = web.post(target, data=base | {"reason": "Không đổi"})
    assert unchanged.status_code == 422 and "Chưa có nội dung nào thay đổi" in unchanged.text
    name, new = CHANGE[key]
    assert shown[name] != new  # the change is a change
    stale = web.post(target, data=base | {name: new, "reason": "x", "etag": '"0"'})
    assert stale.status_code == 422 and 'id="error-etag"' in stale.text
    assert new in stale.text  # the typed text comes back
    required = next((i.name for i in spec.inputs if i.required and i.name in editable), None)
    if required is not None:
        emptied = web.post(target, data=base | {required: "", "reason": "x"})
        assert emptied.status_code == 422 and f'id="error-{required}"' in emptied.text
    session.expire_all()
    assert session.scalar(versions) == before  # nothing was written

    fixed = next((i.name for i in spec.inputs if i.name not in editable), None)
    sent = base | {name: new, "reason": "Đính chính theo hồ sơ gốc"}
    if fixed is not None:
        sent[fixed] = "tampered"  # a fixed box is never taken from the form
    saved = web.post(target, data=sent)
    assert saved.status_code == 303, saved.text
    api = web.get(f"/api/v1/{resource(spec.table).path}/{rec['id']}", headers=world.auth("admin"))
    after = api.json()
    assert str(after[name]) == new
    for other, value in rec.items():
        # Derived from what changed: an evaluation's class follows its points.
        if other not in {name, "updated_at", "version", "derived_classification", "classification"}:
            assert after.get(other) == value, other
    session.expire_all()
    latest = session.scalars(
        sa.select(RecordVersion)
        .where(RecordVersion.table_name == spec.table)
        .order_by(RecordVersion.seq.desc())
    ).first()
    assert latest is not None and latest.reason == "Đính chính theo hồ sơ gốc"
    assert latest.actor == "user:admin"


def test_an_auditor_gets_no_edit_link_and_no_form(web: TestClient, world: World) -> None:
    rec = _make(web, world, "trainings")
    person = world.persons["a"]
    sign_in(web, "auditor")
    page = web.get(f"/persons/{person.id}")
    assert page.status_code == 200 and "/edit" not in page.text
    assert web.get(f"/persons/{person.id}/trainings/{rec['id']}/edit").status_code == 403


def test_a_record_of_another_file_is_not_found(web: TestClient, world: World) -> None:
    rec = _make(web, world, "trainings")
    other = world.persons["b"]
    sign_in(web, "admin")
    assert web.get(f"/persons/{other.id}/trainings/{rec['id']}/edit").status_code == 404
