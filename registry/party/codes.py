"""Code lists of the party records (codes stored, Vietnamese labels shown)."""

from __future__ import annotations

from typing import Final

COMMITTEE_LEVELS: Final = {
    "chi_bo": "Chi ủy chi bộ",
    "dang_bo_bo_phan": "Đảng ủy bộ phận",
    "dang_bo_co_so": "Đảng ủy cơ sở (phường)",
    "cap_tren": "Cấp ủy cấp trên",
}
COMMITTEE_ROLES: Final = {
    "bi_thu": "Bí thư",
    "pho_bi_thu": "Phó Bí thư",
    "uy_vien_thuong_vu": "Ủy viên Ban Thường vụ",
    "uy_vien": "Cấp ủy viên",
}
PROBATION_OUTCOMES: Final = {
    "official": "Công nhận đảng viên chính thức",
    "removed": "Xóa tên khỏi danh sách đảng viên dự bị",
}
TRANSFER_DIRECTIONS: Final = {"in": "Chuyển đến", "out": "Chuyển đi"}
RECONCILIATION_PERIODS: Final = {"H1": "6 tháng đầu năm", "H2": "6 tháng cuối năm"}
