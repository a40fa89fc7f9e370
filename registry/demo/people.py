"""Deterministic Vietnamese people: names, birth dates, identification numbers, code lists.

Person ``i`` of seed ``s`` is a pure function of ``(s, i)``, so the demo can stream a million
people without holding them, and the same seed always yields the same ward.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, TypeVar

from registry.dates import PartialDate

T = TypeVar("T")
Role = Literal["cadre", "member", "resident"]

# Weighted by how common each family name is in the Red River delta.
FAMILY_NAMES: tuple[tuple[str, int], ...] = (
    ("Nguyễn", 36),
    ("Trần", 11),
    ("Lê", 9),
    ("Phạm", 8),
    ("Hoàng", 4),
    ("Vũ", 5),
    ("Phan", 3),
    ("Đặng", 3),
    ("Bùi", 3),
    ("Đỗ", 3),
    ("Ngô", 2),
    ("Đinh", 2),
    ("Đào", 2),
    ("Dương", 1),
    ("Lương", 1),
    ("Mai", 1),
    ("Trịnh", 1),
    ("Tô", 1),
    ("Cao", 1),
    ("Lý", 1),
    ("Hồ", 1),
    ("Vương", 1),
)
MIDDLE_NAMES: dict[str, tuple[str, ...]] = {
    "M": (
        "Văn",
        "Đức",
        "Minh",
        "Quang",
        "Hữu",
        "Thành",
        "Xuân",
        "Công",
        "Ngọc",
        "Đình",
        "Mạnh",
        "Tuấn",
        "Trung",
        "Việt",
        "Quốc",
        "Văn Minh",
        "Đức Anh",
    ),
    "F": (
        "Thị",
        "Thu",
        "Ngọc",
        "Thanh",
        "Hồng",
        "Phương",
        "Thùy",
        "Thị Thu",
        "Thị Thanh",
        "Thị Hồng",
        "Kim",
        "Bích",
        "Diệu",
        "Thị Minh",
        "Hải",
    ),
}
GIVEN_NAMES: dict[str, tuple[str, ...]] = {
    "M": (
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Đức",
        "Giang",
        "Hải",
        "Hiếu",
        "Hùng",
        "Huy",
        "Khánh",
        "Khoa",
        "Long",
        "Minh",
        "Nam",
        "Nghĩa",
        "Phong",
        "Phúc",
        "Quân",
        "Quang",
        "Sơn",
        "Tài",
        "Thắng",
        "Thành",
        "Tiến",
        "Toàn",
        "Trung",
        "Tuấn",
        "Việt",
        "Vinh",
        "Lâm",
        "Thịnh",
        "Hưng",
        "Đạt",
        "Kiên",
        "Hoàng",
    ),
    "F": (
        "Anh",
        "Chi",
        "Dung",
        "Duyên",
        "Giang",
        "Hà",
        "Hạnh",
        "Hằng",
        "Hiền",
        "Hoa",
        "Huệ",
        "Hương",
        "Lan",
        "Liên",
        "Linh",
        "Loan",
        "Mai",
        "Nga",
        "Ngọc",
        "Nhung",
        "Oanh",
        "Quyên",
        "Tâm",
        "Thảo",
        "Thủy",
        "Trang",
        "Tuyết",
        "Vân",
        "Yến",
        "Huyền",
        "My",
        "Nhàn",
        "Hồng",
    ),
}
# Where births were registered (``PPP`` of the number): mostly the city itself.
BIRTH_PREFIXES: tuple[tuple[str, int], ...] = (
    ("031", 70),
    ("030", 8),
    ("034", 7),
    ("036", 3),
    ("022", 3),
    ("001", 3),
    ("033", 2),
    ("038", 2),
    ("040", 1),
    ("079", 1),
)
ETHNICITIES: tuple[tuple[str, int], ...] = (
    ("01", 970),
    ("06", 10),
    ("02", 7),
    ("04", 5),
    ("07", 4),
    ("03", 4),
)
RELIGIONS: tuple[tuple[str, int], ...] = (("00", 85), ("01", 9), ("02", 5), ("03", 1))
# Birth-year ranges: members of residential cells are often retired; cadres are of working age.
BIRTH_YEARS: dict[Role, tuple[int, int]] = {
    "cadre": (1967, 1999),
    "member": (1936, 2006),
    "resident": (1936, 2006),
}
MAX_PERSONS = 1_000_000  # the serial part of the number is unique below this
# Multipliers coprime with 10**6 (primes other than 2 and 5): index → serial is a bijection.
_SERIAL_MULTIPLIERS = (7_919, 104_729, 130_363, 287_117, 611_953, 882_377)


def pick(rng: random.Random, weighted: Sequence[tuple[T, int]]) -> T:
    return rng.choices([v for v, _ in weighted], weights=[w for _, w in weighted])[0]


@dataclass(frozen=True)
class PersonSpec:
    """One generated person; every field passes ``PersonCreate`` and ``identity_issues``."""

    index: int
    family_name: str
    middle_name: str
    given_name: str
    sex: str
    birth_date: str
    nid: str
    ethnicity_code: str
    religion_code: str

    def identity(self) -> dict[str, str]:
        """The fields of ``PersonCreate`` this spec fills."""
        return {
            "nid": self.nid,
            "family_name": self.family_name,
            "middle_name": self.middle_name,
            "given_name": self.given_name,
            "birth_date": self.birth_date,
            "sex": self.sex,
            "ethnicity_code": self.ethnicity_code,
            "religion_code": self.religion_code,
        }

    @property
    def birth_year(self) -> int:
        return PartialDate.parse(self.birth_date).year

    @property
    def full_name(self) -> str:
        return f"{self.family_name} {self.middle_name} {self.given_name}"


def person_rng(seed: int, kind: str, index: int) -> random.Random:
    """An independent stream per (seed, kind, index): string seeds hash stably (sha512).
    Demo data wants reproducibility, not secrecy, hence a plain PRNG."""
    return random.Random(f"{seed}/{kind}/{index}")  # noqa: S311


@lru_cache(maxsize=8)
def _serial_params(seed: int) -> tuple[int, int]:
    rng = random.Random(f"{seed}/serials")  # noqa: S311
    return rng.choice(_SERIAL_MULTIPLIERS), rng.randrange(MAX_PERSONS)


def serial_for(seed: int, index: int) -> int:
    """The ``NNNNNN`` part: distinct for every index below ``MAX_PERSONS``, so numbers are too."""
    if not 0 <= index < MAX_PERSONS:
        raise ValueError(f"person index {index} outside 0..{MAX_PERSONS - 1}")
    multiplier, offset = _serial_params(seed)
    return (index * multiplier + offset) % MAX_PERSONS


def nid_for(prefix: str, birth_year: int, sex: str, serial: int) -> str:
    century = birth_year // 100 - 19  # 0 for the 1900s, 1 for the 2000s, …
    g = century * 2 + (1 if sex == "F" else 0)
    return f"{prefix}{g}{birth_year % 100:02d}{serial:06d}"


def birth_date(rng: random.Random, year: int) -> str:
    """Mostly full dates; old records sometimes keep only the year or the month."""
    roll = rng.random()
    if year < 1960 and roll < 0.08:
        return f"{year:04d}"
    if roll < 0.11:
        return f"{year:04d}-{rng.randint(1, 12):02d}"
    return f"{year:04d}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def person(
    seed: int, index: int, *, role: Role, years: tuple[int, int] | None = None
) -> PersonSpec:
    rng = person_rng(seed, "person", index)
    sex = "M" if rng.random() < (0.58 if role == "cadre" else 0.52) else "F"
    lo, hi = years or BIRTH_YEARS[role]
    year = rng.randint(lo, hi)
    middle = rng.choice(MIDDLE_NAMES[sex])
    given = rng.choice([g for g in GIVEN_NAMES[sex] if g not in middle.split()])
    return PersonSpec(
        index=index,
        family_name=pick(rng, FAMILY_NAMES),
        middle_name=middle,
        given_name=given,
        sex=sex,
        birth_date=birth_date(rng, year),
        nid=nid_for(pick(rng, BIRTH_PREFIXES), year, sex, serial_for(seed, index)),
        ethnicity_code=pick(rng, ETHNICITIES),
        religion_code=pick(rng, RELIGIONS),
    )


def full_name_of(seed: int, index: int) -> str:
    """A name for people who sign decisions: not persons of the registry themselves."""
    return person(seed, MAX_PERSONS - 1 - index, role="cadre").full_name
