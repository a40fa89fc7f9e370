"""A cadre's records: discipline (first, so evaluations see it), qualifications on the
ladders of ``registry.codes``, trainings, quarterly and annual evaluations, commendations."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from registry.conduct.service import create_commendation, create_discipline
from registry.context import Ctx
from registry.demo.calendar import MERGER, add_years, between, ended_quarters, ended_years
from registry.evaluations.rules import evaluation_rules
from registry.evaluations.service import create_evaluation
from registry.qualifications.service import create_qualification, create_training
from schemas.conduct import CommendationCreate, DisciplineCreate
from schemas.evaluations import EvaluationCreate
from schemas.qualifications import QualificationCreate, TrainingCreate

if TYPE_CHECKING:
    from registry.demo.ward import Ward

MAJORS = (
    ("Luật", "Trường Đại học Luật Hà Nội"),
    ("Kinh tế", "Trường Đại học Kinh tế Quốc dân"),
    ("Quản lý đất đai", "Trường Đại học Nông Lâm Thái Nguyên"),
    ("Hành chính học", "Học viện Hành chính Quốc gia"),
    ("Kế toán", "Trường Đại học Hải Phòng"),
    ("Kỹ thuật xây dựng", "Trường Đại học Hàng hải Việt Nam"),
    ("Công nghệ thông tin", "Trường Đại học Hải Phòng"),
    ("Công tác xã hội", "Trường Đại học Lao động - Xã hội"),
    ("Xây dựng Đảng và Chính quyền nhà nước", "Học viện Chính trị Quốc gia Hồ Chí Minh"),
)
POLITICAL_SCHOOL = "Trường Chính trị Tô Hiệu Hải Phòng"
COURSES = (
    ("Bồi dưỡng kiến thức quản lý nhà nước ngạch chuyên viên", 240, "in_service"),
    ("Bồi dưỡng nghiệp vụ công tác xây dựng Đảng", 40, "in_service"),
    ("Tập huấn vận hành chính quyền địa phương hai cấp", 24, "full_time"),
    ("Bồi dưỡng kỹ năng chuyển đổi số cho cán bộ, công chức", 32, "online"),
    ("Bồi dưỡng lãnh đạo, quản lý cấp phòng", 160, "in_service"),
    ("Bồi dưỡng kiến thức quốc phòng và an ninh", 80, "full_time"),
)
COMMENDATIONS = (
    ("Giấy khen của Chủ tịch UBND phường", "ward"),
    ("Bằng khen của Chủ tịch UBND thành phố Hải Phòng", "city"),
    ("Chiến sĩ thi đua cơ sở", "ward"),
)
DISCIPLINE_REASONS = (
    "Chậm giải quyết hồ sơ thủ tục hành chính quá hạn nhiều lần",
    "Vi phạm quy định về quản lý trật tự xây dựng trên địa bàn được giao",
    "Thiếu trách nhiệm trong thực hiện nhiệm vụ được giao",
)


def write_records(
    session: Session,
    ctx: Ctx,
    ward: Ward,
    rng: random.Random,
    person_id: uuid.UUID,
    *,
    leader: bool,
    recruited: dt.date,
) -> bool:
    """Write the records; True when the cadre was disciplined."""
    disciplined = not leader and rng.random() < 0.04
    if disciplined:
        _discipline(session, ctx, ward, rng, person_id)
    _qualifications(session, ctx, rng, person_id, leader=leader, recruited=recruited)
    _trainings(session, ctx, ward, rng, person_id, leader=leader)
    _evaluations(session, ctx, ward, rng, person_id, weak=disciplined)
    if rng.random() < 0.12:
        title, level = rng.choice(COMMENDATIONS)
        decided = between(rng, dt.date(2025, 12, 15), dt.date(2026, 1, 31))
        data = CommendationCreate(
            person_id=person_id,
            title=title,
            level=level,
            decided_on=min(decided, ward.as_of),
            decision_no=f"{rng.randint(100, 4999)}/QĐ-UBND",
        )
        create_commendation(session, ctx, data)
    return disciplined


def _discipline(
    session: Session, ctx: Ctx, ward: Ward, rng: random.Random, person_id: uuid.UUID
) -> None:
    decided = between(rng, dt.date(2025, 9, 1), ward.as_of)
    party = rng.random() < 0.5
    data = DisciplineCreate(
        person_id=person_id,
        authority="party" if party else "state",
        form="reprimand" if rng.random() < 0.7 else "warning",
        decided_on=decided,
        effective_from=decided,
        effective_to=add_years(decided, 1),
        decision_no=f"{rng.randint(1, 99):02d}-QĐ/UBKT"
        if party
        else f"{rng.randint(100, 999)}/QĐ-UBND",
        reason_text=rng.choice(DISCIPLINE_REASONS),
    )
    create_discipline(session, ctx, data)


def _qualifications(
    session: Session,
    ctx: Ctx,
    rng: random.Random,
    person_id: uuid.UUID,
    *,
    leader: bool,
    recruited: dt.date,
) -> None:
    major, school = rng.choice(MAJORS)
    graduated = recruited - dt.timedelta(days=rng.randint(60, 400))
    professional = "thac_si" if leader and rng.random() < 0.5 else "dai_hoc"
    if not leader and rng.random() < 0.08:
        professional = rng.choice(("cao_dang", "trung_cap"))
    levels: list[tuple[str, str, dict[str, Any]]] = [
        ("professional", professional, {"major": major, "institution": school}),
        ("political_theory", _political(rng, leader), {"institution": POLITICAL_SCHOOL}),
        ("state_management", "chuyen_vien_chinh" if leader else "chuyen_vien", {}),
        ("it", "co_ban" if rng.random() < 0.8 else "nang_cao", {}),
        ("foreign_language", rng.choice(("bac_2", "bac_3", "bac_3", "bac_4")), {}),
    ]
    if leader or rng.random() < 0.5:
        levels.append(("defence_security", "doi_tuong_3" if leader else "doi_tuong_4", {}))
    for n, (kind, level, extra) in enumerate(levels):
        awarded = graduated if n == 0 else between(rng, recruited, dt.date(2024, 12, 31))
        data = QualificationCreate(
            person_id=person_id,
            kind=kind,
            level=level,
            awarded_on=awarded,
            **extra,
        )
        create_qualification(session, ctx, data)


def _political(rng: random.Random, leader: bool) -> str:
    if leader:
        return "cao_cap" if rng.random() < 0.8 else "cu_nhan"
    return "trung_cap" if rng.random() < 0.65 else "so_cap"


def _trainings(
    session: Session,
    ctx: Ctx,
    ward: Ward,
    rng: random.Random,
    person_id: uuid.UUID,
    *,
    leader: bool,
) -> None:
    catalogue = list(COURSES if leader else COURSES[:4] + COURSES[5:])
    for course, hours, mode in rng.sample(catalogue, rng.randint(1, 3)):
        start = between(rng, dt.date(2022, 1, 1), ward.as_of - dt.timedelta(days=60))
        data = TrainingCreate(
            person_id=person_id,
            course=course,
            institution=POLITICAL_SCHOOL,
            valid_from=start,
            valid_to=start + dt.timedelta(days=max(1, hours // 8)),
            hours=hours,
            mode=mode,
            certificate=f"CC-{rng.randint(10_000, 99_999)}",
        )
        create_training(session, ctx, data)


def _evaluations(
    session: Session, ctx: Ctx, ward: Ward, rng: random.Random, person_id: uuid.UUID, *, weak: bool
) -> None:
    """Quarterly and annual, from the merger on (Decree 335/2025: 30 general + 70 tasks)."""
    groups = list(evaluation_rules().components)
    periods = ended_quarters(MERGER, ward.as_of) + ended_years(MERGER, ward.as_of)
    for period in periods:
        general = rng.randint(21, 30) - (4 if weak else 0)
        tasks = min(70, max(30, round(rng.gauss(58, 6))) - (8 if weak else 0))
        data = EvaluationCreate(
            person_id=person_id,
            period=period,
            general_points=general,
            task_points=tasks,
            components={g: rng.randint(65, 100) for g in groups},
        )
        create_evaluation(session, ctx, data)
