"""Classification from points: bands and caps are data (``registry/data/evaluation.json``)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any


@dataclass(frozen=True)
class Cap:
    rule_id: str
    forms: frozenset[str]
    max_classification: str


@dataclass(frozen=True)
class EvaluationRules:
    bands: tuple[tuple[int, str], ...]  # (minimum points, classification), highest first
    order: tuple[str, ...]  # lowest to highest
    components: dict[str, dict[str, Any]]
    caps: tuple[Cap, ...]

    def band(self, total: int) -> str:
        if not 0 <= total <= 100:
            raise ValueError("total points must be within 0..100")
        for minimum, classification in self.bands:
            if total >= minimum:
                return classification
        raise ValueError("bands do not cover 0")

    def classify(self, total: int, discipline_forms: Iterable[str]) -> tuple[str, str, list[str]]:
        """Return (derived from bands, after caps, ids of caps applied)."""
        derived = final = self.band(total)
        applied = []
        forms = set(discipline_forms)
        for cap in self.caps:
            if forms & cap.forms and self.rank(final) > self.rank(cap.max_classification):
                final = cap.max_classification
                applied.append(cap.rule_id)
        return derived, final, applied

    def rank(self, classification: str) -> int:
        return self.order.index(classification)

    def weighted_index(self, components: dict[str, int]) -> float:
        return float(sum(self.components[k]["weight"] * v for k, v in components.items()))


def rules_from(doc: dict[str, Any]) -> EvaluationRules:
    bands = tuple(sorted(((b["min"], b["classification"]) for b in doc["bands"]), reverse=True))
    caps = tuple(Cap(c["id"], frozenset(c["forms"]), c["max"]) for c in doc["caps"])
    return EvaluationRules(bands, tuple(doc["order"]), dict(doc["components"]), caps)


@lru_cache(maxsize=1)
def evaluation_rules() -> EvaluationRules:
    text = resources.files("registry").joinpath("data", "evaluation.json").read_text("utf-8")
    return rules_from(json.loads(text))


def period_kind(period: str) -> str:
    if "-Q" in period:
        return "quarter"
    return "month" if "-" in period else "year"


def period_year(period: str) -> int:
    return int(period[:4])
