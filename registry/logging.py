"""structlog configured once. Events are dotted names with key-value fields; personal data
and secrets are never passed to a logger (and a processor drops known sensitive keys)."""

from __future__ import annotations

import logging
from collections.abc import MutableMapping
from typing import Any

import structlog

_SENSITIVE_KEYS = frozenset(
    {
        "nid",
        "cmnd",
        "phone",
        "email",
        "token",
        "password",
        "secret",
        "authorization",
        "ethnicity_code",
        "religion_code",
    }
)


def _drop_sensitive(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event):
        if key.lower() in _SENSITIVE_KEYS:
            event[key] = "[redacted]"
    return event


# Libraries whose INFO lines would carry personal data (httpx logs request URLs, and an
# official's URL holds the identification number) or only noise.
_QUIET = ("httpx", "httpcore", "apscheduler", "uvicorn.access")


def configure(level: str = "INFO", *, json: bool = False) -> None:
    logging.basicConfig(level=level, format="%(message)s")
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            _drop_sensitive,
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
