"""Generic resources for the party records beyond membership (committee membership,
probation, transfers, dues, register reconciliation)."""

from __future__ import annotations

from typing import Any

from registry.api.crud import Resource

RESOURCES: list[Resource[Any]] = []
