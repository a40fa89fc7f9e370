"""The request id and the cache rule on every answer, as plain ASGI middleware.

An incoming ``X-Request-ID`` is kept when it is short and alphanumeric, otherwise a new one
is made; it is in ``request.state.request_id`` for the routes, the error bodies and the
audit, and echoed on the answer. Answers are ``Cache-Control: no-store`` unless the route
says otherwise. (Plain ASGI rather than an ``@app.middleware("http")`` function: that one
runs every request through a task group and a streamed copy of the response.)
"""

from __future__ import annotations

import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_ID = b"x-request-id"
_CACHE = b"cache-control"


def incoming_id(value: str) -> str:
    return value if value.isalnum() and len(value) <= 64 else uuid.uuid4().hex


class RequestIds:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        raw = next((v for k, v in scope["headers"] if k.lower() == _ID), b"")
        rid = incoming_id(raw.decode("latin-1"))
        scope.setdefault("state", {})["request_id"] = rid
        encoded = rid.encode("ascii")

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != _ID]
                headers.append((_ID, encoded))
                if not any(k.lower() == _CACHE for k, _ in headers):
                    headers.append((_CACHE, b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)
