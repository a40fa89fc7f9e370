"""``standards-nightly``: evaluate every post against the standard in force, carry findings
into alerts (open, resolve, reopen expired waivers)."""

from __future__ import annotations

from registry.alerts.service import run_full
from sync.runs import JobRun, job


@job("standards-nightly")
def standards_nightly(run: JobRun) -> None:
    with run.rt.sessions() as session:
        run.rt.job_ctx(
            session, job=run.job, reason="nightly standards evaluation", source="registry"
        )
        counts = run_full(session)
        session.commit()
    run.counts.update(counts)
