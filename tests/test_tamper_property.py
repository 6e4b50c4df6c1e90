"""Random tampering with a real SQLite store is always caught by verify.

A small store (accounts, settings, a trusted key, decisions with scans and every kind of
amendment, a checkpoint this installation made and kept, and a decision recorded after it)
is copied for each example and tampered with as whoever holds the file can: the triggers
dropped first, then a row of evidence altered, deleted, inserted (at a number taken, at 0,
below it, past the head), two entries' numbers swapped, an entry altered and every hash
after it recomputed, the chain cut short with its head rewritten, a derived row (decision
index, name word, word pair) altered, deleted or planted, an account or a setting altered,
deleted or planted, or one byte of the file flipped where a record lies. ``verify`` (what
``detainer-desk verify`` runs: the whole store and the installation's last checkpoint) must
fail every time. It runs with the memo the installation keeps of a verify that passed
(derived rows it need not derive again): the memo must hide nothing.

What cannot be caught, and is not drawn: an entry appended at the head with its hash
computed, or the chain recomputed or cut short after the last checkpoint (nothing kept
anywhere says what came after it: make checkpoints); ``decision_index.updated_at`` (when the
row was written: not derived from the evidence, and shown nowhere).

The number of examples: 10 of each kind (90) in the default run; ``DETAINER_DESK_TAMPER_RUNS``
for more, spread over the kinds alike
(``DETAINER_DESK_TAMPER_RUNS=10000 uv run pytest tests/test_tamper_property.py``).
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from detainer_desk.adapters.db import chain, schema
from detainer_desk.adapters.db.derived_scan import INDEX_COLUMNS, IndexMemo
from detainer_desk.adapters.db.engine import make_engine
from detainer_desk.adapters.db.ledger import SqlLedger
from detainer_desk.adapters.db.probe import sqlite_url
from detainer_desk.adapters.signing import InstallationKey, signature_is_valid
from detainer_desk.domain import lifecycle as lc
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.checkpoints import create_checkpoint, verify_record
from detainer_desk.services.ports import Actor, AttachmentIn
from detainer_desk.services.records import activate_policy, amend_decision, record_decision
from detainer_desk.services.settings import InstallationSettings, save_settings
from detainer_desk.services.trust import set_trust

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

RUNS = int(os.environ.get("DETAINER_DESK_TAMPER_RUNS", "90"))
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "W")
ADMIN = Actor("admin", "ADMIN-1")
EVIDENCE = [table.name for table in schema.EVIDENCE_TABLES]
# Unique columns other than seq, and what a planted copy carries in them instead.
UNIQUE = {
    "decisions": {"request_id": "100000"},
    "policy_versions": {"sha256": "'" + "f" * 64 + "'"},
}


@dataclass
class Draw:
    """Choices made from a fixed number of drawn integers, whatever the data: hypothesis
    needs the same draws for the same example, and the data decides how many a choice
    would take."""

    def __init__(self, numbers: list[int]) -> None:
        self.numbers = numbers
        self.used = 0

    def _next(self) -> int:
        number = self.numbers[self.used % len(self.numbers)]
        self.used += 1
        return number

    def pick(self, options: Any) -> Any:
        options = list(options)
        return options[self._next() % len(options)]

    def between(self, low: int, high: int) -> int:
        return low + self._next() % (high - low + 1)


@dataclass(repr=False)
class Base:
    """The untouched store, and what the strategies draw from."""

    def __repr__(self) -> str:
        return f"Base({self.data_dir}, {self.head} entries)"

    data_dir: Path
    pristine: bytes
    rows: list[tuple[str, int, int]]  # (table, id, seq) of every entry
    columns: dict[str, list[str]]
    checkpoint_entries: int
    head: int
    derived: dict[str, int]  # rows per derived table
    requests: list[int]
    decisions: list[int]
    words: list[bytes]  # values stored in the file (to flip a byte of)


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Base:
    home = tmp_path_factory.mktemp("tamper-base")
    data = home / "data"
    runtime = open_runtime(resolve_paths(data), keep_daily_backups=0)
    uow = runtime.uow
    seed_accounts(uow(), NOW)
    save_settings(uow(), ADMIN, InstallationSettings(county_name="Clark", jail_name="CJ"), NOW)
    other_desk = InstallationKey(home / "other-desk-keys")
    set_trust(
        uow(), runtime.signer(), signature_is_valid, ADMIN, other_desk.public_key_hex, True,
        "Desk B", NOW,
    )  # fmt: skip
    activate_policy(uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    names = ("RIVERA, Ana", "GARCIA LOPEZ, José", "NGUYEN, Minh Thi", "OKAFOR, Chinedu")
    for n, name in enumerate(names):
        scans = [AttachmentIn(f"s{n}.pdf", "application/pdf", b"%PDF-1.4 scan " + bytes([n]) * 300)]
        outcome = record_decision(
            uow(),
            request_json(**{"subject.name": name, "subject.booking_number": f"B26-{n:04d}"}),
            "r.json",
            scans if n % 2 == 0 else [],
            OFFICER,
            NOW,
        )
        decision = outcome.decision_id
        if n == 0:
            amend_decision(uow(), decision, lc.RELEASE_ELIGIBLE, SUPERVISOR, NOW, effective_at=NOW)
            amend_decision(uow(), decision, lc.COUNTERSIGN, SUPERVISOR, NOW)
        elif n == 1:
            amend_decision(uow(), decision, lc.LIFTED, SUPERVISOR, NOW, reason="ICE cancelled it")
        elif n == 2:
            amend_decision(uow(), decision, lc.RELEASED, SUPERVISOR, NOW, effective_at=NOW)
    checkpoint = list(create_checkpoint(uow(), runtime.ledger(), runtime.signer(), SUPERVISOR, NOW))
    entries = checkpoint[-1].checkpoint.entries
    record_decision(  # one more after the checkpoint
        uow(),
        request_json(**{"subject.name": "SMITH, Jo", "subject.booking_number": "B26-9999"}),
        "r.json",
        [],
        OFFICER,
        NOW,
    )
    runtime.close()
    path = data / "detainer-desk.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("VACUUM")  # no stale copies of rows in free space
    conn.close()
    # A verify that passed, as the installation keeps it: its memo of derived index rows is
    # then in the keys folder each example starts from (it must hide nothing).
    engine = make_engine(sqlite_url(path))
    try:
        primed = verify_record(
            SqlLedger(engine, workers=1, memo=IndexMemo(data / "keys")),
            InstallationKey(data / "keys"),
        )
    finally:
        engine.dispose()
    assert primed.ok and IndexMemo(data / "keys").load()
    conn = sqlite3.connect(path)
    rows = []
    columns = {}
    for table in EVIDENCE:
        columns[table] = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
        rows += [(table, i, s) for i, s in conn.execute(f"SELECT id, seq FROM {table}")]
    derived = {
        t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("decision_index", "name_tokens", "name_pairs")
    }
    words = [str(v).encode() for (v,) in conn.execute("SELECT entry_hash FROM requests")]
    words += [v.encode() for (v,) in conn.execute("SELECT booking_number FROM requests")]
    words += [v.encode() for (v,) in conn.execute("SELECT DISTINCT token FROM name_tokens")]
    words += [v.encode() for (v,) in conn.execute("SELECT entry_hash FROM audit_events")]
    words += [v.encode() for (v,) in conn.execute("SELECT name FROM users")]
    head = conn.execute("SELECT last_seq FROM chain_head").fetchone()[0]
    requests = [i for (i,) in conn.execute("SELECT id FROM requests")]
    decisions = [i for (i,) in conn.execute("SELECT id FROM decisions")]
    conn.close()
    return Base(
        data, path.read_bytes(), sorted(rows, key=lambda r: r[2]), columns, entries, head,
        derived, requests, decisions, words,
    )  # fmt: skip


# -- tampering ----------------------------------------------------------------------------


def _sql(path: Path, *statements: str, parameters: tuple[Any, ...] = ()) -> None:
    """Statements as whoever holds the file runs them: triggers dropped, foreign keys off
    (as in the sqlite3 shell). One a constraint of the table itself refuses (a unique
    number twice, say) cannot be done that way: that example is not drawn."""
    conn = _open(path)
    try:
        for (trigger,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {trigger}")
        for statement in statements:
            conn.execute(statement, parameters if "?" in statement else ())
        conn.commit()
    except sqlite3.IntegrityError:
        assume(False)
    finally:
        conn.close()


def _open(path: Path) -> sqlite3.Connection:
    """The file as its holder opens it; no waiting for the disk (each example's copy is
    thrown away: only speed differs)."""
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    return conn


def _changed(value: Any, draw: Any) -> Any:
    """Another value of the same kind (or a first one for a null)."""
    if value is None:
        return draw.pick([0, 1, "x"])
    if isinstance(value, int):
        return value + draw.pick([-2, -1, 1, 7, 10**6])
    if isinstance(value, bytes):
        at = draw.between(0, max(0, len(value) - 1))
        return value[:at] + bytes([(value[at] if value else 0) ^ 0x01]) + value[at + 1 :]
    text = str(value)
    if not text:
        return "x"
    at = draw.between(0, len(text) - 1)
    return text[:at] + ("Z" if text[at] != "Z" else "Y") + text[at + 1 :]


def _recompute(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Alter, then recompute every entry hash and the head: the plain chain verifies."""
    conn = _open(path)
    conn.row_factory = sqlite3.Row
    try:
        for (trigger,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger'"
        ).fetchall():
            conn.execute(f"DROP TRIGGER {trigger}")
        for statement, parameters in statements:
            try:
                conn.execute(statement, parameters)
            except sqlite3.IntegrityError:
                assume(False)
        rows = []
        for table in EVIDENCE:
            rows += [(r["seq"], table, dict(r)) for r in conn.execute(f"SELECT * FROM {table}")]
        previous = chain.GENESIS_HASH
        for _, table, row in sorted(rows, key=lambda r: r[0]):
            previous = chain.chain_hash(previous, table, row)
            conn.execute(f"UPDATE {table} SET entry_hash = ? WHERE id = ?", (previous, row["id"]))
        conn.execute("UPDATE chain_head SET last_seq = ?, last_hash = ?", (len(rows), previous))
        conn.commit()
    finally:
        conn.close()


def _dump(path: Path) -> tuple[list[str], str]:
    conn = sqlite3.connect(path)
    try:
        return list(conn.iterdump()), str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    except sqlite3.DatabaseError as exc:
        return [], str(exc)
    finally:
        conn.close()


KINDS = (
    "alter",
    "delete",
    "insert",
    "reorder",
    "recompute",
    "cut short",
    "derived",
    "working state",
    "flip a byte",
)


def tamper(base: Base, path: Path, kind: str, draw: Any) -> str:
    """Tamper with the store at ``path``; returns what was done (for the failure report)."""
    if kind == "alter":
        table, row_id, seq = draw.pick(base.rows)
        column = draw.pick(base.columns[table])
        value = _current(path, table, column, row_id)
        new = _changed(value, draw)
        _sql(path, f"UPDATE {table} SET {column} = ? WHERE id = {row_id}", parameters=(new,))
        return f"{table} #{row_id} (entry {seq}): {column} {value!r} -> {new!r}"
    if kind == "delete":
        table, row_id, seq = draw.pick(base.rows)
        _sql(path, f"DELETE FROM {table} WHERE id = {row_id}")
        return f"deleted {table} #{row_id} (entry {seq})"
    if kind == "insert":
        table, row_id, seq = draw.pick(base.rows)
        number = draw.pick(
            [0, -1, -(10**6), base.head + 1, base.head + 2, 10**9]
            + [s for _, _, s in base.rows[:: max(1, len(base.rows) // 8)]]
        )
        unique = UNIQUE.get(table, {})
        columns = [c for c in base.columns[table] if c not in ("id", "seq", *unique)]
        values = [unique[c] for c in unique]
        _sql(  # (a number this table holds already cannot be: that example is not drawn)
            path,
            f"INSERT INTO {table} (id, seq, {', '.join([*unique, *columns])}) "
            f"SELECT 100000, {number}, {', '.join([*values, *columns])} "
            f"FROM {table} WHERE id = {row_id}",
        )
        return f"a copy of {table} #{row_id} planted as entry {number}"
    if kind == "reorder":
        first = draw.pick(base.rows)
        second = draw.pick([r for r in base.rows if r != first])
        _sql(
            path,
            f"UPDATE {first[0]} SET seq = -424242 WHERE id = {first[1]}",
            f"UPDATE {second[0]} SET seq = {first[2]} WHERE id = {second[1]}",
            f"UPDATE {first[0]} SET seq = {second[2]} WHERE id = {first[1]}",
        )
        return f"entries {first[2]} and {second[2]} swapped"
    if kind == "recompute":  # only what the kept checkpoint vouches for can be proven
        covered = [r for r in base.rows if r[2] <= base.checkpoint_entries]
        table, row_id, seq = draw.pick(covered)
        column = draw.pick([c for c in base.columns[table] if c != "entry_hash"])
        value = _current(path, table, column, row_id)
        new = _changed(value, draw)
        _recompute(path, (f"UPDATE {table} SET {column} = ? WHERE id = ?", (new, row_id)))
        return f"{table} #{row_id} (entry {seq}) {column} -> {new!r}, chain recomputed"
    if kind == "cut short":  # below the checkpoint: entries it vouched for are gone
        keep = draw.between(0, base.checkpoint_entries - 1)
        _recompute(path, *[(f"DELETE FROM {t} WHERE seq > {keep}", ()) for t in EVIDENCE])
        return f"cut short after entry {keep}, head rewritten"
    if kind == "derived":
        return _tamper_derived(base, path, draw)
    if kind == "working state":
        return _tamper_state(path, draw)
    return _flip(base, path, draw)


def _current(path: Path, table: str, column: str, row_id: int) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {column} FROM {table} WHERE id = {row_id}").fetchone()[0]
    finally:
        conn.close()


def _tamper_derived(base: Base, path: Path, draw: Any) -> str:
    table = draw.pick(["decision_index", "name_tokens", "name_pairs"])
    action = draw.pick(["alter", "delete", "plant"])
    rowid = draw.between(1, base.derived[table])
    if table == "decision_index":
        columns = list(INDEX_COLUMNS)
    elif table == "name_tokens":
        columns = ["token", "request_id", "received_at"]
    else:
        columns = ["token", "other", "request_id", "received_at"]
    if action == "delete":
        _sql(path, f"DELETE FROM {table} WHERE rowid = {rowid}")
        return f"deleted {table} row {rowid}"
    if action == "plant":  # for another request, or for one that does not exist
        if table == "decision_index":
            owner, key = 1000 + draw.pick(base.decisions), "decision_id"
        else:
            owner = draw.pick(base.requests) + 1000 * draw.between(0, 1)
            key = "request_id"
        others = [c for c in _all_columns(path, table) if c != key]
        _sql(
            path,
            f"INSERT INTO {table} ({key}, {', '.join(others)}) SELECT {owner}, "
            f"{', '.join(others)} FROM {table} WHERE rowid = {rowid}",
        )
        return f"planted a copy of {table} row {rowid} for {key} {owner}"
    column = draw.pick(columns)
    value = _current_rowid(path, table, column, rowid)
    new = _changed(value, draw)
    _sql(path, f"UPDATE {table} SET {column} = ? WHERE rowid = {rowid}", parameters=(new,))
    return f"{table} row {rowid}: {column} {value!r} -> {new!r}"


def _all_columns(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
    finally:
        conn.close()


def _current_rowid(path: Path, table: str, column: str, rowid: int) -> Any:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT {column} FROM {table} WHERE rowid = {rowid}").fetchone()[0]
    finally:
        conn.close()


def _tamper_state(path: Path, draw: Any) -> str:
    table = draw.pick(["users", "settings"])
    key = "name" if table == "users" else "key"
    conn = sqlite3.connect(path)
    try:
        keys = [k for (k,) in conn.execute(f"SELECT {key} FROM {table}")]
    finally:
        conn.close()
    chosen = draw.pick(keys)
    action = draw.pick(["alter", "delete", "plant"])
    if action == "delete":
        _sql(path, f"DELETE FROM {table} WHERE {key} = ?", parameters=(chosen,))
        return f"deleted {table} {chosen}"
    if action == "plant":
        others = [c for c in _all_columns(path, table) if c not in (key, "id")]
        _sql(
            path,
            f"INSERT INTO {table} ({key}, {', '.join(others)}) SELECT ? || '2', "
            f"{', '.join(others)} FROM {table} WHERE {key} = ?",
            parameters=(chosen, chosen),
        )
        return f"planted {table} {chosen}2"
    column = draw.pick(_all_columns(path, table))
    conn = sqlite3.connect(path)
    try:
        value = conn.execute(f"SELECT {column} FROM {table} WHERE {key} = ?", (chosen,)).fetchone()[
            0
        ]
    finally:
        conn.close()
    new = _changed(value, draw)
    _sql(path, f"UPDATE {table} SET {column} = ? WHERE {key} = ?", parameters=(new, chosen))
    return f"{table} {chosen}: {column} {value!r} -> {new!r}"


def _flip(base: Base, path: Path, draw: Any) -> str:
    word = draw.pick(base.words)
    data = bytearray(path.read_bytes())
    found = []
    at = data.find(word)
    while at >= 0:
        found.append(at)
        at = data.find(word, at + 1)
    assume(found)
    start = draw.pick(found)
    offset = start + draw.between(0, len(word) - 1)
    bit = draw.pick([1, 2, 4, 8, 16, 32, 64, 128])
    before = _dump(path)
    data[offset] ^= bit
    path.write_bytes(bytes(data))
    # A byte no record reads (a stale copy in free space) is no tampering: not drawn.
    assume(_dump(path) != before)
    return f"byte {offset} of the file (in {word[:16]!r}) xor {bit}"


# -- the property -----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", KINDS)
@settings(
    max_examples=max(1, -(-RUNS // len(KINDS))),  # every kind alike
    deadline=None,
    derandomize=RUNS <= 100,  # the default run is the same every time
    database=None,  # each session's store has its own keys and hashes: no examples kept
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(numbers=st.lists(st.integers(0, 2**31), min_size=8, max_size=8))
def test_random_tampering_is_always_caught_by_verify(base: Base, tmp_path, kind, numbers) -> None:
    work = tmp_path / "work"
    if work.exists():
        shutil.rmtree(work)
    shutil.copytree(base.data_dir, work, ignore=shutil.ignore_patterns("*.sqlite3*", "logs"))
    path = work / "detainer-desk.sqlite3"
    path.write_bytes(base.pristine)
    what = tamper(base, path, kind, Draw(numbers))
    engine = make_engine(sqlite_url(path))
    try:
        ledger = SqlLedger(engine, workers=1, memo=IndexMemo(work / "keys"))
        result = verify_record(ledger, InstallationKey(work / "keys"))
    finally:
        engine.dispose()
    assert not result.ok, f"missed: {kind}: {what}"
    assert result.message, what


def test_the_untouched_copy_verifies(base: Base, tmp_path: Path) -> None:
    """The property's premise: the store as built verifies, with and without workers."""
    work = tmp_path / "work"
    shutil.copytree(base.data_dir, work, ignore=shutil.ignore_patterns("*.sqlite3*", "logs"))
    path = work / "detainer-desk.sqlite3"
    path.write_bytes(base.pristine)
    engine = make_engine(sqlite_url(path))
    try:
        for workers in (1, 2):
            result = verify_record(
                SqlLedger(engine, workers=workers), InstallationKey(work / "keys")
            )
            assert result.ok and "extends this installation's last checkpoint" in result.message
    finally:
        engine.dispose()
