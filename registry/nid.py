"""Personal identification number (12 digits, ``PPP G YY NNNNNN``) and legacy CMND rules."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from registry.codes import nid_birth_prefixes

# ASCII digits only: ``\d`` also matches Arabic-Indic or full-width digits, which ``int``
# accepts, so the same number could be stored under a second spelling (and blind index).
_NID = re.compile(r"[0-9]{12}")
_CMND = re.compile(r"[0-9]{9}")


@dataclass(frozen=True)
class NidFacts:
    prefix: str
    birth_year: int
    sex: str  # "M" or "F"


def parse_nid(nid: str, *, abroad_prefixes: Iterable[str] = ()) -> NidFacts:
    """Split a number into its facts or raise ``ValueError`` with the reason.

    ``G`` encodes century and sex: even = male, odd = female; 0/1 → 1900s, 2/3 → 2000s, …
    There is no check digit, so nothing else can be verified offline.
    """
    if not _NID.fullmatch(nid):
        raise ValueError("must be exactly 12 digits")
    prefix = nid[:3]
    if prefix not in nid_birth_prefixes() and prefix not in set(abroad_prefixes):
        raise ValueError(f"unknown birth-registration province code {prefix}")
    g = int(nid[3])
    year = 1900 + (g // 2) * 100 + int(nid[4:6])
    return NidFacts(prefix=prefix, birth_year=year, sex="F" if g % 2 else "M")


def check_nid(
    nid: str,
    *,
    birth_year: int | None,
    sex: str | None,
    current_year: int,
    abroad_prefixes: Iterable[str] = (),
) -> list[str]:
    """All reasons ``nid`` is not acceptable for a person with this birth year and sex."""
    try:
        facts = parse_nid(nid, abroad_prefixes=abroad_prefixes)
    except ValueError as exc:
        return [str(exc)]
    reasons = []
    if facts.birth_year > current_year:
        reasons.append(f"encodes birth year {facts.birth_year}, which is in the future")
    if birth_year is not None and facts.birth_year != birth_year:
        reasons.append(f"encodes birth year {facts.birth_year}, not {birth_year}")
    if sex in ("M", "F") and facts.sex != sex:
        reasons.append(f"encodes sex {facts.sex}, not {sex}")
    return reasons


def check_cmnd(cmnd: str) -> list[str]:
    return [] if _CMND.fullmatch(cmnd) else ["must be exactly 9 digits"]
