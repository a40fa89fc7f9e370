"""A committed registry, both simulators served over real loopback HTTP, and a runtime whose
settings point the adapters at them (with short back-offs so faults cost little time)."""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from adapters.breaker import BreakerPolicy
from adapters.civil_service.simulator import CivilServiceSim
from adapters.http import HttpPolicy
from adapters.population.simulator import PopulationSim
from adapters.retry import RetryPolicy
from adapters.serve import running_simulator
from registry.assignments.service import create_assignment
from registry.config import Settings
from registry.crypto import StaticKeyProvider
from registry.evaluations.service import create_evaluation
from registry.org_units.service import create_org_unit
from registry.persons.models import Person
from registry.persons.service import create_person
from registry.positions.service import create_position
from registry.qualifications.service import create_qualification
from registry.runtime import Runtime
from schemas.assignments import AssignmentCreate
from schemas.evaluations import EvaluationCreate
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate
from schemas.positions import PositionCreate
from schemas.qualifications import QualificationCreate
from sync.clients import POLICY_KEY
from sync.demo_link import seed_from_registry
from sync.systems import system_of
from tests.factories import nid_for

FAST = HttpPolicy(
    retry=RetryPolicy(max_attempts=8, base_delay=0.001, max_delay=0.01, max_total_seconds=20),
    breaker=BreakerPolicy(minimum_calls=1000),
)


@dataclass
class Ward:
    rt: Runtime
    pop: PopulationSim
    cs: CivilServiceSim
    officials: list[Person] = field(default_factory=list)
    others: list[Person] = field(default_factory=list)


def build_registry(rt: Runtime, *, officials: int = 4, others: int = 3) -> Ward:
    ward = Ward(rt, PopulationSim(seed=1), CivilServiceSim(seed=2))
    with rt.sessions() as session:
        ctx = rt.system_ctx(session, reason="test ward")
        office = create_org_unit(
            session,
            ctx,
            OrgUnitCreate(code="VP", name="Văn phòng HĐND và UBND", kind="specialised_office"),
        )
        post = create_position(
            session,
            ctx,
            PositionCreate(
                org_unit_id=office.id, title="Chuyên viên Văn phòng", headcount=officials
            ),
        )
        for i in range(officials + others):
            sex = "F" if i % 2 else "M"
            person = create_person(
                session,
                ctx,
                PersonCreate(
                    org_unit_id=office.id,
                    nid=nid_for(1980 + i, sex, 500 + i),
                    family_name="Nguyễn",
                    middle_name="Văn" if sex == "M" else "Thị",
                    given_name=["An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Minh", "Nga"][i % 8],
                    birth_date=f"{1980 + i}-0{1 + i % 9}-1{i % 9}",
                    sex=sex,
                    ethnicity_code="01",
                    religion_code="00",
                    # what the civil-service database also holds for its officials
                    **(
                        {
                            "salary_coefficient": decimal.Decimal("3.33"),
                            "recruited_on": dt.date(2010 + i % 10, 9, 1),
                        }
                        if i < officials
                        else {}
                    ),
                ),
            )
            if i < officials:
                create_assignment(
                    session,
                    ctx,
                    AssignmentCreate(
                        person_id=person.id,
                        position_id=post.id,
                        kind="appointment",
                        valid_from=dt.date(2020, 1, 1 + i),
                        decision_no=f"{10 + i}/QĐ-UBND",
                    ),
                )
                create_qualification(
                    session,
                    ctx,
                    QualificationCreate(
                        person_id=person.id, kind="political_theory", level="trung_cap"
                    ),
                )
                create_evaluation(
                    session,
                    ctx,
                    EvaluationCreate(
                        person_id=person.id, period="2025", general_points=27, task_points=60
                    ),
                )
                ward.officials.append(person)
            else:
                ward.others.append(person)
        session.commit()
    seed_from_registry(rt, ward.pop)
    seed_from_registry(rt, ward.cs)
    return ward


@pytest.fixture
def ward(committed_engine: Engine, keys: StaticKeyProvider, tmp_path: Path) -> Iterator[Ward]:
    rt = Runtime(Settings(var_dir=tmp_path / "var"), keys=keys, engine_override=committed_engine)
    rt.extras[POLICY_KEY] = FAST
    ward = build_registry(rt)
    with running_simulator(ward.pop.app) as pop_url, running_simulator(ward.cs.app) as cs_url:
        for sim, url in ((ward.pop, pop_url), (ward.cs, cs_url)):
            system_of(sim).point_at(rt.settings, sim, url)
        yield ward


def session_of(ward: Ward) -> Session:
    return ward.rt.sessions()
