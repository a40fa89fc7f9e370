"""Documents (encrypted at rest) and retirement, which keeps the row and its history."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.config import Settings
from registry.history import RecordVersion
from tests.api.helpers import (
    API,
    assert_error,
    changing,
    counts,
    etag,
    issue_fields,
    new_person,
    post,
)
from tests.factories import World

SCAN = b"%PDF-1.4\nQUYET DINH bo nhiem Nguyen Thi Thu Ha, CCCD 031185000001\n%%EOF"


def upload(
    client: TestClient, world: World, content: bytes, filename: str = "qd-bo-nhiem.pdf"
) -> Any:
    return client.post(
        f"{API}/documents",
        params={
            "owner_table": "persons",
            "owner_id": str(world.persons["a"].id),
            "filename": filename,
        },
        content=content,
        headers=world.auth("officer_a") | {"Content-Type": "application/pdf"},
    )


def test_document_round_trip_is_encrypted_on_disk(
    client: TestClient, world: World, settings: Settings
) -> None:
    r = upload(client, world, SCAN)
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["sha256"] == hashlib.sha256(SCAN).hexdigest() and doc["size"] == len(SCAN)
    got = client.get(f"{API}/documents/{doc['id']}/content", headers=world.auth("officer_a"))
    assert got.status_code == 200 and got.content == SCAN
    assert got.headers["content-type"].startswith("application/pdf")
    stored = list(settings.documents_dir.rglob(doc["sha256"]))
    assert len(stored) == 1
    raw = stored[0].read_bytes()
    assert raw and raw != SCAN
    for piece in (SCAN, b"QUYET DINH", b"031185000001", b"Nguyen Thi"):
        assert piece not in raw
    meta = client.get(f"{API}/documents/{doc['id']}", headers=world.auth("auditor"))
    assert meta.status_code == 200 and meta.json()["filename"] == "qd-bo-nhiem.pdf"


def test_bad_uploads_are_refused(
    client: TestClient, world: World, settings: Settings, session: Session
) -> None:
    before = counts(session)
    assert_error(upload(client, world, b""), 422)
    assert "query.filename" in issue_fields(upload(client, world, SCAN, "../../etc/passwd"))
    settings.max_document_bytes = 16
    assert_error(upload(client, world, SCAN), 422)
    assert counts(session) == before
    assert not list(settings.documents_dir.rglob("*")) or all(
        p.is_dir() for p in settings.documents_dir.rglob("*")
    )


def versions(session: Session, row_id: str) -> list[RecordVersion]:
    stmt = sa.select(RecordVersion).where(RecordVersion.row_id == uuid.UUID(row_id))
    return list(session.scalars(stmt.order_by(RecordVersion.seq)))


def new_record(client: TestClient, world: World, path: str) -> str:
    if path == "persons":
        return str(new_person(client, world, "officer_a", world.cell_a.id, 300)["id"])
    body = {
        "person_id": str(world.persons["a"].id),
        "position_id": str(world.positions["cell_a_secretary"].id),
        "kind": "appointment",
        "valid_from": "2024-01-01",
    }
    return str(post(client, world, "officer_a", path, body)["id"])


@pytest.mark.parametrize("path", ["assignments", "persons"])
def test_delete_retires_and_keeps_the_row_and_its_history(
    client: TestClient, world: World, session: Session, path: str
) -> None:
    rid = new_record(client, world, path)
    tag = etag(client, world, f"{path}/{rid}", "officer_a")
    assert_error(
        client.delete(f"{API}/{path}/{rid}", headers=world.auth("officer_a") | {"If-Match": tag}),
        422,
    )
    r = client.delete(
        f"{API}/{path}/{rid}", headers=changing(world, "officer_a", tag, "nghỉ hưu theo QĐ 45")
    )
    assert r.status_code == 200, r.text
    assert r.json()["retired_at"] is not None
    again = client.get(f"{API}/{path}/{rid}", headers=world.auth("officer_a"))
    assert again.status_code == 200 and again.json()["retired_at"] is not None
    listed = client.get(f"{API}/{path}", headers=world.auth("officer_a")).json()["items"]
    assert rid not in {i["id"] for i in listed}
    with_retired = client.get(
        f"{API}/{path}", params={"include_retired": "true"}, headers=world.auth("officer_a")
    )
    assert rid in {i["id"] for i in with_retired.json()["items"]}
    assert_error(
        client.delete(
            f"{API}/{path}/{rid}", headers=changing(world, "officer_a", r.headers["etag"])
        ),
        409,
    )
    history = versions(session, rid)
    assert [v.op for v in history] == ["insert", "retire"]
    assert history[-1].reason == "nghỉ hưu theo QĐ 45"
    assert history[-1].data["retired_at"] is not None
    event = session.scalars(
        sa.select(AuditEvent).where(
            AuditEvent.object_id == rid, AuditEvent.action.endswith(".retire")
        )
    ).one()
    assert event.org_scope == str(world.cell_a.id)


def test_document_content_needs_a_role_that_sees_personal_data(
    client: TestClient, world: World
) -> None:
    doc = upload(client, world, SCAN).json()
    url = f"{API}/documents/{doc['id']}/content"
    for who in ("auditor", "service"):
        r = client.get(url, headers=world.auth(who))
        assert r.status_code == 403 and SCAN not in r.content, who
        assert (
            client.get(f"{API}/documents/{doc['id']}", headers=world.auth(who)).status_code == 200
        )
    stated = world.auth("auditor") | {"X-Purpose": "thanh tra theo QD 12/QD-UBKT"}
    got = client.get(url, headers=stated)
    assert got.status_code == 200 and got.content == SCAN


def test_a_document_of_a_discipline_is_as_closed_as_the_discipline(
    client: TestClient, world: World
) -> None:
    pid = str(world.persons["a"].id)
    officer = world.auth("officer_a")
    discipline = client.post(
        f"{API}/disciplines",
        headers=officer,
        json={
            "person_id": pid,
            "authority": "party",
            "form": "reprimand",
            "decided_on": "2025-02-10",
            "effective_from": "2025-02-10",
        },
    ).json()["id"]
    r = client.post(
        f"{API}/documents",
        params={"owner_table": "disciplines", "owner_id": discipline, "filename": "qd-kl.pdf"},
        content=SCAN,
        headers=officer | {"Content-Type": "application/pdf"},
    )
    assert r.status_code == 201, r.text
    doc = r.json()["id"]
    assert client.get(f"{API}/documents/{doc}", headers=officer).status_code == 200
    for who in ("service", "auditor"):
        assert client.get(f"{API}/documents/{doc}", headers=world.auth(who)).status_code == 403
        file = client.get(f"{API}/persons/{pid}", headers=world.auth(who)).text
        assert doc not in file and "qd-kl.pdf" not in file
    refused = client.post(
        f"{API}/documents",
        params={"owner_table": "disciplines", "owner_id": discipline, "filename": "x.pdf"},
        content=SCAN,
        headers=world.auth("service") | {"Content-Type": "application/pdf"},
    )
    assert refused.status_code == 403
