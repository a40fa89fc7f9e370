"""Organisation, posts and their standards: units, positions, assignments, planning, profiles."""

from __future__ import annotations

from registry.assignments.rules import END_KINDS
from registry.catalogue.kit import CS, PER, PUB, many
from registry.catalogue.model import Field, RecordKind

ASSIGNMENTS = RecordKind(
    "assignments",
    PER,
    pushed_to=CS,
    label_vi="Quá trình công tác",
    fields=(
        *many(
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
        # How the post ended (registry.assignments.rules.END_KINDS), the term, the due date
        # of re-appointment: part of the work history the civil-service database keeps.
        Field(
            "end_kind",
            PER,
            group="posts",
            pushed_to=CS,
            label_vi="Hình thức thôi giữ chức vụ",
            codes=tuple(END_KINDS.items()),
        ),
        Field("term_years", PER, group="posts", pushed_to=CS, label_vi="Thời hạn bổ nhiệm (năm)"),
        Field(
            "reappointment_due_on",
            PER,
            group="posts",
            pushed_to=CS,
            label_vi="Ngày đến hạn bổ nhiệm lại",
        ),
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

RULE_PARAMETERS = RecordKind(
    "rule_parameters",
    PUB,
    person_link=None,
    label_vi="Tham số quy tắc tiêu chuẩn",
    fields=(
        Field("key", label_vi="Tham số"),
        Field("value", label_vi="Giá trị"),
        Field("source", label_vi="Căn cứ"),
        Field("effective_from", label_vi="Hiệu lực từ"),
        Field("effective_to", label_vi="Hiệu lực đến"),
    ),
)

KINDS: tuple[RecordKind, ...] = (
    ASSIGNMENTS,
    PLANNING,
    ORG_UNITS,
    POSITIONS,
    STANDARD_PROFILES,
    RULE_PARAMETERS,
)
