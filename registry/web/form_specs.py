"""What each record form of a file asks for, and how its answers become the API's wire model.

One spec per record kind the Party Building Board keeps. The values go through the same wire
model and service function as ``POST /api/v1/<kind>``, so every rule applies the same way; an
issue the model or the service names (``body.valid_from``, ``form.valid_from``) is shown next
to the input of that name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from registry.api.crud import Resource
from registry.api.resources import RESOURCES
from registry.assignments.service import create_assignment
from registry.codes import QUALIFICATION_LADDERS
from registry.conduct.service import create_commendation, create_discipline
from registry.context import Ctx
from registry.db import Entity
from registry.evaluations.service import create_evaluation
from registry.qualifications.service import create_qualification, create_training
from registry.web.words import CODES, LEVELS
from schemas.assignments import AssignmentCreate
from schemas.conduct import CommendationCreate, DisciplineCreate
from schemas.evaluations import EvaluationCreate
from schemas.qualifications import QualificationCreate, TrainingCreate


@dataclass(frozen=True)
class Input:
    name: str
    kind: str = "text"  # text | date | number | select | textarea
    required: bool = False
    max_length: int = 200
    choices: tuple[tuple[str, str, str], ...] = ()  # (value, Vietnamese, English)


def _coded(field: str, values: tuple[str, ...] | None = None) -> tuple[tuple[str, str, str], ...]:
    table = CODES[field]
    keys = values if values is not None else tuple(table)
    return tuple((k, table[k][0], table[k][1]) for k in keys)


LEVEL_CHOICES = tuple(
    (
        level,
        f"{CODES['kind'][kind][0]}: {LEVELS[level][0]}",
        f"{CODES['kind'][kind][1]}: {LEVELS[level][1]}",
    )
    for kind, ladder in QUALIFICATION_LADDERS.items()
    for level in ladder
)


def iso_day(text: str) -> str:
    """A date typed as dd/mm/yyyy (how people here write it) becomes ISO; anything else is
    left for the wire model to judge (and name)."""
    parts = text.split("/")
    if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
        return f"{parts[2]}-{int(parts[1]):02d}-{int(parts[0]):02d}"
    return text


@dataclass(frozen=True)
class RecordForm:
    key: str  # the address part: /persons/{id}/{key}/new
    table: str
    inputs: tuple[Input, ...]
    model: type[BaseModel]
    create: Callable[[Session, Ctx, Any], Entity]
    dry_run: bool = False  # assignments: the findings are shown before saving

    def body(self, person_id: uuid.UUID, values: dict[str, str]) -> dict[str, Any]:
        """The wire model's input: empty boxes are absent, not empty strings."""
        out: dict[str, Any] = {"person_id": str(person_id)}
        for i in self.inputs:
            text = values.get(i.name, "").strip()
            if text:
                out[i.name] = iso_day(text) if i.kind == "date" else text
        return out


FORMS: dict[str, RecordForm] = {
    f.key: f
    for f in (
        RecordForm(
            "trainings",
            "trainings",
            (
                Input("course", required=True),
                Input("institution"),
                Input("valid_from", "date", required=True),
                Input("valid_to", "date"),
                Input("hours", "number"),
                Input("mode", "select", required=True, choices=_coded("mode")),
                Input("certificate"),
            ),
            TrainingCreate,
            create_training,
        ),
        RecordForm(
            "qualifications",
            "qualifications",
            (
                Input(
                    "kind",
                    "select",
                    required=True,
                    choices=_coded("kind", tuple(QUALIFICATION_LADDERS)),
                ),
                Input("level", "select", required=True, choices=LEVEL_CHOICES),
                Input("major"),
                Input("institution"),
                Input("awarded_on", "date"),
                Input("expires_on", "date"),
            ),
            QualificationCreate,
            create_qualification,
        ),
        RecordForm(
            "evaluations",
            "evaluations",
            (
                Input("period", required=True, max_length=7),
                Input("general_points", "number", required=True),
                Input("task_points", "number", required=True),
                Input("override_classification", "select", choices=_coded("classification")),
                Input("override_reason", "textarea", max_length=500),
            ),
            EvaluationCreate,
            create_evaluation,
        ),
        RecordForm(
            "commendations",
            "commendations",
            (
                Input("title", required=True),
                Input(
                    "level",
                    "select",
                    choices=_coded("level", ("ward", "city", "province", "national")),
                ),
                Input("decided_on", "date", required=True),
                Input("decision_no", max_length=64),
            ),
            CommendationCreate,
            create_commendation,
        ),
        RecordForm(
            "disciplines",
            "disciplines",
            (
                Input("authority", "select", required=True, choices=_coded("authority")),
                Input("form", "select", required=True, choices=_coded("form")),
                Input("decided_on", "date", required=True),
                Input("effective_from", "date", required=True),
                Input("effective_to", "date"),
                Input("decision_no", max_length=64),
                Input("reason_text", "textarea", max_length=500),
            ),
            DisciplineCreate,
            create_discipline,
        ),
        RecordForm(
            "assignments",
            "assignments",
            (
                Input("position_id", "select", required=True),  # choices: the visible posts
                Input(
                    "kind",
                    "select",
                    required=True,
                    choices=_coded(
                        "kind",
                        (
                            "appointment",
                            "election",
                            "rotation",
                            "secondment",
                            "concurrent",
                            "acting",
                            "transfer",
                        ),
                    ),
                ),
                Input("valid_from", "date", required=True),
                Input("valid_to", "date"),
                Input("decision_no", max_length=64),
                Input("decision_date", "date"),
                Input("decision_signer"),
            ),
            AssignmentCreate,
            create_assignment,
            dry_run=True,
        ),
    )
}


def resource(table: str) -> Resource[Any]:
    """The API's resource of a form's kind: its model, update model and update function."""
    return next(r for r in RESOURCES if r.model.__tablename__ == table)


def editable_fields(spec: RecordForm) -> set[str]:
    """The inputs the API's update model accepts: the rest of a record is fixed once made."""
    return {i.name for i in spec.inputs} & set(resource(spec.table).update.model_fields)
