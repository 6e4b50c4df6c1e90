"""A first look at a SQLite record store, with the standard library only: its schema
revision and whether it has any account, read in one short read transaction.

The program shows its sign-in page on this answer, before SQLAlchemy is imported or the
store is opened for work (``runtime.probe_store``); the store is then opened, and migrated
if it must be, before any record is read or written. Nothing is written here, and a store
that is busy, damaged or not ours gives no answer (None): it is then opened the ordinary
way, which says what is wrong in plain words.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

SQLITE_URL_PREFIX = "sqlite:///"
# How long the first look waits for another program's write to end: the ordinary opening
# (with the full busy timeout) follows when this is not enough.
PROBE_TIMEOUT_S = 0.25


def sqlite_url(path: Path) -> str:
    return f"{SQLITE_URL_PREFIX}{path}"


def sqlite_file_of(url: str) -> Path | None:
    """The file of a plain ``sqlite:///PATH`` URL; None for anything else (another database,
    or a URL with options, which only the ordinary opening understands)."""
    if not url.startswith(SQLITE_URL_PREFIX) or "?" in url:
        return None
    path = url[len(SQLITE_URL_PREFIX) :]
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return Path(path)


@dataclass(frozen=True, slots=True)
class FirstLook:
    revision: str | None  # None: no schema yet (an empty file)
    has_accounts: bool | None  # None when not looked at (an older schema: not yet migrated)


def first_look(database: Path, head_revision: str) -> FirstLook | None:
    """The schema revision of ``database`` and, when it is ``head_revision``, whether any
    account exists; None when there is no answer (no file, busy, damaged, not ours)."""
    try:
        if database.stat().st_size == 0:
            return None
    except OSError:
        return None
    try:
        # mode=rw: never create the file; only SELECTs are run. A hot journal left by a
        # crash is rolled back here as by any SQLite connection.
        uri = f"file:{_uri_path(database)}?mode=rw"
        conn = sqlite3.connect(uri, uri=True, timeout=PROBE_TIMEOUT_S, isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one consistent moment for both reads
        try:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None  # no such table (not a Detainer Desk store), or busy
        revision = str(row[0]) if row else None
        has_accounts = None
        if revision is not None and revision == head_revision:
            has_accounts = conn.execute("SELECT 1 FROM users LIMIT 1").fetchone() is not None
        return FirstLook(revision, has_accounts)
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def _uri_path(path: Path) -> str:
    # A path in a file: URI: '?' and '#' would end it, '%' starts an escape.
    text = os.fspath(path.absolute())
    for char, escape in (("%", "%25"), ("?", "%3f"), ("#", "%23")):
        text = text.replace(char, escape)
    if os.name == "nt":
        text = "/" + text.replace("\\", "/")
    return text
