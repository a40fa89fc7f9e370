"""The population client against the population simulator over loopback HTTP."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Callable

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from adapters import errors
from adapters.population.client import PopulationClient
from adapters.population.mapping import compare, identity_from_record
from adapters.population.signature import public_key_b64
from adapters.population.simulator import PopulationSim
from adapters.simkit import SimClock
from tests.adapters.conftest import FakeClock

Make = Callable[..., PopulationClient]
SEARCH = "POST /registry/sync/search"
EVENTS = "GET /registry/events"


def test_search_finds_people_in_batches_of_50(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    nids = pop_sim.seed_people(120)
    results = make_pop_client().search(nids)
    assert [r.nid for r in results] == nids
    assert all(r.found and r.record is not None and r.record.nid == r.nid for r in results)
    assert pop_sim.core.hits[SEARCH] == 3


def test_search_reports_unknown_numbers_and_asks_once_per_number(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    [known] = pop_sim.seed_people(1)
    results = make_pop_client().search([known, "031099000001", known])
    assert [r.found for r in results] == [True, False]
    assert results[1].reason_code == "rjct.reference_id.not_found"
    assert pop_sim.core.hits[SEARCH] == 1


def test_search_refuses_malformed_numbers_before_sending(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    with pytest.raises(ValueError):
        make_pop_client().search(["03108500123"])
    assert pop_sim.core.hits[SEARCH] == 0


def test_reissued_number_is_found_only_under_the_new_one(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    [old] = pop_sim.seed_people(1)
    new = "031185009999"
    pop_sim.reissue(old, new)
    old_result, new_result = make_pop_client().search([old, new])
    assert not old_result.found
    assert new_result.record is not None and new_result.record.previous_nids == [old]


def test_nfd_names_arrive_signed_and_are_stored_nfc(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    [nid] = pop_sim.seed_people(1)
    pop_sim.knobs.nfd_names = True
    [result] = make_pop_client().search([nid])
    assert result.record is not None
    wire_name = result.record.full_name.family
    assert not unicodedata.is_normalized("NFC", wire_name) or wire_name.isascii()
    identity = identity_from_record(result.record)
    stored = pop_sim.people[nid]["full_name"]
    assert identity.family_name == stored["family"]
    assert unicodedata.is_normalized("NFC", identity.origin_place.text)


def test_partial_birth_date_that_agrees_is_not_a_mismatch(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    [nid] = pop_sim.seed_people(1)
    full = pop_sim.people[nid]["birth_date"]
    pop_sim.knobs.partial_date_rate = 1.0
    [result] = make_pop_client().search([nid])
    assert result.record is not None and len(result.record.birth_date) in (4, 7)
    assert compare({"birth_date": full}, result.record) == []
    wrong_year = str(int(full[:4]) - 1) + full[4:]
    assert compare({"birth_date": wrong_year}, result.record) == ["birth_date"]


def test_answers_signed_with_another_key_are_refused(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    nids = pop_sim.seed_people(2)
    forged = public_key_b64(Ed25519PrivateKey.generate().public_key())
    client = make_pop_client(key_b64=forged)
    with pytest.raises(errors.BadSignature):
        client.search(nids)
    with pytest.raises(errors.BadSignature):
        client.events(None)


def test_bad_signatures_are_refused_and_not_retried(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    nids = pop_sim.seed_people(2)
    pop_sim.knobs.bad_signature_rate = 1.0
    with pytest.raises(errors.BadSignature):
        make_pop_client().search(nids)
    assert pop_sim.core.hits[SEARCH] == 1


def test_transient_failures_of_search_are_retried(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    nids = pop_sim.seed_people(3)
    pop_sim.core.fail_next(502, 429)
    assert all(r.found for r in make_pop_client().search(nids))
    assert pop_sim.core.hits[SEARCH] == 3


def _emit_events(sim: PopulationSim, count: int) -> list[str]:
    nids = sim.seed_people(count)
    for i, nid in enumerate(nids):
        if i % 3 == 0:
            sim.record_death(nid, dt.date(2026, 2, 1))
        elif i % 3 == 1:
            sim.change_identity(nid, religion_code="01")
        else:
            sim.reissue(nid, f"0312{i:02d}" + "000777")
    return nids


def _read_feed(client: PopulationClient, limit: int) -> tuple[list[str], int]:
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while pages < 100:
        page = client.events(cursor, limit)
        pages += 1
        seen += [e.event_id for e in page.events]
        if not page.events:
            return seen, pages
        cursor = page.next_cursor
    raise AssertionError("the feed never ended")


def test_feed_pages_to_the_end(pop_sim: PopulationSim, make_pop_client: Make) -> None:
    _emit_events(pop_sim, 25)
    seen, pages = _read_feed(make_pop_client(), 10)
    assert len(seen) == len(set(seen)) == 25
    assert pages == 4  # 10 + 10 + 5 + the empty page that says "no more for now"


def test_feed_redelivery_is_absorbed_by_deduplication(
    pop_sim: PopulationSim, make_pop_client: Make
) -> None:
    _emit_events(pop_sim, 25)
    pop_sim.knobs.duplicate_rate = 1.0
    seen, _ = _read_feed(make_pop_client(), 7)
    assert len(seen) > 25  # the knob did deliver repeats
    assert sorted(set(seen)) == sorted(e["event_id"] for e in pop_sim.feed)


def test_event_shapes(pop_sim: PopulationSim, make_pop_client: Make) -> None:
    _emit_events(pop_sim, 3)
    events = make_pop_client().events(None, 10).events
    assert [e.event_type for e in events] == ["death", "identity_change", "id_reissued"]
    assert events[0].record.life_status == "deceased"
    assert events[0].record.death_date == dt.date(2026, 2, 1)
    assert events[2].new_nid == events[2].record.nid != events[2].nid


def test_empty_page_keeps_the_cursor(pop_sim: PopulationSim, make_pop_client: Make) -> None:
    _emit_events(pop_sim, 2)
    client = make_pop_client()
    cursor = client.events(None, 10).next_cursor
    assert client.events(cursor, 10).next_cursor == cursor


def test_expired_cursor_is_cursor_expired(
    pop_sim: PopulationSim, sim_clock: SimClock, make_pop_client: Make, clock: FakeClock
) -> None:
    _emit_events(pop_sim, 4)
    client = make_pop_client()
    cursor = client.events(None, 2).next_cursor
    sim_clock.advance(24 * 3600 + 1)
    with pytest.raises(errors.CursorExpired):
        client.events(cursor, 2)
    # The simulator's token expired too: one refresh and repeat, then a 410 not retried.
    assert pop_sim.core.hits[EVENTS] == 3
    assert clock.waits == []


def test_forgotten_cursor_is_cursor_expired(pop_sim: PopulationSim, make_pop_client: Make) -> None:
    _emit_events(pop_sim, 4)
    client = make_pop_client()
    cursor = client.events(None, 2).next_cursor
    pop_sim.expire_cursors()
    with pytest.raises(errors.CursorExpired):
        client.events(cursor, 2)


def test_events_limit_is_checked_locally(make_pop_client: Make) -> None:
    with pytest.raises(ValueError):
        make_pop_client().events(None, 501)
