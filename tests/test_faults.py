"""Faults of the surroundings: a full disk, a read-only database file or folder, a locked
database, a lost PostgreSQL server. Each time the user gets a plain message (a
DatabaseError; exit status 2 and no traceback from the command line), nothing partial is
stored, and the program works again once the fault is cleared."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from detainer_desk.adapters.db.engine import DatabaseError
from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.schema import EVIDENCE_TABLES, chain_head
from detainer_desk.domain.names import name_index
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import Runtime, open_runtime
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, AttachmentIn
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

OFFICER = Actor("officer.a", "INTAKE-1")
ADMIN = Actor("admin", "ADMIN-1")
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
SCAN = AttachmentIn("scan.pdf", "application/pdf", b"%PDF" + os.urandom(1024 * 1024))


def _open(data_dir: Path, url: str | None = None, **options: object) -> Runtime:
    runtime = open_runtime(resolve_paths(data_dir), url, keep_daily_backups=0, **options)  # type: ignore[arg-type]
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "policy.toml", ADMIN, NOW)
    return runtime


def _record(runtime: Runtime, booking: str, attachments=()) -> int:
    recorded = record_decision(
        runtime.uow(),
        request_json(**{"subject.booking_number": booking}),
        "r.json",
        list(attachments),
        OFFICER,
        NOW,
    )
    return recorded.decision_id


def _state(runtime: Runtime) -> tuple[int, int, tuple[int, ...]]:
    """(chain head, entries verified, rows per evidence table): all must stay put."""
    with runtime.engine.connect() as conn:
        head = conn.execute(select(chain_head.c.last_seq)).scalar_one()
        counts = tuple(
            conn.execute(select(func.count()).select_from(t)).scalar_one() for t in EVIDENCE_TABLES
        )
    result = list(verify_store(runtime.engine))[-1]
    assert result.fault is None, str(result.fault)
    return head, result.checked, counts


# -- a full disk --------------------------------------------------------------------------


@contextlib.contextmanager
def tiny_filesystem(where: Path, size: str) -> Iterator[Path | None]:
    """A small tmpfs mounted at WHERE (root only), or None where mounting is not allowed."""
    where.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0 or not shutil.which("mount") or sys.platform != "linux":
        yield None
        return
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        yield None
        return
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], capture_output=True, check=False)


def _fill(folder: Path) -> Path:
    """Fill the file system holding FOLDER to the last byte."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1024 * 1024, 64 * 1024, 4096, 512, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\xff" * size)
    finally:
        os.close(fd)
    return filler


def test_full_disk_is_explained_stores_nothing_and_passes(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "disk", "8m") as disk:
        data_dir = (disk or tmp_path) / "data"
        runtime = _open(data_dir)
        try:
            _record(runtime, "B-1")
            before = _state(runtime)
            if disk is not None:
                filler = _fill(disk)
                clear = filler.unlink
            else:  # no tiny file system here: SQLite's own size limit gives the same error
                listener = _limit_pages(runtime)
                clear = listener

            with pytest.raises(DatabaseError, match="full") as refused:
                _record(runtime, "B-2", [SCAN])
            assert isinstance(refused.value, RecordError)  # shown like any refusal
            assert "Nothing of the interrupted action was stored" in str(refused.value)

            clear()
            assert _state(runtime) == before  # nothing partial
            _record(runtime, "B-3", [SCAN])  # works again once there is room
            head, checked, _ = _state(runtime)
            assert (head, checked) == (before[0] + 4, before[1] + 4)
        finally:
            runtime.close()
        print(f"\nfull disk: {'a tiny tmpfs' if disk else 'SQLite max_page_count'}")


def _limit_pages(runtime: Runtime):
    def on_connect(dbapi_connection, _record) -> None:
        pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")

    event.listen(runtime.engine, "connect", on_connect)
    runtime.engine.dispose()

    def clear() -> None:
        event.remove(runtime.engine, "connect", on_connect)
        runtime.engine.dispose()

    return clear


def test_full_disk_during_the_daily_backup_is_a_notice_not_a_failure(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "disk", "4m") as disk:
        if disk is None:
            pytest.skip("needs a tiny file system (root and mount)")
        data_dir = disk / "data"
        _open(data_dir).close()
        backups = resolve_paths(data_dir).backups_dir
        filler = _fill(disk)
        opened = open_runtime(resolve_paths(data_dir), now=NOW)
        try:
            assert any("automatic backup could not be made" in n for n in opened.notices)
            assert list(backups.iterdir()) == []  # no half-written backup left behind
        finally:
            opened.close()
        filler.unlink()
        opened = open_runtime(resolve_paths(data_dir), now=NOW)
        opened.close()
        assert len(list(backups.glob("*-daily.sqlite3"))) == 1


# -- read-only file or folder -------------------------------------------------------------


@contextlib.contextmanager
def read_only(path: Path) -> Iterator[None]:
    """Make PATH read-only for this process: permissions for a user; the immutable flag
    for root, whom permissions do not stop."""
    if os.geteuid() != 0:
        mode = path.stat().st_mode
        path.chmod(0o555 if path.is_dir() else 0o444)
        try:
            yield
        finally:
            path.chmod(mode)
        return
    made = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip(f"cannot make {path} read-only as root here: {made.stderr!r}")
    try:
        yield
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=True)


@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_database_is_explained_and_passes(tmp_path: Path, what: str) -> None:
    data_dir = tmp_path / "data"
    runtime = _open(data_dir)
    try:
        _record(runtime, "B-1")
        before = _state(runtime)
        database = Path(str(runtime.engine.url.database))
        runtime.engine.dispose()  # the next use opens the file afresh, as a new session would
        with read_only(database if what == "file" else data_dir):
            with pytest.raises(DatabaseError) as refused:
                _record(runtime, "B-2", [SCAN])
            message = str(refused.value)
            assert "read-only" in message or "cannot be opened" in message
            assert "Traceback" not in message
        assert _state(runtime) == before
        _record(runtime, "B-3")
        assert _state(runtime)[0] == before[0] + 3
    finally:
        runtime.close()


# -- locked -------------------------------------------------------------------------------

SQLITE_LOCKER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    print("locked", flush=True)
    sys.stdin.readline()
    conn.execute("ROLLBACK")
    """
)
POSTGRES_LOCKER = textwrap.dedent(
    """
    import psycopg, sys
    with psycopg.connect(sys.argv[1]) as conn:
        conn.execute("SELECT * FROM chain_head FOR UPDATE")
        print("locked", flush=True)
        sys.stdin.readline()
        conn.rollback()
    """
)


def test_locked_database_is_explained_and_passes_once_released(tmp_path: Path, db_url: str) -> None:
    from .pg import libpq_url

    runtime = _open(tmp_path / "data", db_url, busy_timeout_ms=400, lock_timeout_ms=400)
    try:
        _record(runtime, "B-1")
        before = _state(runtime)
        if db_url.startswith("sqlite"):
            locker = [sys.executable, "-c", SQLITE_LOCKER, str(runtime.engine.url.database)]
        else:
            locker = [sys.executable, "-c", POSTGRES_LOCKER, libpq_url(db_url)]
        holder = subprocess.Popen(locker, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            started = time.monotonic()
            with pytest.raises(DatabaseError, match="locked") as refused:
                _record(runtime, "B-2", [SCAN])
            assert time.monotonic() - started >= 0.3  # it waited its turn first
            assert "Try again" in str(refused.value)
        finally:
            holder.communicate("release\n", timeout=30)
        assert _state(runtime) == before
        _record(runtime, "B-3")
        assert _state(runtime)[0] == before[0] + 3
    finally:
        runtime.close()


# -- PostgreSQL: the server goes away -------------------------------------------------------


@pytest.mark.postgresql
def test_server_stopped_mid_use_is_explained_and_reconnected(
    tmp_path: Path, own_pg_server, pg_url: str
) -> None:
    runtime = _open(tmp_path / "data", pg_url)
    try:
        _record(runtime, "B-1")
        before = _state(runtime)
        own_pg_server.stop("immediate")
        with pytest.raises(DatabaseError, match=r"cannot be reached|was lost") as refused:
            _record(runtime, "B-2", [SCAN])
        assert "127.0.0.1" in str(refused.value) and "Traceback" not in str(refused.value)
        own_pg_server.start()
        assert _state(runtime) == before
        _record(runtime, "B-3")  # the same program goes on: stale connections are replaced
        assert _state(runtime)[0] == before[0] + 3
    finally:
        runtime.close()


@pytest.mark.postgresql
def test_connection_lost_mid_transaction_stores_nothing(
    tmp_path: Path, pg_server, pg_url: str
) -> None:
    from detainer_desk.services.ports import NewRequest, Stamp

    runtime = _open(tmp_path / "data", pg_url)
    try:
        before = _state(runtime)
        stamp = Stamp(NOW, "officer.a", "INTAKE-1")
        request = NewRequest(
            "{}", "LOST, Connection", "1990-01-01", "B-LOST", None, "I-247A", NOW, None
        )
        with pytest.raises(DatabaseError, match="was lost"), runtime.uow() as uow:
            uow.records.add_request(request, name_index("lost"), stamp)
            pid = uow.records.conn.exec_driver_sql("SELECT pg_backend_pid()").scalar()  # type: ignore[attr-defined]
            pg_server.execute(f"SELECT pg_terminate_backend({pid})")
            uow.records.add_request(request, name_index("lost"), stamp)
            uow.commit()
        assert _state(runtime) == before
        _record(runtime, "B-AFTER")
        assert _state(runtime)[0] == before[0] + 3
    finally:
        runtime.close()


@pytest.mark.postgresql
def test_wrong_password_and_missing_database_are_plain(tmp_path: Path, pg_server) -> None:
    wrong = pg_server.admin_url.set(password="wrong password", database="postgres")
    with pytest.raises(DatabaseError, match="refused the user name or password"):
        open_runtime(resolve_paths(tmp_path), wrong.render_as_string(hide_password=False))
    missing = pg_server.admin_url.set(database="no_such_database")
    with pytest.raises(DatabaseError, match=r"there is no database 'no_such_database'"):
        open_runtime(resolve_paths(tmp_path), missing.render_as_string(hide_password=False))


@pytest.mark.postgresql
def test_command_line_says_the_server_is_down_in_plain_words(
    tmp_path: Path, own_pg_server, pg_url: str, run_cli
) -> None:
    data = str(tmp_path / "data")
    common = ("--data-dir", data, "--db", pg_url)
    first = run_cli(
        *common[:2],
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--without-second-factor",
        "--db",
        pg_url,
        "--password-stdin",
        stdin="a long admin passphrase\n",
    )
    assert first.code == 0, first.err
    own_pg_server.stop("fast")
    try:
        result = run_cli("verify", *common)
        assert result.code == 2
        assert "cannot be reached" in result.err and "Traceback" not in result.err
        users = run_cli(
            "users",
            "list",
            *common,
            "--user",
            "chief",
            "--password-stdin",
            stdin="a long admin passphrase\n",
        )
        assert users.code == 2 and "cannot be reached" in users.err
    finally:
        own_pg_server.start()
    assert run_cli("verify", *common).code == 0
