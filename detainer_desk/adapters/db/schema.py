"""Tables of the record store.

Every evidence table (requests, attachments, policy versions and activations, decisions,
amendments, the audit trail, the working state's changes) is append-only and carries
``seq`` (its place in the one hash chain shared by all of them) and ``entry_hash``; the
database accepts a new evidence row only as the chain's next entry (revision 0006).
Instants are stored as fixed-width UTC text
(``2026-03-05T17:15:00.000000Z``): they sort correctly, compare exactly, and hash to the
same bytes on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)


def _chain_columns() -> list[Column[object]]:
    return [
        Column("seq", Integer, nullable=False, unique=True),
        Column("entry_hash", String(64), nullable=False),
    ]


def _who_columns() -> list[Column[object]]:
    return [
        Column("recorded_at", String(27), nullable=False),
        Column("recorded_by", Text, nullable=False),
        Column("workstation", Text, nullable=False),
    ]


# The head of the chain: the one mutable row, locked by every writer so that concurrent
# writers take turns and the chain never forks. Not evidence: verify recomputes it.
chain_head = Table(
    "chain_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("last_seq", Integer, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

policy_versions = Table(
    "policy_versions",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("name", Text, nullable=False),
    Column("source_name", Text, nullable=False),
    Column("text", Text, nullable=False),
    *_who_columns(),
)

policy_activations = Table(
    "policy_activations",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("policy_version_id", Integer, ForeignKey("policy_versions.id"), nullable=False),
    Column("reason", Text, nullable=True),
    *_who_columns(),
)

requests = Table(
    "requests",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("request_json", Text, nullable=False),  # canonical JSON, exactly as entered
    Column("subject_name", Text, nullable=False),
    Column("dob", String(10), nullable=False),
    Column("booking_number", Text, nullable=False),
    Column("a_number", String(10), nullable=True),
    Column("form", String(8), nullable=False),
    Column("received_at", String(27), nullable=False),
    Column("release_eligible_at", String(27), nullable=True),
    *_who_columns(),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, index=True),
    Column("document_index", Integer, nullable=True),  # which request document it shows
    Column("file_name", Text, nullable=False),
    Column("media_type", Text, nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
    *_who_columns(),
)

decisions = Table(
    "decisions",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False, unique=True),
    Column("policy_version_id", Integer, ForeignKey("policy_versions.id"), nullable=False),
    Column("outcome", String(10), nullable=False),
    Column("tentative_outcome", String(10), nullable=True),
    Column("hold_until", Text, nullable=True),  # in the policy's timezone, with offset
    Column("evaluated_at", String(27), nullable=False),
    Column("decision_json", Text, nullable=False),  # the contract decision, reasons and all
    *_who_columns(),
)

amendments = Table(
    "amendments",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=False, index=True),
    Column("kind", String(32), nullable=False),
    Column("effective_at", String(27), nullable=True),  # when the fact happened
    Column("reason", Text, nullable=True),
    Column("details_json", Text, nullable=False),
    *_who_columns(),
)

# Every contact with immigration enforcement (an interview or information request, a release
# date given, a transfer, a judicial warrant or subpoena, a database hit, a request declined):
# evidence in the same chain. A contact is never changed: a correction is a new row that
# names the contact it amends (amends_id) and says why.
contacts = Table(
    "contacts",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("amends_id", Integer, ForeignKey("contacts.id"), nullable=True, index=True),
    Column("decision_id", Integer, ForeignKey("decisions.id"), nullable=True, index=True),
    Column("kind", String(32), nullable=False),
    Column("occurred_at", String(27), nullable=False),
    Column("agency", Text, nullable=False),
    Column("reason", Text, nullable=True),
    Column("policy_answer", Text, nullable=True),
    Column("details_json", Text, nullable=False),
    *_who_columns(),
)

# The audit trail: who did what, when, from where, with what result. Evidence like the
# records themselves: append-only and in the same hash chain.
audit_events = Table(
    "audit_events",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("occurred_at", String(27), nullable=False),
    Column("user_name", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("workstation", Text, nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=True),
    Column("outcome", String(16), nullable=False),
    Column("details_json", Text, nullable=False),
)

# Accounts and settings are the program's working state: they change (a password, a lock).
# Every change is also kept as evidence: the row as it became is appended to state_changes
# (below), in the chain, and verify compares each working row with its latest state there.
users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", Text, nullable=False),
    Column("disabled", Integer, nullable=False, default=0),
    Column("locked_at", String(27), nullable=True),
    Column("created_at", String(27), nullable=False),
    Column("password_changed_at", String(27), nullable=False),
    # The second factor (revision 0013): the TOTP secret sealed under a key kept outside
    # the database, the last step whose code was accepted (no code is accepted twice), the
    # argon2id hashes of the unused recovery codes (JSON); and, for an account that signs
    # in against the directory, the name it was last bound as (null: a local account).
    Column("second_factor", Text, nullable=True),
    Column("second_factor_step", Integer, nullable=True),
    Column("recovery_codes", Text, nullable=True),
    Column("directory", Text, nullable=True),
)

settings = Table(
    "settings",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
    Column("updated_at", String(27), nullable=False),
    Column("updated_by", Text, nullable=False),
)

# The evidence of the working state: one entry per change of an account or a setting (the
# row as it became, as canonical JSON; a password hash only by its SHA-256), and each
# checkpoint key an administrator trusted or stopped trusting (signed by a trusted key).
# The latest entry of each (kind, key) is what the working row must be.
state_changes = Table(
    "state_changes",
    metadata,
    Column("id", Integer, primary_key=True),
    *_chain_columns(),
    Column("kind", String(16), nullable=False),  # account, setting, trusted_key
    Column("key", Text, nullable=False),
    Column("state", Text, nullable=True),  # canonical JSON; null: the row is gone
)

# The decision index: one row per decision with its current state and the facts the log,
# the boards and the exports filter and sort on. Derived from the evidence (the decision,
# its request and its amendments) in the same transaction, and rebuildable from it.
decision_index = Table(
    "decision_index",
    metadata,
    Column(
        "decision_id", Integer, ForeignKey("decisions.id"), primary_key=True, autoincrement=False
    ),
    Column("status", String(32), nullable=False),
    Column("outcome_in_force", String(10), nullable=False),
    Column("closed", Integer, nullable=False),
    Column("hold_until", Text, nullable=True),  # with the policy's offset, for people
    Column("hold_until_utc", String(27), nullable=True),  # for sorting and the holds board
    Column("release_eligible_at", String(27), nullable=True),
    Column("detainer_issued_at", Text, nullable=True),
    Column("msc_charge", Text, nullable=True),
    Column("msc_charge_code", Text, nullable=True),
    Column("msc_conviction_date", String(10), nullable=True),
    Column("felon", Integer, nullable=False),
    Column("case_final_order", Integer, nullable=False),
    Column("biometric_match", Integer, nullable=False),
    Column("statements_made", Integer, nullable=False),
    Column("citizenship_claim", Integer, nullable=False),
    Column("lift_reason", Text, nullable=True),
    Column("updated_at", String(27), nullable=False),
)

# Search aids, derived from evidence and rebuildable from it (not hashed): one row per
# word of the subject's name, so a name search is an index range scan, never a full scan.
# The request's received time rides along, so that the newest matches of a common word are
# read straight off the (token, received_at) index.
name_tokens = Table(
    "name_tokens",
    metadata,
    Column("token", Text, nullable=False),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False),
    Column("received_at", String(27), nullable=False),
)

Index(
    "ix_name_tokens_token_received",
    name_tokens.c.token,
    name_tokens.c.received_at,
    name_tokens.c.request_id,
)
Index("ix_name_tokens_request_token", name_tokens.c.request_id, name_tokens.c.token)

# Every ordered pair of different words of a name, so that a two-word search reads its
# newest matches off one index too; a name of more than 12 words keeps one (word, '') row
# per word instead (domain.names.name_index: the rows grow linearly with the name).
name_pairs = Table(
    "name_pairs",
    metadata,
    Column("token", Text, nullable=False),
    Column("other", Text, nullable=False),
    Column("request_id", Integer, ForeignKey("requests.id"), nullable=False),
    Column("received_at", String(27), nullable=False),
)

Index(
    "ix_name_pairs_token_other_received",
    name_pairs.c.token,
    name_pairs.c.other,
    name_pairs.c.received_at,
    name_pairs.c.request_id,
)
# The verifier reads a request's word pairs by request.
Index("ix_name_pairs_request", name_pairs.c.request_id)
Index(
    "ix_state_changes_kind_key_seq", state_changes.c.kind, state_changes.c.key, state_changes.c.seq
)
Index("ix_requests_received_id", requests.c.received_at, requests.c.id)
Index("ix_requests_booking_number", requests.c.booking_number)
Index("ix_requests_a_number", requests.c.a_number)
Index("ix_decisions_outcome", decisions.c.outcome)
Index("ix_audit_events_user_time", audit_events.c.user_name, audit_events.c.occurred_at)
Index("ix_audit_events_time", audit_events.c.occurred_at)
Index("ix_decision_index_status", decision_index.c.status)
Index("ix_requests_subject_name_id", requests.c.subject_name, requests.c.id)
Index("ix_decisions_recorded_by", decisions.c.recorded_by)
Index("ix_decision_index_hold_until_utc", decision_index.c.hold_until_utc)
Index("ix_contacts_occurred_at", contacts.c.occurred_at)
Index("ix_decision_index_open_holds", decision_index.c.closed, decision_index.c.hold_until_utc)

EVIDENCE_TABLES = (
    policy_versions,
    policy_activations,
    requests,
    attachments,
    decisions,
    amendments,
    audit_events,
    state_changes,
    contacts,
)
