"""Checking stretches of the hash chain quickly, in this process or in worker processes.

The rule is the one in :mod:`.chain` (``entry_hash = SHA-256(previous ‖ canonical bytes)``);
this module only makes checking it fast. Two observations make that possible:

* The canonical bytes of a row can be written straight from the row's tuple with a plan
  made once per table (the keys are the table's columns, so their sorted order is known in
  advance). :func:`canonical_encoder` gives exactly the bytes of ``chain.canonical_bytes``
  (a test compares the two on every kind of value) and hands any unusual value to it.
* Every entry stores its own hash, so each entry can be checked against the stored hash of
  the entry before it: ``SHA-256(stored previous ‖ row) == stored hash``. If that holds for
  every entry, the stored chain *is* the recomputed chain (by induction from the genesis
  hash); where it first fails is exactly where a sequential recomputation would first
  fail. Stretches of the chain can therefore be checked independently, in parallel.

Stdlib only: worker processes import nothing else.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

GENESIS_HASH = "0" * 64
EXCLUDED = frozenset({"id", "entry_hash", "content"})

# One encoder, built once: json.dumps() with options builds a new encoder on every call.
ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)
_quote: Callable[[str], str] = json.encoder.encode_basestring


def canonical_bytes(table_name: str, row: Mapping[str, Any]) -> bytes:
    """The reference definition: the row's non-null columns except ``id``, ``entry_hash``
    and ``content``, plus ``_table`` and ``_id``, as JSON with sorted keys, no spaces, UTF-8.

    A null column is left out, exactly as if it did not exist: a later migration can add a
    nullable column to an evidence table without changing the hash of any earlier row."""
    body = {key: value for key, value in row.items() if key not in EXCLUDED and value is not None}
    body["_table"] = table_name
    body["_id"] = row["id"]
    return ENCODER.encode(body).encode()


def canonical_encoder(table_name: str, columns: Sequence[str]) -> Callable[[Sequence[Any]], bytes]:
    """A function giving ``canonical_bytes(table_name, dict(zip(columns, values)))`` for a
    row's tuple of values, several times faster. Text and integers are written directly
    (as the JSON encoder writes them); a row holding any other kind of value goes through
    :func:`canonical_bytes` itself."""
    position = {name: index for index, name in enumerate(columns)}
    keys = sorted([name for name in columns if name not in EXCLUDED] + ["_id", "_table"])
    plan: list[tuple[str, int]] = []  # (the key as JSON and a colon, the value's position)
    for key in keys:
        if key == "_table":
            plan.append((f'"_table":{_quote(table_name)}', -1))
        else:
            plan.append((_quote(key) + ":", position["id" if key == "_id" else key]))

    def encode(values: Sequence[Any]) -> bytes:
        parts = []
        for prefix, index in plan:
            if index < 0:
                parts.append(prefix)
                continue
            value = values[index]
            kind = type(value)
            if kind is str:
                parts.append(prefix + _quote(value))
            elif kind is int:
                parts.append(prefix + int.__repr__(value))
            elif value is not None:  # bool, float, anything else: the reference encoder
                return canonical_bytes(table_name, dict(zip(columns, values, strict=True)))
        return ("{" + ",".join(parts) + "}").encode()

    return encode


class SpanFault(NamedTuple):
    """The first entry of a span that does not verify; or, with ``table`` empty, a fault
    of the store found after the walk (its ``problem`` is then a whole sentence)."""

    seq: int
    table: str
    row_id: int
    problem: str
    entry_hash: str  # its hash as recomputed ("" when the entry is missing)

    @property
    def text(self) -> str:
        """The fault in plain words, naming the entry when there is one."""
        if not self.table or not self.row_id:
            return self.problem
        return f"entry {self.seq} ({self.table} #{self.row_id}): {self.problem}"


class Span(NamedTuple):
    """Entries ``low`` .. ``low + verified - 1`` verified; ``hashes`` are their hashes (32
    bytes each, in order); ``fault`` is the entry after them that did not, if any."""

    low: int
    verified: int
    hashes: bytes
    last_hash: str  # the hash of the last verified entry (the previous one when verified == 0)
    fault: SpanFault | None


Fetch = Callable[[str], Iterable[Sequence[Any]]]
TableColumns = Mapping[str, Sequence[str]]


def _rows(fetch: Fetch, tables: TableColumns, low: int, high: int) -> list[tuple[Any, ...]]:
    """Every entry with low <= seq < high as (seq, table, values), in seq order."""
    rows: list[tuple[Any, ...]] = []
    for table, columns in tables.items():
        seq_at = list(columns).index("seq")
        statement = (
            f"SELECT {', '.join(columns)} FROM {table} "
            f"WHERE seq >= {int(low)} AND seq < {int(high)} ORDER BY seq"
        )
        rows.extend((values[seq_at], table, values) for values in fetch(statement))
    rows.sort(key=lambda item: item[0])
    return rows


def stored_hash(fetch: Fetch, tables: TableColumns, seq: int) -> str | None:
    """The entry hash stored for entry ``seq`` (None when there is no such entry)."""
    if seq == 0:
        return GENESIS_HASH
    for table in tables:
        for (value,) in fetch(f"SELECT entry_hash FROM {table} WHERE seq = {int(seq)}"):
            return str(value)
    return None


def check_span(
    fetch: Fetch,
    tables: TableColumns,
    low: int,
    high: int,
    previous: str | None,
    encoders: dict[str, Callable[[Sequence[Any]], bytes]] | None = None,
) -> Span:
    """Check entries ``low`` .. ``high - 1``. ``previous`` is the hash of entry ``low - 1``
    (None: take the one stored in the database, for a span checked on its own)."""
    if encoders is None:
        encoders = {table: canonical_encoder(table, columns) for table, columns in tables.items()}
    positions = {table: _positions(columns) for table, columns in tables.items()}
    if previous is None:
        previous = stored_hash(fetch, tables, low - 1)
        if previous is None:  # the entry before is missing: the span before reports it
            fault = SpanFault(low - 1, "(none)", 0, f"entry {low - 1} is missing", "")
            return Span(low, 0, b"", GENESIS_HASH, fault)
    sha256 = hashlib.sha256
    hashes = bytearray()
    expected = low
    for seq, table, values in _rows(fetch, tables, low, high):
        id_at, hash_at, content_at, size_at, sha_at = positions[table]
        digest = sha256(bytes.fromhex(previous) + encoders[table](values))
        computed = digest.hexdigest()
        problem = None
        if seq != expected:
            problem = f"entry {expected} is {'missing' if seq > expected else 'repeated'}"
            computed = ""  # nothing to compare: the numbering itself is broken
        elif computed != values[hash_at]:
            problem = "its contents do not match its hash (altered)"
        elif content_at >= 0:
            content = values[content_at]
            if (
                hashlib.sha256(content).hexdigest() != values[sha_at]
                or len(content) != values[size_at]
            ):
                problem = "the attached file's bytes were altered"
        if problem is not None:
            fault = SpanFault(seq, table, values[id_at], problem, computed)
            return Span(low, expected - low, bytes(hashes), previous, fault)
        hashes += digest.digest()
        previous = computed
        expected += 1
    if expected < high:  # the span ended early: entries are missing; name the next one
        seq, table, row_id = _next_entry(fetch, tables, high, expected)
        fault = SpanFault(seq, table, row_id, f"entry {expected} is missing", "")
        return Span(low, expected - low, bytes(hashes), previous, fault)
    return Span(low, expected - low, bytes(hashes), previous, None)


def _next_entry(
    fetch: Fetch, tables: TableColumns, start: int, missing: int
) -> tuple[int, str, int]:
    """The first entry numbered ``start`` or more, as (seq, table, id), so that a fault is
    reported alike wherever spans happen to end; (missing, "(none)", 0) when there is none
    (the missing entry was the last)."""
    found: list[tuple[int, str, int]] = []
    for table in tables:
        statement = f"SELECT seq, id FROM {table} WHERE seq >= {int(start)} ORDER BY seq LIMIT 1"
        found.extend((int(seq), table, int(row_id)) for seq, row_id in fetch(statement))
    return min(found) if found else (missing, "(none)", 0)


def _positions(columns: Sequence[str]) -> tuple[int, int, int, int, int]:
    names = list(columns)

    def at(name: str) -> int:
        return names.index(name) if name in names else -1

    return at("id"), at("entry_hash"), at("content"), at("size"), at("sha256")


# -- worker processes ---------------------------------------------------------------------

_OPEN: dict[str, sqlite3.Connection] = {}


def lenient_text(value: bytes) -> str:
    """Stored text as the checks read it: bytes that are not UTF-8 (a byte of the file
    changed) become replacement characters, so the row fails its hash and is named."""
    return value.decode("utf-8", "replace")


def check_sqlite_span(path: str, tables: TableColumns, low: int, high: int) -> Span:
    """In a worker process: check one span of a SQLite store, reading it in a transaction
    of its own (a reader never keeps a workstation from recording in WAL mode, and only
    for the moment of one span with the rollback journal)."""
    conn = _OPEN.get(path)
    if conn is None:
        conn = sqlite3.connect(path, timeout=30)
        conn.execute("PRAGMA query_only = ON")  # this process only reads
        conn.text_factory = lenient_text
        _OPEN[path] = conn
    conn.execute("BEGIN")
    try:
        return check_span(conn.execute, tables, low, high, None)
    finally:
        conn.rollback()


def outside_entries(fetch: Fetch, tables: TableColumns) -> SpanFault | None:
    """Evidence rows numbered outside 1 .. the chain head (or not numbered): planted rows
    that no walk of the chain reads. Each table's test is one statement, so the head it
    compares with is the one committed with the rows it sees."""
    found = []
    for table in tables:
        for seq, row_id, head in fetch(
            f"SELECT seq, id, (SELECT last_seq FROM chain_head WHERE id = 1) FROM {table} "
            "WHERE seq IS NULL OR seq < 1 OR seq > (SELECT last_seq FROM chain_head WHERE id = 1) "
            "ORDER BY seq LIMIT 1"
        ):
            numbered = type(seq) is int
            found.append(((not numbered, seq if numbered else 0, table), seq, table, row_id, head))
    if not found:
        return None
    _, seq, table, row_id, head = min(found, key=lambda f: f[0])
    where = "beyond the chain head" if type(seq) is int and seq >= 1 else "outside the chain"
    return SpanFault(
        seq if type(seq) is int else 0,
        table,
        row_id if type(row_id) is int and row_id else -1,
        f"numbered {seq!r}, {where} (its entries are numbered 1 to {head}): a row added "
        "outside the program",
        "",
    )


def check_sqlite_integrity(path: str) -> str | None:
    """In a worker process: SQLite's own check of the whole file (every page, every index
    against its table); None when it is sound, else what it found (the first few lines)."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA query_only = ON")
        lines = [str(row[0]) for row in conn.execute("PRAGMA integrity_check(20)")]
    except sqlite3.DatabaseError as exc:
        return str(exc)
    finally:
        conn.close()
    return None if lines == ["ok"] else "; ".join(lines[:3]) + (" …" if len(lines) > 3 else "")
