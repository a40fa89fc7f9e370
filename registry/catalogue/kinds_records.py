"""A personnel file's records: discipline, commendation, evaluation, qualifications, documents."""

from __future__ import annotations

from registry.catalogue.kit import CS, PER, SPE, many
from registry.catalogue.model import Field, RecordKind

DISCIPLINES = RecordKind(
    "disciplines",
    SPE,
    label_vi="Kỷ luật",
    fields=many(
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
    fields=many("title", "level", "decided_on", "decision_no", group="conduct"),
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
    fields=many(
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
    fields=many(
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

# A document is as closed as the record it is attached to (``owner_table``): the policy
# reads that kind's sensitivity.
DOCUMENTS = RecordKind(
    "documents",
    PER,
    label_vi="Tài liệu",
    fields=many(
        "owner_table", "owner_id", "filename", "media_type", "size", "sha256", group="documents"
    ),
)

KINDS: tuple[RecordKind, ...] = (
    DISCIPLINES,
    COMMENDATIONS,
    EVALUATIONS,
    QUALIFICATIONS,
    TRAININGS,
    DOCUMENTS,
)
