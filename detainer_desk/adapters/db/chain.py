"""The hash chain over every evidence row.

``entry_hash = SHA-256(previous entry_hash ‖ canonical bytes of the row)``, the first entry
chained to 64 zeros. The canonical bytes are the row's own non-null columns (its ``seq``
included, its ``entry_hash`` excluded) plus ``_table`` and ``_id``, as JSON with sorted keys,
no spaces and UTF-8 text; an attachment's bytes enter through their SHA-256, which verify
recomputes from the stored content. Anyone can re-implement this in a few lines.

Writers lock the single ``chain_head`` row (``BEGIN IMMEDIATE`` on SQLite, ``FOR UPDATE`` on
PostgreSQL), so concurrent workstations take turns and the chain never forks.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from detainer_desk.services.access import RecordError

from ..workers import start_pool, stop_pool, worker_count
from . import chain_scan
from .schema import EVIDENCE_TABLES, chain_head

# The definition and the fast checking live in chain_scan (stdlib only, for worker processes).
GENESIS_HASH = chain_scan.GENESIS_HASH
log = logging.getLogger("detainer_desk.db")
canonical_bytes = chain_scan.canonical_bytes


def chain_hash(previous_hash: str, table_name: str, row: Mapping[str, Any]) -> str:
    digest = hashlib.sha256(bytes.fromhex(previous_hash))
    digest.update(canonical_bytes(table_name, row))
    return digest.hexdigest()


def lock_head(conn: Connection) -> None:
    """Take the writers' lock (the chain head row) before changing working state (accounts,
    settings). Every writing transaction then takes its locks in the same order, head
    first, so two workstations can neither deadlock nor both insert the same new key."""
    conn.execute(select(chain_head.c.id).where(chain_head.c.id == 1).with_for_update())


def append(conn: Connection, table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """Insert one evidence row as the next chain entry; returns the row as stored."""
    for column, value in values.items():
        if isinstance(value, str) and "\x00" in value:  # PostgreSQL cannot keep it: refused on both
            raise RecordError(
                f"{column.replace('_', ' ')} contains a NUL character (U+0000), which cannot "
                "be recorded; nothing was stored"
            )
    head = conn.execute(
        select(chain_head.c.last_seq, chain_head.c.last_hash)
        .where(chain_head.c.id == 1)
        .with_for_update()
    ).one()
    seq = head.last_seq + 1
    # Safe under the head lock on PostgreSQL because sessions are READ COMMITTED (the engine
    # pins it): a writer that waited for the lock gets the head as the previous holder
    # committed it, and each later statement sees that holder's rows, so max(id) + 1 is new.
    # (Under REPEATABLE READ the wait would end in a serialization error instead.)
    row_id = conn.execute(select(func.coalesce(func.max(table.c.id), 0) + 1)).scalar_one()
    row = {"id": row_id, **values, "seq": seq}
    row["entry_hash"] = chain_hash(head.last_hash, table.name, row)
    conn.execute(insert(table).values(**row))
    conn.execute(
        update(chain_head)
        .where(chain_head.c.id == 1)
        .values(last_seq=seq, last_hash=row["entry_hash"])
    )
    return row


# -- verification -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainFault:
    seq: int | None
    table: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        if not self.seq:
            return f"{self.table}: {self.problem}"
        if self.row_id is None:  # no such entry: the problem says what is missing
            return self.problem
        return f"entry {self.seq} ({self.table} #{self.row_id}): {self.problem}"


@dataclass(frozen=True, slots=True)
class VerifyProgress:
    checked: int
    total: int
    fault: ChainFault | None = None
    last_hash: str = GENESIS_HASH


def count_entries(conn: Connection) -> int:
    return sum(
        conn.execute(select(func.count()).select_from(t)).scalar_one() for t in EVIDENCE_TABLES
    )


Connect = Callable[[], AbstractContextManager[Connection]]
BATCH = 5_000  # entries read per short transaction when walking in this process
SPAN = 50_000  # entries per worker task when walking in parallel
PARALLEL_FROM = 200_000  # below this many entries, starting workers costs more than it saves


def table_columns() -> dict[str, list[str]]:
    return {table.name: [column.name for column in table.c] for table in EVIDENCE_TABLES}


def read_head(connect: Connect) -> tuple[int, str]:
    with connect() as conn:
        return chain_head_row(conn)


def walk_chain(
    connect: Connect,
    upto: int | None = None,
    *,
    sqlite_path: str | None = None,
    workers: int | None = None,
) -> Iterator[chain_scan.Span]:
    """Check every entry up to ``upto`` (default: the chain head when the walk starts),
    yielding spans in ``seq`` order; the last span carries the first fault (a gap, a
    repeated number, an altered row or altered attachment bytes) and nothing follows it.

    Each span is read in a short transaction of its own, so a long walk never keeps
    workstations from recording; evidence rows never change, and rows appended meanwhile
    come after ``upto``. A large SQLite store is checked by worker processes, one per
    processor (``sqlite_path``; ``workers`` overrides the count, 1 keeps it in-process).
    """
    if upto is None:
        upto = read_head(connect)[0]
    if workers is None:
        workers = worker_count(upto, PARALLEL_FROM)
    previous = GENESIS_HASH
    low = 1
    if sqlite_path is not None and workers > 1:
        from concurrent.futures.process import BrokenProcessPool

        try:
            for span in _walk_in_workers(sqlite_path, upto, workers):
                yield span
                if span.fault is not None:
                    return
                previous = span.last_hash
                low = span.low + span.verified
        except (BrokenProcessPool, OSError) as exc:  # no worker processes here: go on alone
            log.warning("checking the chain without worker processes (%s)", exc)
        else:
            return
    tables = table_columns()
    encoders = {name: chain_scan.canonical_encoder(name, cols) for name, cols in tables.items()}
    while low <= upto:
        high = min(low + BATCH, upto + 1)
        with connect() as conn:
            span = chain_scan.check_span(_driver_fetch(conn), tables, low, high, previous, encoders)
        yield span
        if span.fault is not None:
            return
        previous = span.last_hash
        low = high


def _driver_fetch(conn: Connection) -> chain_scan.Fetch:
    """Plain tuples from the driver's own cursor, inside the connection's transaction:
    verification reads every row, and result objects would cost more than the hashing."""
    conn.exec_driver_sql("SELECT 1")  # begins the (read-only) transaction the engine set up
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]

    def fetch(statement: str) -> list[Any]:
        cursor.execute(statement)
        return list(cursor.fetchall())

    return fetch


def _walk_in_workers(path: str, upto: int, workers: int) -> Iterator[chain_scan.Span]:
    tables = table_columns()
    bounds = [(low, min(low + SPAN, upto + 1)) for low in range(1, upto + 1, SPAN)]
    pool = start_pool(workers)  # they import the stdlib-only chain_scan module
    finished = False
    try:
        results = pool.map(
            chain_scan.check_sqlite_span,
            [path] * len(bounds),
            [tables] * len(bounds),
            [low for low, _ in bounds],
            [high for _, high in bounds],
        )
        for span in results:
            yield span
            if span.fault is not None:
                return
        finished = True
    finally:
        stop_pool(pool, finished=finished)


def chain_head_row(conn: Connection) -> tuple[int, str]:
    head = conn.execute(select(chain_head.c.last_seq, chain_head.c.last_hash)).one()
    return int(head.last_seq), str(head.last_hash)


def _highest_seq(conn: Connection) -> int:
    return max(
        int(conn.execute(select(func.coalesce(func.max(t.c.seq), 0))).scalar_one())
        for t in EVIDENCE_TABLES
    )


def verify_chain(
    connect: Connect,
    every: int = 10_000,
    *,
    sqlite_path: str | None = None,
    workers: int | None = None,
) -> Iterator[VerifyProgress]:
    """Recompute the whole chain in ``seq`` order (and every attachment's SHA-256), up to the
    head as it was when verification started.

    Yields progress about every ``every`` entries (at least once per span); the last item
    carries the first fault found, if any. Stops at the first fault: everything after it
    can no longer be trusted.
    """
    last_seq, last_hash = read_head(connect)
    previous = GENESIS_HASH
    checked = 0
    reported = 0
    for span in walk_chain(connect, last_seq, sqlite_path=sqlite_path, workers=workers):
        checked += span.verified
        previous = span.last_hash
        if span.fault is not None:
            f = span.fault
            fault = ChainFault(f.seq, f.table, f.row_id or None, f.problem)
            yield VerifyProgress(checked, last_seq, fault, previous)
            return
        if checked - reported >= every:
            reported = checked
            yield VerifyProgress(checked, last_seq, None, previous)
    problem = None
    if previous != last_hash:
        problem = "the chain head does not match the last entry (entries were altered or removed)"
    else:
        with connect() as conn:
            head_now, _ = chain_head_row(conn)
            highest = _highest_seq(conn)
        if highest > head_now:
            problem = (
                f"there are entries beyond the chain head ({highest} > {head_now}): rows were "
                "added outside the program"
            )
    if problem:
        yield VerifyProgress(
            checked, last_seq, ChainFault(None, "chain_head", None, problem), previous
        )
        return
    yield VerifyProgress(checked, last_seq, None, previous)
