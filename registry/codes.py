"""Code lists (ethnicity, religion, provinces, identification-number prefixes) and level ladders.

The CSV files under ``registry/data`` are copied from the shared domain data; the ladders order
qualification levels so that "at least X" is a comparison of ranks.
"""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources


def _rows(name: str) -> list[dict[str, str]]:
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

RANK_CODES = {
    "01.001": "Chuyên viên cao cấp",
    "01.002": "Chuyên viên chính",
    "01.003": "Chuyên viên",
    "01.004": "Cán sự",
    "01.005": "Nhân viên",
}

PLACE_CODE_LISTS = ("2004", "2025")
