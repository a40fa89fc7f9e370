"""A population database that speaks contracts/population.md, for tests and the demo.

Tokens, a JWKS, signed search and events answers (Ed25519 key derived from the seed), an
in-memory people store a test fills, and an event feed with opaque cursors that expire.
Knobs (``PopulationKnobs``) add what the real service may do: 5xx, 429 + Retry-After, latency,
hangs, revoked tokens, events delivered again across pages, NFD names, partial birth dates,
bad signatures, and fields the contract does not list (``extra_fields``: in every object of
the message, in the header, inside the signature, and beside it in the envelope).
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import unicodedata
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi import Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse

from adapters.population import wire
from adapters.population.signature import public_key_b64, sign
from adapters.simdata import FakePerson, fake_person
from adapters.simkit import EXTRA_FIELDS, FaultKnobs, SimCore, json_error, with_extras
from adapters.wire_common import rfc3339, sex_from_registry

Doc = dict[str, Any]
_NUMBER_LENGTHS = {"NID": 12, "CMND": 9}


@dataclass
class PopulationKnobs(FaultKnobs):
    duplicate_rate: float = 0.0  # share of pages that start a few events before the cursor
    nfd_names: bool = False  # serve names and place texts decomposed (NFD)
    partial_date_rate: float = 0.0  # share of records served with only YYYY or YYYY-MM
    bad_signature_rate: float = 0.0  # share of answers whose signature does not verify
    cursor_ttl: float = 24 * 3600.0

    def other_implementation(self, fault_rate: float = 0.3) -> None:
        super().other_implementation(fault_rate)
        self.duplicate_rate = 0.2
        self.nfd_names = True
        self.partial_date_rate = 0.3


class PopulationSim:
    """Single-threaded by construction: every handler runs on the server's event loop."""

    def __init__(
        self,
        *,
        seed: int = 0,
        now: Callable[[], dt.datetime] | None = None,
        client_id: str = "registry",
        client_secret: str = "simulator-secret",  # noqa: S107 (a simulator's fixed credential)
        token_ttl: int = 300,
        key_id: str = "pop-sim-1",
        knobs: PopulationKnobs | None = None,
    ) -> None:
        self.knobs = knobs or PopulationKnobs()
        self.core = SimCore(
            seed=seed,
            knobs=self.knobs,
            now=now,
            client_id=client_id,
            client_secret=client_secret,
            token_ttl=token_ttl,
        )
        seed_bytes = hashlib.sha256(f"population-sim:{seed}".encode()).digest()
        self._key = Ed25519PrivateKey.from_private_bytes(seed_bytes)
        self.key_id = key_id
        self.people: dict[str, Doc] = {}
        self.feed: list[Doc] = []
        self._cursors: dict[str, tuple[int, dt.datetime]] = {}
        self.app = self._build_app()

    @property
    def public_key_b64(self) -> str:
        return public_key_b64(self._key.public_key())

    # -- the store a test or the demo fills -------------------------------------------------

    def add_person(self, record: Doc) -> str:
        wire.PersonRecord.model_validate(record)  # a simulator must not serve broken data
        self.people[record["nid"]] = copy.deepcopy(record)
        return str(record["nid"])

    def new_record(self, person: FakePerson | None = None, **overrides: Any) -> Doc:
        p = person or fake_person(self.core.rng)
        record: Doc = {
            "nid": p.nid,
            "cmnd": None,
            "full_name": {"family": p.family, "middle": p.middle, "given": p.given},
            "birth_date": p.birth_date.isoformat(),
            "sex": sex_from_registry(p.sex),
            "ethnicity_code": "01",
            "religion_code": "00",
            "nationality": "VN",
            "place_of_origin": {"unit_code": p.ward_code, "code_list": "2025", "text": p.ward_name},
            "permanent_residence": {
                "unit_code": p.ward_code,
                "code_list": "2025",
                "text": f"Số {self.core.rng.randint(1, 200)}, {p.ward_name}",
            },
            "life_status": "alive",
            "death_date": None,
            "previous_nids": [],
            "record_version": 1,
            "updated_at": rfc3339(self.core.now()),
        }
        record.update(overrides)
        return record

    def seed_people(self, count: int) -> list[str]:
        return [self.add_person(self.new_record()) for _ in range(count)]

    def change_identity(self, nid: str, **changes: Any) -> None:
        record = self._touch(nid, changes)
        self._emit("identity_change", nid, record)

    def record_death(self, nid: str, on: dt.date) -> None:
        record = self._touch(nid, {"life_status": "deceased", "death_date": on.isoformat()})
        self._emit("death", nid, record)

    def reissue(self, old_nid: str, new_nid: str) -> None:
        """A new number for the same person; only the new one is found by search."""
        record = self.people.pop(old_nid)
        record["nid"] = new_nid
        record["previous_nids"] = [*record["previous_nids"], old_nid]
        self.people[new_nid] = record
        record = self._touch(new_nid, {})
        self._emit("id_reissued", old_nid, record, new_nid=new_nid)

    def expire_cursors(self) -> None:
        self._cursors.clear()

    def _touch(self, nid: str, changes: Doc) -> Doc:
        record = self.people[nid]
        record.update(changes)
        record["record_version"] += 1
        record["updated_at"] = rfc3339(self.core.now())
        wire.PersonRecord.model_validate(record)
        return record

    def _emit(self, kind: str, nid: str, record: Doc, new_nid: str | None = None) -> None:
        event_id = uuid.UUID(int=self.core.rng.getrandbits(128), version=4)
        self.feed.append(
            {
                "event_id": str(event_id),
                "event_type": kind,
                "nid": nid,
                "occurred_at": rfc3339(self.core.now()),
                "record": copy.deepcopy(record),
                "new_nid": new_nid,
            }
        )

    # -- HTTP ---------------------------------------------------------------------------------

    def _build_app(self) -> FastAPI:
        app = FastAPI(title="population simulator", openapi_url=None)
        self.core.install(app, "/oauth2/client/token")
        token = Depends(self.core.require_token)
        app.get("/.well-known/jwks.json")(self._jwks)
        app.post("/registry/sync/search", dependencies=[token])(self._search)
        app.get("/registry/events", dependencies=[token])(self._events)
        return app

    async def _jwks(self) -> Response:
        raw = base64.b64decode(self.public_key_b64)
        x = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
        jwk = {"kty": "OKP", "crv": "Ed25519", "x": x, "kid": self.key_id, "use": "sig"}
        return JSONResponse({"keys": [jwk]})

    async def _search(self, request: Request) -> Response:
        try:
            body = await request.json()
            requests = body["message"]["search_request"]
            transaction_id = str(body["message"]["transaction_id"])
        except (ValueError, KeyError, TypeError):
            return json_error(400, error="invalid_request")
        if not isinstance(requests, list) or not all(isinstance(r, dict) for r in requests):
            return json_error(400, error="invalid_request")
        if len(requests) > wire.MAX_BATCH:
            return json_error(400, error="too_many_requests_in_batch")
        items = [self._answer_item(r) for r in requests]
        answered = {i["status"] for i in items}
        status = "rjct" if answered == {"rjct"} else "part" if "rjct" in answered else "succ"
        message = {
            "transaction_id": transaction_id,
            "correlation_id": str(uuid.UUID(int=self.core.rng.getrandbits(128), version=4)),
            "search_response": items,
        }
        return JSONResponse(self._signed("on-search", status, len(items), message))

    def _answer_item(self, item: Doc) -> Doc:
        answer: Doc = {"reference_id": item.get("reference_id"), "timestamp": self._ts()}
        record = self._lookup(item)
        if isinstance(record, str):
            return {**answer, "status": "rjct", "status_reason_code": record}
        data = {"reg_type": wire.REG_TYPE, "reg_record_type": "person"}
        return {**answer, "status": "succ", "data": {**data, "reg_records": [record]}}

    def _lookup(self, item: Doc) -> Doc | str:
        """The served record, or the reason code, checked in the contract's order."""
        consent = item.get("consent")
        if not isinstance(consent, dict) or not (consent.get("purpose") or {}).get("code"):
            return "rjct.consent.missing"
        criteria = item.get("search_criteria") or {}
        query = criteria.get("query") or {}
        kind, value = query.get("type"), query.get("value")
        valid = (
            criteria.get("reg_type") == wire.REG_TYPE
            and criteria.get("query_type") == "idtype-value"
            and isinstance(kind, str)
            and isinstance(value, str)
            and value.isascii()
            and value.isdigit()
            and len(value) == _NUMBER_LENGTHS.get(kind)
        )
        if not valid:
            return "rjct.query.invalid"
        field = "nid" if kind == "NID" else "cmnd"
        found = [r for r in self.people.values() if r[field] == value]
        return self._serve(found[0]) if found else "rjct.reference_id.not_found"

    async def _events(self, request: Request) -> Response:
        after = request.query_params.get("after", "")
        try:
            limit = int(request.query_params.get("limit", "100"))
        except ValueError:
            return json_error(400, error="invalid_limit")
        if not 1 <= limit <= wire.MAX_EVENTS_PAGE:
            return json_error(400, error="invalid_limit")
        start = self._resolve_cursor(after)
        if start is None:
            return json_error(410, error="cursor_expired")
        if self._redeliver(start):
            start = max(0, start - self.core.rng.randint(1, 3))  # at-least-once delivery
        events = [
            {**event, "record": self._serve(event["record"]), "cursor": self._cursor(position)}
            for position, event in enumerate(self.feed[start : start + limit], start + 1)
        ]
        next_cursor = events[-1]["cursor"] if events else after
        message = {"events": events, "next_cursor": next_cursor}
        return JSONResponse(self._signed("on-events", "succ", len(events), message))

    def _redeliver(self, start: int) -> bool:
        """Repeat a few old events, but only alongside new ones, so the end of the feed still
        answers with an empty page."""
        rate = self.knobs.duplicate_rate
        return 0 < start < len(self.feed) and rate > 0 and self.core.rng.random() < rate

    def _resolve_cursor(self, after: str) -> int | None:
        if not after:
            return 0
        entry = self._cursors.get(after)
        if entry is None:
            return None
        position, issued = entry
        if (self.core.now() - issued).total_seconds() > self.knobs.cursor_ttl:
            return None
        return position

    def _cursor(self, position: int) -> str:
        token = base64.urlsafe_b64encode(self.core.rng.randbytes(18)).decode("ascii")
        self._cursors[token] = (position, self.core.now())
        return token

    def _serve(self, stored: Doc) -> Doc:
        record = copy.deepcopy(stored)
        if self.knobs.nfd_names:
            name = record["full_name"]
            record["full_name"] = {k: unicodedata.normalize("NFD", v) for k, v in name.items()}
            for place in ("place_of_origin", "permanent_residence"):
                text = record[place]["text"]
                record[place]["text"] = unicodedata.normalize("NFD", text)
        rate = self.knobs.partial_date_rate
        if rate and self.core.rng.random() < rate:
            record["birth_date"] = record["birth_date"][: self.core.rng.choice((4, 7))]
        return record

    def _signed(self, action: str, status: str, count: int, message: Doc) -> Doc:
        header = {
            "version": "1.0.0",
            "message_id": str(uuid.UUID(int=self.core.rng.getrandbits(128), version=4)),
            "message_ts": self._ts(),
            "action": action,
            "status": status,
            "sender_id": "population",
            "sender_key_id": self.key_id,
            "total_count": count,
        }
        if self.knobs.extra_fields:
            header, message = with_extras(header), with_extras(message)
        signature = sign(self._key, header, message)
        rate = self.knobs.bad_signature_rate
        if rate and self.core.rng.random() < rate:
            signature = sign(self._key, header, {"not": "this message"})
        envelope = {"signature": signature, "header": header, "message": message}
        return {**envelope, **EXTRA_FIELDS} if self.knobs.extra_fields else envelope

    def _ts(self) -> str:
        return rfc3339(self.core.now())
