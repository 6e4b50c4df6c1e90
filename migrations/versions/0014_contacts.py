"""every contact with immigration enforcement, as evidence in the hash chain

A new append-only evidence table ``contacts`` (interview and information requests, release
dates given, transfers, judicial process, database hits, requests declined), protected by
the same triggers as the other evidence tables: append-only, and (revision 0006's guards,
whose SQL names every evidence table, made again over the new list) accepted only as the
chain's next entry, the chain head moving to its hash; on PostgreSQL also CHECK (seq >= 1).
Existing records are untouched: the table starts empty, and the chain goes on from its head.

Revision ID: 0014
Revises: 0013
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLE = "contacts"
BEFORE = (
    "policy_versions",
    "policy_activations",
    "requests",
    "attachments",
    "decisions",
    "amendments",
    "audit_events",
    "state_changes",
)
EVIDENCE = (*BEFORE, TABLE)


def _entry_hash_at(seq: str, tables: tuple[str, ...]) -> str:
    """SQL: the entry hash of entry ``seq`` (whichever of ``tables`` holds it)."""
    return " UNION ALL ".join(
        f"SELECT entry_hash FROM {table} WHERE seq = {seq}" for table in tables
    )


def _taken(seq: str, tables: tuple[str, ...]) -> str:
    return " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE seq = {seq})" for table in tables)


def _guard_the_chain(tables: tuple[str, ...]) -> None:
    """The chain's guards of revision 0006 (an evidence row only as the next entry, the head
    only forward to that entry's hash) over ``tables``: their SQL names every evidence table,
    so a new one must be named there too, or its rows could neither be checked nor move the
    head."""
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE OR REPLACE FUNCTION detainer_desk_next_entry() RETURNS trigger AS $$ "
            "DECLARE head integer; "
            "BEGIN "
            "SELECT last_seq INTO head FROM chain_head WHERE id = 1; "
            "IF NEW.seq IS DISTINCT FROM head + 1 THEN "
            "RAISE EXCEPTION 'evidence is added only as the next entry of the chain (entry %), "
            "not as entry % of %', head + 1, NEW.seq, TG_TABLE_NAME; "
            "END IF; "
            f"IF {_taken('NEW.seq', tables)} THEN "
            "RAISE EXCEPTION 'entry % of the chain exists already (% cannot repeat it)', "
            "NEW.seq, TG_TABLE_NAME; "
            "END IF; "
            "RETURN NEW; "
            "END; $$ LANGUAGE plpgsql"
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION detainer_desk_chain_head() RETURNS trigger AS $$ "
            "BEGIN "
            "IF TG_OP <> 'UPDATE' THEN "
            "RAISE EXCEPTION 'the chain head is kept by the program (% refused)', TG_OP; "
            "END IF; "
            "IF NEW.id IS DISTINCT FROM OLD.id OR NEW.last_seq IS DISTINCT FROM OLD.last_seq + 1 "
            f"OR NEW.last_hash IS DISTINCT FROM ({_entry_hash_at('NEW.last_seq', tables)}) THEN "
            "RAISE EXCEPTION 'the chain head moves only to the next entry and its hash "
            "(from entry % to %)', OLD.last_seq, NEW.last_seq; "
            "END IF; "
            "RETURN NEW; "
            "END; $$ LANGUAGE plpgsql"
        )
        return
    for table in tables:
        op.execute(f"DROP TRIGGER IF EXISTS {table}_in_chain")
        op.execute(
            f"CREATE TRIGGER {table}_in_chain BEFORE INSERT ON {table} "
            "WHEN NEW.seq IS NOT (SELECT last_seq + 1 FROM chain_head WHERE id = 1) "
            f"OR {_taken('NEW.seq', tables)} "
            "BEGIN SELECT RAISE(ABORT, 'evidence is added only as the next entry of the "
            f"chain: {table} rows cannot be planted elsewhere'); END"
        )
    op.execute("DROP TRIGGER IF EXISTS chain_head_moves_forward")
    op.execute(
        "CREATE TRIGGER chain_head_moves_forward BEFORE UPDATE ON chain_head "
        "WHEN NEW.id IS NOT OLD.id OR NEW.last_seq IS NOT OLD.last_seq + 1 "
        f"OR NEW.last_hash IS NOT ({_entry_hash_at('NEW.last_seq', tables)}) "
        "BEGIN SELECT RAISE(ABORT, 'the chain head moves only to the next entry and its "
        "hash'); END"
    )


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("amends_id", sa.Integer(), nullable=True),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("occurred_at", sa.String(length=27), nullable=False),
        sa.Column("agency", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("policy_answer", sa.Text(), nullable=True),
        sa.Column("details_json", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.String(length=27), nullable=False),
        sa.Column("recorded_by", sa.Text(), nullable=False),
        sa.Column("workstation", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["amends_id"], ["contacts.id"], name=op.f("fk_contacts_amends_id_contacts")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_contacts_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contacts")),
        sa.UniqueConstraint("seq", name=op.f("uq_contacts_seq")),
    )
    op.create_index(op.f("ix_contacts_amends_id"), TABLE, ["amends_id"])
    op.create_index(op.f("ix_contacts_decision_id"), TABLE, ["decision_id"])
    op.create_index("ix_contacts_occurred_at", TABLE, ["occurred_at"])
    if op.get_bind().dialect.name == "postgresql":
        # The function detainer_desk_append_only() was created by revision 0001.
        op.execute(
            f"CREATE TRIGGER {TABLE}_append_only BEFORE UPDATE OR DELETE ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION detainer_desk_append_only()"
        )
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
            "FOR EACH STATEMENT EXECUTE FUNCTION detainer_desk_append_only()"
        )
        _guard_the_chain(EVIDENCE)
        op.execute(
            f"CREATE TRIGGER {TABLE}_in_chain BEFORE INSERT ON {TABLE} "
            "FOR EACH ROW EXECUTE FUNCTION detainer_desk_next_entry()"
        )
        op.execute(f"ALTER TABLE {TABLE} ADD CONSTRAINT ck_{TABLE}_seq_positive CHECK (seq >= 1)")
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'evidence is append-only: {TABLE} rows cannot "
            "be changed or deleted'); END"
        )
    _guard_the_chain(EVIDENCE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_in_chain ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_in_chain")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")
    _guard_the_chain(BEFORE)
    op.drop_index("ix_contacts_occurred_at", table_name=TABLE)
    op.drop_index(op.f("ix_contacts_decision_id"), table_name=TABLE)
    op.drop_index(op.f("ix_contacts_amends_id"), table_name=TABLE)
    op.drop_table(TABLE)
