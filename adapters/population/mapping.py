"""Population records ↔ the registry's identity fields.

Field names on the registry side are the ``Person`` model's (``family_name``, ``origin_place``,
…), so a sync job can compare a person without a translation table of its own. Text is NFC,
sex is ``M``/``F`` (``None`` when the source does not know), birth dates stay partial.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from adapters.population import wire
from adapters.wire_common import nfc, sex_to_registry
from registry.dates import PartialDate

IDENTITY_FIELDS = (
    "nid",
    "cmnd",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "ethnicity_code",
    "religion_code",
    "origin_place",
    "permanent_residence",
    "life_status",
    "death_date",
)


@dataclass(frozen=True)
class Place:
    unit_code: str
    code_list: str
    text: str

    def as_dict(self) -> dict[str, str]:
        """The shape ``Person.origin_place`` / ``permanent_residence`` store."""
        return {"unit_code": self.unit_code, "code_list": self.code_list, "text": self.text}


@dataclass(frozen=True)
class Identity:
    """What the population database asserts about one person, in registry terms."""

    nid: str
    cmnd: str | None
    family_name: str
    middle_name: str
    given_name: str
    birth_date: PartialDate
    sex: str | None
    ethnicity_code: str
    religion_code: str
    nationality: str
    origin_place: Place
    permanent_residence: Place
    life_status: str
    death_date: dt.date | None
    previous_nids: tuple[str, ...]
    record_version: int
    updated_at: dt.datetime


def _name(text: str) -> str:
    """A name as the registry stores it: NFC, single-spaced (some systems send NFD letters or
    doubled spaces; the same name, never a mismatch)."""
    return " ".join(nfc(text).split())


def _place(place: wire.Place) -> Place:
    return Place(place.unit_code, place.code_list, nfc(place.text))


def identity_from_record(record: wire.PersonRecord) -> Identity:
    name = record.full_name
    return Identity(
        nid=record.nid,
        cmnd=record.cmnd,
        family_name=_name(name.family),
        middle_name=_name(name.middle),
        given_name=_name(name.given),
        birth_date=PartialDate.parse(record.birth_date),
        sex=sex_to_registry(record.sex),
        ethnicity_code=record.ethnicity_code,
        religion_code=record.religion_code,
        nationality=record.nationality,
        origin_place=_place(record.place_of_origin),
        permanent_residence=_place(record.permanent_residence),
        life_status=record.life_status,
        death_date=record.death_date,
        previous_nids=tuple(record.previous_nids),
        record_version=record.record_version,
        updated_at=record.updated_at,
    )


def compare(registry_fields: Mapping[str, object], record: wire.PersonRecord) -> list[str]:
    """Names of the identity fields where the registry disagrees with ``record``.

    Only the fields present in ``registry_fields`` (``Person`` attribute names, values as the
    registry stores them) are compared. Where the source carries less — a partial birth date
    that agrees, sex unknown, places on different code lists — that is not a mismatch.
    """
    unknown = set(registry_fields) - set(IDENTITY_FIELDS)
    if unknown:
        raise ValueError(f"not identity fields: {sorted(unknown)}")
    theirs = identity_from_record(record)
    return [
        name
        for name in IDENTITY_FIELDS
        if name in registry_fields and not _AGREES[name](registry_fields[name], theirs)
    ]


def _text_agrees(name: str) -> Callable[[object, Identity], bool]:
    def agrees(ours: object, theirs: Identity) -> bool:
        return isinstance(ours, str) and nfc(ours) == getattr(theirs, name)

    return agrees


def _birth_date_agrees(ours: object, theirs: Identity) -> bool:
    if isinstance(ours, dt.date):
        ours = PartialDate(ours.year, ours.month, ours.day)
    elif isinstance(ours, str):
        try:
            ours = PartialDate.parse(ours)
        except ValueError:
            return False
    return isinstance(ours, PartialDate) and ours.agrees_with(theirs.birth_date)


def _cmnd_agrees(ours: object, theirs: Identity) -> bool:
    # The legacy card number is often missing on one side; only two different numbers clash.
    return ours is None or theirs.cmnd is None or ours == theirs.cmnd


def _sex_agrees(ours: object, theirs: Identity) -> bool:
    return theirs.sex is None or ours == theirs.sex


def _place_agrees(name: str) -> Callable[[object, Identity], bool]:
    def agrees(ours: object, theirs: Identity) -> bool:
        their_place: Place = getattr(theirs, name)
        if isinstance(ours, Place):
            ours = ours.as_dict()
        if not isinstance(ours, Mapping) or ours.get("code_list") != their_place.code_list:
            # Codes from different lists (2004 vs 2025) cannot be compared; a missing place in
            # the registry is a gap to fill, not a contradiction.
            return True
        return ours.get("unit_code") == their_place.unit_code

    return agrees


def _equal(name: str) -> Callable[[object, Identity], bool]:
    return lambda ours, theirs: ours == getattr(theirs, name)


_AGREES: dict[str, Callable[[object, Identity], bool]] = {
    "nid": _equal("nid"),
    "cmnd": _cmnd_agrees,
    "family_name": _text_agrees("family_name"),
    "middle_name": _text_agrees("middle_name"),
    "given_name": _text_agrees("given_name"),
    "birth_date": _birth_date_agrees,
    "sex": _sex_agrees,
    "ethnicity_code": _equal("ethnicity_code"),
    "religion_code": _equal("religion_code"),
    "origin_place": _place_agrees("origin_place"),
    "permanent_residence": _place_agrees("permanent_residence"),
    "life_status": _equal("life_status"),
    "death_date": _equal("death_date"),
}
