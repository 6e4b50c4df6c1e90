"""decisions.csv for large exports: written by SQLite itself, in worker processes (stdlib
only here).

Each row's CSV line is made by SQLite's ``printf``: integers as they are, every other field
in double quotes with its double quotes doubled (``%w``), null as ``""``. That is exactly
what Python's ``csv.writer(quoting=QUOTE_NONNUMERIC)`` writes for the same row (a test
compares the two), at a fraction of the cost. ``printf`` stops at a NUL character, so a row
holding one (a store altered by hand may) is flagged by the query and formatted by the csv
module; so is a row that ``domain.text.csv_row`` would change (a control character to
escape, a cell starting like a spreadsheet formula to guard), found by its line.

A large SQLite store's rows are split into ranges of the export's order and formatted by one
worker process per processor; the program writes the pieces out in order (see
``SqlRecordRepository.export_csv_text``).
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections.abc import Iterable, Sequence
from typing import Any

from detainer_desk.domain.text import csv_line_needs_care, csv_row

# One range: the lines query (line, has-NUL flag, decision id) with its parameters, and the
# query giving one decision's plain row (parameter: the decision id).
Range = tuple[str, Sequence[Any], str]


def csv_text(rows: Iterable[Sequence[Any]]) -> tuple[str, int]:
    """Rows as CSV text (RFC 4180 line ends; QUOTE_NONNUMERIC; text cells escaped and
    guarded by ``csv_row``) and how many."""
    rows = rows if isinstance(rows, list) else list(rows)
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
    writer.writerows(csv_row(row) for row in rows)
    return buffer.getvalue(), len(rows)


def csv_lines(conn: sqlite3.Connection, piece: Range) -> tuple[str, int]:
    """One range's CSV text, from the lines SQLite made (and the csv module for a row that
    holds a NUL character)."""
    sql, params, row_sql = piece
    rows = conn.execute(sql, list(params)).fetchall()
    if not rows:
        return "", 0
    lines = []
    for made, flag, decision_id in rows:
        if flag or csv_line_needs_care(made):
            row = conn.execute(row_sql, [decision_id]).fetchone()
            lines.append(csv_text([row])[0].removesuffix("\r\n"))
        else:
            lines.append(made)
    lines.append("")
    return "\r\n".join(lines), len(rows)


def csv_range(path: str, piece: Range) -> tuple[str, int]:
    """In a worker process: one range of the store at ``path``."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA query_only = ON")  # this process only reads
        return csv_lines(conn, piece)
    finally:
        conn.close()
