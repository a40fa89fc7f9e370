"""A civil-servant database that speaks contracts/civil-service.md, for tests and the demo.

Keyset paging on (updated_at, nid) with opaque cursors that expire after 15 minutes (410),
``high_watermark``, reads with strong ETags and PUT with idempotency keys and preconditions
(``sim_store``). Knobs add 5xx, 429, latency, hangs, revoked tokens, items repeated across
pages, pages out of order, cursor expiry, writes whose answer is lost (applied, then 504) and
fields the contract does not list in every answer object (``extra_fields``).
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from adapters.civil_service import wire
from adapters.civil_service.sim_store import Doc, Key, OfficialStore, PutRequest
from adapters.simkit import FaultKnobs, SimCore, json_error, with_extras
from adapters.wire_common import parse_timestamp


@dataclass
class CivilServiceKnobs(FaultKnobs):
    duplicate_rate: float = 0.0  # share of pages that repeat items from before the cursor
    out_of_order_rate: float = 0.0  # share of pages served shuffled
    cursor_ttl: float = 15 * 60.0
    lost_answer_rate: float = 0.0  # share of applied writes answered 504 all the same

    def other_implementation(self, fault_rate: float = 0.3) -> None:
        super().other_implementation(fault_rate)
        self.duplicate_rate = 0.2
        self.out_of_order_rate = 0.2
        self.lost_answer_rate = 0.2


class CivilServiceSim:
    """Single-threaded by construction: every handler runs on the server's event loop."""

    def __init__(
        self,
        *,
        seed: int = 0,
        now: Callable[[], dt.datetime] | None = None,
        client_id: str = "registry",
        client_secret: str = "simulator-secret",  # noqa: S107 (a simulator's fixed credential)
        token_ttl: int = 300,
        knobs: CivilServiceKnobs | None = None,
    ) -> None:
        self.knobs = knobs or CivilServiceKnobs()
        self.core = SimCore(
            seed=seed,
            knobs=self.knobs,
            now=now,
            client_id=client_id,
            client_secret=client_secret,
            token_ttl=token_ttl,
        )
        self.store = OfficialStore(now=self.core.now, rng=self.core.rng)
        self._cursors: dict[str, tuple[Key, dt.datetime]] = {}
        self.app = self._build_app()

    def expire_cursors(self) -> None:
        self._cursors.clear()

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="civil-service simulator", openapi_url=None)
        self.core.install(app, "/oauth2/token")
        token = Depends(self.core.require_token)
        app.get("/api/v1/officials", dependencies=[token])(self._pull)
        app.get("/api/v1/officials/{nid}", dependencies=[token])(self._get)
        app.put("/api/v1/officials/{nid}", dependencies=[token])(self._put)
        return app

    async def _pull(self, request: Request) -> Response:
        query = request.query_params
        try:
            limit = int(query.get("limit", "100"))
            since = _parse_since(query.get("changed_since"))
        except ValueError:
            return json_error(400, error="invalid_query")
        if not 1 <= limit <= wire.MAX_PAGE:
            return json_error(400, error="invalid_limit")
        after: Key | None = None
        if query.get("cursor"):
            entry = self._cursors.get(query["cursor"])
            if entry is None:
                return json_error(400, error="malformed_cursor")
            after, issued = entry
            if (self.core.now() - issued).total_seconds() > self.knobs.cursor_ttl:
                return json_error(410, error="cursor_expired")
            since = None
        return self._answer(200, self._page(after, since, limit))

    def _page(self, after: Key | None, since: dt.datetime | None, limit: int) -> Doc:
        ordered = self.store.ordered()
        start = 0
        if after is not None:
            start = self.store.position_after(after)
        elif since is not None:
            start = self.store.position_since(since)
        chosen = ordered[start : start + limit]
        more = start + limit < len(ordered)
        next_cursor = self._cursor(chosen[-1][0]) if chosen and more else None
        rng = self.core.rng
        if start and self.knobs.duplicate_rate and rng.random() < self.knobs.duplicate_rate:
            # Repeat a few items the previous page already had, as a replica lagging would.
            chosen = ordered[max(0, start - rng.randint(1, 3)) : start] + chosen
        items = [doc for _, doc in chosen]
        if self.knobs.out_of_order_rate and rng.random() < self.knobs.out_of_order_rate:
            rng.shuffle(items)
        return {
            "items": items,
            "next_cursor": next_cursor,
            "high_watermark": self.store.high_watermark(),
        }

    def _cursor(self, key: Key) -> str:
        token = base64.urlsafe_b64encode(self.core.rng.randbytes(18)).decode("ascii")
        self._cursors[token] = (key, self.core.now())
        return token

    async def _get(self, nid: str) -> Response:
        doc = self.store.officials.get(nid)
        if doc is None:
            return json_error(404, error="not_found")
        return self._answer(200, doc, doc["version"])

    async def _put(self, nid: str, request: Request) -> Response:
        headers = request.headers
        answer = self.store.put(
            PutRequest(
                path=request.url.path,
                nid=nid,
                raw=await request.body(),
                idempotency_key=headers.get("idempotency-key"),
                if_match=headers.get("if-match"),
                if_none_match=headers.get("if-none-match"),
            )
        )
        rate = self.knobs.lost_answer_rate
        if answer.status in (200, 201) and rate and self.core.rng.random() < rate:
            # Written, but the gateway gave up waiting: only the idempotency key saves a retry.
            return json_error(504, error="gateway_timeout")
        return self._answer(answer.status, answer.body, answer.etag)

    def _answer(self, status: int, body: dict[str, Any], etag: int | None = None) -> Response:
        headers = {"ETag": f'"{etag}"'} if etag is not None else None
        if self.knobs.extra_fields:
            body = with_extras(body)
        return JSONResponse(body, status_code=status, headers=headers)


def _parse_since(value: str | None) -> dt.datetime | None:
    return None if value is None else parse_timestamp(value)
