"""Before the store is opened: the first look at it (schema revision, whether any account
exists), which decides whether the sign-in page can show at once; and today's automatic
backup, left for after the window is up and copied in steps that let writers in."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from detainer_desk.adapters.db import backups
from detainer_desk.adapters.db.backups import CopyCancelled, copy_database, daily_backups
from detainer_desk.adapters.db.engine import DatabaseError
from detainer_desk.adapters.db.migrate import HEAD_REVISION
from detainer_desk.paths import AppPaths, resolve_paths
from detainer_desk.runtime import FirstPage, StoreProbe, open_runtime, probe_store

from .conftest import REPO_ROOT
from .test_gui_support import open_store, seed_admin

FIXTURE_REV0001 = REPO_ROOT / "tests" / "fixtures" / "db" / "rev0001-demo-60.sqlite3"


def _paths(data_dir: Path) -> AppPaths:
    return resolve_paths(data_dir, environ={})


def _look(data_dir: Path, db: str | None = None) -> StoreProbe | None:
    return probe_store(_paths(data_dir), db)


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _store_with_admin(data_dir: Path) -> Path:
    runtime = open_store(data_dir)
    try:
        seed_admin(runtime)
    finally:
        runtime.close()
    return _paths(data_dir).database_file


def _set_revision(database: Path, revision: str) -> None:
    conn = sqlite3.connect(database)
    try:
        with conn:
            conn.execute("UPDATE alembic_version SET version_num = ?", (revision,))
    finally:
        conn.close()


# -- the first look -----------------------------------------------------------------------


def test_a_store_with_an_account_can_show_the_sign_in_page_first(tmp_path: Path) -> None:
    database = _store_with_admin(tmp_path / "data")
    before = _digest(database)

    assert _look(tmp_path / "data") == StoreProbe(FirstPage.SIGN_IN)
    assert _digest(database) == before  # nothing written


def test_a_new_folder_or_a_store_without_accounts_is_opened_first(tmp_path: Path) -> None:
    assert _look(tmp_path / "nothing-here") is None
    open_store(tmp_path / "data").close()  # migrated, but nobody has been set up yet
    assert _look(tmp_path / "data") is None


def test_an_older_store_is_upgraded_before_anyone_signs_in(tmp_path: Path) -> None:
    database = _paths(tmp_path / "data").database_file
    database.parent.mkdir(parents=True)
    shutil.copyfile(FIXTURE_REV0001, database)
    before = _digest(database)

    assert _look(tmp_path / "data") == StoreProbe(FirstPage.UPGRADE)
    assert _digest(database) == before
    assert sorted(p.name for p in database.parent.iterdir()) == [database.name]


def test_a_store_written_by_a_newer_program_is_refused_in_plain_words(tmp_path: Path) -> None:
    database = _store_with_admin(tmp_path / "data")
    _set_revision(database, "9999")
    before = _digest(database)

    probe = _look(tmp_path / "data")

    assert probe is not None and probe.first_page is FirstPage.REFUSE
    assert probe.message == (
        f"this database was written by a newer Detainer Desk (schema 9999); this program "
        f"knows schema {HEAD_REVISION} at most. Install the newer version; nothing was changed."
    )
    with pytest.raises(DatabaseError) as refused:  # opening it says the same
        open_runtime(_paths(tmp_path / "data"))
    assert str(refused.value) == probe.message
    assert _digest(database) == before


@pytest.mark.parametrize(
    "what",
    ["a server", "a URL with options", "an empty file", "not a database", "another program's"],
)
def test_anything_but_our_plain_sqlite_file_is_opened_first(tmp_path: Path, what: str) -> None:
    data = tmp_path / "data"
    database = _store_with_admin(data)
    db = None
    if what == "a server":
        db = "postgresql+psycopg://counsel@db.example/records"
    elif what == "a URL with options":
        db = f"sqlite:///{database}?timeout=3"
    elif what == "an empty file":
        database.write_bytes(b"")
    elif what == "not a database":
        database.write_bytes(b"these are not the records\n" * 200)
    else:
        database.unlink()
        conn = sqlite3.connect(database)
        conn.execute("CREATE TABLE users (name TEXT)")
        conn.execute("INSERT INTO users VALUES ('someone')")
        conn.commit()
        conn.close()
    assert _look(data, db) is None


def test_a_store_held_by_a_writer_is_opened_first_not_waited_for(tmp_path: Path) -> None:
    database = _store_with_admin(tmp_path / "data")
    writer = sqlite3.connect(database, isolation_level=None)
    try:
        journal = writer.execute("PRAGMA journal_mode").fetchone()[0].lower()
        writer.execute("BEGIN EXCLUSIVE")
        probe = _look(tmp_path / "data")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    # With the rollback journal an exclusive lock keeps every reader out: no quick answer,
    # so the store is opened the ordinary way (which waits as long as a writer may). With
    # WAL, readers are not kept out.
    assert probe == (StoreProbe(FirstPage.SIGN_IN) if journal == "wal" else None)


FIRST_LOOK_IMPORTS = """
import json, sys
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import probe_store
probe = probe_store(resolve_paths(sys.argv[1], environ={}))
print(json.dumps({"probe": probe.first_page.value if probe else None, "modules": sorted(sys.modules)}))
"""


def test_the_first_look_loads_no_database_library(tmp_path: Path) -> None:
    _store_with_admin(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", FIRST_LOOK_IMPORTS, str(tmp_path / "data")],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    seen = json.loads(done.stdout)
    assert seen["probe"] == "sign in"
    top = {name.split(".")[0] for name in seen["modules"]}
    assert top & {"sqlalchemy", "alembic", "psycopg", "argon2", "reportlab", "PySide6"} == set()


# -- a copy in steps ----------------------------------------------------------------------


@pytest.fixture
def busy_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of a few dozen pages, copied one page per step, with a scratch table this
    test writes into (a write anywhere makes SQLite start a copy in steps again)."""
    database = _store_with_admin(tmp_path / "data")
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("CREATE TABLE scratch (n INTEGER)")
    conn.close()
    monkeypatch.setattr(backups, "STEP_PAGES", 1)
    return database


def _writer_between_steps(database: Path, at_steps: Callable[[int], bool]) -> Callable[[], bool]:
    """A ``cancelled`` call-back (the copy asks it between two steps) that writes a row
    when ``at_steps(step)``, through its own connection, without waiting for any lock: it
    fails at once if the copy holds the database between steps."""
    step = 0

    def between_steps() -> bool:
        nonlocal step
        step += 1
        if at_steps(step):
            conn = sqlite3.connect(database, timeout=0, isolation_level=None)
            try:
                conn.execute("INSERT INTO scratch VALUES (?)", (step,))
            finally:
                conn.close()
        return False

    return between_steps


def test_a_copy_in_steps_lets_writers_in_and_is_still_of_one_moment(
    busy_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.sqlite3"
    copy_database(
        busy_store,
        target,
        in_steps=True,
        cancelled=_writer_between_steps(busy_store, {3}.__contains__),
    )

    conn = sqlite3.connect(target)
    try:
        # The write made in the middle is in the copy: it was started again after it.
        assert conn.execute("SELECT n FROM scratch").fetchall() == [(3,)]
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (1,)
    finally:
        conn.close()
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_copy_overtaken_by_every_write_gives_up_and_leaves_nothing(
    busy_store: Path, tmp_path: Path
) -> None:
    target = tmp_path / "copy.sqlite3"
    with pytest.raises(DatabaseError, match=r"changed \d+ times while it was being copied"):
        copy_database(
            busy_store, target, in_steps=True, cancelled=_writer_between_steps(busy_store, bool)
        )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]  # no copy, no partial file


def test_a_copy_in_steps_stops_when_asked_and_leaves_nothing(
    busy_store: Path, tmp_path: Path
) -> None:
    asked = 0

    def cancelled() -> bool:
        nonlocal asked
        asked += 1
        return asked > 2

    with pytest.raises(CopyCancelled):
        copy_database(busy_store, tmp_path / "copy.sqlite3", in_steps=True, cancelled=cancelled)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"]


# -- today's backup, later ----------------------------------------------------------------


def test_todays_backup_can_be_left_for_after_the_window_is_up(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    paths = _paths(data)
    for made in daily_backups(paths.backups_dir):
        made.unlink()  # the store was set up today: start as on a new day
    opened_at = dt.datetime(2026, 3, 2, 14, tzinfo=dt.UTC)

    runtime = open_runtime(paths, now=opened_at, daily_backup_later=True)
    try:
        assert daily_backups(paths.backups_dir) == []  # not before the window is up
        assert runtime.daily_backup_due and runtime.daily_backup_needed()
        assert runtime.make_daily_backup() is None
        [made] = daily_backups(paths.backups_dir)
        assert made.name == "detainer-desk-20260302T140000Z-daily.sqlite3"
        assert stat.S_IMODE(made.stat().st_mode) == 0o600
        assert not runtime.daily_backup_needed()
    finally:
        runtime.close()
    again = open_runtime(paths, now=opened_at + dt.timedelta(hours=2), daily_backup_later=True)
    try:
        assert again.daily_backup_due and not again.daily_backup_needed()  # made today already
        assert again.make_daily_backup() is None
    finally:
        again.close()
    assert daily_backups(paths.backups_dir) == [made]


def test_a_daily_backup_that_cannot_be_made_is_a_notice(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    paths = _paths(data)
    for made in daily_backups(paths.backups_dir):
        made.unlink()
    runtime = open_runtime(paths, daily_backup_later=True)
    try:
        # After the store opened, the backups folder became something that takes no copy.
        shutil.rmtree(paths.backups_dir)
        paths.backups_dir.write_text("a file where the backups folder should be\n")
        notice = runtime.make_daily_backup()
    finally:
        runtime.close()
    assert notice is not None
    assert notice.startswith("Today's automatic backup could not be made (")
    assert "): the backup " in notice
    assert notice.endswith("The records themselves are unchanged.")
