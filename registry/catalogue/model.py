"""What a field declaration says."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

REGISTRY: Final = "registry"
POPULATION: Final = "population"
CIVIL_SERVICE: Final = "civil_service"


class Sensitivity(enum.IntEnum):
    """Ordered: a class is at least as closed as every class below it."""

    PUBLIC = 0
    PERSONAL = 1
    SPECIAL = 2
    SECRET = 3

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Field:
    """One field of a record kind.

    ``name`` is the field as the API and the history see it (``nid``); ``column`` the stored
    column when it differs (``nid_ct`` for an encrypted value). ``group`` is the authority and
    provenance group: every field of a group has one owner, and the provenance of a person
    records who last asserted each group. ``pushed_to`` names the systems that receive it.
    """

    name: str
    sensitivity: Sensitivity = Sensitivity.PUBLIC
    group: str | None = None
    owner: str = REGISTRY
    encrypted: bool = False
    blind_indexed: bool = False
    redacted_in_history: bool = False
    pushed_to: frozenset[str] = frozenset()
    # Stored only to find or sort by (a search key, a year): derived, never shown on its own.
    derived_from: tuple[str, ...] = ()
    # A value made of another kind's records, depending on the row: (discriminating field,
    # {its value: the kind}). An alert's explanation under a discipline rule is discipline data.
    made_of: tuple[str, dict[str, str]] | None = None
    label_vi: str = ""
    # A coded field's code list, (code, Vietnamese label) pairs: pages show the label, the
    # wire model accepts exactly these codes.
    codes: tuple[tuple[str, str], ...] = ()

    @property
    def code_labels(self) -> dict[str, str]:
        return dict(self.codes)

    @property
    def column(self) -> str:
        return f"{self.name}_ct" if self.encrypted else self.name

    @property
    def index_column(self) -> str | None:
        return f"{self.name}_bidx" if self.blind_indexed else None

    @property
    def stored_columns(self) -> tuple[str, ...]:
        index = self.index_column
        return (self.column,) if index is None else (self.column, index)


@dataclass(frozen=True)
class Timeline:
    """Where a record of a kind sits on the file's valid-time timeline: the field that says
    when it began, the one that says when it ended (if any), and the one that says what it
    was. Dates may be partial texts ("2004", "03/2004"): they start the period they name."""

    start: str
    end: str | None = None
    summary: str | None = None


@dataclass(frozen=True)
class RecordKind:
    """One table of registry facts. ``sensitivity`` is the class of the record as a whole:
    a discipline is special-category data whatever field of it is read, and so is a document
    attached to one. ``person_link`` says how a row reaches its person (for scope and as-of)."""

    table: str
    sensitivity: Sensitivity
    fields: tuple[Field, ...]
    person_link: str | None = "person_id"
    pushed_to: frozenset[str] = frozenset()
    label_vi: str = ""
    # Registry facts keep a version of every change; operational rows (sync's) do not.
    versioned: bool = True
    # Declared for the sections the timeline shows from the catalogue (audit/timeline.py).
    timeline: Timeline | None = None
    by_name: dict[str, Field] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"{self.table}: a field is declared twice")
        object.__setattr__(self, "by_name", {f.name: f for f in self.fields})
        if self.timeline is not None:
            t = self.timeline
            named = [n for n in (t.start, t.end, t.summary) if n is not None]
            if unknown := [n for n in named if n not in self.by_name]:
                raise ValueError(f"{self.table}: the timeline names undeclared {unknown}")

    def sensitivity_of(self, name: str) -> Sensitivity:
        """A field is as closed as its record; bookkeeping columns are public."""
        declared = self.by_name.get(name)
        own = declared.sensitivity if declared is not None else Sensitivity.PUBLIC
        return max(own, self.sensitivity)
