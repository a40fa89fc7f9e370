"""Answers serialised once, by the model that the route declares.

A route that returns its model object has FastAPI validate it again as its
``response_model`` (on the thread pool, for a plain ``def`` route) before serialising it. The
read paths build their answer with that very model already, so they hand over the JSON
instead: the same bytes FastAPI would write (pydantic's serialiser of the same model, by
alias), without the second validation and the extra hand-over.
"""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel

_SKIPPED = frozenset({b"content-length", b"content-type"})


def json_answer(value: BaseModel, headers_from: Response | None = None) -> Response:
    """``value`` as the JSON body, with the headers a route set on its ``Response``
    parameter (an ETag)."""
    answer = Response(value.model_dump_json(by_alias=True), media_type="application/json")
    if headers_from is not None:
        for key, val in headers_from.raw_headers:
            if key.lower() not in _SKIPPED:
                answer.raw_headers.append((key, val))
    return answer
