"""A sync worker for the kill harness: runs the jobs in a loop until killed.

Configured entirely by CADRE_* environment variables, as a real worker is; the jobs it loops
over are its arguments (by default the pull, the push and the population events).
"""

from __future__ import annotations

import sys

import sync.jobs  # noqa: F401 - registers the jobs
from adapters.breaker import BreakerPolicy
from adapters.http import HttpPolicy
from adapters.retry import RetryPolicy
from registry.config import get_settings
from registry.runtime import Runtime
from sync.clients import POLICY_KEY
from sync.runs import run_job


def main() -> None:
    rt = Runtime(get_settings())
    rt.extras[POLICY_KEY] = HttpPolicy(
        retry=RetryPolicy(max_attempts=6, base_delay=0.001, max_delay=0.01, max_total_seconds=10),
        breaker=BreakerPolicy(minimum_calls=1000),
    )
    jobs = sys.argv[1:] or ["civil-service-pull", "civil-service-push", "population-events"]
    while True:
        for job in jobs:
            run_job(rt, job)


if __name__ == "__main__":
    main()
