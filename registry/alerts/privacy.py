"""What an alert shows to whom. An alert names a person and what they lack; for the rules
about discipline its explanation carries the forms and dates of sanctions (sensitive personal
data). Those explanations are shown to administrators, officers and auditors who state a
purpose; others see the alert with the value found and the evidence withheld. Applications
(service tokens) do not read alerts, findings or candidates at all: they are cadre work."""

from __future__ import annotations

from typing import Any

from registry.access import policy
from registry.access.principal import Principal
from registry.catalogue.declarations import RULE_SOURCES
from registry.errors import Forbidden


def require_cadre_reader(principal: Principal) -> None:
    if principal.role == "service":
        raise Forbidden("alerts, findings and candidates are cadre work, not open to applications")


def shown_details(rule: str, details: dict[str, Any], principal: Principal) -> dict[str, Any]:
    source = RULE_SOURCES.get(rule)
    if source is None or policy.sees_kind(principal, source):
        return details
    return {**details, "found": None, "evidence": [], "masked": True}
