"""Clients of the external systems for jobs, built from the registry's settings.

This is the composition side of the seam: the adapters take plain connection values (a frozen
dataclass each declares in ``adapters/systems.py``) and never read ``registry.config``. Here
each field ``f`` of that dataclass is read from the setting ``<settings_prefix>_<f>``, so a new
system's client needs its declaration and its settings, not a function here.

``population`` and ``civil_service`` are typed shortcuts for the jobs that need the concrete
client; a new system's jobs can call ``client_of(rt, ITS_DECLARATION, ItsClient)`` instead.
A runtime may carry an HTTP policy (tests and chaos runs use short back-offs); without one,
each client keeps its adapter's policy with the breaker the ``sync_breaker_*`` settings give.
Every client reports the fields answers carry outside the contract to a ``DriftRecorder``
(``sync.drift``), which stores them when the client is closed.
"""

from __future__ import annotations

from typing import Any, TypeVar, get_type_hints

from adapters.breaker import BreakerPolicy
from adapters.civil_service.client import CivilServiceClient
from adapters.http import HttpPolicy
from adapters.population.client import PopulationClient
from adapters.systems import CIVIL_SERVICE, POPULATION, Client, SimulatedSystem
from registry.config import Settings
from registry.runtime import Runtime
from sync.drift import DriftRecorder

POLICY_KEY = "http_policy"
K = TypeVar("K", bound=Client)


def _policy(rt: Runtime) -> HttpPolicy | None:
    policy = rt.extras.get(POLICY_KEY)
    return policy if isinstance(policy, HttpPolicy) else None


def breaker_policy(settings: Settings) -> BreakerPolicy:
    """The breaker the settings configure (``ValueError`` for values it cannot use)."""
    return BreakerPolicy(
        minimum_calls=settings.sync_breaker_minimum_calls,
        failure_ratio=settings.sync_breaker_failure_ratio,
        window_seconds=settings.sync_breaker_window_seconds,
        open_seconds=settings.sync_breaker_open_seconds,
    )


def connection_from(settings: Settings, system: SimulatedSystem[Any]) -> Any:
    """``system``'s connection values read from ``settings`` by their declared names.

    A field without a setting, or whose setting has another type (a secret read as plain
    ``str``), is a declaration error and raises rather than building a half-right client.
    """
    hints = get_type_hints(system.connection_type)
    values: dict[str, object] = {}
    for suffix in system.connection_fields():
        name = f"{system.settings_prefix}_{suffix}"
        info = Settings.model_fields.get(name)
        if info is None:
            raise LookupError(f"{system.name}: registry.config.Settings has no {name}")
        if info.annotation is not hints[suffix]:
            raise TypeError(f"{system.name}: {name} is {info.annotation}, not {hints[suffix]}")
        values[suffix] = getattr(settings, name)
    return system.connection_type(**values)


def connect(rt: Runtime, system: SimulatedSystem[Any]) -> Client:
    """A client of ``system`` as the runtime's settings configure it."""
    policy = _policy(rt)
    return system.connect(
        connection_from(rt.settings, system),
        policy=policy,
        # A runtime's own policy is complete; otherwise the settings choose the breaker.
        breaker=None if policy is not None else breaker_policy(rt.settings),
        drift=DriftRecorder(rt.sessions),
    )


def client_of(rt: Runtime, system: SimulatedSystem[Any], kind: type[K]) -> K:
    """``connect`` for a job that needs the concrete client type."""
    client = connect(rt, system)
    if not isinstance(client, kind):
        client.close()
        raise TypeError(f"{system.name} builds {type(client).__name__}, not {kind.__name__}")
    return client


def population(rt: Runtime) -> PopulationClient:
    return client_of(rt, POPULATION, PopulationClient)


def civil_service(rt: Runtime) -> CivilServiceClient:
    return client_of(rt, CIVIL_SERVICE, CivilServiceClient)
