"""Vietnamese words for the reasons and messages the services give in English.

The API keeps its English reasons (clients match on them); a page says them in Vietnamese.
A reason not listed here is shown as it is under ``?lang=en`` and, in Vietnamese, replaced
by the general words for its status — never left out, so a field always has its message.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# (pattern over the English reason, Vietnamese words; groups are carried over)
_REASONS: tuple[tuple[str, str], ...] = (
    (r"is required|Field required|field required|may not be null", "Bắt buộc phải nhập"),
    (r"longer than (\d+) characters", r"Dài quá \1 ký tự"),
    (r"(?:String should have at most|at most) (\d+) characters?", r"Dài quá \1 ký tự"),
    (r"at least (\d+) characters", r"Cần ít nhất \1 ký tự"),
    (r"String should have at least (\d+) characters?", r"Cần ít nhất \1 ký tự"),
    (r"must be a date YYYY-MM-DD|Input should be a valid date.*", "Phải là một ngày (dd/mm/yyyy)"),
    (r"must be a month YYYY-MM", "Phải là một tháng (mm/yyyy)"),
    (r"is in the future|.*in the future.*", "Không được là ngày trong tương lai"),
    (r"must be NFC text without control characters", "Có ký tự không hợp lệ"),
    (r"Input should be a valid integer.*|must be a whole number.*", "Phải là một số nguyên"),
    (r"Input should be greater than or equal to (\d+)", r"Phải từ \1 trở lên"),
    (r"Input should be less than or equal to (\d+)", r"Không được lớn hơn \1"),
    (r"Input should be .*", "Giá trị không nằm trong danh sách"),
    (r"unknown .* level.*", "Trình độ không có trong thang bậc của loại này"),
    (r"is not your current password", "Mật khẩu hiện tại không đúng"),
    (r"must differ from the current password", "Mật khẩu mới phải khác mật khẩu hiện tại"),
    (r"does not match the new password", "Nhập lại không khớp với mật khẩu mới"),
    (r"is after the assignment ended", "Sau ngày kết thúc công tác"),
    (
        r".*end.*before.*start.*|.*before .*start.*|must not end before.*",
        "Ngày kết thúc trước ngày bắt đầu",
    ),
    (r"give exactly one of position_id, external_post", "Chọn một chức danh của phường"),
    (r"an override needs a reason, and only then", "Xếp loại điều chỉnh cần có lý do"),
    (r"scores must be within 0..100", "Điểm phải trong khoảng 0–100"),
    (
        r".*stale If-Match.*|the record changed since it was read.*",
        "Hồ sơ vừa được người khác cập nhật; nội dung bạn nhập vẫn giữ, hãy kiểm tra rồi lưu lại",
    ),
    (
        r"the form is stale or was not sent by this site \(CSRF token\); reload",
        "Biểu mẫu đã cũ hoặc không do trang này gửi (mã CSRF); hãy tải lại trang",
    ),
    (r"nothing was changed", "Chưa có nội dung nào thay đổi để lưu"),
    (r".* not found", "Không tìm thấy"),
    (r"a waiver needs a reason", "Miễn trừ cần có lý do"),
    (r"a waiver must expire in the future", "Ngày hết miễn trừ phải sau hôm nay"),
    (r".*must be in the future.*|.*future expiry.*", "Phải là một ngày trong tương lai"),
    (r".*overlap.*", "Trùng thời gian với một bản ghi khác"),
    (r".*headcount.*", "Vượt số lượng người của chức danh"),
)
_COMPILED = tuple((re.compile(p, re.IGNORECASE), vi) for p, vi in _REASONS)

STATUS_VI: dict[int, str] = {
    400: "Yêu cầu không hợp lệ",
    401: "Cần đăng nhập",
    403: "Không có quyền thực hiện",
    404: "Không tìm thấy",
    405: "Không thực hiện được thao tác này tại địa chỉ này",
    409: "Xung đột với dữ liệu đã có",
    412: "Dữ liệu đã được người khác thay đổi; hãy tải lại trang",
    413: "Dữ liệu gửi lên quá lớn",
    422: "Dữ liệu nhập chưa hợp lệ",
    428: "Thiếu phiên bản của hồ sơ; hãy tải lại trang",
    429: "Thao tác quá nhiều lần; vui lòng thử lại sau",
}
STATUS_EN: dict[int, str] = {
    401: "Sign-in needed",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with existing data",
    412: "Changed by someone else; reload the page",
    422: "The input is not valid",
}


def reason_vi(reason: str) -> str | None:
    for pattern, words in _COMPILED:
        m = pattern.fullmatch(reason.strip())
        if m:
            return m.expand(words)
    return None


def sayer(lang: str) -> Callable[[str], str]:
    """The reason in the page's language (English as given)."""
    if lang == "en":
        return lambda reason: reason
    return lambda reason: reason_vi(reason) or "Giá trị chưa hợp lệ"


def headline(lang: str, status: int) -> str:
    table = STATUS_EN if lang == "en" else STATUS_VI
    return table.get(status, "Could not be done" if lang == "en" else "Không thực hiện được")


def message(lang: str, status: int, text: str) -> str:
    """A whole error message on a page: Vietnamese words where known, else the status's."""
    if lang == "en":
        return text
    return reason_vi(text) or headline(lang, status)
