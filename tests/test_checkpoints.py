"""Signed checkpoints: the record provably extends them, and an attacker who alters an old
entry and recomputes the whole chain is caught, with the first altered entry named."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest

from detainer_desk.adapters.db.chain import GENESIS_HASH, chain_hash
from detainer_desk.adapters.db.ledger import verify_store
from detainer_desk.adapters.db.schema import EVIDENCE_TABLES
from detainer_desk.adapters.signing import signature_is_valid
from detainer_desk.services.checkpoints import (
    CheckpointError,
    CheckpointFile,
    create_checkpoint,
    read_checkpoint,
    verify_against_checkpoint,
)
from detainer_desk.services.ports import Actor
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "W")


def _record(runtime, n: int) -> None:
    for i in range(n):
        record_decision(
            runtime.uow(),
            request_json(**{"subject.booking_number": f"B{i}"}),
            "r",
            [],
            OFFICER,
            NOW,
        )


def _checkpoint(runtime) -> CheckpointFile:
    steps = list(
        create_checkpoint(
            runtime.uow(), runtime.ledger(), runtime.signer(), Actor("sgt.b", "W"), NOW
        )
    )
    result = steps[-1]
    assert isinstance(result, CheckpointFile)
    return result


@pytest.fixture
def store(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    _record(runtime, 4)
    return runtime


def _rewrite_history(runtime, statement: str) -> None:
    """What an attacker with the database file would do: alter a row, then recompute every
    entry hash after it and the chain head, so that plain verification passes again."""
    path = runtime.engine.url.database
    runtime.engine.dispose()
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        conn.execute(f"DROP TRIGGER {name}")
    conn.execute(statement)
    rows = []
    for table in EVIDENCE_TABLES:
        for row in conn.execute(f"SELECT * FROM {table.name}"):
            rows.append((row["seq"], table.name, dict(row)))
    previous = GENESIS_HASH
    for _, table_name, row in sorted(rows, key=lambda item: item[0]):
        new_hash = chain_hash(previous, table_name, row)
        conn.execute(f"UPDATE {table_name} SET entry_hash = ? WHERE id = ?", (new_hash, row["id"]))
        previous = new_hash
    conn.execute("UPDATE chain_head SET last_seq = ?, last_hash = ?", (len(rows), previous))
    conn.commit()
    conn.close()


def test_checkpoint_round_trip_and_extension(store) -> None:
    checkpoint_file = _checkpoint(store)
    # Making the checkpoint is itself an audit event, the entry right after it.
    assert checkpoint_file.checkpoint.entries == list(verify_store(store.engine))[-1].checked - 1
    parsed = read_checkpoint(checkpoint_file.to_json(), "c.json", signature_is_valid)
    assert parsed.checkpoint == checkpoint_file.checkpoint
    assert verify_against_checkpoint(store.ledger(), parsed).ok
    _record(store, 2)  # the record grows: it still extends the checkpoint
    result = verify_against_checkpoint(store.ledger(), parsed)
    assert result.ok and "unchanged" in result.message


def test_recomputed_chain_is_caught_and_the_first_altered_entry_named(store) -> None:
    checkpoint_file = _checkpoint(store)
    # (The date of birth: no derived row repeats it, so the plain check sees nothing.)
    _rewrite_history(store, "UPDATE requests SET dob = '1970-01-01' WHERE id = 2")
    assert list(verify_store(store.engine))[-1].fault is None  # the plain check is fooled
    result = verify_against_checkpoint(store.ledger(), checkpoint_file)
    assert not result.ok
    with store.engine.connect() as conn:
        seq = conn.exec_driver_sql("SELECT seq FROM requests WHERE id = 2").scalar()
    assert result.first_bad_seq == seq
    assert f"entry {seq} (requests #2)" in result.message


def test_removed_entries_are_caught(store) -> None:
    checkpoint_file = _checkpoint(store)
    # Truncate the record to its first 10 entries and rewrite the head to match.
    statements = "; ".join(f"DELETE FROM {t.name} WHERE seq > 10" for t in EVIDENCE_TABLES)
    _rewrite_history(store, "DELETE FROM name_tokens")
    path = store.engine.url.database
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.executescript(statements)
    conn.commit()
    conn.close()
    _rewrite_history(store, "SELECT 1")
    result = verify_against_checkpoint(store.ledger(), checkpoint_file)
    assert not result.ok and "entries were removed" in result.message


def test_an_edited_checkpoint_file_is_refused(store) -> None:
    document = json.loads(_checkpoint(store).to_json())
    document["entries"] -= 1
    with pytest.raises(CheckpointError, match="signature is not valid"):
        read_checkpoint(json.dumps(document), "c.json", signature_is_valid)
    with pytest.raises(CheckpointError, match="not a readable checkpoint"):
        read_checkpoint("{not json", "c.json", signature_is_valid)


def test_no_checkpoint_of_an_altered_record(store) -> None:
    path = store.engine.url.database
    store.engine.dispose()
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER requests_no_update")
    conn.execute("UPDATE requests SET subject_name = 'X' WHERE id = 1")
    conn.commit()
    conn.close()
    with pytest.raises(CheckpointError, match="does not verify"):
        _checkpoint(store)


def test_signing_key_is_kept_private(store) -> None:
    signer = store.signer()
    signer.sign(b"x")
    key_file = Path(store.paths.data_dir) / "keys" / "checkpoint-ed25519.pem"
    assert key_file.stat().st_mode & 0o077 == 0
    assert store.signer().public_key_hex == signer.public_key_hex  # the same key next time


def test_cli_checkpoint_and_verify(store, run_cli, tmp_path: Path) -> None:
    data = str(store.paths.data_dir)
    store.close()
    # accounts seeded without real passwords: add a supervisor with one through the service
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime
    from detainer_desk.services import accounts as svc

    runtime = open_runtime(resolve_paths(data))
    svc.add_user(
        runtime.uow(),
        runtime.security(),
        Actor("admin", "W"),
        "sgt.cli",
        "S",
        ["supervisor"],
        "a supervisor passphrase",
        # Made today: the command line signs in at today's time, and an account made at
        # NOW, months ago and never used, is disabled as inactive (issue 17, 90 days).
        dt.datetime.now(dt.UTC),
    )
    runtime.close()
    made = run_cli(
        "--data-dir",
        data,
        "checkpoint",
        "--out",
        str(tmp_path / "cp"),
        "--user",
        "sgt.cli",
        "--password-stdin",
        stdin="a supervisor passphrase\n",
    )
    assert made.code == 0, made.err
    checkpoint_json = next((tmp_path / "cp").glob("checkpoint-*.json"))
    assert next((tmp_path / "cp").glob("checkpoint-*.pdf")).read_bytes().startswith(b"%PDF")
    ok = run_cli("--data-dir", data, "verify", "--checkpoint", str(checkpoint_json))
    assert ok.code == 0 and ok.out.startswith("OK: the record extends the checkpoint")
    runtime = open_runtime(resolve_paths(data))
    _rewrite_history(runtime, "UPDATE decisions SET workstation = 'ELSEWHERE' WHERE id = 1")
    runtime.close()
    # Recomputed: the chain alone verifies, but the installation kept its checkpoint, so
    # plain verify compares with it and names the entry too.
    assert list(verify_store(runtime.engine))[-1].fault is None
    plain = run_cli("--data-dir", data, "verify")
    assert plain.code == 1 and "entry 11 (decisions #1) is not what it was" in plain.out
    caught = run_cli("--data-dir", data, "verify", "--checkpoint", str(checkpoint_json))
    assert (
        caught.code == 1 and "VERIFY FAILED: entry" in caught.out and "decisions #1" in caught.out
    )


def test_a_long_walk_never_keeps_others_from_recording(store, monkeypatch) -> None:
    """The walk reads in short batches: between them a workstation records at once (on
    SQLite's rollback journal a reader holding the file would block every writer)."""
    from detainer_desk.adapters.db import chain

    monkeypatch.setattr(chain, "BATCH", 3)
    walker = store.ledger().walk()
    first = [next(walker) for _ in range(2)]  # into the second batch
    assert [(s.low, s.verified) for s in first] == [(1, 3), (4, 3)]
    record_decision(
        store.uow(), request_json(**{"subject.booking_number": "DURING"}), "r", [], OFFICER, NOW
    )
    rest = list(walker)
    assert all(s.fault is None for s in first + rest)
    assert rest[-1].low + rest[-1].verified - 1 < store.ledger().head()[0]  # new ones came later
    assert list(verify_store(store.engine))[-1].fault is None
