"""The person record (identity, personal, contact and employment data) and its provenance."""

from __future__ import annotations

from registry.catalogue.kit import CS, PER, PUB, SEC, SPE, identity, rank
from registry.catalogue.model import Field, RecordKind

PERSONS = RecordKind(
    "persons",
    PER,
    person_link=None,
    pushed_to=CS,
    label_vi="Hồ sơ cán bộ",
    fields=(
        Field("org_unit_id", PUB),
        identity("nid", SEC, encrypted=True, blind_indexed=True, label_vi="Số định danh"),
        # The card's issue: the registry records it from the card the cadre shows (the
        # population database's contract does not carry it).
        Field("id_issued_on", PER, group="personal", label_vi="Ngày cấp CCCD/CMND"),
        Field("id_issue_place", PER, group="personal", label_vi="Nơi cấp CCCD/CMND"),
        identity("cmnd", SEC, encrypted=True, blind_indexed=True, label_vi="Số CMND"),
        identity("family_name", label_vi="Họ"),
        identity("middle_name", label_vi="Tên đệm"),
        identity("given_name", label_vi="Tên"),
        Field("other_names", PER, group="personal", label_vi="Tên gọi khác"),
        Field(
            "search_key",
            PER,
            derived_from=("family_name", "middle_name", "given_name", "other_names"),
        ),
        identity("birth_date", label_vi="Ngày sinh"),
        Field("birth_year", PER, derived_from=("birth_date",)),
        identity("sex", label_vi="Giới tính"),
        identity("ethnicity_code", SPE, label_vi="Dân tộc"),
        identity("religion_code", SPE, label_vi="Tôn giáo"),
        Field("birth_place", PER, group="personal", label_vi="Nơi sinh"),
        identity("origin_place", label_vi="Quê quán"),
        identity("permanent_residence", label_vi="Nơi thường trú"),
        Field("current_residence", PER, group="contact", label_vi="Nơi ở hiện nay"),
        Field("phone", SEC, group="contact", encrypted=True, label_vi="Điện thoại"),
        Field("email", SEC, group="contact", encrypted=True, label_vi="Thư điện tử"),
        identity("life_status", label_vi="Tình trạng"),
        identity("death_date", label_vi="Ngày mất"),
        Field("general_education", PER, group="employment", label_vi="Giáo dục phổ thông"),
        rank("recruited_on"),
        Field("recruiting_agency", PER, group="employment", label_vi="Cơ quan tuyển dụng"),
        rank("civil_servant_no"),
        # Social insurance number (mã số BHXH, 10 digits): identifies the cadre to the social
        # insurance agency, so it is a secret like the identification number, encrypted.
        Field(
            "social_insurance_no",
            SEC,
            group="employment",
            encrypted=True,
            label_vi="Số sổ BHXH",
        ),
        rank("rank_code"),
        rank("salary_grade"),
        rank("salary_step"),
        rank("salary_coefficient"),
    ),
)

PROVENANCE = RecordKind(
    "provenance",
    PUB,
    fields=(Field("field_group"), Field("source"), Field("asserted_at")),
)

KINDS: tuple[RecordKind, ...] = (
    PERSONS,
    PROVENANCE,
)
