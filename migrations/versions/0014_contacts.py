"""every contact with immigration enforcement, as evidence in the hash chain

A new append-only evidence table ``contacts`` (interview and information requests, release
dates given, transfers, judicial process, database hits, requests declined), protected by
the same triggers as the other evidence tables. Existing records are untouched: the table
starts empty, and the chain goes on from its head.

Revision ID: 0014
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0005"
branch_labels = None
depends_on = None

TABLE = "contacts"


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
        return
    for action in ("UPDATE", "DELETE"):
        op.execute(
            f"CREATE TRIGGER {TABLE}_no_{action.lower()} BEFORE {action} ON {TABLE} "
            f"BEGIN SELECT RAISE(ABORT, 'evidence is append-only: {TABLE} rows cannot "
            "be changed or deleted'); END"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_truncate ON {TABLE}")
    else:
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_update")
        op.execute(f"DROP TRIGGER IF EXISTS {TABLE}_no_delete")
    op.drop_index("ix_contacts_occurred_at", table_name=TABLE)
    op.drop_index(op.f("ix_contacts_decision_id"), table_name=TABLE)
    op.drop_index(op.f("ix_contacts_amends_id"), table_name=TABLE)
    op.drop_table(TABLE)
