"""The record store on both databases (a SQLite file, a PostgreSQL server): migrations,
append-only evidence, the hash chain, searching."""

from __future__ import annotations

import datetime as dt
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from detainer_desk.adapters.db.engine import DatabaseError, choose_journal_mode, make_engine
from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.migrate import HEAD_REVISION, backup_sqlite, current_revision
from detainer_desk.adapters.db.schema import EVIDENCE_TABLES
from detainer_desk.domain import lifecycle as lc
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.ports import Actor, AttachmentIn, DecisionQuery
from detainer_desk.services.records import (
    activate_policy,
    amend_decision,
    find_decisions,
    record_decision,
)

from .conftest import REPO_ROOT
from .helpers import JUDICIAL_WARRANT_POLICY, STAFF, request_json, seed_accounts

OFFICER = Actor("officer.a", "INTAKE-1")
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
FIXTURE_DB = REPO_ROOT / "tests" / "fixtures" / "db" / "rev0001-demo-60.sqlite3"


def _verify(runtime):
    return list(verify_store(runtime.engine))[-1]


def _find(runtime, **query):
    return find_decisions(runtime.uow(), DecisionQuery(**query), OFFICER, NOW)


def _record(runtime, **changes):
    return record_decision(runtime.uow(), request_json(**changes), "r.json", [], OFFICER, NOW)


ADMIN = Actor("admin", "ADMIN-1")
SUPERVISOR = Actor("sgt.b", "W")
# Chain entries: one per account seeded (accounts are evidence), a policy version, its
# activation and the audit event of it; then per decision recorded: the request, the
# decision and the audit event.
SETUP_ENTRIES = len(STAFF) + 3
PER_DECISION = 3


def _seed(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "policy.toml", ADMIN, NOW)
    return runtime


@pytest.fixture
def store(db_runtime):
    """A store with accounts and an active policy, on each database in turn."""
    return _seed(db_runtime)


@pytest.fixture
def sqlite_store(runtime):
    return _seed(runtime)


def test_new_database_is_migrated_to_head_and_verifies(db_runtime) -> None:
    assert current_revision(db_runtime.engine) == HEAD_REVISION
    assert _verify(db_runtime).fault is None


def test_new_sqlite_file_uses_a_safe_journal_and_full_sync(runtime) -> None:
    expected = choose_journal_mode(sqlite3.sqlite_version)
    with runtime.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == expected.mode.lower()
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert Path(runtime.engine.url.database).is_file()
    assert runtime.notices == ((expected.warning,) if expected.warning else ())


def test_postgresql_sessions_are_read_committed_with_a_lock_timeout(pg_url, tmp_path) -> None:
    opened = open_runtime(resolve_paths(tmp_path), pg_url)
    try:
        with opened.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
            assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "15s"
        # No SQLite journal notice here; what the server itself risks is said (see
        # test_pg_durability.py: the suite's server runs with fsync=off, without TLS).
        assert not any("SQLite" in notice for notice in opened.notices)
        assert "***" in opened.database_label  # the password is never shown
    finally:
        opened.close()


def test_attachments_round_trip_byte_exact(store) -> None:
    # A TIFF's signature (the bytes are checked), then 1 MiB of every byte value
    scan = b"II*\x00" + bytes(range(256)) * 4096 + b"\x00end"
    recorded = record_decision(
        store.uow(),
        request_json(),
        "r.json",
        [AttachmentIn("scan.tiff", "image/tiff", scan, 0)],
        OFFICER,
        NOW,
    )
    with store.uow() as uow:
        stored = uow.records.attachment_content(recorded.attachments[0].id)
        row = uow.records.decision(recorded.decision_id)
    assert stored == scan
    assert row is not None and row.attachments[0].size == len(scan)
    assert _verify(store).fault is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET outcome = 'success'",
        "DELETE FROM audit_events",
        "UPDATE requests SET subject_name = 'X'",
        "DELETE FROM decisions",
        "UPDATE attachments SET content = x'00'",
        "DELETE FROM policy_versions",
        "UPDATE amendments SET reason = 'x'",
    ],
)
def test_evidence_cannot_be_changed_or_deleted(store, statement: str) -> None:
    scan = AttachmentIn("a.pdf", "application/pdf", b"%PDF scan")
    recorded = record_decision(store.uow(), request_json(), "r", [scan], OFFICER, NOW)
    amend_decision(
        store.uow(), recorded.decision_id, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW
    )
    if store.engine.dialect.name == "postgresql":
        statement = statement.replace("x'00'", "'\\x00'::bytea")
    with pytest.raises(DBAPIError, match="append-only"), store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


@pytest.mark.postgresql
def test_evidence_cannot_be_truncated_on_postgresql(pg_url, tmp_path) -> None:
    opened = _seed(open_runtime(resolve_paths(tmp_path), pg_url))
    try:
        with pytest.raises(DBAPIError, match="append-only"), opened.engine.begin() as conn:
            conn.exec_driver_sql("TRUNCATE audit_events")
    finally:
        opened.close()


def _tamper(runtime, *statements: str) -> None:
    """Change rows by plain SQL after dropping the triggers, as an attacker with the
    database's owner account would."""
    engine = runtime.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for table in EVIDENCE_TABLES:
                conn.exec_driver_sql(f"DROP TRIGGER {table.name}_append_only ON {table.name}")
        else:
            triggers = conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'trigger'"
            ).scalars()
            for trigger in list(triggers):
                conn.exec_driver_sql(f"DROP TRIGGER {trigger}")
        for statement in statements:
            conn.exec_driver_sql(statement)


def test_verify_catches_a_changed_row(store) -> None:
    for n in range(3):
        _record(store, **{"subject.booking_number": f"B{n}"})
    assert _verify(store).checked == SETUP_ENTRIES + 3 * PER_DECISION
    _tamper(store, "UPDATE requests SET subject_name = 'SOMEONE, Else' WHERE id = 2")
    result = _verify(store)
    assert result.fault is not None
    assert result.fault.table == "requests" and result.fault.row_id == 2
    assert "altered" in result.fault.problem


def test_verify_catches_changed_attachment_bytes(store) -> None:
    record_decision(
        store.uow(),
        request_json(),
        "r",
        [AttachmentIn("a.pdf", "application/pdf", b"%PDF original")],
        OFFICER,
        NOW,
    )
    forged = (
        "convert_to('%%PDF forged!!', 'UTF8')"  # psycopg: a literal % is written %%
        if store.engine.dialect.name == "postgresql"
        else "CAST('%PDF forged!!' AS BLOB)"
    )
    _tamper(store, f"UPDATE attachments SET content = {forged}")
    result = _verify(store)
    assert result.fault is not None and result.fault.table == "attachments"


def _derived_from_decisions(runtime) -> list[str]:
    """Tables of derived (not evidence) rows that point at a decision."""
    from sqlalchemy import inspect

    with runtime.engine.connect() as conn:
        inspector = inspect(conn)
        evidence = {t.name for t in EVIDENCE_TABLES}
        return [
            name
            for name in inspector.get_table_names()
            if name not in evidence
            and any(fk["referred_table"] == "decisions" for fk in inspector.get_foreign_keys(name))
        ]


def test_verify_catches_a_deleted_row(store) -> None:
    for n in range(3):
        _record(store, **{"subject.booking_number": f"B{n}"})
    derived = [f"DELETE FROM {t} WHERE decision_id = 2" for t in _derived_from_decisions(store)]
    _tamper(store, *derived, "DELETE FROM decisions WHERE id = 2")
    result = _verify(store)
    assert result.fault is not None and "missing" in result.fault.problem


def test_newer_schema_is_refused_and_left_alone(tmp_path: Path, db_url: str) -> None:
    paths = resolve_paths(tmp_path / "data")
    opened = open_runtime(paths, db_url)
    with opened.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    opened.close()
    before = paths.database_file.read_bytes() if db_url.startswith("sqlite") else None
    with pytest.raises(DatabaseError, match="newer Detainer Desk"):
        open_runtime(paths, db_url)
    if before is not None:
        assert paths.database_file.read_bytes() == before
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == "9999"
    finally:
        engine.dispose()


def test_online_backup_is_consistent_and_verifies(sqlite_store, tmp_path: Path) -> None:
    store = sqlite_store
    for n in range(5):
        _record(store, **{"subject.booking_number": f"B{n}"})
    backup = backup_sqlite(store.engine, tmp_path / "backups", "test", NOW)
    conn = sqlite3.connect(backup)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
    copy = open_runtime(resolve_paths(tmp_path / "restored"), f"sqlite:///{backup}")
    assert _verify(copy).checked == SETUP_ENTRIES + 5 * PER_DECISION
    copy.close()


def test_database_of_the_previous_revision_opens_and_verifies(tmp_path: Path) -> None:
    target = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE_DB, target)
    opened = open_runtime(resolve_paths(tmp_path), f"sqlite:///{target}")
    try:
        assert current_revision(opened.engine) == HEAD_REVISION
        result = _verify(opened)
        assert result.fault is None and result.checked > 60
        with opened.uow() as uow:  # a store from before accounts existed: read it directly
            assert len(uow.records.find_decisions(DecisionQuery(limit=100))) == 60
    finally:
        opened.close()


def test_search_by_name_words_a_number_and_booking(store) -> None:
    _record(
        store,
        **{
            "subject.name": "DOE, John",
            "subject.booking_number": "B1",
            "subject.a_number": "12345678",
        },
    )
    _record(
        store,
        **{"subject.name": "DOE, Jane", "subject.booking_number": "B2", "subject.a_number": None},
    )
    _record(
        store,
        **{"subject.name": "ROE, Johnny", "subject.booking_number": "B3", "subject.a_number": None},
    )

    def search(text: str) -> list[str]:
        return sorted(i.booking_number for i in _find(store, search=text).items)

    assert search("doe") == ["B1", "B2"]
    assert search("john") == ["B1", "B3"]
    assert search("doe jo") == ["B1"]
    assert search("A012345678") == ["B1"]
    assert search("012345678") == ["B1"]
    assert search("B3") == ["B3"]
    assert search("smith") == []


def test_keyset_paging_with_equal_received_times(store) -> None:
    for n in range(7):
        _record(store, **{"subject.booking_number": f"B{n}"})  # all received at the same instant
    seen: list[str] = []
    after = None
    while True:
        page = _find(store, limit=3, after=after)
        seen += [i.booking_number for i in page.items]
        if page.next_after is None:
            break
        after = page.next_after
    assert seen == [f"B{n}" for n in reversed(range(7))]


def test_filters_outcome_dates_and_officer(store) -> None:
    _record(store, **{"subject.booking_number": "B1"})
    record_decision(
        store.uow(),
        request_json(**{"subject.booking_number": "B2", "documents": []}),
        "r",
        [],
        Actor("officer.b", "W"),
        NOW,
    )
    assert [i.booking_number for i in _find(store, outcome="notify").items] == ["B2"]
    assert [i.booking_number for i in _find(store, recorded_by="officer.b").items] == ["B2"]
    day = dt.datetime(2026, 2, 10, tzinfo=dt.UTC)
    assert len(_find(store, received_from=day).items) == 2
    assert _find(store, received_to=day).items == ()


def test_decision_index_follows_amendments(store) -> None:
    from sqlalchemy import select

    from detainer_desk.adapters.db.schema import decision_index

    recorded = _record(store)
    release = dt.datetime(2026, 2, 11, 23, 0, tzinfo=dt.UTC)
    amend_decision(
        store.uow(),
        recorded.decision_id,
        lc.RELEASE_ELIGIBLE,
        SUPERVISOR,
        release,  # recorded once it has happened (a fact in the future is refused)
        effective_at=release,
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(decision_index)).mappings().one()
    assert row["status"] == lc.AWAITING_COUNTERSIGN and row["outcome_in_force"] == "hold"
    assert row["hold_until_utc"] == "2026-02-13T23:00:00.000000Z" and row["closed"] == 0
    amend_decision(
        store.uow(),
        recorded.decision_id,
        lc.LIFTED,
        SUPERVISOR,
        release,
        reason="ICE cancelled the request",
    )
    with store.engine.connect() as conn:
        row = conn.execute(select(decision_index)).mappings().one()
    assert (row["status"], row["closed"], row["lift_reason"]) == (
        lc.STATUS_LIFTED,
        1,
        "ICE cancelled the request",
    )


def test_index_is_rebuilt_for_an_older_store(tmp_path: Path) -> None:
    from sqlalchemy import func, select

    from detainer_desk.adapters.db.schema import decision_index

    target = tmp_path / "old.sqlite3"
    shutil.copy(FIXTURE_DB, target)
    opened = open_runtime(resolve_paths(tmp_path), f"sqlite:///{target}")
    try:
        with opened.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(decision_index)).scalar_one() == 60
    finally:
        opened.close()
