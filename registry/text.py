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
_HOSTILE = re.compile(f"[{_C0}{_C1}{_BIDI}{_ZERO_WIDTH}]")


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


def has_control_chars(text: str) -> bool:
    """Any character ``text_problem`` refuses even where line breaks are allowed."""
    return _HOSTILE.search(text) is not None


def text_problem(text: str, *, allow_newlines: bool = False) -> str | None:
    """What is wrong with ``text`` (a reason fit for an error body, naming the character by
    its code point, never echoing the text), or None when it may be stored."""
    if "\x00" in text:
        return "contains a NUL character (U+0000)"
    if found := _CONTROL.search(text):
        return f"contains a control character (U+{ord(found.group()):04X})"
    if found := _BIDI_RE.search(text):
        return f"contains a bidirectional control character (U+{ord(found.group()):04X})"
    if found := _ZERO_WIDTH_RE.search(text):
        return f"contains a zero-width character (U+{ord(found.group()):04X})"
    if not allow_newlines and (found := _BREAKS.search(text)):
        return f"contains a tab or line break (U+{ord(found.group()):04X}), not allowed here"
    if allow_newlines and "\r" in text.replace("\r\n", ""):
        return "contains a carriage return (U+000D) outside a line break"
    return None


def clean_name(text: str) -> str:
    """A person's or a unit's name as stored: NFC (names keyed in on a system that sends
    decomposed letters are the same names), and single-spaced with no spaces at the ends.
    Only ordinary spaces are collapsed here; tabs and breaks are refused by ``text_problem``."""
    return " ".join(unicodedata.normalize("NFC", text).split(" ")).strip()


def search_key(*parts: str | None) -> str:
    """Lower-case, accent-free, single-spaced: "Nguyễn Thị Hà" → "nguyen thi ha"; "Đ" → "d"."""
    joined = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFD", joined.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def full_name(family: str, middle: str, given: str) -> str:
    return " ".join(p for p in (family, middle, given) if p)
