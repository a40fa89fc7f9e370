"""An alert's or a finding's explanation in words: what is required, what was found, which
records show it (by what they are and their dates), and the version of the standard.

The engine's explanation is data (``requirement``, ``found``, ``evidence`` as table and id,
``standard`` as code and start date); this turns each part into a line a ward officer reads,
never an English key or an id. A requirement key not listed below is shown with spaces, and
an evidence record that no longer exists as "(không còn)".
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy.orm import Session

from registry.access.scope import entity_models
from registry.standards.models import StandardProfile
from registry.web.file_view import id_names
from registry.web.words import code_words, field_label, period_words, section_label, shown

REQUIREMENT_WORDS: dict[str, tuple[str, str]] = {
    "kind": ("Loại", "Kind"),
    "min_level": ("Trình độ tối thiểu", "Minimum level"),
    "majors": ("Chuyên ngành", "Majors"),
    "party_member": ("Là đảng viên", "Party member"),
    "in_planning": ("Có trong quy hoạch", "In the planning"),
    "years": ("Số năm gần nhất", "Last years"),
    "count": ("Số năm gần nhất", "Last years"),
    "min_classification": ("Xếp loại tối thiểu", "Minimum classification"),
    "no_discipline_in_effect": ("Không đang chịu kỷ luật", "No discipline in effect"),
    "certificates_valid": ("Chứng chỉ còn hạn", "Certificates valid"),
    "max_months_in_post": ("Thời gian giữ chức tối đa (tháng)", "Most months in post"),
    "headcount": ("Số người theo định biên", "Headcount"),
    "period": ("Kỳ đánh giá", "Period"),
    "years_before_retirement_at_appointment": (
        "Số năm công tác còn lại khi bổ nhiệm",
        "Years left at appointment",
    ),
    "years_of_working_time_left_at_rotation": (
        "Số năm công tác còn lại khi luân chuyển",
        "Years left at rotation",
    ),
    "months_ahead": ("Báo trước (tháng)", "Months ahead"),
    "required_rank": ("Ngạch yêu cầu", "Required rank"),
    "rank_held": ("Ngạch đang giữ", "Rank held"),
    "meeting": ("Đạt", "Meets"),
    "due_on": ("Hạn", "Due on"),
    "min_years_experience": ("Số năm kinh nghiệm tối thiểu", "Minimum years of experience"),
    "warning_months": ("Báo trước (tháng)", "Months of warning"),
    "term_years": ("Nhiệm kỳ (năm)", "Term (years)"),
    "caps": ("Quy định giới hạn xếp loại", "Caps"),
    "waiting_months": ("Thời gian chờ sau kỷ luật (tháng)", "Waiting period (months)"),
    "holders": ("Số người đang giữ", "Holders"),
    "months_in_post": ("Số tháng đã giữ chức", "Months in post"),
    "years_in_post": ("Số năm đã giữ chức", "Years in post"),
    "years_left": ("Số năm công tác còn lại", "Years left"),
    "retires_on": ("Ngày nghỉ hưu", "Retires on"),
    "expires_on": ("Ngày hết hạn", "Expires on"),
    "level": ("Trình độ", "Level"),
    "since": ("Từ ngày", "Since"),
    "until": ("Đến ngày", "Until"),
    "form": ("Hình thức kỷ luật", "Form"),
    "decided_on": ("Ngày quyết định", "Decided on"),
    "planned": ("Số người trong quy hoạch", "Planned"),
    "years_of_experience": ("Số năm kinh nghiệm", "Years of experience"),
    # the party obligations of every member, and the reconciliation of a cell's registers
    "probation_months": ("Thời gian dự bị (tháng)", "Probation (months)"),
    "probation_started_on": ("Ngày bắt đầu dự bị", "Probation started on"),
    "issue_working_days": ("Hạn làm thủ tục chuyển (ngày làm việc)", "Issue within (working days)"),
    "present_working_days": (
        "Hạn nộp giấy giới thiệu (ngày làm việc)",
        "Present within (working days)",
    ),
    "step": ("Bước chưa làm", "Step not done"),
    "max_unpaid_months": ("Số tháng chưa đóng tối đa", "Most months unpaid"),
    "window_months": ("Trong số tháng gần nhất", "Of the last months"),
    "unpaid_months": ("Số tháng chưa đóng đảng phí", "Months of dues unpaid"),
    "every_months": ("Đối chiếu mỗi (tháng)", "Reconciled every (months)"),
    "members": ("Số đảng viên", "Members"),
    "last_reconciled_on": ("Lần đối chiếu gần nhất", "Last reconciled on"),
}
STEP_WORDS = {
    "letter_issued": ("Cấp giấy giới thiệu sinh hoạt đảng", "Issue the introduction letter"),
    "letter_presented": ("Nộp giấy giới thiệu cho chi bộ nơi đến", "Present the letter"),
}
PHRASES = {
    "vi": {
        "required": "Yêu cầu",
        "found": "Thực tế",
        "records": "Căn cứ",
        "standard": "Tiêu chuẩn áp dụng",
        "from": "hiệu lực từ",
        "gone": "(không còn)",
        "nothing": "không có",
    },
    "en": {
        "required": "Required",
        "found": "Found",
        "records": "Records",
        "standard": "Standard applied",
        "from": "in force from",
        "gone": "(no longer there)",
        "nothing": "none",
    },
}
# The fields that say what a record is, in order, per kind; other kinds show their first three.
RECORD_FIELDS = {
    "qualifications": ("kind", "level", "major", "awarded_on", "expires_on"),
    "trainings": ("course", "valid_from", "valid_to", "certificate"),
    "evaluations": ("period", "classification"),
    "disciplines": ("form", "authority", "decided_on", "effective_to"),
    "assignments": ("position_id", "kind", "valid_from", "valid_to"),
    "planning_entries": ("position_id", "term", "decided_on"),
    "party_memberships": ("status", "admitted_on", "official_on"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "en" else pair[0]


def _value(key: str, value: Any, lang: str) -> str:
    if isinstance(value, bool):
        return ("yes" if value else "no") if lang == "en" else ("có" if value else "không")
    if isinstance(value, list):
        return ", ".join(_value(key, v, lang) for v in value) or PHRASES[lang]["nothing"]
    if isinstance(value, dict):
        return "; ".join(
            f"{_pick(REQUIREMENT_WORDS.get(k, (k.replace('_', ' '),) * 2), lang)}: "
            f"{_value(k, v, lang)}"
            for k, v in value.items()
        )
    if value is None:
        return "—"
    text = str(value)
    if key in ("min_level", "found", "level"):
        return code_words("level", text, lang)
    if key in ("min_classification", "classification"):
        return code_words("classification", text, lang)
    if key == "kind":
        return code_words("kind", text, lang)
    if key == "period":
        return period_words(text, lang)
    if key == "step" and text in STEP_WORDS:
        return _pick(STEP_WORDS[text], lang)
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            return dt.date.fromisoformat(text).strftime("%d/%m/%Y")
        except ValueError:
            return text
    return text


def _models() -> dict[str, Any]:
    return {m.__tablename__: m for m in entity_models()}


def _record_line(session: Session, table: str, raw_id: str, lang: str) -> str:
    model = _models().get(table)
    try:
        row_id = uuid.UUID(raw_id)
    except ValueError:
        return PHRASES[lang]["gone"]
    obj = None if model is None else session.get(model, row_id)
    heading = section_label("work_history" if table == "assignments" else table, lang)
    if obj is None or model is None:
        return f"{heading} {PHRASES[lang]['gone']}"
    names = (
        RECORD_FIELDS.get(table)
        or tuple(c.key for c in model.__table__.columns if c.key not in ("id", "person_id"))[:3]
    )
    values = {n: getattr(obj, n, None) for n in names}
    lookup = id_names(session, {v for v in values.values() if isinstance(v, uuid.UUID)})
    parts = [
        f"{field_label(table, n, lang)}: {shown(n, v, lang, names=lookup, table=table)}"
        for n, v in values.items()
        if v not in (None, "")
    ]
    return f"{heading} — " + ", ".join(parts)


def _standard_line(session: Session, standard: dict[str, Any], lang: str) -> str:
    name = standard.get("code", "")
    profile_id = standard.get("profile_id")
    if profile_id:
        try:
            profile = session.get(StandardProfile, uuid.UUID(str(profile_id)))
        except ValueError:
            profile = None
        if profile is not None:
            name = profile.name
    since = _value("effective_from", standard.get("effective_from"), lang)
    return f"{PHRASES[lang]['standard']}: {name}, {PHRASES[lang]['from']} {since}"


def finding_lines(session: Session, rule: str, details: dict[str, Any], lang: str) -> list[str]:
    """Lines for one explanation (the rule's name is shown by the caller)."""
    words = PHRASES.get(lang, PHRASES["vi"])
    out: list[str] = []
    requirement = details.get("requirement") or {}
    if requirement:
        out.append(f"{words['required']}: {_value('requirement', requirement, lang)}")
    found = details.get("found")
    if found is not None and not details.get("masked"):
        out.append(f"{words['found']}: {_value('found', found, lang)}")
    evidence = details.get("evidence") or []
    if evidence and not details.get("masked"):
        lines = [
            _record_line(session, str(e.get("table", "")), str(e.get("id", "")), lang)
            for e in evidence
            if isinstance(e, dict)
        ]
        out.append(f"{words['records']}: " + "; ".join(lines))
    standard = details.get("standard")
    if isinstance(standard, dict):
        out.append(_standard_line(session, standard, lang))
    return out
