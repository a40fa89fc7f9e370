"""Importing this package registers every job with ``sync.runs.JOBS``."""

from sync.jobs import (
    civil_service_pull,
    civil_service_push,
    maintenance,
    population,
    reconcile,
    report,
    standards,
)

__all__ = [
    "civil_service_pull",
    "civil_service_push",
    "maintenance",
    "population",
    "reconcile",
    "report",
    "standards",
]
