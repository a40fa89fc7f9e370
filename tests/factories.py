"""Builders of realistic records, through the same services the API uses."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from registry import dates
from registry.access.principal import Principal
from registry.access.service import create_token
from registry.config import Settings
from registry.context import Ctx
from registry.crypto import FieldCipher, KeyProvider
from registry.history import Actor, set_actor
from registry.org_units.models import OrgUnit
from registry.org_units.service import create_org_unit
from registry.persons.models import Person
from registry.persons.service import create_person
from registry.positions.models import Position
from registry.positions.service import create_position
from schemas.org_units import OrgUnitCreate
from schemas.persons import PersonCreate
from schemas.positions import PositionCreate


def admin_ctx(session: Session, settings: Settings, keys: KeyProvider) -> Ctx:
    set_actor(session, Actor(actor_id="test:admin", role="admin", reason="test setup"))
    return Ctx(
        principal=Principal(subject="test:admin", role="admin", org_unit_id=None, org_path=None),
        cipher=FieldCipher(keys),
        settings=settings,
    )


def nid_for(birth_year: int, sex: str, serial: int, prefix: str = "031") -> str:
    century = (birth_year - 1900) // 100
    g = century * 2 + (1 if sex == "F" else 0)
    return f"{prefix}{g}{birth_year % 100:02d}{serial:06d}"


def person_payload(org_unit_id: uuid.UUID, serial: int = 1, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "org_unit_id": str(org_unit_id),
        "nid": nid_for(1985, "F", serial),
        "family_name": "Nguyễn",
        "middle_name": "Thị Thu",
        "given_name": "Hà",
        "birth_date": "1985-03-14",
        "sex": "F",
        "ethnicity_code": "01",
        "religion_code": "00",
    }
    data.update(over)
    return data


@dataclass
class World:
    """A ward: party committee → two party cells, the People's Committee → one office."""

    committee: OrgUnit
    cell_a: OrgUnit
    cell_b: OrgUnit
    peoples_committee: OrgUnit
    office: OrgUnit
    tokens: dict[str, str] = field(default_factory=dict)
    persons: dict[str, Person] = field(default_factory=dict)
    positions: dict[str, Position] = field(default_factory=dict)

    def auth(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def build_world(session: Session, settings: Settings, keys: KeyProvider) -> World:
    ctx = admin_ctx(session, settings, keys)

    def unit(code: str, name: str, kind: str, parent: OrgUnit | None) -> OrgUnit:
        return create_org_unit(
            session,
            ctx,
            OrgUnitCreate(code=code, name=name, kind=kind, parent_id=parent.id if parent else None),
        )  # type: ignore[arg-type]

    committee = unit("DU-P1", "Đảng ủy phường Lê Chân", "party_committee", None)
    cell_a = unit("CB-A", "Chi bộ Khu phố 1", "party_cell", committee)
    cell_b = unit("CB-B", "Chi bộ Khu phố 2", "party_cell", committee)
    pc = unit("UBND-P1", "Ủy ban nhân dân phường Lê Chân", "peoples_committee", None)
    office = unit("VP-UBND", "Văn phòng HĐND và UBND", "specialised_office", pc)
    world = World(committee, cell_a, cell_b, pc, office)
    world.tokens = {
        "admin": create_token(session, role="admin", org_code=None, name="t-admin"),
        "officer_a": create_token(session, role="officer", org_code="CB-A", name="t-a"),
        "officer_b": create_token(session, role="officer", org_code="CB-B", name="t-b"),
        "auditor": create_token(session, role="auditor", org_code="DU-P1", name="t-aud"),
        "service": create_token(session, role="service", org_code="DU-P1", name="t-svc"),
    }
    world.persons["a"] = create_person(
        session, ctx, PersonCreate.model_validate(person_payload(cell_a.id, 1))
    )
    world.persons["b"] = create_person(
        session,
        ctx,
        PersonCreate.model_validate(
            person_payload(
                cell_b.id,
                2,
                family_name="Trần",
                middle_name="Văn",
                given_name="Đức",
                sex="M",
                nid=nid_for(1979, "M", 2),
                birth_date="1979",
            )
        ),
    )
    world.positions["office_clerk"] = create_position(
        session,
        ctx,
        PositionCreate(org_unit_id=office.id, title="Công chức Văn phòng - Thống kê", headcount=2),
    )
    world.positions["cell_a_secretary"] = create_position(
        session,
        ctx,
        PositionCreate(
            org_unit_id=cell_a.id, title="Bí thư chi bộ", is_leadership=True, headcount=1
        ),
    )
    session.commit()
    return world


def today() -> dt.date:
    return dates.today()
