"""Field types shared by the wire models of every external system.

Wire models are strict about what they read: no coercion ("17" is not 17, 1 is not "1"),
every string bounded, codes checked. They are tolerant of what they do not read: an answer
(``Answer`` models) with fields the contract does not list is accepted, those fields are
dropped, and ``adapters.drift`` reports them as contract drift. What the registry itself
sends (``Closed`` models) lists every field. Text from a peer may be NFD (the registry
normalises it later), so these types check characters and length but not normal form.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
)

from adapters.errors import HostileResponse
from registry.dates import PartialDate

# Control, format (bidi overrides, zero-width), surrogate and private-use characters never
# belong in a name or a place; registry.text only checks C0 and DEL.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co"})
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class Answer(BaseModel):
    """An object of a peer's answer: the fields listed are validated strictly, any other is
    ignored (and reported as drift by the client that parsed it)."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True, validate_by_name=True)


class Closed(BaseModel):
    """An object the registry sends: its fields are all listed, anything else is refused."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, validate_by_name=True)


def check_text(value: str, max_chars: int) -> str:
    # NFD spends up to three code points on one Vietnamese letter; bound the raw size first
    # so normalising a hostile megabyte string is never attempted.
    if len(value) > 4 * max_chars:
        raise ValueError("text too long")
    if any(unicodedata.category(ch) in _REFUSED_CATEGORIES for ch in value):
        raise ValueError("text contains control or invisible characters")
    if len(unicodedata.normalize("NFC", value)) > max_chars:
        raise ValueError("text too long")
    return value


def _text(max_chars: int) -> AfterValidator:
    return AfterValidator(lambda v: check_text(v, max_chars))


Line60 = Annotated[str, StringConstraints(min_length=1), _text(60)]
OptLine60 = Annotated[str, _text(60)]
Line64 = Annotated[str, StringConstraints(min_length=1), _text(64)]
Line200 = Annotated[str, StringConstraints(min_length=1), _text(200)]
Nid = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
Cmnd = Annotated[str, StringConstraints(pattern=r"^\d{9}$")]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\-]{1,32}$")]
# Opaque to us, but pasted into a query string: visible ASCII only, bounded.
Cursor = Annotated[str, StringConstraints(max_length=512, pattern=r"^[!-~]*$")]
Uuid = Annotated[
    str,
    StringConstraints(
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"
    ),
]


def parse_timestamp(value: object) -> dt.datetime:
    """RFC 3339 with an offset, as a string only (a number is not a time)."""
    if not isinstance(value, str) or not _RFC3339.fullmatch(value):
        raise ValueError("must be an RFC 3339 time with offset")
    return dt.datetime.fromisoformat(value.upper())


def _date(value: object) -> object:
    if value is None:
        return None
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError("must be a YYYY-MM-DD date")
    return dt.date.fromisoformat(value)


def _partial_date(value: str) -> str:
    PartialDate.parse(value)
    return value


Timestamp = Annotated[dt.datetime, BeforeValidator(parse_timestamp)]
WireDate = Annotated[dt.date, BeforeValidator(_date)]
PartialDateText = Annotated[str, StringConstraints(max_length=10), AfterValidator(_partial_date)]

# QCVN 109:2017 sex coding, used by both national databases: 0 unknown, 1 male, 2 female.
QcvnSex = Literal["0", "1", "2"]
_SEX_TO_REGISTRY: dict[str, str | None] = {"1": "M", "2": "F", "0": None}
_SEX_FROM_REGISTRY: dict[str, QcvnSex] = {"M": "1", "F": "2"}


def sex_to_registry(code: QcvnSex) -> str | None:
    return _SEX_TO_REGISTRY[code]


def sex_from_registry(sex: str | None) -> QcvnSex:
    return _SEX_FROM_REGISTRY.get(sex or "", "0")


def nfc(text: str) -> str:
    """The registry's form of a peer's text: NFC, without surrounding spaces."""
    return unicodedata.normalize("NFC", text).strip()


def rfc3339(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("naive datetime on the wire")
    return moment.isoformat()


def contract_violation(system: str, operation: str, exc: ValidationError) -> HostileResponse:
    """A hostile-answer error naming where the contract broke, never the offending values
    (pydantic's own message quotes the input, which may be personal data)."""
    # Field names in a location can be the peer's own invention (an extra key): cut them short.
    places = sorted({".".join(str(p)[:40] for p in err["loc"]) or "<root>" for err in exc.errors()})
    shown = ", ".join(places[:5]) + (" …" if len(places) > 5 else "")
    return HostileResponse(system, operation, f"answer breaks the contract at {shown}")
