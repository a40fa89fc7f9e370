"""Party membership status machine (Regulation 232-QĐ/TW; Guidance 01-HD/TW)."""

from __future__ import annotations

TRANSITIONS: dict[str, frozenset[str]] = {
    "probationary": frozenset({"official", "left", "expelled", "deceased", "transferred_out"}),
    "official": frozenset({"transferred_out", "left", "expelled", "deceased"}),
    # A member who transferred out may be received back (the letter came to our cell again).
    "transferred_out": frozenset({"official", "probationary", "deceased"}),
    "left": frozenset(),
    "expelled": frozenset(),
    "deceased": frozenset(),
}
CURRENT = frozenset({"probationary", "official"})


def can_transition(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())
