"""The records of a file over HTTP: work history, evaluation, qualifications and planning
(party membership: ``test_party_api``; documents and retirement: ``test_documents_retire_api``)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import (
    API,
    assert_error,
    changing,
    counts,
    etag,
    issue_fields,
    new_person,
    post,
    send,
)
from tests.factories import World


def people(client: TestClient, world: World, n: int, first: int = 100) -> list[str]:
    return [str(world.persons["a"].id)] + [
        new_person(client, world, "officer_a", world.cell_a.id, first + i)["id"]
        for i in range(n - 1)
    ]


def appoint(
    client: TestClient, world: World, person: str, position: str, start: str, end: str | None = None
) -> Any:
    body = {
        "person_id": person,
        "position_id": position,
        "kind": "appointment",
        "valid_from": start,
    }
    return send(client, world, "assignments", body | ({"valid_to": end} if end else {}))


def two_seats(client: TestClient, world: World) -> str:
    """A post of cell A with room for two holders at once."""
    body = {"org_unit_id": str(world.cell_a.id), "title": "Ủy viên chi ủy", "headcount": 2}
    return str(post(client, world, "officer_a", "positions", body)["id"])


# --- assignments -----------------------------------------------------------------------------


def test_headcount_is_never_exceeded(client: TestClient, world: World, session: Session) -> None:
    a, b, c = people(client, world, 3)
    post_id = str(world.positions["cell_a_secretary"].id)  # headcount 1
    first = appoint(client, world, a, post_id, "2020-01-01", "2022-12-31")
    assert first.status_code == 201, first.text
    before = counts(session)
    clash = appoint(client, world, b, post_id, "2022-12-31")  # ends are inclusive
    assert_error(clash, 409, "conflict")
    assert "headcount" in clash.json()["error"]["message"]
    assert_error(appoint(client, world, c, post_id, "2019-06-01"), 409)  # open end covers 2020
    assert counts(session) == before
    assert appoint(client, world, b, post_id, "2023-01-01").status_code == 201  # handover
    earlier = appoint(client, world, c, post_id, "2019-01-01", "2019-12-31")
    assert earlier.status_code == 201
    # Stretching a stint into the next holder's time is refused as well.
    r = client.patch(
        f"{API}/assignments/{earlier.json()['id']}",
        json={"valid_to": "2020-01-01"},
        headers=changing(world, "officer_a", earlier.headers["etag"]),
    )
    assert_error(r, 409)


def test_same_person_may_not_hold_one_post_twice_at_once(client: TestClient, world: World) -> None:
    pid = str(world.persons["a"].id)
    clerk = two_seats(client, world)
    assert appoint(client, world, pid, clerk, "2021-01-01", "2023-06-30").status_code == 201
    r = appoint(client, world, pid, clerk, "2023-06-30")
    assert_error(r, 409)
    assert "already holds" in r.json()["error"]["message"]
    assert appoint(client, world, pid, clerk, "2023-07-01").status_code == 201


def test_assignment_may_not_end_before_it_starts(
    client: TestClient, world: World, session: Session
) -> None:
    pid, post_id = str(world.persons["a"].id), str(world.positions["cell_a_secretary"].id)
    before = counts(session)
    r = appoint(client, world, pid, post_id, "2024-05-01", "2024-04-30")
    assert_error(r, 422, "invalid")
    assert "body.valid_to" in issue_fields(r)
    assert counts(session) == before


def test_posts_outside_the_callers_scope_are_unknown(
    client: TestClient, world: World, session: Session
) -> None:
    """Officer A cannot appoint or plan its people onto the People's Committee's post."""
    pid, clerk = str(world.persons["a"].id), str(world.positions["office_clerk"].id)
    before = counts(session)
    r = appoint(client, world, pid, clerk, "2024-01-01")
    assert_error(r, 422)
    assert issue_fields(r) == {"body.position_id"}
    unknown = appoint(client, world, pid, "0b8e8d1c-5a43-4d7e-8c1f-1e2d3c4b5a69", "2024-01-01")
    assert unknown.json()["error"]["issues"] == r.json()["error"]["issues"]  # tells nothing
    body = {"person_id": pid, "position_id": clerk, "term": "2025-2030", "decided_on": "2025-01-01"}
    assert "body.position_id" in issue_fields(send(client, world, "planning-entries", body))
    assert counts(session) == before
    # A registry-wide administrator may place anyone on any post.
    body = {
        "person_id": pid,
        "position_id": clerk,
        "kind": "appointment",
        "valid_from": "2024-01-01",
    }
    assert send(client, world, "assignments", body, who="admin").status_code == 201


def test_lowering_headcount_below_holders_conflicts(client: TestClient, world: World) -> None:
    a, b = people(client, world, 2)
    clerk = two_seats(client, world)
    assert appoint(client, world, a, clerk, "2024-01-01").status_code == 201
    assert appoint(client, world, b, clerk, "2024-06-01").status_code == 201
    tag = etag(client, world, f"positions/{clerk}")
    r = client.patch(
        f"{API}/positions/{clerk}", json={"headcount": 1}, headers=changing(world, "admin", tag)
    )
    assert_error(r, 409)


# --- evaluations -----------------------------------------------------------------------------


def evaluate(
    client: TestClient, world: World, period: str, general: int, task: int, **over: Any
) -> Any:
    body = {
        "person_id": str(world.persons["a"].id),
        "period": period,
        "general_points": general,
        "task_points": task,
    }
    return send(client, world, "evaluations", body | over)


def discipline(client: TestClient, world: World, form: str, on: str) -> None:
    body = {
        "person_id": str(world.persons["a"].id),
        "authority": "party",
        "form": form,
        "decided_on": on,
        "effective_from": on,
    }
    post(client, world, "officer_a", "disciplines", body)


@pytest.mark.parametrize(
    ("general", "task", "band"),
    [
        (30, 60, "HTXS"),
        (27, 62, "HTT"),
        (20, 50, "HTT"),
        (20, 49, "HT"),
        (10, 39, "KHT"),
        (0, 0, "KHT"),
    ],
)
def test_classification_is_derived_from_points(
    client: TestClient, world: World, general: int, task: int, band: str
) -> None:
    r = evaluate(client, world, "2024", general, task)
    assert r.status_code == 201, r.text
    assert (r.json()["derived_classification"], r.json()["classification"]) == (band, band)
    assert r.json()["applied_rules"] == []


def test_discipline_in_the_year_caps_the_classification(client: TestClient, world: World) -> None:
    discipline(client, world, "reprimand", "2025-03-01")
    capped = evaluate(client, world, "2025", 30, 65).json()
    assert (capped["derived_classification"], capped["classification"]) == ("HTXS", "HT")
    assert capped["applied_rules"] == ["discipline-reprimand-or-warning-in-year"]
    quarter = evaluate(client, world, "2025-Q4", 28, 60).json()
    assert quarter["classification"] == "HT"
    other_year = evaluate(client, world, "2024", 30, 65).json()
    assert other_year["classification"] == "HTXS" and other_year["applied_rules"] == []
    discipline(client, world, "dismissal", "2023-11-20")
    assert evaluate(client, world, "2023", 30, 65).json()["classification"] == "KHT"


def test_override_needs_a_reason_and_cannot_lift_a_cap(
    client: TestClient, world: World, session: Session
) -> None:
    before = counts(session)
    for over in ({"override_classification": "HT"}, {"override_reason": "Hội đồng xét lại"}):
        r = evaluate(client, world, "2024", 30, 65, **over)
        assert_error(r, 422)
        assert "body.override_reason" in issue_fields(r)
    assert counts(session) == before
    r = evaluate(
        client,
        world,
        "2024",
        30,
        65,
        override_classification="HT",
        override_reason="Hội đồng xét lại",
    )
    assert r.status_code == 201, r.text
    assert (r.json()["derived_classification"], r.json()["classification"]) == ("HTXS", "HT")
    discipline(client, world, "warning", "2025-02-01")
    lifted = evaluate(
        client, world, "2025", 30, 65, override_classification="HTXS", override_reason="xin nâng"
    )
    assert_error(lifted, 422)
    assert "body.override_classification" in issue_fields(lifted)
    lowered = evaluate(
        client, world, "2025", 30, 65, override_classification="KHT", override_reason="vi phạm"
    )
    assert lowered.status_code == 201 and lowered.json()["classification"] == "KHT"


def test_periods_and_terms_take_ascii_digits_only(client: TestClient, world: World) -> None:
    """Otherwise "٢٠٢٤" and "2024" would be two periods, and limits per term could be dodged."""
    r = evaluate(client, world, "٢٠٢٤", 20, 50)
    assert "body.period" in issue_fields(r)
    body = {
        "person_id": str(world.persons["a"].id),
        "position_id": str(world.positions["cell_a_secretary"].id),
        "term": "٢٠٢٥-٢٠٣٠",
        "decided_on": "2025-10-15",
    }
    assert "body.term" in issue_fields(send(client, world, "planning-entries", body))


# --- qualifications and planning -------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "level", "ok"),
    [
        ("political_theory", "cao_cap", True),
        ("political_theory", "dai_hoc", False),
        ("state_management", "chuyen_vien_chinh", True),
        ("state_management", "trung_cap", False),
        ("foreign_language", "bac_3", True),
        ("foreign_language", "B1", False),
        ("professional", "thac_si", True),
        ("it", "bac_2", False),
    ],
)
def test_qualification_level_must_be_on_its_ladder(
    client: TestClient, world: World, kind: str, level: str, ok: bool
) -> None:
    r = send(
        client,
        world,
        "qualifications",
        {"person_id": str(world.persons["a"].id), "kind": kind, "level": level},
    )
    if ok:
        assert r.status_code == 201, r.text
        bad = client.patch(
            f"{API}/qualifications/{r.json()['id']}",
            json={"level": "bac_7"},
            headers=changing(world, "officer_a", r.headers["etag"]),
        )
        assert "body.level" in issue_fields(bad)
    else:
        assert_error(r, 422)
        assert "body.level" in issue_fields(r)


def plan(
    client: TestClient, world: World, person: str, position: str, term: str = "2025-2030"
) -> Any:
    return send(
        client,
        world,
        "planning-entries",
        {"person_id": person, "position_id": position, "term": term, "decided_on": "2025-10-15"},
    )


def test_at_most_three_people_per_planned_post(client: TestClient, world: World) -> None:
    a, b, c, d = people(client, world, 4)
    post_id = str(world.positions["cell_a_secretary"].id)
    ids = [plan(client, world, p, post_id).json()["id"] for p in (a, b, c)]
    assert_error(plan(client, world, d, post_id), 409)
    assert_error(plan(client, world, a, post_id), 409)  # already in it
    assert plan(client, world, d, post_id, "2030-2035").status_code == 201
    tag = etag(client, world, f"planning-entries/{ids[0]}")
    r = client.delete(f"{API}/planning-entries/{ids[0]}", headers=changing(world, "officer_a", tag))
    assert r.status_code == 200, r.text
    assert plan(client, world, d, post_id).status_code == 201  # a retired entry frees the seat


def test_at_most_three_posts_per_person(client: TestClient, world: World) -> None:
    pid = str(world.persons["a"].id)
    posts = [
        post(
            client,
            world,
            "officer_a",
            "positions",
            {"org_unit_id": str(world.cell_a.id), "title": f"Ủy viên {i}"},
        )["id"]
        for i in range(4)
    ]
    for position in posts[:3]:
        assert plan(client, world, pid, position).status_code == 201
    assert_error(plan(client, world, pid, posts[3]), 409)
    assert_error(plan(client, world, pid, posts[3], "2020-2020"), 422)
