"""Generic resources for the rest of the personnel file (family, history, military service,
health, organisations, salary history): each gets list / create / read / patch / retire with
scope, ETag, If-Match, reason and history from ``registry.api.crud``."""

from __future__ import annotations

from typing import Any

from registry.api.crud import Resource
from registry.file_records import service as fr
from schemas import file_records as w

RESOURCES: list[Resource[Any]] = [
    Resource(
        "family-relations",
        "family relation",
        fr.FAMILY.model,
        w.FamilyRelationRead,
        w.FamilyRelationCreate,
        w.FamilyRelationUpdate,
        fr.FAMILY.create,
        fr.FAMILY.update,
    ),
    Resource(
        "personal-history",
        "personal history",
        fr.HISTORY.model,
        w.PersonalHistoryRead,
        w.PersonalHistoryCreate,
        w.PersonalHistoryUpdate,
        fr.HISTORY.create,
        fr.HISTORY.update,
    ),
    Resource(
        "military-services",
        "military service",
        fr.MILITARY.model,
        w.MilitaryServiceRead,
        w.MilitaryServiceCreate,
        w.MilitaryServiceUpdate,
        fr.MILITARY.create,
        fr.MILITARY.update,
    ),
    Resource(
        "health-records",
        "health record",
        fr.HEALTH.model,
        w.HealthRecordRead,
        w.HealthRecordCreate,
        w.HealthRecordUpdate,
        fr.HEALTH.create,
        fr.HEALTH.update,
    ),
    Resource(
        "organisation-memberships",
        "organisation membership",
        fr.ORGANISATIONS.model,
        w.OrganisationMembershipRead,
        w.OrganisationMembershipCreate,
        w.OrganisationMembershipUpdate,
        fr.ORGANISATIONS.create,
        fr.ORGANISATIONS.update,
    ),
    Resource(
        "salary-history",
        "salary history",
        fr.SALARY.model,
        w.SalaryHistoryRead,
        w.SalaryHistoryCreate,
        w.SalaryHistoryUpdate,
        fr.SALARY.create,
        fr.SALARY.update,
    ),
]
