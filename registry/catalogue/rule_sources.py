"""Which rules' findings are made of which special-category record kind: an alert under such a
rule tells of that record, and is masked or withheld as that record is."""

from __future__ import annotations

from typing import Final

RULE_SOURCES: Final[dict[str, str]] = {
    "no_discipline_in_effect": "disciplines",
    "appointed_while_ineligible": "disciplines",
    "planned_while_ineligible": "disciplines",
    "party_member": "party_memberships",
    "evaluation_cap_outdated": "disciplines",
    "probation_overdue": "party_probations",
    "transfer_overdue": "party_transfers",
    "dues_arrears": "party_dues_payments",
    "register_reconciliation_overdue": "party_register_reconciliations",
}
