"""The chain is exactly entries 1 .. head, and nothing counsel or the holds board relies on
escapes verification: on both databases the database refuses rows planted outside the
chain, and verify (which trusts no trigger) names them; derived rows (the decision index,
the name words) are recomputed from the evidence; accounts and settings changed behind the
program's back are named, and such an account is not used; SQLite's own integrity check
names a damaged file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy.exc import DBAPIError

from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.domain import lifecycle as lc
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services import accounts as svc
from detainer_desk.services.access import AlteredOutsideError, PermissionDenied
from detainer_desk.services.board import active_holds
from detainer_desk.services.ports import Actor, DecisionQuery
from detainer_desk.services.records import (
    activate_policy,
    amend_decision,
    find_decisions,
    record_decision,
)

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts, tamper

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "W")
ADMIN = Actor("admin", "ADMIN-1")
NAMES = ("RIVERA, Ana", "GARCIA, Jose Luis", "NGUYEN, Minh", "OKAFOR, Chinedu")


def _verify(runtime):
    return list(verify_store(runtime.engine))[-1]


def _occurrences(data: bytes, word: bytes) -> list[int]:
    found, at = [], data.find(word)
    while at >= 0:
        found.append(at)
        at = data.find(word, at + 1)
    return found


def _officer_b_found(path: Path) -> int:
    """How many decisions ``export --officer officer.b`` finds (it reads the index)."""
    conn = sqlite3.connect(path)
    try:
        return int(
            conn.execute(
                "SELECT count(*) FROM decisions WHERE recorded_by = 'officer.b'"
            ).fetchone()[0]
        )
    finally:
        conn.close()


def _verify_chain_only(runtime):
    from detainer_desk.adapters.db import chain

    spans = list(chain.walk_chain(runtime.ledger()._connect, whole_store=False))
    return spans[-1]


def _fault(runtime) -> str:
    result = _verify(runtime)
    assert result.fault is not None, "verify passed"
    return str(result.fault)


@pytest.fixture
def store(db_runtime):
    """Accounts, a policy, four decisions (one held with a release time, one released)."""
    seed_accounts(db_runtime.uow(), NOW)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    for n, name in enumerate(NAMES):
        record_decision(
            db_runtime.uow(),
            request_json(
                **{
                    "subject.name": name,
                    "subject.booking_number": f"B{n}",
                    "release_eligible_at": "2026-02-10T12:00:00-08:00" if n == 1 else None,
                }
            ),
            "r.json",
            [],
            OFFICER,
            NOW,
        )
    amend_decision(db_runtime.uow(), 3, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW)
    assert _verify(db_runtime).fault is None
    return db_runtime


def _head(runtime) -> int:
    return runtime.ledger().head()[0]


def _plant(seq: str) -> list[str]:
    """A copy of request 1 and of its decision, as request and decision 90 numbered ``seq``:
    a decision planted by plain INSERTs (as log and show would display it)."""
    return [
        "INSERT INTO requests (id, seq, entry_hash, request_json, subject_name, dob, "
        "booking_number, a_number, form, received_at, release_eligible_at, recorded_at, "
        f"recorded_by, workstation) SELECT 90, {seq}, entry_hash, request_json, 'PLANTED, Pat', "
        "dob, 'B-PLANTED', a_number, form, received_at, release_eligible_at, recorded_at, "
        "recorded_by, workstation FROM requests WHERE id = 1",
        "INSERT INTO decisions (id, seq, entry_hash, request_id, policy_version_id, outcome, "
        "evaluated_at, decision_json, recorded_at, recorded_by, workstation) "
        f"SELECT 90, {seq}, entry_hash, 90, policy_version_id, 'hold', evaluated_at, "
        "decision_json, recorded_at, recorded_by, workstation FROM decisions WHERE id = 1",
    ]


# -- 1. the chain is exactly entries 1 .. head ------------------------------------------------


@pytest.mark.parametrize("seq", ["0", "-1", "(SELECT last_seq + 2 FROM chain_head)", "5"])
@pytest.mark.parametrize("table", ["requests", "decisions"])
def test_the_database_refuses_a_row_that_is_not_the_next_entry(store, seq, table) -> None:
    """Planted at 0, below it, past the head, or over an entry that exists: refused by the
    database itself, on both databases, whoever connects to it."""
    statement = _plant(seq)[0 if table == "requests" else 1]
    refused = r"next entry|exists already"
    with pytest.raises(DBAPIError, match=refused), store.engine.begin() as c:
        c.exec_driver_sql(statement)
    assert _verify(store).fault is None


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE chain_head SET last_seq = last_seq - 1",
        "UPDATE chain_head SET last_seq = last_seq + 1",
        "UPDATE chain_head SET last_hash = '" + "0" * 64 + "'",
        "DELETE FROM chain_head",
        "INSERT INTO chain_head (id, last_seq, last_hash) VALUES (2, 0, 'x')",
    ],
)
def test_the_chain_head_only_moves_to_the_next_entry(store, statement: str) -> None:
    with pytest.raises(DBAPIError, match="chain head"), store.engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert _verify(store).fault is None


@pytest.mark.postgresql
def test_postgresql_checks_every_entry_number_is_positive(pg_url, tmp_path: Path) -> None:
    opened = open_runtime(resolve_paths(tmp_path), pg_url)
    try:
        with opened.engine.connect() as conn:
            checks = set(
                conn.exec_driver_sql(
                    "SELECT conname FROM pg_constraint WHERE contype = 'c' AND convalidated"
                ).scalars()
            )
        assert {f"ck_{t}_seq_positive" for t in ("requests", "decisions", "state_changes")} <= (
            checks
        )
    finally:
        opened.close()


@pytest.mark.parametrize(
    ("seq", "named"),
    [("0", "entry 0 (decisions #90)"), ("-3", "entry -3 (decisions #90)"), ("HEAD", "beyond")],
)
def test_verify_names_a_row_planted_outside_the_chain(store, run_cli, seq, named) -> None:
    """The triggers dropped (the file's or the role's owner can), a decision planted at 0,
    below it, or past the head: verify, and verify against a checkpoint, name it."""
    number = str(_head(store) + 4) if seq == "HEAD" else seq
    checks = (
        [f"ALTER TABLE {t} DROP CONSTRAINT ck_{t}_seq_positive" for t in ("requests", "decisions")]
        if store.engine.dialect.name == "postgresql"
        else []
    )
    tamper(store, *checks, *_plant(number))
    fault = _fault(store)
    assert named in fault and "added outside the program" in fault
    if store.engine.dialect.name == "sqlite":
        data = str(store.paths.data_dir)
        verified = run_cli("--data-dir", data, "verify")
        assert verified.code == 1 and named in verified.out


# -- 2. derived rows are checked against the evidence --------------------------------------


def _decision_of(runtime, booking: str) -> int:
    with runtime.uow() as uow:
        found = uow.records.find_decisions(DecisionQuery(search=booking, limit=5))
    return found[0].decision_id


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        (  # the finding: the bundle's decisions.csv and the holds board read these
            "UPDATE decision_index SET outcome_in_force = 'transfer', "
            "hold_until = '2026-02-20T12:00:00-08:00' WHERE decision_id = 2",
            "the decision index of decision 2 disagrees with the evidence: it says outcome "
            "in force 'transfer', hold until '2026-02-20T12:00:00-08:00'",
        ),
        (
            "UPDATE decision_index SET closed = 1, status = 'released' WHERE decision_id = 2",
            "the decision index of decision 2 disagrees",
        ),
        (
            "UPDATE decision_index SET felon = 1 WHERE decision_id = 1",
            "the decision index of decision 1 disagrees",
        ),
        ("DELETE FROM decision_index WHERE decision_id = 4", "decision 4 has no row"),
        (
            "INSERT INTO decision_index SELECT 77, status, outcome_in_force, closed, hold_until, "
            "hold_until_utc, release_eligible_at, detainer_issued_at, msc_charge, "
            "msc_charge_code, msc_conviction_date, felon, case_final_order, biometric_match, "
            "statements_made, citizenship_claim, lift_reason, updated_at "
            "FROM decision_index WHERE decision_id = 1",
            "decision 77, which does not exist",
        ),
        (  # a person hidden from log --search and export --search
            "DELETE FROM name_tokens WHERE request_id = 2",
            "the search words of request 2 ('GARCIA, Jose Luis') disagree with its name: the "
            "word 'garcia' is missing",
        ),
        ("DELETE FROM name_pairs WHERE request_id = 3", "the word pair 'minh nguyen' is missing"),
        (
            "INSERT INTO name_tokens (token, request_id, received_at) "
            "SELECT 'garcia', id, received_at FROM requests WHERE id = 4",
            "the word 'garcia' is not in the name",
        ),
        (
            "UPDATE name_tokens SET token = 'smith' WHERE request_id = 1 AND token = 'rivera'",
            "the word 'rivera' is missing",
        ),
        (
            "INSERT INTO name_pairs (token, other, request_id, received_at) "
            "VALUES ('x', 'y', 999, '2026-02-10T16:30:00.000000Z')",
            "name_pairs has a row for request 999",
        ),
    ],
)
def test_verify_recomputes_derived_rows_and_names_the_first_disagreement(
    store, statement: str, named: str
) -> None:
    _tamper_derived(store, statement)
    assert named in _fault(store)


DERIVED_FOREIGN_KEYS = (
    ("decision_index", "fk_decision_index_decision_id_decisions"),
    ("name_tokens", "fk_name_tokens_request_id_requests"),
    ("name_pairs", "fk_name_pairs_request_id_requests"),
)


def _tamper_derived(runtime, statement: str) -> None:
    """Change derived rows as the database's owner can: without foreign keys too (the
    sqlite3 shell has them off; the PostgreSQL role can drop them)."""
    if runtime.engine.dialect.name == "postgresql":
        drops = [f"ALTER TABLE {t} DROP CONSTRAINT {fk}" for t, fk in DERIVED_FOREIGN_KEYS]
        tamper(runtime, *drops, statement)
        return
    path = runtime.engine.url.database
    runtime.engine.dispose()
    conn = sqlite3.connect(path)
    try:
        conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def test_an_altered_index_changes_what_the_board_shows_until_verify_names_it(store) -> None:
    """Why the derived rows must be verified: the holds board reads them."""
    held = {item.row.decision_id for item in active_holds(store.uow(), SUPERVISOR, NOW)}
    assert 2 in held
    tamper(store, "UPDATE decision_index SET closed = 1 WHERE decision_id = 2")
    assert 2 not in {i.row.decision_id for i in active_holds(store.uow(), SUPERVISOR, NOW)}
    assert "decision 2 disagrees" in _fault(store)


def test_a_search_hidden_by_deleted_words_is_named(store) -> None:
    def found() -> list[int]:
        page = find_decisions(store.uow(), DecisionQuery(search="garcia"), OFFICER, NOW)
        return [d.decision_id for d in page.items]

    assert found() == [2]
    tamper(store, "DELETE FROM name_tokens WHERE token = 'garcia'")
    assert found() == []  # the person is hidden from the search ...
    assert "the word 'garcia' is missing" in _fault(store)  # ... and verify says so


def test_an_export_is_refused_over_derived_rows_that_disagree(store, run_cli, tmp_path) -> None:
    from detainer_desk.adapters import pdf
    from detainer_desk.adapters.export.bundle import open_bundle
    from detainer_desk.services.checkpoints import CheckpointError
    from detainer_desk.services.export import Exporter, ExportRequest

    tamper(store, "UPDATE decision_index SET outcome_in_force = 'transfer' WHERE decision_id = 2")
    destination = tmp_path / "bundle"
    with pytest.raises(CheckpointError, match="decision 2 disagrees"):
        for _ in Exporter(
            store.uow,
            store.ledger,
            store.signer,
            open_bundle,
            pdf.render_audit_pdfs,
            pdf.render_checkpoint_pdf,
            lambda: NOW,
        ).export(
            ExportRequest(DecisionQuery(), "Court", str(destination), Actor("counsel.d", "LAW"))
        ):
            pass
    assert not destination.exists()


def test_a_csv_export_is_refused_over_derived_rows_that_disagree(store) -> None:
    import io

    from detainer_desk.services.access import RecordError
    from detainer_desk.services.export import export_csv

    counsel = Actor("counsel.d", "LAW")
    handle = io.StringIO()
    assert (
        export_csv(store.uow(), counsel, DecisionQuery(), "PRA", handle, NOW, store.ledger()) == 4
    )
    tamper(store, "UPDATE decision_index SET hold_until = NULL WHERE decision_id = 2")
    with pytest.raises(RecordError, match=r"decision 2 disagrees.*Nothing was exported"):
        export_csv(store.uow(), counsel, DecisionQuery(), "PRA", io.StringIO(), NOW, store.ledger())


def test_the_index_byte_that_hid_decisions_from_an_officer_export_is_caught(
    runtime, tmp_path: Path
) -> None:
    """One flipped byte inside an index (not a table): the chain, the derived rows and the
    accounts all still agree, and ``export --officer`` reads the index. SQLite's
    integrity check, part of verify, names it."""
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    for n in range(30):
        actor = OFFICER if n % 2 else Actor("officer.b", "W")
        record_decision(
            runtime.uow(),
            request_json(**{"subject.booking_number": f"B{n}"}),
            "r",
            [],
            actor,
            NOW,
        )
    path = Path(runtime.engine.url.database)
    runtime.engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every page in the file itself
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    root = conn.execute(
        "SELECT rootpage FROM sqlite_master WHERE name = 'ix_decisions_recorded_by'"
    ).fetchone()[0]
    conn.close()
    original = path.read_bytes()
    page = original[(root - 1) * page_size : root * page_size]
    for start in _occurrences(page, b"officer.b"):  # the entry whose change loses rows
        data = bytearray(original)
        data[(root - 1) * page_size + start + len("officer.")] = ord("c")  # b -> c
        path.write_bytes(bytes(data))
        if _officer_b_found(path) < 15:
            break
    else:
        pytest.fail("no flipped byte of the index lost a row")
    assert _verify_chain_only(runtime).fault is None  # every row is as it was
    assert "the database file is damaged (SQLite integrity check" in _fault(runtime)


# -- 4. accounts and settings are evidence ------------------------------------------------------


@pytest.mark.parametrize(
    ("statement", "named"),
    [
        (
            "UPDATE users SET roles = 'admin,officer' WHERE name = 'officer.a'",
            "the account 'officer.a' differs from its latest entry in the chain (roles changed",
        ),
        (
            "UPDATE users SET password_hash = 'forged' WHERE name = 'admin'",
            "(password hash changed outside the program)",
        ),
        ("UPDATE users SET locked_at = NULL, disabled = 1 WHERE name = 'sgt.c'", "disabled"),
        (
            "UPDATE users SET second_factor = 'v1:k:c2VjcmV0' WHERE name = 'officer.a'",
            "(second factor changed outside the program)",
        ),
        (
            "UPDATE users SET directory = 'someone.else' WHERE name = 'officer.a'",
            "(directory changed outside the program)",
        ),
        (
            "INSERT INTO users (name, display_name, password_hash, roles, disabled, created_at, "
            "password_changed_at) SELECT 'intruder', 'I', password_hash, 'admin', 0, created_at, "
            "password_changed_at FROM users WHERE name = 'admin'",
            "the account 'intruder' is in no entry of the chain (added outside the program)",
        ),
        ("DELETE FROM users WHERE name = 'sgt.c'", "the account 'sgt.c' is missing"),
        (
            "INSERT INTO settings (key, value, updated_at, updated_by) "
            "VALUES ('county_name', 'Elsewhere', '2026-01-01T00:00:00.000000Z', 'x')",
            "the setting 'county_name' is in no entry of the chain",
        ),
    ],
)
def test_accounts_and_settings_changed_outside_the_program_are_named(
    store, statement: str, named: str
) -> None:
    tamper(store, statement)
    assert named in _fault(store)


def test_a_setting_changed_outside_the_program_is_named(store) -> None:
    import dataclasses

    from detainer_desk.services.settings import read_settings, save_settings

    def with_county(name: str):  # the settings as they are, the county's name changed
        return dataclasses.replace(read_settings(store.uow()), county_name=name)

    save_settings(store.uow(), ADMIN, with_county("Columbia County"), NOW)
    assert _verify(store).fault is None
    tamper(store, "UPDATE settings SET value = 'Other County' WHERE key = 'county_name'")
    assert "the setting 'county_name' differs from its latest entry (value changed" in (
        _fault(store).replace(" in the chain", "")
    )
    with pytest.raises(AlteredOutsideError, match="county_name"):  # not buried by a new save
        save_settings(store.uow(), ADMIN, with_county("Third"), NOW)


def test_an_officer_made_administrator_outside_the_program_cannot_act(store) -> None:
    tamper(store, "UPDATE users SET roles = 'admin,officer' WHERE name = 'officer.a'")
    with pytest.raises(PermissionDenied, match="changed outside the program"):
        svc.list_users(store.uow(), OFFICER, NOW)
    with pytest.raises(AlteredOutsideError, match="roles changed outside"):  # nor be buried
        svc.set_roles(store.uow(), ADMIN, "officer.a", ["officer"], NOW)
    with store.uow() as uow:
        account = uow.accounts.user("officer.a")
    assert account is not None and account.altered is not None
    trail = svc.audit_trail(store.uow(), ADMIN, _denied(), NOW)
    assert trail[0].user_name == "officer.a" and "changed outside" in trail[0].details_json


def _denied():
    from detainer_desk.services.ports import AuditQuery

    return AuditQuery(outcome="denied")


def test_sign_in_refuses_an_account_changed_outside_the_program(tmp_path: Path) -> None:
    runtime = open_runtime(resolve_paths(tmp_path / "data"))
    try:
        security = runtime.security()
        svc.create_first_admin(
            runtime.uow(),
            security,
            "chief",
            "C",
            "a chief passphrase",
            "W",
            NOW,
            require_second_factor=False,
        )
        svc.add_user(
            runtime.uow(),
            security,
            Actor("chief", "W"),
            "officer.z",
            "Z",
            ["officer"],
            "an officer passphrase",
            NOW,
        )
        assert svc.sign_in(runtime.uow(), security, "officer.z", "an officer passphrase", "W", NOW)
        tamper(runtime, "UPDATE users SET roles = 'admin' WHERE name = 'officer.z'")
        with pytest.raises(svc.SignInError, match=r"cannot be used: the account 'officer\.z'"):
            svc.sign_in(runtime.uow(), security, "officer.z", "an officer passphrase", "W", NOW)
        # Emptying the accounts does not make the store look new (no first administrator).
        tamper(runtime, "DELETE FROM users")
        assert not svc.needs_first_admin(runtime.uow())
    finally:
        runtime.close()


def test_every_account_change_is_an_entry_of_the_chain(store) -> None:
    before = _head(store)
    svc.set_roles(store.uow(), ADMIN, "officer.b", ["officer", "supervisor"], NOW)
    svc.set_disabled(store.uow(), ADMIN, "officer.b", True, NOW)
    # each change: the account's new state and the audit event of it
    assert _head(store) == before + 4
    assert _verify(store).fault is None


# -- the memo of verified derivations ---------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_the_memo_of_a_passed_verify_hides_no_later_change(runtime, workers: int) -> None:
    """After a verify that passed, the installation keeps which index rows it derived from
    which evidence; a row altered since, or one whose evidence changed, is derived again
    and named. A verify that finds something keeps nothing."""
    from detainer_desk.adapters.db.derived_scan import IndexMemo
    from detainer_desk.adapters.db.ledger import SqlLedger
    from detainer_desk.services.checkpoints import verify_record

    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    for n, name in enumerate(NAMES):
        record_decision(
            runtime.uow(),
            request_json(**{"subject.name": name, "subject.booking_number": f"B{n}"}),
            "r",
            [],
            OFFICER,
            NOW,
        )
    memo = IndexMemo(runtime.paths.data_dir / "keys")

    def verify():
        return verify_record(SqlLedger(runtime.engine, workers, memo), runtime.signer())

    assert verify().ok
    kept = memo.load()
    assert sorted(kept) == [1, 2, 3, 4] and memo.path.stat().st_mode & 0o077 == 0
    amend_decision(runtime.uow(), 2, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW)
    assert verify().ok  # decision 2's evidence changed: derived again, and it agrees
    assert memo.load()[2] != kept[2] and memo.load()[1] == kept[1]
    written = memo.path.read_bytes()
    tamper(runtime, "UPDATE decision_index SET outcome_in_force = 'decline' WHERE decision_id = 3")
    result = verify()
    assert not result.ok and "decision index of decision 3 disagrees" in result.message
    assert memo.path.read_bytes() == written  # nothing kept from a verify that found a fault


def test_an_older_store_takes_a_baseline_of_its_accounts_and_settings(db_url: str) -> None:
    """A store of revision 0005 kept accounts and settings outside the chain: upgrading
    appends one entry per account and setting, after which verify compares them."""
    from detainer_desk.adapters.db.engine import make_engine
    from detainer_desk.adapters.db.migrate import upgrade_to

    engine = make_engine(db_url)
    try:
        upgrade_to(engine, "0005")
        stamp = "2025-06-01T12:00:00.000000Z"
        with engine.begin() as conn:
            for name, roles in (("chief", "admin"), ("officer.old", "officer")):
                conn.exec_driver_sql(
                    "INSERT INTO users (name, display_name, password_hash, roles, disabled, "
                    f"created_at, password_changed_at) VALUES ('{name}', '{name}', "
                    f"'$argon2id$not-real', '{roles}', 0, '{stamp}', '{stamp}')"
                )
            conn.exec_driver_sql(
                "INSERT INTO settings (key, value, updated_at, updated_by) "
                f"VALUES ('county_name', 'Old County', '{stamp}', 'chief')"
            )
        upgrade_to(engine)
        with engine.connect() as conn:
            kinds = conn.exec_driver_sql(
                "SELECT kind, key FROM state_changes ORDER BY seq"
            ).fetchall()
            head = conn.exec_driver_sql("SELECT last_seq FROM chain_head").scalar()
        assert [tuple(k) for k in kinds] == [
            ("account", "chief"),
            ("account", "officer.old"),
            ("setting", "county_name"),
        ]
        assert head == 3
        result = list(verify_store(engine))[-1]
        assert result.fault is None and result.checked == 3
        with engine.begin() as conn:
            from .helpers import drop_triggers

            drop_triggers(conn)
            conn.exec_driver_sql("UPDATE users SET roles = 'admin' WHERE name = 'officer.old'")
        fault = list(verify_store(engine))[-1].fault
        assert fault is not None and "the account 'officer.old' differs" in str(fault)
    finally:
        engine.dispose()


def test_a_row_planted_at_the_head_stops_recording_in_plain_words(store) -> None:
    """Planted at the head's next number without moving the head: the program's next entry
    is refused by the database, and said so plainly (nothing is stored)."""
    from detainer_desk.services.access import RecordError

    checks = (
        ["ALTER TABLE requests DROP CONSTRAINT ck_requests_seq_positive"]
        if store.engine.dialect.name == "postgresql"
        else []
    )
    tamper(store, *checks, _plant("(SELECT last_seq + 1 FROM chain_head)")[0])
    head = _head(store)
    with pytest.raises(RecordError, match=r"changed outside the program\. Nothing was stored"):
        record_decision(
            store.uow(), request_json(**{"subject.booking_number": "NEXT"}), "r", [], OFFICER, NOW
        )
    assert _head(store) == head
    assert "beyond the chain head" in _fault(store)
