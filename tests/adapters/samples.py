"""Sample wire documents shaped exactly like the contracts' examples."""

from __future__ import annotations

from typing import Any

from adapters.population.wire import PersonRecord

OFFICIAL: dict[str, Any] = {
    "nid": "031185001234",
    "civil_servant_no": "HP-000123",
    "full_name": "Nguyễn Thị Thu Hà",
    "birth_date": "1985-03-14",
    "sex": "2",
    "agency_code": "H31.11311",
    "position_title": "Phó Chủ tịch UBND phường",
    "rank_code": "01.003",
    "salary_grade": "A1",
    "salary_step": 4,
    "salary_coefficient": 3.33,
    "recruited_on": "2009-09-01",
    "qualifications": [],
    "work_history": [],
    "training": [],
    "evaluations": [{"period": "2026-Q1", "score": 86, "classification": "HTT"}],
    "version": 12,
    "updated_at": "2026-03-02T08:00:00+07:00",
}


def record(**overrides: Any) -> PersonRecord:
    doc: dict[str, Any] = {
        "nid": "031185001234",
        "cmnd": "031234567",
        "full_name": {"family": "Nguyễn", "middle": "Thị Thu", "given": "Hà"},
        "birth_date": "1985-03-14",
        "sex": "2",
        "ethnicity_code": "01",
        "religion_code": "00",
        "nationality": "VN",
        "place_of_origin": {"unit_code": "11311", "code_list": "2025", "text": "Phường Lê Chân"},
        "permanent_residence": {
            "unit_code": "11311",
            "code_list": "2025",
            "text": "Số 5 Lạch Tray",
        },
        "life_status": "alive",
        "death_date": None,
        "previous_nids": [],
        "record_version": 17,
        "updated_at": "2026-03-02T08:00:00+07:00",
    }
    doc.update(overrides)
    return PersonRecord.model_validate(doc)
