"""Housekeeping jobs: sign an audit checkpoint on a timer (besides every N events)."""

from __future__ import annotations

from registry.audit.chain import checkpoint_now
from sync.runs import JobRun, job


@job("audit-checkpoint")
def audit_checkpoint(run: JobRun) -> None:
    with run.rt.sessions() as session:
        run.rt.job_ctx(session, job=run.job, reason="scheduled audit checkpoint", source="registry")
        signed = checkpoint_now(session, run.rt.audit)
        session.commit()
    run.counts["checkpoints"] += 0 if signed is None else 1
