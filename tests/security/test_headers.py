"""Security headers on every answer: every route of the application (walked from
``app.routes``, so a new route is covered without editing this test), signed in and not,
plus static files, 404s, 405s, refusals of the hygiene and a 500."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from tests.factories import World
from tests.web.conftest import sign_in

REQUIRED = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}
# Each directive, or a stricter one that implies it.
CSP_MUST = {
    "frame-ancestors": {"'none'"},
    "base-uri": {"'none'"},
    "form-action": {"'self'", "'none'"},
}


def flat_routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Every route with its full path; included routers are walked into."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from flat_routes(inner.routes, prefix + route.include_context.prefix)
        else:
            yield prefix + getattr(route, "path", ""), route


def calls(app: FastAPI) -> list[tuple[str, str]]:
    found = []
    for path, route in flat_routes(app.routes):
        url = path
        for name in ("obj_id", "person_id", "alert_id", "document_id", "key", "run_id"):
            url = url.replace("{" + name + "}", str(uuid.uuid4()) if name != "key" else "x")
        url = url.split("{")[0] + ("x" if "{" in url else "")
        for method in sorted(getattr(route, "methods", None) or {"GET"}):
            if method != "HEAD":
                found.append((method, url))
    return found


def check(r: Response, where: str) -> None:
    for name, value in REQUIRED.items():
        assert r.headers.get(name) == value, (where, r.status_code, name, r.headers.get(name))
    csp = r.headers.get("content-security-policy")
    assert csp, (where, r.status_code, "no CSP")
    directives = {d.split()[0]: set(d.split()[1:]) for d in csp.split(";") if d.strip()}
    none_default = directives.get("default-src") == {"'none'"}
    for directive, allowed in CSP_MUST.items():
        got = directives.get(directive)
        assert got is not None and got <= allowed, (where, directive, csp)
    assert directives.get("object-src") == {"'none'"} or none_default, (where, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (where, csp)
    assert "*" not in csp and "http:" not in csp and "https:" not in csp, (where, csp)


@pytest.fixture
def app(
    page_settings: Settings, sessions: sessionmaker[Session], keys: StaticKeyProvider
) -> FastAPI:
    app = create_app(page_settings, sessions=sessions, keys=keys)

    @app.get("/test-boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    return app


def test_every_route_answers_with_the_security_headers(app: FastAPI, world: World) -> None:
    routes = calls(app)
    assert len(routes) > 100  # the walk found the routes (not an empty list that passes)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        for method, url in routes:
            check(client.request(method, url), f"{method} {url} anonymous")
            if url.startswith("/api"):
                r = client.request(method, url, headers=world.auth("admin"))
                check(r, f"{method} {url} admin")
        assert sign_in(client, "admin").status_code == 303
        for method, url in routes:
            if not url.startswith("/api"):
                check(client.request(method, url), f"{method} {url} signed in")


def test_pages_static_errors_and_500s_carry_the_headers(app: FastAPI, world: World) -> None:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        answers = {
            "static": client.get("/static/style.css"),
            "missing static": client.get("/static/nope.css"),
            "404 api": client.get("/api/v1/nope"),
            "404 page": client.get("/nope"),
            "405": client.put("/login"),
            "hygiene 422": client.get("/api/v1/persons?q=%00"),
            "hygiene 415": client.post("/api/v1/persons", content=b"x"),
            "openapi": client.get("/openapi.json"),
            "docs": client.get("/docs"),
            "500": client.get("/test-boom"),
        }
        assert answers["static"].status_code == 200
        assert answers["500"].status_code == 500
        assert sign_in(client, "admin").status_code == 303
        answers["signed-in page"] = client.get("/alerts")
        assert answers["signed-in page"].status_code == 200
    for where, r in answers.items():
        check(r, where)


def test_a_check_that_can_fail() -> None:
    """The check refuses what it must: a loose policy and a missing header."""
    loose = Response(200, headers={**REQUIRED, "content-security-policy": "default-src *"})
    with pytest.raises(AssertionError):
        check(loose, "loose")
    missing = Response(200, headers={"content-security-policy": "default-src 'none'"})
    with pytest.raises(AssertionError):
        check(missing, "missing")
