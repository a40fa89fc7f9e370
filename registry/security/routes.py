"""What a request's route takes, found before the route runs: the media types of its body and
which of its query and path parameters are integers.

The facts come from the application's own OpenAPI document (the API's contract, so a new
route is covered the day it is added, and what is enforced here is what the document says).
The review pages are not in the document: every page route outside ``/api`` that takes a body
takes a form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import structlog

log = structlog.get_logger("registry.security")

FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")
_METHODS = ("get", "put", "post", "delete", "patch", "head", "options")


@dataclass(frozen=True)
class RouteFacts:
    """``media_types`` empty: nothing is known of the body (it is not checked)."""

    media_types: tuple[str, ...] = ()
    int_query: frozenset[str] = frozenset()
    int_path: frozenset[str] = frozenset()
    page: bool = False


PAGE = RouteFacts(media_types=FORMS, page=True)


def _is_int(schema: Any) -> bool:
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "integer":
        return True
    return any(_is_int(s) for key in ("anyOf", "oneOf", "allOf") for s in schema.get(key, []))


def _facts(operation: dict[str, Any]) -> RouteFacts:
    ints: dict[str, set[str]] = {"query": set(), "path": set()}
    for param in operation.get("parameters", []):
        where = param.get("in")
        if where in ints and _is_int(param.get("schema")):
            ints[where].add(str(param.get("name")))
    content = operation.get("requestBody", {}).get("content", {})
    return RouteFacts(
        media_types=tuple(str(k).lower() for k in content),
        int_query=frozenset(ints["query"]),
        int_path=frozenset(ints["path"]),
    )


def _template(path: str) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """``/persons/{person_id}`` → a pattern with one group per parameter, and their names."""
    parts = re.split(r"\{([^}]+)\}", path)
    literal = [re.escape(p) for p in parts[0::2]]
    names = tuple(p.split(":")[0] for p in parts[1::2])
    body = literal[0] + "".join(f"([^/]+){lit}" for lit in literal[1:])
    return re.compile(f"^{body}$"), names


class RouteIndex:
    """Operations of the OpenAPI document by (method, path pattern), built on first use."""

    def __init__(self) -> None:
        self._ops: list[tuple[str, re.Pattern[str], tuple[str, ...], RouteFacts]] | None = None

    def _build(self, document: dict[str, Any]) -> None:
        ops = []
        for path, item in document.get("paths", {}).items():
            pattern, names = _template(path)
            for method in _METHODS:
                if isinstance(item.get(method), dict):
                    ops.append((method.upper(), pattern, names, _facts(item[method])))
        # Literal segments before parameters: /persons/lookup before /persons/{id}.
        ops.sort(key=lambda op: len(op[2]))
        self._ops = ops

    def lookup(self, app: Any, method: str, path: str) -> tuple[RouteFacts, dict[str, str]]:
        if self._ops is None:
            try:
                self._build(app.openapi())
            except Exception as exc:  # the hygiene must not take the app down
                log.warning("security.route_index_failed", exc_type=type(exc).__name__)
                self._ops = []
        for op_method, pattern, names, facts in self._ops or ():
            if op_method == method and (found := pattern.match(path)):
                return facts, dict(zip(names, found.groups(), strict=True))
        if not path.startswith("/api"):
            return PAGE, {}
        return RouteFacts(), {}
