"""Building and serving simulators; determinism from the seed."""

from __future__ import annotations

import base64

import httpx
import pytest

from adapters.civil_service.simulator import CivilServiceSim
from adapters.population.simulator import PopulationSim
from adapters.serve import _knob, build_simulator, running_simulator


def test_population_simulator_publishes_its_key_as_a_jwk() -> None:
    sim = build_simulator("population", seed=3, people=2)
    assert isinstance(sim, PopulationSim) and len(sim.people) == 2
    with running_simulator(sim.app) as url:
        [jwk] = httpx.get(f"{url}/.well-known/jwks.json").json()["keys"]
    assert (jwk["kty"], jwk["crv"], jwk["kid"]) == ("OKP", "Ed25519", sim.key_id)
    raw = base64.urlsafe_b64decode(jwk["x"] + "=")
    assert base64.b64encode(raw).decode() == sim.public_key_b64


def test_knobs_reach_the_simulator_and_unknown_ones_are_refused() -> None:
    sim = build_simulator("civil_service", seed=1, error_rate=0.25, cursor_ttl=60)
    assert isinstance(sim, CivilServiceSim)
    assert (sim.knobs.error_rate, sim.knobs.cursor_ttl) == (0.25, 60)
    with pytest.raises(TypeError):
        build_simulator("civil_service", seed=1, nonsense=1)
    with pytest.raises(ValueError):
        build_simulator("tax_office", seed=1)


def test_same_seed_same_world() -> None:
    a, b, c = PopulationSim(seed=9), PopulationSim(seed=9), PopulationSim(seed=10)
    assert a.seed_people(5) == b.seed_people(5) != c.seed_people(5)
    assert a.public_key_b64 == b.public_key_b64 != c.public_key_b64
    x, y = CivilServiceSim(seed=9), CivilServiceSim(seed=9)
    assert x.store.seed(5) == y.store.seed(5)


@pytest.mark.parametrize(
    ("text", "parsed"),
    [("error_rate=0.1", ("error_rate", 0.1)), ("retry_after=5", ("retry_after", 5)),
     ("nfd_names=true", ("nfd_names", True)), ("x=abc", ("x", "abc"))],
)  # fmt: skip
def test_knob_values_from_the_command_line(text: str, parsed: tuple[str, object]) -> None:
    assert _knob(text) == parsed


def test_unauthenticated_calls_are_refused() -> None:
    sim = CivilServiceSim(seed=1)
    with running_simulator(sim.app) as url:
        assert httpx.get(f"{url}/api/v1/officials").status_code == 401
        bad = httpx.get(f"{url}/api/v1/officials", headers={"Authorization": "Bearer nope"})
        assert bad.status_code == 401
