"""Hypothesis profile for the unit tier: no per-example deadline (speed is measured in bench/,
never asserted by a timer), and enough examples that rare branches are reached."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "cadre-unit",
    deadline=None,
    max_examples=200,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.load_profile("cadre-unit")
