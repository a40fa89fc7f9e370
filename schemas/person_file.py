from __future__ import annotations

from pydantic import Field

from schemas.assignments import AssignmentRead
from schemas.conduct import CommendationRead, DisciplineRead
from schemas.documents import DocumentRead
from schemas.evaluations import EvaluationRead
from schemas.file_records import (
    FamilyRelationRead,
    HealthRecordRead,
    MilitaryServiceRead,
    OrganisationMembershipRead,
    PersonalHistoryRead,
    SalaryHistoryRead,
)
from schemas.party import (
    PartyCommitteeMembershipRead,
    PartyDuesPaymentRead,
    PartyEventRead,
    PartyMembershipRead,
    PartyProbationRead,
    PartyTransferRecordRead,
)
from schemas.persons import PersonRead, ProvenanceRead
from schemas.planning import PlanningEntryRead
from schemas.qualifications import QualificationRead, TrainingRead
from schemas.sync import IdentityVerificationRead


class PersonFile(PersonRead):
    """The whole electronic personnel file (the sections of form 2C) in one answer."""

    party_membership: PartyMembershipRead | None = None
    party_events: list[PartyEventRead] = Field(default_factory=list)
    work_history: list[AssignmentRead] = Field(default_factory=list)
    qualifications: list[QualificationRead] = Field(default_factory=list)
    trainings: list[TrainingRead] = Field(default_factory=list)
    evaluations: list[EvaluationRead] = Field(default_factory=list)
    commendations: list[CommendationRead] = Field(default_factory=list)
    disciplines: list[DisciplineRead] = Field(default_factory=list)
    planning: list[PlanningEntryRead] = Field(default_factory=list)
    documents: list[DocumentRead] = Field(default_factory=list)
    # Sections named exactly as their tables (registry.file_records): the file read fills
    # every such section of a catalogued kind linked by person_id.
    family_relations: list[FamilyRelationRead] = Field(default_factory=list)
    personal_history: list[PersonalHistoryRead] = Field(default_factory=list)
    military_services: list[MilitaryServiceRead] = Field(default_factory=list)
    health_records: list[HealthRecordRead] = Field(default_factory=list)
    organisation_memberships: list[OrganisationMembershipRead] = Field(default_factory=list)
    salary_history: list[SalaryHistoryRead] = Field(default_factory=list)
    party_committee_memberships: list[PartyCommitteeMembershipRead] = Field(default_factory=list)
    party_probations: list[PartyProbationRead] = Field(default_factory=list)
    party_transfers: list[PartyTransferRecordRead] = Field(default_factory=list)
    party_dues_payments: list[PartyDuesPaymentRead] = Field(default_factory=list)
    provenance: list[ProvenanceRead] = Field(default_factory=list)
    identity_verification: IdentityVerificationRead | None = Field(
        default=None, description="the population database's last answer about this person"
    )
