"""Full standards evaluation over N persons and N/5 posts, N/10 party members who hold no post
and N/400 party cells (target: ≤ 1.5× one hand-written SQL query computing the same
shortfalls over the same data, the party obligations of every member and the reconciliation
of every cell's registers included), and the re-evaluation of one person
after a change (target p95 < 50 ms). PostgreSQL; the data is filled set-based in SQL.

The engine's time is a full run's evaluation: every finding, with its explanation (value
found, evidence, standard version, since when), written into the run's scratch table. The
hand-written query only lists (person, post, rule). Printed besides: carrying the findings
into alerts on a first run (every alert opened, each with its recorded version and audit
event) and on the next night with nothing changed (``--alerts`` to include them).

    .venv/bin/python bench/standards_evaluate.py [--persons 1000000] [--alerts] [--database-url URL]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._db import fresh_database
from registry.alerts.service import reevaluate_people, run_full
from registry.dates import today
from registry.history import Actor, set_actor
from registry.standards.engine import evaluated
from registry.standards.findings import Scratch
from registry.standards.inputs import add_months, months_before

FILL = [
    """INSERT INTO org_units (id, version, created_at, updated_at, code, name, kind, path)
       VALUES ('00000000-0000-0000-0000-000000000001', 1, now(), now(), 'VP', 'Văn phòng',
               'specialised_office', '/00000000-0000-0000-0000-000000000001/')""",
    """INSERT INTO standard_profiles (id, version, created_at, updated_at, code, name,
       effective_from, requirements) VALUES ('00000000-0000-0000-0000-000000000002', 1, now(),
       now(), 'CV', 'Chuyên viên', '2020-01-01', '{"political_theory": {"min_level":
       "trung_cap"}, "party_member": true, "recent_evaluations": {"count": 2,
       "min_classification": "HTT"}, "no_discipline_in_effect": true,
       "certificates_valid": true}')""",
    """INSERT INTO positions (id, version, created_at, updated_at, org_unit_id, title,
       is_leadership, headcount, standard_profile_id, required_rank)
       SELECT ('00000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 1, now(), now(),
              '00000000-0000-0000-0000-000000000001', 'Chuyên viên ' || g, g % 10 = 0, 5,
              '00000000-0000-0000-0000-000000000002',
              CASE WHEN g % 4 = 0 THEN '01.003' END
       FROM generate_series(1, :positions) g""",
    """INSERT INTO persons (id, version, created_at, updated_at, org_unit_id, family_name,
       middle_name, given_name, search_key, other_names, birth_date, birth_year, sex,
       ethnicity_code, religion_code, life_status, rank_code)
       SELECT ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 1, now(), now(),
              '00000000-0000-0000-0000-000000000001', 'Nguyễn', 'Văn', 'An', 'nguyen van an',
              '', (1970 + g % 30)::text, 1970 + g % 30, 'M', '01', '00', 'alive',
              CASE g % 3 WHEN 0 THEN '01.003' WHEN 1 THEN '01.004' END
       FROM generate_series(1, :persons + :extra) g""",
    # Party cells (the persons above :persons hold no post: ordinary members of a cell).
    """INSERT INTO org_units (id, version, created_at, updated_at, code, name, kind, path)
       SELECT ('20000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid, 1, now(), now(),
              'CB' || c, 'Chi bộ ' || c, 'party_cell',
              '/20000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0') || '/'
       FROM generate_series(1, :cells) c""",
    # A third of the cells reconciled last month, a third eight months ago, a third never.
    """INSERT INTO party_register_reconciliations (id, version, created_at, updated_at,
       org_unit_id, period, reconciled_on, members_in_register, members_in_files)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('20000000-0000-4000-8000-' || lpad(to_hex(c), 12, '0'))::uuid,
              to_char(d, 'YYYY') || '-H' || CASE WHEN extract(month FROM d) <= 6 THEN 1 ELSE 2 END,
              d, 10, 10
       FROM generate_series(1, :cells) c,
            LATERAL (SELECT CAST(:on AS date) - CASE c % 3 WHEN 0 THEN 30 ELSE 240 END AS d) x
       WHERE c % 3 <> 2""",
    # Leadership posts (one in ten) have a term: appointed in 2020, re-appointment is due;
    # in mid-2023, not yet; a recorded due date a month ahead is due whatever the post.
    """INSERT INTO assignments (id, version, created_at, updated_at, person_id, position_id,
       kind, valid_from, reappointment_due_on)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
              ('00000000-0000-4000-8000-' || lpad(to_hex(1 + g % :positions), 12, '0'))::uuid,
              CASE WHEN g % 13 = 6 THEN 'election' ELSE 'appointment' END,
              CASE WHEN g % 7 = 3 THEN date '2023-06-01' ELSE date '2020-01-01' END,
              CASE WHEN g % 11 = 4 THEN CAST(:on AS date) + 30 END
       FROM generate_series(1, :persons) g""",
    """INSERT INTO qualifications (id, version, created_at, updated_at, person_id, kind, level,
       expires_on)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
              'political_theory', CASE WHEN g % 5 = 0 THEN 'so_cap' ELSE 'trung_cap' END,
              CASE WHEN g % 97 = 0 THEN date '2024-01-01' END
       FROM generate_series(1, :persons) g""",
    """INSERT INTO party_memberships (id, version, created_at, updated_at, person_id,
       party_cell_id, admitted_on, official_on, status)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
              ('20000000-0000-4000-8000-' || lpad(to_hex(1 + g % :cells), 12, '0'))::uuid,
              CASE WHEN g % 1000 = 5 THEN date '2024-01-01' ELSE date '2010-01-01' END,
              CASE WHEN g % 1000 = 5 THEN NULL ELSE date '2011-01-01' END,
              CASE WHEN g % 1000 = 5 THEN 'probationary' ELSE 'official' END
       FROM generate_series(1, :persons + :extra) g WHERE g % 10 <> 0""",
    # Transfers: letters never issued (one overdue, one within the deadline), a letter issued
    # and not presented (overdue), of holders and of members without a post.
    """INSERT INTO party_transfers (id, version, created_at, updated_at, person_id, direction,
       from_organisation, decided_on, letter_issued_on, presented_on)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'in',
              'Chi bộ nơi khác',
              CAST(:on AS date) - CASE g % 500 WHEN 11 THEN 200 WHEN 13 THEN 10 ELSE 150 END,
              CASE WHEN g % 500 = 17 THEN CAST(:on AS date) - 100 END, NULL
       FROM generate_series(1, :persons + :extra) g WHERE g % 500 IN (11, 13, 17)""",
    # Dues kept by two members in three (the third owes every month since admission), one in
    # nine of them missing three months.
    """INSERT INTO party_dues_payments (id, version, created_at, updated_at, person_id, month,
       amount_vnd, paid_on)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid,
              to_char(date_trunc('month', CAST(:on AS date)) - make_interval(months => m),
                      'YYYY-MM'), 45000, CAST(:on AS date)
       FROM generate_series(1, :persons + :extra) g, generate_series(1, 12) m
       WHERE g % 3 <> 1 AND g % 10 <> 0 AND NOT (g % 9 = 0 AND m BETWEEN 4 AND 6)""",
    """INSERT INTO evaluations (id, version, created_at, updated_at, person_id, period_kind,
       period, general_points, task_points, components, derived_classification,
       classification, applied_rules)
       SELECT gen_random_uuid(), 1, now(), now(),
              ('10000000-0000-4000-8000-' || lpad(to_hex(g), 12, '0'))::uuid, 'year', y::text,
              27, 60, '{}', 'HTT', CASE WHEN g % 7 = 0 THEN 'HT' ELSE 'HTT' END, '[]'
       FROM generate_series(1, :persons) g, (VALUES (:y1), (:y2)) AS years(y)""",
    "ANALYZE",
]

# The same shortfalls as the engine's rules for this standard, written by hand as one query.
HAND = """
WITH h AS (
  SELECT a.person_id, a.position_id, p.required_rank, p.is_leadership, a.kind, a.valid_from,
    a.reappointment_due_on FROM assignments a
  JOIN positions p ON p.id = a.position_id
  WHERE a.retired_at IS NULL AND p.retired_at IS NULL AND a.valid_from <= :on
    AND (a.valid_to IS NULL OR a.valid_to >= :on)),
-- the subjects of the party obligations: each holder with each post, each member with none
ps AS (
  SELECT person_id, position_id FROM h
  UNION ALL SELECT m.person_id, NULL::uuid FROM party_memberships m
  WHERE m.retired_at IS NULL AND m.admitted_on <= :on
    AND m.status IN ('official', 'probationary', 'transferred_out')
    AND NOT EXISTS (SELECT 1 FROM h WHERE h.person_id = m.person_id))
SELECT person_id, position_id, NULL::uuid AS unit, 'qualification' AS rule FROM h
WHERE NOT EXISTS (
  SELECT 1 FROM qualifications q WHERE q.person_id = h.person_id AND q.retired_at IS NULL
    AND q.kind = 'political_theory' AND q.level IN ('trung_cap', 'cao_cap', 'cu_nhan'))
UNION ALL SELECT person_id, position_id, NULL, 'party' FROM h WHERE NOT EXISTS (
  SELECT 1 FROM party_memberships m WHERE m.person_id = h.person_id
    AND m.status IN ('official', 'probationary'))
UNION ALL SELECT person_id, position_id, NULL, 'evaluations' FROM h WHERE (
  SELECT count(DISTINCT e.period) FROM evaluations e WHERE e.person_id = h.person_id
    AND e.retired_at IS NULL AND e.period IN (:y1, :y2)
    AND e.classification IN ('HTT', 'HTXS')) < 2
UNION ALL SELECT person_id, position_id, NULL, 'certificate' FROM h WHERE EXISTS (
  SELECT 1 FROM qualifications q WHERE q.person_id = h.person_id AND q.retired_at IS NULL
    AND q.expires_on < :on)
UNION ALL SELECT person_id, position_id, NULL, 'evaluation_missing' FROM h WHERE NOT EXISTS (
  SELECT 1 FROM evaluations e WHERE e.person_id = h.person_id AND e.retired_at IS NULL
    AND e.period IN (:quarter, :quarter_year))
  AND (SELECT count(DISTINCT e.period) FROM evaluations e WHERE e.person_id = h.person_id
    AND e.retired_at IS NULL AND e.period IN (:m1, :m2, :m3)) < 3
UNION ALL SELECT h.person_id, h.position_id, NULL, 'rank' FROM h
  JOIN persons p ON p.id = h.person_id
  WHERE h.required_rank = '01.003'
    AND (p.rank_code IS NULL OR p.rank_code NOT IN ('01.001', '01.002', '01.003'))
-- re-appointment due: the recorded date, or the end of a leadership term (the day before
-- its anniversary; 29 February ends on 28 February), within the warning months
UNION ALL SELECT h.person_id, h.position_id, NULL, 'reappointment' FROM h
  WHERE h.reappointment_due_on <= :reappointment_horizon
    OR (h.reappointment_due_on IS NULL AND h.is_leadership
        AND h.kind IN ('appointment', 'rotation', 'acting')
        AND CASE WHEN to_char(h.valid_from, 'MM-DD') = '02-29'
                 THEN make_date(extract(year FROM h.valid_from)::int + :term_years, 2, 28)
                 ELSE (h.valid_from + make_interval(years => :term_years))::date - 1
            END <= :reappointment_horizon)
UNION ALL SELECT ps.person_id, ps.position_id, NULL, 'probation' FROM ps
  JOIN party_memberships m ON m.person_id = ps.person_id
  WHERE m.status = 'probationary' AND m.admitted_on < :probation_limit
    AND NOT EXISTS (SELECT 1 FROM party_probations pr WHERE pr.membership_id = m.id
      AND pr.retired_at IS NULL AND pr.decided_on IS NOT NULL)
UNION ALL SELECT ps.person_id, ps.position_id, NULL, 'transfer' FROM ps
  JOIN party_transfers t ON t.person_id = ps.person_id
  WHERE t.retired_at IS NULL AND t.presented_on IS NULL AND t.decided_on <= :on
    -- past the deadline: at least 60 (30) working days after the decision (the letter) and
    -- before the date judged
    AND (SELECT count(*) FROM generate_series(coalesce(t.letter_issued_on, t.decided_on) + 1,
           CAST(:on AS date) - 1, interval '1 day') d WHERE extract(isodow FROM d) < 6)
      >= CASE WHEN t.letter_issued_on IS NULL THEN 60 ELSE 30 END
UNION ALL SELECT d.person_id, d.position_id, NULL, 'dues' FROM (
  SELECT ps.person_id, ps.position_id, m.admitted_on,
    greatest(to_char(m.admitted_on, 'YYYY-MM'), :dues_start) AS begins
  FROM ps JOIN party_memberships m ON m.person_id = ps.person_id
  WHERE m.retired_at IS NULL AND m.status IN ('official', 'probationary')) d
  -- owed from admission (or the window's start), paid or not
  WHERE :dues_end_index - (substr(d.begins, 1, 4)::int * 12 + substr(d.begins, 6, 2)::int)
      - (SELECT count(DISTINCT x.month) FROM party_dues_payments x
         WHERE x.person_id = d.person_id AND x.retired_at IS NULL
           AND x.month >= :dues_start AND x.month < :dues_end
           AND x.month >= to_char(d.admitted_on, 'YYYY-MM')) >= 3
UNION ALL SELECT NULL, NULL, c.id, 'reconciliation' FROM (
  SELECT o.id,
    (SELECT max(r.reconciled_on) FROM party_register_reconciliations r
     WHERE r.org_unit_id = o.id AND r.retired_at IS NULL AND r.reconciled_on <= :on) AS last,
    (SELECT min(m.admitted_on) FROM party_memberships m WHERE m.party_cell_id = o.id
       AND m.retired_at IS NULL AND m.status IN ('official', 'probationary')
       AND m.admitted_on <= :on) AS earliest
  FROM org_units o
  WHERE o.retired_at IS NULL AND o.kind IN ('party_cell', 'party_committee')) c
  WHERE c.earliest IS NOT NULL AND coalesce(c.last, c.earliest) < :reconciliation_limit
"""


# The engine's rules under the labels of the hand-written query.
LABELS = {
    "qualification.political_theory": "qualification",
    "party_member": "party",
    "recent_evaluations": "evaluations",
    "certificates_valid": "certificate",
    "missing_evaluation": "evaluation_missing",
    "rank_mismatch": "rank",
    "probation_overdue": "probation",
    "transfer_overdue": "transfer",
    "dues_arrears": "dues",
    "reappointment_due": "reappointment",
    "register_reconciliation_overdue": "reconciliation",
}


def _differences(session: Session, sc: Scratch) -> int:
    """(person, post, org unit of a finding of neither, rule) in one result and not in the
    other, both ways: must be 0."""
    t = sc.findings.c
    label = sa.case(LABELS, value=sc.statements.c.rule, else_=sc.statements.c.rule)
    unit = sa.case((sa.and_(t.person_id.is_(None), t.position_id.is_(None)), t.org_unit_id))
    ours = (
        sa.select(t.person_id, t.position_id, unit, label)
        .join(sc.statements, sc.statements.c.no == sc.findings.c.stmt)
        .subquery()
    )
    theirs = sa.text("SELECT * FROM hand").columns(
        sa.column("person_id", sa.Uuid),
        sa.column("position_id", sa.Uuid),
        sa.column("unit", sa.Uuid),
        sa.column("rule"),
    )
    mine = sa.select(ours)
    hand = sa.select(theirs.subquery())
    count = 0
    for a, b in ((mine, hand), (hand, mine)):
        diff = sa.except_all(a, b).subquery()
        count += session.scalar(sa.select(sa.func.count()).select_from(diff)) or 0
    return count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    parser.add_argument("--alerts", action="store_true", help="also time run_full twice")
    args = parser.parse_args()
    on = today()
    quarter = (on.month - 1) // 3
    q_year = on.year if quarter else on.year - 1
    last_month = 3 * (quarter or 4)
    this_month = on.replace(day=1)
    start = this_month.replace(year=this_month.year - 1)  # the 12 closed months
    params = {
        "persons": args.persons,
        "positions": args.persons // 5,
        "extra": args.persons // 10,  # party members who hold no post
        "cells": max(3, args.persons // 400),
        "probation_limit": months_before(on, 12),
        "reconciliation_limit": months_before(on, 6),
        "y1": str(on.year - 1),
        "y2": str(on.year - 2),
        "on": on,
        "quarter": f"{q_year}-Q{quarter or 4}",
        # an annual evaluation covers the fourth quarter only
        "quarter_year": str(q_year) if last_month == 12 else "-",
        "m1": f"{q_year}-{last_month - 2:02d}",
        "m2": f"{q_year}-{last_month - 1:02d}",
        "m3": f"{q_year}-{last_month:02d}",
        "dues_start": start.strftime("%Y-%m"),
        "dues_end": this_month.strftime("%Y-%m"),
        "dues_end_index": this_month.year * 12 + this_month.month,
        # the rule parameters' defaults (registry/standards/parameters.py)
        "term_years": 5,
        "reappointment_horizon": add_months(on, 3),
    }
    with fresh_database(args.database_url) as engine:
        started = time.perf_counter()
        with engine.begin() as conn:
            for stmt in FILL:
                conn.execute(sa.text(stmt), params)
        print(
            f"filled {args.persons:,} persons holding posts and {params['extra']:,} members "
            f"without one, {args.persons // 5:,} posts, {params['cells']:,} party cells "
            f"in {time.perf_counter() - started:.0f} s"
        )
        with Session(engine) as session:
            started = time.perf_counter()
            hand = session.execute(sa.text(HAND), params).all()
            hand_s = time.perf_counter() - started
            session.rollback()
            started = time.perf_counter()
            session.execute(sa.text(f"CREATE TEMP TABLE hand AS {HAND}"), params)
            hand_table_s = time.perf_counter() - started
            started = time.perf_counter()
            with evaluated(session, on=on) as sc:
                ours_s = time.perf_counter() - started
                findings = session.scalar(sa.select(sa.func.count()).select_from(sc.findings))
                differ = _differences(session, sc)
            session.rollback()
            set_actor(session, Actor("bench", "admin", "bench re-evaluation"))
            runs = []
            if args.alerts:
                for _ in range(2):
                    t0 = time.perf_counter()
                    counts = run_full(session, on=on)
                    session.commit()
                    runs.append((time.perf_counter() - t0, counts))
                    set_actor(session, Actor("bench", "admin", "bench full run"))
            rng = random.Random(5)
            times = []
            for _ in range(60):
                person = f"10000000-0000-4000-8000-{rng.randrange(1, args.persons):012x}"
                t0 = time.perf_counter()
                reevaluate_people(session, {uuid.UUID(person)})
                times.append(time.perf_counter() - t0)
            session.rollback()
    times.sort()
    findings = findings or 0
    print(f"hand-written SQL, fetched : {len(hand):>9,} shortfall rows in {hand_s:6.2f} s")
    print(f"hand-written SQL, to table: {len(hand):>9,} shortfall rows in {hand_table_s:6.2f} s")
    hand_s = min(hand_s, hand_table_s)  # the ratio is against the faster of the two
    print(
        f"standards engine (full)   : {findings:>9,} findings       in {ours_s:6.2f} s"
        f"  ratio {ours_s / hand_s:.2f} (target ≤ 1.5)"
    )
    print(f"findings differing from the hand-written query's rows: {differ}")
    by_rule: dict[str, int] = {}
    for row in hand:
        by_rule[row[3]] = by_rule.get(row[3], 0) + 1
    print("  by rule: " + ", ".join(f"{rule} {n:,}" for rule, n in sorted(by_rule.items())))
    for label, (secs, counts) in zip(("first run_full", "next run_full"), runs, strict=False):
        print(
            f"{label:<26}: {secs:6.2f} s  (opened {counts['opened']:,}, resolved "
            f"{counts['resolved']:,}, updated {counts['updated']:,})"
        )
    print(
        f"re-evaluate one person    : p50 {times[len(times) // 2] * 1000:.1f} ms, "
        f"p95 {times[int(len(times) * 0.95)] * 1000:.1f} ms (target p95 < 50 ms)"
    )


if __name__ == "__main__":
    main()
