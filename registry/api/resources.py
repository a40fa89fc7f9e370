"""The generic resources: each is a model, its wire models and its service functions."""

from __future__ import annotations

import functools
from typing import Any

from fastapi import APIRouter
from sqlalchemy.orm import Session

from registry.api import resources_file, resources_party
from registry.api.crud import Resource, register
from registry.assignments.models import Assignment
from registry.assignments.service import create_assignment, update_assignment
from registry.conduct.models import Commendation, Discipline
from registry.conduct.service import (
    create_commendation,
    create_discipline,
    update_commendation,
    update_discipline,
)
from registry.evaluations.models import Evaluation
from registry.evaluations.service import create_evaluation, update_evaluation
from registry.org_units.models import OrgUnit
from registry.org_units.service import create_org_unit, update_org_unit
from registry.party.models import PartyMembership
from registry.party.service import create_membership, update_membership
from registry.persons.models import Person
from registry.planning.models import PlanningEntry
from registry.planning.service import create_planning_entry, update_planning_entry
from registry.positions.models import Position
from registry.positions.service import create_position, update_position
from registry.qualifications.models import Qualification, Training
from registry.qualifications.service import (
    create_qualification,
    create_training,
    update_qualification,
    update_training,
)
from registry.standards.models import StandardProfile
from registry.standards.service import create_standard_profile, update_standard_profile
from schemas import assignments as a
from schemas import conduct as c
from schemas import evaluations as ev
from schemas import org_units as o
from schemas import party as pm
from schemas import planning as pl
from schemas import positions as po
from schemas import qualifications as q
from schemas import standards as st


def _org_retire_check(session: Session, unit: OrgUnit) -> None:
    from registry.errors import Conflict

    active_children = (
        session.query(OrgUnit.id)
        .filter(OrgUnit.parent_id == unit.id, OrgUnit.retired_at.is_(None))
        .first()
    )
    active_people = (
        session.query(Person.id)
        .filter(Person.org_unit_id == unit.id, Person.retired_at.is_(None))
        .first()
    )
    if active_children or active_people:
        raise Conflict("an org unit with active sub-units or people cannot be retired")


RESOURCES: list[Resource[Any]] = [
    Resource(
        "org-units",
        "org unit",
        OrgUnit,
        o.OrgUnitRead,
        o.OrgUnitCreate,
        o.OrgUnitUpdate,
        create_org_unit,
        update_org_unit,
        retire_check=_org_retire_check,
    ),
    Resource(
        "party-memberships",
        "party membership",
        PartyMembership,
        pm.PartyMembershipRead,
        pm.PartyMembershipCreate,
        pm.PartyMembershipUpdate,
        create_membership,
        update_membership,
    ),
    Resource(
        "standard-profiles",
        "standard profile",
        StandardProfile,
        st.StandardProfileRead,
        st.StandardProfileCreate,
        st.StandardProfileUpdate,
        create_standard_profile,
        update_standard_profile,
        writable_by=("admin",),
    ),
    Resource(
        "positions",
        "position",
        Position,
        po.PositionRead,
        po.PositionCreate,
        po.PositionUpdate,
        create_position,
        update_position,
    ),
    Resource(
        "assignments",
        "assignment",
        Assignment,
        a.AssignmentRead,
        a.AssignmentCreate,
        a.AssignmentUpdate,
        create_assignment,
        update_assignment,
    ),
    Resource(
        "qualifications",
        "qualification",
        Qualification,
        q.QualificationRead,
        q.QualificationCreate,
        q.QualificationUpdate,
        create_qualification,
        update_qualification,
    ),
    Resource(
        "trainings",
        "training",
        Training,
        q.TrainingRead,
        q.TrainingCreate,
        q.TrainingUpdate,
        create_training,
        update_training,
    ),
    Resource(
        "evaluations",
        "evaluation",
        Evaluation,
        ev.EvaluationRead,
        ev.EvaluationCreate,
        ev.EvaluationUpdate,
        create_evaluation,
        update_evaluation,
    ),
    Resource(
        "commendations",
        "commendation",
        Commendation,
        c.CommendationRead,
        c.CommendationCreate,
        c.CommendationUpdate,
        create_commendation,
        update_commendation,
    ),
    Resource(
        "disciplines",
        "discipline",
        Discipline,
        c.DisciplineRead,
        c.DisciplineCreate,
        c.DisciplineUpdate,
        create_discipline,
        update_discipline,
    ),
    Resource(
        "planning-entries",
        "planning entry",
        PlanningEntry,
        pl.PlanningEntryRead,
        pl.PlanningEntryCreate,
        pl.PlanningEntryUpdate,
        create_planning_entry,
        update_planning_entry,
    ),
]


@functools.cache
def build_router() -> APIRouter:
    """The catalogue's generic routes, built once per process (some 350 routes, whose
    signatures FastAPI analyses when they are added); every application includes the same
    router, as it does the modules' own."""
    router = APIRouter()
    for res in (*RESOURCES, *resources_file.RESOURCES, *resources_party.RESOURCES):
        register(router, res)
    return router
