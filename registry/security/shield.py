"""The last line before the server: an exception that escaped every handler is logged by its
type only and answered with the one error body, never handed to the server.

Starlette's error middleware answers a 500 and then re-raises the exception, and uvicorn
logs it with its message and traceback ("Exception in ASGI application"). A failed
statement's message can carry values (PostgreSQL's DETAIL quotes the row: names, dates,
ciphertexts), so that message must never reach a log.
"""

from __future__ import annotations

import json
import traceback

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("registry.http")

_BODY = {"error": {"code": "internal_error", "message": "internal error", "issues": []}}


class ErrorShield:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            # Where it happened (file and line of the innermost frame) helps find the bug; the
            # message may hold values and is left out.
            frames = traceback.extract_tb(exc.__traceback__)
            where = f"{frames[-1].filename}:{frames[-1].lineno}" if frames else None
            log.error(
                "http.unhandled", exc_type=type(exc).__name__, where=where, path=scope.get("path")
            )
            if started:
                return
            rid = scope.get("state", {}).get("request_id")
            body = {"error": {**_BODY["error"], "request_id": rid}}
            await send(
                {
                    "type": "http.response.start",
                    "status": 500,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": json.dumps(body).encode()})
