"""Prometheus metrics (aggregates only: no identifiers, no personal data)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry()

# Every run, by how it ended: ok, partial, failed, or abandoned (found unfinished by the next
# run of its job; counted by the process that found it).
SYNC_RUNS = Counter("cadre_sync_runs_total", "Sync job runs", ["job", "status"], registry=REGISTRY)
SYNC_LEFT = Gauge(
    "cadre_sync_work_left",
    "Work a job's last run in this process left undone, by kind",
    ["job", "kind"],
    registry=REGISTRY,
)
SYNC_ITEMS = Counter(
    "cadre_sync_items_total", "Items handled by sync jobs", ["job", "outcome"], registry=REGISTRY
)
SYNC_FAILURES = Counter(
    "cadre_sync_failures_total", "Errors recorded by sync jobs", ["job"], registry=REGISTRY
)
EXTERNAL_LATENCY = Histogram(
    "cadre_external_call_seconds",
    "Latency of calls to external systems",
    ["system", "operation", "outcome"],
    registry=REGISTRY,
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
