"""Make the simulators hold the same people as this installation's registry, so that a new
user of ``make run`` sees sync verify, pull and push real records of the demo ward."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from adapters.civil_service.simulator import CivilServiceSim
from adapters.population.simulator import PopulationSim
from adapters.systems import Simulator
from adapters.wire_common import sex_from_registry
from registry.context import Ctx
from registry.persons.models import Person
from registry.persons.service import decrypt_field
from registry.runtime import Runtime
from registry.text import full_name
from sync.outbox import officials_among

READ_REASON = "seed simulators (read only)"


def _place(value: dict[str, Any] | None) -> dict[str, Any] | None:
    if not value or not value.get("unit_code"):
        return None
    return {
        "unit_code": value["unit_code"],
        "code_list": value.get("code_list", "2025"),
        "text": value.get("text", ""),
    }


def seed_from_registry(rt: Runtime, sim: Simulator) -> int:
    """Share the registry's people with ``sim``, by the seeder its system declares."""
    from sync.systems import system_of

    return system_of(sim).seed(rt, sim)


def _numbered_people(session: Session, ctx: Ctx) -> Iterator[tuple[Person, str]]:
    """Every living person with a number, with the number decrypted."""
    stmt = sa.select(Person).where(Person.nid_ct.is_not(None), Person.retired_at.is_(None))
    for person in session.scalars(stmt.execution_options(yield_per=1000)):
        nid = decrypt_field(ctx, person, "nid")
        if nid is not None:
            yield person, nid


def seed_population(rt: Runtime, sim: PopulationSim) -> int:
    """Copy every living, numbered person into the population simulator."""
    count = 0
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason=READ_REASON)
        for person, nid in _numbered_people(session, ctx):
            sim.add_person(sim.new_record(**_population_record(person, nid)))
            count += 1
    return count


def _population_record(person: Person, nid: str) -> dict[str, Any]:
    record: dict[str, Any] = {
        "nid": nid,
        "full_name": {
            "family": person.family_name,
            "middle": person.middle_name,
            "given": person.given_name,
        },
        "birth_date": person.birth_date,
        "sex": sex_from_registry(person.sex),
        "ethnicity_code": person.ethnicity_code,
        "religion_code": person.religion_code,
        "life_status": person.life_status,
        "death_date": person.death_date.isoformat() if person.death_date else None,
    }
    for theirs, ours in (
        ("place_of_origin", person.origin_place),
        ("permanent_residence", person.permanent_residence),
    ):
        if (place := _place(ours)) is not None:
            record[theirs] = place
    return record


def seed_civil_service(rt: Runtime, sim: CivilServiceSim) -> int:
    """Copy every official (a numbered person the civil-servant database holds)."""
    count = 0
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason=READ_REASON)
        officials = officials_among(session, None)
        for person, nid in _numbered_people(session, ctx):
            if person.id in officials:
                sim.store.add(_official_doc(sim, person, nid))
                count += 1
    return count


def _official_doc(sim: CivilServiceSim, person: Person, nid: str) -> dict[str, Any]:
    doc = sim.store.new_official(
        nid=nid,
        full_name=full_name(person.family_name, person.middle_name, person.given_name),
        birth_date=person.birth_date,
        sex=sex_from_registry(person.sex),
    )
    for field in ("rank_code", "salary_grade", "salary_step", "civil_servant_no"):
        if getattr(person, field) is not None:
            doc[field] = getattr(person, field)
    # the same pay and start date too, or the first pull opens a conflict on each for every
    # official of the demo ward
    if person.salary_coefficient is not None:
        doc["salary_coefficient"] = float(person.salary_coefficient)
    if person.recruited_on is not None:
        doc["recruited_on"] = person.recruited_on.isoformat()
    return doc
