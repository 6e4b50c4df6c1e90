"""Alembic environment for Detainer Desk.

The program runs migrations itself (detainer_desk.adapters.db.migrate), handing over its own
connection in ``config.attributes["connection"]``; ``render_as_batch`` lets SQLite alter
tables by copy-and-move.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from detainer_desk.adapters.db.schema import metadata

config = context.config


def run_migrations(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:  # the alembic command line, with sqlalchemy.url set in the config
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        run_migrations(conn)
