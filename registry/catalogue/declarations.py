"""The declarations: every record kind and every field of it, once.

Bookkeeping columns (``id``, ``version``, ``created_at``, ``updated_at``, ``retired_at``) and a
kind's link to its person are public and not repeated here. ``tests/unit/test_catalogue.py``
fails when a model has a column this file does not declare.
"""

from __future__ import annotations

from typing import Any, Final

from registry.catalogue.model import (
    CIVIL_SERVICE,
    POPULATION,
    Field,
    RecordKind,
    Sensitivity,
)

PUB = Sensitivity.PUBLIC
PER = Sensitivity.PERSONAL
SPE = Sensitivity.SPECIAL
SEC = Sensitivity.SECRET
CS = frozenset({CIVIL_SERVICE})


def _identity(name: str, sensitivity: Sensitivity = PER, **kw: object) -> Field:
    """A field the national population database owns."""
    return Field(name, sensitivity, group="identity", owner=POPULATION, **kw)  # type: ignore[arg-type]


def _many(*names: str, **kw: Any) -> tuple[Field, ...]:
    """Fields that share everything but their name (a group of a record kind)."""
    return tuple(Field(n, **kw) for n in names)


def _rank(name: str) -> Field:
    """A field the national civil-servant database owns."""
    return Field(name, PER, group="rank_salary", owner=CIVIL_SERVICE)


PERSONS = RecordKind(
    "persons",
    PER,
    person_link=None,
    pushed_to=CS,
    label_vi="Hồ sơ cán bộ",
    fields=(
        Field("org_unit_id", PUB),
        _identity("nid", SEC, encrypted=True, blind_indexed=True, label_vi="Số định danh"),
        _identity("cmnd", SEC, encrypted=True, blind_indexed=True, label_vi="Số CMND"),
        _identity("family_name", label_vi="Họ"),
        _identity("middle_name", label_vi="Tên đệm"),
        _identity("given_name", label_vi="Tên"),
        Field("other_names", PER, group="personal", label_vi="Tên gọi khác"),
        Field(
            "search_key",
            PER,
            derived_from=("family_name", "middle_name", "given_name", "other_names"),
        ),
        _identity("birth_date", label_vi="Ngày sinh"),
        Field("birth_year", PER, derived_from=("birth_date",)),
        _identity("sex", label_vi="Giới tính"),
        _identity("ethnicity_code", SPE, label_vi="Dân tộc"),
        _identity("religion_code", SPE, label_vi="Tôn giáo"),
        Field("birth_place", PER, group="personal", label_vi="Nơi sinh"),
        _identity("origin_place", label_vi="Quê quán"),
        _identity("permanent_residence", label_vi="Nơi thường trú"),
        Field("current_residence", PER, group="contact", label_vi="Nơi ở hiện nay"),
        Field("phone", SEC, group="contact", encrypted=True, label_vi="Điện thoại"),
        Field("email", SEC, group="contact", encrypted=True, label_vi="Thư điện tử"),
        _identity("life_status", label_vi="Tình trạng"),
        _identity("death_date", label_vi="Ngày mất"),
        Field("general_education", PER, group="employment", label_vi="Giáo dục phổ thông"),
        _rank("recruited_on"),
        Field("recruiting_agency", PER, group="employment", label_vi="Cơ quan tuyển dụng"),
        _rank("civil_servant_no"),
        _rank("rank_code"),
        _rank("salary_grade"),
        _rank("salary_step"),
        _rank("salary_coefficient"),
    ),
)

PROVENANCE = RecordKind(
    "provenance",
    PUB,
    fields=(Field("field_group"), Field("source"), Field("asserted_at")),
)

PARTY_MEMBERSHIPS = RecordKind(
    "party_memberships",
    SPE,
    label_vi="Đảng viên",
    fields=(
        Field("party_cell_id", group="party"),
        Field("admitted_on", group="party"),
        Field("official_on", group="party"),
        Field("card_no", group="party"),
        Field("party_cv_no", group="party"),
        Field("status", group="party"),
    ),
)

PARTY_EVENTS = RecordKind(
    "party_events",
    SPE,
    person_link="membership_id",
    label_vi="Biến động đảng viên",
    fields=_many(
        "membership_id",
        "kind",
        "from_status",
        "to_status",
        "from_cell_id",
        "to_cell_id",
        "effective_on",
        "decision_no",
        group="party",
    ),
)

DISCIPLINES = RecordKind(
    "disciplines",
    SPE,
    label_vi="Kỷ luật",
    fields=_many(
        "authority",
        "form",
        "decided_on",
        "effective_from",
        "effective_to",
        "decision_no",
        "reason_text",
        group="conduct",
    ),
)

COMMENDATIONS = RecordKind(
    "commendations",
    PER,
    label_vi="Khen thưởng",
    fields=_many("title", "level", "decided_on", "decision_no", group="conduct"),
)

# An evaluation's classification is capped by the disciplines of its year: the caps applied
# (``applied_rules``) and the band before them (``derived_classification``, whose gap with
# ``classification`` is the cap) are made of discipline facts, as closed as a discipline.
EVALUATION_FROM_DISCIPLINES = ("derived_classification", "applied_rules")
EVALUATIONS = RecordKind(
    "evaluations",
    PER,
    pushed_to=CS,
    label_vi="Đánh giá, xếp loại",
    fields=tuple(
        Field(
            n,
            SPE if n in EVALUATION_FROM_DISCIPLINES else PER,
            group="evaluations",
            pushed_to=CS,
        )
        for n in (
            "period_kind",
            "period",
            "general_points",
            "task_points",
            "components",
            "derived_classification",
            "classification",
            "applied_rules",
            "override_classification",
            "override_reason",
        )
    ),
)

QUALIFICATIONS = RecordKind(
    "qualifications",
    PER,
    pushed_to=CS,
    label_vi="Trình độ",
    fields=_many(
        "kind",
        "level",
        "major",
        "institution",
        "awarded_on",
        "expires_on",
        group="qualifications",
        pushed_to=CS,
    ),
)

TRAININGS = RecordKind(
    "trainings",
    PER,
    pushed_to=CS,
    label_vi="Đào tạo, bồi dưỡng",
    fields=_many(
        "course",
        "institution",
        "valid_from",
        "valid_to",
        "hours",
        "mode",
        "certificate",
        group="training",
        pushed_to=CS,
    ),
)

ASSIGNMENTS = RecordKind(
    "assignments",
    PER,
    pushed_to=CS,
    label_vi="Quá trình công tác",
    fields=_many(
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
    fields=_many("position_id", "term", "decided_on", "decision_no", group="planning"),
)

# A document is as closed as the record it is attached to (``owner_table``): the policy
# reads that kind's sensitivity.
DOCUMENTS = RecordKind(
    "documents",
    PER,
    label_vi="Tài liệu",
    fields=_many(
        "owner_table", "owner_id", "filename", "media_type", "size", "sha256", group="documents"
    ),
)

ORG_UNITS = RecordKind(
    "org_units",
    PUB,
    person_link=None,
    label_vi="Đơn vị",
    fields=_many("code", "name", "kind", "parent_id", "path", "unit_code"),
)

POSITIONS = RecordKind(
    "positions",
    PUB,
    person_link=None,
    label_vi="Vị trí việc làm",
    fields=_many(
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
    fields=_many("code", "name", "effective_from", "effective_to", "requirements"),
)

# The record kind each rule's explanation (found value, evidence) is made of, where that
# kind is closed to some readers: the forms and dates of sanctions, a party status.
RULE_SOURCES: Final[dict[str, str]] = {
    "no_discipline_in_effect": "disciplines",
    "appointed_while_ineligible": "disciplines",
    "planned_while_ineligible": "disciplines",
    "party_member": "party_memberships",
}
ALERTS = RecordKind(
    "alerts",
    PER,
    label_vi="Cảnh báo",
    fields=(
        *_many(
            "rule",
            "position_id",
            "org_unit_id",
            "status",
            "active_key",
            "since",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "waived_reason",
            "waived_until",
            "assigned_to",
        ),
        Field("details", PER, made_of=("rule", RULE_SOURCES)),
        Field("basis", PER, made_of=("rule", RULE_SOURCES)),
    ),
)

ALERT_COMMENTS = RecordKind(
    "alert_comments",
    PER,
    person_link=None,
    fields=_many("alert_id", "author", "text"),
)

USERS = RecordKind(
    "users",
    PUB,
    person_link=None,
    fields=(
        Field("username", PER),
        Field("password_hash", SEC, redacted_in_history=True),
        *_many(
            "role",
            "org_unit_id",
            "disabled",
            "failed_attempts",
            "locked_until",
            "last_sign_in_at",
            "sessions_revoked_at",
        ),
    ),
)

API_TOKENS = RecordKind(
    "api_tokens",
    PUB,
    person_link=None,
    fields=(
        Field("token_hash", SEC, redacted_in_history=True),
        *_many("name", "role", "org_unit_id", "expires_at"),
    ),
)

# Sync's operational rows that hold personal data. A conflict's values are those of the person
# field it is about (``field``): the read policy judges them by that field's class.
SYNC_CONFLICTS = RecordKind(
    "sync_conflicts",
    PER,
    versioned=False,
    fields=(
        *_many("system", "field", "reason", "status", "resolution"),
        Field("resolved_by", PER),
        Field("resolved_at"),
        # Encrypted at rest; shown or masked as the class of the person field they are about.
        Field("local", PER, encrypted=True),
        Field("remote", PER, encrypted=True),
    ),
)
# A refused answer of a national system, kept for inspection: whatever it held.
SYNC_QUARANTINE = RecordKind(
    "sync_quarantine",
    PUB,
    person_link=None,
    versioned=False,
    fields=(
        *_many("system", "job", "reason", "subject"),
        Field("payload", SEC, encrypted=True),
    ),
)

KINDS: Final[dict[str, RecordKind]] = {
    k.table: k
    for k in (
        PERSONS,
        PROVENANCE,
        PARTY_MEMBERSHIPS,
        PARTY_EVENTS,
        DISCIPLINES,
        COMMENDATIONS,
        EVALUATIONS,
        QUALIFICATIONS,
        TRAININGS,
        ASSIGNMENTS,
        PLANNING,
        DOCUMENTS,
        ORG_UNITS,
        POSITIONS,
        STANDARD_PROFILES,
        ALERTS,
        ALERT_COMMENTS,
        USERS,
        API_TOKENS,
        SYNC_CONFLICTS,
        SYNC_QUARANTINE,
    )
}
