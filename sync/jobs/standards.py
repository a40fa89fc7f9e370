"""``standards-nightly``: evaluate every post against the standard in force, carry findings
into alerts (open, resolve, reopen expired waivers)."""

from __future__ import annotations

from registry.alerts.service import run_full
from sync.runs import JobRun, job


@job("standards-nightly")
def standards_nightly(run: JobRun) -> None:
    with run.rt.sessions() as session:
        run.rt.system_ctx(session, reason="nightly standards evaluation")
        counts = run_full(session)
        session.commit()
    run.counts.update(counts)
