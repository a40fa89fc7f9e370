"""``monthly-report``: from the 25th of each month, write the month's report to
``var/reports/monthly-YYYY-MM.xlsx`` so it is ready before the 28th deadline."""

from __future__ import annotations

from registry.dates import today
from registry.reports.monthly import Month, build
from sync.runs import JobRun, job

DUE_DAY = 25


@job("monthly-report")
def monthly_report(run: JobRun) -> None:
    day = today()
    if day.day < DUE_DAY:  # the scheduler fires daily; the report is made from the 25th on
        run.counts["not_due"] += 1
        return
    month = Month(day.year, day.month)
    target = run.rt.settings.reports_dir / f"monthly-{month}.xlsx"
    if target.exists():  # made on the 25th (or the first run after, if the server was down)
        run.counts["already_written"] += 1
        return
    with run.rt.sessions() as session:
        data = build(session, month)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    tmp.replace(target)  # a reader never sees half a workbook
    run.counts["written"] += 1
