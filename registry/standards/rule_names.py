"""What each rule of the standards engine means, for people: the pages and the monthly
report show these names; the code stays in the data and the API."""

from __future__ import annotations

RULE_NAMES: dict[str, dict[str, str]] = {
    "vi": {
        "qualification.professional": "Thiếu trình độ chuyên môn",
        "qualification.political_theory": "Thiếu trình độ lý luận chính trị",
        "qualification.state_management": "Thiếu trình độ quản lý nhà nước",
        "qualification.it": "Thiếu trình độ tin học",
        "qualification.foreign_language": "Thiếu trình độ ngoại ngữ",
        "qualification.defence_security": "Thiếu kiến thức quốc phòng, an ninh",
        "party_member": "Chưa là đảng viên",
        "in_planning": "Chưa có trong quy hoạch",
        "recent_evaluations": "Xếp loại những năm gần đây chưa đạt",
        "no_discipline_in_effect": "Đang trong thời hạn kỷ luật",
        "certificates_valid": "Chứng chỉ hết hạn",
        "rotation_overdue": "Quá thời hạn luân chuyển",
        "retirement_headroom": "Không đủ thời gian công tác khi bổ nhiệm",
        "retirement_unplanned": "Sắp nghỉ hưu, chưa có người quy hoạch",
        "vacancy": "Vị trí còn thiếu người",
        "missing_evaluation": "Chưa đánh giá quý vừa qua",
        "appointed_while_ineligible": "Bổ nhiệm khi chưa hết thời hạn sau kỷ luật",
        "planned_while_ineligible": "Quy hoạch khi chưa hết thời hạn sau kỷ luật",
    },
    "en": {
        "qualification.professional": "Professional qualification short",
        "qualification.political_theory": "Political theory short",
        "qualification.state_management": "State management short",
        "qualification.it": "IT short",
        "qualification.foreign_language": "Foreign language short",
        "qualification.defence_security": "Defence and security short",
        "party_member": "Not a party member",
        "in_planning": "Not in the planning",
        "recent_evaluations": "Recent evaluations short",
        "no_discipline_in_effect": "Discipline in effect",
        "certificates_valid": "Certificate expired",
        "rotation_overdue": "Rotation overdue",
        "retirement_headroom": "Too close to retirement at appointment",
        "retirement_unplanned": "Retiring with nobody planned",
        "vacancy": "Post not filled",
        "missing_evaluation": "Last quarter not evaluated",
        "appointed_while_ineligible": "Appointed within the waiting period after discipline",
        "planned_while_ineligible": "Planned within the waiting period after discipline",
    },
}
