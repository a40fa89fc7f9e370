"""The HTTP layer against the civil-service simulator on loopback: tokens, retries, the
breaker. Waits are recorded by the fake clock, never slept."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import SecretStr

from adapters import errors
from adapters.breaker import BreakerState
from adapters.civil_service.client import CivilServiceClient
from adapters.civil_service.simulator import CivilServiceSim
from adapters.http import Call
from tests.adapters.conftest import FakeClock

Make = Callable[..., CivilServiceClient]


def state(client: CivilServiceClient) -> BreakerState:
    return client.http.breaker.state


TOKEN = "POST /oauth2/token"
PULL = "GET /api/v1/officials"


def test_token_is_fetched_once_and_reused(cs_sim: CivilServiceSim, make_cs_client: Make) -> None:
    client = make_cs_client()
    for _ in range(3):
        client.pull(None, None, 10)
    assert cs_sim.core.hits[TOKEN] == 1
    assert cs_sim.core.hits[PULL] == 3


def test_token_is_refreshed_before_it_expires(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    client = make_cs_client()
    client.pull(None, None, 10)
    clock.advance(299)  # inside the 300 s lifetime but within the early-refresh margin
    client.pull(None, None, 10)
    assert cs_sim.core.hits[TOKEN] == 2


def test_refused_token_is_refreshed_once_and_the_call_repeated(
    cs_sim: CivilServiceSim, make_cs_client: Make
) -> None:
    client = make_cs_client()
    client.pull(None, None, 10)
    cs_sim.core.revoke_tokens()  # e.g. the server restarted and forgot its tokens
    page = client.pull(None, None, 10)
    assert page.items == []
    assert cs_sim.core.hits[TOKEN] == 2
    assert cs_sim.core.hits[PULL] == 3


def test_a_fresh_token_refused_too_is_auth_failed(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.reject_tokens = True
    client = make_cs_client()
    with pytest.raises(errors.AuthFailed):
        client.pull(None, None, 10)
    assert cs_sim.core.hits[TOKEN] == 2  # exactly one refresh
    assert cs_sim.core.hits[PULL] == 2  # exactly one repeat
    assert clock.waits == []


def test_wrong_credentials_are_auth_failed_without_retry(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    client = make_cs_client(secret=SecretStr("wrong"))
    with pytest.raises(errors.AuthFailed):
        client.pull(None, None, 10)
    assert cs_sim.core.hits[TOKEN] == 1
    assert cs_sim.core.hits[PULL] == 0
    assert clock.waits == []


def test_5xx_is_retried_with_bounded_jittered_waits(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.core.fail_next(503, 500, 502)
    page = make_cs_client(attempts=4).pull(None, None, 10)
    assert page.items == []
    assert cs_sim.core.hits[PULL] == 4
    assert len(clock.waits) == 3
    for attempt, wait in enumerate(clock.waits, start=1):
        assert 0 <= wait <= 0.5 * 2 ** (attempt - 1)


def test_429_waits_exactly_what_retry_after_says(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.retry_after = 7
    cs_sim.core.fail_next(429, 429)
    make_cs_client().pull(None, None, 10)
    assert clock.waits == [7.0, 7.0]


def test_retry_after_longer_than_we_wait_is_not_waited(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.retry_after = 3600
    cs_sim.core.fail_next(429)
    with pytest.raises(errors.RateLimited) as caught:
        make_cs_client().pull(None, None, 10)
    assert caught.value.retry_after == 3600
    assert clock.waits == []
    assert cs_sim.core.hits[PULL] == 1


def test_attempts_are_bounded(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.error_rate = 1.0
    with pytest.raises(errors.ServerError):
        make_cs_client(attempts=3).pull(None, None, 10)
    assert cs_sim.core.hits[PULL] == 3
    assert len(clock.waits) == 2


def test_total_time_is_bounded(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.rate_429 = 1.0
    cs_sim.knobs.retry_after = 4
    with pytest.raises(errors.RateLimited):
        make_cs_client(attempts=100, total=10.0).pull(None, None, 10)
    assert clock.waits == [4.0, 4.0]  # a third wait would end past the 10 s budget
    assert cs_sim.core.hits[PULL] == 3


def test_4xx_is_not_retried(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    with pytest.raises(errors.RemoteNotFound):
        make_cs_client().get("031085001234")
    assert cs_sim.core.hits["GET /api/v1/officials/031085001234"] == 1
    assert clock.waits == []


def test_unkeyed_post_is_not_retried(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.core.fail_next(503)
    http = make_cs_client().http
    with pytest.raises(errors.ServerError):
        http.call(Call("probe", "POST", "/api/v1/anything", json_body={}))
    assert cs_sim.core.hits["POST /api/v1/anything"] == 1
    assert clock.waits == []


def test_keyed_post_is_retried(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.core.fail_next(503)
    http = make_cs_client().http
    with pytest.raises(errors.PermanentError):  # the route does not exist: 405 after the retry
        http.call(
            Call("probe", "POST", "/api/v1/x", json_body={}, headers={"Idempotency-Key": "k"})
        )
    assert cs_sim.core.hits["POST /api/v1/x"] == 2


def test_breaker_opens_refuses_locally_then_half_opens(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    client = make_cs_client(attempts=1, minimum_calls=3, open_seconds=30.0)
    cs_sim.knobs.error_rate = 1.0
    for _ in range(3):
        with pytest.raises(errors.ServerError):
            client.pull(None, None, 10)
    assert state(client) is BreakerState.OPEN
    with pytest.raises(errors.CircuitOpen):
        client.pull(None, None, 10)
    assert cs_sim.core.hits[PULL] == 3  # refused without a request

    clock.advance(30)
    assert state(client) is BreakerState.HALF_OPEN
    cs_sim.knobs.error_rate = 0.0
    client.pull(None, None, 10)
    assert state(client) is BreakerState.CLOSED
    assert cs_sim.core.hits[PULL] == 4


def test_failed_trial_call_opens_the_breaker_again(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    client = make_cs_client(attempts=1, minimum_calls=2, open_seconds=10.0)
    cs_sim.knobs.error_rate = 1.0
    for _ in range(2):
        with pytest.raises(errors.ServerError):
            client.pull(None, None, 10)
    clock.advance(10)
    with pytest.raises(errors.ServerError):
        client.pull(None, None, 10)  # the one trial call
    assert state(client) is BreakerState.OPEN
    with pytest.raises(errors.CircuitOpen):
        client.pull(None, None, 10)
    assert cs_sim.core.hits[PULL] == 3


def test_breaker_stops_a_retry_loop(
    cs_sim: CivilServiceSim, make_cs_client: Make, clock: FakeClock
) -> None:
    cs_sim.knobs.error_rate = 1.0
    with pytest.raises(errors.CircuitOpen):
        make_cs_client(attempts=10, minimum_calls=2).pull(None, None, 10)
    assert cs_sim.core.hits[PULL] == 2


def test_refusals_do_not_open_the_breaker(cs_sim: CivilServiceSim, make_cs_client: Make) -> None:
    client = make_cs_client(minimum_calls=2)
    for _ in range(3):
        with pytest.raises(errors.RemoteNotFound):
            client.get("031085001234")
    assert state(client) is BreakerState.CLOSED
