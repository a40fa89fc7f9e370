from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from registry.assignments.service import create_assignment
from registry.conduct.service import create_discipline
from registry.config import Settings
from registry.context import Ctx
from registry.crypto import StaticKeyProvider
from registry.dates import today
from registry.positions.models import Position
from registry.positions.service import create_position
from registry.standards.service import create_standard_profile
from schemas.assignments import AssignmentCreate
from schemas.conduct import DisciplineCreate
from schemas.positions import PositionCreate
from schemas.standards import StandardProfileCreate
from tests.factories import World, admin_ctx, build_world

TODAY = today()


@dataclass
class Lab:
    session: Session
    ctx: Ctx
    world: World

    def profile(
        self,
        code: str,
        requirements: dict[str, Any],
        *,
        start: dt.date = dt.date(2020, 1, 1),
        end: dt.date | None = None,
    ) -> Any:
        return create_standard_profile(
            self.session,
            self.ctx,
            StandardProfileCreate(
                code=code,
                name=f"Chuẩn {code}",
                effective_from=start,
                effective_to=end,
                requirements=requirements,
            ),
        )

    def post(self, profile: Any = None, **kw: Any) -> Position:
        return create_position(
            self.session,
            self.ctx,
            PositionCreate(
                org_unit_id=self.world.office.id,
                title=kw.pop("title", "Công chức Văn phòng"),
                standard_profile_id=None if profile is None else profile.id,
                **kw,
            ),
        )

    def discipline(
        self, person: Any, form: str, decided: dt.date, *, until: dt.date | None = None
    ) -> Any:
        """A party discipline decided and in effect from ``decided`` (open-ended unless
        ``until``)."""
        return create_discipline(
            self.session,
            self.ctx,
            DisciplineCreate(
                person_id=person.id,
                authority="party",
                form=form,  # type: ignore[arg-type]
                decided_on=decided,
                effective_from=decided,
                effective_to=until,
            ),
        )

    def appoint(self, person: Any, post: Position, start: dt.date) -> Any:
        return create_assignment(
            self.session,
            self.ctx,
            AssignmentCreate(
                person_id=person.id, position_id=post.id, kind="appointment", valid_from=start
            ),
        )


@pytest.fixture
def lab(session: Session, settings: Settings, keys: StaticKeyProvider) -> Lab:
    world = build_world(session, settings, keys)
    return Lab(session, admin_ctx(session, settings, keys), world)
