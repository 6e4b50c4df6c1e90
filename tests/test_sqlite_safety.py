"""SQLite safety: no database on a network share, and no WAL journal on a SQLite library
with the WAL-reset corruption bug (the safe rollback journal instead, said plainly)."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import pytest

from detainer_desk.adapters.db import engine as db_engine
from detainer_desk.adapters.db.engine import (
    DatabaseError,
    choose_journal_mode,
    network_share_problem,
)
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime


@pytest.mark.parametrize(
    ("version", "mode"),
    [
        ("3.40.1", "DELETE"),  # Debian 12
        ("3.45.1", "DELETE"),
        ("3.51.2", "DELETE"),
        ("3.51.3", "WAL"),
        ("3.52.0", "WAL"),
        ("4.0.0", "WAL"),
        ("3.7.0", "DELETE"),
    ],
)
def test_journal_mode_follows_the_library_version(version: str, mode: str) -> None:
    choice = choose_journal_mode(version)
    assert choice.mode == mode
    if mode == "DELETE":
        assert choice.warning and version in choice.warning and "3.51.3" in choice.warning
    else:
        assert choice.warning is None


def test_a_fixed_backport_may_keep_wal() -> None:
    assert choose_journal_mode("3.50.7", frozenset({(3, 50, 7)})).mode == "WAL"
    assert choose_journal_mode("3.50.6", frozenset({(3, 50, 7)})).mode == "DELETE"


@pytest.mark.parametrize(("version", "journal"), [("3.40.1", "delete"), ("3.51.3", "wal")])
def test_the_store_opens_with_the_chosen_journal_and_says_so(
    tmp_path: Path, version: str, journal: str
) -> None:
    opened = open_runtime(resolve_paths(tmp_path), sqlite_version=version)
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == journal
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        if journal == "delete":
            assert len(opened.notices) == 1 and "WAL-reset" in opened.notices[0]
            assert opened.storage_notice == opened.notices[0]
        else:
            assert opened.notices == () and opened.storage_notice is None
    finally:
        opened.close()


def test_a_store_kept_in_wal_earlier_moves_to_the_safe_journal(tmp_path: Path) -> None:
    open_runtime(resolve_paths(tmp_path), sqlite_version="3.52.0").close()
    opened = open_runtime(resolve_paths(tmp_path), sqlite_version="3.40.1")
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "delete"
    finally:
        opened.close()
    assert not (tmp_path / "detainer-desk.sqlite3-wal").exists()


def test_the_command_line_says_it_once(tmp_path: Path, run_cli) -> None:
    # users add opens the store twice; the note is printed once.
    result = run_cli(
        "--data-dir", str(tmp_path), "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin", stdin="a long admin passphrase\n",
    )  # fmt: skip
    assert result.code == 0, result.err
    expected = 1 if choose_journal_mode(sqlite3.sqlite_version).warning else 0
    assert result.err.count("WAL-reset") == expected
    if expected:
        assert result.err.startswith("Note: SQLite ")


MOUNTS = "\n".join(
    [
        "/dev/sda1 / ext4 rw,relatime 0 0",
        "fileserver:/export/jail /mnt/jail nfs4 rw,relatime 0 0",
        "//nas/Records /mnt/county\\040records cifs rw 0 0",
        "me@host:/srv /home/me/remote fuse.sshfs rw 0 0",
        "tmpfs /mnt/jail/local tmpfs rw 0 0",
    ]
)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/mnt/jail/detainer-desk.sqlite3", "nfs4"),
        ("/mnt/jail/sub/folder/new.sqlite3", "nfs4"),  # not there yet: its folder decides
        ("/mnt/county records/dd.sqlite3", "cifs"),
        ("/home/me/remote/dd.sqlite3", "fuse.sshfs"),
        ("/mnt/jail/local/dd.sqlite3", None),  # a local mount inside the share
        ("/mnt/jailhouse/dd.sqlite3", None),  # only a name that starts the same
        ("/var/lib/dd.sqlite3", None),
    ],
)
def test_network_mounts_on_linux(path: str, kind: str | None) -> None:
    problem = network_share_problem(path, platform="linux", mounts_text=MOUNTS)
    if kind is None:
        assert problem is None
    else:
        assert problem is not None
        assert f"({kind} at" in problem and "PostgreSQL" in problem and "lose decisions" in problem


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        (r"\\fileserver\records\detainer-desk.sqlite3", True),
        ("//fileserver/records/detainer-desk.sqlite3", True),
        (r"\\?\UNC\fileserver\records\detainer-desk.sqlite3", True),
        (r"C:\Users\intake\AppData\Local\DetainerDesk\detainer-desk.sqlite3", False),
        (r"\\?\C:\DetainerDesk\detainer-desk.sqlite3", False),
    ],
)
def test_unc_paths_on_windows(path: str, refused: bool) -> None:
    problem = network_share_problem(path, platform="win32", mounts_text="")
    assert (problem is not None) == refused
    if refused:
        assert problem is not None and "UNC" in problem and "PostgreSQL" in problem


def test_opening_a_store_on_a_network_share_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, run_cli
) -> None:
    # This machine has no network share to offer: its mount table says there is one.
    share = tmp_path / "share"
    share.mkdir()
    monkeypatch.setattr(
        db_engine, "_read_mounts", lambda: f"/dev/sda1 / ext4 rw 0 0\nsrv:/x {share} nfs rw 0 0"
    )
    if not sys.platform.startswith("linux"):  # as the engine module reads it
        pytest.skip("mount tables are read on Linux")
    with pytest.raises(DatabaseError, match="network file system"):
        open_runtime(resolve_paths(share / "data"))
    assert not (share / "data" / "detainer-desk.sqlite3").exists()
    result = run_cli("--data-dir", str(share / "data"), "verify")
    assert result.code == 2
    assert "network file system (nfs" in result.err and "PostgreSQL" in result.err


class _PgError(Exception):
    def __init__(self, message: str, sqlstate: str | None) -> None:
        super().__init__(message)
        self.sqlstate = sqlstate


PG_URL = "postgresql+psycopg://desk:secret@db.county.example:5433/records"


@pytest.mark.parametrize(
    ("message", "sqlstate", "during_commit", "expected"),
    [
        ("canceling statement due to lock timeout", "55P03", False, "locked for more than"),
        ("deadlock detected", "40P01", False, "collided"),
        ("could not extend file: No space left on device", "53100", False, "out of disk space"),
        ("password authentication failed for user desk", "28P01", False, "refused the user"),
        ('database "records" does not exist', "3D000", False, "no database 'records'"),
        ("SSL error: certificate verify failed", None, False, "secure (TLS) connection"),
        ("terminating connection due to administrator command", "57P01", False, "was lost"),
        ("consuming input failed: server closed the connection", None, True, "may or may not"),
        (
            'connection failed: connection to server at "10.0.0.5", port 5433 failed: '
            "Connection refused",
            None,
            False,
            "cannot be reached (Connection refused)",
        ),
    ],
)
def test_postgresql_failures_in_plain_words(
    message: str, sqlstate: str | None, during_commit: bool, expected: str
) -> None:
    from detainer_desk.adapters.db.engine import plain_error

    error = plain_error(_PgError(message, sqlstate), PG_URL, during_commit=during_commit)
    assert expected in str(error)
    assert "secret" not in str(error)  # never the password


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("SQLITE_FULL", "is full"),
        ("SQLITE_READONLY", "read-only"),
        ("SQLITE_BUSY", "locked by another program"),
        ("SQLITE_CANTOPEN", "cannot be opened"),
        ("SQLITE_CORRUPT", "restore"),
        ("SQLITE_IOERR_WRITE", "disk failed"),
    ],
)
def test_sqlite_failures_in_plain_words(name: str, expected: str) -> None:
    from detainer_desk.adapters.db.engine import plain_error

    failure = sqlite3.OperationalError("some low-level text")
    failure.sqlite_errorname = name
    assert expected in str(plain_error(failure, "sqlite:////srv/dd.sqlite3"))
