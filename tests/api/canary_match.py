"""Finding canaries in answers: headers, bodies (JSON, HTML) and the XML inside an XLSX."""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from tests.api.canary import Canary


@dataclass(frozen=True)
class Leak:
    route: str  # "GET /api/v1/persons/{person_id}"
    url: str  # the request as sent (path and query)
    principal: str
    canary: Canary
    where: str  # "body", "header x-…", "xlsx xl/sharedStrings.xml"
    status: int

    def line(self) -> str:
        return (
            f"{self.route} [{self.url}] as {self.principal} → {self.status}: "
            f"{self.canary.what} ({self.canary.need}) in {self.where}"
        )


def answer_parts(response: Any) -> Iterator[tuple[str, str, Any]]:
    """(where, text, parsed JSON or None) of every part of an answer: headers, body, and for
    an XLSX download each XML member of the zip."""
    headers = "\n".join(f"{k}: {v}" for k, v in response.headers.items())
    yield "headers", html.unescape(headers), None
    raw: bytes = response.content
    if raw[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(raw)) as z:
            for name in z.namelist():
                yield f"xlsx {name}", html.unescape(z.read(name).decode("utf-8", "replace")), None
        return
    text = raw.decode("utf-8", "replace")
    parsed = None
    if "json" in response.headers.get("content-type", ""):
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
    yield "body", text if parsed is not None else html.unescape(text), parsed


def _json_has(node: Any, c: Canary) -> bool:
    if isinstance(node, dict):
        if c.mode == "keyed":
            if str(node.get(c.field, object())) == c.value:
                return True
            if node.get("field") == c.field and c.value in (
                str(node.get("old")),
                str(node.get("new")),
            ):
                return True
        return any(_json_has(v, c) for v in node.values())
    if isinstance(node, list):
        return any(_json_has(v, c) for v in node)
    return c.mode == "value" and isinstance(node, str) and node == c.value


def found_in(text: str, parsed: Any, c: Canary) -> bool:
    if c.mode == "text":
        return c.value in text
    value = re.escape(c.value)
    if c.mode == "keyed":
        # beside its name in JSON, also JSON kept inside a string (``\"form\": \"…\"``),
        # or as the text of an element whose attributes name the field (``id="f-form"``)
        q = r'\\?"'
        if re.search(rf"{q}{re.escape(c.field)}{q}\s*:\s*{q}{value}{q}", text):
            return True
        if parsed is not None:
            return _json_has(parsed, c)
        tag = rf"<[^>]*\b{re.escape(c.field)}\b[^>]*>\s*{value}\s*<"
        return re.search(tag, text) is not None
    # a whole quoted value (JSON, or JSON kept inside a string), or a whole element's text
    return re.search(rf'\\?"{value}\\?"|>\s*{value}\s*<', text) is not None


def leaks_in(response: Any, canaries: Iterable[Canary], sent: str) -> list[tuple[Canary, str]]:
    """The canaries an answer carries, except those the request itself carried (an id in
    the path is not disclosed by being echoed back)."""
    parts = list(answer_parts(response))
    out = []
    for c in canaries:
        if c.value in sent:
            continue
        for where, text, parsed in parts:
            if found_in(text, parsed, c):
                out.append((c, where))
                break
    return out
