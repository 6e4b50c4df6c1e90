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
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Table, func, insert, select, update

from .schema import EVIDENCE_TABLES, chain_head

GENESIS_HASH = "0" * 64
_EXCLUDED = frozenset({"id", "entry_hash", "content"})


# One encoder, built once: json.dumps() with options builds a new encoder on every call.
_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_bytes(table_name: str, row: Mapping[str, Any]) -> bytes:
    # A null column is left out, exactly as if it did not exist: a later migration can add
    # a nullable column to an evidence table without changing the hash of any earlier row.
    body = {key: value for key, value in row.items() if key not in _EXCLUDED and value is not None}
    body["_table"] = table_name
    body["_id"] = row["id"]
    return _ENCODER.encode(body).encode()


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
        where = f"entry {self.seq} ({self.table} #{self.row_id})" if self.seq else self.table
        return f"{where}: {self.problem}"


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
BATCH = 5_000


def _batch(conn: Connection, low: int, high: int) -> list[tuple[int, str, dict[str, Any]]]:
    """Every entry with low <= seq < high, in seq order. Plain tuples through the driver:
    verification reads every row, and row mappings would cost more than the hashing."""
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for table in EVIDENCE_TABLES:
        names = [column.name for column in table.c]
        seq_index = names.index("seq")
        statement = (
            f"SELECT {', '.join(names)} FROM {table.name} "
            f"WHERE seq >= {int(low)} AND seq < {int(high)} ORDER BY seq"
        )
        for values in conn.exec_driver_sql(statement):
            rows.append((values[seq_index], table.name, dict(zip(names, values, strict=True))))
    rows.sort(key=lambda item: item[0])
    return rows


@dataclass(frozen=True, slots=True)
class WalkedEntry:
    """One entry as verification recomputed it."""

    seq: int
    table: str
    row_id: int
    entry_hash: str  # recomputed from the row and the previous (recomputed) hash
    fault: str | None = None


def read_head(connect: Connect) -> tuple[int, str]:
    with connect() as conn:
        return chain_head_row(conn)


def walk_chain(connect: Connect, upto: int | None = None) -> Iterator[WalkedEntry]:
    """Every entry up to ``upto`` (default: the chain head when the walk starts) in seq order,
    with its recomputed hash; stops after the first fault (a gap, a repeated number, an
    altered row or altered attachment bytes).

    It reads in batches, each in a short transaction of its own, so that a long walk never
    keeps workstations from recording; evidence rows never change, and rows appended
    meanwhile come after ``upto``.
    """
    if upto is None:
        upto = read_head(connect)[0]
    previous = GENESIS_HASH
    expected_seq = 1
    low = 1
    while low <= upto:
        high = min(low + BATCH, upto + 1)
        with connect() as conn:
            rows = _batch(conn, low, high)
        for seq, table_name, row in rows:
            computed = chain_hash(previous, table_name, row)
            fault = None
            if seq != expected_seq:
                missing = "missing" if seq > expected_seq else "repeated"
                fault = f"entry {expected_seq} is {missing}"
            elif computed != row["entry_hash"]:
                fault = "its contents do not match its hash (altered)"
            elif table_name == "attachments":
                actual = hashlib.sha256(row["content"]).hexdigest()
                if actual != row["sha256"] or len(row["content"]) != row["size"]:
                    fault = "the attached file's bytes were altered"
            yield WalkedEntry(seq, table_name, row["id"], computed, fault)
            if fault:
                return
            previous = computed
            expected_seq += 1
        if expected_seq < high:  # the batch ended early: entries are missing
            yield WalkedEntry(
                expected_seq, "(none)", 0, previous, f"entry {expected_seq} is missing"
            )
            return
        low = high


def chain_head_row(conn: Connection) -> tuple[int, str]:
    head = conn.execute(select(chain_head.c.last_seq, chain_head.c.last_hash)).one()
    return int(head.last_seq), str(head.last_hash)


def _highest_seq(conn: Connection) -> int:
    return max(
        int(conn.execute(select(func.coalesce(func.max(t.c.seq), 0))).scalar_one())
        for t in EVIDENCE_TABLES
    )


def verify_chain(connect: Connect, every: int = 10_000) -> Iterator[VerifyProgress]:
    """Recompute the whole chain in ``seq`` order (and every attachment's SHA-256), up to the
    head as it was when verification started.

    Yields progress every ``every`` entries; the last item carries the first fault found,
    if any. Stops at the first fault: everything after it can no longer be trusted.
    """
    last_seq, last_hash = read_head(connect)
    previous = GENESIS_HASH
    checked = 0
    for entry in walk_chain(connect, last_seq):
        if entry.fault:
            fault = ChainFault(entry.seq, entry.table, entry.row_id or None, entry.fault)
            yield VerifyProgress(checked, last_seq, fault, previous)
            return
        previous = entry.entry_hash
        checked += 1
        if checked % every == 0:
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
