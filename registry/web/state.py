"""What the pages share across requests: the cookie key, the clock, the throttle, templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import Request
from fastapi.templating import Jinja2Templates

from registry.config import Settings
from registry.dates import utcnow
from registry.web.throttle import AddressThrottle

HERE = Path(__file__).resolve().parent


@dataclass
class WebState:
    settings: Settings
    secret: bytes
    # Injected so tests can move time past the idle and absolute timeouts.
    clock: Callable[[], dt.datetime] = utcnow
    throttle: AddressThrottle = field(default_factory=AddressThrottle)
    templates: Jinja2Templates = field(
        default_factory=lambda: Jinja2Templates(directory=str(HERE / "templates"))
    )

    @property
    def idle(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.settings.session_idle_minutes)

    @property
    def absolute(self) -> dt.timedelta:
        return dt.timedelta(hours=self.settings.session_absolute_hours)


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state
