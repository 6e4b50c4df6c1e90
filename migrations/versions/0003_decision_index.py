"""the decision index (current state and export facts per decision)

Revision ID: 0003
Revises: 0002

The table is derived data: the program fills it for every decision that lacks a row when
it opens the store (detainer_desk.services.index.rebuild_missing_index), so this migration
only creates it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "decision_index",
        sa.Column("decision_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("outcome_in_force", sa.String(length=10), nullable=False),
        sa.Column("closed", sa.Integer(), nullable=False),
        sa.Column("hold_until", sa.Text(), nullable=True),
        sa.Column("hold_until_utc", sa.String(length=27), nullable=True),
        sa.Column("release_eligible_at", sa.String(length=27), nullable=True),
        sa.Column("detainer_issued_at", sa.Text(), nullable=True),
        sa.Column("msc_charge", sa.Text(), nullable=True),
        sa.Column("msc_charge_code", sa.Text(), nullable=True),
        sa.Column("msc_conviction_date", sa.String(length=10), nullable=True),
        sa.Column("felon", sa.Integer(), nullable=False),
        sa.Column("case_final_order", sa.Integer(), nullable=False),
        sa.Column("biometric_match", sa.Integer(), nullable=False),
        sa.Column("statements_made", sa.Integer(), nullable=False),
        sa.Column("citizenship_claim", sa.Integer(), nullable=False),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["decisions.id"], name=op.f("fk_decision_index_decision_id_decisions")
        ),
        sa.PrimaryKeyConstraint("decision_id", name=op.f("pk_decision_index")),
    )
    op.create_index("ix_decision_index_status", "decision_index", ["status"])
    op.create_index("ix_decision_index_open_holds", "decision_index", ["closed", "hold_until_utc"])


def downgrade() -> None:
    op.drop_index("ix_decision_index_open_holds", table_name="decision_index")
    op.drop_index("ix_decision_index_status", table_name="decision_index")
    op.drop_table("decision_index")
