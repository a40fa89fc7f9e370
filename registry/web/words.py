"""Words for the codes and fields of a personnel file, so no page shows a raw code.

Field headings come from the catalogue (``label_vi``) first; a field the catalogue has not
labelled yet gets the words below, and failing that its name with spaces — a new field shows
up labelled without more page code. Code values are looked up by field name (the same code
list wherever the field appears); an unknown code is shown as it is, never hidden.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from registry import catalogue, codes

Pair = tuple[str, str]  # (Vietnamese, English)

LEVELS: dict[str, Pair] = {
    "so_cap": ("Sơ cấp", "Elementary"),
    "trung_cap": ("Trung cấp", "Intermediate"),
    "cao_dang": ("Cao đẳng", "College"),
    "dai_hoc": ("Đại học", "Bachelor"),
    "thac_si": ("Thạc sĩ", "Master"),
    "tien_si": ("Tiến sĩ", "Doctorate"),
    "cao_cap": ("Cao cấp", "Advanced"),
    "cu_nhan": ("Cử nhân", "Bachelor (political theory)"),
    "can_su": ("Cán sự", "Officer"),
    "chuyen_vien": ("Chuyên viên", "Specialist"),
    "chuyen_vien_chinh": ("Chuyên viên chính", "Principal specialist"),
    "chuyen_vien_cao_cap": ("Chuyên viên cao cấp", "Senior specialist"),
    "co_ban": ("Cơ bản", "Basic"),
    "nang_cao": ("Nâng cao", "Advanced"),
    **{f"bac_{n}": (f"Bậc {n}", f"Level {n}") for n in range(1, 7)},
    **{f"doi_tuong_{n}": (f"Đối tượng {n}", f"Group {n}") for n in range(1, 5)},
}

CODES: dict[str, dict[str, Pair]] = {
    "sex": {"M": ("Nam", "Male"), "F": ("Nữ", "Female")},
    "life_status": {"alive": ("Còn sống", "Alive"), "deceased": ("Đã mất", "Deceased")},
    "kind": {  # assignments and qualifications share the field name, not the values
        "appointment": ("Bổ nhiệm", "Appointment"),
        "election": ("Bầu cử", "Election"),
        "rotation": ("Luân chuyển", "Rotation"),
        "secondment": ("Biệt phái", "Secondment"),
        "concurrent": ("Kiêm nhiệm", "Concurrent post"),
        "acting": ("Quyền", "Acting"),
        "transfer": ("Điều động", "Transfer"),
        "professional": ("Chuyên môn", "Professional"),
        "political_theory": ("Lý luận chính trị", "Political theory"),
        "state_management": ("Quản lý nhà nước", "State management"),
        "it": ("Tin học", "IT"),
        "foreign_language": ("Ngoại ngữ", "Foreign language"),
        "defence_security": ("Quốc phòng - an ninh", "Defence and security"),
        "status": ("Thay đổi tình trạng", "Status change"),
    },
    "level": {
        **LEVELS,
        "ward": ("Cấp phường", "Ward"),
        "city": ("Cấp thành phố", "City"),
        "province": ("Cấp tỉnh", "Province"),
        "national": ("Cấp Trung ương", "National"),
    },
    "form": {
        "reprimand": ("Khiển trách", "Reprimand"),
        "warning": ("Cảnh cáo", "Warning"),
        "removal_from_post": ("Cách chức", "Removal from post"),
        "demotion": ("Hạ bậc lương", "Demotion"),
        "dismissal": ("Buộc thôi việc", "Dismissal"),
        "expulsion": ("Khai trừ", "Expulsion"),
    },
    "authority": {"party": ("Kỷ luật Đảng", "Party"), "state": ("Kỷ luật hành chính", "State")},
    "status": {
        "probationary": ("Đảng viên dự bị", "Probationary member"),
        "official": ("Đảng viên chính thức", "Official member"),
        "transferred_out": ("Đã chuyển sinh hoạt đi", "Transferred out"),
        "left": ("Đã ra khỏi Đảng", "Left"),
        "expelled": ("Bị khai trừ", "Expelled"),
        "deceased": ("Đã từ trần", "Deceased"),
    },
    "classification": {
        "HTXS": ("Hoàn thành xuất sắc nhiệm vụ", "Excellent"),
        "HTT": ("Hoàn thành tốt nhiệm vụ", "Good"),
        "HT": ("Hoàn thành nhiệm vụ", "Complete"),
        "KHT": ("Không hoàn thành nhiệm vụ", "Failed"),
    },
    "period_kind": {
        "month": ("Tháng", "Month"),
        "quarter": ("Quý", "Quarter"),
        "year": ("Năm", "Year"),
    },
    "mode": {
        "full_time": ("Tập trung", "Full-time"),
        "part_time": ("Vừa làm vừa học", "Part-time"),
        "in_service": ("Bồi dưỡng tại chức", "In service"),
        "online": ("Trực tuyến", "Online"),
        "other": ("Khác", "Other"),
    },
    "owner_table": {
        "persons": ("Hồ sơ", "File"),
        "assignments": ("Quá trình công tác", "Work history"),
        "qualifications": ("Trình độ", "Qualification"),
        "trainings": ("Đào tạo", "Training"),
        "disciplines": ("Kỷ luật", "Discipline"),
        "party_memberships": ("Đảng viên", "Party membership"),
    },
}
for _name in ("from_status", "to_status"):
    CODES[_name] = CODES["status"]
CODES["derived_classification"] = CODES["classification"]
CODES["override_classification"] = CODES["classification"]

FIELDS: dict[str, Pair] = {
    "kind": ("Loại", "Kind"),
    "level": ("Trình độ, cấp", "Level"),
    "major": ("Chuyên ngành", "Major"),
    "institution": ("Cơ sở đào tạo", "Institution"),
    "awarded_on": ("Ngày cấp", "Awarded"),
    "expires_on": ("Hết hạn", "Expires"),
    "course": ("Khóa học", "Course"),
    "valid_from": ("Từ ngày", "From"),
    "valid_to": ("Đến ngày", "To"),
    "hours": ("Số tiết", "Hours"),
    "mode": ("Hình thức", "Mode"),
    "certificate": ("Văn bằng, chứng chỉ", "Certificate"),
    "period_kind": ("Kỳ", "Period kind"),
    "period": ("Kỳ đánh giá", "Period"),
    "general_points": ("Điểm tiêu chí chung", "General points"),
    "task_points": ("Điểm kết quả nhiệm vụ", "Task points"),
    "components": ("Điểm thành phần", "Components"),
    "classification": ("Xếp loại", "Classification"),
    "derived_classification": ("Xếp loại theo điểm", "Band by points"),
    "applied_rules": ("Quy định áp dụng", "Rules applied"),
    "override_classification": ("Xếp loại điều chỉnh", "Override"),
    "override_reason": ("Lý do điều chỉnh", "Override reason"),
    "title": ("Hình thức khen thưởng", "Title"),
    "decided_on": ("Ngày quyết định", "Decided on"),
    "decision_no": ("Số quyết định", "Decision no."),
    "decision_date": ("Ngày quyết định", "Decision date"),
    "decision_signer": ("Người ký", "Signed by"),
    "authority": ("Hệ thống", "Authority"),
    "form": ("Hình thức kỷ luật", "Form"),
    "effective_from": ("Hiệu lực từ", "Effective from"),
    "effective_to": ("Hiệu lực đến", "Effective to"),
    "effective_on": ("Ngày hiệu lực", "Effective on"),
    "reason_text": ("Lý do", "Reason"),
    "position_id": ("Chức danh", "Post"),
    "external_post": ("Chức vụ (ngoài phường)", "Post (elsewhere)"),
    "external_unit": ("Đơn vị (ngoài phường)", "Unit (elsewhere)"),
    "party_cell_id": ("Chi bộ", "Party cell"),
    "admitted_on": ("Ngày vào Đảng", "Admitted"),
    "official_on": ("Ngày chính thức", "Official"),
    "card_no": ("Số thẻ đảng viên", "Card no."),
    "party_cv_no": ("Số lý lịch đảng viên", "Party CV no."),
    "status": ("Tình trạng", "Status"),
    "from_status": ("Từ", "From"),
    "to_status": ("Sang", "To"),
    "from_cell_id": ("Từ chi bộ", "From cell"),
    "to_cell_id": ("Đến chi bộ", "To cell"),
    "term": ("Nhiệm kỳ", "Term"),
    "filename": ("Tên tệp", "File name"),
    "media_type": ("Loại tệp", "Type"),
    "size": ("Dung lượng (byte)", "Size (bytes)"),
    "owner_table": ("Thuộc", "Belongs to"),
    "org_unit_id": ("Đơn vị", "Unit"),
    "birth_date": ("Ngày sinh", "Birth date"),
    "sex": ("Giới tính", "Sex"),
    "nid": ("Số định danh", "Identification number"),
    "cmnd": ("Số CMND", "Old ID card"),
    "ethnicity_code": ("Dân tộc", "Ethnicity"),
    "religion_code": ("Tôn giáo", "Religion"),
    "phone": ("Điện thoại", "Phone"),
    "email": ("Thư điện tử", "E-mail"),
    "current_residence": ("Nơi ở hiện nay", "Current residence"),
    "permanent_residence": ("Nơi thường trú", "Permanent residence"),
    "origin_place": ("Quê quán", "Place of origin"),
    "birth_place": ("Nơi sinh", "Place of birth"),
    "rank_code": ("Ngạch", "Rank"),
    "salary_step": ("Bậc lương", "Salary step"),
    "salary_coefficient": ("Hệ số lương", "Salary coefficient"),
    "recruited_on": ("Ngày tuyển dụng", "Recruited"),
    "civil_servant_no": ("Số hiệu công chức", "Civil servant no."),
}

SECTIONS: dict[str, Pair] = {
    "work_history": ("Quá trình công tác", "Work history"),
    "qualifications": ("Trình độ", "Qualifications"),
    "trainings": ("Đào tạo, bồi dưỡng", "Training"),
    "evaluations": ("Đánh giá, xếp loại", "Evaluations"),
    "commendations": ("Khen thưởng", "Commendations"),
    "disciplines": ("Kỷ luật", "Discipline"),
    "planning": ("Quy hoạch", "Planning"),
    "documents": ("Tài liệu", "Documents"),
    "party_membership": ("Đảng viên", "Party membership"),
    "party_events": ("Biến động đảng viên", "Party membership changes"),
}
# File sections whose name differs from their table (the rest are named after it).
SECTION_TABLES = {"work_history": "assignments", "party_membership": "party_memberships"}


def _pick(pair: Pair, lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def section_label(section: str, lang: str) -> str:
    kind = catalogue.kind(SECTION_TABLES.get(section, section))
    if lang != "en" and kind is not None and kind.label_vi:
        return kind.label_vi
    pair = SECTIONS.get(section)
    return _pick(pair, lang) if pair else section.replace("_", " ").capitalize()


def field_label(table: str, name: str, lang: str) -> str:
    kind = catalogue.kind(table)
    declared = kind.by_name.get(name) if kind is not None else None
    if lang != "en" and declared is not None and declared.label_vi:
        return declared.label_vi
    pair = FIELDS.get(name)
    return _pick(pair, lang) if pair else name.replace("_", " ").capitalize()


@lru_cache(maxsize=1)
def _lists() -> dict[str, Mapping[str, str]]:
    return {"ethnicity_code": codes.ethnic_groups(), "religion_code": codes.religions()}


def _declared_words(table: str | None, name: str, value: str) -> str | None:
    kind = catalogue.kind(table) if table else None
    declared = kind.by_name.get(name) if kind is not None else None
    if declared is None or not getattr(declared, "codes", ()):
        return None
    return dict(declared.codes).get(value)


def code_words(name: str, value: str, lang: str, table: str | None = None) -> str:
    """A code in words: the catalogue's code list first (Vietnamese), then the lists here."""
    if lang != "en":
        declared = _declared_words(table, name, value)
        if declared:
            return declared
    listed = _lists().get(name)
    if listed is not None:
        return listed.get(value, value)
    pair = CODES.get(name, {}).get(value)
    return _pick(pair, lang) if pair else value


def shown(
    name: str,
    value: Any,
    lang: str,
    *,
    names: Mapping[uuid.UUID, str],
    table: str | None = None,
) -> str:
    """One value as a person reads it: dates dd/mm/yyyy, codes in words, ids by their
    name (a post's title, a unit's name), booleans as yes/no, places by their text."""
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return ("Yes" if value else "No") if lang == "en" else ("Có" if value else "Không")
    if isinstance(value, dt.datetime):
        from registry.web.render import moment

        return moment(value)
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, uuid.UUID):
        return names.get(value, "")
    if isinstance(value, Mapping):
        if "text" in value:  # a place: (unit code, code list, free text)
            return str(value.get("text") or "")
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(shown(name, v, lang, names=names, table=table) for v in value)
    text = str(value)
    if name in ("period", "term_period"):
        return period_words(text, lang)
    if name in ("birth_date", "death_date") and text[:4].isdigit():
        return "/".join(reversed(text.split("-")))
    return code_words(name, text, lang, table)


def period_words(period: str, lang: str) -> str:
    """``2025-Q3`` → "Quý 3/2025"; ``2025`` → "Năm 2025"; ``2025-11`` → "Tháng 11/2025"."""
    year, _, part = period.partition("-")
    if not part:
        return f"Year {year}" if lang == "en" else f"Năm {year}"
    if part.startswith("Q"):
        return f"Q{part[1:]} {year}" if lang == "en" else f"Quý {part[1:]}/{year}"
    return f"{part}/{year}" if lang == "en" else f"Tháng {part}/{year}"
