"""The system's own records: alerts, comments, users, API tokens, sync conflicts, quarantine."""

from __future__ import annotations

from registry.catalogue.kit import PER, PUB, SEC, many
from registry.catalogue.model import Field, RecordKind
from registry.catalogue.rule_sources import RULE_SOURCES

# The record kind each rule's explanation (found value, evidence) is made of, where that
# kind is closed to some readers: the forms and dates of sanctions, a party status.

ALERTS = RecordKind(
    "alerts",
    PER,
    label_vi="Cảnh báo",
    fields=(
        *many(
            "rule",
            "position_id",
            "org_unit_id",
            "status",
            "active_key",
            "since",
            "first_seen_at",
            "last_seen_at",
            "resolved_at",
            "waived_reason",
            "waived_until",
            "assigned_to",
        ),
        Field("details", PER, made_of=("rule", RULE_SOURCES)),
        Field("basis", PER, made_of=("rule", RULE_SOURCES)),
    ),
)

ALERT_COMMENTS = RecordKind(
    "alert_comments",
    PER,
    person_link=None,
    fields=many("alert_id", "author", "text"),
)

USERS = RecordKind(
    "users",
    PUB,
    person_link=None,
    fields=(
        Field("username", PER),
        Field("password_hash", SEC, redacted_in_history=True),
        *many(
            "role",
            "org_unit_id",
            "disabled",
            "failed_attempts",
            "locked_until",
            "last_sign_in_at",
            "sessions_revoked_at",
        ),
    ),
)

API_TOKENS = RecordKind(
    "api_tokens",
    PUB,
    person_link=None,
    fields=(
        Field("token_hash", SEC, redacted_in_history=True),
        *many("name", "role", "org_unit_id", "expires_at", "lookups_per_minute"),
    ),
)

# Sync's operational rows that hold personal data. A conflict's values are those of the person
# field it is about (``field``): the read policy judges them by that field's class.
SYNC_CONFLICTS = RecordKind(
    "sync_conflicts",
    PER,
    versioned=False,
    fields=(
        *many("system", "field", "reason", "status", "resolution"),
        Field("resolved_by", PER),
        Field("resolved_at"),
        # Encrypted at rest; shown or masked as the class of the person field they are about.
        Field("local", PER, encrypted=True),
        Field("remote", PER, encrypted=True),
    ),
)

# A refused answer of a national system, kept for inspection: whatever it held.
SYNC_QUARANTINE = RecordKind(
    "sync_quarantine",
    PUB,
    person_link=None,
    versioned=False,
    fields=(
        *many("system", "job", "reason", "subject"),
        Field("payload", SEC, encrypted=True),
    ),
)

KINDS: tuple[RecordKind, ...] = (
    ALERTS,
    ALERT_COMMENTS,
    USERS,
    API_TOKENS,
    SYNC_CONFLICTS,
    SYNC_QUARANTINE,
)
