"""name search in received order: each name word carries its request's received time

The name-word table is derived (rebuildable from the requests, never hashed). It is rebuilt
with the received time beside each word and indexed by (word, received time): the newest
decisions matching a common name are then read straight off the index, however large the
record. A new derived table of the name's word pairs, indexed by (word, other word, received
time), does the same for a two-word search; the index (request, word) checks any further
words.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_name_tokens_token_request", table_name="name_tokens")
    op.rename_table("name_tokens", "name_tokens_before_0005")
    op.create_table(
        "name_tokens",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_name_tokens_request_id_requests")
        ),
    )
    op.execute(
        "INSERT INTO name_tokens (token, request_id, received_at) "
        "SELECT old.token, old.request_id, requests.received_at "
        "FROM name_tokens_before_0005 AS old JOIN requests ON requests.id = old.request_id"
    )
    op.drop_table("name_tokens_before_0005")
    op.create_index(
        "ix_name_tokens_token_received", "name_tokens", ["token", "received_at", "request_id"]
    )
    op.create_index("ix_name_tokens_request_token", "name_tokens", ["request_id", "token"])
    op.create_table(
        "name_pairs",
        sa.Column("token", sa.Text(), nullable=False),
        sa.Column("other", sa.Text(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.String(length=27), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_name_pairs_request_id_requests")
        ),
    )
    op.execute(
        "INSERT INTO name_pairs (token, other, request_id, received_at) "
        "SELECT one.token, two.token, one.request_id, one.received_at "
        "FROM name_tokens AS one JOIN name_tokens AS two "
        "ON two.request_id = one.request_id AND two.token <> one.token"
    )
    op.create_index(
        "ix_name_pairs_token_other_received",
        "name_pairs",
        ["token", "other", "received_at", "request_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_name_pairs_token_other_received", table_name="name_pairs")
    op.drop_table("name_pairs")
    op.drop_index("ix_name_tokens_request_token", table_name="name_tokens")
    op.drop_index("ix_name_tokens_token_received", table_name="name_tokens")
    with op.batch_alter_table("name_tokens", schema=None) as batch_op:
        batch_op.drop_column("received_at")
    op.create_index("ix_name_tokens_token_request", "name_tokens", ["token", "request_id"])
