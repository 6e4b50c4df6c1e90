"""indexes for sorting the decision log and for the holds board

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_requests_subject_name_id", "requests", ["subject_name", "id"])
    op.create_index("ix_decisions_recorded_by", "decisions", ["recorded_by"])
    op.create_index("ix_decision_index_hold_until_utc", "decision_index", ["hold_until_utc"])


def downgrade() -> None:
    op.drop_index("ix_decision_index_hold_until_utc", table_name="decision_index")
    op.drop_index("ix_decisions_recorded_by", table_name="decisions")
    op.drop_index("ix_requests_subject_name_id", table_name="requests")
