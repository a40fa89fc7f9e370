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


class _AtLeast:
    """Drops events below the configured level. A processor rather than the wrapper class, so
    a later ``configure`` (a command run in-process after another) reaches the loggers that
    were already cached: they hold the processor list itself, which is changed in place."""

    def __init__(self, level: int) -> None:
        self.level = level

    def __call__(self, _: Any, method: str, event: MutableMapping[str, Any]) -> Any:
        if logging.getLevelName(method.upper()) < self.level:
            raise structlog.DropEvent
        return event


def configure(level: str = "INFO", *, json: bool = False) -> None:
    logging.basicConfig(level=level, format="%(message)s")
    for name in _QUIET:
        logging.getLogger(name).setLevel(logging.WARNING)
    renderer: Any = structlog.processors.JSONRenderer() if json else structlog.dev.ConsoleRenderer()
    processors: list[Any] = structlog.get_config()["processors"]
    processors[:] = [
        _AtLeast(logging.getLevelName(level)),
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _drop_sensitive,
        renderer,
    ]
    structlog.configure(processors=processors, cache_logger_on_first_use=True)
