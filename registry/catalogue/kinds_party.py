"""Party membership and its events (special category: political affiliation)."""

from __future__ import annotations

from registry.catalogue.kit import SPE, many
from registry.catalogue.model import Field, RecordKind

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

KINDS: tuple[RecordKind, ...] = (
    PARTY_MEMBERSHIPS,
    PARTY_EVENTS,
)
