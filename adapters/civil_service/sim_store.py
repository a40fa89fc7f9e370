"""The civil-service simulator's data and write rules, free of HTTP.

Officials are kept as wire documents. Times are whole seconds at +07:00, so many officials
share an ``updated_at`` (the case keyset paging on (updated_at, nid) exists for). PUT follows
the contract: idempotency keys remembered with path and body hash for 200/201/422, versions
as strong ETags, registry-owned fields replaced only when present, other fields ignored.
"""

from __future__ import annotations

import bisect
import copy
import datetime as dt
import hashlib
import json
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from adapters.civil_service import wire
from adapters.civil_service.mapping import CIVIL_SERVICE_OWNED, KIND_FROM_WIRE, REGISTRY_OWNED
from adapters.simdata import fake_person
from adapters.wire_common import sex_from_registry
from registry.codes import QUALIFICATION_LADDERS, RANK_CODES

Doc = dict[str, Any]
Key = tuple[dt.datetime, str]
VN_TIME = dt.timezone(dt.timedelta(hours=7))
MAX_BODY = 2 * 1024 * 1024
DEFAULT_AGENCIES = frozenset({"H31", "H31.11311", "H31.11320", "H31.11329"})


@dataclass(frozen=True)
class Answer:
    status: int
    body: Doc
    etag: int | None = None


@dataclass(frozen=True)
class PutRequest:
    path: str
    nid: str
    raw: bytes
    idempotency_key: str | None
    if_match: str | None
    if_none_match: str | None


@dataclass
class OfficialStore:
    now: Callable[[], dt.datetime]
    rng: random.Random
    agencies: frozenset[str] = DEFAULT_AGENCIES
    officials: dict[str, Doc] = field(default_factory=dict)
    writes: int = 0  # applied PUTs; a replayed answer does not count
    _remembered: dict[str, tuple[str, str, Answer]] = field(default_factory=dict)
    _serial: int = 0
    _changes: int = 0  # bumped on every write, to invalidate the feed-order cache
    _order: tuple[tuple[int, int], list[tuple[Key, Doc]], list[Key]] | None = None

    # -- filling and changing data from the ministry's side ---------------------------------

    def stamp(self, offset_seconds: int = 0) -> str:
        moment = self.now().astimezone(VN_TIME).replace(microsecond=0)
        return (moment + dt.timedelta(seconds=offset_seconds)).isoformat()

    def add(self, doc: Doc) -> str:
        wire.Official.model_validate(doc)
        self.officials[doc["nid"]] = copy.deepcopy(doc)
        self._changes += 1
        return str(doc["nid"])

    def new_official(self, **overrides: Any) -> Doc:
        p = fake_person(self.rng)
        doc: Doc = {
            "nid": p.nid,
            "civil_servant_no": self._next_serial(),
            "full_name": p.full_name,
            "birth_date": p.birth_date.isoformat(),
            "sex": sex_from_registry(p.sex),
            "agency_code": "H31.11311",
            "position_title": "Chuyên viên Văn phòng HĐND và UBND phường",
            "rank_code": "01.003",
            "salary_grade": "A1",
            "salary_step": self.rng.randint(1, 9),
            "salary_coefficient": 2.34,
            "recruited_on": "2012-09-01",
            "qualifications": [],
            "work_history": [],
            "training": [],
            "evaluations": [],
            "version": 1,
            "updated_at": self.stamp(),
        }
        doc.update(overrides)
        return doc

    def seed(self, count: int, *, distinct_seconds: int = 3) -> list[str]:
        """``count`` officials whose ``updated_at`` falls on a few distinct seconds up to now
        (never later: a later write must never look older than a seeded one)."""
        return [
            self.add(
                self.new_official(updated_at=self.stamp(-self.rng.randrange(distinct_seconds)))
            )
            for _ in range(count)
        ]

    def touch(self, nid: str, **changes: Any) -> Doc:
        """A change made at the ministry (a new rank, a salary step): new version and time."""
        doc = self.officials[nid]
        self._changes += 1
        doc.update(changes)
        doc["version"] += 1
        doc["updated_at"] = self.stamp()
        wire.Official.model_validate(doc)
        return doc

    def _blank(self, nid: str, body: wire.OfficialWrite) -> Doc:
        """A new dossier: identity echoed from the push, a serial number assigned here and
        the ministry-owned fields empty until its own workflow fills them."""
        doc: Doc = {name: None for name in CIVIL_SERVICE_OWNED}
        doc.update(
            nid=nid,
            civil_servant_no=self._next_serial(),
            full_name=body.full_name,
            birth_date=body.birth_date,
            sex=body.sex,
            agency_code=None,
            position_title=None,
            qualifications=[],
            work_history=[],
            training=[],
            evaluations=[],
            version=0,
        )
        return doc

    def _next_serial(self) -> str:
        self._serial += 1
        return f"HP-{self._serial:06d}"

    # -- reading ------------------------------------------------------------------------------

    def ordered(self) -> list[tuple[Key, Doc]]:
        """Officials in feed order. Cached until the next change: sorting 100,000 documents
        for every page would make the simulator, not the client, the thing measured."""
        marker = (len(self.officials), self._changes)
        if self._order is None or self._order[0] != marker:
            keyed = [(self.key(d), d) for d in self.officials.values()]
            keyed.sort(key=lambda pair: pair[0])
            self._order = (marker, keyed, [k for k, _ in keyed])
        return self._order[1]

    def position_after(self, after: Key) -> int:
        """Index of the first official strictly after ``after`` in feed order."""
        self.ordered()
        assert self._order is not None
        return bisect.bisect_right(self._order[2], after)

    def position_since(self, since: dt.datetime) -> int:
        self.ordered()
        assert self._order is not None
        return bisect.bisect_left(self._order[2], (since, ""))

    @staticmethod
    def key(doc: Doc) -> Key:
        return dt.datetime.fromisoformat(doc["updated_at"]), doc["nid"]

    def high_watermark(self) -> str:
        ordered = self.ordered()  # cached between writes: the newest is the last
        return ordered[-1][0][0].isoformat() if ordered else self.stamp()

    # -- writing ------------------------------------------------------------------------------

    def put(self, req: PutRequest) -> Answer:
        if not req.idempotency_key:
            return Answer(400, {"errors": [{"code": "idempotency_key_required"}]})
        if len(req.raw) > MAX_BODY:
            return Answer(413, {"errors": [{"code": "payload_too_large"}]})
        digest = _body_digest(req.raw)
        seen = self._remembered.get(req.idempotency_key)
        if seen is not None:
            if seen[:2] == (req.path, digest):
                return seen[2]
            return _refusal(None, "idempotency_key_reused", "key used for another request")
        answer = self._write(req)
        if answer.status in (200, 201, 422):
            self._remembered[req.idempotency_key] = (req.path, digest, answer)
        return answer

    def _write(self, req: PutRequest) -> Answer:
        if (req.if_match is None) == (req.if_none_match is None):
            return Answer(428, {"errors": [{"code": "precondition_required"}]})
        stored = self.officials.get(req.nid)
        if req.if_none_match is not None and stored is not None:
            return Answer(409, {"errors": [{"code": "already_exists"}]})
        if req.if_match is not None and (
            stored is None or req.if_match.strip() != f'"{stored["version"]}"'
        ):
            return Answer(412, {"errors": [{"code": "version_mismatch"}]})
        try:
            body = wire.OfficialWrite.model_validate(json.loads(req.raw))
        except (ValueError, ValidationError) as exc:
            return _invalid(exc)
        problem = self._unknown_code(body) or self._identity_problem(req.nid, body, stored)
        if problem is not None:
            return problem
        return self._apply(req.nid, body, stored)

    def _identity_problem(
        self, nid: str, body: wire.OfficialWrite, stored: Doc | None
    ) -> Answer | None:
        if body.nid != nid:
            return _refusal("nid", "mismatch", "body names another official")
        if stored is None and not (body.full_name and body.birth_date and body.sex):
            return _refusal("full_name", "required", "a create needs the identity echo")
        return None

    def _unknown_code(self, body: wire.OfficialWrite) -> Answer | None:
        places: list[tuple[str, str | None, bool]] = [
            ("agency_code", body.agency_code, body.agency_code in self.agencies),
            ("rank_code", body.rank_code, body.rank_code in RANK_CODES),
        ]
        for i, w in enumerate(body.work_history or ()):
            places.append(
                (f"work_history[{i}].agency_code", w.agency_code, w.agency_code in self.agencies)
            )
        for i, q in enumerate(body.qualifications or ()):
            known = q.level in QUALIFICATION_LADDERS[KIND_FROM_WIRE[q.kind]]
            places.append((f"qualifications[{i}].level", q.level, known))
        for path, value, known in places:
            if value is not None and not known:
                return _refusal(path, "unknown_code", "not in the ministry's code list")
        return None

    def _apply(self, nid: str, body: wire.OfficialWrite, stored: Doc | None) -> Answer:
        sent = wire.dump_write(body)
        created = stored is None
        if stored is None:
            stored = self._blank(nid, body)
        for name in REGISTRY_OWNED:
            if name in sent:
                stored[name] = sent[name]
        stored["version"] += 1
        stored["updated_at"] = self.stamp()
        wire.Official.model_validate(stored)
        self.officials[nid] = stored
        self._changes += 1
        self.writes += 1
        return Answer(201 if created else 200, copy.deepcopy(stored), stored["version"])


def _body_digest(raw: bytes) -> str:
    """Hash of the body's meaning, so key order or spacing does not make it "another body"."""
    try:
        canonical = json.dumps(json.loads(raw), sort_keys=True, separators=(",", ":"))
    except ValueError:
        return hashlib.sha256(raw).hexdigest()
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _refusal(field_path: str | None, code: str, message: str) -> Answer:
    return Answer(422, {"errors": [{"field": field_path, "code": code, "message": message}]})


def _invalid(exc: Exception) -> Answer:
    if not isinstance(exc, ValidationError):
        return _refusal(None, "invalid", "body is not JSON")
    errors = [
        {"field": ".".join(str(p) for p in e["loc"]), "code": "invalid", "message": e["msg"]}
        for e in exc.errors()[:20]
    ]
    return Answer(422, {"errors": errors})
