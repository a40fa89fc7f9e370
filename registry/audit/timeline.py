"""Valid-time view of a personnel file: what held in the world, in date order.

Posts, party status, qualifications, trainings, evaluations, discipline and commendations
are placed here by hand (a post shows its title, an evaluation its period); every other
section comes from its catalogue declaration (``RecordKind.timeline``: start, end, what),
so a section declared there appears without a line here. A record whose start the caller
may not see (masked) is left out: it cannot be placed."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry.catalogue import KINDS
from registry.catalogue.model import RecordKind
from registry.dates import PartialDate
from registry.positions.models import Position
from schemas.person_file import PersonFile


class TimelineEntry(BaseModel):
    start: dt.date
    end: dt.date | None = None
    kind: str
    summary: str
    record_type: str
    record_id: uuid.UUID | None = None


def _period_start(period: str) -> dt.date:
    year = int(period[:4])
    if "-Q" in period:
        return dt.date(year, 3 * (int(period[-1]) - 1) + 1, 1)
    return dt.date(year, int(period[5:7]), 1) if "-" in period else dt.date(year, 1, 1)


def build_timeline(session: Session, file: PersonFile) -> list[TimelineEntry]:
    titles = _position_titles(session, [a.position_id for a in file.work_history])
    out: list[TimelineEntry] = []
    for a in file.work_history:
        post = titles.get(a.position_id) if a.position_id else a.external_post
        out.append(
            TimelineEntry(
                start=a.valid_from,
                end=a.valid_to,
                kind=f"post.{a.kind}",
                summary=post or "",
                record_type="assignments",
                record_id=a.id,
            )
        )
    m = file.party_membership
    if m is not None:
        out.append(
            TimelineEntry(
                start=m.admitted_on,
                kind="party.admitted",
                summary=m.status,
                record_type="party_memberships",
                record_id=m.id,
            )
        )
        if m.official_on:
            out.append(
                TimelineEntry(
                    start=m.official_on,
                    kind="party.official",
                    summary="",
                    record_type="party_memberships",
                    record_id=m.id,
                )
            )
    for e in file.party_events:
        what = e.to_status if e.kind == "status" else "transfer"
        out.append(
            TimelineEntry(
                start=e.effective_on,
                kind=f"party.{e.kind}",
                summary=what or "",
                record_type="party_events",
                record_id=e.id,
            )
        )
    for q in file.qualifications:
        if q.awarded_on:
            out.append(
                TimelineEntry(
                    start=q.awarded_on,
                    end=q.expires_on,
                    kind=f"qualification.{q.kind}",
                    summary=q.level,
                    record_type="qualifications",
                    record_id=q.id,
                )
            )
    for t in file.trainings:
        out.append(
            TimelineEntry(
                start=t.valid_from,
                end=t.valid_to,
                kind="training",
                summary=t.course,
                record_type="trainings",
                record_id=t.id,
            )
        )
    for ev in file.evaluations:
        out.append(
            TimelineEntry(
                start=_period_start(ev.period),
                kind=f"evaluation.{ev.period_kind}",
                summary=f"{ev.period} {ev.classification}",
                record_type="evaluations",
                record_id=ev.id,
            )
        )
    for d in file.disciplines:
        out.append(
            TimelineEntry(
                start=d.effective_from,
                end=d.effective_to,
                kind=f"discipline.{d.authority}",
                summary=d.form,
                record_type="disciplines",
                record_id=d.id,
            )
        )
    for c in file.commendations:
        out.append(
            TimelineEntry(
                start=c.decided_on,
                kind="commendation",
                summary=c.title,
                record_type="commendations",
                record_id=c.id,
            )
        )
    out.extend(_declared(file))
    out.sort(key=lambda e: (e.start, e.kind, str(e.record_id)))
    return out


def timeline_kinds() -> list[RecordKind]:
    """The catalogued sections of the file the timeline reads from their declaration."""
    return [
        k for k in KINDS.values() if k.timeline is not None and k.table in PersonFile.model_fields
    ]


def _declared(file: PersonFile) -> list[TimelineEntry]:
    out: list[TimelineEntry] = []
    for kind in timeline_kinds():
        spec = kind.timeline
        assert spec is not None
        for rec in getattr(file, kind.table):
            masked = set(getattr(rec, "masked_fields", ()))
            start = _day(None if spec.start in masked else getattr(rec, spec.start))
            if start is None:
                continue
            end = _day(getattr(rec, spec.end)) if spec.end and spec.end not in masked else None
            what = getattr(rec, spec.summary) if spec.summary else None
            hidden = spec.summary in masked
            out.append(
                TimelineEntry(
                    start=start,
                    end=end,
                    kind=kind.table,
                    summary="" if what is None or hidden else str(what),
                    record_type=kind.table,
                    record_id=getattr(rec, "id", None),
                )
            )
    return out


def _day(value: object) -> dt.date | None:
    """A date, or the first day of a partial date's period (stored as "2004", "2004-03")."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        part = PartialDate.parse(str(value))
    except ValueError:
        return None
    return dt.date(part.year, part.month or 1, part.day or 1)


def _position_titles(session: Session, ids: list[Any]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(sa.select(Position.id, Position.title).where(Position.id.in_(wanted)))
    return {r[0]: r[1] for r in rows}
