"""Imports every model of the registry core; ``registry.wiring.metadata()`` adds sync's."""

from registry.access.models import ApiToken
from registry.alerts.models import Alert, AlertComment
from registry.assignments.models import Assignment
from registry.audit.models import AuditCheckpoint, AuditEvent, AuditHead
from registry.conduct.models import Commendation, Discipline
from registry.db import Base, Entity
from registry.documents.models import Document
from registry.evaluations.models import Evaluation
from registry.file_records.models import (
    FamilyRelation,
    HealthRecord,
    MilitaryService,
    OrganisationMembership,
    PersonalHistory,
    SalaryHistory,
)
from registry.history import RecordVersion
from registry.org_units.models import OrgUnit
from registry.party.models import PartyEvent, PartyMembership
from registry.persons.models import IdentityVerification, Person, Provenance
from registry.planning.models import PlanningEntry
from registry.positions.models import Position
from registry.qualifications.models import Qualification, Training
from registry.standards.models import StandardProfile
from registry.users.models import SignInFailures, User

__all__ = [
    "Alert",
    "AlertComment",
    "ApiToken",
    "Assignment",
    "AuditCheckpoint",
    "AuditEvent",
    "AuditHead",
    "Base",
    "Commendation",
    "Discipline",
    "Document",
    "Entity",
    "Evaluation",
    "FamilyRelation",
    "HealthRecord",
    "IdentityVerification",
    "MilitaryService",
    "OrgUnit",
    "OrganisationMembership",
    "PartyEvent",
    "PartyMembership",
    "Person",
    "PersonalHistory",
    "PlanningEntry",
    "Position",
    "Provenance",
    "Qualification",
    "RecordVersion",
    "SalaryHistory",
    "SignInFailures",
    "StandardProfile",
    "Training",
    "User",
]
