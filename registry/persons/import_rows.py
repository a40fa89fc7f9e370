"""Reading and checking the rows of a persons CSV, with no database access.

The checks are the API's own: ``PersonCreate`` (shapes, NFC, control characters, lengths) and
``new_person_issues`` (number against birth year and sex, code lists). A rejected row yields one
``Rejection`` per problem, located by line and CSV column; reasons never carry the number.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from registry.crypto import FieldCipher
from registry.errors import Invalid
from registry.persons.rules import new_person_issues
from schemas.persons import PersonCreate

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

RawRow = tuple[int, list[str] | str]  # (first line of the record, its fields or a CSV error)


@dataclass(frozen=True)
class Rejection:
    line: int
    field: str
    reason: str


@dataclass(frozen=True)
class Candidate:
    """A row that passed every check that needs no other row."""

    line: int
    data: PersonCreate
    nid: str
    bidx: str


def check_header(found: list[str] | None) -> None:
    """Raise ``Invalid`` unless ``found`` is exactly ``HEADER``."""
    if found is not None and tuple(f.strip() for f in found) == HEADER:
        return
    expected = ",".join(HEADER)
    if not found:
        raise Invalid(f"the CSV file is empty; its first line must be the header {expected}")
    # Never echo the line: without a header it is a data row with an identification number.
    present = {f.strip() for f in found}
    missing = [name for name in HEADER if name not in present]
    detail = f"missing {', '.join(missing)}" if missing else "columns out of order or extra"
    raise Invalid(f"the CSV header must be exactly {expected} ({detail}); nothing was imported")


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
    first_line: dict[str, int] = {}
    kept: list[Candidate] = []
    rejects: list[Rejection] = []
    for c in candidates:
        if c.bidx in first_line:
            reason = f"duplicates the number on line {first_line[c.bidx]} of this file"
            rejects.append(Rejection(c.line, "nid", reason))
        else:
            first_line[c.bidx] = c.line
            kept.append(c)
    return kept, rejects


@dataclass
class RowChecker:
    cipher: FieldCipher
    org_ids: Mapping[str, uuid.UUID]
    on: dt.date
    abroad_prefixes: Sequence[str] = ()
    # Stands in for an unknown org unit so the row's other fields are still checked.
    _no_org: uuid.UUID = field(default_factory=uuid.uuid4)

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
        if len(fields) != len(HEADER):
            return [Rejection(line, "row", f"has {len(fields)} fields, expected {len(HEADER)}")]
        raw = dict(zip(HEADER, fields, strict=True))
        garbled = [k for k, v in raw.items() if not v.isascii() and _NOT_UTF8.search(v)]
        if garbled:
            return [Rejection(line, k, "is not valid UTF-8") for k in garbled]
        issues, data = self._shape_issues(raw)
        if data is not None:
            issues += self._meaning_issues(data)
        if issues or data is None or data.nid is None:
            return [Rejection(line, f, scrub(f, r)) for f, r in issues]
        return Candidate(line, data, data.nid, self.cipher.blind_index(data.nid, purpose="nid"))

    def _shape_issues(
        self, raw: dict[str, str]
    ) -> tuple[list[tuple[str, str]], PersonCreate | None]:
        issues: list[tuple[str, str]] = []
        org_id = self.org_ids.get(raw["org_unit_code"])
        if org_id is None:
            issues.append(("org_unit_code", "is not the code of an org unit"))
        if not raw["nid"]:
            # The API allows a file without a number; an import finds duplicates by it.
            issues.append(("nid", "is required in an import"))
        payload: dict[str, Any] = {k: v for k, v in raw.items() if k != "org_unit_code"}
        payload["nid"] = raw["nid"] or None
        payload["org_unit_id"] = org_id or self._no_org
        try:
            data = PersonCreate.model_validate(payload)
        except ValidationError as exc:
            issues += [(str(e["loc"][0]), _pydantic_reason(e["msg"])) for e in exc.errors()]
            return issues, None
        return issues, data

    def _meaning_issues(self, data: PersonCreate) -> list[tuple[str, str]]:
        return new_person_issues(data, today=self.on, abroad_prefixes=self.abroad_prefixes)


def _pydantic_reason(message: str) -> str:
    return message.removeprefix("Value error, ")


def scrub(field_name: str, reason: str) -> str:
    """A reason fit for a report: about the number, it states the problem, not the digits."""
    if field_name != "nid":
        return reason
    for pattern, replacement in _NID_REASONS:
        if pattern.fullmatch(reason):
            return pattern.sub(replacement, reason)
    return _DIGITS.sub("…", reason)
