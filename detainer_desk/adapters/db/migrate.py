"""Bring a database to the schema this program expects, carefully.

1. A database whose schema is newer than this program is refused (an older program must
   never write into records it does not understand).
2. Before any migration of an existing SQLite file, the file is backed up (online backup).
3. ``alembic upgrade head``; Alembic is imported only when there is work to do.

The revisions below and ``newer_schema_message`` are read before SQLAlchemy is loaded (the
first look at a store at start-up, ``runtime.probe_store``): SQLAlchemy is imported inside
the functions that use it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from detainer_desk.paths import resource_dir

if TYPE_CHECKING:
    from sqlalchemy import Engine

# The newest revision in migrations/versions/ (a test keeps the two in step).
HEAD_REVISION = "0014"
KNOWN_REVISIONS = ("0001", "0002", "0003", "0004", "0005", "0006", "0007", "0013", "0014")


def newer_schema_message(revision: str) -> str:
    return (
        f"this database was written by a newer Detainer Desk (schema {revision}); this "
        f"program knows schema {HEAD_REVISION} at most. Install the newer version; "
        "nothing was changed."
    )


def current_revision(engine: Engine) -> str | None:
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(engine: Engine):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(resource_dir("migrations")))
    config.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False))
    return config


def upgrade_to(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, revision)


def downgrade_to(engine: Engine, revision: str) -> None:
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, revision)


def prepare_database(engine: Engine, backups_dir: Path | None, now: dt.datetime) -> str | None:
    """Refuse a newer schema, back up, migrate. Returns the backup file made, if any."""
    revision = current_revision(engine)
    if revision == HEAD_REVISION:
        return None
    if revision is not None and revision not in KNOWN_REVISIONS:
        from .engine import DatabaseError

        raise DatabaseError(newer_schema_message(revision))
    backup = None
    if (
        revision is not None
        and backups_dir is not None
        and engine.url.get_backend_name() == "sqlite"
    ):
        backup = backup_sqlite(engine, backups_dir, f"before-migration-from-{revision}", now)
    upgrade_to(engine, "head")
    return str(backup) if backup else None


def backup_sqlite(engine: Engine, backups_dir: Path, label: str, now: dt.datetime) -> Path:
    """A consistent copy of a live SQLite database through the online backup API."""
    from .backups import backup_name, copy_database, sqlite_path

    target = backups_dir / backup_name(now, label)
    copy_database(sqlite_path(engine), target)
    return target
