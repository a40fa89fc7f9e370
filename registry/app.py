"""The FastAPI application factory."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from starlette.types import ASGIApp

from registry.api import alerts, audit, corps, documents, errors, health, openapi, party, persons
from registry.api.deps import AppServices, RateLimiter
from registry.api.resources import build_router
from registry.config import Settings
from registry.crypto import FieldCipher, KeyProvider, LocalFileKeyProvider
from registry.db import make_engine, make_sessionmaker
from registry.documents.store import DocumentStore
from registry.runtime import audit_config
from registry.security.headers import SecurityHeaders
from registry.security.hygiene import InputHygiene
from registry.security.request_ids import RequestIds
from registry.security.shield import ErrorShield
from registry.web.errors import track_sessions
from registry.web.mount import mount_pages
from registry.wiring import install
from sync import api as sync
from sync import pages as sync_pages

DESCRIPTION = """
Registry of cadre and party-member personnel files for a ward (phường).

Every call needs `Authorization: Bearer <token>` (`cadre token create`). Changes to existing
records need `If-Match` (the ETag you read) and `X-Change-Reason` (kept in the history).
Nothing is physically deleted: DELETE retires a record. Errors share one body shape.
"""


class RegistryApp(FastAPI):
    """FastAPI with the security headers outside everything, Starlette's own error middleware
    included (a 500 carries them too), and no exception handed on to the server (whose log
    would print its message)."""

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(ErrorShield(super().build_middleware_stack()))


def create_app(
    settings: Settings,
    *,
    sessions: sessionmaker[Session] | None = None,
    keys: KeyProvider | None = None,
) -> FastAPI:
    if sessions is None:
        sessions = make_sessionmaker(make_engine(settings.resolved_database_url()))
    install()
    track_sessions(sessions)  # a page refusal ends the request's transaction before it is logged
    provider = keys or LocalFileKeyProvider(settings.keys_dir)
    cipher = FieldCipher(provider)
    app = RegistryApp(title="Cadre registry", version="0.1.0", description=DESCRIPTION)
    app.state.services = AppServices(
        settings=settings,
        sessions=sessions,
        cipher=cipher,
        documents=DocumentStore(settings.documents_dir, cipher),
        nid_lookups=RateLimiter(settings.nid_lookups_per_minute),
        audit=audit_config(settings, provider),
    )
    errors.install(app)
    # Added first, so it runs inside the request-id middleware and its refusals carry the id.
    app.add_middleware(InputHygiene)

    app.add_middleware(RequestIds)  # outside it: every answer carries the id

    app.include_router(health.router)
    app.include_router(sync.metrics_router)
    routers = (
        audit.router,
        persons.router,
        party.router,
        documents.router,
        sync.router,
        alerts.router,
        corps.router,
    )
    for router in (*routers, build_router()):
        app.include_router(router, prefix="/api/v1")
    mount_pages(app, settings)
    openapi.install(app)
    app.include_router(sync_pages.router)
    return app
