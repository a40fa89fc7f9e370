"""The monthly report as content: its heading (Hướng dẫn 36-HD/VPTW), its tables in
Vietnamese with totals, the recipients and the signature block. The XLSX and the PDF writers
both lay out this one object, so the two never disagree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from registry.config import Settings
from registry.dates import LOCAL
from registry.reports import month_figures as mf
from registry.standards.rule_names import RULE_NAMES
from registry.web.words import code_words, period_words

CLASSES = ("HTXS", "HTT", "HT", "KHT")
POST_KIND_WORDS = {
    "appointment": "Bổ nhiệm",
    "election": "Bầu",
    "rotation": "Luân chuyển",
    "secondment": "Biệt phái",
    "concurrent": "Kiêm nhiệm",
    "acting": "Giao quyền",
    "transfer": "Điều động",
    "ended": "Thôi giữ chức",
}
PARTY_WORDS = {
    "admitted": "Kết nạp (dự bị)",
    "official": "Công nhận đảng viên chính thức",
    "transfer": "Chuyển sinh hoạt đảng",
}


@dataclass
class Table:
    sheet: str  # the sheet's name (≤ 31 characters)
    title: str
    columns: list[str]
    rows: list[list[object]]
    total: list[object] | None = None
    widths: list[int] = field(default_factory=list)  # relative widths, one per column


@dataclass
class MonthlyReport:
    month: str  # "MM/YYYY"
    committee: str
    office: str
    number: str
    place_date: str
    title: str
    subtitle: str
    as_of: str
    produced_by: str
    summary: list[str]
    tables: list[Table]
    recipients: list[str]
    on_behalf: str
    signer_title: str
    signer_name: str


def _window(first: dt.date, last: dt.date) -> mf.Window:
    start = dt.datetime.combine(first, dt.time(), LOCAL)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), LOCAL)
    return mf.Window(first, last, start, end)


def _tables(session: Session, w: mf.Window) -> list[Table]:
    cadres = mf.cadres_by_unit(session, w)
    people, leaders = mf.cadres_total(session, w)
    members = mf.members_by_cell(session, w)
    vacant = mf.vacancies(session, w)
    rules = mf.shortfalls_by_rule(session, w)
    evals = mf.evaluations_by_period(session, w)
    posts = mf.post_changes(session, w)
    party = mf.party_changes(session, w)
    vi = RULE_NAMES["vi"]
    return [
        Table(
            "Cán bộ theo đơn vị",
            "1. Cán bộ, công chức theo đơn vị (người giữ chức danh, vị trí việc làm)",
            ["STT", "Đơn vị", "Số người", "Trong đó lãnh đạo, quản lý"],
            [[i, u, n, ld] for i, (u, n, ld) in enumerate(cadres, 1)],
            ["", "Tổng cộng (mỗi người tính một lần)", people, leaders],
            [6, 60, 16, 22],
        ),
        Table(
            "Đảng viên theo chi bộ",
            "2. Đảng viên theo chi bộ",
            ["STT", "Chi bộ", "Chính thức", "Dự bị", "Cộng"],
            [[i, c, o, p, o + p] for i, (c, o, p) in enumerate(members, 1)],
            [
                "",
                "Tổng cộng",
                sum(r[1] for r in members),
                sum(r[2] for r in members),
                sum(r[1] + r[2] for r in members),
            ],
            [6, 58, 14, 12, 12],
        ),
        Table(
            "Vị trí còn trống",
            "3. Chức danh, vị trí còn thiếu người",
            ["STT", "Đơn vị", "Chức danh", "Định biên", "Hiện có", "Còn thiếu"],
            [[i, u, t, h, n, h - n] for i, (u, t, h, n) in enumerate(vacant, 1)],
            [
                "",
                "Tổng cộng",
                "",
                sum(r[2] for r in vacant),
                sum(r[3] for r in vacant),
                sum(r[2] - r[3] for r in vacant),
            ],
            [6, 34, 40, 12, 12, 12],
        ),
        Table(
            "Thiếu tiêu chuẩn",
            "4. Trường hợp chưa đạt tiêu chuẩn, theo tiêu chí",
            [
                "STT",
                "Tiêu chí",
                "Đang mở cuối tháng",
                "Phát sinh trong tháng",
                "Đã khắc phục",
                "Miễn trừ",
            ],
            [
                [i, vi.get(rule, rule), c.open_at_end, c.opened, c.resolved, c.waived]
                for i, (rule, c) in enumerate(rules.items(), 1)
            ],
            [
                "",
                "Tổng cộng",
                *(
                    sum(getattr(c, a) for c in rules.values())
                    for a in ("open_at_end", "opened", "resolved", "waived")
                ),
            ],
            [6, 50, 16, 16, 14, 12],
        ),
        Table(
            "Đánh giá xếp loại",
            "5. Kết quả đánh giá, xếp loại theo kỳ",
            [
                "STT",
                "Kỳ đánh giá",
                *(code_words("classification", c, "vi") for c in CLASSES),
                "Cộng",
            ],
            [
                [i, period_words(p, "vi"), *(c[k] for k in CLASSES), sum(c.values())]
                for i, (p, c) in enumerate(evals.items(), 1)
            ],
            None,
            [6, 22, 18, 18, 18, 18, 10],
        ),
        Table(
            "Biến động",
            "6. Biến động trong tháng: chức danh và đảng viên",
            ["STT", "Ngày", "Họ và tên", "Nội dung", "Chức danh"],
            [
                [i, c.day.strftime("%d/%m/%Y"), c.name, POST_KIND_WORDS.get(c.kind, c.kind), c.post]
                for i, c in enumerate(posts, 1)
            ]
            + [
                [len(posts) + i, c.day.strftime("%d/%m/%Y"), c.name, _party_words(c.what), ""]
                for i, c in enumerate(party, 1)
            ],
            ["", "", "Tổng cộng", f"{len(posts)} về chức danh, {len(party)} về đảng viên", ""],
            [6, 14, 34, 34, 40],
        ),
    ]


def _party_words(what: str) -> str:
    if what.startswith("to_status:"):
        return "Chuyển sang: " + code_words("status", what.split(":", 1)[1], "vi")
    return PARTY_WORDS.get(what, what)


def compose(
    session: Session,
    *,
    year: int,
    month: int,
    last: dt.date,
    settings: Settings,
    produced_by: str,
    now: dt.datetime,
) -> MonthlyReport:
    first = dt.date(year, month, 1)
    w = _window(first, last)
    tables = _tables(session, w)
    local = now.astimezone(LOCAL)
    cadres, members, vacant, short = (t.total or [] for t in tables[:4])
    summary = [
        f"Cán bộ, công chức giữ chức danh: {cadres[2]} người (lãnh đạo, quản lý: {cadres[3]}).",
        f"Đảng viên: {members[4]} (chính thức {members[2]}, dự bị {members[3]}).",
        f"Chức danh còn thiếu người: {vacant[5]} vị trí.",
        f"Trường hợp chưa đạt tiêu chuẩn đang mở cuối tháng: {short[2]}; "
        f"phát sinh trong tháng: {short[3]}; đã khắc phục: {short[4]}; miễn trừ: {short[5]}.",
    ]
    return MonthlyReport(
        month=f"{month:02d}/{year}",
        committee=settings.report_party_committee,
        office=settings.report_issuing_office,
        number=f"Số:      -{settings.report_number_suffix}",
        place_date=f"{settings.report_place}, ngày {local.day:02d} tháng {local.month:02d} "
        f"năm {local.year}",
        title="BÁO CÁO",
        subtitle=f"Tình hình đội ngũ cán bộ, đảng viên và việc đáp ứng tiêu chuẩn chức danh "
        f"tháng {month:02d}/{year}",
        as_of=f"Số liệu tính đến hết ngày {last.strftime('%d/%m/%Y')}.",
        produced_by=f"Lập lúc {local.strftime('%H:%M ngày %d/%m/%Y')} từ Sổ cán bộ, đảng viên"
        + (f"; người lập: {produced_by}" if produced_by else "")
        + ".",
        summary=summary,
        tables=tables,
        recipients=list(settings.report_recipients),
        on_behalf=settings.report_signature_on_behalf,
        signer_title=settings.report_signature_title,
        signer_name=settings.report_signer_name,
    )
