"""Security headers on every response: API, pages, static files, errors, 404s and the 500s
answered by Starlette's outermost error middleware (this wraps the whole stack, so no answer
leaves without them).

The pages use no inline script or style and load nothing from elsewhere (Swagger UI's assets
ship with the project), so the policy allows only this origin.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = (
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; "
    "object-src 'none'"
)
HEADERS: tuple[tuple[bytes, bytes], ...] = (
    (b"content-security-policy", CSP.encode("ascii")),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
)
_NAMES = frozenset(name for name, _ in HEADERS)
_CSP = b"content-security-policy"


class SecurityHeaders:
    """ASGI middleware: sets these headers on every answer. A route may send a stricter
    Content-Security-Policy of its own (the pages send ``default-src 'none'`` plus what they
    use); the other headers are always these values."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                own_csp = any(k.lower() == _CSP for k, _ in headers)
                kept = [(k, v) for k, v in headers if k.lower() not in _NAMES or k.lower() == _CSP]
                added = [(k, v) for k, v in HEADERS if not (own_csp and k == _CSP)]
                message["headers"] = [*kept, *added]
            await send(message)

        await self.app(scope, receive, send_with_headers)
