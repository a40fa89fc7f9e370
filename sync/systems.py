"""The external systems as synchronisation knows them: each one's jobs with their intervals
(production and the ``make run`` demo), its client, how the demo shares the registry's people
with its simulator, and how settings are pointed at a running simulator.

With ``adapters/systems.py`` this is the one declaration of the national systems: the
scheduler, ``sync.jobs``, ``make run`` (``registry.devrun``) and ``cadre simulate`` walk
``SYSTEMS`` and never name a system. A new system is its package under ``adapters/``, its jobs
under ``sync/``, and one entry in each declaration list.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic

from pydantic import SecretStr

from adapters.systems import CIVIL_SERVICE as CIVIL_SERVICE_SIM
from adapters.systems import POPULATION as POPULATION_SIM
from adapters.systems import Client, S, SimulatedSystem, Simulator, simulated, simulating
from registry.config import Settings
from registry.runtime import Runtime
from sync import clients
from sync.demo_link import seed_civil_service, seed_population


@dataclass(frozen=True)
class Schedule:
    """A job by name (registered with ``sync.runs.job``) and its seconds between runs."""

    job: str
    every: int
    demo_every: int  # `make run`: sync visibly within a minute of starting


@dataclass(frozen=True)
class ExternalSystem(Generic[S]):
    """One national system. ``job_modules`` register ``jobs`` when imported (``sync.jobs``);
    ``seed`` copies the registry's people into the system's simulator and returns how many.
    Its client needs no entry: ``client(rt)`` fills the adapter's connection values from the
    settings the adapter declares (``sync.clients.connect``)."""

    adapter: SimulatedSystem[S]
    job_modules: tuple[str, ...]
    jobs: tuple[Schedule, ...]
    seed: Callable[[Runtime, S], int]

    @property
    def name(self) -> str:
        return self.adapter.name

    def setting_names(self) -> tuple[str, ...]:
        return self.adapter.setting_names()

    def client(self, rt: Runtime) -> Client:
        return clients.connect(rt, self.adapter)

    def configured(self, settings: Settings) -> bool:
        """Whether the settings point at an instance of the system (real or simulated)."""
        return bool(getattr(settings, f"{self.adapter.settings_prefix}_url"))

    def point_at(self, settings: Settings, sim: S, url: str) -> None:
        """Point ``settings`` at ``sim`` served at ``url`` (secrets stay ``SecretStr``)."""
        for field, value in self.adapter.settings_for(sim, url).items():
            info = Settings.model_fields.get(field)
            if info is None:
                raise LookupError(f"{self.name}: registry.config.Settings has no {field}")
            setattr(settings, field, SecretStr(value) if info.annotation is SecretStr else value)


POPULATION: ExternalSystem[Any] = ExternalSystem(
    adapter=POPULATION_SIM,
    job_modules=("sync.jobs.population",),
    jobs=(
        Schedule("population-verify", every=24 * 3600, demo_every=120),
        Schedule("population-events", every=300, demo_every=30),
    ),
    seed=seed_population,
)
CIVIL_SERVICE: ExternalSystem[Any] = ExternalSystem(
    adapter=CIVIL_SERVICE_SIM,
    job_modules=(
        "sync.jobs.civil_service_pull",
        "sync.jobs.civil_service_push",
        "sync.jobs.reconcile",
    ),
    jobs=(
        Schedule("civil-service-pull", every=900, demo_every=60),
        Schedule("civil-service-push", every=60, demo_every=20),
        Schedule("reconcile", every=24 * 3600, demo_every=3600),
    ),
    seed=seed_civil_service,
)
SYSTEMS: tuple[ExternalSystem[Any], ...] = (POPULATION, CIVIL_SERVICE)

# The registry's own jobs, beside those of the systems.
INTERNAL_JOBS: tuple[Schedule, ...] = (
    Schedule("audit-checkpoint", every=600, demo_every=300),
    Schedule("standards-nightly", every=24 * 3600, demo_every=24 * 3600),
    # writes once from the 25th of each month
    Schedule("monthly-report", every=24 * 3600, demo_every=24 * 3600),
)


def schedules() -> tuple[Schedule, ...]:
    return INTERNAL_JOBS + tuple(s for system in SYSTEMS for s in system.jobs)


def intervals(*, demo: bool = False) -> dict[str, int]:
    """Job name → seconds between runs, in production or in the ``make run`` demo."""
    return {s.job: s.demo_every if demo else s.every for s in schedules()}


def system_named(name: str) -> ExternalSystem[Any]:
    """The system called ``name`` (``civil_service`` or ``civil-service``); ValueError if none."""
    return _BY_ADAPTER[simulated(name).name]


def system_of(sim: Simulator) -> ExternalSystem[Any]:
    return _BY_ADAPTER[simulating(sim).name]


_BY_ADAPTER: Mapping[str, ExternalSystem[Any]] = {s.name: s for s in SYSTEMS}
