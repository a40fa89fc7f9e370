"""Client of the national population database: identity lookup and the change feed.

Every ``200`` of search and events must carry a signature that verifies with the pinned key;
an answer that does not verify, or whose fields the registry reads do not fit the contract,
raises ``HostileResponse`` and nothing of it is returned. Fields the contract does not list,
in the envelope, the header or any object of the message, are ignored and reported as drift.
Read-only: the registry never writes there.
"""

from __future__ import annotations

import dataclasses
import random
import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from pydantic import BaseModel, SecretStr, ValidationError

from adapters.auth import ClientCredentials
from adapters.breaker import BreakerPolicy
from adapters.clock import SYSTEM_CLOCK, Clock
from adapters.drift import DriftObserver, report, unknown_fields
from adapters.errors import HostileResponse
from adapters.http import Call, HttpClient, HttpPolicy, Reply
from adapters.population import wire
from adapters.population.signature import load_public_key, verified_parts
from adapters.wire_common import contract_violation, rfc3339

SYSTEM = "population"
OAUTH_PATH = "/oauth2/client/token"
DEFAULT_POLICY = HttpPolicy(max_body_bytes=5 * 1024 * 1024)  # the contract's body limit
SENDER_ID = "cadre-registry"
CONSENT_PURPOSE = "CADRE_RECORD_VERIFY"
# ``query.type`` → the shape of its number: the personal identification number, or the
# legacy 9-digit identity card number (CMND) that older files still carry.
QUERY_TYPES = {"NID": re.compile(r"\d{12}"), "CMND": re.compile(r"\d{9}")}
QueryType = Literal["NID", "CMND"]
_Envelope = TypeVar("_Envelope", bound=BaseModel)


@dataclass(frozen=True)
class PopulationConnection:
    """Where and as whom the registry calls the population database, as plain values.

    The field names are the setting suffixes declared in ``adapters/systems.py``: the
    composition side (``sync/clients.py``) fills each from the setting ``population_<field>``.
    """

    url: str
    client_id: str
    client_secret: SecretStr
    public_key: str  # base64 of the pinned Ed25519 key every answer must be signed with


@dataclass(frozen=True)
class SearchResult:
    """The answer for one number: a record, or the population database's reason for none."""

    nid: str
    record: wire.PersonRecord | None
    reason_code: str | None = None

    @property
    def found(self) -> bool:
        return self.record is not None


@dataclass(frozen=True)
class EventsPage:
    """Events in feed order; the same event may appear again (at-least-once delivery)."""

    events: list[wire.Event]
    next_cursor: str


class PopulationClient:
    def __init__(
        self,
        http: HttpClient,
        public_key: Ed25519PublicKey,
        *,
        sender_id: str = SENDER_ID,
        new_id: Callable[[], uuid.UUID] = uuid.uuid4,
    ) -> None:
        self._http = http
        self._key = public_key
        self._sender_id = sender_id
        self._new_id = new_id

    @classmethod
    def connect(
        cls,
        connection: PopulationConnection,
        *,
        policy: HttpPolicy | None = None,
        clock: Clock = SYSTEM_CLOCK,
        rng: random.Random | None = None,
        transport: httpx.BaseTransport | None = None,
        breaker: BreakerPolicy | None = None,
        drift: DriftObserver | None = None,
    ) -> PopulationClient:
        """A client of the database at ``connection.url``; ``policy=None``: the contract's.
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
        return cls(http, load_public_key(connection.public_key))

    @property
    def http(self) -> HttpClient:
        return self._http

    def close(self) -> None:
        self._http.close()

    def search(self, nids: Sequence[str], *, kind: QueryType = "NID") -> list[SearchResult]:
        """One result per distinct number, in the order given; batches of at most 50.
        ``kind="CMND"``: the numbers are legacy card numbers (``SearchResult.nid`` is then
        the card number asked for; the record carries the person's current number)."""
        wanted = list(dict.fromkeys(nids))
        if any(not QUERY_TYPES[kind].fullmatch(n) for n in wanted):
            raise ValueError(f"every number searched must be a {kind} number")
        found: dict[str, SearchResult] = {}
        for start in range(0, len(wanted), wire.MAX_BATCH):
            found.update(self._search_batch(wanted[start : start + wire.MAX_BATCH], kind))
        return [found[n] for n in wanted]

    def events(self, after: str | None, limit: int = 100) -> EventsPage:
        """One page of the change feed after ``after`` (``None``: from the start).

        Raises ``CursorExpired`` when the feed no longer knows ``after``.
        """
        if not 1 <= limit <= wire.MAX_EVENTS_PAGE:
            raise ValueError("limit must be within 1..500")
        params = {"limit": str(limit)}
        if after:
            params["after"] = after
        call = Call("events", "GET", "/registry/events", params=params)
        envelope = self._http.call_parsed(
            call, lambda reply: self._verified(reply, "events", wire.EventsEnvelope)
        )
        return EventsPage(list(envelope.message.events), envelope.message.next_cursor)

    def _search_batch(self, nids: list[str], kind: QueryType) -> dict[str, SearchResult]:
        by_reference = {str(self._new_id()): nid for nid in nids}
        transaction_id = str(self._new_id())
        call = Call(
            "search",
            "POST",
            "/registry/sync/search",
            json_body=self._search_body(transaction_id, by_reference, kind),
            retry_safe=True,  # a lookup changes nothing there, so repeating it is harmless
        )

        def parse(reply: Reply) -> dict[str, SearchResult]:
            envelope = self._verified(reply, "search", wire.SearchEnvelope)
            return self._match(envelope, transaction_id, by_reference, kind)

        return self._http.call_parsed(call, parse)

    def _match(
        self,
        envelope: wire.SearchEnvelope,
        transaction_id: str,
        by_reference: dict[str, str],
        kind: QueryType,
    ) -> dict[str, SearchResult]:
        message = envelope.message
        references = [item.reference_id for item in message.search_response]
        if message.transaction_id != transaction_id or sorted(references) != sorted(by_reference):
            raise HostileResponse(SYSTEM, "search", "answer does not match the request")
        results: dict[str, SearchResult] = {}
        for item in message.search_response:
            nid = by_reference[item.reference_id]
            if item.data is None:
                results[nid] = SearchResult(nid, None, item.status_reason_code)
                continue
            record = item.data.reg_records[0]
            if (record.nid if kind == "NID" else record.cmnd) != nid:
                # Applying it would overwrite one person's identity with another's.
                raise HostileResponse(SYSTEM, "search", "record for a number not asked for")
            results[nid] = SearchResult(nid, record)
        return results

    def _search_body(
        self, transaction_id: str, by_reference: dict[str, str], kind: QueryType
    ) -> object:
        now = rfc3339(SYSTEM_CLOCK.now())
        items = [
            {
                "reference_id": reference,
                "timestamp": now,
                "search_criteria": {
                    "reg_type": wire.REG_TYPE,
                    "query_type": "idtype-value",
                    "query": {"type": kind, "value": nid},
                },
                "consent": {"purpose": {"code": CONSENT_PURPOSE}},
                "locale": "vie",
            }
            for reference, nid in by_reference.items()
        ]
        header = {
            "version": "1.0.0",
            "message_id": str(self._new_id()),
            "message_ts": now,
            "action": "search",
            "sender_id": self._sender_id,
            "receiver_id": SYSTEM,
            "total_count": len(items),
        }
        return {
            "header": header,
            "message": {"transaction_id": transaction_id, "search_request": items},
        }

    def _verified(self, reply: Reply, operation: str, model: type[_Envelope]) -> _Envelope:
        # Floats are read: an unknown field may hold one; every used number is a strict int.
        doc = reply.json(SYSTEM, operation)
        parts = verified_parts(doc, self._key, SYSTEM, operation)
        try:
            envelope = model.model_validate(parts)
        except ValidationError as exc:
            raise contract_violation(SYSTEM, operation, exc) from exc
        assert isinstance(doc, dict)  # verified_parts refuses anything else
        # Keys beside the signature are outside it: reported like any other unknown field.
        unsigned = {k: v for k, v in doc.items() if k != "signature"}
        report(self._http.drift, SYSTEM, operation, unknown_fields(model, unsigned))
        return envelope
