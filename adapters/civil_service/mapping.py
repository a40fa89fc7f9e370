"""Civil-servant records ↔ plain registry-side values.

Which side owns which field is the contract's authority matrix (``REGISTRY_OWNED`` /
``CIVIL_SERVICE_OWNED``): a sync job adopts the civil-service-owned values from an
``OfficialData`` and pushes only registry-owned content through an ``OfficialPush``.
Qualification kinds differ between the two vocabularies and are translated here.
"""

from __future__ import annotations

import datetime as dt
import decimal
from dataclasses import dataclass

from adapters.civil_service import wire
from adapters.wire_common import nfc, sex_from_registry, sex_to_registry
from registry.dates import PartialDate

REGISTRY_OWNED = (
    "agency_code",
    "position_title",
    "work_history",
    "training",
    "qualifications",
    "evaluations",
)
CIVIL_SERVICE_OWNED = (
    "civil_servant_no",
    "rank_code",
    "salary_grade",
    "salary_step",
    "salary_coefficient",
    "recruited_on",
)
# Registry kind → civil-service kind. The registry's defence_security has no civil-service
# kind, so it is never pushed (the database cannot hold it).
KIND_TO_WIRE = {
    "professional": "education",
    "political_theory": "political_theory",
    "state_management": "state_management",
    "it": "it",
    "foreign_language": "language",
}
KIND_FROM_WIRE = {v: k for k, v in KIND_TO_WIRE.items()}
_CENT = decimal.Decimal("0.01")


@dataclass(frozen=True)
class QualificationData:
    kind: str  # registry vocabulary: professional, political_theory, …, foreign_language
    level: str
    major: str | None = None
    awarded_on: dt.date | None = None
    institution: str | None = None


@dataclass(frozen=True)
class WorkPeriodData:
    start: dt.date
    end: dt.date | None
    agency_code: str
    position_title: str
    decision_no: str | None = None


@dataclass(frozen=True)
class TrainingData:
    start: dt.date
    end: dt.date | None
    course: str
    institution: str | None = None
    kind: str | None = None
    certificate: str | None = None


@dataclass(frozen=True)
class EvaluationData:
    period: str  # YYYY, YYYY-Qn or YYYY-MM
    classification: str  # HTXS, HTT, HT or KHT
    score: int | None = None

    @property
    def period_kind(self) -> str:
        return wire.period_kind(self.period)


@dataclass(frozen=True)
class OfficialData:
    """An official as the civil-servant database holds it, in registry terms."""

    nid: str
    civil_servant_no: str | None
    full_name: str
    birth_date: PartialDate
    sex: str | None
    agency_code: str | None
    position_title: str | None
    rank_code: str | None
    salary_grade: str | None
    salary_step: int | None
    salary_coefficient: decimal.Decimal | None
    recruited_on: dt.date | None
    qualifications: tuple[QualificationData, ...]
    work_history: tuple[WorkPeriodData, ...]
    training: tuple[TrainingData, ...]
    evaluations: tuple[EvaluationData, ...]
    version: int
    updated_at: dt.datetime

    def civil_service_owned(self) -> dict[str, object]:
        """The values the registry adopts from the civil-servant database."""
        return {name: getattr(self, name) for name in CIVIL_SERVICE_OWNED}


@dataclass(frozen=True)
class OfficialPush:
    """Registry-owned content to push. ``None`` leaves that field as stored there; a tuple
    (even empty) replaces the stored list wholesale. Identity is echoed for a create."""

    nid: str
    full_name: str | None = None
    birth_date: str | None = None
    sex: str | None = None
    agency_code: str | None = None
    position_title: str | None = None
    qualifications: tuple[QualificationData, ...] | None = None
    work_history: tuple[WorkPeriodData, ...] | None = None
    training: tuple[TrainingData, ...] | None = None
    evaluations: tuple[EvaluationData, ...] | None = None


def _nfc(text: str | None) -> str | None:
    return None if text is None else nfc(text)


def official_from_wire(o: wire.Official) -> OfficialData:
    coefficient = None
    if o.salary_coefficient is not None:
        coefficient = decimal.Decimal(str(o.salary_coefficient)).quantize(_CENT)
    return OfficialData(
        nid=o.nid,
        civil_servant_no=o.civil_servant_no,
        full_name=" ".join(nfc(o.full_name).split()),  # NFC, single-spaced, as stored
        birth_date=PartialDate.parse(o.birth_date),
        sex=sex_to_registry(o.sex),
        agency_code=o.agency_code,
        position_title=_nfc(o.position_title),
        rank_code=o.rank_code,
        salary_grade=o.salary_grade,
        salary_step=o.salary_step,
        salary_coefficient=coefficient,
        recruited_on=o.recruited_on,
        qualifications=tuple(_qualification(q) for q in o.qualifications or ()),
        work_history=tuple(_work_period(w) for w in o.work_history or ()),
        training=tuple(_training(t) for t in o.training or ()),
        evaluations=tuple(
            EvaluationData(e.period, e.classification, e.score) for e in o.evaluations or ()
        ),
        version=o.version,
        updated_at=o.updated_at,
    )


def _qualification(q: wire.Qualification) -> QualificationData:
    return QualificationData(
        KIND_FROM_WIRE[q.kind], q.level, _nfc(q.major), q.awarded_on, _nfc(q.institution)
    )


def _work_period(w: wire.WorkPeriod) -> WorkPeriodData:
    return WorkPeriodData(w.start, w.end, w.agency_code, nfc(w.position_title), w.decision_no)


def _training(t: wire.Training) -> TrainingData:
    course = nfc(t.course)
    return TrainingData(t.start, t.end, course, _nfc(t.institution), t.kind, t.certificate)


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def to_write(push: OfficialPush) -> wire.OfficialWrite:
    """The PUT body for ``push``; raises ``ValueError`` when the content breaks the contract
    (a bug or bad data on our side, caught before anything is sent)."""
    body: dict[str, object] = {"nid": push.nid}
    scalars = ("full_name", "birth_date", "agency_code", "position_title")
    body.update({k: getattr(push, k) for k in scalars if getattr(push, k) is not None})
    if push.sex is not None:
        body["sex"] = sex_from_registry(push.sex)
    if push.qualifications is not None:
        body["qualifications"] = [
            _qualification_doc(q) for q in push.qualifications if q.kind in KIND_TO_WIRE
        ]
    if push.work_history is not None:
        body["work_history"] = [_work_period_doc(w) for w in push.work_history]
    if push.training is not None:
        body["training"] = [_training_doc(t) for t in push.training]
    if push.evaluations is not None:
        body["evaluations"] = [
            {"period": e.period, "score": e.score, "classification": e.classification}
            for e in push.evaluations
        ]
    return wire.OfficialWrite.model_validate(body)


def _qualification_doc(q: QualificationData) -> dict[str, object]:
    return {
        "kind": KIND_TO_WIRE[q.kind],
        "level": q.level,
        "major": q.major,
        "awarded_on": _iso(q.awarded_on),
        "institution": q.institution,
    }


def _work_period_doc(w: WorkPeriodData) -> dict[str, object]:
    return {
        "from": _iso(w.start),
        "to": _iso(w.end),
        "agency_code": w.agency_code,
        "position_title": w.position_title,
        "decision_no": w.decision_no,
    }


def _training_doc(t: TrainingData) -> dict[str, object]:
    return {
        "from": _iso(t.start),
        "to": _iso(t.end),
        "course": t.course,
        "institution": t.institution,
        "kind": t.kind,
        "certificate": t.certificate,
    }
