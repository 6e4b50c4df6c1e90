"""the chain is exactly entries 1 .. head; accounts, settings and trusted keys as evidence

1. The database itself refuses an evidence row that is not the chain's next entry: an
   INSERT must carry ``seq`` = head + 1, a number no evidence table holds yet (so no row can
   be planted at 0, below it, in a gap, twice, or ahead of the head), and the chain head
   moves only one entry forward, to that entry's hash; it cannot be inserted, deleted or
   (PostgreSQL) truncated. PostgreSQL also gets ``CHECK (seq >= 1)`` on every evidence table.
   (On SQLite a CHECK needs every table rebuilt, copying every record; the INSERT triggers
   already refuse any number but head + 1.) Verify does not rely on any of this: whoever
   owns the database can drop triggers, and verify counts rows outside 1 .. head anyway.
2. ``state_changes``: the evidence of the working state. Every change of an account or a
   setting appends the row as it became; a trusted checkpoint key is an entry too. This
   revision takes the baseline: one entry per existing account and setting, at the head of
   the chain, so that verify can compare them from now on.
3. An index of the name word pairs by request, for the verifier.

A later revision that adds an evidence table must replace ``detainer_desk_next_entry()``
and ``detainer_desk_chain_head()`` (PostgreSQL) or the SQLite triggers, whose SQL names
every evidence table.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import hashlib

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

OLD_EVIDENCE = (
    "policy_versions",
    "policy_activations",
    "requests",
    "attachments",
    "decisions",
    "amendments",
    "audit_events",
)
EVIDENCE = (*OLD_EVIDENCE, "state_changes")


def _postgres() -> bool:
    return op.get_bind().dialect.name == "postgresql"


def _entry_hash_at(seq: str) -> str:
    """SQL: the entry hash of entry ``seq`` (whichever table holds it)."""
    return " UNION ALL ".join(
        f"SELECT entry_hash FROM {table} WHERE seq = {seq}" for table in EVIDENCE
    )


def _taken(seq: str) -> str:
    return " OR ".join(f"EXISTS (SELECT 1 FROM {table} WHERE seq = {seq})" for table in EVIDENCE)


def upgrade() -> None:
    op.create_table(
        "state_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("entry_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("state", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_state_changes")),
        sa.UniqueConstraint("seq", name=op.f("uq_state_changes_seq")),
    )
    op.create_index(
        "ix_state_changes_kind_key_seq", "state_changes", ["kind", "key", "seq"], unique=False
    )
    op.create_index("ix_name_pairs_request", "name_pairs", ["request_id"], unique=False)
    _take_baseline()
    _protect()


def _take_baseline() -> None:
    """One entry per existing account and setting, chained as the program chains them."""
    from detainer_desk.adapters.db import chain_scan, state

    conn = op.get_bind()
    head_seq, head_hash = conn.execute(
        sa.text("SELECT last_seq, last_hash FROM chain_head WHERE id = 1")
    ).one()
    rows = []
    for kind, table, order in (
        (state.ACCOUNT, "users", "name"),
        (state.SETTING, "settings", "key"),
    ):
        for row in conn.execute(sa.text(f"SELECT * FROM {table} ORDER BY {order}")).mappings():
            rows.append((kind, state.key_of(kind, row), state.state_of(kind, row)))
    for number, (kind, key, value) in enumerate(rows, start=1):
        entry = {"id": number, "seq": head_seq + number, "kind": kind, "key": key, "state": value}
        digest = hashlib.sha256(bytes.fromhex(head_hash))
        digest.update(chain_scan.canonical_bytes("state_changes", entry))
        head_hash = digest.hexdigest()
        conn.execute(
            sa.text(
                "INSERT INTO state_changes (id, seq, entry_hash, kind, key, state) "
                "VALUES (:id, :seq, :entry_hash, :kind, :key, :state)"
            ),
            {**entry, "entry_hash": head_hash},
        )
    if rows:
        conn.execute(
            sa.text("UPDATE chain_head SET last_seq = :seq, last_hash = :hash WHERE id = 1"),
            {"seq": head_seq + len(rows), "hash": head_hash},
        )


def _protect() -> None:
    if _postgres():
        # The append-only function is revision 0001's.
        op.execute(
            "CREATE TRIGGER state_changes_append_only BEFORE UPDATE OR DELETE ON state_changes "
            "FOR EACH ROW EXECUTE FUNCTION detainer_desk_append_only()"
        )
        op.execute(
            "CREATE TRIGGER state_changes_no_truncate BEFORE TRUNCATE ON state_changes "
            "FOR EACH STATEMENT EXECUTE FUNCTION detainer_desk_append_only()"
        )
        op.execute(
            "CREATE OR REPLACE FUNCTION detainer_desk_next_entry() RETURNS trigger AS $$ "
            "DECLARE head integer; "
            "BEGIN "
            "SELECT last_seq INTO head FROM chain_head WHERE id = 1; "
            "IF NEW.seq IS DISTINCT FROM head + 1 THEN "
            "RAISE EXCEPTION 'evidence is added only as the next entry of the chain (entry %), "
            "not as entry % of %', head + 1, NEW.seq, TG_TABLE_NAME; "
            "END IF; "
            f"IF {_taken('NEW.seq')} THEN "
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
            f"OR NEW.last_hash IS DISTINCT FROM ({_entry_hash_at('NEW.last_seq')}) THEN "
            "RAISE EXCEPTION 'the chain head moves only to the next entry and its hash "
            "(from entry % to %)', OLD.last_seq, NEW.last_seq; "
            "END IF; "
            "RETURN NEW; "
            "END; $$ LANGUAGE plpgsql"
        )
        for table in EVIDENCE:
            op.execute(
                f"CREATE TRIGGER {table}_in_chain BEFORE INSERT ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION detainer_desk_next_entry()"
            )
            # Rows already numbered below 1 (planted before this revision) are verify's to
            # name: the constraint then holds for new rows only, and the upgrade goes on.
            planted = (
                op.get_bind()
                .execute(sa.text(f"SELECT 1 FROM {table} WHERE seq < 1 LIMIT 1"))
                .first()
            )
            op.execute(
                f"ALTER TABLE {table} ADD CONSTRAINT ck_{table}_seq_positive CHECK (seq >= 1)"
                + (" NOT VALID" if planted else "")
            )
        op.execute(
            "CREATE TRIGGER chain_head_moves_forward BEFORE INSERT OR UPDATE OR DELETE "
            "ON chain_head FOR EACH ROW EXECUTE FUNCTION detainer_desk_chain_head()"
        )
        op.execute(
            "CREATE TRIGGER chain_head_no_truncate BEFORE TRUNCATE ON chain_head "
            "FOR EACH STATEMENT EXECUTE FUNCTION detainer_desk_chain_head()"
        )
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER state_changes_no_{action.lower()} BEFORE {action} ON state_changes "
            "BEGIN SELECT RAISE(ABORT, 'evidence is append-only: state_changes rows cannot "
            "be changed or deleted'); END"
        )
    for table in EVIDENCE:
        op.execute(
            f"CREATE TRIGGER {table}_in_chain BEFORE INSERT ON {table} "
            "WHEN NEW.seq IS NOT (SELECT last_seq + 1 FROM chain_head WHERE id = 1) "
            f"OR {_taken('NEW.seq')} "
            "BEGIN SELECT RAISE(ABORT, 'evidence is added only as the next entry of the "
            f"chain: {table} rows cannot be planted elsewhere'); END"
        )
    op.execute(
        "CREATE TRIGGER chain_head_moves_forward BEFORE UPDATE ON chain_head "
        "WHEN NEW.id IS NOT OLD.id OR NEW.last_seq IS NOT OLD.last_seq + 1 "
        f"OR NEW.last_hash IS NOT ({_entry_hash_at('NEW.last_seq')}) "
        "BEGIN SELECT RAISE(ABORT, 'the chain head moves only to the next entry and its "
        "hash'); END"
    )
    for action in ("INSERT", "DELETE"):
        op.execute(
            f"CREATE TRIGGER chain_head_no_{action.lower()} BEFORE {action} ON chain_head "
            "BEGIN SELECT RAISE(ABORT, 'the chain head is kept by the program "
            f"({action} refused)'); END"
        )


def downgrade() -> None:
    """Removes the protections and the evidence of the working state (the chain of a store
    that recorded state changes is then broken: downgrading is for an empty store)."""
    if _postgres():
        op.execute("DROP TRIGGER IF EXISTS chain_head_no_truncate ON chain_head")
        op.execute("DROP TRIGGER IF EXISTS chain_head_moves_forward ON chain_head")
        for table in EVIDENCE:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_in_chain ON {table}")
        for table in OLD_EVIDENCE:
            op.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS ck_{table}_seq_positive")
        op.execute("DROP TRIGGER IF EXISTS state_changes_append_only ON state_changes")
        op.execute("DROP TRIGGER IF EXISTS state_changes_no_truncate ON state_changes")
        op.execute("DROP FUNCTION IF EXISTS detainer_desk_chain_head()")
        op.execute("DROP FUNCTION IF EXISTS detainer_desk_next_entry()")
    else:
        for name in ("chain_head_moves_forward", "chain_head_no_insert", "chain_head_no_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        for table in EVIDENCE:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_in_chain")
        op.execute("DROP TRIGGER IF EXISTS state_changes_no_update")
        op.execute("DROP TRIGGER IF EXISTS state_changes_no_delete")
    op.drop_index("ix_name_pairs_request", table_name="name_pairs")
    op.drop_index("ix_state_changes_kind_key_seq", table_name="state_changes")
    op.drop_table("state_changes")
