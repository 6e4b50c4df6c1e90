"""Opening the record store for a command or the GUI: the composition root's helper.

paths -> engine -> refuse newer schema / back up / migrate -> a unit-of-work factory.
Nothing here runs at import time, and importing this module loads no database library:
the GUI takes a first look at the store (``probe_store``, the standard library's sqlite3)
and shows its sign-in page before SQLAlchemy is even imported.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from detainer_desk.paths import AppPaths, ensure_data_dir

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Iterator

    from sqlalchemy import Engine

    from detainer_desk.adapters.db.backup_check import BackupCheck
    from detainer_desk.adapters.db.chain import VerifyProgress
    from detainer_desk.adapters.db.ledger import SqlLedger
    from detainer_desk.adapters.db.unit_of_work import SqlUnitOfWork
    from detainer_desk.adapters.files import PartialJournal
    from detainer_desk.adapters.signing import InstallationKey
    from detainer_desk.services.accounts import Security
    from detainer_desk.services.evidence_model import (
        Checkpoint,
        DecisionRecord,
        PdfDocument,
        ReportContext,
    )
    from detainer_desk.services.export import Exporter
    from detainer_desk.services.ports import Actor, CheckedBackup, ExportBundle

DB_ENV_VAR = "DETAINER_DESK_DB"
log = logging.getLogger("detainer_desk.runtime")
log.addHandler(logging.NullHandler())  # the program shows these itself; a log file may keep them


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass
class Runtime:
    paths: AppPaths
    engine: Engine
    database_label: str
    clock: Callable[[], dt.datetime] = utc_now
    # What the user should know about how the records are kept (e.g. SQLite's safe journal
    # fallback, a failed daily backup): the CLI prints each once, the GUI's status bar shows.
    notices: tuple[str, ...] = ()
    # Today's automatic backup, when open_runtime left it for later (``make_daily_backup``).
    daily_backup_due: bool = False
    keep_daily_backups: int = 0
    opened_at: dt.datetime | None = None

    @property
    def storage_notice(self) -> str | None:
        return " ".join(self.notices) or None

    def uow(self) -> SqlUnitOfWork:
        from detainer_desk.adapters.db.unit_of_work import SqlUnitOfWork

        return SqlUnitOfWork(self.engine)

    def ledger(self) -> SqlLedger:
        from detainer_desk.adapters.db.derived_scan import IndexMemo
        from detainer_desk.adapters.db.ledger import SqlLedger

        return SqlLedger(self.engine, memo=IndexMemo(self.paths.data_dir / "keys"))

    @property
    def partials(self) -> PartialJournal:
        """Where this installation notes the outputs being written (see adapters/files)."""
        from detainer_desk.adapters.files import PartialJournal

        return PartialJournal.in_data_dir(self.paths.data_dir)

    def signer(self) -> InstallationKey:
        from detainer_desk.adapters.signing import InstallationKey

        return InstallationKey(self.paths.data_dir / "keys")

    def exporter(self, clock: Callable[[], dt.datetime] | None = None) -> Exporter:
        """The litigation export over this store (for the command line and the window):
        bundles written by adapters/export, the audit PDFs rendered in worker processes and
        kept in the data folder's cache. Nothing is imported or opened until an export runs."""
        from detainer_desk.services.export import Exporter

        data_dir = self.paths.data_dir

        def open_bundle(destination: str, passphrase: str | None) -> ExportBundle:
            from detainer_desk.adapters.export.bundle import open_bundle

            return open_bundle(destination, passphrase, self.partials)

        def render_audit_pdfs(
            jobs: Iterable[tuple[DecisionRecord, ReportContext]],
        ) -> Generator[PdfDocument, None, None]:
            from detainer_desk.adapters import pdf

            return pdf.audit_pdfs_for_export(data_dir)(jobs)

        def render_checkpoint_pdf(checkpoint: Checkpoint, context: ReportContext) -> bytes:
            from detainer_desk.adapters import pdf

            return pdf.render_checkpoint_pdf(checkpoint, context)

        return Exporter(
            self.uow,
            self.ledger,
            self.signer,
            open_bundle,
            render_audit_pdfs,
            render_checkpoint_pdf,
            clock or self.clock,
        )

    def security(self) -> Security:
        from detainer_desk.adapters.directory import LdapDirectory
        from detainer_desk.adapters.security import Argon2Passwords, is_common_password
        from detainer_desk.adapters.security.second_factor import TotpMachinery, key_path
        from detainer_desk.services.accounts import Security

        return Security(
            Argon2Passwords(),
            is_common_password,
            second_factor=TotpMachinery(key_path(self.paths.data_dir)),
            directory=LdapDirectory(),
        )

    @property
    def sqlite_file(self) -> Path:
        """The SQLite store's file (DatabaseError on PostgreSQL)."""
        from detainer_desk.adapters.db.backups import sqlite_path

        return sqlite_path(self.engine)

    def backup_to(self, target: Path, replace: bool = False) -> tuple[int, str]:
        """A consistent, checked copy of the SQLite store at ``target`` (a new file, or
        one replaced with ``replace``): (entries verified, chain head). DatabaseError in
        plain words; PostgreSQL is backed up with pg_dump on the server instead."""
        from detainer_desk.adapters.db.backup_check import checked_copy
        from detainer_desk.adapters.db.backups import copy_database, sqlite_path
        from detainer_desk.adapters.db.engine import DatabaseError

        source = sqlite_path(self.engine)
        if target.resolve() == source.resolve():
            raise DatabaseError("a backup cannot be written over the database itself")
        copy_database(source, target, replace=replace, journal=self.partials)
        with checked_copy(target, self.partials) as (_copy, check):
            return check.entries, check.chain_head

    def protected_backup_to(
        self,
        target: Path,
        passphrase: str,
        *,
        replace: bool = False,
        progress: Callable[[int], None] | None = None,
    ) -> tuple[int, str]:
        """A checked copy of the SQLite store, encrypted (adapters/protect) into ``target``:
        (entries verified, chain head). The plain copy is made and checked in a private
        scratch folder inside the data folder (the secure location) and removed; only the
        encrypted file leaves it."""
        from detainer_desk.adapters.db.backup_check import checked_copy
        from detainer_desk.adapters.db.backups import copy_database, sqlite_path
        from detainer_desk.adapters.db.engine import DatabaseError
        from detainer_desk.adapters.files import PendingFile, scratch_folder
        from detainer_desk.adapters.protect import encrypt_file, protected_kind

        source = sqlite_path(self.engine)
        if target.resolve() == source.resolve():
            raise DatabaseError("a backup cannot be written over the database itself")
        with scratch_folder(self.partials, self.paths.data_dir) as scratch:
            plain = scratch / "backup.sqlite3"
            copy_database(source, plain, journal=self.partials)
            with checked_copy(plain, self.partials) as (_copy, check):
                pass
            with PendingFile(
                target, replace=replace, kind=protected_kind, journal=self.partials
            ) as handle:
                encrypt_file(plain, handle, passphrase, progress)
        return check.entries, check.chain_head

    def verify(self, every: int = 10_000) -> Iterator[VerifyProgress]:
        """The whole hash chain verified, as ``detainer-desk verify`` does it: progress every
        ``every`` entries, and last the result (its ``fault`` None when all verified)."""
        return self.ledger().verify(every)

    def restore_files(self, clock: Callable[[], dt.datetime] | None = None) -> SqliteRestore:
        """This SQLite store's files for a restore from the window (services/backups): the
        records being replaced are these, already open (on ``clock``)."""
        from detainer_desk.adapters.db.backups import sqlite_path

        opened = _OpenedRecords(self, clock or self.clock)
        return SqliteRestore(self.paths, sqlite_path(self.engine), opened=opened)

    def daily_backup_needed(self) -> bool:
        """Whether ``make_daily_backup`` will copy the store (none made yet today)."""
        from detainer_desk.adapters.db.backups import has_todays_backup

        return self.daily_backup_due and not has_todays_backup(
            self.paths.backups_dir, self.opened_at or utc_now()
        )

    def make_daily_backup(self, cancelled: Callable[[], bool] = lambda: False) -> str | None:
        """Today's automatic backup, when ``open_runtime`` left it for later (the GUI makes
        it once its sign-in page shows: copying a store of gigabytes takes a while). It is
        copied in steps, so that signing in and recording go on meanwhile. Returns a notice
        for the user when it could not be made; None when it was made, was not due, or was
        ``cancelled`` (the program is closing: nothing is left behind)."""
        if not self.daily_backup_due:
            return None
        self.daily_backup_due = False
        return _daily_backup(
            self.engine,
            self.paths,
            self.opened_at or utc_now(),
            self.keep_daily_backups,
            in_steps=True,
            cancelled=cancelled,
        )

    @property
    def documents(self) -> Any:
        """The PDF documents (adapters/pdf: reportlab loads with the first one made)."""
        from detainer_desk.adapters import pdf

        return pdf

    def law_report_pdf(self, report: Any, context: Any) -> bytes:
        """A statutory report's PDF, with how the record it came from was verified."""
        from detainer_desk.adapters.pdf.law_reports import Verification, render_law_report

        verification = Verification(report.entries, report.head_hash, report.verified_at)
        return render_law_report(report.result, verification, context)

    def law_notice_pdf(self, name: str, language: str, context: Any, person: Any) -> bytes:
        """A notice or form the law names (``person``: whom it is printed for, or None)."""
        from detainer_desk.adapters.pdf.law_notices import NoticeFor, render_law_notice

        whom = NoticeFor(person.name, person.booking_number) if person else None
        return render_law_notice(name, language, context, whom)

    @staticmethod
    def qr_text(text: str) -> str:
        """A QR code of ``text`` drawn with characters, for a terminal."""
        from detainer_desk.adapters.pdf.qr import qr_text

        return qr_text(text)

    def verified_entries(self) -> int:
        """The whole chain verified: how many entries it has."""
        from detainer_desk.adapters.db.ledger import verify_store

        return list(verify_store(self.engine))[-1].checked

    @property
    def is_sqlite(self) -> bool:
        return self.engine.url.get_backend_name() == "sqlite"

    def close(self) -> None:
        self.engine.dispose()


def _backup_against_checkpoint(copy: Path, check: BackupCheck, signer: InstallationKey) -> Any:
    """How a checked copy of a backup compares with the last checkpoint ``signer`` made."""
    from detainer_desk.adapters.db.engine import make_engine
    from detainer_desk.adapters.db.ledger import SqlLedger
    from detainer_desk.adapters.db.probe import sqlite_url
    from detainer_desk.services.checkpoints import check_backup

    engine = make_engine(sqlite_url(copy))
    try:
        return check_backup(SqlLedger(engine), signer, check.written_entries)
    finally:
        engine.dispose()


@dataclass(frozen=True)
class SqliteRestore:
    """The SQLite store's files for a restore (services/ports.RestoreFiles): the backup
    opened (decrypted in a private scratch folder of the data folder when it is
    encrypted) and checked, the records being replaced opened if they can be, the file
    replaced, the later checkpoints set aside. Needs only the data folder."""

    paths: AppPaths
    live: Path
    db: str | None = None
    opened: _OpenedRecords | None = None  # the records this program has open (the window)

    @contextlib.contextmanager
    def checked_backup(
        self, backup: Path, passphrase: Callable[[], str]
    ) -> Iterator[CheckedBackup]:
        from detainer_desk.adapters.db.backup_check import checked_copy
        from detainer_desk.adapters.db.engine import DatabaseError
        from detainer_desk.adapters.files import PartialJournal
        from detainer_desk.adapters.signing import InstallationKey
        from detainer_desk.services.ports import CheckedBackup

        if self.live.exists() and backup.resolve() == self.live.resolve():
            raise DatabaseError("that file is the database itself, not a backup of it")
        journal = PartialJournal.in_data_dir(self.paths.data_dir)
        with contextlib.ExitStack() as stack:
            plain = self._opened(backup, passphrase, journal, stack)
            copy, check = stack.enter_context(checked_copy(plain, journal))
            signer = InstallationKey(self.paths.data_dir / "keys")
            against = _backup_against_checkpoint(copy, check, signer)
            yield CheckedBackup(
                copy,
                check.entries,
                check.chain_head,
                check.written_entries,
                against.ok,
                against.message,
                against.older_than_checkpoint,
            )

    def _opened(
        self,
        backup: Path,
        passphrase: Callable[[], str],
        journal: PartialJournal,
        stack: contextlib.ExitStack[Any],
    ) -> Path:
        """The backup to check: the file itself, or, for an encrypted one, its decryption
        in a private scratch folder of the data folder (removed when the restore ends)."""
        from detainer_desk.adapters.db.engine import DatabaseError
        from detainer_desk.adapters.files import scratch_folder
        from detainer_desk.adapters.protect import decrypt_file, is_protected

        if not is_protected(backup):
            return backup
        secret = passphrase()
        data_dir = self.paths.data_dir
        scratch = stack.enter_context(
            scratch_folder(journal, data_dir if data_dir.is_dir() else None)
        )
        plain = scratch / "backup.sqlite3"
        try:
            decrypt_file(backup, plain, secret)
        except OSError as exc:
            raise DatabaseError(f"{backup} cannot be decrypted ({exc.strerror})") from None
        return plain

    def open_records(self) -> tuple[Runtime | _OpenedRecords | None, str]:
        from detainer_desk.adapters.db.engine import DatabaseError
        from detainer_desk.paths import DataDirError

        if self.opened is not None:
            return self.opened.reopened(), ""
        try:
            return open_runtime(self.paths, self.db), ""
        except (DataDirError, DatabaseError) as exc:
            return None, str(exc)

    def kept_aside_at(self, now: dt.datetime) -> Path:
        from detainer_desk.adapters.db.backups import backup_name

        return self.paths.backups_dir / backup_name(now, "replaced-by-restore")

    def replace_records(self, checked: CheckedBackup, aside: Path) -> None:
        from detainer_desk.adapters.db.backups import restore_database

        restore_database(checked.copy, self.live, aside)

    def set_aside_checkpoints(self, beyond: int) -> list[str]:
        from detainer_desk.adapters.signing import InstallationKey

        return InstallationKey(self.paths.data_dir / "keys").set_aside_checkpoints(beyond)


@dataclass(frozen=True)
class _OpenedRecords:
    """The records this program has open, for a restore from the window (services/ports
    OpenRecords). Closing lets its idle connections go (the restored file comes next);
    they reconnect when next used."""

    runtime: Runtime
    clock: Callable[[], dt.datetime]

    def uow(self) -> SqlUnitOfWork:
        return self.runtime.uow()

    def verified_entries(self) -> int:
        return self.runtime.verified_entries()

    def close(self) -> None:
        self.runtime.engine.dispose()

    def reopened(self) -> _OpenedRecords:
        """The records as at every opening: the derived index filled where it has no row
        (after a restore, the restored records' decisions)."""
        from detainer_desk.services.index import rebuild_missing_index

        self.close()
        for _ in rebuild_missing_index(self.uow, self.clock()):
            pass  # derived data only
        return self


DATABASE_URL_FILE = "database-url.txt"


def saved_database_url(paths: AppPaths) -> str | None:
    """The shared server this workstation was set to use (Admin › Database…), if any."""
    try:
        text = (paths.data_dir / DATABASE_URL_FILE).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return text or None


def save_database_url(paths: AppPaths, url: str | None) -> None:
    """Remember (or, with None, forget) the server URL for the next start of this workstation."""
    from detainer_desk.adapters.files import write_output

    target = paths.data_dir / DATABASE_URL_FILE
    if url:
        # Private (it may name a user; passwords belong in ~/.pgpass), and whole or absent.
        write_output(target, url.strip().encode("utf-8") + b"\n", replace=True)
    else:
        target.unlink(missing_ok=True)


def database_url(paths: AppPaths, db: str | None) -> str:
    """--db, then DETAINER_DESK_DB, then the URL saved for this workstation, then SQLite."""
    from detainer_desk.adapters.db.probe import sqlite_url

    return (
        db
        or os.environ.get(DB_ENV_VAR)
        or saved_database_url(paths)
        or sqlite_url(paths.database_file)
    )


def check_database_url(url: str) -> str:
    """Connect once to ``url`` and say what was found (and any storage notices about the
    server); ConnectionTestFailed in plain words."""
    from sqlalchemy.exc import ArgumentError, DBAPIError

    from detainer_desk.adapters.db.engine import (
        NOTHING_STORED,
        ConnectionTestFailed,
        make_engine,
        plain_error,
        postgres_storage_notices,
    )

    try:
        engine = make_engine(url)
    except (ArgumentError, ValueError) as exc:
        raise ConnectionTestFailed(
            "that is not a database URL Detainer Desk can read; it looks like "
            "postgresql+psycopg://user@server/database?sslmode=verify-full",
            str(exc),
        ) from None
    notices: list[str] = []
    try:
        with engine.connect() as conn:
            version = conn.exec_driver_sql(
                "SELECT version()" if url.startswith("postgresql") else "SELECT sqlite_version()"
            ).scalar()
        if engine.url.get_backend_name() == "postgresql":
            notices = postgres_storage_notices(engine)
    except DBAPIError as exc:
        said = str(exc.orig).strip()
        option = re.search(r'invalid connection option "([^"]+)"', said)
        if option:
            words = (
                f"the URL asks for an option PostgreSQL does not know ({option.group(1)}): "
                "check its spelling, or remove it"
            )
        else:
            words = str(plain_error(exc, engine.url))
            # Nothing was being stored: a test only connects.
            for sentence in (f" {NOTHING_STORED}", " Nothing was stored.", NOTHING_STORED):
                words = words.replace(sentence, "")
        raise ConnectionTestFailed(f"cannot connect: {words}", said) from None
    finally:
        engine.dispose()
    return " ".join([f"Connected: {version}.", *(f"Note: {n}" for n in notices)])


# -- the first look, before the store is opened ---------------------------------------------


class FirstPage(Enum):
    """What the first look at the store says, before it is opened."""

    SIGN_IN = "sign in"  # current schema, accounts exist: the sign-in page can show at once
    UPGRADE = "upgrade"  # an older schema: it is backed up and migrated before anyone signs in
    REFUSE = "refuse"  # written by a newer program: nothing may be read or written


@dataclass(frozen=True, slots=True)
class StoreProbe:
    first_page: FirstPage
    message: str | None = None  # why it is refused (REFUSE)


def probe_store(paths: AppPaths, db: str | None = None) -> StoreProbe | None:
    """A first look at the SQLite store, with the standard library only (a few
    milliseconds): its schema revision, and whether any account exists. None when there is
    no quick answer (a new or busy store, a server, a URL with options): the store is then
    opened first, as ``open_runtime`` does, and that says what is wrong, if anything.

    Only a store this program can sign in to gives SIGN_IN; the store is still opened (and
    checked again) before anyone signs in.
    """
    from detainer_desk.adapters.db.migrate import (
        HEAD_REVISION,
        KNOWN_REVISIONS,
        newer_schema_message,
    )
    from detainer_desk.adapters.db.probe import first_look, sqlite_file_of

    database = sqlite_file_of(database_url(paths, db))
    if database is None:
        return None
    look = first_look(database, HEAD_REVISION)
    if look is None or look.revision is None:
        return None
    if look.revision not in KNOWN_REVISIONS:
        return StoreProbe(FirstPage.REFUSE, newer_schema_message(look.revision))
    if look.revision != HEAD_REVISION:
        return StoreProbe(FirstPage.UPGRADE)
    return StoreProbe(FirstPage.SIGN_IN) if look.has_accounts else None


# -- opening ------------------------------------------------------------------------------


def _first_connection(engine: Engine) -> None:
    """Connect once: a setting in the URL the driver refuses (``connect_timeout=abc``, an
    unknown option) is the user's to fix, said in plain words, not a fault of the program."""
    from sqlalchemy.exc import DBAPIError

    from detainer_desk.adapters.db.engine import DatabaseError, is_environmental
    from detainer_desk.domain.text import shortened, visible

    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        if is_environmental(exc):
            raise
        engine.dispose()
        reason = shortened(
            visible(
                str(exc.orig).strip().splitlines()[0]
                if str(exc.orig).strip()
                else type(exc.orig).__name__
            ),
            300,
        )
        raise DatabaseError(f"the database URL cannot be used: {reason}") from None


def open_runtime(
    paths: AppPaths,
    db: str | None = None,
    *,
    sqlite_version: str | None = None,
    busy_timeout_ms: int | None = None,
    lock_timeout_ms: int | None = None,
    keep_daily_backups: int | None = None,
    now: dt.datetime | None = None,
    daily_backup_later: bool = False,
) -> Runtime:
    """Open (creating or upgrading) the record store. Raises DatabaseError in plain words.

    A SQLite store is refused on a network share, kept with the safe journal when the
    SQLite library has the WAL-reset bug (a notice says so), backed up before a migration,
    and backed up at the first start of each day (the last ``keep_daily_backups`` kept;
    with ``daily_backup_later``, not now: ``Runtime.make_daily_backup`` makes it).
    """
    from sqlalchemy.exc import DBAPIError

    from detainer_desk.adapters.db.backups import KEEP_DAILY
    from detainer_desk.adapters.db.engine import (
        BUSY_TIMEOUT_MS,
        PG_LOCK_TIMEOUT_MS,
        DatabaseError,
        choose_journal_mode,
        is_environmental,
        make_engine,
        plain_error,
    )
    from detainer_desk.adapters.db.migrate import prepare_database
    from detainer_desk.services.index import rebuild_missing_index

    keep = KEEP_DAILY if keep_daily_backups is None else keep_daily_backups
    url = database_url(paths, db)
    notices: list[str] = list(ensure_data_dir(paths))
    _clean_partials(paths)
    opened_at = now or utc_now()
    journal = choose_journal_mode(sqlite_version or sqlite3.sqlite_version)
    engine = make_engine(
        url,
        journal_mode=journal.mode,
        busy_timeout_ms=BUSY_TIMEOUT_MS if busy_timeout_ms is None else busy_timeout_ms,
        lock_timeout_ms=PG_LOCK_TIMEOUT_MS if lock_timeout_ms is None else lock_timeout_ms,
    )
    is_sqlite = engine.url.get_backend_name() == "sqlite"
    if is_sqlite:
        notices.extend(_private_database_file(engine.url.database, paths))
    if is_sqlite and journal.warning:
        log.warning("%s", journal.warning)
        notices.append(journal.warning)
    daily_due = False
    try:
        _first_connection(engine)
        had_records = is_sqlite and _has_content(engine.url.database)
        prepare_database(engine, paths.backups_dir, opened_at)
        daily_due = had_records and keep > 0
        if daily_due and not daily_backup_later:
            daily_due = False
            notice = _daily_backup(engine, paths, opened_at, keep)
            if notice:
                notices.append(notice)
    except DBAPIError as exc:
        engine.dispose()
        if is_environmental(exc):
            raise plain_error(exc, engine.url) from exc
        raise
    except DatabaseError:
        engine.dispose()
        raise
    if not is_sqlite:
        notices.extend(_postgres_notices(engine))
    label = str(engine.url.database) if is_sqlite else engine.url.render_as_string()
    runtime = Runtime(
        paths,
        engine,
        label,
        notices=tuple(notices),
        daily_backup_due=daily_due,
        keep_daily_backups=keep,
        opened_at=opened_at,
    )
    for _ in rebuild_missing_index(runtime.uow, utc_now()):
        pass  # derived data only; the evidence is untouched
    return runtime


def _postgres_notices(engine: Engine) -> list[str]:
    """A server that is not durable, or reached without TLS: said once per command, and in
    the window's banner."""
    from sqlalchemy.exc import DBAPIError

    from detainer_desk.adapters.db.engine import postgres_storage_notices

    try:
        notices = postgres_storage_notices(engine)
    except DBAPIError as exc:  # the check is a courtesy: the records were opened
        log.warning("could not check how the server keeps the records: %s", exc)
        return []
    for notice in notices:
        log.warning("%s", notice)
    return notices


def _clean_partials(paths: AppPaths) -> None:
    """Outputs that a killed run of the program left half-written are removed now."""
    from detainer_desk.adapters.files import PartialJournal

    for removed in PartialJournal.in_data_dir(paths.data_dir).clean():
        log.info("removed %s, a half-written output of a run that did not finish", removed)


def _private_database_file(database: str | None, paths: AppPaths) -> list[str]:
    """A new SQLite file is created 0600 before SQLite makes it (SQLite would use 0644 less
    the umask; its journal, WAL and shared-memory files then take the database's mode). A
    file outside the data folder (``--db sqlite:///...``) is tightened here; the data
    folder's own were tightened with the folder."""
    from detainer_desk.adapters.files import SQLITE_COMPANIONS, create_private_file, tighten

    if not database or database.startswith("file:"):
        return []
    file = Path(database)
    if not file.exists() and file.parent.is_dir():
        try:
            os.close(create_private_file(file))
        except FileExistsError:
            pass  # another workstation's program made it meanwhile
        except OSError as exc:
            log.warning("cannot create %s privately (%s)", file, exc)
        return []
    if file.parent.absolute() == paths.data_dir.absolute():
        return []
    refused: list[Path] = []
    for name in (file, *(file.with_name(file.name + s) for s in SQLITE_COMPANIONS)):
        if name.exists():
            refused += tighten(name)[1]
    if refused:
        return [
            f"the database {file} can be read by other accounts on this computer and could "
            "not be made private, because it belongs to another account. Ask IT to make it "
            "readable by its owner only."
        ]
    return []


def _has_content(database: str | None) -> bool:
    try:
        return bool(database) and Path(str(database)).stat().st_size > 0
    except OSError:
        return False


def _daily_backup(
    engine: Engine,
    paths: AppPaths,
    now: dt.datetime,
    keep: int,
    *,
    in_steps: bool = False,
    cancelled: Callable[[], bool] = lambda: False,
) -> str | None:
    """Today's backup if there is none yet; a notice for the user when it failed."""
    from detainer_desk.adapters.db.backups import CopyCancelled, daily_backup, sqlite_path
    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.adapters.files import PartialJournal

    journal = PartialJournal.in_data_dir(paths.data_dir)
    try:
        made = daily_backup(
            sqlite_path(engine),
            paths.backups_dir,
            now,
            keep,
            journal,
            in_steps=in_steps,
            cancelled=cancelled,
        )
    except CopyCancelled:
        log.info("today's backup was stopped: the program is closing")
        return None
    except DatabaseError as exc:
        from detainer_desk.domain import timetext

        # Working on matters more than today's copy: say so, and go on.
        log.warning("daily backup failed: %s", exc)
        # The day is in the words (this computer's day, as the daily backups go): a notice
        # dismissed today comes back if tomorrow's backup fails too.
        day = timetext.day_text(now.astimezone().date())
        return f"Today's automatic backup could not be made ({day}): {exc}"
    if made:
        log.info("daily backup written to %s", made)
    return None


def signature_check() -> Callable[[str, bytes, str], bool]:
    """Whether a checkpoint's signature is valid (adapters/signing), for reading a
    checkpoint file before any store is opened."""
    from detainer_desk.adapters.signing import signature_is_valid

    return signature_is_valid


def local_actor() -> Actor:
    """The operating-system user at this workstation (until accounts exist)."""
    import getpass
    import socket

    from detainer_desk.services.ports import Actor

    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "unknown"
    return Actor(user=user, workstation=socket.gethostname())
