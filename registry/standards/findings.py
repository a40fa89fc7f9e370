"""A finding: one rule unmet for one subject, explained.

Subjects, and the key of each (``finding_key``; one active alert per key):

- a post: ``rule:<position_id>`` (a vacancy; person and post-less columns empty);
- a post and its holder: ``rule:<position_id>:<person_id>`` (every rule of a post's standard,
  and the party obligations of a member who holds a post);
- a party member who holds no post: ``rule:member:<person_id>``, position empty, the org unit
  the member's party cell (the party obligations of every member: probation, transfer, dues);
- a party organisation: ``rule:unit:<org_unit_id>``, person and post empty (the six-monthly
  reconciliation of its registers).

In a run's scratch table ``subject`` is the holder or member when there is one, else the post,
else the org unit; a finding is matched to its alert by (post, subject, rule), a post-less one
by (subject, rule) among the post-less alerts.

A run keeps its findings in two scratch tables: ``statements`` (what is required: the rule,
the requirement, the version of the standard, a value found when it is the same for all; a
few rows) and ``findings`` (one narrow row per shortfall: the statement it falls short of,
post, holder, since when, and the per-holder explanation as JSON text built in the database).
A ``Finding`` object is made only when a caller asks for a list (an API answer, candidates, a
dry run), never per finding of a full run."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from registry.standards.sqlfn import SqlFn, cat

FINDING_COLUMNS = (
    "stmt",
    "position_id",
    "person_id",
    "subject",
    "org_unit_id",
    "since",
    "explained",
)


def finding_key(
    rule: str,
    position_id: uuid.UUID | None,
    person_id: uuid.UUID | None,
    org_unit_id: uuid.UUID | None = None,
) -> str:
    """The subject's key (the module's docstring): one active alert per key."""
    if position_id is not None:
        subject = f"{position_id}:{person_id}" if person_id else str(position_id)
    elif person_id is not None:
        subject = f"member:{person_id}"
    else:
        subject = f"unit:{org_unit_id}"
    return f"{rule}:{subject}"


@dataclass(frozen=True, slots=True)
class Statement:
    """A requirement as stated by one version of a standard (or by the rule itself)."""

    rule: str
    requirement: str  # JSON text
    standard: str | None  # JSON text of the version in force, None for rules of every post
    found: str | None = None  # JSON text of a value found that is the same for every holder

    def row(self, no: int) -> dict[str, Any]:
        return {
            "no": no,
            "rule": self.rule,
            "requirement": self.requirement,
            "standard": self.standard,
            "found": self.found,
        }


@dataclass(slots=True)
class Finding:
    rule: str
    position_id: uuid.UUID | None  # None: a member without a post, or an org unit
    org_unit_id: uuid.UUID
    since: dt.date
    person_id: uuid.UUID | None = None
    requirement: dict[str, Any] = field(default_factory=dict)
    found: Any = None
    evidence: list[dict[str, str]] = field(default_factory=list)
    standard: dict[str, str] | None = None

    @property
    def key(self) -> str:
        return finding_key(self.rule, self.position_id, self.person_id, self.org_unit_id)

    def details(self) -> dict[str, Any]:
        return {
            "requirement": self.requirement,
            "found": self.found,
            "evidence": self.evidence,
            "standard": self.standard,
        }

    def statement(self) -> Statement:
        return Statement(
            self.rule,
            json.dumps(self.requirement),
            None if self.standard is None else json.dumps(self.standard),
        )

    def as_row(self, stmt: int) -> dict[str, Any]:
        """The scratch row of a finding computed in Python (rules that need the retirement
        schedule or concern a handful of posts)."""
        explained = (
            None
            if self.found is None and not self.evidence
            else json.dumps({"found": self.found, "evidence": self.evidence})
        )
        return {
            "stmt": stmt,
            "position_id": self.position_id,
            "person_id": self.person_id,
            "subject": self.person_id or self.position_id or self.org_unit_id,
            "org_unit_id": self.org_unit_id,
            "since": self.since,
            "explained": explained,
        }

    @classmethod
    def from_row(cls, m: Mapping[Any, Any]) -> Finding:
        """From a findings row joined to its statement."""
        explained = json.loads(m["explained"]) if m["explained"] is not None else {}
        found = explained.get("found")
        if found is None and m["found"] is not None:
            found = json.loads(m["found"])
        return cls(
            m["rule"],
            m["position_id"],
            m["org_unit_id"],
            m["since"],
            m["person_id"],
            requirement=json.loads(m["requirement"]),
            found=found,
            evidence=explained.get("evidence") or [],
            standard=None if m["standard"] is None else json.loads(m["standard"]),
        )


def details_of(m: Mapping[Any, Any]) -> dict[str, Any]:
    return Finding.from_row(m).details()


@dataclass(frozen=True)
class Scratch:
    """The two temporary tables of one run (gone with the connection)."""

    statements: sa.Table
    findings: sa.Table

    def joined(self) -> sa.Select[Any]:
        """Every finding with its statement: the columns ``Finding.from_row`` reads."""
        t, s = self.findings, self.statements
        return sa.select(
            s.c.rule,
            s.c.requirement,
            s.c.standard,
            s.c.found,
            *[t.c[c] for c in FINDING_COLUMNS if c != "stmt"],
        ).join(s, s.c.no == t.c.stmt)


def _scratch() -> Scratch:
    """Temporary tables of fixed names (one run at a time per connection), defined once so
    that statements over them are compiled once."""
    meta = sa.MetaData()
    statements = sa.Table(
        "standards_run_statements",
        meta,
        sa.Column("no", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("rule", sa.String(64), nullable=False),
        sa.Column("requirement", sa.Text, nullable=False),
        sa.Column("standard", sa.Text),
        sa.Column("found", sa.Text),
        prefixes=["TEMPORARY"],
    )
    findings = sa.Table(
        "standards_run_findings",
        meta,
        sa.Column("stmt", sa.Integer, nullable=False),
        sa.Column("position_id", sa.Uuid),  # NULL: a member without a post, an org unit
        sa.Column("person_id", sa.Uuid),
        sa.Column("subject", sa.Uuid, nullable=False),  # the holder/member, post or org unit
        sa.Column("org_unit_id", sa.Uuid, nullable=False),
        sa.Column("since", sa.Date, nullable=False),
        sa.Column("explained", sa.Text),
        prefixes=["TEMPORARY"],
    )
    return Scratch(statements, findings)


SCRATCH = _scratch()
# Built after the findings are written (cheaper than keeping it up while they are), for
# matching them to alerts by subject.
SUBJECT_INDEX = sa.text(
    "CREATE INDEX standards_run_findings_subject"
    " ON standards_run_findings (position_id, subject, stmt)"
)


def basis(m: Mapping[Any, Any]) -> str:
    """Everything an alert's explanation is made of, as one string: when it differs from the
    alert's, the explanation changed. ``basis_sql`` computes the same in the database."""
    return "|".join(
        [
            m["since"].isoformat(),
            m["explained"] or "",
            m["found"] or "",
            m["standard"] or "",
            m["requirement"],
        ]
    )


def basis_sql(findings: Any, statements: Any, *, pg: bool) -> Any:
    t, s = findings.c, statements.c

    def opt(col: Any) -> Any:
        return sa.func.coalesce(col, "")

    # ISO whatever the server's DateStyle and time zone (SQLite keeps dates as ISO text)
    since = SqlFn("postgresql" if pg else "sqlite").iso_date(t.since)
    return cat(
        since,
        "|",
        opt(t.explained),
        "|",
        opt(s.found),
        "|",
        opt(s.standard),
        "|",
        s.requirement,
    )
