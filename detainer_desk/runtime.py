"""Opening the record store for a command or the GUI: the composition root's helper.

paths -> engine -> refuse newer schema / back up / migrate -> a unit-of-work factory.
Nothing here runs at import time.
"""

from __future__ import annotations

import datetime as dt
import getpass
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from detainer_desk.adapters.db.engine import DatabaseError, make_engine, sqlite_url
from detainer_desk.adapters.db.migrate import prepare_database
from detainer_desk.adapters.db.repository import SqlUnitOfWork
from detainer_desk.paths import AppPaths, ensure_data_dir
from detainer_desk.services.accounts import Security
from detainer_desk.services.index import rebuild_missing_index
from detainer_desk.services.ports import Actor

DB_ENV_VAR = "DETAINER_DESK_DB"


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Runtime:
    paths: AppPaths
    engine: Engine
    database_label: str
    clock: Callable[[], dt.datetime] = utc_now

    def uow(self) -> SqlUnitOfWork:
        return SqlUnitOfWork(self.engine)

    def security(self) -> Security:
        from detainer_desk.adapters.security import Argon2Passwords, is_common_password

        return Security(Argon2Passwords(), is_common_password)

    def close(self) -> None:
        self.engine.dispose()


def database_url(paths: AppPaths, db: str | None) -> str:
    return db or os.environ.get(DB_ENV_VAR) or sqlite_url(paths.database_file)


def open_runtime(paths: AppPaths, db: str | None = None) -> Runtime:
    """Open (creating or upgrading) the record store. Raises DatabaseError in plain words."""
    url = database_url(paths, db)
    ensure_data_dir(paths)
    engine = make_engine(url)
    try:
        prepare_database(engine, paths.backups_dir, utc_now())
    except OperationalError as exc:
        engine.dispose()
        raise DatabaseError(f"the database cannot be opened: {exc.orig}") from None
    except DatabaseError:
        engine.dispose()
        raise
    label = str(paths.database_file) if url.startswith("sqlite") else engine.url.render_as_string()
    runtime = Runtime(paths, engine, label)
    for _ in rebuild_missing_index(runtime.uow, utc_now()):
        pass  # derived data only; the evidence is untouched
    return runtime


def local_actor() -> Actor:
    """The operating-system user at this workstation (until accounts exist)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(user=user, workstation=socket.gethostname())
