"""The demo ward's organisation: units, posts and how both grow with the number of persons.

One ward after the 1 July 2025 merger (Phường Lê Chân, Hải Phòng, formed from wards of the
former Lê Chân district). Posts follow the two-level local government: the Party Committee
and its organs, the People's Council, the People's Committee with its specialised offices and
public-service centre, the Fatherland Front with the mass organisations under it.
Job-position codes are illustrative (the Decree 361/2025 list is not encoded here).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

WARD = "Lê Chân"
WARD_UNIT_CODE = "11311"  # as in the project's schema examples; not checked against the list
# Wards of the former Lê Chân district whose staff the new ward took over.
FORMER_WARDS = (
    "An Biên",
    "An Dương",
    "Cát Dài",
    "Dư Hàng",
    "Dư Hàng Kênh",
    "Hàng Kênh",
    "Hồ Nam",
    "Kênh Dương",
    "Lam Sơn",
    "Nghĩa Xá",
    "Niệm Nghĩa",
    "Trại Cau",
    "Trần Nguyên Hãn",
    "Vĩnh Niệm",
)
FORMER_DISTRICT = "quận Lê Chân"


@dataclass(frozen=True)
class UnitSpec:
    code: str
    name: str
    kind: str
    parent: str | None  # parent code
    branch: str  # which agency party cell its staff belong to: DDT, UBND or QS


@dataclass(frozen=True)
class PostSpec:
    unit: str  # org unit code
    title: str
    code: str  # job-position code
    leader: bool
    headcount: int
    rank: str | None = None
    rotation_months: int | None = None
    elected: bool = False  # filled by election (party, council, front) rather than appointment


P = "DU-LC"  # the party committee, root of the party tree
UNITS: tuple[UnitSpec, ...] = (
    UnitSpec(P, f"Đảng ủy phường {WARD}", "party_committee", None, "DDT"),
    UnitSpec("DU-VP", "Văn phòng Đảng ủy", "specialised_office", P, "DDT"),
    UnitSpec("DU-BXD", "Ban Xây dựng Đảng", "specialised_office", P, "DDT"),
    UnitSpec("DU-UBKT", "Ủy ban Kiểm tra Đảng ủy", "specialised_office", P, "DDT"),
    UnitSpec("CB-CQDDT", "Chi bộ Cơ quan Đảng - Đoàn thể", "party_cell", P, "DDT"),
    UnitSpec("CB-UBND", "Chi bộ Cơ quan Ủy ban nhân dân", "party_cell", P, "UBND"),
    UnitSpec("CB-QS", "Chi bộ Quân sự phường", "party_cell", P, "QS"),
    UnitSpec("HDND-LC", f"Hội đồng nhân dân phường {WARD}", "peoples_council", None, "DDT"),
    UnitSpec("UBND-LC", f"Ủy ban nhân dân phường {WARD}", "peoples_committee", None, "UBND"),
    UnitSpec("VP-HDUB", "Văn phòng HĐND và UBND", "specialised_office", "UBND-LC", "UBND"),
    UnitSpec(
        "P-KTHTDT",
        "Phòng Kinh tế - Hạ tầng và Đô thị",
        "specialised_office",
        "UBND-LC",
        "UBND",
    ),
    UnitSpec("P-VHXH", "Phòng Văn hóa - Xã hội", "specialised_office", "UBND-LC", "UBND"),
    UnitSpec(
        "TT-PVHCC",
        "Trung tâm Phục vụ hành chính công",
        "public_service_unit",
        "UBND-LC",
        "UBND",
    ),
    UnitSpec("BCHQS", "Ban Chỉ huy quân sự phường", "specialised_office", "UBND-LC", "QS"),
    UnitSpec(
        "MTTQ-LC",
        f"Ủy ban Mặt trận Tổ quốc Việt Nam phường {WARD}",
        "fatherland_front",
        None,
        "DDT",
    ),
    UnitSpec(
        "DTN-LC",
        "Đoàn Thanh niên Cộng sản Hồ Chí Minh phường",
        "mass_organisation",
        "MTTQ-LC",
        "DDT",
    ),
    UnitSpec("HPN-LC", "Hội Liên hiệp Phụ nữ phường", "mass_organisation", "MTTQ-LC", "DDT"),
    UnitSpec("HCCB-LC", "Hội Cựu chiến binh phường", "mass_organisation", "MTTQ-LC", "DDT"),
)
AGENCY_CELLS = {"DDT": "CB-CQDDT", "UBND": "CB-UBND", "QS": "CB-QS"}

CV = "01.003"  # chuyên viên
CVC = "01.002"  # chuyên viên chính
CS = "01.004"  # cán sự
LEADERSHIP: tuple[PostSpec, ...] = (
    PostSpec(P, "Bí thư Đảng ủy phường", "LD-BT", True, 1, CVC, 60, elected=True),
    PostSpec(P, "Phó Bí thư Thường trực Đảng ủy", "LD-PBT", True, 1, CVC, 60, elected=True),
    PostSpec("DU-VP", "Chánh Văn phòng Đảng ủy", "LD-CVPDU", True, 1, CVC),
    PostSpec("DU-BXD", "Trưởng Ban Xây dựng Đảng", "LD-TBXD", True, 1, CVC, 60),
    PostSpec("DU-BXD", "Phó Trưởng Ban Xây dựng Đảng", "LD-PBXD", True, 1, CV, 60),
    PostSpec("DU-UBKT", "Chủ nhiệm Ủy ban Kiểm tra Đảng ủy", "LD-CNUBKT", True, 1, CVC, 60),
    PostSpec("DU-UBKT", "Phó Chủ nhiệm Ủy ban Kiểm tra", "LD-PCNUBKT", True, 1, CV, 60),
    PostSpec("HDND-LC", "Chủ tịch Hội đồng nhân dân", "LD-CTHDND", True, 1, CVC, elected=True),
    PostSpec("HDND-LC", "Phó Chủ tịch Hội đồng nhân dân", "LD-PCTHDND", True, 1, CV, elected=True),
    PostSpec("HDND-LC", "Trưởng Ban Pháp chế HĐND", "LD-TBPC", True, 1, CV, elected=True),
    PostSpec("HDND-LC", "Trưởng Ban Kinh tế - Xã hội HĐND", "LD-TBKTXH", True, 1, CV, elected=True),
    PostSpec("UBND-LC", "Chủ tịch Ủy ban nhân dân", "LD-CTUBND", True, 1, CVC, 60, elected=True),
    PostSpec(
        "UBND-LC", "Phó Chủ tịch Ủy ban nhân dân", "LD-PCTUBND", True, 2, CVC, 60, elected=True
    ),
    PostSpec("VP-HDUB", "Chánh Văn phòng HĐND và UBND", "LD-CVP", True, 1, CVC),
    PostSpec("VP-HDUB", "Phó Chánh Văn phòng", "LD-PCVP", True, 2, CV),
    PostSpec("P-KTHTDT", "Trưởng phòng Kinh tế - Hạ tầng và Đô thị", "LD-TPKT", True, 1, CVC, 60),
    PostSpec(
        "P-KTHTDT", "Phó Trưởng phòng Kinh tế - Hạ tầng và Đô thị", "LD-PPKT", True, 2, CV, 60
    ),
    PostSpec("P-VHXH", "Trưởng phòng Văn hóa - Xã hội", "LD-TPVH", True, 1, CVC),
    PostSpec("P-VHXH", "Phó Trưởng phòng Văn hóa - Xã hội", "LD-PPVH", True, 2, CV),
    PostSpec("TT-PVHCC", "Giám đốc Trung tâm Phục vụ hành chính công", "LD-GDTT", True, 1, CV),
    PostSpec("TT-PVHCC", "Phó Giám đốc Trung tâm", "LD-PGDTT", True, 1, CV),
    PostSpec("BCHQS", "Chỉ huy trưởng Ban Chỉ huy quân sự", "LD-CHT", True, 1),
    PostSpec(
        "MTTQ-LC", "Chủ tịch Ủy ban MTTQ Việt Nam phường", "LD-CTMT", True, 1, CV, elected=True
    ),
    PostSpec("MTTQ-LC", "Phó Chủ tịch Ủy ban MTTQ", "LD-PCTMT", True, 2, CV, elected=True),
    PostSpec("DTN-LC", "Bí thư Đoàn phường", "LD-BTD", True, 1, CV, elected=True),
    PostSpec("HPN-LC", "Chủ tịch Hội Liên hiệp Phụ nữ", "LD-CTHPN", True, 1, CV, elected=True),
    PostSpec("HCCB-LC", "Chủ tịch Hội Cựu chiến binh", "LD-CTCCB", True, 1, elected=True),
)
# Specialist posts; a large ward repeats them as numbered teams (tổ 2, tổ 3, …).
SPECIALISTS: tuple[PostSpec, ...] = (
    PostSpec("DU-VP", "Chuyên viên Văn phòng Đảng ủy", "CV-VPDU", False, 6, CV),
    PostSpec("DU-BXD", "Chuyên viên Ban Xây dựng Đảng", "CV-XDD", False, 7, CV, 36),
    PostSpec("DU-UBKT", "Chuyên viên Ủy ban Kiểm tra", "CV-UBKT", False, 6, CV, 36),
    PostSpec("VP-HDUB", "Công chức Văn phòng - Tổng hợp", "CC-VPTH", False, 9, CV),
    PostSpec("VP-HDUB", "Công chức Tư pháp - Hộ tịch", "CC-TPHT", False, 7, CV),
    PostSpec("VP-HDUB", "Công chức Tài chính - Kế toán", "CC-TCKT", False, 7, CV, 36),
    PostSpec("VP-HDUB", "Công chức Nội vụ", "CC-NV", False, 4, CV, 36),
    PostSpec("P-KTHTDT", "Công chức Địa chính - Xây dựng - Đô thị", "CC-DCXD", False, 13, CV, 36),
    PostSpec("P-KTHTDT", "Công chức Kế hoạch - Đầu tư", "CC-KHDT", False, 6, CV, 36),
    PostSpec("P-KTHTDT", "Công chức Tài nguyên - Môi trường", "CC-TNMT", False, 6, CV),
    PostSpec("P-VHXH", "Công chức Văn hóa - Thông tin - Thể thao", "CC-VHTT", False, 7, CV),
    PostSpec("P-VHXH", "Công chức Lao động - Thương binh và Xã hội", "CC-LDTBXH", False, 7, CV),
    PostSpec("P-VHXH", "Công chức Giáo dục - Y tế", "CC-GDYT", False, 4, CV),
    PostSpec("TT-PVHCC", "Viên chức tiếp nhận và trả kết quả", "VC-TNTKQ", False, 12, CS),
    PostSpec("BCHQS", "Chỉ huy phó Ban Chỉ huy quân sự", "QS-CHP", False, 3),
    PostSpec("MTTQ-LC", "Chuyên viên Cơ quan Ủy ban MTTQ", "CV-MTTQ", False, 6, CV),
)
BRANCH = {u.code: u.branch for u in UNITS}
RESIDENTIAL_BATCH = 500  # cells created per transaction
BASE_PERSONS = 750
BASE_CADRES = 150


@dataclass(frozen=True)
class Scale:
    """How many of each; the ward of ``BASE_PERSONS`` is the reference.

    Residential cells grow with the members (about 50 a cell). Posts and the cadres who hold
    them grow like a real administration, with the square root of the population: a million
    persons then mean some 5,500 cadres (through the services) and ~995,000 members.
    """

    persons: int
    cadres: int
    members: int
    residential_cells: int
    teams: int

    @classmethod
    def of(cls, persons: int) -> Scale:
        if persons < 20:
            raise ValueError("the demo ward needs at least 20 persons")
        if persons <= BASE_PERSONS:
            cadres = round(persons * BASE_CADRES / BASE_PERSONS)
        else:
            cadres = round(BASE_CADRES * math.sqrt(persons / BASE_PERSONS))
        members = persons - cadres
        return cls(
            persons=persons,
            cadres=cadres,
            members=members,
            residential_cells=max(4, round(members / 50)),
            teams=max(1, round(cadres / 125)),
        )


def posts(scale: Scale) -> list[PostSpec]:
    """Leadership once; specialist posts once per team."""
    out = list(LEADERSHIP)
    for team in range(1, scale.teams + 1):
        for spec in SPECIALISTS:
            if team == 1:
                out.append(spec)
            else:
                out.append(
                    PostSpec(
                        spec.unit,
                        f"{spec.title} (tổ {team})",
                        f"{spec.code}-T{team}",
                        False,
                        spec.headcount,
                        spec.rank,
                        spec.rotation_months,
                    )
                )
    return out


def residential_cell(n: int) -> UnitSpec:
    return UnitSpec(f"CB-KDC{n:05d}", f"Chi bộ Khu dân cư số {n}", "party_cell", P, "DDT")
