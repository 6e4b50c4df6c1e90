"""second factor and directory accounts: four nullable columns on the accounts

* ``second_factor``: the account's TOTP secret, sealed with AES-256-GCM under the
  installation's second-factor key (a file in the data folder's keys/, never in the
  database), as ``v1:<key id>:<base64>``; null while the account has not enrolled.
* ``second_factor_step``: the last 30-second step whose code was accepted, so a code used
  once is refused again (RFC 6238 section 5.2).
* ``recovery_codes``: the argon2id hashes of the unused recovery codes, as JSON.
* ``directory``: for an account that signs in against the directory (LDAP / Active
  Directory), the name it was last bound as; null for a local account.

Every existing account keeps signing in as before: the columns start empty, and whether a
second factor is required is a setting (absent in an existing store: not required until
an administrator turns it on; see services/second_factor.py).

Revision ID: 0013
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("second_factor", sa.Text(), nullable=True))
        batch.add_column(sa.Column("second_factor_step", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("recovery_codes", sa.Text(), nullable=True))
        batch.add_column(sa.Column("directory", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("directory")
        batch.drop_column("recovery_codes")
        batch.drop_column("second_factor_step")
        batch.drop_column("second_factor")
