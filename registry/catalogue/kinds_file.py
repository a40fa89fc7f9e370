"""The rest of the personnel file (form 2C-BNV/2008, 2C/TCTW-98, Decree 27/2026 data groups):
family relations, personal history, military service, health, socio-political organisations,
salary and allowance history.

Every field carries its Vietnamese label (the file page's headings and labels are read from
here) and every coded field its code list; the wire models accept exactly these codes
(``schemas.file_records``). Health is special-category data as a whole (Law 91/2025 art. 2);
so is a relative's party membership (political affiliation), field by field.
"""

from __future__ import annotations

from registry.catalogue.kit import PER, SPE
from registry.catalogue.model import Field, RecordKind, Timeline

RELATION_SIDES = (("own", "Về bản thân"), ("spouse", "Về bên vợ (hoặc chồng)"))
RELATIONS = (
    ("father", "Bố đẻ"),
    ("mother", "Mẹ đẻ"),
    ("adoptive_father", "Bố nuôi"),
    ("adoptive_mother", "Mẹ nuôi"),
    ("spouse", "Vợ (chồng)"),
    ("child", "Con"),
    ("sibling", "Anh, chị, em ruột"),
    ("father_in_law", "Bố vợ (chồng)"),
    ("mother_in_law", "Mẹ vợ (chồng)"),
    ("sibling_in_law", "Anh, chị, em ruột của vợ (chồng)"),
)
# Relations that exist only on one side: a father-in-law is on the spouse's side.
SPOUSE_SIDE_ONLY = frozenset({"father_in_law", "mother_in_law", "sibling_in_law"})
OWN_SIDE_ONLY = frozenset(
    {"father", "mother", "adoptive_father", "adoptive_mother", "spouse", "child", "sibling"}
)
PARTY_STATUSES = (
    ("none", "Không phải đảng viên"),
    ("member", "Đảng viên"),
    ("unknown", "Chưa rõ"),
)
HEALTH_STATUSES = (
    ("loai_1", "Loại I (rất khỏe)"),
    ("loai_2", "Loại II (khỏe)"),
    ("loai_3", "Loại III (trung bình)"),
    ("loai_4", "Loại IV (yếu)"),
    ("loai_5", "Loại V (rất yếu)"),
)
ORGANISATIONS = (
    ("mat_tran", "Mặt trận Tổ quốc Việt Nam"),
    ("cong_doan", "Công đoàn Việt Nam"),
    ("doan_thanh_nien", "Đoàn Thanh niên Cộng sản Hồ Chí Minh"),
    ("hoi_phu_nu", "Hội Liên hiệp Phụ nữ Việt Nam"),
    ("hoi_nong_dan", "Hội Nông dân Việt Nam"),
    ("hoi_cuu_chien_binh", "Hội Cựu chiến binh Việt Nam"),
)
# Allowances of Decree 204/2004/NĐ-CP (as amended) a ward cadre may draw.
ALLOWANCE_KINDS = (
    ("chuc_vu", "Phụ cấp chức vụ lãnh đạo"),
    ("tham_nien_vuot_khung", "Phụ cấp thâm niên vượt khung"),
    ("tham_nien_nghe", "Phụ cấp thâm niên nghề"),
    ("kiem_nhiem", "Phụ cấp kiêm nhiệm"),
    ("trach_nhiem", "Phụ cấp trách nhiệm theo công việc"),
    ("cong_vu", "Phụ cấp công vụ"),
    ("uu_dai_nghe", "Phụ cấp ưu đãi theo nghề"),
    ("khu_vuc", "Phụ cấp khu vực"),
    ("dac_biet", "Phụ cấp đặc biệt"),
)

FAMILY_RELATIONS = RecordKind(
    "family_relations",
    PER,
    label_vi="Quan hệ gia đình",
    fields=(
        Field("side", PER, group="family", label_vi="Bên", codes=RELATION_SIDES),
        Field("relation", PER, group="family", label_vi="Quan hệ", codes=RELATIONS),
        Field("full_name", PER, group="family", label_vi="Họ và tên"),
        Field("birth_year", PER, group="family", label_vi="Năm sinh"),
        Field("occupation", PER, group="family", label_vi="Nghề nghiệp"),
        Field("workplace", PER, group="family", label_vi="Đơn vị công tác, học tập"),
        Field("residence", PER, group="family", label_vi="Nơi ở"),
        Field(
            "party_status",
            SPE,
            group="family",
            label_vi="Đảng viên",
            codes=PARTY_STATUSES,
        ),
        Field("deceased", PER, group="family", label_vi="Đã mất"),
        Field("relative_person_id", PER, group="family", label_vi="Hồ sơ của người thân"),
    ),
)

PERSONAL_HISTORY = RecordKind(
    "personal_history",
    PER,
    label_vi="Tóm tắt quá trình công tác, lịch sử bản thân",
    timeline=Timeline("valid_from", "valid_to", "activity"),
    fields=(
        Field("valid_from", PER, group="history", label_vi="Từ (tháng, năm)"),
        Field("valid_to", PER, group="history", label_vi="Đến (tháng, năm)"),
        Field("activity", PER, group="history", label_vi="Làm gì"),
        Field("place", PER, group="history", label_vi="Ở đâu"),
    ),
)

MILITARY_SERVICES = RecordKind(
    "military_services",
    PER,
    label_vi="Nghĩa vụ quân sự",
    timeline=Timeline("enlisted_on", "discharged_on", "unit"),
    fields=(
        Field("enlisted_on", PER, group="military", label_vi="Ngày nhập ngũ"),
        Field("discharged_on", PER, group="military", label_vi="Ngày xuất ngũ"),
        Field("rank", PER, group="military", label_vi="Quân hàm cao nhất"),
        Field("unit", PER, group="military", label_vi="Đơn vị"),
        Field("notes", PER, group="military", label_vi="Ghi chú"),
    ),
)

HEALTH_RECORDS = RecordKind(
    "health_records",
    SPE,
    label_vi="Tình trạng sức khỏe",
    timeline=Timeline("examined_on", summary="status"),
    fields=(
        Field("examined_on", SPE, group="health", label_vi="Ngày khám"),
        Field("status", SPE, group="health", label_vi="Phân loại sức khỏe", codes=HEALTH_STATUSES),
        Field("height_cm", SPE, group="health", label_vi="Chiều cao (cm)"),
        Field("weight_kg", SPE, group="health", label_vi="Cân nặng (kg)"),
        Field("notes", SPE, group="health", label_vi="Ghi chú"),
    ),
)

ORGANISATION_MEMBERSHIPS = RecordKind(
    "organisation_memberships",
    PER,
    label_vi="Tham gia tổ chức chính trị - xã hội",
    timeline=Timeline("joined_on", "left_on", "organisation"),
    fields=(
        Field(
            "organisation",
            PER,
            group="organisations",
            label_vi="Tổ chức",
            codes=ORGANISATIONS,
        ),
        Field("role", PER, group="organisations", label_vi="Chức vụ trong tổ chức"),
        Field("joined_on", PER, group="organisations", label_vi="Ngày vào"),
        Field("left_on", PER, group="organisations", label_vi="Ngày ra"),
    ),
)

SALARY_HISTORY = RecordKind(
    "salary_history",
    PER,
    label_vi="Quá trình lương, phụ cấp",
    timeline=Timeline("valid_from", "valid_to", "salary_coefficient"),
    fields=(
        Field("valid_from", PER, group="salary", label_vi="Từ ngày"),
        Field("valid_to", PER, group="salary", label_vi="Đến ngày"),
        Field("rank_code", PER, group="salary", label_vi="Mã ngạch"),
        Field("salary_grade", PER, group="salary", label_vi="Bậc lương (nhóm)"),
        Field("salary_step", PER, group="salary", label_vi="Bậc"),
        Field("salary_coefficient", PER, group="salary", label_vi="Hệ số lương"),
        Field(
            "allowances",
            PER,
            group="salary",
            label_vi="Phụ cấp (loại, hệ số hoặc %)",
            codes=ALLOWANCE_KINDS,
        ),
    ),
)

KINDS: tuple[RecordKind, ...] = (
    FAMILY_RELATIONS,
    PERSONAL_HISTORY,
    MILITARY_SERVICES,
    HEALTH_RECORDS,
    ORGANISATION_MEMBERSHIPS,
    SALARY_HISTORY,
)
