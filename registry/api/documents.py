"""Documents attached to any record of a file; content is encrypted at rest."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from registry.access import policy
from registry.access.scope import get_visible
from registry.api.crud import etag_of
from registry.api.deps import CtxDep, ServicesDep, SessionDep
from registry.audit.service import log_read
from registry.documents.models import Document
from registry.documents.service import attach_document
from registry.errors import Forbidden, Invalid
from schemas.documents import DocumentRead

router = APIRouter(tags=["documents"])


@router.post(
    "/documents",
    response_model=DocumentRead,
    status_code=status.HTTP_201_CREATED,
    summary="Attach a file (raw body; Content-Type is its media type)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
                "image/jpeg": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
async def upload(
    request: Request,
    svc: ServicesDep,
    session: SessionDep,
    ctx: CtxDep,
    owner_table: Annotated[str, Query(max_length=64)],
    owner_id: uuid.UUID,
    filename: Annotated[str, Query(max_length=200)],
    content_type: Annotated[str, Header()] = "application/octet-stream",
) -> Any:
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
        doc = attach_document(
            session,
            ctx,
            svc.documents,
            owner_table=owner_table,
            owner_id=owner_id,
            filename=filename,
            media_type=content_type.split(";")[0].strip().lower(),
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


@router.get("/documents/{document_id}/content", summary="Document content", response_class=Response)
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
    return Response(
        body,
        media_type=doc.media_type,
        headers={"ETag": f'"{doc.sha256}"', "Cache-Control": "no-store"},
    )
