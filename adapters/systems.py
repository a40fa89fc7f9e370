"""The external systems as the adapters know them: how to build each one's simulator, the port
it takes in development, and which settings point the registry at a running one.

This module and ``sync/systems.py`` are the only places that name a system. Adding one is its
package under ``adapters/`` (client, wire, mapping, simulator), one entry in ``SIMULATORS``
here and one in ``sync.systems.SYSTEMS`` (its jobs, intervals and demo seeding); nothing else
branches on a system's name (``tests/sync/test_systems.py`` checks both).

Settings are named, not imported: the adapters do not depend on the registry's config. A
system's settings are the fields ``<settings_prefix>_<suffix>`` of ``registry.config.Settings``,
read from ``CADRE_<SETTINGS_PREFIX>_<SUFFIX>``. Its client is built from plain values: a frozen
dataclass (``connection_type``) whose field names are some of those suffixes, which the
composition side (``sync/clients.py``) fills from the settings and hands to ``connect``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from fastapi import FastAPI

from adapters.breaker import BreakerPolicy
from adapters.civil_service.client import CivilServiceClient, CivilServiceConnection
from adapters.civil_service.simulator import CivilServiceKnobs, CivilServiceSim
from adapters.drift import DriftObserver
from adapters.http import HttpClient, HttpPolicy
from adapters.population.client import PopulationClient, PopulationConnection
from adapters.population.simulator import PopulationKnobs, PopulationSim
from adapters.simkit import SimCore


class Simulator(Protocol):
    """What every simulator offers: an ASGI app and the shared core (credentials, faults)."""

    app: FastAPI
    core: SimCore


S = TypeVar("S", bound=Simulator)


class Client(Protocol):
    """What every system's client offers the jobs that do not know which system it is."""

    @property
    def http(self) -> HttpClient: ...

    def close(self) -> None: ...


class Connect(Protocol):
    """A client's constructor from its connection values; ``policy=None``: its own default,
    ``breaker`` replacing the policy's breaker, ``drift`` told of fields the contract lacks."""

    def __call__(
        self,
        connection: Any,
        /,
        *,
        policy: HttpPolicy | None = ...,
        breaker: BreakerPolicy | None = ...,
        drift: DriftObserver | None = ...,
    ) -> Client: ...


@dataclass(frozen=True)
class SimulatedSystem(Generic[S]):
    """One external system's adapter-side facts.

    ``build(seed, people, **knobs)`` makes a simulator holding ``people`` generated records
    (unknown knobs raise ``TypeError``); ``connection(sim, url)`` gives the settings, by
    suffix, that point the registry at ``sim`` served at ``url`` — a subset of ``settings``.
    ``connect(connection_type(...), policy=…)`` builds the client; every field of the frozen
    dataclass ``connection_type`` is one of ``settings`` (checked when declared).
    """

    name: str  # python -m adapters.serve NAME; `cadre simulate` also takes it with dashes
    settings_prefix: str
    settings: tuple[str, ...]  # suffixes of every setting the registry reads for the system
    sim_type: type[S]
    build: Callable[..., S]
    connection: Callable[[S, str], dict[str, str]]
    dev_port: int  # where `make run` and `cadre simulate` serve it by default
    connection_type: type[Any]
    connect: Connect

    def __post_init__(self) -> None:
        params = getattr(self.connection_type, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"{self.name}: connection_type must be a frozen dataclass")
        unknown = set(self.connection_fields()) - set(self.settings)
        if unknown:
            raise ValueError(f"{self.name}: connection fields {sorted(unknown)} are no setting")

    def connection_fields(self) -> tuple[str, ...]:
        """The setting suffixes the client is built from, in the dataclass's order."""
        return tuple(f.name for f in dataclasses.fields(self.connection_type))

    @property
    def cli_name(self) -> str:
        return self.name.replace("_", "-")

    def setting_names(self) -> tuple[str, ...]:
        return tuple(f"{self.settings_prefix}_{suffix}" for suffix in self.settings)

    def settings_for(self, sim: S, url: str) -> dict[str, str]:
        """Settings field name → value pointing the registry at ``sim`` served at ``url``."""
        return {f"{self.settings_prefix}_{k}": v for k, v in self.connection(sim, url).items()}

    def environment_for(self, sim: S, url: str) -> dict[str, str]:
        """The same as environment variables, for a person to copy."""
        return {f"CADRE_{k.upper()}": v for k, v in self.settings_for(sim, url).items()}


def _credentials(sim: Simulator, url: str) -> dict[str, str]:
    # The simulators' fixed, public test credential — not a secret of any real system.
    return {"url": url, "client_id": sim.core.client_id, "client_secret": sim.core.client_secret}


def _build_population(seed: int, people: int = 0, **knobs: Any) -> PopulationSim:
    sim = PopulationSim(seed=seed, knobs=PopulationKnobs(**knobs))
    nids = sim.seed_people(people)
    if len(nids) >= 2:  # something on the change feed for the demo
        sim.record_death(nids[0], sim.core.now().date())
        sim.change_identity(nids[1], religion_code="01")
    return sim


def _population_connection(sim: PopulationSim, url: str) -> dict[str, str]:
    return {**_credentials(sim, url), "public_key": sim.public_key_b64}


def _build_civil_service(seed: int, people: int = 0, **knobs: Any) -> CivilServiceSim:
    sim = CivilServiceSim(seed=seed, knobs=CivilServiceKnobs(**knobs))
    sim.store.seed(people)
    return sim


POPULATION = SimulatedSystem(
    name="population",
    settings_prefix="population",
    settings=("url", "client_id", "client_secret", "public_key"),
    sim_type=PopulationSim,
    build=_build_population,
    connection=_population_connection,
    dev_port=8101,
    connection_type=PopulationConnection,
    connect=PopulationClient.connect,
)
CIVIL_SERVICE = SimulatedSystem(
    name="civil_service",
    settings_prefix="civil_service",
    settings=("url", "client_id", "client_secret", "agency_code"),
    sim_type=CivilServiceSim,
    build=_build_civil_service,
    connection=_credentials,
    dev_port=8102,
    connection_type=CivilServiceConnection,
    connect=CivilServiceClient.connect,
)
SIMULATORS: tuple[SimulatedSystem[Any], ...] = (POPULATION, CIVIL_SERVICE)
BY_NAME: Mapping[str, SimulatedSystem[Any]] = {s.name: s for s in SIMULATORS} | {
    s.cli_name: s for s in SIMULATORS
}


def simulated(name: str) -> SimulatedSystem[Any]:
    """The system called ``name`` (``civil_service`` or ``civil-service``); ValueError if none."""
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(s.cli_name for s in SIMULATORS)
        raise ValueError(f"unknown system {name!r}; systems: {known}") from None


def simulating(sim: Simulator) -> SimulatedSystem[Any]:
    """The system ``sim`` simulates."""
    for system in SIMULATORS:
        if isinstance(sim, system.sim_type):
            return system
    raise ValueError(f"{type(sim).__name__} simulates no declared system")
