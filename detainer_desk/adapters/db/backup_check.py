"""Whether a file is a backup this program can restore: a private copy of it, brought to
this program's schema, must pass SQLite's ``integrity_check`` and the whole verification.

Apart from ``backups`` because it needs the migrations (to bring an older backup up to date)
and the verification, while the migrations need ``backups`` (a store is backed up before it
is migrated): the two would otherwise import each other.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import DBAPIError

from ..files import PartialJournal, scratch_folder
from .backups import SQLITE_HEADER, copy_database
from .engine import DatabaseError, make_engine
from .migrate import HEAD_REVISION, KNOWN_REVISIONS, current_revision, upgrade_to
from .probe import sqlite_url


@dataclass(frozen=True, slots=True)
class BackupCheck:
    entries: int
    chain_head: str
    revision: str  # the schema revision the backup was written with
    written_entries: int = 0  # its entries as written (an older schema's upgrade adds some)
    # How it compares with the last checkpoint this installation made (in words), and
    # whether it lacks entries that checkpoint vouched for (an older backup).
    note: str = ""
    older_than_checkpoint: bool = False


@contextlib.contextmanager
def checked_copy(
    backup: Path, journal: PartialJournal | None = None
) -> Iterator[tuple[Path, BackupCheck]]:
    """Check a backup without touching it: a private copy is brought to this program's
    schema, then must pass ``integrity_check`` and the whole chain verification.

    Yields the checked copy (ready to restore) and what was found; DatabaseError when the
    file is not a usable backup. The copy is removed afterwards.
    """
    from .ledger import verify_store  # loads the whole store's code: only when used

    try:
        with backup.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        raise DatabaseError(f"{backup}: there is no such file") from None
    except OSError as exc:
        raise DatabaseError(f"{backup} cannot be read ({exc.strerror or exc})") from None
    if header != SQLITE_HEADER:
        raise DatabaseError(f"{backup} is not a Detainer Desk backup (not a SQLite database)")
    with scratch_folder(journal) as folder:
        copy = folder / "checked.sqlite3"
        copy_database(backup, copy)
        engine = make_engine(sqlite_url(copy))
        try:
            revision = current_revision(engine)
            if revision is None:
                raise DatabaseError(f"{backup} is not a Detainer Desk backup (no record store)")
            if revision not in KNOWN_REVISIONS:
                raise DatabaseError(
                    f"{backup} was written by a newer Detainer Desk (schema {revision}); this "
                    f"program knows schema {HEAD_REVISION} at most"
                )
            with engine.connect() as conn:
                integrity = conn.exec_driver_sql("PRAGMA integrity_check").scalar()
            if integrity != "ok":
                raise DatabaseError(f"{backup} is damaged (integrity check: {integrity})")
            with engine.connect() as conn:
                written = conn.exec_driver_sql("SELECT last_seq FROM chain_head").scalar()
            if revision != HEAD_REVISION:
                upgrade_to(engine, "head")
            last = list(verify_store(engine))[-1]
            if last.fault is not None:
                raise DatabaseError(
                    f"{backup} fails verification after {last.checked} good entries: {last.fault}"
                )
        except (sqlite3.DatabaseError, DBAPIError) as exc:
            raise DatabaseError(f"{backup} is damaged or unreadable ({exc})") from exc
        finally:
            engine.dispose()
        yield copy, BackupCheck(last.checked, last.last_hash, revision, int(written or 0))
