"""The security tests use the API world (tokens per role) and the pages' world (users,
alerts, a clock): both fixtures come from the suites that define them."""

from __future__ import annotations

from tests.web.conftest import clock, page_settings, web, world

__all__ = ["clock", "page_settings", "web", "world"]
