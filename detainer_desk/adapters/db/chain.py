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

import functools
import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, ParamSpec

from sqlalchemy import Connection, Table, and_, func, insert, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError, InternalError

from detainer_desk.services.access import RecordError

from ..workers import start_pool, stop_pool, worker_count
from . import chain_scan, derived_scan, state
from .schema import (
    EVIDENCE_TABLES,
    chain_head,
    decisions,
    requests,
    settings,
    state_changes,
    users,
)

P = ParamSpec("P")

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
    try:
        conn.execute(insert(table).values(**row))
        conn.execute(
            update(chain_head)
            .where(chain_head.c.id == 1)
            .values(last_seq=seq, last_hash=row["entry_hash"])
        )
    except (IntegrityError, InternalError) as exc:
        # The database refused the next entry: something outside the program took its
        # number (a row planted at the head), or moved the head. Not a bug to report with a
        # traceback: the records need looking at.
        raise RecordError(
            f"the record cannot take its next entry ({seq}): the database refused it, so "
            "the records were changed outside the program. Nothing was stored. Run "
            "detainer-desk verify, and have an administrator restore the records from a "
            "backup."
        ) from exc
    return row


# -- verification -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainFault:
    seq: int | None
    table: str
    row_id: int | None
    problem: str

    def __str__(self) -> str:
        if not self.table:  # a fault of the store: the problem is a whole sentence
            return self.problem
        if self.seq is None or (not self.seq and self.row_id is None):
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


def _damage_as_fault(
    walk: Callable[P, Iterator[chain_scan.Span]],
) -> Callable[P, Iterator[chain_scan.Span]]:
    """``walk`` with a damaged SQLite file reported as the store's fault (see ``walk_chain``)."""

    @functools.wraps(walk)
    def walk_or_fault(*args: P.args, **kwargs: P.kwargs) -> Iterator[chain_scan.Span]:
        try:
            yield from walk(*args, **kwargs)
        except (sqlite3.DatabaseError, DBAPIError) as exc:
            damage = _damage(exc)
            if damage is None:
                raise
            problem = f"the database file is damaged ({damage}): it cannot be read to the end"
            yield chain_scan.Span(0, 0, b"", GENESIS_HASH, _whole(problem))

    return walk_or_fault


def _damage(exc: BaseException) -> str | None:
    """What a damaged SQLite file made the driver say (None: another kind of failure)."""
    original = exc.orig if isinstance(exc, DBAPIError) else exc
    if not isinstance(original, sqlite3.DatabaseError):
        return None
    name = str(getattr(original, "sqlite_errorname", "") or "")
    text = str(original)
    if (
        name in ("SQLITE_CORRUPT", "SQLITE_NOTADB")
        or "malformed" in text
        or "not a database" in text
        or "decode to UTF-8" in text
    ):
        return text
    return None


@_damage_as_fault
def walk_chain(
    connect: Connect,
    upto: int | None = None,
    *,
    sqlite_path: str | None = None,
    workers: int | None = None,
    whole_store: bool = True,
    head_hash: str | None = None,
    memo: derived_scan.IndexMemo | None = None,
) -> Iterator[chain_scan.Span]:
    """Check every entry up to ``upto`` (default: the chain head when the walk starts,
    whose hash, like ``head_hash``, the last entry's must be), yielding spans in ``seq``
    order; the last span carries the first fault (a gap, a repeated number, an altered row
    or altered attachment bytes) and nothing follows it.

    With ``whole_store`` (the default), once the chain verifies the rest of the store is
    checked too, and its first fault comes as one more span (no entries, ``table`` empty):
    rows numbered outside 1 .. head, the file itself (SQLite's integrity check), accounts
    and settings against their evidence, and every derived row (decision index, name
    words) against the evidence it is derived from.

    Each span is read in a short transaction of its own, so a long walk never keeps
    workstations from recording; evidence rows never change, and rows appended meanwhile
    come after ``upto``. A large SQLite store is checked by worker processes, one per
    processor (``sqlite_path``; ``workers`` overrides the count, 1 keeps it in-process);
    they check the derived rows and the file alongside the chain.

    ``memo`` (an ``IndexMemo``): decisions whose evidence is unchanged since the last walk
    that found nothing are not derived again (their index rows must still have the digest
    derived then); after a walk that finds nothing, what it derived is kept there.

    A SQLite file too damaged to be read to the end is a fault of the store, reported as
    one (the span carries it), not an error.
    """
    if upto is None:
        upto, head_hash = read_head(connect)
    if workers is None:
        workers = worker_count(upto, PARALLEL_FROM)
    previous = GENESIS_HASH
    low = 1
    known = memo.load() if memo is not None and whole_store else {}
    extra: dict[str, Any] = {}
    if sqlite_path is not None and workers > 1:
        from concurrent.futures.process import BrokenProcessPool

        try:
            plan = _derived_plan(connect) if whole_store else []
            for span in _walk_in_workers(sqlite_path, upto, workers, plan, known, extra):
                yield span
                if span.fault is not None:
                    return
                previous = span.last_hash
                low = span.low + span.verified
        except (BrokenProcessPool, OSError) as exc:  # no worker processes here: go on alone
            log.warning("checking the chain without worker processes (%s)", exc)
            extra.clear()
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
    if head_hash is not None and previous != head_hash:
        problem = "the chain head does not match the last entry (entries were altered or removed)"
        yield chain_scan.Span(
            upto + 1, 0, b"", previous, chain_scan.SpanFault(0, "chain_head", 0, problem, "")
        )
        return
    if whole_store:
        fault = _store_fault(connect, sqlite_path, known, extra)
        if fault is not None:
            yield chain_scan.Span(upto + 1, 0, b"", previous, fault)
        elif memo is not None and extra.get("learned"):
            # Nothing found: every entry hash is its entry's, so what was derived is kept.
            try:
                memo.save({**known, **extra["learned"]})
            except OSError as exc:
                log.warning("the memo of verified derivations was not kept (%s)", exc)


def _driver_fetch(conn: Connection) -> chain_scan.Fetch:
    """Plain tuples from the driver's own cursor, inside the connection's transaction:
    verification reads every row, and result objects would cost more than the hashing."""
    conn.exec_driver_sql("SELECT 1")  # begins the (read-only) transaction the engine set up
    driver = conn.connection.dbapi_connection
    cursor = driver.cursor()  # type: ignore[union-attr]
    if not isinstance(driver, sqlite3.Connection):

        def fetch(statement: str) -> list[Any]:
            cursor.execute(statement)
            return list(cursor.fetchall())

        return fetch

    def fetch_sqlite(statement: str) -> list[Any]:
        # Text that is not UTF-8 (a byte of the file changed) is read with replacement
        # characters: the entry then fails its hash, and is named, instead of the read
        # failing. The connection's own way of reading text is put back afterwards.
        before = driver.text_factory
        driver.text_factory = chain_scan.lenient_text
        try:
            cursor.execute(statement)
            return list(cursor.fetchall())
        finally:
            driver.text_factory = before

    return fetch_sqlite


def _snapshot(conn: Connection) -> Connection:
    """One consistent view for several statements: PostgreSQL's READ COMMITTED would let a
    workstation's commit fall between two of them (SQLite's read transaction is one view)."""
    if conn.dialect.name == "postgresql":
        return conn.execution_options(isolation_level="REPEATABLE READ")
    return conn


def _derived_plan(connect: Connect) -> list[tuple[str, int, int]]:
    """The derived checks' tasks: (kind, first id, after the last id), in ranges of ids."""
    with connect() as conn:
        last_request = conn.execute(select(func.coalesce(func.max(requests.c.id), 0))).scalar_one()
        last_decision = conn.execute(
            select(func.coalesce(func.max(decisions.c.id), 0))
        ).scalar_one()
    return [
        *((derived_scan.INDEX, low, high) for low, high in derived_scan.ranges(last_decision)),
        *((derived_scan.WORDS, low, high) for low, high in derived_scan.ranges(last_request)),
    ]


def _walk_in_workers(
    path: str,
    upto: int,
    workers: int,
    derived: list[tuple[str, int, int]],
    known: derived_scan.Memo,
    extra: dict[str, Any],
) -> Iterator[chain_scan.Span]:
    """The chain's spans in order, checked by worker processes; alongside (once the chain
    verifies) SQLite's integrity check and the derived ranges, whose results go to
    ``extra``. The integrity check, the longest task, goes first. Results are taken in
    order, so the first fault is the first one found."""
    tables = table_columns()
    bounds = [(low, min(low + SPAN, upto + 1)) for low in range(1, upto + 1, SPAN)]
    pool = start_pool(workers)  # they import the stdlib-only chain_scan module
    finished = False
    try:
        integrity = pool.submit(chain_scan.check_sqlite_integrity, path) if derived else None
        spans = [
            pool.submit(chain_scan.check_sqlite_span, path, tables, low, high)
            for low, high in bounds
        ]
        ranges = [
            pool.submit(
                derived_scan.check_sqlite_range,
                path,
                kind,
                low,
                high,
                {k: v for k, v in known.items() if low <= k < high}
                if kind == derived_scan.INDEX
                else None,
            )
            for kind, low, high in derived
        ]
        for future in spans:
            span = future.result()
            yield span
            if span.fault is not None:
                return
        if integrity is not None:
            extra["integrity"] = integrity.result()
            results = [future.result() for future in ranges]
            extra["derived"] = derived_scan.first_fault(fault for fault, _ in results)
            extra["learned"] = {k: v for _, learned in results for k, v in learned.items()}
        finished = True
    finally:
        stop_pool(pool, finished=finished)


def _store_fault(
    connect: Connect,
    sqlite_path: str | None,
    known: derived_scan.Memo,
    extra: dict[str, Any],
) -> chain_scan.SpanFault | None:
    """The first fault of the store besides the chain itself (None: there is none), in
    this order: planted rows, the file, accounts and settings, derived rows."""
    tables = table_columns()
    with connect() as conn:
        outside = chain_scan.outside_entries(_driver_fetch(conn), tables)
    if outside is not None:
        return outside
    if sqlite_path is not None:
        damage = (
            extra["integrity"]
            if "integrity" in extra
            else chain_scan.check_sqlite_integrity(sqlite_path)
        )
        if damage is not None:
            return _whole(f"the database file is damaged (SQLite integrity check: {damage})")
    with connect() as conn:
        problem = working_state_problem(_snapshot(conn))
    if problem is not None:
        return _whole(problem)
    if "derived" in extra:
        derived = extra["derived"]
    else:
        faults = []
        extra["learned"] = {}
        for kind, low, high in _derived_plan(connect):
            with connect() as conn:
                fetch = _driver_fetch(_snapshot(conn))
                if kind == derived_scan.INDEX:
                    fault, learned = derived_scan.check_index_range(fetch, low, high, known)
                    extra["learned"].update(learned)
                else:
                    fault = derived_scan.check_words_range(fetch, low, high)
            faults.append(fault)
            if fault is not None:
                break
        derived = derived_scan.first_fault(faults)
    if derived is None:
        with connect() as conn:
            derived = derived_scan.check_outside(_driver_fetch(conn))
    return _whole(derived.problem) if derived is not None else None


def _whole(problem: str) -> chain_scan.SpanFault:
    return chain_scan.SpanFault(0, "", 0, problem, "")


def latest_states(conn: Connection, kind: str) -> dict[str, str | None]:
    """Each key's latest state of ``kind`` in the chain (None: removed)."""
    s = state_changes
    latest = (
        select(s.c.key, func.max(s.c.seq).label("seq"))
        .where(s.c.kind == kind)
        .group_by(s.c.key)
        .subquery()
    )
    statement = select(s.c.key, s.c.state).join(
        latest, and_(s.c.key == latest.c.key, s.c.seq == latest.c.seq)
    )
    return {str(key): value for key, value in conn.execute(statement)}


def working_state_problem(conn: Connection) -> str | None:
    """Do the accounts and settings agree with their latest evidence in the chain, and is
    every trusted checkpoint key signed as it says? (None: yes.)"""
    for kind, table, order in (
        (state.ACCOUNT, users, users.c.name),
        (state.SETTING, settings, settings.c.key),
    ):
        rows = list(conn.execute(select(table).order_by(order)).mappings())
        found = state.differences(kind, rows, latest_states(conn, kind))
        if found:
            return found[0][1]
    from detainer_desk.services.trust import trust_entry_problem

    from ..signing import signature_is_valid

    for row_id, key, value in conn.execute(
        select(state_changes.c.id, state_changes.c.key, state_changes.c.state)
        .where(state_changes.c.kind == state.TRUSTED_KEY)
        .order_by(state_changes.c.seq)
    ):
        problem = trust_entry_problem(str(key), value, signature_is_valid)
        if problem is not None:
            return f"trusted key entry #{row_id}: {problem}"
    return None


def chain_head_row(conn: Connection) -> tuple[int, str]:
    head = conn.execute(select(chain_head.c.last_seq, chain_head.c.last_hash)).one()
    return int(head.last_seq), str(head.last_hash)


def verify_chain(
    connect: Connect,
    every: int = 10_000,
    *,
    sqlite_path: str | None = None,
    workers: int | None = None,
    memo: derived_scan.IndexMemo | None = None,
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
    for span in walk_chain(
        connect,
        last_seq,
        sqlite_path=sqlite_path,
        workers=workers,
        head_hash=last_hash,
        memo=memo,
    ):
        checked += span.verified
        previous = span.last_hash
        if span.fault is not None:
            f = span.fault
            if not f.table:  # a fault of the store, not of one entry
                fault = ChainFault(None, "", None, f.problem)
            else:
                fault = ChainFault(f.seq, f.table, f.row_id or None, f.problem)
            yield VerifyProgress(checked, last_seq, fault, previous)
            return
        if checked - reported >= every:
            reported = checked
            yield VerifyProgress(checked, last_seq, None, previous)
    yield VerifyProgress(checked, last_seq, None, previous)
