"""Backups: `detainer-desk backup` and `restore`, the daily copies, and a PostgreSQL store
dumped with pg_dump and restored with pg_restore."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import func, select

from detainer_desk.adapters.db.backups import daily_backups
from detainer_desk.adapters.db.engine import make_engine
from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.probe import sqlite_url
from detainer_desk.adapters.db.schema import decisions
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.access import StorageError
from detainer_desk.services.backups import (
    RestorePlan,
    back_up,
    carry_out_restore,
    check_restore,
    made_backup,
)
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import activate_policy, record_decision

from .conftest import REPO_ROOT
from .helpers import JUDICIAL_WARRANT_POLICY, STAFF, request_json, seed_accounts

PASSWORDS = {"chief": "admin passphrase one", "officer.a": "officer passphrase one"}


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    data = str(tmp_path / "data")
    first = run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor", "--password-stdin",
        stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    assert first.code == 0, first.err
    added = run_cli(
        "--data-dir", data, "users", "add", "officer.a", "--role", "officer", "--user", "chief",
        "--password-stdin", stdin=f"{PASSWORDS['chief']}\n{PASSWORDS['officer.a']}\n",
    )  # fmt: skip
    assert added.code == 0, added.err
    policy = tmp_path / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert _cli(run_cli, tmp_path, "policy", "activate", str(policy), user="chief").code == 0
    return tmp_path


def _cli(run_cli, home: Path, *args: str, user: str = "officer.a"):
    return run_cli(
        "--data-dir", str(home / "data"), *args, "--user", user, "--password-stdin",
        stdin=PASSWORDS[user] + "\n",
    )  # fmt: skip


def _record(run_cli, home: Path, booking: str) -> None:
    request = home / f"{booking}.json"
    request.write_text(request_json(**{"subject.booking_number": booking}))
    result = _cli(run_cli, home, "record", str(request))
    assert result.code == 0, result.err


def _decisions_in(path: Path) -> int:
    conn = sqlite3.connect(path)
    try:
        return int(conn.execute("SELECT count(*) FROM decisions").fetchone()[0])
    finally:
        conn.close()


def _verified(path: Path) -> int:
    engine = make_engine(sqlite_url(path))
    try:
        result = list(verify_store(engine))[-1]
    finally:
        engine.dispose()
    assert result.fault is None, str(result.fault)
    return result.checked


# -- backup -------------------------------------------------------------------------------


def test_backup_is_a_checked_private_copy_and_audited(home: Path, run_cli) -> None:
    for n in range(2):
        _record(run_cli, home, f"B{n}")
    target = home / "copies" / "records.sqlite3"
    result = _cli(run_cli, home, "backup", str(target), user="chief")
    assert result.code == 0, result.err
    assert "Backed up" in result.out and "chain verification" in result.out
    conn = sqlite3.connect(target)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    assert _decisions_in(target) == 2
    assert _verified(target) > 0
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600  # criminal-justice information
    trail = _cli(run_cli, home, "audit", "--action", "store.", "--json", user="chief")
    events = [json.loads(line) for line in trail.out.splitlines()]
    assert [(e["action"], e["outcome"], e["user"]) for e in events] == [
        ("store.backup", "success", "chief")
    ]
    assert events[0]["target"] == str(target)


def test_backup_refuses_to_overwrite_without_force(home: Path, run_cli) -> None:
    target = home / "b.sqlite3"
    assert _cli(run_cli, home, "backup", str(target), user="chief").code == 0
    earlier = target.read_bytes()
    _record(run_cli, home, "B1")
    refused = _cli(run_cli, home, "backup", str(target), user="chief")
    assert refused.code == 2 and "--force" in refused.err
    assert target.read_bytes() == earlier
    # --force replaces an earlier backup (only a backup: see test_files_and_outputs.py).
    forced = _cli(run_cli, home, "backup", str(target), "--force", user="chief")
    assert forced.code == 0, forced.err
    assert _verified(target) > 0 and _decisions_in(target) == 1


def test_backup_needs_an_administrator(home: Path, run_cli) -> None:
    target = home / "b.sqlite3"
    nobody = run_cli("--data-dir", str(home / "data"), "backup", str(target))
    assert nobody.code == 2 and "--user NAME" in nobody.err
    officer = _cli(run_cli, home, "backup", str(target))
    assert officer.code == 2 and "may not back up and restore the records" in officer.err
    assert not target.exists()


WRITER = """
import datetime as dt, sys
sys.path.insert(0, sys.argv[2])
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import record_decision
from tests.helpers import request_json
runtime = open_runtime(resolve_paths(sys.argv[1]), keep_daily_backups=0)
for n in range(int(sys.argv[3])):
    record_decision(runtime.uow(), request_json(**{"subject.booking_number": f"LIVE-{n}"}),
                    "r", [], Actor("officer.a", "W"), dt.datetime.now(dt.UTC))
    print(n, flush=True)
"""


def test_backup_of_a_database_being_written_is_consistent(tmp_path: Path, run_cli) -> None:
    data = tmp_path / "data"
    runtime = open_runtime(resolve_paths(data))
    now = dt.datetime.now(dt.UTC)
    seed_accounts(runtime.uow(), now)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "T"), now)
    runtime.close()
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(data), str(REPO_ROOT), "120"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None
        for _ in range(20):
            writer.stdout.readline()  # it is well under way
        copies = []
        for n in range(3):
            copy = tmp_path / f"live-{n}.sqlite3"
            # The seeded accounts have no passwords: back up as the first administrator
            # would, straight through the adapter the command uses.
            engine = make_engine(sqlite_url(resolve_paths(data).database_file))
            try:
                from detainer_desk.adapters.db.backups import copy_database, sqlite_path

                copy_database(sqlite_path(engine), copy)
            finally:
                engine.dispose()
            copies.append(copy)
    finally:
        _out, err = writer.communicate(timeout=300)
    assert writer.returncode == 0, err
    counts = [_decisions_in(c) for c in copies]
    assert counts == sorted(counts) and counts[0] >= 20 and counts[-1] <= 120
    for copy in copies:  # an entry per account seeded (accounts are evidence), the policy's 3
        assert _verified(copy) == len(STAFF) + 3 + 3 * _decisions_in(copy)


def test_a_copy_that_fails_is_audited_as_failed_by_the_one_backup(tmp_path: Path) -> None:
    """The window and the command back up through the same service: a copy that fails
    (here the store's own refusal to write over itself) is audited as failed and raised,
    its plain words unchanged; nothing is written."""
    runtime = open_runtime(resolve_paths(tmp_path / "data"))
    try:
        now = runtime.clock()
        seed_accounts(runtime.uow(), now)
        live = runtime.sqlite_file
        steps = back_up(
            runtime.uow, Actor("admin", "W"), str(live), now, lambda: runtime.backup_to(live)
        )
        with pytest.raises(StorageError, match="cannot be written over the database itself"):
            made_backup(steps)
    finally:
        runtime.close()
    conn = sqlite3.connect(live)
    try:
        rows = conn.execute(
            "SELECT user_name, outcome, details_json FROM audit_events WHERE action = ?",
            ("store.backup",),
        ).fetchall()
    finally:
        conn.close()
    assert [(user, outcome) for user, outcome, _ in rows] == [("admin", "failure")]
    assert "over the database itself" in json.loads(rows[0][2])["why"]


# -- restore ------------------------------------------------------------------------------


def test_restore_replaces_the_records_keeps_the_old_ones_and_audits(home: Path, run_cli) -> None:
    for n in range(2):
        _record(run_cli, home, f"B{n}")
    backup = home / "backup.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    _record(run_cli, home, "AFTER-BACKUP")

    restored = _cli(run_cli, home, "restore", str(backup), "--yes", user="chief")
    assert restored.code == 0, restored.err
    assert "Restored" in restored.out and "kept at" in restored.out
    live = resolve_paths(home / "data").database_file
    assert _decisions_in(live) == 2
    assert run_cli("--data-dir", str(home / "data"), "verify").code == 0
    aside = next(resolve_paths(home / "data").backups_dir.glob("*-replaced-by-restore.sqlite3"))
    assert _decisions_in(aside) == 3  # nothing is ever thrown away
    trail = _cli(run_cli, home, "audit", "--action", "store.restore", "--json", user="chief")
    events = [json.loads(line) for line in trail.out.splitlines()]
    assert events and events[0]["details"]["backup"] == str(backup)
    assert events[0]["details"]["replaced_kept_at"] == str(aside)


def test_the_windows_restore_is_the_same_use_case_in_two_steps(tmp_path: Path) -> None:
    """The window checks first (in the background), asks, then carries the restore out:
    the same service as ``detainer-desk restore``. A plan not carried out changes
    nothing; carried out, the records are replaced, kept aside, and audited in both."""
    runtime = open_runtime(resolve_paths(tmp_path / "data"))
    try:
        now = runtime.clock()
        seed_accounts(runtime.uow(), now)
        backup = tmp_path / "backup.sqlite3"
        entries, _head = runtime.backup_to(backup)
        with runtime.uow() as uow:
            uow.accounts.add_user("later", "Later", "not-a-real-hash", frozenset({"officer"}), now)
            uow.commit()
        admin = Actor("admin", "W", frozenset({"admin"}))
        files = runtime.restore_files()

        def plan() -> RestorePlan:
            return check_restore(
                files,
                backup,
                "the records",
                admin,
                passphrase=lambda: "",
                sign_in=lambda _records: admin,
                session=False,
            )

        unconfirmed = plan()
        assert unconfirmed.checked.entries == entries
        assert unconfirmed.current_entries == runtime.verified_entries()
        unconfirmed.close()
        with runtime.uow() as uow:
            assert uow.accounts.user("later") is not None  # nothing changed

        done = carry_out_restore(plan(), runtime.clock)
        assert done.entries == entries
        with runtime.uow() as uow:
            assert uow.accounts.user("later") is None
    finally:
        runtime.close()
    for store in (runtime.sqlite_file, done.aside):
        conn = sqlite3.connect(store)
        try:
            rows = conn.execute(
                "SELECT user_name, outcome FROM audit_events WHERE action = ?",
                ("store.restore",),
            ).fetchall()
        finally:
            conn.close()
        assert rows == [("admin", "success")]


def test_restore_asks_first_and_changes_nothing_unconfirmed(home: Path, run_cli) -> None:
    backup = home / "backup.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    _record(run_cli, home, "B1")
    refused = _cli(run_cli, home, "restore", str(backup), user="chief")
    assert refused.code == 2 and "--yes" in refused.err and "Replace the records" in refused.err
    assert _decisions_in(resolve_paths(home / "data").database_file) == 1
    officer = _cli(run_cli, home, "restore", str(backup), "--yes")
    assert officer.code == 2 and "may not back up and restore" in officer.err
    assert _decisions_in(resolve_paths(home / "data").database_file) == 1


def _tampered_backup(home: Path, run_cli) -> Path:
    backup = home / "tampered.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    conn = sqlite3.connect(backup)
    for (trigger,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'"):
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("UPDATE decisions SET outcome = 'decline'")
    conn.commit()
    conn.close()
    return backup


@pytest.mark.parametrize("kind", ["not-sqlite", "damaged", "tampered", "missing"])
def test_restore_refuses_a_bad_backup_and_changes_nothing(home: Path, run_cli, kind: str) -> None:
    _record(run_cli, home, "B1")
    if kind == "not-sqlite":
        backup = home / "notes.txt"
        backup.write_text("not a database")
        expected = "not a Detainer Desk backup"
    elif kind == "damaged":
        backup = home / "damaged.sqlite3"
        assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
        data = bytearray(backup.read_bytes())
        for offset in range(4096 + 16, len(data), 4096):  # scribble over every page's body
            data[offset : offset + 64] = b"\x5a" * 64
        backup.write_bytes(bytes(data))
        expected = "damaged"
    elif kind == "tampered":
        backup = _tampered_backup(home, run_cli)
        expected = "fails verification"
    else:
        backup = home / "no-such-file.sqlite3"
        expected = "no such file"
    live = resolve_paths(home / "data").database_file
    before = live.read_bytes()
    result = _cli(run_cli, home, "restore", str(backup), "--yes", user="chief")
    assert result.code == 2 and expected in result.err and "Nothing was changed" in result.err
    assert "Traceback" not in result.err
    assert live.read_bytes() == before


def test_restore_over_a_destroyed_database(home: Path, run_cli) -> None:
    _record(run_cli, home, "B1")
    backup = home / "backup.sqlite3"
    assert _cli(run_cli, home, "backup", str(backup), user="chief").code == 0
    live = resolve_paths(home / "data").database_file
    live.write_bytes(b"\x00" * 8192)  # the disk ate it
    broken = run_cli("--data-dir", str(home / "data"), "verify")
    assert broken.code == 2 and "Traceback" not in broken.err
    restored = run_cli("--data-dir", str(home / "data"), "restore", str(backup), "--yes")
    assert restored.code == 0, restored.err
    assert run_cli("--data-dir", str(home / "data"), "verify").code == 0
    aside = next(resolve_paths(home / "data").backups_dir.glob("*-replaced-by-restore.sqlite3"))
    assert aside.read_bytes() == b"\x00" * 8192


def test_backup_and_restore_of_postgresql_point_to_pg_dump(tmp_path: Path, run_cli, pg_url) -> None:
    for command in ("backup", "restore"):
        result = run_cli(command, str(tmp_path / "x"), "--data-dir", str(tmp_path), "--db", pg_url)
        assert result.code == 2 and "pg_dump" in result.err, result.err


# -- daily backups ------------------------------------------------------------------------


def test_daily_backup_at_first_start_of_each_day_keeping_the_last_n(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path / "data")
    day_one = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    open_runtime(paths, now=day_one).close()  # a new, empty store: nothing to back up
    assert daily_backups(paths.backups_dir) == []
    for minutes in (0, 5, 300):  # several starts the same day: one backup
        open_runtime(paths, now=day_one + dt.timedelta(minutes=minutes)).close()
    assert len(daily_backups(paths.backups_dir)) == 1
    for day in range(1, 20):
        open_runtime(paths, now=day_one + dt.timedelta(days=day), keep_daily_backups=5).close()
    kept = daily_backups(paths.backups_dir)
    assert len(kept) == 5
    assert kept[-1].name == "detainer-desk-20260320T120000Z-daily.sqlite3"
    assert kept[0].name == "detainer-desk-20260316T120000Z-daily.sqlite3"
    for backup in kept:
        assert _verified(backup) >= 0


# -- PostgreSQL: pg_dump and pg_restore ---------------------------------------------------


@pytest.mark.postgresql
def test_pg_dump_and_pg_restore_give_a_store_that_verifies(
    tmp_path: Path, pg_server, pg_url: str
) -> None:
    import shutil

    from .pg import libpq_url

    runtime = open_runtime(resolve_paths(tmp_path / "data"), pg_url)
    now = dt.datetime.now(dt.UTC)
    seed_accounts(runtime.uow(), now)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "T"), now)
    for n in range(25):
        record_decision(
            runtime.uow(),
            request_json(**{"subject.booking_number": f"PG-{n}"}),
            "r",
            [],
            Actor("officer.a", "W"),
            now,
        )
    original = list(verify_store(runtime.engine))[-1]
    runtime.close()

    tools = pg_server.bindir
    pg_dump = str(tools / "pg_dump") if tools else shutil.which("pg_dump")
    pg_restore = str(tools / "pg_restore") if tools else shutil.which("pg_restore")
    assert pg_dump and pg_restore, "pg_dump and pg_restore come with PostgreSQL"
    dump = tmp_path / "records.dump"
    subprocess.run(
        [pg_dump, "--format=custom", f"--file={dump}", f"--dbname={libpq_url(pg_url)}"],
        check=True,
        capture_output=True,
    )
    copy_url = pg_server.create_database()
    try:
        subprocess.run(
            [
                pg_restore,
                "--no-owner",
                "--exit-on-error",
                f"--dbname={libpq_url(copy_url)}",
                str(dump),
            ],
            check=True,
            capture_output=True,
        )
        restored = open_runtime(resolve_paths(tmp_path / "data"), copy_url)
        try:
            result = list(verify_store(restored.engine))[-1]
            assert result.fault is None
            assert (result.checked, result.last_hash) == (original.checked, original.last_hash)
            with restored.engine.connect() as conn:
                assert conn.execute(select(func.count()).select_from(decisions)).scalar_one() == 25
        finally:
            restored.close()
    finally:
        pg_server.drop_database(copy_url)
