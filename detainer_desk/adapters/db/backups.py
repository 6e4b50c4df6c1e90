"""Backups of a SQLite record store: consistent copies of a live database, restores (of a
copy checked first, ``backup_check``), and the daily copies kept at first start of the day.

Every copy goes through SQLite's online backup API in a single step, so it is one
consistent moment of the database even while other workstations write. A copy is written
to a hidden temporary file in the target folder and renamed into place only when it is
complete: a full disk or a crash never leaves a half-written file under a backup's name.
Copies are readable by their owner only: they hold criminal-justice information.

A PostgreSQL store is backed up on the server with pg_dump (see README).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from ..files import (
    OutputError,
    PartialJournal,
    PendingFile,
    create_private_file,
    make_private_folder,
    sqlite_kind,
)
from .engine import BUSY_TIMEOUT_MS, DatabaseError, plain_error
from .probe import sqlite_url

SQLITE_HEADER = b"SQLite format 3\x00"
DAILY_LABEL = "daily"
KEEP_DAILY = 14
# A copy made in steps (while the program is in use) reads this many pages at a time and
# lets any writer in between two steps; it starts again when the database changed meanwhile,
# and gives up after RESTARTS_ALLOWED such changes (it is tried again at the next start).
STEP_PAGES = 2048
RESTARTS_ALLOWED = 12
STEP_PAUSE_S = 0.02  # how long a step waits for a writer that holds the database
_NAME = re.compile(r"^detainer-desk-(\d{8}T\d{6}Z)-(.+)\.sqlite3$")


def backup_name(now: dt.datetime, label: str) -> str:
    return f"detainer-desk-{now.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}-{label}.sqlite3"


def sqlite_path(engine: Engine) -> Path:
    if engine.url.get_backend_name() != "sqlite" or not engine.url.database:
        raise DatabaseError(
            "a PostgreSQL database is backed up on its server with pg_dump (see the README); "
            "this command copies a SQLite file"
        )
    return Path(engine.url.database)


class CopyCancelled(DatabaseError):
    """A copy in steps was stopped (the program is closing); nothing was left behind."""


def copy_database(
    source: Path,
    target: Path,
    *,
    replace: bool = False,
    journal: PartialJournal | None = None,
    in_steps: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> None:
    """A consistent copy of the live SQLite database *source* at *target* (atomically,
    private, never through a link; *replace* only an earlier backup, see adapters/files).

    At once (the default), the database is read in one step, one moment in time, during
    which nobody can write. ``in_steps``: a few megabytes at a time, with writers let in
    between steps (a copy of gigabytes must not hold up signing in or recording); the copy
    is still of one moment, as SQLite starts it again whenever the database changed."""
    if not source.is_file():
        raise DatabaseError(f"there is no database file at {source}")
    pending = None
    try:
        make_private_folder(target.parent, parents=True)
        pending = PendingFile(target, replace=replace, kind=sqlite_kind, journal=journal)
        pending.close_handle()  # SQLite fills the new, empty private file by its name
        origin = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            # nofollow: SQLite refuses the name if it has become a link meanwhile.
            copy = sqlite3.connect(pending.partial.as_uri() + "?nofollow=1", uri=True)
            try:
                if in_steps:
                    origin.backup(
                        copy,
                        pages=STEP_PAGES,
                        progress=_step_watch(source, cancelled),
                        sleep=STEP_PAUSE_S,
                    )
                else:
                    origin.backup(copy)  # pages=-1: every page in one step, one moment
                # A self-contained single file, whatever journal the live database uses.
                copy.execute("PRAGMA journal_mode=DELETE")
            finally:
                copy.close()
        finally:
            origin.close()
        pending.commit()
    except OutputError as exc:
        raise DatabaseError(str(exc)) from None
    except sqlite3.Error as exc:
        raise _failure(exc, source, target) from exc
    except OSError as exc:
        raise DatabaseError(
            f"the backup {target} could not be written ({exc.strerror or exc}). "
            "The records themselves are unchanged."
        ) from exc
    finally:
        if pending is not None:
            pending.discard()


def _step_watch(source: Path, cancelled: Callable[[], bool]) -> Callable[[int, int, int], None]:
    """The backup's progress call-back: stops it when ``cancelled()``, or when the database
    changed too often for a copy to finish (SQLite restarts it after each change)."""
    last_remaining: int | None = None
    restarts = 0

    def watch(_status: int, remaining: int, _total: int) -> None:
        nonlocal last_remaining, restarts
        if cancelled():
            raise CopyCancelled("the copy was stopped")
        if last_remaining is not None and remaining > last_remaining:
            restarts += 1
            if restarts > RESTARTS_ALLOWED:
                raise DatabaseError(
                    f"{source} changed {restarts} times while it was being copied, so no "
                    "copy of one moment could be finished. It will be tried again at the "
                    "next start; an administrator can make one now (Admin › Back up the "
                    "records…)."
                )
        last_remaining = remaining

    return watch


def _failure(exc: sqlite3.Error, source: Path, target: Path) -> DatabaseError:
    name = str(getattr(exc, "sqlite_errorname", "") or "")
    if name in ("SQLITE_FULL", "SQLITE_CANTOPEN", "SQLITE_READONLY") or "full" in str(exc):
        where = f"the backup at {target}"
        what = {"SQLITE_FULL": "the disk is full", "SQLITE_CANTOPEN": "it cannot be created"}
        reason = what.get(name, "it cannot be written" if "READONLY" in name else "disk full")
        return DatabaseError(
            f"{where} could not be written: {reason}. The records themselves are unchanged."
        )
    return plain_error(exc, sqlite_url(source))


# -- daily backups --------------------------------------------------------------------------


def backup_time(path: Path) -> dt.datetime | None:
    match = _NAME.match(path.name)
    if not match:
        return None
    return dt.datetime.strptime(match.group(1), "%Y%m%dT%H%M%SZ").replace(tzinfo=dt.UTC)


def daily_backups(backups_dir: Path) -> list[Path]:
    """The daily backups in *backups_dir*, oldest first."""
    if not backups_dir.is_dir():
        return []
    found = [
        p
        for p in backups_dir.glob(f"detainer-desk-*-{DAILY_LABEL}.sqlite3")
        if backup_time(p) is not None
    ]
    return sorted(found, key=lambda p: backup_time(p) or dt.datetime.min.replace(tzinfo=dt.UTC))


def has_todays_backup(
    backups_dir: Path, now: dt.datetime, existing: list[Path] | None = None
) -> bool:
    """Whether a daily backup of ``now``'s (local) day is in ``backups_dir``."""
    today = now.astimezone().date()
    found = daily_backups(backups_dir) if existing is None else existing
    return any((backup_time(p) or now).astimezone().date() == today for p in found)


def daily_backup(
    source: Path,
    backups_dir: Path,
    now: dt.datetime,
    keep: int = KEEP_DAILY,
    journal: PartialJournal | None = None,
    *,
    in_steps: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> Path | None:
    """At the first start of a (local) day, copy the database and keep the last *keep*
    (``in_steps`` and ``cancelled``: see ``copy_database``).

    Returns the new backup, or None when today's exists already.
    """
    existing = daily_backups(backups_dir)
    if has_todays_backup(backups_dir, now, existing):
        return None
    target = backups_dir / backup_name(now, DAILY_LABEL)
    copy_database(source, target, journal=journal, in_steps=in_steps, cancelled=cancelled)
    for old in daily_backups(backups_dir)[: max(0, len(existing) + 1 - keep)]:
        with contextlib.suppress(OSError):  # another workstation pruned it first
            old.unlink()
    return target


# -- restoring (a backup checked first: backup_check.checked_copy) -----------------------------


def restore_database(checked: Path, live: Path, set_aside: Path) -> Path:
    """Replace the records in *live* with the checked copy; the replaced database is kept
    at *set_aside*. Returns where the replaced database was kept.

    The copy is written into the live file through the backup API, under SQLite's own
    locks, so a program that has the database open sees the restored records (moving
    files underneath it would let it go on writing into the replaced file). A live file
    too damaged for that is moved aside whole and the copy put in its place.
    """
    if live.exists():
        try:
            copy_database(live, set_aside)
        except DatabaseError:
            if not _damaged(live):
                raise  # e.g. no room for the copy: change nothing
            _move_aside(live, set_aside)
            with open(create_private_file(live), "wb") as out, checked.open("rb") as data:
                shutil.copyfileobj(data, out)
            return set_aside
    try:
        origin = sqlite3.connect(checked)
        try:
            destination = sqlite3.connect(live, timeout=BUSY_TIMEOUT_MS / 1000)
            try:
                origin.backup(destination)
            finally:
                destination.close()
        finally:
            origin.close()
    except sqlite3.Error as exc:
        raise plain_error(exc, sqlite_url(live)) from exc
    return set_aside


def _damaged(path: Path) -> bool:
    try:
        conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            return bool(conn.execute("PRAGMA quick_check").fetchone()[0] != "ok")
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        return getattr(exc, "sqlite_errorname", "") in ("SQLITE_CORRUPT", "SQLITE_NOTADB")


def _move_aside(live: Path, set_aside: Path) -> None:
    set_aside.parent.mkdir(parents=True, exist_ok=True)
    os.replace(live, set_aside)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = live.with_name(live.name + suffix)
        if companion.exists():
            os.replace(companion, set_aside.with_name(set_aside.name + suffix))
