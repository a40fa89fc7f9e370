"""Importing this package registers every job with ``sync.runs.JOBS``: the registry's own
here, each external system's from the modules its declaration in ``sync.systems`` names."""

import importlib

from sync.jobs import maintenance, report, standards
from sync.systems import SYSTEMS

for _system in SYSTEMS:
    for _module in _system.job_modules:
        importlib.import_module(_module)

__all__ = ["maintenance", "report", "standards"]
