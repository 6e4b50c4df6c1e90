"""Which database failures are the surroundings' (said in plain words: a lock, a full disk,
a lost server, a damaged file) and which are the program's own mistakes (a misspelt column,
a wrong table: shown as a bug, with the traceback kept). Every failure here is a real one,
raised by a real SQLite file or the suite's real PostgreSQL server."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import cast

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from detainer_desk.adapters.db.engine import DatabaseError, is_environmental, plain_error

from .pg import free_port


def _failure(connection: sqlite3.Connection, statement: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as raised:
        connection.execute(statement)
    return raised.value


def test_sqlite_mistakes_of_the_program_are_bugs(tmp_path: Path) -> None:
    connection = sqlite3.connect(tmp_path / "store.sqlite3")
    connection.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY, outcome TEXT)")
    for statement in (
        "SELECT no_such_column FROM decisions",
        "SELECT * FROM no_such_table",
        "SELEC * FROM decisions",
        "INSERT INTO decisions (id, outcome) VALUES (1, 'a', 'b')",
    ):
        failure = _failure(connection, statement)
        assert not is_environmental(failure), (statement, failure)
    connection.close()


def test_sqlite_failures_of_the_surroundings(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite3"
    first = sqlite3.connect(path, timeout=0, isolation_level=None)
    first.execute("CREATE TABLE decisions (id INTEGER PRIMARY KEY)")
    first.execute("BEGIN EXCLUSIVE")
    second = sqlite3.connect(path, timeout=0)
    locked = _failure(second, "SELECT * FROM decisions")
    first.execute("ROLLBACK")
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    written = _failure(read_only, "INSERT INTO decisions DEFAULT VALUES")
    garbage = tmp_path / "not-a-store.sqlite3"
    garbage.write_bytes(b"this is a letter, not a database" * 200)
    damaged = _failure(sqlite3.connect(garbage), "SELECT * FROM sqlite_master")
    for failure, words in (
        (locked, "locked by another program"),
        (written, "read-only"),
        (damaged, "damaged"),
    ):
        assert is_environmental(failure), failure
        assert words in str(plain_error(failure, f"sqlite:///{path}"))
    for connection in (first, second, read_only):
        connection.close()


def test_a_misspelt_column_on_the_store_is_a_bug_not_the_databases_fault(db_runtime) -> None:
    """Through the program's own unit of work on both databases: the failure keeps its own
    type and traceback (the window's bug dialog, the command's 'Unexpected error'), and is
    not turned into 'the database failed ... nothing was stored'."""
    uow = db_runtime.uow()
    with pytest.raises(DBAPIError) as raised, uow:
        uow.records.conn.execute(text("SELECT no_such_column FROM decisions"))
    assert not isinstance(raised.value, DatabaseError)
    assert not is_environmental(raised.value)
    with db_runtime.uow() as again:  # the store goes on working
        assert again.records.conn.execute(text("SELECT count(*) FROM decisions")).scalar() == 0


@pytest.mark.postgresql
def test_postgresql_codes_decide(pg_url: str) -> None:
    from .pg import libpq_url

    engine = create_engine(pg_url)
    try:
        with engine.connect() as connection:
            connection.execute(text("CREATE TABLE decisions (id integer PRIMARY KEY)"))
            connection.commit()
        with pytest.raises(DBAPIError) as misspelt, engine.connect() as connection:
            connection.execute(text("SELECT no_such_column FROM decisions"))
        assert misspelt.value.orig.sqlstate == "42703"
        assert not is_environmental(misspelt.value)
        holder = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import psycopg, sys\n"
                "with psycopg.connect(sys.argv[1]) as c:\n"
                "    c.execute('LOCK TABLE decisions IN ACCESS EXCLUSIVE MODE')\n"
                "    print('locked', flush=True); sys.stdin.readline()\n",
                libpq_url(pg_url),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
            with pytest.raises(DBAPIError) as waited, engine.connect() as connection:
                connection.execute(text("SET lock_timeout = '200ms'"))
                connection.execute(text("SELECT * FROM decisions"))
        finally:
            holder.communicate("release\n", timeout=30)
        assert waited.value.orig.sqlstate == "55P03"
        assert is_environmental(waited.value)
        assert "locked for more than" in str(
            plain_error(cast(Exception, waited.value.orig), pg_url)
        )
    finally:
        engine.dispose()
    nobody = create_engine(f"postgresql+psycopg://desk@127.0.0.1:{free_port()}/records")
    with pytest.raises(DBAPIError) as refused, nobody.connect():
        pass
    assert is_environmental(refused.value)
    assert "cannot be reached" in str(plain_error(cast(Exception, refused.value.orig), nobody.url))
