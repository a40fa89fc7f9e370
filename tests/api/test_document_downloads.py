"""Documents are files that are safe to open: an allow-list of media types checked against
the file's first bytes at upload, and downloads served as attachments that no browser
renders or sniffs."""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import unquote

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.api.documents import MEDIA_TYPES, content_disposition
from registry.documents.models import Document
from tests.api.helpers import API, assert_error, issue_fields
from tests.factories import World

PDF = b"%PDF-1.4\nquyet dinh\n%%EOF"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16


def upload(client: TestClient, world: World, content: bytes, media: str, filename: str) -> Any:
    return client.post(
        f"{API}/documents",
        params={
            "owner_table": "persons",
            "owner_id": str(world.persons["a"].id),
            "filename": filename,
        },
        content=content,
        headers=world.auth("officer_a") | {"Content-Type": media},
    )


def test_a_download_is_an_attachment_with_its_vietnamese_name(
    client: TestClient, world: World
) -> None:
    name = "Quyết định bổ nhiệm Nguyễn Thị Hà.pdf"
    r = upload(client, world, PDF, "application/pdf", name)
    assert r.status_code == 201, r.text
    got = client.get(f"{API}/documents/{r.json()['id']}/content", headers=world.auth("officer_a"))
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["x-content-type-options"] == "nosniff"
    assert got.headers["content-type"].startswith("application/pdf")
    disposition = got.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert unquote(encoded) == name
    assert 'filename="Quyet dinh bo nhiem Nguyen Thi Ha.pdf"' in disposition


@pytest.mark.parametrize(
    "media", ["text/html", "image/svg+xml", "application/javascript", "application/octet-stream"]
)
def test_types_outside_the_allow_list_are_refused_at_upload(
    client: TestClient, world: World, session: Session, media: str
) -> None:
    before = session.scalar(sa.select(sa.func.count()).select_from(Document))
    r = upload(client, world, b"<script>alert(1)</script>", media, "x.pdf")
    assert_error(r, 415, "unsupported_media_type")
    assert issue_fields(r) == {"header.content-type"}
    assert session.scalar(sa.select(sa.func.count()).select_from(Document)) == before


def test_a_file_that_does_not_begin_as_its_type_is_refused(
    client: TestClient, world: World
) -> None:
    r = upload(client, world, b"<html><body>not a pdf</body></html>", "application/pdf", "x.pdf")
    assert_error(r, 422, "invalid")
    assert issue_fields(r) == {"body"}
    assert upload(client, world, PNG, "image/png", "anh.png").status_code == 201


def test_a_legacy_document_of_another_type_is_served_as_bytes(
    client: TestClient, world: World, session: Session
) -> None:
    r = upload(client, world, PDF, "application/pdf", "cu.pdf")
    doc = session.get(Document, uuid.UUID(r.json()["id"]))
    assert doc is not None
    session.execute(sa.update(Document).where(Document.id == doc.id).values(media_type="text/html"))
    session.commit()
    got = client.get(f"{API}/documents/{doc.id}/content", headers=world.auth("officer_a"))
    assert got.headers["content-type"] == "application/octet-stream"
    assert got.headers["x-content-type-options"] == "nosniff"


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=200))
def test_the_disposition_of_any_name_is_one_safe_header_that_gives_the_name_back(name: str) -> None:
    value = content_disposition(name)
    assert value.isascii() and "\r" not in value and "\n" not in value
    assert value.startswith('attachment; filename="')
    fallback = value.split('filename="', 1)[1].split('"', 1)[0]
    assert '"' not in fallback and "\\" not in fallback and fallback
    assert unquote(value.split("filename*=UTF-8''", 1)[1]) == name


def test_the_document_lists_exactly_the_allowed_types(client: TestClient) -> None:
    op = client.get("/openapi.json").json()["paths"][f"{API}/documents"]["post"]
    assert set(op["requestBody"]["content"]) == set(MEDIA_TYPES)
    assert "415" in op["responses"]
