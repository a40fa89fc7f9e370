"""Every number a rule uses is data: the rule parameters, versioned, each with its source.

``SPECS`` declares the parameters the engine and the services know (their kind, unit, bounds,
default and legal source). The migration seeds one version of each with the default below; an
administrator adds or corrects versions through ``/rule-parameters``. A rule reads the version
in force on the date it judges (``in_force``); a key with no version in force falls back to the
declared default, so a deleted-by-retirement row never silently disables a rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from registry.standards.models import RuleParameter


@dataclass(frozen=True)
class Spec:
    key: str
    default: str
    unit: str  # months | years | working_days | count | date
    low: int
    high: int
    source: str
    label_vi: str

    def parse(self, raw: str) -> int | dt.date:
        """The value, or ValueError saying why it is not one of this parameter."""
        if self.unit == "date":
            day = dt.date.fromisoformat(raw)
            if not dt.date(self.low, 1, 1) <= day <= dt.date(self.high, 12, 31):
                raise ValueError(f"must be a date within {self.low}..{self.high}")
            return day
        if not raw.isdigit():
            raise ValueError("must be a whole number")
        n = int(raw)
        if not self.low <= n <= self.high:
            raise ValueError(f"must be within {self.low}..{self.high} {self.unit}")
        return n


R377 = "Quy định 377-QĐ/TW (2025)"
_WAIT = "Thời gian chờ sau kỷ luật ({})"

SPECS: dict[str, Spec] = {
    s.key: s
    for s in (
        Spec(
            "discipline_wait.reprimand", "24", "months", 0, 120, R377, _WAIT.format("khiển trách")
        ),
        Spec("discipline_wait.warning", "36", "months", 0, 120, R377, _WAIT.format("cảnh cáo")),
        Spec(
            "discipline_wait.removal_from_post",
            "60",
            "months",
            0,
            120,
            R377,
            _WAIT.format("cách chức"),
        ),
        Spec("discipline_wait.demotion", "60", "months", 0, 120, R377, _WAIT.format("giáng chức")),
        Spec(
            "discipline_wait.dismissal",
            "60",
            "months",
            0,
            120,
            R377,
            _WAIT.format("buộc thôi việc"),
        ),
        Spec("discipline_wait.expulsion", "60", "months", 0, 120, R377, _WAIT.format("khai trừ")),
        Spec(
            "planning.max_per_post",
            "3",
            "count",
            1,
            10,
            R377,
            "Số người tối đa trong quy hoạch một chức danh",
        ),
        Spec(
            "planning.max_per_person",
            "3",
            "count",
            1,
            10,
            R377,
            "Số chức danh tối đa một người được quy hoạch",
        ),
        Spec(
            "rotation.min_years_left",
            "10",
            "years",
            0,
            20,
            "Quy định 65-QĐ/TW (2022)",
            "Thời gian công tác còn lại tối thiểu khi luân chuyển",
        ),
        Spec(
            "retirement.warning_months",
            "12",
            "months",
            1,
            60,
            "Cấu hình của phường (cảnh báo sớm; không có văn bản quy định)",
            "Số tháng cảnh báo trước khi nghỉ hưu",
        ),
        Spec(
            "rank.matching_due",
            "2027-07-01",
            "date",
            2025,
            2035,
            "Nghị định 361/2025/NĐ-CP (bố trí ngạch phù hợp vị trí việc làm trước 01/07/2027)",
            "Hạn bố trí ngạch phù hợp vị trí việc làm",
        ),
        Spec(
            "appointment.term_years",
            "5",
            "years",
            1,
            10,
            "Hướng dẫn 06-HD/BTCTW; Quy định 80-QĐ/TW (thời hạn bổ nhiệm 5 năm)",
            "Thời hạn bổ nhiệm (năm)",
        ),
        Spec(
            "reappointment.warning_months",
            "3",
            "months",
            1,
            24,
            "Quy định 80-QĐ/TW: chuẩn bị bổ nhiệm lại trước khi hết thời hạn (chưa kiểm chứng)",
            "Số tháng cảnh báo trước khi hết thời hạn bổ nhiệm",
        ),
        Spec(
            "party.probation_months",
            "12",
            "months",
            6,
            36,
            "Quy định 232-QĐ/TW (2025); Hướng dẫn 01-HD/TW (độ dài dự bị chưa kiểm chứng)",
            "Thời gian dự bị (tháng)",
        ),
        Spec(
            "party.transfer_issue_working_days",
            "60",
            "working_days",
            1,
            365,
            "Quy định 232-QĐ/TW; Hướng dẫn 01-HD/TW",
            "Hạn làm thủ tục chuyển sinh hoạt đảng chính thức (ngày làm việc)",
        ),
        Spec(
            "party.transfer_present_working_days",
            "30",
            "working_days",
            1,
            365,
            "Quy định 232-QĐ/TW; Hướng dẫn 01-HD/TW",
            "Hạn nộp giấy giới thiệu sinh hoạt đảng (ngày làm việc)",
        ),
        Spec(
            "party.dues_unpaid_months",
            "3",
            "months",
            1,
            12,
            "Quy định 01-QĐ/TW (đảng phí); Điều lệ Đảng",
            "Số tháng không đóng đảng phí trong năm bị xem xét",
        ),
        Spec(
            "party.dues_window_months",
            "12",
            "months",
            3,
            24,
            "Quy định 01-QĐ/TW (\u201ctrong năm\u201d, đọc là 12 tháng gần nhất)",
            "Khoảng thời gian xét đóng đảng phí (tháng)",
        ),
        Spec(
            "party.register_reconciliation_months",
            "6",
            "months",
            1,
            24,
            "Hướng dẫn 01-HD/TW (đối chiếu danh sách đảng viên 6 tháng một lần)",
            "Chu kỳ đối chiếu sổ đảng viên (tháng)",
        ),
    )
}


@dataclass(frozen=True)
class Parameters:
    """The parameters in force on one date: ``months("party.probation_months")``."""

    on: dt.date
    values: Mapping[str, int | dt.date]
    versions: Mapping[str, str]  # key → id of the version in force ("default" when none)

    def number(self, key: str) -> int:
        v = self.values[key]
        assert isinstance(v, int), key
        return v

    def date(self, key: str) -> dt.date:
        v = self.values[key]
        assert isinstance(v, dt.date), key
        return v

    def discipline_months(self) -> dict[str, int]:
        prefix = "discipline_wait."
        return {k[len(prefix) :]: self.number(k) for k in SPECS if k.startswith(prefix)}


def defaults(on: dt.date) -> Parameters:
    return Parameters(
        on,
        {k: s.parse(s.default) for k, s in SPECS.items()},
        dict.fromkeys(SPECS, "default"),
    )


def in_force(session: Session, on: dt.date) -> Parameters:
    """The versions in force on ``on``; the declared default for a key with none."""
    base = defaults(on)
    values, versions = dict(base.values), dict(base.versions)
    rows = session.execute(
        sa.select(RuleParameter.id, RuleParameter.key, RuleParameter.value)
        .where(
            RuleParameter.retired_at.is_(None),
            RuleParameter.effective_from <= on,
            sa.or_(RuleParameter.effective_to.is_(None), RuleParameter.effective_to >= on),
        )
        .order_by(RuleParameter.key, RuleParameter.effective_from)
    )
    for row in rows:  # later versions overwrite earlier ones
        spec = SPECS.get(row.key)
        if spec is not None:
            values[row.key] = spec.parse(row.value)
            versions[row.key] = str(row.id)
    return Parameters(on, values, versions)
