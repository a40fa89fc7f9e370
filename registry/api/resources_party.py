"""Generic resources for the party records beyond membership (committee membership,
probation, transfers, dues, register reconciliation) and the rule parameters of the
standards engine (administrators only, versioned like standard profiles)."""

from __future__ import annotations

from typing import Any

from registry.api.crud import Resource
from registry.party import records as pr
from registry.party.models import (
    PartyCommitteeMembership,
    PartyDuesPayment,
    PartyProbation,
    PartyRegisterReconciliation,
    PartyTransferRecord,
)
from registry.standards.models import RuleParameter
from registry.standards.service import create_rule_parameter, update_rule_parameter
from schemas import party as p
from schemas import standards as st

RESOURCES: list[Resource[Any]] = [
    Resource(
        "party-committee-memberships",
        "party committee membership",
        PartyCommitteeMembership,
        p.PartyCommitteeMembershipRead,
        p.PartyCommitteeMembershipCreate,
        p.PartyCommitteeMembershipUpdate,
        pr.create_committee_membership,
        pr.update_committee_membership,
    ),
    Resource(
        "party-probations",
        "party probation",
        PartyProbation,
        p.PartyProbationRead,
        p.PartyProbationCreate,
        p.PartyProbationUpdate,
        pr.create_probation,
        pr.update_probation,
    ),
    Resource(
        "party-transfers",
        "party transfer",
        PartyTransferRecord,
        p.PartyTransferRecordRead,
        p.PartyTransferRecordCreate,
        p.PartyTransferRecordUpdate,
        pr.create_transfer_record,
        pr.update_transfer_record,
    ),
    Resource(
        "party-dues-payments",
        "party dues payment",
        PartyDuesPayment,
        p.PartyDuesPaymentRead,
        p.PartyDuesPaymentCreate,
        p.PartyDuesPaymentUpdate,
        pr.create_dues_payment,
        pr.update_dues_payment,
    ),
    Resource(
        "party-register-reconciliations",
        "party register reconciliation",
        PartyRegisterReconciliation,
        p.PartyRegisterReconciliationRead,
        p.PartyRegisterReconciliationCreate,
        p.PartyRegisterReconciliationUpdate,
        pr.create_reconciliation,
        pr.update_reconciliation,
    ),
    Resource(
        "rule-parameters",
        "rule parameter",
        RuleParameter,
        st.RuleParameterRead,
        st.RuleParameterCreate,
        st.RuleParameterUpdate,
        create_rule_parameter,
        update_rule_parameter,
        writable_by=("admin",),
    ),
]
