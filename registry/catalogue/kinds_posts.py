"""Organisation, posts and their standards: units, positions, assignments, planning, profiles."""

from __future__ import annotations

from registry.catalogue.kit import CS, PER, PUB, many
from registry.catalogue.model import RecordKind

ASSIGNMENTS = RecordKind(
    "assignments",
    PER,
    pushed_to=CS,
    label_vi="Quá trình công tác",
    fields=many(
        "position_id",
        "external_post",
        "external_unit",
        "kind",
        "valid_from",
        "valid_to",
        "decision_no",
        "decision_date",
        "decision_signer",
        group="posts",
        pushed_to=CS,
    ),
)

PLANNING = RecordKind(
    "planning_entries",
    PER,
    label_vi="Quy hoạch",
    fields=many("position_id", "term", "decided_on", "decision_no", group="planning"),
)

ORG_UNITS = RecordKind(
    "org_units",
    PUB,
    person_link=None,
    label_vi="Đơn vị",
    fields=many("code", "name", "kind", "parent_id", "path", "unit_code"),
)

POSITIONS = RecordKind(
    "positions",
    PUB,
    person_link=None,
    label_vi="Vị trí việc làm",
    fields=many(
        "org_unit_id",
        "title",
        "job_position_code",
        "is_leadership",
        "required_rank",
        "headcount",
        "standard_profile_id",
        "rotation_period_months",
    ),
)

STANDARD_PROFILES = RecordKind(
    "standard_profiles",
    PUB,
    person_link=None,
    label_vi="Tiêu chuẩn chức danh",
    fields=many("code", "name", "effective_from", "effective_to", "requirements"),
)

KINDS: tuple[RecordKind, ...] = (
    ASSIGNMENTS,
    PLANNING,
    ORG_UNITS,
    POSITIONS,
    STANDARD_PROFILES,
)
