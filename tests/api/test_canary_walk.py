"""The read policy, proved by canaries: every sensitive value of one person is unique, every
GET route of the API and every page is read by every kind of caller, and no answer may carry
a value its caller may not see.

The callers: a registry-wide administrator, an administrator of another unit, an officer in
and one out of the person's scope, an auditor with and one without a stated purpose, a service
token; for pages, signed-in users of the same kinds. The routes come from ``app.openapi()``
and the app's page routes; a new route is walked without editing this file, and a required
parameter the walk cannot fill fails it loudly. What is planted comes from the catalogue
(``tests/api/canary.py``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from registry import catalogue
from registry.app import create_app
from registry.catalogue import KINDS, sensitive_fields, sensitive_tables
from registry.config import Settings
from registry.crypto import FieldCipher, StaticKeyProvider
from registry.dates import today
from tests.api.canary import (
    API_PRINCIPALS,
    PAGE_PRINCIPALS,
    PASSWORD,
    PURPOSE,
    Access,
    CanaryRegistry,
    build,
    credentials,
    page_users,
    principals,
)
from tests.api.canary_match import Leak, leaks_in
from tests.api.helpers import API, assert_error
from tests.factories import World
from tests.web.conftest import sign_in

# Path parameters → which of the canary's ids fill them (``obj_id`` is the route's resource).
PATH_IDS = {
    "person_id": "persons",
    "position_id": "positions",
    "document_id": "documents",
    "alert_id": "alerts",
    "membership_id": "party-memberships",
}
NOT_PAGES = ("/openapi.json", "/docs", "/docs/init.js", "/docs/oauth2-redirect", "/redoc")


def path_values() -> dict[str, list[str]]:
    """Path parameters that are not ids: the record forms of the pages (``{key}``) and the
    alert actions whose POST address, opened as a page, leads back to the alert."""
    from registry.web.form_specs import FORMS

    return {"key": sorted(FORMS), "action": ["acknowledge", "assign", "waive", "comment"]}


@dataclass(frozen=True)
class Read:
    template: str
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    required_query: tuple[str, ...]
    page: bool = False

    @property
    def resource(self) -> str:
        return self.template.removeprefix(f"{API}/").split("/")[0]

    @property
    def route(self) -> str:
        return f"GET {self.template}"


def api_reads(app: FastAPI) -> list[Read]:
    out = []
    for template, item in app.openapi()["paths"].items():
        op = item.get("get")
        if op is None:
            continue
        params = op.get("parameters", [])
        query = [p for p in params if p["in"] == "query"]
        out.append(
            Read(
                template,
                tuple(p["name"] for p in params if p["in"] == "path"),
                tuple(p["name"] for p in query),
                tuple(p["name"] for p in query if p.get("required")),
            )
        )
    return out


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for r in routes:
        inner = getattr(r, "original_router", None)  # FastAPI's included router
        if inner is not None:
            yield from _routes(inner.routes, prefix + (r.include_context.prefix or ""))
        else:
            yield prefix + getattr(r, "path", ""), r


def page_reads(app: FastAPI) -> list[Read]:
    """The GET routes outside the OpenAPI document: the review pages."""
    out = []
    for path, r in _routes(app.routes):
        if not isinstance(r, APIRoute) or r.include_in_schema or "GET" not in r.methods:
            continue
        if path in NOT_PAGES:
            continue
        query = r.dependant.query_params
        out.append(
            Read(
                path,
                tuple(p.name for p in r.dependant.path_params),
                tuple(p.alias for p in query),
                tuple(p.alias for p in query if p.field_info.is_required()),
                page=True,
            )
        )
    return out


def query_values(reg: CanaryRegistry) -> dict[str, list[str]]:
    """Values of the query parameters that carry or select sensitive data."""
    ids = reg.ids
    return {
        "as_of": [reg.built_to],
        "on": ["2025-09-01", today().isoformat()],
        "person_id": ids["persons"],
        "position_id": ids["positions"],
        "org_unit_id": [reg.unit_id],
        "object": ids["persons"] + ids["disciplines"] + ids["party-memberships"],
        "table": sorted(KINDS),  # every kind: a sensitive fact may sit in another's row
        "party_status": ["official"],
        "nid": [reg.nid],
        "q": ["lo thi ngoc khue"],
        "include_retired": ["true"],
        "near_miss": ["true"],
        "from": [reg.built_from],
        "to": [reg.built_to],
        "rule": ["appointed_while_ineligible", "no_discipline_in_effect"],
        "status": ["open"],
        # pages
        "lang": ["en"],
        "month": [today().strftime("%Y-%m")],
        "org": ["CB-A"],
        "sort": ["-since", "person"],
    }


def fill(read: Read, reg: CanaryRegistry) -> list[str]:
    """Every path the read can take with the canary's ids (one per id)."""
    paths = [read.template]
    fixed = path_values()
    params = list(read.path_params)
    if "record_id" in params:  # a record of the form's own kind: filled with its {key}
        from registry.web.form_specs import FORMS, resource

        pairs = [(k, resource(FORMS[k].table).path) for k in sorted(FORMS)]
        for key, path in pairs:
            assert reg.ids.get(path), f"{read.route}: no {path} record for {key}"
        paths = [
            p.replace("{key}", key).replace("{record_id}", rid)
            for p in paths
            for key, path in pairs
            for rid in reg.ids[path]
        ]
        params = [q for q in params if q not in ("key", "record_id")]
    for param in params:
        if param in fixed:
            paths = [p.replace(f"{{{param}}}", v) for p in paths for v in fixed[param]]
            continue
        key = read.resource if param == "obj_id" else PATH_IDS.get(param)
        assert key in reg.ids, f"{read.route}: the walk cannot fill path parameter {param}"
        paths = [p.replace(f"{{{param}}}", i) for p in paths for i in reg.ids[key]]
    return paths


def variants(read: Read, reg: CanaryRegistry) -> list[dict[str, str]]:
    values = query_values(reg)
    missing = [q for q in read.required_query if q not in values]
    assert not missing, f"{read.route}: the walk cannot fill required query parameters {missing}"
    base = {q: values[q][0] for q in read.required_query}
    out = [base]
    for q in read.query_params:
        for v in values.get(q, []):
            if base.get(q) != v:
                out.append(base | {q: v})
    return out


@pytest.fixture
def app(settings: Settings, sessions: sessionmaker[Session], keys: StaticKeyProvider) -> FastAPI:
    # Plain HTTP in the test client: the session cookie must not be Secure-only.
    page_settings = settings.model_copy(update={"session_cookie_secure": False})
    return create_app(page_settings, sessions=sessions, keys=keys)


@pytest.fixture
def api(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as c:
        yield c


@pytest.fixture
def reg(api: TestClient, world: World, session: Session, keys: StaticKeyProvider) -> CanaryRegistry:
    principals(session, world)
    return build(api, world, session, FieldCipher(keys))


@pytest.fixture
def pages(
    app: FastAPI, api: TestClient, reg: CanaryRegistry, session: Session, world: World
) -> dict[str, TestClient]:
    """One signed-in browser per page user (the auditor's two share an account)."""
    page_users(session)
    reg.canaries += [c for c in credentials(session, world) if c not in reg.canaries]
    out = {}
    for name, (username, _, _) in PAGE_PRINCIPALS.items():
        c = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        r = sign_in(c, username, PASSWORD)
        assert r.status_code == 303, (username, r.status_code, r.text[:300])
        out[name] = c
    return out


def api_headers(world: World, name: str) -> dict[str, str]:
    token, purpose, _ = API_PRINCIPALS[name]
    headers = world.auth(token)
    if purpose is not None:
        headers["X-Purpose"] = purpose
    return headers


@dataclass
class Walk:
    leaks: list[Leak]
    seen: set[str]  # canaries some allowed caller received (the planting is visible)
    requests: int = 0

    def check(self, read: Read, url: str, who: str, access: Access, r: Any, reg: Any) -> None:
        self.requests += 1
        assert r.status_code < 500, (read.route, url, who, r.status_code, r.text[:500])
        for c, where in leaks_in(r, reg.canaries, url):
            if access.forbids(c):
                self.leaks.append(Leak(read.route, url, who, c, where, r.status_code))
            else:
                self.seen.add(c.what)


def walk_api(api: TestClient, world: World, reg: CanaryRegistry, walk: Walk) -> None:
    for read in api_reads(api.app):  # type: ignore[arg-type]
        for path in fill(read, reg):
            for params in variants(read, reg):
                url = f"{path}?{urlencode(params)}" if params else path
                for who, (_, _, access) in API_PRINCIPALS.items():
                    r = api.get(url, headers=api_headers(world, who))
                    walk.check(read, url, who, access, r, reg)


def walk_pages(
    api: TestClient, pages: dict[str, TestClient], reg: CanaryRegistry, walk: Walk
) -> None:
    reads = page_reads(api.app)  # type: ignore[arg-type]
    assert {"/persons/{person_id}", "/alerts", "/reports/monthly"} <= {r.template for r in reads}
    for read in reads:
        for path in fill(read, reg):
            for params in variants(read, reg):
                for who, (_, purpose, access) in PAGE_PRINCIPALS.items():
                    sent = params | ({"purpose": purpose} if purpose else {})
                    url = f"{path}?{urlencode(sent)}" if sent else path
                    r = pages[who].get(url)
                    walk.check(read, url, who, access, r, reg)


def report(leaks: list[Leak]) -> str:
    by_route: dict[str, list[str]] = defaultdict(list)
    for leak in leaks:
        by_route[leak.route].append(
            f"  [{leak.url}] as {leak.principal} → {leak.status}: "
            f"{leak.canary.what} ({leak.canary.need}) in {leak.where}"
        )
    lines = [f"{len(leaks)} leaks on {len(by_route)} routes"]
    for route in sorted(by_route):
        lines.append(route)
        lines += sorted(set(by_route[route]))
    return "\n".join(lines)


def test_no_answer_carries_a_canary_its_caller_may_not_see(
    api: TestClient, world: World, reg: CanaryRegistry, pages: dict[str, TestClient]
) -> None:
    walk = Walk([], set())
    walk_api(api, world, reg, walk)
    walk_pages(api, pages, reg, walk)
    # The test can fail: every canary reaches somebody allowed to see it, so the values were
    # planted and the matcher finds them.
    assert walk.requests > 7 * len(api_reads(api.app)), walk.requests  # type: ignore[arg-type]
    planted = {c.what for c in reg.canaries if c.need != "never" and c.shown}
    assert planted - walk.seen == set(), f"canaries nobody received: {planted - walk.seen}"
    assert not walk.leaks, report(walk.leaks)


def _hidden_filters(api: TestClient) -> list[tuple[str, str]]:
    """(route, query parameter) of every filter on a field of special class or above: the
    person's sensitive fields by their own names, and the party status of a membership."""
    hidden = set(sensitive_fields("persons")) | {"party_status"}
    return [
        (read.template, q)
        for read in api_reads(api.app)  # type: ignore[arg-type]
        for q in read.query_params
        if q in hidden and not read.path_params
    ]


def test_a_filter_on_a_hidden_field_answers_403_naming_it(
    api: TestClient, world: World, reg: CanaryRegistry
) -> None:
    filters = _hidden_filters(api)
    assert (f"{API}/persons", "party_status") in filters
    values = query_values(reg)
    wrong = []
    for who, (template, q) in (
        (w, f) for w in ("service", "auditor_without_purpose") for f in filters
    ):
        r = api.get(template, params={q: values[q][0]}, headers=api_headers(world, who))
        if who == "service" and catalogue.blind_indexed("persons").get(q):
            # An exact lookup by a number the application supplies stays open to roles that
            # may write files (README, the read policy); the answer keeps the number masked.
            items = r.json().get("items", []) if r.status_code == 200 else None
            if items is None or any(i.get(q) is not None for i in items):
                wrong.append(f"GET {template}?{q}= as {who} → {r.status_code}: {r.text[:200]}")
            continue
        if r.status_code != 403:
            wrong.append(f"GET {template}?{q}= as {who} → {r.status_code}, not 403")
            continue
        err = assert_error(r, 403)
        named = {i["field"] for i in err["issues"]}
        if not any(q in f for f in named) and q not in err["message"]:
            wrong.append(f"GET {template}?{q}= as {who}: 403 does not name {q}: {err}")
    assert not wrong, "\n".join(wrong)


SENTENCE = "Thanh tra việc quản lý hồ sơ cán bộ, đảng viên của phường Lê Chân năm 2026; "


def test_a_purpose_empty_or_too_long_answers_422_and_200_characters_open_the_file(
    api: TestClient, world: World, reg: CanaryRegistry
) -> None:
    """README: ``X-Purpose`` is percent-encoded UTF-8 of at most 200 characters; an empty
    purpose states none (422, not a silently masked answer)."""
    long_vi = (SENTENCE * 3)[:201]
    wrong = []
    for purpose in ("", "   ", quote("   "), quote("x" * 201), quote(long_vi)):
        headers = world.auth("auditor") | {"X-Purpose": purpose}
        for url in (f"{API}/persons/{reg.person_id}", f"{API}/persons", f"{API}/disciplines"):
            r = api.get(url, headers=headers)
            named = r.status_code == 422 and any(
                "x-purpose" in i["field"] for i in r.json()["error"]["issues"]
            )
            if not named:
                wrong.append(
                    f"X-Purpose {purpose[:20]!r}… ({len(purpose)}) on {url} → "
                    f"{r.status_code}, not 422 naming header.x-purpose"
                )
    for purpose in ((SENTENCE * 3)[:200], "ệ" * 200):  # the longest a purpose may be
        headers = world.auth("auditor") | {"X-Purpose": quote(purpose)}
        r = api.get(f"{API}/persons/{reg.person_id}", headers=headers)
        if r.status_code != 200 or r.json().get("nid") != reg.nid:
            wrong.append(
                f"a 200-character purpose ({len(quote(purpose))} encoded) → "
                f"{r.status_code} {r.text[:160]}"
            )
    assert not wrong, "\n".join(wrong)


def test_another_units_history_answers_404_or_nothing(
    api: TestClient, world: World, reg: CanaryRegistry
) -> None:
    pid, post = reg.person_id, reg.ids["positions"][0]
    record_ids = reg.ids["disciplines"] + reg.ids["party-memberships"] + [pid]
    urls = [f"{API}/changes?object={i}" for i in record_ids]
    urls += [f"{API}/changes?table={t}" for t in sorted(sensitive_tables())]
    urls += [
        f"{API}/persons/{pid}/timeline",
        f"{API}/persons/{pid}/timeline?as_of={quote(reg.built_to)}",
        f"{API}/persons/{pid}?as_of={quote(reg.built_to)}",
        f"{API}/positions/{post}/holders?on=2025-09-01&as_of={quote(reg.built_to)}",
        f"{API}/positions/{post}/holders?on=2025-09-01",
        f"{API}/audit/persons/{pid}/export",
    ]
    wrong = []
    for who, url in ((w, u) for w in ("officer_out_of_scope", "admin_elsewhere") for u in urls):
        access = API_PRINCIPALS[who][2]
        r = api.get(url, headers=api_headers(world, who))
        leaked = [c.what for c, _ in leaks_in(r, reg.canaries, url) if access.forbids(c)]
        if r.status_code == 200:
            body = r.json()
            items = body.get("items", body) if isinstance(body, dict) else body
            if items or leaked:
                wrong.append(f"GET {url} as {who} → 200 with data: {sorted(set(leaked))}")
        elif r.status_code not in (403, 404) or leaked:
            wrong.append(f"GET {url} as {who} → {r.status_code} {sorted(set(leaked))}")
    assert not wrong, "\n".join(wrong)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_combination_of_filters_and_instants_keeps_the_policy(
    api: TestClient, world: World, reg: CanaryRegistry, data: st.DataObject
) -> None:
    """Routes × callers × several query parameters at once, with as-of instants anywhere
    in the build (the file as recorded before and after each sensitive write)."""
    read = data.draw(st.sampled_from(api_reads(api.app)), label="route")  # type: ignore[arg-type]
    who = data.draw(st.sampled_from(sorted(API_PRINCIPALS)), label="caller")
    path = data.draw(st.sampled_from(fill(read, reg)), label="path")
    values = query_values(reg)
    start = dt.datetime.fromisoformat(reg.built_from)
    end = dt.datetime.fromisoformat(reg.built_to)
    instants = st.datetimes(
        min_value=start.replace(tzinfo=None), max_value=end.replace(tzinfo=None)
    ).map(lambda d: d.replace(tzinfo=dt.UTC).isoformat())
    params = {q: values[q][0] for q in read.required_query}
    chosen = (
        data.draw(st.sets(st.sampled_from(read.query_params)), label="params")
        if (read.query_params)
        else set()
    )
    for q in sorted(chosen):
        if q in ("as_of", "to", "from"):
            params[q] = data.draw(instants, label=q)
        elif q in values:
            params[q] = data.draw(st.sampled_from(values[q]), label=q)
    url = f"{path}?{urlencode(params)}" if params else path
    r = api.get(url, headers=api_headers(world, who))
    assert r.status_code < 500, (url, who, r.text[:500])
    access = API_PRINCIPALS[who][2]
    leaked = [(c.what, where) for c, where in leaks_in(r, reg.canaries, url) if access.forbids(c)]
    assert not leaked, (read.route, url, who, r.status_code, leaked)


def test_the_walk_reaches_every_route(api: TestClient, reg: CanaryRegistry) -> None:
    """Every GET route of the API and every page is walked with ids it can fill."""
    reads = api_reads(api.app) + page_reads(api.app)  # type: ignore[arg-type]
    assert len(reads) > 40
    for read in reads:
        assert fill(read, reg) and variants(read, reg)
    assert PURPOSE and {"disciplines", "party_memberships"} <= sensitive_tables()
