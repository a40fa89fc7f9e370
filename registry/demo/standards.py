"""Standard profiles for the demo ward's posts, from the rules the shared domain notes give,
written through the standards service and linked to the posts, then a first evaluation — so
a new user sees open alerts within a minute of ``make run`` instead of after midnight.

Three families, each one profile (versioned by ``code``, in force from the merger):

- party and state leadership (Regulation 89-QĐ/TW frames as the ward's plan reads them):
  university degree, senior political theory, principal-specialist state management, basic
  IT, foreign language level 2, party membership, in the planning for the post, five years
  left before retirement (Guidance 06-HD/BTCTW), the last two years at least "good", no
  discipline in effect;
- specialists and civil servants (Circular 06/2022/TT-BNV: "as the job position
  requires"): a degree, intermediate political theory, specialist state management, basic IT,
  foreign language level 2, last year at least "complete";
- posts touching personnel, finance and investment (Decree 59/2019): the specialist
  standard plus the rotation period of the post (2–5 years, from the post's own setting).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.alerts.service import run_full
from registry.context import Ctx
from registry.demo.calendar import MERGER
from registry.demo.structure import P
from registry.org_units.models import OrgUnit
from registry.positions.models import Position
from registry.positions.service import update_position
from registry.standards.models import StandardProfile
from registry.standards.service import create_standard_profile
from schemas.positions import PositionUpdate
from schemas.standards import StandardProfileCreate

LEADER: dict[str, Any] = {
    "professional": {"min_level": "dai_hoc"},
    "political_theory": {"min_level": "cao_cap"},
    "state_management": {"min_level": "chuyen_vien_chinh"},
    "it": {"min_level": "co_ban"},
    "foreign_language": {"min_level": "bac_2"},
    "party_member": True,
    "in_planning": True,
    "retirement_headroom_years": 5,
    "recent_evaluations": {"count": 2, "min_classification": "HTT"},
    "no_discipline_in_effect": True,
}
DEPUTY: dict[str, Any] = LEADER | {
    "political_theory": {"min_level": "trung_cap"},
    "state_management": {"min_level": "chuyen_vien"},
}
SPECIALIST: dict[str, Any] = {
    "professional": {"min_level": "dai_hoc"},
    "political_theory": {"min_level": "trung_cap"},
    "state_management": {"min_level": "chuyen_vien"},
    "it": {"min_level": "co_ban"},
    "foreign_language": {"min_level": "bac_2"},
    "recent_evaluations": {"count": 1, "min_classification": "HT"},
}
FRONT_LINE: dict[str, Any] = {  # the one-stop counter: officer (cán sự) level
    "professional": {"min_level": "cao_dang"},
    "it": {"min_level": "co_ban"},
    "recent_evaluations": {"count": 1, "min_classification": "HT"},
}

PROFILES: dict[str, tuple[str, dict[str, Any]]] = {
    "DEMO-LD-CAP-TRUONG": ("Cấp trưởng cơ quan, đơn vị phường", LEADER),
    "DEMO-LD-CAP-PHO": ("Cấp phó cơ quan, đơn vị phường", DEPUTY),
    "DEMO-CONG-CHUC": ("Công chức chuyên môn phường", SPECIALIST),
    "DEMO-VIEN-CHUC-TN": ("Viên chức tiếp nhận và trả kết quả", FRONT_LINE),
}
DEPUTY_WORDS = ("Phó", "phó")


def profile_for(post: Position) -> str:
    """Which demo profile a post gets, from what the post is."""
    if post.is_leadership:
        deputy = post.title.startswith(DEPUTY_WORDS) or " phó " in post.title
        return "DEMO-LD-CAP-PHO" if deputy else "DEMO-LD-CAP-TRUONG"
    if (post.job_position_code or "").startswith("VC-"):
        return "DEMO-VIEN-CHUC-TN"
    return "DEMO-CONG-CHUC"


def needs_standards(session: Session) -> bool:
    """The demo ward is here and nobody wrote a standard profile yet."""
    ward = session.scalar(sa.select(OrgUnit.id).where(OrgUnit.code == P))
    return ward is not None and session.scalar(sa.select(StandardProfile.id).limit(1)) is None


def seed_standards(session: Session, ctx: Ctx) -> int:
    """Create the profiles and give every post of the ward without one its family's profile
    (and, for posts with a rotation period, the matching ``max_years_in_post``). Returns the
    number of posts linked. The caller commits."""
    made: dict[tuple[str, int | None], uuid.UUID] = {}
    linked = 0
    posts = session.scalars(
        sa.select(Position)
        .where(Position.retired_at.is_(None), Position.standard_profile_id.is_(None))
        .order_by(Position.job_position_code, Position.title)
    ).all()
    for post in posts:
        code = profile_for(post)
        years = None if post.rotation_period_months is None else post.rotation_period_months // 12
        key = (code, years)
        if key not in made:
            made[key] = _create(session, ctx, code, years)
        update_position(session, ctx, post, PositionUpdate(standard_profile_id=made[key]))
        linked += 1
    return linked


def _create(session: Session, ctx: Ctx, code: str, rotate_years: int | None) -> uuid.UUID:
    name, requirements = PROFILES[code]
    if rotate_years:
        code, name = f"{code}-LC{rotate_years}", f"{name} (luân chuyển {rotate_years} năm)"
        requirements = requirements | {"max_years_in_post": rotate_years}
    data = StandardProfileCreate(
        code=code,
        name=name,
        effective_from=MERGER,
        effective_to=None,
        requirements=requirements,
    )
    return create_standard_profile(session, ctx, data).id


def first_evaluation(session: Session, *, on: dt.date | None = None) -> int:
    """A full run of the standards now (the nightly job would only run at midnight); returns
    how many findings it saw."""
    counts = run_full(session, on=on)
    return int(counts["findings"])
