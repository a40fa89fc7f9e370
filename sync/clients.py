"""Clients of the external systems for jobs; a runtime may carry an HTTP policy (tests and
chaos runs use short back-offs)."""

from __future__ import annotations

from adapters.civil_service.client import DEFAULT_POLICY as CS_POLICY
from adapters.civil_service.client import CivilServiceClient
from adapters.http import HttpPolicy
from adapters.population.client import DEFAULT_POLICY as POP_POLICY
from adapters.population.client import PopulationClient
from registry.runtime import Runtime

POLICY_KEY = "http_policy"


def _policy(rt: Runtime, default: HttpPolicy) -> HttpPolicy:
    policy = rt.extras.get(POLICY_KEY)
    return policy if isinstance(policy, HttpPolicy) else default


def population(rt: Runtime) -> PopulationClient:
    s = rt.settings
    return PopulationClient.connect(
        base_url=s.population_url,
        client_id=s.population_client_id,
        client_secret=s.population_client_secret,
        public_key_b64=s.population_public_key,
        policy=_policy(rt, POP_POLICY),
    )


def civil_service(rt: Runtime) -> CivilServiceClient:
    s = rt.settings
    return CivilServiceClient.connect(
        base_url=s.civil_service_url,
        client_id=s.civil_service_client_id,
        client_secret=s.civil_service_client_secret,
        policy=_policy(rt, CS_POLICY),
    )
