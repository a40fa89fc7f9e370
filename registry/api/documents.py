"""Documents attached to any record of a file; content is encrypted at rest."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Header, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from registry.access import policy
from registry.access.scope import get_visible
from registry.api.crud import etag_of
from registry.api.deps import CtxDep, ServicesDep, SessionDep
from registry.audit.service import log_read
from registry.documents.models import Document
from registry.documents.service import OWNER_TABLES, attach_document
from registry.errors import FieldIssue, Forbidden, Invalid, RegistryError
from schemas.documents import DocumentRead

router = APIRouter(tags=["documents"])


class UnsupportedMediaType(RegistryError):
    status_code = 415
    code = "unsupported_media_type"


# What a personnel file's documents may be, and how each begins: a file that does not begin
# as its type says is refused, so nobody stores an HTML page under a PDF's name.
_ZIP = b"PK\x03\x04"  # DOCX, XLSX and ODT are zip containers
MEDIA_TYPES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (_ZIP,),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (_ZIP,),
    "application/vnd.oasis.opendocument.text": (_ZIP,),
    "application/vnd.oasis.opendocument.spreadsheet": (_ZIP,),
}
_BINARY = {"schema": {"type": "string", "format": "binary"}}
_OWNERS = "^(" + "|".join(OWNER_TABLES) + ")$"


def _media_type(content_type: str) -> str:
    media = content_type.split(";")[0].strip().lower()
    if media not in MEDIA_TYPES:
        raise UnsupportedMediaType(
            f"documents may be {', '.join(sorted(MEDIA_TYPES))}",
            issues=[FieldIssue("header.content-type", "is not an allowed document type")],
        )
    return media


def _check_signature(media: str, content: bytes) -> None:
    if not content:
        raise Invalid.field("body", "is empty")
    if not content.startswith(MEDIA_TYPES[media]):
        raise Invalid.field("body", f"does not begin as a {media} file does")


def content_disposition(filename: str) -> str:
    """``attachment`` with the name twice (RFC 6266): an ASCII fallback for old clients and
    the UTF-8 name percent-encoded (``filename*``) for Vietnamese names."""
    plain = filename.replace("đ", "d").replace("Đ", "D")
    fallback = unicodedata.normalize("NFKD", plain).encode("ascii", "ignore").decode()
    fallback = re.sub(r"[^A-Za-z0-9._ -]", "_", fallback).strip() or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.post(
    "/documents",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file (raw body; Content-Type is its media type)",
    openapi_extra={
        "requestBody": {"required": True, "content": dict.fromkeys(MEDIA_TYPES, _BINARY)}
    },
)
async def upload(
    request: Request,
    svc: ServicesDep,
    session: SessionDep,
    ctx: CtxDep,
    owner_table: Annotated[str, Query(pattern=_OWNERS, description="the record's kind")],
    owner_id: uuid.UUID,
    filename: Annotated[str, Query(min_length=1, max_length=200)],
    content_type: Annotated[str, Header(include_in_schema=False)] = "application/octet-stream",
) -> Any:
    media = _media_type(content_type)
    if not policy.sees_document(ctx.principal, owner_table):
        raise Forbidden(f"documents of {owner_table} are not open to role {ctx.principal.role}")
    limit = svc.settings.max_document_bytes
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Invalid.field("body", f"larger than {limit} bytes")
        chunks.append(chunk)

    def store() -> DocumentRead:
        _check_signature(media, b"".join(chunks))
        doc = attach_document(
            session,
            ctx,
            svc.documents,
            owner_table=owner_table,
            owner_id=owner_id,
            filename=filename,
            media_type=media,
            content=b"".join(chunks),
        )
        session.commit()
        return DocumentRead.model_validate(doc)

    return await run_in_threadpool(store)


@router.get("/documents/{document_id}", response_model=DocumentRead, summary="Document metadata")
def read(document_id: uuid.UUID, session: SessionDep, ctx: CtxDep, response: Response) -> Any:
    doc = get_visible(session, Document, document_id, ctx.principal)
    if not policy.sees_document(ctx.principal, doc.owner_table):
        raise Forbidden(f"documents of {doc.owner_table} are not open to role {ctx.principal.role}")
    response.headers["ETag"] = etag_of(doc)
    return doc


@router.get(
    "/documents/{document_id}/content",
    summary="Document content (a download: attachment, never rendered)",
    response_class=Response,
    responses={
        200: {
            "description": "the file, as an attachment",
            "content": dict.fromkeys([*MEDIA_TYPES, "application/octet-stream"], _BINARY),
            "headers": {
                "Content-Disposition": {
                    "description": "attachment; filename (ASCII) and filename* (UTF-8)",
                    "required": True,
                    "schema": {"type": "string"},
                },
                "X-Content-Type-Options": {
                    "required": True,
                    "schema": {"type": "string", "enum": ["nosniff"]},
                },
            },
        }
    },
)
def content(document_id: uuid.UUID, session: SessionDep, ctx: CtxDep, svc: ServicesDep) -> Response:
    if not ctx.principal.sees_sensitive:
        raise Forbidden(
            "a document's content is personal data: state a purpose (X-Purpose) to open it"
            if ctx.principal.role == "auditor"
            else f"a document's content is not open to role {ctx.principal.role}"
        )
    doc = get_visible(session, Document, document_id, ctx.principal)
    body = svc.documents.get(doc.sha256)
    log_read(
        session,
        ctx,
        action="documents.content",
        object_type="documents",
        object_ids=[str(doc.id)],
        fields=["content"],
    )
    session.commit()  # the read is on record before anyone sees the data
    # A legacy document of a type no longer allowed is served as bytes, never rendered.
    media = doc.media_type if doc.media_type in MEDIA_TYPES else "application/octet-stream"
    return Response(
        body,
        media_type=media,
        headers={
            "ETag": f'"{doc.sha256}"',
            "Cache-Control": "no-store",
            "Content-Disposition": content_disposition(doc.filename),
            "X-Content-Type-Options": "nosniff",
        },
    )
