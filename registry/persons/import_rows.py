"""Reading and checking the rows of a persons CSV, with no database access.

Real files are messy; what is the same fact written another way is accepted, what is not a
fact is refused by cell:

- every cell is checked with the registry's text rule (``registry.text.text_problem``: NUL,
  controls, bidi overrides, zero-width characters → the row is rejected, the column named)
  and normalised to NFC; names are single-spaced (``schemas.common.Name``);
- dates may be ``dd/mm/yyyy``, ``mm/yyyy``, ``yyyy`` or ISO, and stay partial;
- sex may be written in any source's codes (``registry.codes.sex_code``: QCVN 109 ``1``/``2``,
  ``Nam``/``Nữ``, ``M``/``F``), or one scheme may be required;
- a row may carry a 12-digit number (``nid``), a legacy 9-digit CMND (``cmnd``), or both; a
  12-digit number in the ``cmnd`` column is the personal identification number (the 12-digit
  CMND of 2012–2016 is that number);
- places are (``*_code``, ``*_list``, ``*_text``) and checked against the lists, pre-2025
  provinces mapped to the 2025 ones (``schemas.persons.Place``).

The checks are then the API's own: ``PersonCreate`` and ``new_person_issues``. A rejected row
yields one ``Rejection`` per problem, located by line and CSV column; reasons never carry the
number.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from registry.codes import SEX_SCHEMES, sex_code, unit_name
from registry.crypto import FieldCipher
from registry.errors import Invalid
from registry.persons.loose_dates import parse_loose
from registry.persons.rules import new_person_issues
from registry.text import text_problem
from schemas.persons import PersonCreate

# The classic header (still accepted as it is); any order of ``COLUMNS`` is accepted too.
HEADER = (
    "nid",
    "family_name",
    "middle_name",
    "given_name",
    "birth_date",
    "sex",
    "ethnicity_code",
    "religion_code",
    "org_unit_code",
)
PLACE_FIELDS = ("birth_place", "origin_place", "permanent_residence")
PLACE_PARTS = ("code", "list", "text")
REQUIRED = tuple(c for c in HEADER if c not in ("nid", "middle_name"))
NUMBERS = ("nid", "cmnd")
COLUMNS = (
    *HEADER,
    "cmnd",
    *(f"{place}_{part}" for place in PLACE_FIELDS for part in PLACE_PARTS),
)
CSV_ENCODING = "utf-8-sig"  # spreadsheets often write a byte-order mark; it is not data
# Bytes that were not UTF-8 arrive as lone surrogates (errors="surrogateescape").
_NOT_UTF8 = re.compile(r"[\udc80-\udcff]")
# Reasons about the number must not carry its digits into a report file.
_NID_REASONS = (
    (re.compile(r"unknown birth-registration province code \d+"), "has an unknown province code"),
    (re.compile(r"encodes birth year \d+, which is in the future"), "encodes a future birth year"),
    (re.compile(r"encodes birth year \d+, not (\d+)"), r"does not match birth year \1"),
    (re.compile(r"encodes sex [MF], not ([MF])"), r"does not match sex \1"),
)
_DIGITS = re.compile(r"\d{3,}")  # any other reason: hide what might be part of the number

_PLACE_COLUMN = {"unit_code": "code", "code_list": "list"}

RawRow = tuple[int, list[str] | str]  # (first line of the record, its fields or a CSV error)


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A row that passed every check that needs no other row. ``key`` is the number that
    identifies it — (``nid`` or ``cmnd``, its blind index) — for duplicates."""

    line: int
    data: PersonCreate
    nid: str | None
    bidx: str | None
    cmnd_bidx: str | None = None

    @property
    def key(self) -> tuple[str, str]:
        if self.bidx is not None:
            return ("nid", self.bidx)
        assert self.cmnd_bidx is not None  # a candidate carries at least one number
        return ("cmnd", self.cmnd_bidx)


def check_header(found: list[str] | None) -> tuple[str, ...]:
    """The file's columns, or ``Invalid`` (nothing imported) when the header lacks a required
    column, names one twice or names an unknown one. Never echoes a cell: without a header
    the first line is a data row with an identification number."""
    expected = ",".join(HEADER)
    if not found:
        raise Invalid(f"the CSV file is empty; its first line must be the header {expected}")
    names = tuple(unicodedata.normalize("NFC", f).strip() for f in found)
    missing = [n for n in REQUIRED if n not in names]
    if not set(NUMBERS) & set(names):
        missing.insert(0, "nid or cmnd")
    unknown = sorted(n for n in set(names) if n not in COLUMNS)
    twice = sorted({n for n in names if names.count(n) > 1})
    if not (missing or unknown or twice):
        return names
    detail = "; ".join(
        part
        for part in (
            f"missing {', '.join(missing)}" if missing else "",
            f"{len(unknown)} unknown column(s)" if unknown and len(unknown) > 3 else "",
            f"unknown {', '.join(unknown)}" if unknown and len(unknown) <= 3 else "",
            f"repeated {', '.join(twice)}" if twice else "",
        )
        if part
    )
    if unknown and (missing or len(unknown) > 3):
        detail += " (is the first line a header?)"
    raise Invalid(
        f"the CSV header must name the columns {expected} (any order; optional cmnd and"
        f" place columns, see docs/personnel-file.md) ({_scrub_header(detail)});"
        " nothing was imported"
    )


def _scrub_header(detail: str) -> str:
    return _DIGITS.sub("…", detail)


class CsvReader(Protocol):
    line_num: int

    def __next__(self) -> list[str]: ...


def numbered(reader: CsvReader) -> Iterator[RawRow]:
    """Records with the line each starts on; blank lines skipped, malformed CSV reported."""
    previous = reader.line_num
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield previous + 1, f"is not valid CSV ({exc})"
        else:
            if fields:
                yield previous + 1, fields
        previous = reader.line_num


def chunks(rows: Iterable[RawRow], size: int) -> Iterator[list[RawRow]]:
    chunk: list[RawRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def first_of_each_number(
    candidates: Iterable[Candidate],
) -> tuple[list[Candidate], list[Rejection]]:
    """Keep the first row of each number; later rows with it are rejected."""
    first_line: dict[tuple[str, str], int] = {}
    kept: list[Candidate] = []
    rejects: list[Rejection] = []
    for c in candidates:
        keys = [(name, b) for name, b in (("nid", c.bidx), ("cmnd", c.cmnd_bidx)) if b]
        seen = next((k for k in keys if k in first_line), None)
        if seen is not None:
            reason = f"duplicates the number on line {first_line[seen]} of this file"
            rejects.append(Rejection(c.line, seen[0], reason))
        else:
            first_line.update(dict.fromkeys(keys, c.line))
            kept.append(c)
    return kept, rejects


@dataclass
class RowChecker:
    cipher: FieldCipher
    org_ids: Mapping[str, uuid.UUID]
    on: dt.date
    abroad_prefixes: Sequence[str] = ()
    columns: tuple[str, ...] = HEADER
    sex_scheme: str = "auto"
    max_age: int = 120
    # Stands in for an unknown org unit so the row's other fields are still checked.
    _no_org: uuid.UUID = field(default_factory=uuid.uuid4)

    def __post_init__(self) -> None:
        if self.sex_scheme != "auto" and self.sex_scheme not in SEX_SCHEMES:
            raise Invalid(f"unknown sex code scheme {self.sex_scheme!r} ({', '.join(SEX_SCHEMES)})")

    def check_all(self, chunk: Sequence[RawRow]) -> tuple[list[Candidate], list[Rejection]]:
        candidates: list[Candidate] = []
        rejects: list[Rejection] = []
        for line, fields in chunk:
            outcome = self.check(line, fields)
            if isinstance(outcome, Candidate):
                candidates.append(outcome)
            else:
                rejects += outcome
        return candidates, rejects

    def check(self, line: int, fields: list[str] | str) -> Candidate | list[Rejection]:
        if isinstance(fields, str):
            return [Rejection(line, "row", fields)]
        if len(fields) != len(self.columns):
            return [
                Rejection(line, "row", f"has {len(fields)} fields, expected {len(self.columns)}")
            ]
        raw = dict(zip(self.columns, fields, strict=True))
        garbled = [k for k, v in raw.items() if not v.isascii() and _NOT_UTF8.search(v)]
        if garbled:
            return [Rejection(line, k, "is not valid UTF-8") for k in garbled]
        # Printable ASCII holds none of the characters the text rule refuses (controls,
        # breaks, NUL are not printable; bidi and zero-width marks are not ASCII).
        hostile = [
            (k, p)
            for k, v in raw.items()
            if not (v.isascii() and v.isprintable()) and (p := text_problem(v)) is not None
        ]
        if hostile:
            return [Rejection(line, k, p) for k, p in hostile]
        cells = {k: unicodedata.normalize("NFC", v).strip() for k, v in raw.items()}
        issues, data = self._shape_issues(cells)
        if data is not None:
            issues += self._meaning_issues(data)
        if issues or data is None:
            return [Rejection(line, f, scrub(f, r)) for f, r in issues]
        nid_bidx = None if data.nid is None else self.cipher.blind_index(data.nid, purpose="nid")
        cmnd_bidx = (
            None if data.cmnd is None else self.cipher.blind_index(data.cmnd, purpose="cmnd")
        )
        return Candidate(line, data, data.nid, nid_bidx, cmnd_bidx)

    def _shape_issues(
        self, cells: dict[str, str]
    ) -> tuple[list[tuple[str, str]], PersonCreate | None]:
        issues: list[tuple[str, str]] = []
        payload: dict[str, Any] = {
            k: v for k, v in cells.items() if k in HEADER and k not in ("org_unit_code", "nid")
        }
        org_id = self.org_ids.get(cells["org_unit_code"])
        if org_id is None:
            issues.append(("org_unit_code", "is not in the registry's list of org units"))
        payload["org_unit_id"] = org_id or self._no_org
        issues += self._numbers(cells, payload)
        issues += self._loose(cells, payload)
        issues += self._places(cells, payload)
        if "middle_name" in payload and not payload["middle_name"]:
            del payload["middle_name"]
        try:
            data = PersonCreate.model_validate(payload)
        except ValidationError as exc:
            issues += [(self._column(e["loc"]), _pydantic_reason(e["msg"])) for e in exc.errors()]
            return issues, None
        return issues, data

    def _numbers(self, cells: dict[str, str], payload: dict[str, Any]) -> list[tuple[str, str]]:
        nid, cmnd = cells.get("nid", ""), cells.get("cmnd", "")
        if len(cmnd) == 12 and cmnd.isdigit():
            if nid and nid != cmnd:
                return [("cmnd", "is a 12-digit number other than the nid of the row")]
            nid, cmnd = cmnd, ""
        if not nid and not cmnd:
            # The API allows a file without a number; an import finds duplicates by it.
            return [("nid", "one of nid and cmnd is required in an import")]
        payload["nid"] = nid or None
        payload["cmnd"] = cmnd or None
        return []

    def _loose(self, cells: dict[str, str], payload: dict[str, Any]) -> list[tuple[str, str]]:
        issues: list[tuple[str, str]] = []
        try:
            payload["birth_date"] = str(parse_loose(cells["birth_date"]))
        except ValueError as exc:
            issues.append(("birth_date", str(exc)))
            payload["birth_date"] = "2000"  # stands in, so the other fields are checked
        try:
            payload["sex"] = sex_code(cells["sex"], self.sex_scheme)
        except ValueError as exc:
            issues.append(("sex", str(exc)))
            payload.pop("sex", None)
            return issues
        return issues

    def _places(self, cells: dict[str, str], payload: dict[str, Any]) -> list[tuple[str, str]]:
        for place in PLACE_FIELDS:
            code, listed, text = (cells.get(f"{place}_{p}", "") for p in PLACE_PARTS)
            if not (code or text):
                continue
            listed = listed or "2025"
            # A place given by code alone is named from its list; an unknown code is refused
            # for itself, not for a missing text.
            text = text or (unit_name(code, listed) if code else None) or code
            payload[place] = {"unit_code": code or None, "code_list": listed, "text": text}
        return []

    def _column(self, loc: tuple[int | str, ...]) -> str:
        """The CSV column a validation error is about (a place's part, or the field)."""
        head = str(loc[0])
        if head in PLACE_FIELDS:
            part = str(loc[1]) if len(loc) > 1 else "code"
            return f"{head}_{_PLACE_COLUMN.get(part, part)}"
        return head

    def _meaning_issues(self, data: PersonCreate) -> list[tuple[str, str]]:
        return new_person_issues(
            data, today=self.on, abroad_prefixes=self.abroad_prefixes, max_age=self.max_age
        )


def _pydantic_reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def scrub(field_name: str, reason: str) -> str:
    """A reason fit for a report: about a number, it states the problem, not the digits."""
    if field_name not in NUMBERS:
        return reason
    for pattern, replacement in _NID_REASONS:
        if pattern.fullmatch(reason):
            return pattern.sub(replacement, reason)
    return _DIGITS.sub("…", reason)
