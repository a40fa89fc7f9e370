"""Plausible Vietnamese people for the simulators: names with diacritics, identification
numbers whose century/sex digit and year agree with the birth date, real code lists."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý")  # fmt: skip
MIDDLE_F = ("Thị", "Thị Thu", "Thị Ngọc", "Thu", "Ngọc", "Thị Minh", "")
MIDDLE_M = ("Văn", "Đức", "Minh", "Quốc", "Hữu", "Văn Thành", "")
GIVEN_F = ("Hà", "Lan", "Hương", "Phương", "Thảo", "Trang", "Huyền", "Nhung", "Yến", "Loan")
GIVEN_M = ("Hùng", "Dũng", "Tuấn", "Sơn", "Thắng", "Cường", "Quang", "Khánh", "Đạt", "Long")
# Wards of Hải Phòng: 11311 is the contracts' example; the others are illustrative codes.
WARDS = (("11311", "Phường Lê Chân"), ("11320", "Phường An Biên"), ("11329", "Phường Hồng Bàng"))
PROVINCE_PREFIX = "031"


@dataclass(frozen=True)
class FakePerson:
    nid: str
    family: str
    middle: str
    given: str
    sex: str  # "M" / "F"
    birth_date: dt.date
    ward_code: str
    ward_name: str

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.family, self.middle, self.given) if p)


def make_nid(rng: random.Random, birth_year: int, sex: str) -> str:
    century = (birth_year - 1900) // 100
    g = century * 2 + (1 if sex == "F" else 0)
    return f"{PROVINCE_PREFIX}{g}{birth_year % 100:02d}{rng.randrange(10**6):06d}"


def fake_person(rng: random.Random) -> FakePerson:
    sex = rng.choice("MF")
    born = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(365 * 45))
    ward_code, ward_name = rng.choice(WARDS)
    return FakePerson(
        nid=make_nid(rng, born.year, sex),
        family=rng.choice(FAMILY),
        middle=rng.choice(MIDDLE_F if sex == "F" else MIDDLE_M),
        given=rng.choice(GIVEN_F if sex == "F" else GIVEN_M),
        sex=sex,
        birth_date=born,
        ward_code=ward_code,
        ward_name=ward_name,
    )
