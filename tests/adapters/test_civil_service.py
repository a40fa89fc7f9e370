"""The civil-service client against the civil-service simulator over loopback HTTP."""

from __future__ import annotations

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Callable, Iterator

import httpx
import pytest

from adapters import errors
from adapters.civil_service.client import CivilServiceClient, Page, newest_per_nid
from adapters.civil_service.mapping import (
    EvaluationData,
    OfficialPush,
    WorkPeriodData,
    to_write,
)
from adapters.civil_service.simulator import CivilServiceSim
from adapters.civil_service.wire import Official
from adapters.simkit import SimClock

Make = Callable[..., CivilServiceClient]
NEW_NID = "031185001234"


def pull_all(
    client: CivilServiceClient, limit: int, since: dt.datetime | None = None
) -> list[Official]:
    items: list[Official] = []
    page = client.pull(since, None, limit)
    for _ in range(1000):
        items += page.items
        if page.next_cursor is None:
            return items
        page = client.pull(since, page.next_cursor, limit)
    raise AssertionError("paging never ended")


def test_paging_with_ties_repeats_and_disorder_yields_everyone_once(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    nids = cs_sim.store.seed(120, distinct_seconds=3)  # ~40 officials share each second
    cs_sim.knobs.duplicate_rate = 0.7
    cs_sim.knobs.out_of_order_rate = 0.7
    items = pull_all(make_cs_client(), limit=7)
    counts = Counter(i.nid for i in items)
    assert max(counts.values()) > 1  # the knobs did repeat items
    assert sorted(newest_per_nid(items)) == sorted(nids)


def test_an_official_changed_while_paging_comes_again_newer(
    cs_sim: CivilServiceSim, sim_clock: SimClock, make_cs_client: Make
) -> None:
    nids = cs_sim.store.seed(10)
    client = make_cs_client()
    first = client.pull(None, None, 5)
    changed = first.items[0].nid
    sim_clock.advance(2)
    cs_sim.store.touch(changed, salary_step=9)
    rest: list[Official] = []
    page: Page = first
    while page.next_cursor:
        page = client.pull(None, page.next_cursor, 5)
        rest += page.items
    newest = newest_per_nid(first.items + rest)
    assert sorted(newest) == sorted(nids)
    assert newest[changed].version == 2 and newest[changed].salary_step == 9


def test_changed_since_is_inclusive_and_watermark_is_newest(
    cs_sim: CivilServiceSim, sim_clock: SimClock, make_cs_client: Make
) -> None:
    cs_sim.store.seed(5, distinct_seconds=1)
    sim_clock.advance(60)
    later = cs_sim.store.seed(4, distinct_seconds=1)
    watermark = dt.datetime.fromisoformat(cs_sim.store.officials[later[0]]["updated_at"])
    client = make_cs_client()
    assert sorted(i.nid for i in pull_all(client, 3, since=watermark)) == sorted(later)
    assert client.pull(None, None, 1).high_watermark == watermark


def test_cursor_older_than_15_minutes_is_cursor_expired(
    cs_sim: CivilServiceSim, sim_clock: SimClock, make_cs_client: Make
) -> None:
    cs_sim.store.seed(10)
    client = make_cs_client()
    cursor = client.pull(None, None, 3).next_cursor
    sim_clock.advance(14 * 60)
    cursor = client.pull(None, cursor, 3).next_cursor  # still fine, and a fresh cursor
    sim_clock.advance(15 * 60 + 1)
    with pytest.raises(errors.CursorExpired):
        client.pull(None, cursor, 3)


def test_malformed_cursor_is_a_bad_request(make_cs_client: Make) -> None:
    with pytest.raises(errors.BadRequest):
        make_cs_client().pull(None, "made-up", 3)


def _create(client: CivilServiceClient, key: uuid.UUID, **fields: object) -> object:
    push = OfficialPush(
        nid=NEW_NID,
        full_name="Nguyễn Thị Thu Hà",
        birth_date="1985-03-14",
        sex="F",
        agency_code="H31.11311",
        position_title="Phó Chủ tịch UBND phường",
        **fields,  # type: ignore[arg-type]
    )
    return client.put(NEW_NID, to_write(push), idempotency_key=key, if_match=None)


def test_create_then_replay_answers_the_same_without_a_second_write(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    client = make_cs_client()
    key = uuid.uuid4()
    first = _create(client, key)
    again = _create(client, key)
    assert first == again
    assert cs_sim.store.writes == 1
    official, etag = client.get(NEW_NID)
    assert etag == 1 and official.civil_servant_no is not None


def test_same_key_with_another_body_is_idempotency_key_reused(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    client = make_cs_client()
    key = uuid.uuid4()
    _create(client, key)
    with pytest.raises(errors.IdempotencyKeyReused):
        _create(client, key, evaluations=(EvaluationData("2026-Q1", "HTT", 86),))
    assert cs_sim.store.writes == 1


def test_create_of_an_existing_official_is_already_exists(make_cs_client: Make) -> None:
    client = make_cs_client()
    _create(client, uuid.uuid4())
    with pytest.raises(errors.AlreadyExists):
        _create(client, uuid.uuid4())


def test_stale_version_is_a_conflict_and_the_same_key_may_retry(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    [nid] = cs_sim.store.seed(1)
    client = make_cs_client()
    _, etag = client.get(nid)
    cs_sim.store.touch(nid, rank_code="01.002")  # the ministry changed it meanwhile
    body = to_write(OfficialPush(nid=nid, position_title="Chủ tịch UBND phường"))
    key = uuid.uuid4()
    with pytest.raises(errors.VersionConflict):
        client.put(nid, body, idempotency_key=key, if_match=etag)
    _, fresh = client.get(nid)
    written = client.put(nid, body, idempotency_key=key, if_match=fresh)
    assert (written.etag, written.created) == (fresh + 1, False)
    assert written.official.rank_code == "01.002"  # theirs, untouched by our push


def test_if_match_on_an_unknown_official_is_a_conflict(make_cs_client: Make) -> None:
    body = to_write(OfficialPush(nid=NEW_NID, position_title="Chủ tịch UBND phường"))
    with pytest.raises(errors.VersionConflict):
        make_cs_client().put(NEW_NID, body, idempotency_key=uuid.uuid4(), if_match=1)


def test_unknown_codes_are_rejected_and_the_answer_remembered(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    client = make_cs_client()
    key = uuid.uuid4()
    history = (WorkPeriodData(dt.date(2020, 1, 1), None, "X99.99999", "Chuyên viên"),)
    for _ in range(2):
        with pytest.raises(errors.Rejected) as caught:
            _create(client, key, work_history=history)
        assert [(i.field, i.code) for i in caught.value.remote_issues] == [
            ("work_history[0].agency_code", "unknown_code")
        ]
    assert cs_sim.store.writes == 0
    assert cs_sim.core.hits[f"PUT /api/v1/officials/{NEW_NID}"] == 2  # 422 is not retried


def test_absent_fields_stay_and_present_lists_replace(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    evaluations = (EvaluationData("2025", "HTT", 85), EvaluationData("2026-Q1", "HTXS", 92))
    client = make_cs_client()
    _create(client, uuid.uuid4(), evaluations=evaluations)
    _, etag = client.get(NEW_NID)
    only_title = to_write(OfficialPush(nid=NEW_NID, position_title="Chủ tịch UBND phường"))
    written = client.put(NEW_NID, only_title, idempotency_key=uuid.uuid4(), if_match=etag)
    assert [e.period for e in written.official.evaluations or ()] == ["2025", "2026-Q1"]
    replace = to_write(OfficialPush(nid=NEW_NID, evaluations=()))
    written = client.put(NEW_NID, replace, idempotency_key=uuid.uuid4(), if_match=written.etag)
    assert written.official.evaluations == []
    assert written.official.position_title == "Chủ tịch UBND phường"


def test_put_is_retried_on_5xx_under_its_key_and_writes_once(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    cs_sim.core.fail_next(503)
    written = _create(make_cs_client(), uuid.uuid4())
    assert cs_sim.store.writes == 1 and written is not None


def test_put_refuses_a_body_about_someone_else(make_cs_client: Make) -> None:
    body = to_write(OfficialPush(nid="031185009999", position_title="Chủ tịch UBND phường"))
    with pytest.raises(ValueError):
        make_cs_client().put(NEW_NID, body, idempotency_key=uuid.uuid4(), if_match=1)


class TestSimulatorRules:
    """Rules the client never provokes, checked with raw HTTP against the simulator."""

    @pytest.fixture
    def http(self, cs_url: str) -> Iterator[httpx.Client]:
        token = httpx.post(
            f"{cs_url}/oauth2/token",
            data={"grant_type": "client_credentials", "client_id": "registry",
                  "client_secret": "simulator-secret"},
        ).json()["access_token"]  # fmt: skip
        with httpx.Client(base_url=cs_url, headers={"Authorization": f"Bearer {token}"}) as c:
            yield c

    def test_missing_key_is_400_and_missing_precondition_is_428(self, http: httpx.Client) -> None:
        body = {"nid": NEW_NID, "position_title": "Chủ tịch"}
        path = f"/api/v1/officials/{NEW_NID}"
        assert http.put(path, json=body, headers={"If-None-Match": "*"}).status_code == 400
        both = {"Idempotency-Key": "k1", "If-None-Match": "*", "If-Match": '"1"'}
        assert http.put(path, json=body, headers=both).status_code == 428
        assert http.put(path, json=body, headers={"Idempotency-Key": "k2"}).status_code == 428

    def test_fields_the_registry_does_not_own_are_ignored(self, http: httpx.Client) -> None:
        body = {"nid": NEW_NID, "full_name": "Nguyễn Văn An", "birth_date": "1980",
                "sex": "1", "rank_code": "01.001", "salary_step": 9}  # fmt: skip
        headers = {"Idempotency-Key": "k3", "If-None-Match": "*"}
        answer = http.put(f"/api/v1/officials/{NEW_NID}", json=body, headers=headers)
        assert answer.status_code == 201
        assert answer.headers["ETag"] == '"1"'
        assert (answer.json()["rank_code"], answer.json()["salary_step"]) == (None, None)

    def test_unknown_rank_code_is_unknown_code(self, http: httpx.Client) -> None:
        body = {"nid": NEW_NID, "full_name": "Nguyễn Văn An", "birth_date": "1980",
                "sex": "1", "rank_code": "99.999"}  # fmt: skip
        headers = {"Idempotency-Key": "k4", "If-None-Match": "*"}
        answer = http.put(f"/api/v1/officials/{NEW_NID}", json=body, headers=headers)
        assert answer.status_code == 422
        assert answer.json()["errors"][0] == {
            "field": "rank_code",
            "code": "unknown_code",
            "message": "not in the ministry's code list",
        }

    def test_bad_limit_and_changed_since_are_400(self, http: httpx.Client) -> None:
        assert http.get("/api/v1/officials", params={"limit": "501"}).status_code == 400
        assert (
            http.get("/api/v1/officials", params={"changed_since": "yesterday"}).status_code == 400
        )
