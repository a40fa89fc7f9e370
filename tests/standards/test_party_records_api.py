"""The party records and the rule parameters over HTTP: who may read and write them, bad
input refused naming the field, every change a recorded version."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.history import RecordVersion
from tests.api.helpers import API, assert_error, changing, etag, issue_fields, post, send
from tests.factories import World, build_world


@pytest.fixture
def world(session: Session, settings: Settings, keys: StaticKeyProvider) -> World:
    return build_world(session, settings, keys)


def _member(client: TestClient, world: World) -> str:
    body = {
        "person_id": str(world.persons["a"].id),
        "party_cell_id": str(world.cell_a.id),
        "admitted_on": "2010-05-19",
        "official_on": "2011-05-19",
        "status": "official",
    }
    return str(post(client, world, "officer_a", "party-memberships", body)["id"])


def test_dues_are_special_category_and_every_change_is_a_version(
    client: TestClient, world: World, session: Session
) -> None:
    _member(client, world)
    person = str(world.persons["a"].id)
    body = {"person_id": person, "month": "2026-03", "amount_vnd": 45000, "paid_on": "2026-03-05"}
    dues = post(client, world, "officer_a", "party-dues-payments", body)
    path = f"party-dues-payments/{dues['id']}"
    r = client.patch(
        f"{API}/{path}",
        json={"amount_vnd": 50000},
        headers=changing(world, "officer_a", etag(client, world, path)),
    )
    assert r.status_code == 200, r.text
    versions = session.scalars(
        sa.select(RecordVersion.data).where(RecordVersion.row_id == uuid.UUID(dues["id"]))
    ).all()
    assert [v["amount_vnd"] for v in versions] == [45000, 50000]
    assert_error(client.get(f"{API}/party-dues-payments", headers=world.auth("service")), 403)
    assert_error(client.get(f"{API}/{path}", headers=world.auth("auditor")), 403)  # no purpose
    other_cell = client.get(f"{API}/{path}", headers=world.auth("officer_b"))
    assert_error(other_cell, 404)


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        (
            "party-dues-payments",
            {"month": "2026-13", "amount_vnd": 1, "paid_on": "2026-01-01"},
            "body.month",
        ),
        (
            "party-dues-payments",
            {"month": "2026-02", "amount_vnd": 0, "paid_on": "2026-03-01"},
            "body.exempt_reason",
        ),
        (
            "party-committee-memberships",
            {
                "level": "chi_bo",
                "role": "uy_vien_thuong_vu",
                "term": "2025-2030",
                "valid_from": "2025-08-01",
            },
            "body.standing_committee",
        ),
        (
            "party-committee-memberships",
            {"level": "tinh", "term": "2025-2030", "valid_from": "2025-08-01"},
            "body.level",
        ),
        (
            "party-transfers",
            {
                "direction": "in",
                "to_cell_id": "CELL",
                "from_cell_id": "CELL",
                "decided_on": "2025-03-02",
            },
            "body.to_cell_id",
        ),
        (
            "party-transfers",
            {
                "direction": "in",
                "from_organisation": "Chi bộ xã An Hòa",
                "to_cell_id": "CELL",
                "decided_on": "2025-03-02",
                "letter_issued_on": "2025-03-01",
            },
            "body.letter_issued_on",
        ),
        ("party-probations", {"outcome": "official"}, "body.decided_on"),
    ],
)
def test_bad_party_records_are_refused_naming_the_field(
    client: TestClient, world: World, path: str, body: dict[str, Any], field: str
) -> None:
    _member(client, world)
    cell = str(world.cell_a.id)
    body = {k: cell if v == "CELL" else v for k, v in body.items()}
    if path == "party-committee-memberships":
        body["committee_id"] = cell
    r = send(client, world, path, body | {"person_id": str(world.persons["a"].id)})
    assert_error(r, 422)
    assert field in issue_fields(r), r.text


def test_a_cell_reconciliation_is_filed_in_scope(client: TestClient, world: World) -> None:
    body = {
        "org_unit_id": str(world.cell_a.id),
        "period": "2026-H1",
        "reconciled_on": "2026-06-20",
        "members_in_register": 31,
        "members_in_files": 30,
        "discrepancies": "Thiếu hồ sơ 01 đảng viên chuyển đến",
    }
    assert post(client, world, "officer_a", "party-register-reconciliations", body)["period"]
    # another cell's unit answers like an unknown one: refused on the field, nothing written
    r = send(client, world, "party-register-reconciliations", body, "officer_b")
    assert r.status_code in (404, 422), r.text
    listed = client.get(f"{API}/party-register-reconciliations", headers=world.auth("admin"))
    assert len(listed.json()["items"]) == 1


def test_rule_parameters_are_read_by_all_and_changed_by_administrators(
    client: TestClient, world: World
) -> None:
    body = {
        "key": "party.probation_months",
        "value": "12",
        "source": "Quy định 232-QĐ/TW",
        "effective_from": "2026-01-01",
    }
    assert_error(send(client, world, "rule-parameters", body, "officer_a"), 403)
    created = post(client, world, "admin", "rule-parameters", body)
    listed = client.get(f"{API}/rule-parameters", headers=world.auth("officer_a"))
    assert created["id"] in listed.text
    assert_error(send(client, world, "rule-parameters", body, "admin"), 409)  # same start
    r = send(client, world, "rule-parameters", body | {"key": "party.nope"}, "admin")
    assert_error(r, 422)
    assert "body.key" in issue_fields(r)


def test_unknown_rank_and_unevaluated_requirement_are_refused(
    client: TestClient, world: World
) -> None:
    r = send(
        client,
        world,
        "positions",
        {"org_unit_id": str(world.office.id), "title": "Kế toán", "required_rank": "06.099"},
        "admin",
    )
    assert_error(r, 422)
    assert "body.required_rank" in issue_fields(r)
    assert "ranks.csv" in r.text
    r = send(
        client,
        world,
        "standard-profiles",
        {
            "code": "X",
            "name": "X",
            "effective_from": "2026-01-01",
            "requirements": {"min_years_in_rank": 3},
        },
        "admin",
    )
    assert_error(r, 422)
    assert any(f.startswith("body.requirements") for f in issue_fields(r))
