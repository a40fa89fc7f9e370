"""Civil-service rank (ngạch) codes as a code list (``registry/data/ranks.csv``).

Each rank belongs to a ladder (hành chính, văn thư, kế toán, thanh tra, …) and has a
seniority within it; a post requiring a rank is met by that rank or a more senior rank of the
same ladder. Rows marked ``verified=no`` were not checked against the official text and stay
data: correct the file, not the code. An unknown code is refused naming the field and the list.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from registry.errors import Invalid

LIST_NAME = "registry/data/ranks.csv"


@dataclass(frozen=True)
class Rank:
    code: str
    name_vi: str
    ladder: str
    seniority: int
    grade: str
    source: str
    verified: bool


@lru_cache(maxsize=1)
def ranks() -> dict[str, Rank]:
    text = resources.files("registry").joinpath("data", "ranks.csv").read_text("utf-8")
    return {
        r["code"]: Rank(
            r["code"],
            r["name_vi"],
            r["ladder"],
            int(r["seniority"]),
            r["grade"],
            r["source"],
            r["verified"] == "yes",
        )
        for r in csv.DictReader(text.splitlines())
    }


def check_rank(code: str | None, *, field: str) -> None:
    """422 naming ``field`` and the list when ``code`` is not a rank of the list."""
    if code is not None and code not in ranks():
        raise Invalid.field(field, f"unknown rank code {code!r}: not in the rank list {LIST_NAME}")


def meeting(required: str) -> list[str]:
    """The ranks that meet a post requiring ``required``: it, and the more senior ranks of its
    ladder."""
    need = ranks()[required]
    return sorted(
        r.code
        for r in ranks().values()
        if r.ladder == need.ladder and r.seniority >= need.seniority
    )
