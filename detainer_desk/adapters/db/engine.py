"""Creating the SQLAlchemy engine: SQLite (embedded default) or PostgreSQL (shared server),
and turning the database's failures into plain words.

SQLite: every transaction begins with ``BEGIN IMMEDIATE`` so that writers queue up at the
start instead of failing half-way; ``synchronous=FULL`` (a recorded decision survives a
power cut); foreign keys on. The journal is WAL when this SQLite library is free of the
WAL-reset corruption bug, else the rollback journal (``DELETE``), which the bug cannot
touch (see :func:`choose_journal_mode`). A file on a network share is refused: SQLite's
locking is not reliable there, and WAL cannot work there at all.

PostgreSQL: READ COMMITTED (the chain's head-row lock relies on it, see ``chain.append``),
a lock timeout so a stuck workstation makes others fail plainly instead of waiting for
ever, TCP keepalives, and a connection check before a pooled connection is reused (a
server restarted overnight is simply reconnected to).
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, InterfaceError, OperationalError

from detainer_desk.domain.text import quoted
from detainer_desk.services.access import StorageError

from .probe import sqlite_url  # noqa: F401 - part of this module's interface (written there, stdlib only)

log = logging.getLogger("detainer_desk.db")
log.addHandler(logging.NullHandler())  # the program shows these itself; a log file may keep them

BUSY_TIMEOUT_MS = 15_000
# PostgreSQL: how long a writer waits for another workstation's lock on the chain head,
# and how long a transaction may sit idle (a crashed or frozen workstation) before the
# server ends it and releases its locks.
PG_LOCK_TIMEOUT_MS = 15_000
PG_IDLE_IN_TRANSACTION_MS = 300_000
PG_CONNECT_TIMEOUT_S = 10

# The WAL-reset bug (https://sqlite.org/wal.html#walresetbug): two connections writing or
# checkpointing a WAL database at the same moment can corrupt it. It is in every SQLite
# from 3.7.0 up to 3.51.2 and fixed in 3.51.3. Patch releases of older branches that carry
# the fix go in FIXED_BACKPORTS once their release notes are checked (none are assumed).
WAL_RESET_FIXED_IN = (3, 51, 3)
FIXED_BACKPORTS: frozenset[tuple[int, int, int]] = frozenset()

# File systems on which SQLite must not be used (its locks are advisory or absent there).
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb3",
        "smbfs",
        "sshfs",
        "fuse.sshfs",
        "9p",
        "afs",
        "ncpfs",
        "ceph",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.s3fs",
    }
)

POSTGRES_ADVICE = (
    "For several workstations, use a PostgreSQL server (--db postgresql+psycopg://...); "
    "for one workstation, keep the database on this computer's own disk."
)


class DatabaseError(StorageError):
    """The database cannot be used; the message says why in plain words."""


class ConnectionTestFailed(DatabaseError):
    """A connection test failed: the message in plain words, the driver's own text (libpq's,
    naming the host, port and what it tried) in ``details`` for whoever looks after it."""

    def __init__(self, message: str, details: str) -> None:
        super().__init__(message)
        self.details = details


# -- SQLite safety ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class JournalChoice:
    mode: str  # "WAL" or "DELETE"
    warning: str | None  # for the user (CLI standard error, the GUI's status bar), or None


def parse_version(text: str) -> tuple[int, int, int]:
    parts = [int(p) for p in text.split(".")[:3] if p.isdigit()]
    parts += [0] * (3 - len(parts))
    return parts[0], parts[1], parts[2]


def choose_journal_mode(
    version: str, fixed_backports: frozenset[tuple[int, int, int]] = FIXED_BACKPORTS
) -> JournalChoice:
    """WAL when this SQLite library is free of the WAL-reset bug, else the rollback journal.

    The rollback journal (``DELETE``) with ``synchronous=FULL`` is as durable as WAL and
    immune to the bug; it is slower, and readers wait for a writer's commit.
    """
    parsed = parse_version(version)
    if parsed >= WAL_RESET_FIXED_IN or parsed in fixed_backports:
        return JournalChoice("WAL", None)
    return JournalChoice(
        "DELETE",
        f"SQLite {version} has the WAL-reset corruption bug (fixed in 3.51.3): the records "
        "are kept with the slower rollback journal instead, which is safe. Update the "
        "SQLite library (or Python) to get the faster mode back.",
    )


def network_share_problem(
    path: str | os.PathLike[str],
    *,
    platform: str | None = None,
    mounts_text: str | None = None,
) -> str | None:
    """Why a SQLite database must not live at *path* (a network share), or None."""
    platform = platform or sys.platform
    text = os.fspath(path)
    if platform == "win32":
        windows = PureWindowsPath(text)
        drive = windows.drive
        if drive.startswith(("\\\\", "//")) and not drive.startswith(("\\\\?\\", "\\\\.\\")):
            return _share_message(text, "a network share (UNC path)")
        if drive.startswith("\\\\?\\UNC\\"):
            return _share_message(text, "a network share (UNC path)")
        if mounts_text is None and drive and _windows_drive_is_remote(drive):
            return _share_message(text, f"the network drive {drive}")
        return None
    if not platform.startswith("linux"):
        return None  # no reliable, cheap test elsewhere; README says where to keep it
    if mounts_text is None:
        mounts_text = _read_mounts()
        if mounts_text is None:
            return None
    target = _existing_real_path(Path(text))
    best: tuple[str, str] | None = None
    for line in mounts_text.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        mount_point = _unescape_mount(fields[1])
        if _is_under(target, mount_point) and (best is None or len(mount_point) > len(best[0])):
            best = (mount_point, fields[2])
    if best is not None and best[1] in NETWORK_FILESYSTEMS:
        return _share_message(text, f"a network file system ({best[1]} at {best[0]})")
    return None


def _read_mounts() -> str | None:
    try:
        return Path("/proc/mounts").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def _share_message(path: str, where: str) -> str:
    return (
        f"the database {path} is on {where}. SQLite cannot lock a file there reliably, so "
        "two workstations could damage the records or lose decisions. " + POSTGRES_ADVICE
    )


def _existing_real_path(path: Path) -> str:
    # The database file (or its folder) may not exist yet: resolve the symbolic links of
    # the part that does, and keep the rest as written.
    probe, rest = path.absolute(), []
    while not probe.exists() and probe.parent != probe:
        rest.append(probe.name)
        probe = probe.parent
    return os.path.join(os.path.realpath(probe), *reversed(rest))


def _is_under(path: str, mount_point: str) -> bool:
    if mount_point == "/":
        return True
    return path == mount_point or path.startswith(mount_point.rstrip("/") + "/")


def _unescape_mount(field: str) -> str:
    # /proc/mounts writes space, tab, newline and backslash as octal escapes.
    for code, char in (("\\040", " "), ("\\011", "\t"), ("\\012", "\n"), ("\\134", "\\")):
        field = field.replace(code, char)
    return field


def _windows_drive_is_remote(drive: str) -> bool:  # pragma: no cover - Windows only
    import ctypes

    drive_remote = 4
    windll = getattr(ctypes, "windll", None)
    if windll is None:
        return False
    return bool(windll.kernel32.GetDriveTypeW(drive.rstrip("\\") + "\\") == drive_remote)


# -- engines ------------------------------------------------------------------------------


class MalformedUrl(DatabaseError, ValueError):
    """A database URL that cannot be read at all (also a ValueError, as SQLAlchemy's own
    reading of it raises)."""


def make_engine(
    url: str,
    *,
    journal_mode: str | None = None,
    busy_timeout_ms: int = BUSY_TIMEOUT_MS,
    lock_timeout_ms: int = PG_LOCK_TIMEOUT_MS,
) -> Engine:
    if any("\ud800" <= ch <= "\udfff" for ch in url):
        # Bytes that are not UTF-8 (in an environment variable or a folder's name) reach
        # Python as lone surrogates; neither SQLite nor PostgreSQL can be given them.
        raise MalformedUrl(
            f"{quoted(url)} holds bytes that are not UTF-8 text (in the database URL or the "
            "data folder's name): give a URL or folder whose name is plain text"
        )
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise MalformedUrl(
            f"{quoted(url)} is not a database URL: give a SQLite file's sqlite:///PATH or a "
            "postgresql+psycopg://USER@HOST[:PORT]/DATABASE URL"
        ) from None
    if parsed.get_backend_name() == "sqlite":
        mode = journal_mode or choose_journal_mode(sqlite3.sqlite_version).mode
        return _sqlite_engine(url, parsed.database, mode, busy_timeout_ms)
    if parsed.get_backend_name() == "postgresql":
        return _postgres_engine(parsed, lock_timeout_ms)
    raise DatabaseError(
        f"{quoted(parsed.get_backend_name())} databases are not supported: use a SQLite file "
        "or a postgresql+psycopg:// URL"
    )


def _sqlite_engine(url: str, database: str | None, journal_mode: str, busy_ms: int) -> Engine:
    if not database or database == ":memory:" or database.startswith("file::memory:"):
        raise DatabaseError("an in-memory database would lose every record: give a file")
    problem = network_share_problem(database)
    if problem:
        raise DatabaseError(problem)
    engine = create_engine(url, connect_args={"timeout": busy_ms / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite would defer it).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={busy_ms}")
        actual = cursor.execute(f"PRAGMA journal_mode={journal_mode}").fetchone()
        if actual and str(actual[0]).upper() != journal_mode:
            # Another program holds the file open in the other mode; it stays as it is.
            log.warning("journal mode of %s is %s, not %s", database, actual[0], journal_mode)
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Writers take the write lock at the start (they queue instead of failing half-way);
        # read-only work (verification, exports) begins deferred and never blocks a writer
        # for longer than one short batch.
        if conn.get_execution_options().get("read_only"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _postgres_engine(url: URL, lock_timeout_ms: int) -> Engine:
    query = dict(url.query)
    # Our session settings go after any the URL gives (TLS and other libpq options in the
    # URL's query pass through to the driver untouched).
    settings = (
        f"-c lock_timeout={lock_timeout_ms} "
        f"-c idle_in_transaction_session_timeout={PG_IDLE_IN_TRANSACTION_MS}"
    )
    given = query.get("options")
    connect_args: dict[str, Any] = {
        "options": f"{given} {settings}" if isinstance(given, str) and given else settings,
        "application_name": query.get("application_name", "detainer-desk"),
    }
    if "connect_timeout" not in query:
        connect_args["connect_timeout"] = PG_CONNECT_TIMEOUT_S
    if "keepalives" not in query:
        connect_args.update(keepalives=1, keepalives_idle=30, keepalives_interval=10)
    return create_engine(
        url,
        connect_args=connect_args,
        isolation_level="READ COMMITTED",
        pool_pre_ping=True,
    )


# -- how a PostgreSQL server keeps the records ------------------------------------------------

# Server settings under which a committed decision can be lost, or the database damaged,
# by a power cut or a crash of the server: the value each must not have.
UNSAFE_SERVER_SETTINGS = {"fsync": "off", "full_page_writes": "off", "synchronous_commit": "off"}


def postgres_storage_notices(engine: Engine) -> list[str]:
    """What the user should know about how this PostgreSQL server keeps the records: not
    durable (``fsync``, ``full_page_writes`` or ``synchronous_commit`` off, as this
    session sees them), or reached over the network without encryption (TLS)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT name, setting FROM pg_settings WHERE name IN "
            "('fsync', 'full_page_writes', 'synchronous_commit')"
        ).all()
        driver = conn.connection.dbapi_connection
        encrypted = bool(getattr(getattr(driver, "pgconn", None), "ssl_in_use", False))
        info = getattr(driver, "info", None)
        host = str(getattr(info, "host", "") or "")
    settings = {str(name): str(value) for name, value in rows}
    return storage_words(settings, encrypted=encrypted, host=host, where=_where(engine.url))


def storage_words(settings: dict[str, str], *, encrypted: bool, host: str, where: str) -> list[str]:
    """The notices for what was found (see postgres_storage_notices), in plain words."""
    notices = []
    unsafe = [
        f"{name}={settings[name]}"
        for name, bad in UNSAFE_SERVER_SETTINGS.items()
        if settings.get(name, "").lower() == bad
    ]
    if unsafe:
        lost = (
            "decisions already reported as recorded can be lost"
            if unsafe == ["synchronous_commit=off"]
            else "decisions already reported as recorded can be lost and the database damaged"
        )
        notices.append(
            f"the database server {where} runs with {', '.join(unsafe)}: if the server "
            f"loses power or crashes, {lost}. Ask its administrator to turn "
            f"{' and '.join(u.split('=')[0] for u in unsafe)} back on."
        )
    over_network = bool(host) and not host.startswith("/") and not host.startswith("@")
    if over_network and not encrypted:
        notices.append(
            f"the connection to the database server {where} is not encrypted (no TLS): "
            "names, dates of birth and A-numbers cross the network readable by anyone on "
            "it. Add sslmode=verify-full and sslrootcert=... to the database URL (see the "
            "README), or, if the server is this computer, connect through its local socket."
        )
    return notices


def _where(url: URL) -> str:
    return f"{url.host or 'localhost'}:{url.port or 5432}/{url.database or ''}"


# -- failures in plain words --------------------------------------------------------------


# What is the surroundings' fault, not the program's, named as the databases name it (as
# qutebrowser's sql module does): SQLite's primary result codes (an extended code such as
# SQLITE_IOERR_WRITE starts with its primary one) and PostgreSQL's SQLSTATE classes and codes.
# A failure named by anything else (a misspelt column, a wrong type, a constraint) is a bug
# of the program: it keeps its traceback and goes to the bug dialog, never shown as "the
# database failed".
SQLITE_ENVIRONMENTAL = (
    "SQLITE_BUSY",  # another program holds the file locked
    "SQLITE_LOCKED",
    "SQLITE_FULL",  # the disk is full
    "SQLITE_IOERR",  # the disk or the device failed
    "SQLITE_CANTOPEN",  # the file or its folder is missing or not writable
    "SQLITE_READONLY",
    "SQLITE_PERM",
    "SQLITE_CORRUPT",  # a damaged file: restore a backup
    "SQLITE_NOTADB",
    "SQLITE_NOMEM",
    "SQLITE_NOLFS",
    "SQLITE_PROTOCOL",  # a lock protocol failure (a network file system)
)
POSTGRES_ENVIRONMENTAL = (
    "08",  # connection exception
    "28",  # invalid authorization (user name, password)
    "3D",  # no such database
    "40",  # transaction rollback: serialization failure, deadlock
    "53",  # insufficient resources: disk full, out of memory, too many connections
    "54",  # program limit exceeded by the server's settings
    "57",  # operator intervention: shutdown, cancelled, cannot connect now
    "58",  # system error (the server's disk)
    "XX001",  # data corrupted
    "XX002",  # index corrupted
    "55P03",  # lock not available (lock_timeout)
    "25006",  # read-only transaction (a standby server)
    "42501",  # insufficient privilege: the database user lacks rights (IT's setting)
)


def is_environmental(exc: BaseException) -> bool:
    """A failure of the surroundings (disk, locks, server, network, a damaged file), not of
    the program: said in plain words. Anything else is a bug, shown as one."""
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    sqlite_name = getattr(original, "sqlite_errorname", None)
    if sqlite_name is not None or isinstance(original, sqlite3.Error):
        if str(sqlite_name or "").startswith(SQLITE_ENVIRONMENTAL):
            return True
        # Raised by Python's driver itself, without a code: text that is not UTF-8 in the
        # file (a byte changed outside the program) is damage, like SQLITE_CORRUPT.
        return sqlite_name is None and "decode to UTF-8" in str(original)
    state = str(getattr(original, "sqlstate", "") or "")
    if state:
        return state.startswith(POSTGRES_ENVIRONMENTAL)
    # No code at all: the driver's own failure to reach or keep the server (connection
    # refused, a name that does not resolve, a connection closed under it).
    return isinstance(exc, OperationalError | InterfaceError)


def plain_error(
    exc: BaseException, url: URL | str, *, during_commit: bool = False
) -> DatabaseError:
    """The database failure *exc* as a DatabaseError whose message a user can act on."""
    parsed = make_url(url) if isinstance(url, str) else url
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if parsed.get_backend_name() == "sqlite":
        message = _sqlite_words(original, parsed.database or "the database file")
    else:
        message = _postgres_words(original, parsed, during_commit)
    log.warning("database failure: %s (%s)", message, original)
    return DatabaseError(message)


NOTHING_STORED = "Nothing of the interrupted action was stored."


def _sqlite_words(original: BaseException | None, path: str) -> str:
    name = str(getattr(original, "sqlite_errorname", "") or "")
    text = str(original).lower()
    if name == "SQLITE_FULL" or "disk is full" in text:
        return (
            f"the disk holding {path} is full. {NOTHING_STORED} Free some space (or move old "
            "backups elsewhere) and try again."
        )
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return (
            f"{path} (or its folder) is read-only, so nothing can be recorded. "
            f"{NOTHING_STORED} Ask IT to make the file and its folder writable for you."
        )
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text:
        return (
            "the database is locked by another program or workstation, and stayed locked for "
            f"longer than {BUSY_TIMEOUT_MS // 1000} seconds. {NOTHING_STORED} Try again in a "
            "moment; if it keeps happening, close the other program using the records."
        )
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return (
            f"{path} cannot be opened: its folder is missing, not writable, or on a device "
            "that is gone. " + NOTHING_STORED
        )
    if (
        name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or "not a database" in text
        or "decode to utf-8" in text
    ):
        return (
            f"{path} is damaged or is not a Detainer Desk database. Restore the latest "
            "backup (detainer-desk restore FILE) and keep the damaged file for IT."
        )
    if name.startswith("SQLITE_IOERR") or "i/o error" in text:
        return (
            f"the disk failed while reading or writing {path} (a disk error, or the device "
            f"was removed). {NOTHING_STORED} Check the disk and try again."
        )
    return f"the database failed: {original}. {NOTHING_STORED}"


def _postgres_words(original: BaseException | None, url: URL, during_commit: bool) -> str:
    where = _where(url)
    state = str(getattr(original, "sqlstate", "") or "")
    text = str(original).lower()
    if during_commit and (state.startswith(("08", "57P")) or _lost(text) or not state):
        return (
            f"the connection to the database server {where} was lost while saving. The "
            "server may or may not have stored it: look for it in the log before entering "
            "it again."
        )
    if state in ("28P01", "28000") or "password authentication failed" in text:
        return (
            f"the database server {where} refused the user name or password in the "
            "database URL. Nothing was stored."
        )
    if state == "3D000" or ("database" in text and "does not exist" in text):
        return f"there is no database {quoted(url.database or '')} on the server {where}."
    if state == "55P03" or "lock timeout" in text:
        return (
            "another workstation has held the records locked for more than "
            f"{PG_LOCK_TIMEOUT_MS // 1000} seconds. {NOTHING_STORED} Try again in a moment."
        )
    if state in ("40P01", "40001"):
        return f"two workstations collided while saving. {NOTHING_STORED} Try again."
    if state == "53100" or "no space left" in text:
        return f"the database server {where} has run out of disk space. {NOTHING_STORED}"
    if "ssl" in text or "certificate" in text:
        return (
            f"a secure (TLS) connection to the database server {where} could not be made: "
            f"{_first_line(original)}. {NOTHING_STORED}"
        )
    if any(words in text for words in _UNREACHABLE) or state == "57P03":
        return (
            f"the database server {where} cannot be reached ({_reason(original)}). Is it "
            "running, and may this workstation connect to it? " + NOTHING_STORED
        )
    if state.startswith(("08", "57P")) or _lost(text):
        return (
            f"the connection to the database server {where} was lost. {NOTHING_STORED} "
            "Try again; if it keeps failing, the server or the network is down."
        )
    return f"the database server {where} failed: {_first_line(original)}. {NOTHING_STORED}"


def _lost(text: str) -> bool:
    return any(
        words in text
        for words in (
            "server closed the connection",
            "connection is closed",
            "consuming input failed",
            "terminating connection",
            "connection already closed",
            "the connection is lost",
            "ssl syscall error",
        )
    )


_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "timeout expired",
    "could not translate host name",
    "failed to resolve host",
    "no route to host",
    "network is unreachable",
    "no such file or directory",
    "the database system is starting up",
    "the database system is shutting down",
)


def _reason(original: BaseException | None) -> str:
    """The part of a libpq message that says why, without the host it already named."""
    line = _first_line(original)
    reason = line.rsplit(": ", 1)[-1] if ": " in line else line
    return re.sub(r"^\[Errno -?\d+\]\s*", "", reason)  # "[Errno -2] Name or service …"


def _first_line(original: BaseException | None) -> str:
    lines = str(original).strip().splitlines()
    return lines[0].strip().rstrip(".") if lines else "unknown error"
