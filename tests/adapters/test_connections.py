"""Each declared system's client is built from a frozen dataclass of plain values whose fields
are declared settings; the composition side (``sync.clients``) fills it from the registry's
settings by those names and refuses a declaration that does not fit them."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.systems import POPULATION, SIMULATORS, SimulatedSystem
from registry.config import Settings
from sync.clients import connection_from
from sync.systems import system_named

BY_NAME = pytest.mark.parametrize("system", SIMULATORS, ids=[s.name for s in SIMULATORS])


@dataclass
class Mutable:
    url: str


@dataclass(frozen=True)
class WithPassword:
    url: str
    password: str


@dataclass(frozen=True)
class PlainSecret:
    url: str
    client_id: str
    client_secret: str  # Settings keeps it a SecretStr


@BY_NAME
def test_its_connection_is_frozen_plain_values_named_by_its_settings(
    system: SimulatedSystem[Any],
) -> None:
    assert dataclasses.is_dataclass(system.connection_type)
    assert system.connection_type.__dataclass_params__.frozen
    assert "url" in system.connection_fields()
    assert set(system.connection_fields()) <= set(system.settings)


@BY_NAME
def test_settings_pointed_at_its_simulator_fill_its_connection(
    system: SimulatedSystem[Any], tmp_path: Path
) -> None:
    sim = system.build(seed=3)
    settings = Settings(var_dir=tmp_path)
    system_named(system.name).point_at(settings, sim, "http://127.0.0.1:9")
    connection = connection_from(settings, system)
    assert isinstance(connection, system.connection_type)
    pointed = system.connection(sim, "http://127.0.0.1:9")
    for suffix in system.connection_fields():
        value = getattr(connection, suffix)
        assert value is getattr(settings, f"{system.settings_prefix}_{suffix}")
        shown = value.get_secret_value() if isinstance(value, SecretStr) else value
        assert shown == pointed[suffix]


def test_a_declaration_refuses_a_mutable_connection_or_one_beyond_its_settings() -> None:
    with pytest.raises(TypeError, match="frozen dataclass"):
        dataclasses.replace(POPULATION, connection_type=Mutable)
    with pytest.raises(ValueError, match="password"):
        dataclasses.replace(POPULATION, connection_type=WithPassword)


def test_the_composition_refuses_a_setting_that_is_missing_or_of_another_type() -> None:
    unknown = dataclasses.replace(POPULATION, settings_prefix="tax_office")
    with pytest.raises(LookupError, match="tax_office_url"):
        connection_from(Settings(), unknown)
    plain = dataclasses.replace(POPULATION, connection_type=PlainSecret)
    with pytest.raises(TypeError, match="population_client_secret"):
        connection_from(Settings(), plain)
