"""The population database's wire format (contracts/population.md), as strict models.

Every field the registry reads is validated strictly; a field the contract does not list is
ignored and reported as drift (``adapters.drift``), never a reason to refuse the answer.
Codes are checked against the registry's code lists, so an unknown ethnicity or reason code
is refused here and never reaches the mapping. Names and places may arrive in NFD;
``mapping`` normalises them.
"""

from __future__ import annotations

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, Field, StringConstraints, model_validator

from adapters.wire_common import (
    Answer,
    Cmnd,
    Code,
    Cursor,
    Line60,
    Line200,
    Nid,
    OptLine60,
    PartialDateText,
    QcvnSex,
    Timestamp,
    Uuid,
    WireDate,
)
from registry.codes import ethnic_groups, religions

MAX_BATCH = 50
MAX_EVENTS_PAGE = 500
REG_TYPE = "vn:population:person"
ReasonCode = Literal["rjct.consent.missing", "rjct.query.invalid", "rjct.reference_id.not_found"]
EventType = Literal["death", "identity_change", "id_reissued"]


def _known(codes: dict[str, str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if value not in codes:
            raise ValueError(f"unknown {what} code")
        return value

    return AfterValidator(check)


EthnicityCode = Annotated[
    str, StringConstraints(pattern=r"^\d{2}$"), _known(ethnic_groups(), "ethnicity")
]
ReligionCode = Annotated[
    str, StringConstraints(pattern=r"^\d{2}$"), _known(religions(), "religion")
]


class FullName(Answer):
    family: Line60
    middle: OptLine60  # "" when there is none
    given: Line60


class Place(Answer):
    unit_code: str = Field(pattern=r"^\d{2,5}$")
    code_list: Literal["2004", "2025"]
    text: Line200


class PersonRecord(Answer):
    nid: Nid
    cmnd: Cmnd | None
    full_name: FullName
    birth_date: PartialDateText
    sex: QcvnSex
    ethnicity_code: EthnicityCode
    religion_code: ReligionCode
    nationality: str = Field(pattern=r"^[A-Z]{2}$")
    place_of_origin: Place
    permanent_residence: Place
    life_status: Literal["alive", "deceased"]
    death_date: WireDate | None
    previous_nids: list[Nid] = Field(max_length=10)
    record_version: int = Field(ge=0)
    updated_at: Timestamp

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.life_status == "alive" and self.death_date is not None:
            raise ValueError("a living person with a death date")
        if self.nid in self.previous_nids:
            raise ValueError("current number listed as a previous one")
        return self


class ResponseHeader(Answer):
    version: str = Field(pattern=r"^\d{1,3}\.\d{1,3}\.\d{1,3}$")
    message_id: Uuid
    message_ts: Timestamp
    action: Literal["on-search", "on-events"]
    status: Literal["succ", "part", "rjct"]
    sender_id: Code
    sender_key_id: Code
    total_count: int = Field(ge=0, le=MAX_EVENTS_PAGE)


class SearchData(Answer):
    reg_type: Literal["vn:population:person"]
    reg_record_type: Literal["person"]
    # One number names one person: more than one record for a lookup is not an answer.
    reg_records: list[PersonRecord] = Field(min_length=1, max_length=1)


class SearchItem(Answer):
    reference_id: Uuid
    timestamp: Timestamp
    status: Literal["succ", "rjct"]
    data: SearchData | None = None
    status_reason_code: ReasonCode | None = None

    @model_validator(mode="after")
    def _shape_matches_status(self) -> Self:
        if self.status == "succ" and (self.data is None or self.status_reason_code):
            raise ValueError("a succ item needs data and no reason code")
        if self.status == "rjct" and (self.data is not None or not self.status_reason_code):
            raise ValueError("a rjct item needs a reason code and no data")
        return self


class SearchMessage(Answer):
    transaction_id: Uuid
    correlation_id: Uuid
    search_response: list[SearchItem] = Field(max_length=MAX_BATCH)


class SearchEnvelope(Answer):
    header: ResponseHeader
    message: SearchMessage

    @model_validator(mode="after")
    def _header_matches(self) -> Self:
        items = self.message.search_response
        if self.header.action != "on-search" or self.header.total_count != len(items):
            raise ValueError("header does not describe this search answer")
        answered = {i.status for i in items}
        expected = "rjct" if answered == {"rjct"} else "part" if "rjct" in answered else "succ"
        if items and self.header.status != expected:
            raise ValueError("header status contradicts the items")
        return self


class Event(Answer):
    event_id: Uuid
    cursor: Cursor
    event_type: EventType
    nid: Nid
    occurred_at: Timestamp
    record: PersonRecord
    new_nid: Nid | None

    @model_validator(mode="after")
    def _new_nid_only_on_reissue(self) -> Self:
        if (self.event_type == "id_reissued") != (self.new_nid is not None):
            raise ValueError("new_nid belongs to id_reissued events, and only to them")
        return self


class EventsMessage(Answer):
    events: list[Event] = Field(max_length=MAX_EVENTS_PAGE)
    next_cursor: Cursor


class EventsEnvelope(Answer):
    header: ResponseHeader
    message: EventsMessage

    @model_validator(mode="after")
    def _header_matches(self) -> Self:
        h = self.header
        if h.action != "on-events" or h.status != "succ":
            raise ValueError("header does not describe an events page")
        if h.total_count != len(self.message.events):
            raise ValueError("total_count differs from the events on the page")
        return self
