"""Logging configured again in one process (a command after another, a test after another)
still reaches the loggers modules cached at import, for their level and their processors."""

from __future__ import annotations

import structlog
import structlog.testing

from registry import logging as registry_logging


def test_a_second_configuration_reaches_loggers_already_used() -> None:
    log = structlog.get_logger("tests.cached")
    try:
        registry_logging.configure("INFO")
        log.info("tests.first_use")  # cached from here on
        registry_logging.configure("ERROR", json=True)
        with structlog.testing.capture_logs() as seen:
            log.warning("tests.captured")
        assert [e["event"] for e in seen] == ["tests.captured"]
        processors = structlog.get_config()["processors"]
        assert isinstance(processors[0], registry_logging._AtLeast)
        assert processors[0].level == 40  # ERROR: the warning above is dropped outside capture
        assert isinstance(processors[-1], structlog.processors.JSONRenderer)
    finally:
        registry_logging.configure("INFO")
