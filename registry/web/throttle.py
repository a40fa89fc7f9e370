"""Failed sign-ins per client address, in process memory (one ward, one server).

Per-username lockout is kept on the user row (it must survive restarts and be audited);
this covers guessing across many usernames from one address.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field
from threading import Lock


@dataclass
class AddressThrottle:
    max_failures: int = 5
    window: dt.timedelta = dt.timedelta(minutes=15)
    _failures: dict[str, deque[dt.datetime]] = field(default_factory=lambda: defaultdict(deque))
    _lock: Lock = field(default_factory=Lock)

    def _trim(self, address: str, now: dt.datetime) -> deque[dt.datetime]:
        recent = self._failures[address]
        while recent and now - recent[0] > self.window:
            recent.popleft()
        return recent

    def blocked(self, address: str, now: dt.datetime) -> bool:
        with self._lock:
            count = len(self._trim(address, now))
            if count == 0:  # forget quiet addresses so the map does not grow without end
                del self._failures[address]
            return count >= self.max_failures

    def failed(self, address: str, now: dt.datetime) -> None:
        with self._lock:
            self._trim(address, now).append(now)

    def succeeded(self, address: str) -> None:
        with self._lock:
            self._failures.pop(address, None)
