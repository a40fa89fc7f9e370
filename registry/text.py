"""Vietnamese text rules: NFC storage, accent-free search keys, hostile-character checks."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Control characters (NUL included) never belong in a personnel record.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def has_control_chars(text: str) -> bool:
    return _CONTROL.search(text) is not None


def search_key(*parts: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "Nguyễn Thị Hà" → "nguyen thi ha"; "Đ" → "d"."""
    joined = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFD", joined.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)
