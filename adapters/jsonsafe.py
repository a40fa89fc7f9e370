"""Parsing a peer's JSON without trusting it.

``json.loads`` alone accepts things a correct peer never sends and that make trouble later:
duplicate keys (two readers may pick different values, and a signature check may see a
different object than the code that applies it), ``NaN``/``Infinity``, invalid UTF-8 and
nesting deep enough to exhaust the stack. Each of these raises ``ValueError`` here.
"""

from __future__ import annotations

import json
from typing import Any


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError("duplicate key in JSON object")
        out[key] = value
    return out


def _refuse_constant(name: str) -> None:
    raise ValueError(f"non-finite number {name} in JSON")


def _refuse_float(_: str) -> None:
    raise ValueError("floating-point number where the contract has none")


def loads_strict(body: bytes, *, allow_floats: bool = True) -> object:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError("body is not UTF-8") from exc
    try:
        return json.loads(
            text,
            object_pairs_hook=_no_duplicates,
            parse_constant=_refuse_constant,
            parse_float=None if allow_floats else _refuse_float,
        )
    except RecursionError as exc:
        # The C parser guards its recursion; deep nesting ends here, not in a crash.
        raise ValueError("JSON nested too deeply") from exc
