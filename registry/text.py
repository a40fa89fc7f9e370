"""Vietnamese text rules: NFC storage, accent-free search keys, hostile-character checks.

``text_problem`` names what is wrong with a text that enters the registry (from a request, a
form, a CSV cell), so every edge refuses the same characters with the same words:

- NUL and the other C0 controls, DEL and the C1 controls (U+0080–U+009F): never part of a
  personnel record; PostgreSQL refuses NUL outright and SQLite would store it.
- bidirectional overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the direction marks
  (U+200E, U+200F, U+061C): they make a stored name or reason *display* as something else
  ("Trojan source"), and Vietnamese never needs them.
- zero-width characters (U+200B–U+200D, U+2060, U+FEFF): they make two equal-looking names
  different and hide text from search.

Tab and line feed are allowed only where a rule says so (``allow_newlines``: free-text comments
may keep line breaks; names, codes, reasons and headers never). CR is never allowed on its own
terms: a CR-LF pair counts as a line break where breaks are allowed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_SPACES = re.compile(r"\s+")
_C0 = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f"
_C1 = "\x80-\x9f"
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"
# Control characters (NUL included) never belong in a personnel record.
_CONTROL = re.compile(f"[{_C0}{_C1}]")
_BIDI_RE = re.compile(f"[{_BIDI}]")
_ZERO_WIDTH_RE = re.compile(f"[{_ZERO_WIDTH}]")
_BREAKS = re.compile(r"[\t\n\r]")
_NAME_SPACES = re.compile(r"[ \u00a0\u3000]+")
_HOSTILE = re.compile(f"[{_C0}{_C1}{_BIDI}{_ZERO_WIDTH}]")


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def has_control_chars(text: str) -> bool:
    """Any character ``text_problem`` refuses even where line breaks are allowed."""
    return _HOSTILE.search(text) is not None


@dataclass(frozen=True)
class TextProblem:
    """What is wrong with a text, by kind and code point (the text itself is never kept)."""

    kind: str  # "nul" | "control" | "bidi" | "zero_width" | "line_break" | "lone_cr"
    code_point: int

    @property
    def reason(self) -> str:
        return _REASONS[self.kind].format(cp=f"U+{self.code_point:04X}")

    @property
    def reason_vi(self) -> str:
        return _REASONS_VI[self.kind].format(cp=f"U+{self.code_point:04X}")


_REASONS = {
    "nul": "contains a NUL character ({cp})",
    "control": "contains a control character ({cp})",
    "bidi": "contains a bidirectional control character ({cp})",
    "zero_width": "contains a zero-width character ({cp})",
    "line_break": "contains a tab or line break ({cp}), not allowed here",
    "lone_cr": "contains a carriage return ({cp}) outside a line break",
}
_REASONS_VI = {
    "nul": "có ký tự NUL ({cp})",
    "control": "có ký tự điều khiển ({cp})",
    "bidi": "có ký tự đổi chiều văn bản ({cp})",
    "zero_width": "có ký tự vô hình ({cp})",
    "line_break": "có dấu tab hoặc xuống dòng ({cp}), không được phép ở đây",
    "lone_cr": "có ký tự CR ({cp}) không thuộc dấu xuống dòng",
}


def find_problem(text: str, *, allow_newlines: bool = False) -> TextProblem | None:
    """The first reason ``text`` may not be stored, or None."""
    if "\x00" in text:
        return TextProblem("nul", 0)
    for kind, pattern in (
        ("control", _CONTROL),
        ("bidi", _BIDI_RE),
        ("zero_width", _ZERO_WIDTH_RE),
    ):
        if found := pattern.search(text):
            return TextProblem(kind, ord(found.group()))
    if not allow_newlines:
        if found := _BREAKS.search(text):
            return TextProblem("line_break", ord(found.group()))
    elif "\r" in text.replace("\r\n", ""):
        return TextProblem("lone_cr", 0x0D)
    return None


def text_problem(text: str, *, allow_newlines: bool = False) -> str | None:
    """What is wrong with ``text`` (a reason fit for an error body, naming the character by
    its code point, never echoing the text), or None when it may be stored."""
    problem = find_problem(text, allow_newlines=allow_newlines)
    return None if problem is None else problem.reason


def clean_name(text: str) -> str:
    """A person's or a unit's name as stored: NFC (names keyed in on a system that sends
    decomposed letters are the same names), and single-spaced with no spaces at the ends.
    Only spaces (ordinary, no-break, ideographic) are collapsed here; tabs and breaks are
    refused by ``text_problem``."""
    return _NAME_SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip(" ")


def search_key(*parts: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "Nguyễn Thị Hà" → "nguyen thi ha"; "Đ" → "d"."""
    joined = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFD", joined.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)
