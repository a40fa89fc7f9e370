"""Valid-time view of a personnel file: what held in the world, in date order."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.orm import Session

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
    out.sort(key=lambda e: (e.start, e.kind, str(e.record_id)))
    return out


def _position_titles(session: Session, ids: list[Any]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(sa.select(Position.id, Position.title).where(Position.id.in_(wanted)))
    return {r[0]: r[1] for r in rows}
