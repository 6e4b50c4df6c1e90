"""The fast chain check: its canonical bytes are the reference bytes exactly, and checking
stretches of the chain in worker processes finds exactly what the sequential walk finds
(same first bad entry, same reason, same head), on real SQLite files."""

from __future__ import annotations

import datetime as dt
import json
import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detainer_desk.adapters.db import chain, schema
from detainer_desk.adapters.db.chain_scan import canonical_bytes, canonical_encoder
from detainer_desk.adapters.db.ledger import SqlLedger, verify_store
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.checkpoints import CheckpointFile, create_checkpoint
from detainer_desk.services.checkpoints import verify_against_checkpoint as against
from detainer_desk.services.ports import Actor, AttachmentIn
from detainer_desk.services.records import activate_policy, amend_decision, record_decision

from .helpers import (
    JUDICIAL_WARRANT_POLICY,
    drop_triggers,
    request_json,
    seed_accounts,
    tamper,
)

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "W")
SUPERVISOR = Actor("sgt.b", "W")
COLUMNS = ["id", "seq", "entry_hash", "alpha", "Beta", "zeta", "_under", "content", "n"]

values = st.one_of(
    st.none(),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=40),
    st.text(alphabet=string.printable + '"\\\x00\x01\x1f\x7f\u2028\u00e9\U0001f600'),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.booleans(),
    st.floats(allow_nan=False),
    st.binary(max_size=8),  # "content" is excluded; elsewhere JSON refuses bytes
)


@settings(max_examples=400, deadline=None)
@given(
    st.fixed_dictionaries({name: values for name in COLUMNS if name != "id"}),
    st.integers(min_value=1, max_value=10**12),
    st.sampled_from(["requests", "audit_events", 'odd "name"']),
)
def test_fast_canonical_bytes_are_the_reference_bytes(row, row_id, table) -> None:
    row["id"] = row_id
    encode = canonical_encoder(table, COLUMNS)
    values_in_order = tuple(row[name] for name in COLUMNS)
    try:
        expected = canonical_bytes(table, row)
    except TypeError:  # bytes outside "content": neither may write them
        with pytest.raises(TypeError):
            encode(values_in_order)
        return
    assert encode(values_in_order) == expected
    assert json.loads(expected)["_id"] == row_id


def test_reference_bytes_by_hand() -> None:
    row = {"id": 7, "seq": 3, "entry_hash": "x", "b": 'say "hi"\n', "a": "é", "c": None}
    assert (
        canonical_bytes("t", row)
        == '{"_id":7,"_table":"t","a":"é","b":"say \\"hi\\"\\n","seq":3}'.encode()
    )
    assert canonical_encoder("t", list(row))(tuple(row.values())) == canonical_bytes("t", row)


# -- the walk in worker processes ---------------------------------------------------------


@pytest.fixture
def store(runtime, monkeypatch):
    """A small real store with attachments and amendments; the walk in spans of 7 entries
    so that a few dozen entries make several worker tasks."""
    monkeypatch.setattr(chain, "SPAN", 7)
    monkeypatch.setattr(chain, "BATCH", 5)
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    for n in range(6):
        scans = [AttachmentIn(f"s{n}.pdf", "application/pdf", b"%PDF scan " + bytes([n]) * 999)]
        outcome = record_decision(
            runtime.uow(),
            request_json(
                **{"subject.booking_number": f"B{n}", "subject.name": f"NAMÉ{n}, Ünïcode"}
            ),
            "r.json",
            scans if n % 2 else [],
            OFFICER,
            NOW,
        )
        if n % 3 == 0:
            amend_decision(
                runtime.uow(), outcome.decision_id, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW
            )
    return runtime


def _both(store):
    sequential = list(verify_store(store.engine, every=1, workers=1))
    parallel = list(verify_store(store.engine, every=1, workers=2))
    return sequential[-1], parallel[-1], len(parallel)


def test_workers_verify_an_intact_store_as_the_walk_does(store) -> None:
    sequential, parallel, reports = _both(store)
    assert sequential.fault is None and parallel.fault is None
    assert sequential.checked == parallel.checked == store.ledger().head()[0] > 20
    assert sequential.last_hash == parallel.last_hash == store.ledger().head()[1]
    assert reports > 4  # progress came span by span
    spans = list(SqlLedger(store.engine, workers=2).walk())
    hashes = b"".join(span.hashes for span in spans)
    assert len(hashes) == 32 * sequential.checked
    assert hashes == b"".join(span.hashes for span in SqlLedger(store.engine, workers=1).walk())


@pytest.mark.parametrize(
    ("statements", "problem"),
    [
        (["UPDATE requests SET subject_name = 'SOMEONE, Else' WHERE id = 4"], "altered"),
        (["UPDATE attachments SET content = CAST('%PDF forged' AS BLOB) WHERE id = 2"], "bytes"),
        (["UPDATE audit_events SET seq = seq + 1000 WHERE id = 9"], "missing"),
        (  # the last amendment moved back onto the first decision's number
            [
                "UPDATE amendments SET seq = (SELECT seq FROM decisions WHERE id = 1) "
                "WHERE id = (SELECT max(id) FROM amendments)"
            ],
            "repeated",
        ),
        (["DELETE FROM policy_activations"], "missing"),  # entry 2: the first span's start
    ],
)
def test_workers_name_the_same_first_bad_entry(store, statements, problem) -> None:
    tamper(store, *statements)
    sequential, parallel, _ = _both(store)
    assert sequential.fault is not None and problem in sequential.fault.problem
    assert parallel.fault == sequential.fault
    assert (parallel.checked, parallel.last_hash) == (sequential.checked, sequential.last_hash)


def test_a_span_whose_previous_entry_is_gone_waits_for_the_span_before(store) -> None:
    """Entry 7 ends the first span; its removal is reported by that span (naming the entry
    that comes next, as the walk does wherever a batch ends), not as a broken link at the
    start of the next span."""
    with store.engine.connect() as conn:
        table = next(
            t.name
            for t in schema.EVIDENCE_TABLES
            if conn.exec_driver_sql(f"SELECT 1 FROM {t.name} WHERE seq = 7").first()
        )
    tamper(store, f"UPDATE {table} SET seq = -7 WHERE seq = 7")
    sequential, parallel, _ = _both(store)
    assert parallel.fault == sequential.fault
    assert parallel.fault is not None and parallel.fault.problem == "entry 7 is missing"
    assert parallel.fault.seq == 8  # named by the entry that comes next


def test_a_checkpoint_catches_a_recomputed_chain_with_workers(store) -> None:
    steps = list(
        create_checkpoint(store.uow(), store.ledger(), store.signer(), Actor("sgt.b", "W"), NOW)
    )
    checkpoint = steps[-1]
    assert isinstance(checkpoint, CheckpointFile)
    ledger = SqlLedger(store.engine, workers=2)
    assert against(ledger, checkpoint).ok
    # Alter entry 12 and recompute every hash after it (what an attacker would do).
    rows = []
    with store.engine.connect() as conn:
        for t in schema.EVIDENCE_TABLES:
            for row in conn.execute(t.select()).mappings():
                rows.append((row["seq"], t, dict(row)))
    rows.sort(key=lambda r: r[0])
    seq12_table, seq12 = rows[11][1], rows[11][2]
    statements = []
    previous = chain.GENESIS_HASH
    for seq, table, row in rows:
        if seq == 12:
            for column in ("subject_name", "reason", "details_json", "target"):
                if column in row and row[column] is not None:
                    row[column] = row[column] + " (altered)"
                    break
            else:
                row["seq"] = 12  # policy or decision rows: alter the recorded time
                row[next(c for c in row if c.endswith("_at"))] = "2020-01-01T00:00:00.000000Z"
        row["entry_hash"] = chain.chain_hash(previous, table.name, row)
        previous = row["entry_hash"]
        sets = ", ".join(f"{k} = :{k}" for k in row if k not in ("id", "content"))
        statements.append((f"UPDATE {table.name} SET {sets} WHERE id = :id", row))
    with store.engine.begin() as conn:
        drop_triggers(conn)
        from sqlalchemy import text

        for statement, row in statements:
            conn.execute(text(statement), {k: v for k, v in row.items() if k != "content"})
        conn.exec_driver_sql(
            f"UPDATE chain_head SET last_seq = {len(rows)}, last_hash = '{previous}'"
        )
    assert list(verify_store(store.engine, workers=2))[-1].fault is None  # plain check fooled
    result = against(ledger, checkpoint)
    assert not result.ok and result.first_bad_seq == 12
    assert f"entry 12 ({seq12_table.name} #{seq12['id']})" in result.message
    assert against(SqlLedger(store.engine, workers=1), checkpoint) == result


def test_the_walk_goes_on_alone_when_workers_cannot_run(store, monkeypatch) -> None:
    """Where no worker process can be started (or one dies), the walk carries on in this
    process from the last span the workers finished, and finds the same result."""
    from concurrent.futures.process import BrokenProcessPool

    from detainer_desk.adapters.db import chain_scan

    def one_span_then_broken(path, upto, workers, *derived_checks):
        yield chain_scan.check_sqlite_span(path, chain.table_columns(), 1, 8)
        raise BrokenProcessPool("a worker was killed")

    expected = list(verify_store(store.engine, workers=1))[-1]
    monkeypatch.setattr(chain, "_walk_in_workers", one_span_then_broken)
    assert list(verify_store(store.engine, workers=2))[-1] == expected


def test_worker_processes_import_only_the_standard_library() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, detainer_desk.adapters.db.chain_scan;"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlalchemy', 'PySide6'}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0 and result.stdout.strip() == "[]", result.stderr


def test_the_administrator_sets_the_workers(store, monkeypatch, caplog) -> None:
    from detainer_desk.adapters import workers

    monkeypatch.setenv(workers.ENVIRONMENT, "3")
    assert workers.worker_count(5, 1_000_000) == 3  # whatever the size
    monkeypatch.setenv(workers.ENVIRONMENT, "1")
    assert workers.worker_count(10**9, 10) == 1  # none at all
    monkeypatch.setenv(workers.ENVIRONMENT, "lots")
    assert workers.worker_count(5, 10) == 1 and "not a number" in caplog.text
    monkeypatch.setenv(workers.ENVIRONMENT, "2")
    assert list(verify_store(store.engine))[-1] == list(verify_store(store.engine, workers=1))[-1]


def test_a_missing_last_entry_is_named(store) -> None:
    last = store.ledger().head()[0]
    with store.engine.connect() as conn:
        table = next(
            t.name
            for t in schema.EVIDENCE_TABLES
            if conn.exec_driver_sql(f"SELECT 1 FROM {t.name} WHERE seq = {last}").first()
        )
    tamper(store, f"DELETE FROM {table} WHERE seq = {last}")
    for workers in (1, 2):
        fault = list(verify_store(store.engine, workers=workers))[-1].fault
        assert fault is not None and str(fault) == f"entry {last} is missing"
