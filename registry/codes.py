"""Code lists (ethnicity, religion, provinces, communes, identification-number prefixes, sex
codes per source), places on the 2025 units, and level ladders.

The CSV files under ``registry/data`` are copied from the shared domain data; a deployment
replaces any of them by name with a file in ``CADRE_CODE_LISTS_DIR`` (the bundled
``communes_2025.csv`` holds only the demo ward's communes: load the full list there). The
ladders order qualification levels so that "at least X" is a comparison of ranks.
"""

from __future__ import annotations

import csv
import os
import unicodedata
from functools import lru_cache
from importlib import resources
from pathlib import Path


def _rows(name: str) -> list[dict[str, str]]:
    # ``Settings.code_lists_dir`` declares this setting; it is read here from the environment
    # so that this leaf module (the adapters use it) stays free of the registry's configuration.
    own = os.environ.get("CADRE_CODE_LISTS_DIR") or None
    path = None if own is None else Path(own) / name
    if path is not None and path.is_file():
        text = path.read_text("utf-8-sig")
    else:
        text = resources.files("registry").joinpath("data", name).read_text("utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def ethnic_groups() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _rows("ethnic_groups.csv")}


@lru_cache(maxsize=1)
def religions() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _rows("religions.csv")}


@lru_cache(maxsize=1)
def provinces_2025() -> dict[str, str]:
    return {r["code"]: r["name"] for r in _rows("provinces_2025.csv")}


_ID_PREFIXES = "id_birth_province_codes.csv"


@lru_cache(maxsize=1)
def communes_2025() -> dict[str, str]:
    """Five-digit commune / ward / special-zone code → name (Decision 19/2025/QĐ-TTg list)."""
    return {r["code"]: r["name"] for r in _rows("communes_2025.csv")}


@lru_cache(maxsize=1)
def legacy_provinces() -> dict[str, str]:
    """Pre-2025 two-digit province code → the 2025 province that took it over."""
    new = provinces_2025()
    return {
        r["gso_code_pre2025"]: r["province_code_2025"]
        for r in _rows(_ID_PREFIXES)
        if r["province_code_2025"] in new
    }


def place_2025(unit_code: str, code_list: str, text: str) -> dict[str, str]:
    """A place as the registry stores it, on the 2025 units where the mapping is known: a
    pre-2025 province becomes the province that took it over (its old name stays in the
    text). A pre-2025 district or commune has no mapping here and keeps its code, marked as
    the 2004 list, so it is never read as a 2025 code."""
    if code_list == "2004" and (new := legacy_provinces().get(unit_code)) is not None:
        unit_code, code_list = new, "2025"
    return {"unit_code": unit_code, "code_list": code_list, "text": text}


@lru_cache(maxsize=1)
def legacy_province_names() -> dict[str, str]:
    """Pre-2025 two-digit province code → its name."""
    return {r["gso_code_pre2025"]: r["province_pre2025"] for r in _rows(_ID_PREFIXES)}


def unit_name(unit_code: str, code_list: str) -> str | None:
    """The name of a unit in its list, for a place given by code alone."""
    if code_list == "2025":
        return provinces_2025().get(unit_code) or communes_2025().get(unit_code)
    if code_list == "2004":
        return legacy_province_names().get(unit_code)
    return None


def place_issue(unit_code: str, code_list: str) -> str | None:
    """Why ``unit_code`` is not a unit of ``code_list``, naming the list; None when it is.
    2025: a province (2 digits) of ``provinces_2025.csv`` or a commune (5 digits) of
    ``communes_2025.csv``. 2004: a province must be one of the pre-2025 list; its districts
    and communes (3 and 5 digits) have no list here and are kept as given."""
    if code_list == "2025":
        if len(unit_code) == 2 and unit_code not in provinces_2025():
            return f"{unit_code} is not in the 2025 province list (provinces_2025)"
        if len(unit_code) == 5 and unit_code not in communes_2025():
            return f"{unit_code} is not in the 2025 commune list (communes_2025)"
        if len(unit_code) not in (2, 5):
            return "a 2025 unit code has 2 digits (province) or 5 (commune)"
        return None
    if code_list == "2004":
        if len(unit_code) == 2 and unit_code not in legacy_provinces():
            return f"{unit_code} is not in the pre-2025 province list (id_birth_province_codes)"
        return None
    return f"unknown code list {code_list} (2004 or 2025)"


# How each source writes sex: QCVN 109 (0 unknown, 1 male, 2 female), Vietnamese words, M/F.
SEX_SCHEMES: dict[str, dict[str, str | None]] = {
    "qcvn109": {"0": None, "1": "M", "2": "F"},
    "vi": {"nam": "M", "nữ": "F", "nu": "F"},
    "mf": {"m": "M", "f": "F"},
}


def sex_code(value: str, scheme: str = "auto") -> str:
    """The registry's ``M``/``F`` for ``value`` written in ``scheme`` (``auto``: any scheme,
    their codes do not overlap). ``ValueError`` naming the accepted codes otherwise; QCVN
    109's 0 (unknown) is refused, since a file needs the person's sex."""
    key = unicodedata.normalize("NFC", value).strip().lower()
    schemes = SEX_SCHEMES.values() if scheme == "auto" else [SEX_SCHEMES[scheme]]
    for codes in schemes:
        if key in codes:
            found = codes[key]
            if found is None:
                raise ValueError("is 0 (unknown) in QCVN 109: a file needs M or F")
            return found
    accepted = "1/2 (QCVN 109), Nam/Nữ, M/F" if scheme == "auto" else "/".join(SEX_SCHEMES[scheme])
    raise ValueError(f"is not a sex code ({accepted})")


@lru_cache(maxsize=1)
def nid_birth_prefixes() -> dict[str, str]:
    """``PPP`` prefix of the identification number → pre-2025 province name."""
    return {r["id_prefix"]: r["province_pre2025"] for r in _rows("id_birth_province_codes.csv")}


ORG_UNIT_KINDS = (
    "party_committee",
    "party_cell",
    "peoples_council",
    "peoples_committee",
    "specialised_office",
    "fatherland_front",
    "mass_organisation",
    "public_service_unit",
)

# Ordered from lowest to highest; equal ranks share a number.
QUALIFICATION_LADDERS: dict[str, dict[str, int]] = {
    "professional": {
        "so_cap": 1,
        "trung_cap": 2,
        "cao_dang": 3,
        "dai_hoc": 4,
        "thac_si": 5,
        "tien_si": 6,
    },
    "political_theory": {"so_cap": 1, "trung_cap": 2, "cao_cap": 3, "cu_nhan": 3},
    "state_management": {
        "can_su": 1,
        "chuyen_vien": 2,
        "chuyen_vien_chinh": 3,
        "chuyen_vien_cao_cap": 4,
    },
    "it": {"co_ban": 1, "nang_cao": 2},
    "foreign_language": {
        "bac_1": 1,
        "bac_2": 2,
        "bac_3": 3,
        "bac_4": 4,
        "bac_5": 5,
        "bac_6": 6,
    },
    "defence_security": {"doi_tuong_4": 1, "doi_tuong_3": 2, "doi_tuong_2": 3, "doi_tuong_1": 4},
}


def rank_names() -> dict[str, str]:
    """Rank code → Vietnamese name, from the one rank list (``registry/data/ranks.csv``;
    ``registry.ranks`` reads its ladders and seniority)."""
    return {r["code"]: r["name_vi"] for r in _rows("ranks.csv")}


RANK_CODES = rank_names()

PLACE_CODE_LISTS = ("2004", "2025")
