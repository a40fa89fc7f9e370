"""Generic resources for the rest of the personnel file (family, history, military service,
health, organisations, salary history)."""

from __future__ import annotations

from typing import Any

from registry.api.crud import Resource

RESOURCES: list[Resource[Any]] = []
