"""Party membership and its records (special category: political affiliation). Coded fields
take their codes from ``registry/party/codes.py``."""

from __future__ import annotations

from registry.catalogue.kit import SPE, many
from registry.catalogue.model import Field, RecordKind, Timeline
from registry.party import codes

CODED = {
    "level": codes.COMMITTEE_LEVELS,
    "role": codes.COMMITTEE_ROLES,
    "outcome": codes.PROBATION_OUTCOMES,
    "direction": codes.TRANSFER_DIRECTIONS,
}


def _party(*fields: tuple[str, str]) -> tuple[Field, ...]:
    return tuple(
        Field(
            name,
            SPE,
            group="party",
            label_vi=label,
            codes=tuple(CODED.get(name, {}).items()),
        )
        for name, label in fields
    )


PARTY_MEMBERSHIPS = RecordKind(
    "party_memberships",
    SPE,
    label_vi="Đảng viên",
    fields=(
        Field("party_cell_id", group="party"),
        Field("admitted_on", group="party"),
        Field("official_on", group="party"),
        Field("card_no", group="party"),
        Field("party_cv_no", group="party"),
        Field("status", group="party"),
    ),
)

PARTY_EVENTS = RecordKind(
    "party_events",
    SPE,
    person_link="membership_id",
    label_vi="Biến động đảng viên",
    fields=many(
        "membership_id",
        "kind",
        "from_status",
        "to_status",
        "from_cell_id",
        "to_cell_id",
        "effective_on",
        "decision_no",
        group="party",
    ),
)

PARTY_COMMITTEE_MEMBERSHIPS = RecordKind(
    "party_committee_memberships",
    SPE,
    label_vi="Tham gia cấp ủy",
    timeline=Timeline("valid_from", "valid_to", "role"),
    fields=_party(
        ("committee_id", "Cấp ủy"),
        ("level", "Cấp"),
        ("role", "Chức vụ trong cấp ủy"),
        ("standing_committee", "Ủy viên Ban Thường vụ"),
        ("term", "Nhiệm kỳ"),
        ("area_of_responsibility", "Lĩnh vực, địa bàn phụ trách"),
        ("valid_from", "Từ ngày"),
        ("valid_to", "Đến ngày"),
        ("decision_no", "Số quyết định"),
    ),
)

PARTY_PROBATIONS = RecordKind(
    "party_probations",
    SPE,
    label_vi="Theo dõi đảng viên dự bị",
    timeline=Timeline("started_on", "decided_on", "outcome"),
    fields=_party(
        ("membership_id", "Hồ sơ đảng viên"),
        ("started_on", "Ngày bắt đầu dự bị"),
        ("outcome", "Kết quả"),
        ("decided_on", "Ngày quyết định"),
        ("decision_no", "Số quyết định"),
    ),
)

PARTY_TRANSFERS = RecordKind(
    "party_transfers",
    SPE,
    label_vi="Chuyển sinh hoạt đảng",
    timeline=Timeline("decided_on", summary="direction"),
    fields=_party(
        ("direction", "Chiều chuyển"),
        ("from_cell_id", "Chi bộ chuyển đi"),
        ("from_organisation", "Nơi chuyển đi"),
        ("to_cell_id", "Chi bộ chuyển đến"),
        ("to_organisation", "Nơi chuyển đến"),
        ("decided_on", "Ngày quyết định chuyển"),
        ("letter_issued_on", "Ngày cấp giấy giới thiệu"),
        ("presented_on", "Ngày nộp giấy giới thiệu"),
        ("decision_no", "Số quyết định"),
    ),
)

PARTY_DUES_PAYMENTS = RecordKind(
    "party_dues_payments",
    SPE,
    label_vi="Đóng đảng phí",
    fields=_party(
        ("month", "Tháng"),
        ("amount_vnd", "Số tiền (đồng)"),
        ("paid_on", "Ngày nộp"),
        ("exempt_reason", "Lý do miễn, giảm"),
    ),
)

# A cell's reconciliation names no person: special still, as a count of a cell's members is
# a fact of party organisation.
PARTY_REGISTER_RECONCILIATIONS = RecordKind(
    "party_register_reconciliations",
    SPE,
    person_link=None,
    label_vi="Đối chiếu sổ đảng viên",
    fields=_party(
        ("org_unit_id", "Chi bộ"),
        ("period", "Kỳ đối chiếu"),  # YYYY-H1 | YYYY-H2 (RECONCILIATION_PERIODS)
        ("reconciled_on", "Ngày đối chiếu"),
        ("members_in_register", "Số đảng viên trong sổ"),
        ("members_in_files", "Số hồ sơ đảng viên"),
        ("discrepancies", "Chênh lệch"),
    ),
)

KINDS: tuple[RecordKind, ...] = (
    PARTY_MEMBERSHIPS,
    PARTY_EVENTS,
    PARTY_COMMITTEE_MEMBERSHIPS,
    PARTY_PROBATIONS,
    PARTY_TRANSFERS,
    PARTY_DUES_PAYMENTS,
    PARTY_REGISTER_RECONCILIATIONS,
)
