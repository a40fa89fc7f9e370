"""Labels of the pages: Vietnamese first, English on request (``?lang=en``).

Each label is one (Vietnamese, English) pair in the module of its area
(``labels_review``: alerts, dashboard, the file, sync runs, the report; ``labels_people``:
people, record forms, accounts, sessions); a key given twice is an error at import."""

from __future__ import annotations

from collections.abc import Callable

from registry.standards.rule_names import RULE_NAMES
from registry.web import labels_people, labels_review

LANGS = ("vi", "en")
DEFAULT = "vi"


def _merged(*areas: dict[str, tuple[str, str]]) -> dict[str, tuple[str, str]]:
    out: dict[str, tuple[str, str]] = {}
    for area in areas:
        if twice := sorted(set(out) & set(area)):
            raise ValueError(f"page labels given twice: {twice}")
        out |= area
    return out


LABELS = _merged(labels_review.LABELS, labels_people.LABELS)
MESSAGES: dict[str, dict[str, str]] = {
    "vi": {key: vi for key, (vi, _) in LABELS.items()},
    "en": {key: en for key, (_, en) in LABELS.items()},
}


def rule_namer(lang: str) -> Callable[[str], str]:
    names = RULE_NAMES.get(lang, RULE_NAMES[DEFAULT])  # the codes stay in the data
    return lambda code: names.get(code, code)


def labeller(lang: str, prefix: str) -> Callable[[str], str]:
    """Words for a code under ``prefix`` (a job's count, say); an unknown code is shown as
    itself with spaces, never as an empty cell."""
    table = MESSAGES.get(lang, MESSAGES[DEFAULT])
    return lambda key: table.get(f"{prefix}{key}", key.replace("_", " "))


def translator(lang: str) -> Callable[[str], str]:
    table = MESSAGES.get(lang, MESSAGES[DEFAULT])
    # An unknown key shows itself: a missing label is visible, never an empty cell.
    return lambda key: table.get(key, key)
