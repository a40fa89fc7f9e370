"""Client of the national civil-servant database: pull changes, read one, push one.

Answers are read strictly in the fields the registry uses; fields the contract does not list
are ignored and reported as drift (``adapters.drift``). Statuses become types:
``200``/``201`` a ``Written``; ``409`` ``AlreadyExists``; ``412`` ``VersionConflict``; ``428``
``PreconditionRequired``; ``422`` ``Rejected`` (or ``IdempotencyKeyReused``); ``410`` on paging
``CursorExpired``. Every PUT carries an
Idempotency-Key, so it may be retried after a timeout without writing twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypeVar

import httpx
from pydantic import BaseModel, SecretStr, ValidationError

from adapters.auth import ClientCredentials
from adapters.breaker import BreakerPolicy
from adapters.civil_service import wire
from adapters.clock import SYSTEM_CLOCK, Clock
from adapters.drift import DriftObserver, report, unknown_fields
from adapters.errors import HostileResponse, IdempotencyKeyReused, Issue, Rejected, Unprocessable
from adapters.http import Call, HttpClient, HttpPolicy, Reply
from adapters.jsonsafe import loads_strict
from adapters.wire_common import contract_violation, rfc3339

SYSTEM = "civil_service"
OAUTH_PATH = "/oauth2/token"
# 500 officials with their histories fit easily; a page above this is not an honest one.
DEFAULT_POLICY = HttpPolicy(max_body_bytes=8 * 1024 * 1024)
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # the database answers 413 above this
_NID = re.compile(r"\d{12}")
_ETAG = re.compile(r'"(\d{1,18})"')
_Model = TypeVar("_Model", bound=BaseModel)


@dataclass(frozen=True)
class CivilServiceConnection:
    """Where and as whom the registry calls the civil-servant database, as plain values.

    The field names are the setting suffixes declared in ``adapters/systems.py``: the
    composition side (``sync/clients.py``) fills each from the setting ``civil_service_<field>``.
    """

    url: str
    client_id: str
    client_secret: SecretStr


@dataclass(frozen=True)
class Page:
    items: list[wire.Official]
    next_cursor: str | None  # None: the end
    high_watermark: dt.datetime


@dataclass(frozen=True)
class Written:
    official: wire.Official
    etag: int
    created: bool


def newest_per_nid(items: Iterable[wire.Official]) -> dict[str, wire.Official]:
    """Collapse the repeats paging can deliver (an official changed while we paged shows up
    again) to the newest version of each official."""
    newest: dict[str, wire.Official] = {}
    for item in items:
        seen = newest.get(item.nid)
        if seen is None or item.version > seen.version:
            newest[item.nid] = item
    return newest


class CivilServiceClient:
    def __init__(self, http: HttpClient) -> None:
        self._http = http

    @classmethod
    def connect(
        cls,
        connection: CivilServiceConnection,
        *,
        policy: HttpPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        breaker: BreakerPolicy | None = None,
        drift: DriftObserver | None = None,
    ) -> CivilServiceClient:
        """A client of the database at ``connection.url``; ``policy=None``: the default.
        ``breaker`` replaces the policy's breaker; ``drift`` hears of unknown fields."""
        credentials = ClientCredentials(OAUTH_PATH, connection.client_id, connection.client_secret)
        chosen = DEFAULT_POLICY if policy is None else policy
        if breaker is not None:
            chosen = dataclasses.replace(chosen, breaker=breaker)
        http = HttpClient(
            system=SYSTEM,
            base_url=connection.url,
            policy=chosen,
            credentials=credentials,
            clock=clock,
            rng=rng,
            transport=transport,
            drift=drift,
        )
        return cls(http)

    @property
    def http(self) -> HttpClient:
        return self._http

    def close(self) -> None:
        self._http.close()

    def pull(self, changed_since: dt.datetime | None, cursor: str | None, limit: int = 100) -> Page:
        """One page of officials ordered by (updated_at, nid). With a cursor, ``changed_since``
        is not sent (the database would ignore it). ``CursorExpired`` after 15 minutes."""
        if not 1 <= limit <= wire.MAX_PAGE:
            raise ValueError("limit must be within 1..500")
        params = {"limit": str(limit)}
        if cursor:
            params["cursor"] = cursor
        elif changed_since is not None:
            params["changed_since"] = rfc3339(changed_since)
        call = Call("officials.pull", "GET", "/api/v1/officials", params=params)
        page = self._http.call_parsed(
            call, lambda reply: _parse(self._http, reply, "officials.pull", wire.OfficialsPage)
        )
        return Page(list(page.items), page.next_cursor, page.high_watermark)

    def get(self, nid: str) -> tuple[wire.Official, int]:
        """The official and its version (ETag). ``RemoteNotFound`` when unknown there."""
        call = Call("officials.get", "GET", _official_path(nid))
        written = self._http.call_parsed(call, lambda r: _written(self._http, r, call, nid))
        return written.official, written.etag

    def put(
        self,
        nid: str,
        body: wire.OfficialWrite,
        *,
        idempotency_key: uuid.UUID | str,
        if_match: int | None,
    ) -> Written:
        """Create (``if_match=None``: If-None-Match: *) or replace (If-Match: the version we
        read). The same key with the same body answers the same again without a second write;
        so a key belongs to one payload, and a new payload needs a new key."""
        if body.nid != nid:
            raise ValueError("body is about another official than the path")
        document = wire.dump_write(body)
        if len(json.dumps(document, ensure_ascii=False).encode("utf-8")) > MAX_REQUEST_BYTES:
            raise ValueError("payload above the 2 MB the database accepts")
        headers = {"Idempotency-Key": str(idempotency_key)}
        if if_match is None:
            headers["If-None-Match"] = "*"
        else:
            headers["If-Match"] = f'"{if_match}"'
        call = Call(
            "officials.put", "PUT", _official_path(nid), json_body=document, headers=headers
        )
        try:
            return self._http.call_parsed(call, lambda r: _written(self._http, r, call, nid))
        except Unprocessable as exc:
            raise _rejection(exc) from exc


def _parse(http: HttpClient, reply: Reply, operation: str, model: type[_Model]) -> _Model:
    """``model`` read strictly from the answer; fields it does not list are reported as
    drift to ``http.drift`` and dropped."""
    doc = reply.json(SYSTEM, operation)
    try:
        parsed = model.model_validate(doc)
    except ValidationError as exc:
        raise contract_violation(SYSTEM, operation, exc) from exc
    report(http.drift, SYSTEM, operation, unknown_fields(model, doc))
    return parsed


def _written(http: HttpClient, reply: Reply, call: Call, nid: str) -> Written:
    """The official in a 200/201 with its strong ETag, which must be its version."""
    official = _parse(http, reply, call.operation, wire.Official)
    if official.nid != nid:
        raise HostileResponse(SYSTEM, call.operation, "answer about another official")
    match = _ETAG.fullmatch(reply.headers.get("etag", ""))
    if match is None or int(match[1]) != official.version:
        raise HostileResponse(SYSTEM, call.operation, "ETag missing, weak or not the version")
    return Written(official, official.version, created=reply.status_code == 201)


def _official_path(nid: str) -> str:
    # The number goes into a path: anything but 12 digits could point the request elsewhere.
    if not _NID.fullmatch(nid):
        raise ValueError("an official is named by a 12-digit number")
    return f"/api/v1/officials/{nid}"


def _rejection(exc: Unprocessable) -> Rejected:
    """The typed 422: the database's reasons, or a bare refusal if it gave none we can read."""
    try:
        doc = loads_strict(exc.detail)
        issues = tuple(Issue(i.field, i.code) for i in wire.ErrorsBody.model_validate(doc).errors)
    except (ValueError, ValidationError):
        issues = (Issue(None, "unreadable_refusal"),)
    kind = (
        IdempotencyKeyReused
        if any(i.code == "idempotency_key_reused" for i in issues)
        else Rejected
    )
    return kind(exc.system, exc.operation, issues, exc.detail)
