"""The data folder and everything in it are private to the account running the program:
folder 0700, files 0600 (the database with its journal, WAL and shared memory, the logs,
the backups, the checkpoints, the keys), whatever the umask; an older installation's
readable folder is tightened when opened, and the user told once. Checked on the modes
themselves (root reads everything) and, where the suite runs as root, by another account
really trying to read."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from detainer_desk.adapters.db.probe import sqlite_url
from detainer_desk.adapters.files import tighten
from detainer_desk.logs import configure_logging
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime, save_database_url

from .helpers import request_json
from .os_accounts import as_other_account, other_account

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
PASSWORD = "a long enough passphrase"


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def _not_private(folder: Path) -> dict[str, str]:
    """Everything under ``folder`` (and itself) that is not 0700 (folders) / 0600 (files)."""
    found = {}
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        wanted = 0o700 if path.is_dir() else 0o600
        if _mode(path) != wanted:
            found[str(path.relative_to(folder.parent))] = oct(_mode(path))
    return found


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most careless umask: nothing is taken away from what a program asks for."""
    previous = os.umask(0)
    yield
    os.umask(previous)


def _fill(run_cli, home: Path, tmp_path: Path) -> None:
    def cli(*args: str, stdin: str = PASSWORD + "\n"):
        result = run_cli("--data-dir", str(home), *args, stdin=stdin)
        assert result.code == 0, (args, result.err)
        return result

    cli("users", "add", "chief", "--role", "admin", "--without-second-factor", "--password-stdin")
    cli(
        "users", "add", "j.smith", "--role", "officer", "--role", "supervisor",
        "--user", "chief", "--password-stdin", stdin=f"{PASSWORD}\n{PASSWORD}\n",
    )  # fmt: skip
    cli("policy", "activate", "king-county-2014", "--user", "chief", "--password-stdin")
    request = tmp_path / "request.json"
    request.write_text(request_json())
    cli("record", str(request), "--user", "j.smith", "--password-stdin")
    cli("checkpoint", "--user", "chief", "--password-stdin")  # checkpoints/ and keys/
    cli("backup", str(home / "backups" / "by-hand.sqlite3"), "--user", "chief", "--password-stdin")


def test_a_new_data_folder_and_everything_in_it_is_private(
    tmp_path: Path, run_cli, open_umask
) -> None:
    home = tmp_path / "home"
    _fill(run_cli, home, tmp_path)
    # A second start on a later day makes the daily backup; the window's saved server URL.
    opened = open_runtime(resolve_paths(home))
    opened.close()
    save_database_url(resolve_paths(home), "postgresql+psycopg://desk@db.example/dd")
    names = {p.relative_to(home).as_posix() for p in home.rglob("*")}
    assert {
        "detainer-desk.sqlite3", "logs", "logs/detainer-desk.log", "backups", "keys",
        "keys/checkpoint-ed25519.pem", "keys/installation-id", "checkpoints",
        "backups/by-hand.sqlite3", "database-url.txt",
    } <= names, names  # fmt: skip
    assert any(n.startswith("checkpoints/checkpoint-") for n in names)
    assert _not_private(home) == {}


def test_the_databases_journal_wal_and_shared_memory_are_private(
    tmp_path: Path, open_umask
) -> None:
    # WAL (a SQLite without the WAL-reset bug) and the rollback journal (one with it).
    for version, companions in (("3.51.3", ("-wal", "-shm")), ("3.40.1", ("-journal",))):
        home = tmp_path / version
        opened = open_runtime(resolve_paths(home), sqlite_version=version)
        database = opened.paths.database_file
        opened.close()
        writer = sqlite3.connect(database, timeout=10)  # the mode is the file's own now
        try:
            writer.isolation_level = None
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("CREATE TABLE scratch (x)")  # a journal exists until the end
            present = [
                database.with_name(database.name + c)
                for c in companions
                if database.with_name(database.name + c).exists()
            ]
            modes = {p.name: oct(_mode(p)) for p in present}
            writer.execute("ROLLBACK")
        finally:
            writer.close()
        assert len(present) == len(companions), (version, modes)
        assert set(modes.values()) == {"0o600"}, modes
        assert _mode(database) == 0o600


def test_a_database_outside_the_data_folder_is_created_private(tmp_path: Path, open_umask) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    database = elsewhere / "records.sqlite3"
    opened = open_runtime(resolve_paths(tmp_path / "home"), sqlite_url(database))
    opened.close()
    assert _mode(database) == 0o600


def test_log_files_are_private_also_after_rotation(tmp_path: Path, open_umask) -> None:
    import logging

    from detainer_desk import logs

    target = configure_logging(tmp_path / "logs")
    assert target is not None
    logger = logging.getLogger("detainer_desk.test")
    root = logging.getLogger("detainer_desk")
    handler = next(h for h in root.handlers if getattr(h, "baseFilename", "") == str(target))
    try:
        handler.maxBytes = 200  # type: ignore[attr-defined]
        for number in range(20):
            logger.warning("line %d of a log that rotates", number)
        rotated = sorted((tmp_path / "logs").iterdir())
        assert len(rotated) > 1
        assert {p.name: oct(_mode(p)) for p in rotated} == {p.name: "0o600" for p in rotated}
        assert _mode(tmp_path / "logs") == 0o700
    finally:
        root.removeHandler(handler)
        handler.close()
        assert logs.current_log_file() is None or logs.current_log_file() != target


def test_an_older_installations_folder_is_tightened_on_open_and_the_user_told_once(
    tmp_path: Path, run_cli
) -> None:
    home = tmp_path / "home"
    _fill(run_cli, home, tmp_path)
    # What 330fa74 left: a readable folder, database, logs, keys and checkpoints.
    for path in [home, *home.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    first = run_cli("--data-dir", str(home), "verify")
    assert first.code == 0, first.err
    assert "is now private to your account" in first.err
    assert _not_private(home) == {}
    second = run_cli("--data-dir", str(home), "verify")
    assert second.code == 0 and "private" not in second.err


def test_another_account_cannot_read_the_records(tmp_path: Path, run_cli) -> None:
    other_account()  # skipped, with the reason, where no second account can be acted as
    home = tmp_path / "home"
    _fill(run_cli, home, tmp_path)
    # The other account may reach tmp_path (pytest keeps its own folders closed, so it is
    # handed an open descriptor of it): only the data folder's own modes stand in its way.
    tmp_path.chmod(0o755)
    start = os.open(tmp_path, os.O_RDONLY)
    targets = [
        p.relative_to(tmp_path).as_posix()
        for p in home.rglob("*")
        if p.is_file() and not p.is_symlink()
    ]
    assert "home/detainer-desk.sqlite3" in targets and "home/keys/installation-id" in targets

    def read_any() -> int:
        readable = 0
        for relative in targets:
            try:
                fd = os.open(relative, os.O_RDONLY, dir_fd=start)
            except PermissionError:
                continue
            os.close(fd)
            readable += 1
        try:
            os.listdir(os.open("home", os.O_RDONLY, dir_fd=start))
            readable += 1
        except PermissionError:
            pass
        return min(readable, 125)

    try:
        assert as_other_account(read_any) == 0
    finally:
        os.close(start)


def test_files_of_another_account_that_cannot_be_tightened_are_reported(
    tmp_path: Path,
) -> None:
    account = other_account()
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "theirs.txt").write_text("root's file")
    (folder / "theirs.txt").chmod(0o644)
    os.chown(folder, account.pw_uid, account.pw_gid)
    folder.chmod(0o755)
    tmp_path.chmod(0o755)
    start = os.open(tmp_path, os.O_RDONLY)

    def tighten_as_owner_of_folder() -> int:
        os.fchdir(start)
        changed, refused = tighten(Path("data"))
        return 10 * len(changed) + len(refused)

    try:
        # The folder (its own) is tightened; the file of another account is reported.
        assert as_other_account(tighten_as_owner_of_folder) == 11
    finally:
        os.close(start)
    assert _mode(folder) == 0o700 and _mode(folder / "theirs.txt") == 0o644
