"""The export table, streamed from SQL, and the CSV workers that format it."""

from __future__ import annotations

import functools
import itertools
import logging
import operator
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    LargeBinary,
    Text,
    and_,
    case,
    cast,
    func,
    literal,
    literal_column,
    select,
    tuple_,
)

from detainer_desk.services.ports import (
    DecisionQuery,
)

from ..workers import start_pool, stop_pool, worker_count
from .csv_worker import Range, csv_lines, csv_range, csv_text
from .schema import (
    decision_index,
    decisions,
    policy_versions,
    requests,
)
from .search import SearchPlanner

log = logging.getLogger("detainer_desk.db")


CSV_RANGE = 50_000  # export rows per range (one worker task)
CSV_PARALLEL_FROM = 200_000  # below this many decisions, starting workers costs more
_CSV_INTEGERS = frozenset({"id", "seq"})  # the export's integer columns; the rest is text


def _sqlite_file(conn: Connection) -> str | None:
    url = conn.engine.url
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        return str(url.database)
    return None


def _every_nth_key(step: int) -> Any:
    """(received_at, id) of every ``step``-th request in the export's order."""
    numbered = select(
        requests.c.received_at,
        requests.c.id,
        func.row_number().over(order_by=(requests.c.received_at, requests.c.id)).label("n"),
    ).subquery()
    return (
        select(numbered.c.received_at, numbered.c.id)
        .where(numbered.c.n % step == 0)
        .order_by(numbered.c.n)
    )


def _in_workers(path: str, ranges: Sequence[Range], workers: int) -> Iterator[tuple[str, int]]:
    """Each range's CSV text, in order, formatted by worker processes; when they cannot be
    started (or one dies), the remaining ranges are formatted here."""
    from concurrent.futures.process import BrokenProcessPool

    done = 0
    pool = start_pool(workers)
    finished = False
    try:
        for text_and_rows in pool.map(csv_range, [path] * len(ranges), ranges):
            yield text_and_rows
            done += 1
        finished = True
    except (BrokenProcessPool, OSError) as exc:
        log.warning("writing decisions.csv without worker processes (%s)", exc)
    finally:
        stop_pool(pool, finished=finished)
    if not finished:
        for rest in ranges[done:]:
            yield csv_range(path, rest)


def _yes_no(column: Any) -> Any:
    """Y or N in SQL, as the FOIA data writes it (the CSV then streams rows as they come)."""
    return case((column != 0, "Y"), else_="N").label(column.name)


class ExportTable:
    """The export table (EXPORT_COLUMNS) of the decisions a query selects, oldest first:
    as plain rows, or as CSV text made by SQLite itself (by worker processes for a large
    export)."""

    def __init__(self, conn: Connection, plan: SearchPlanner) -> None:
        self.conn = conn
        self.plan = plan

    def rows(self, query: DecisionQuery) -> Iterator[tuple[Any, ...]]:
        """The export table (EXPORT_COLUMNS), oldest first, streamed straight from SQL."""
        statement = self.statement(query)
        if self.conn.dialect.name == "sqlite":
            # Straight through the driver: a million rows of plain tuples, without the
            # per-row processing SQLAlchemy adds (nothing here needs converting).
            compiled = statement.compile(self.conn)
            cursor = self.conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                names = compiled.positiontup or []
                cursor.execute(str(compiled), [compiled.params[name] for name in names])
                while rows := cursor.fetchmany(5000):
                    yield from rows
            finally:
                cursor.close()
            return
        # Streamed in batches; options for this statement only (Connection.execution_options
        # would change the connection itself, and an INSERT after it would be streamed too).
        result = self.conn.execute(statement.execution_options(stream_results=True, yield_per=5000))
        for row in result:
            yield tuple(row)

    def csv_text(
        self, query: DecisionQuery, workers: int | None = None
    ) -> Iterator[tuple[str, int]]:
        """The export table as CSV text without the header (QUOTE_NONNUMERIC: integers bare,
        everything else quoted), in order, in pieces of (text, rows).

        On SQLite the lines are made by the database (``csv_worker``), range by range of the
        export's order (received time, request id; the ranges are bounded when the export
        starts, so decisions recorded meanwhile are left out); a large export's ranges are
        formatted by worker processes, one per processor (``workers`` overrides; 1 formats
        here)."""
        path = _sqlite_file(self.conn)
        if path is None or query.search:
            # A search's matches are few and gathered once; range by range they would be
            # gathered again for every range.
            yield from self.csv_by_rows(query)
            return
        ranges = self._csv_ranges(query)
        if workers is None:
            workers = worker_count(len(ranges) * CSV_RANGE, CSV_PARALLEL_FROM)
        if workers < 2:
            driver = self.conn.connection.driver_connection
            for piece in ranges:
                text, count = csv_lines(driver, piece)  # type: ignore[arg-type]
                if count:
                    yield text, count
            return
        for text, count in _in_workers(path, ranges, workers):
            if count:
                yield text, count

    def csv_by_rows(self, query: DecisionQuery) -> Iterator[tuple[str, int]]:
        """The same CSV text, formatted by Python's csv module from the plain rows."""
        rows = self.rows(query)
        while True:
            text, count = csv_text(itertools.islice(rows, CSV_RANGE))
            if not count:
                return
            yield text, count

    def _csv_ranges(self, query: DecisionQuery) -> list[Range]:
        bounds = [
            (str(received_at), int(request_id))
            for received_at, request_id in self.conn.execute(_every_nth_key(CSV_RANGE))
        ]
        last = self.conn.execute(
            select(requests.c.received_at, requests.c.id)
            .order_by(requests.c.received_at.desc(), requests.c.id.desc())
            .limit(1)
        ).first()
        if last is None:
            return []
        if not bounds or bounds[-1] != (str(last[0]), int(last[1])):
            bounds.append((str(last[0]), int(last[1])))
        plain = self.statement(query)
        columns = list(plain.selected_columns)
        formats = ",".join("%d" if c.name in _CSV_INTEGERS else '"%w"' for c in columns)
        texts = [func.ifnull(c, "", type_=Text) for c in columns if c.name not in _CSV_INTEGERS]
        line = func.printf(
            formats, *(c if c.name in _CSV_INTEGERS else func.ifnull(c, "") for c in columns)
        )
        # Compared as bytes: SQLite's text functions may stop at a NUL themselves.
        every_text = cast(functools.reduce(operator.add, texts), LargeBinary)
        has_nul = func.instr(every_text, literal(b"\x00", LargeBinary)) > 0
        lines = plain.with_only_columns(line, has_nul, decisions.c.id)
        # One decision's plain row; its constants written in, the decision id its one "?".
        row_sql = str(
            self.statement(DecisionQuery())
            .where(decisions.c.id == literal_column("?"))
            .compile(self.conn, compile_kwargs={"literal_binds": True})
        )
        # Every range is bounded by the export's start: a decision recorded meanwhile (even
        # one received earlier, entered late) is in no range, as it is in no single read.
        newest = self.conn.execute(select(func.max(decisions.c.id))).scalar() or 0
        lines = lines.where(decisions.c.id <= newest)
        key = tuple_(requests.c.received_at, requests.c.id)
        ranges: list[Range] = []
        low: tuple[str, int] | None = None
        for high in bounds:
            statement = lines.where(key <= high)
            if low is not None:
                statement = statement.where(key > low)
            compiled = statement.compile(self.conn)
            names = compiled.positiontup or []
            ranges.append((str(compiled), [compiled.params[name] for name in names], row_sql))
            low = high
        return ranges

    def statement(self, query: DecisionQuery) -> Any:
        i = decision_index
        statement = (
            select(
                decisions.c.id,
                requests.c.received_at,
                i.c.detainer_issued_at,
                requests.c.form,
                requests.c.a_number,
                requests.c.subject_name,
                requests.c.dob,
                requests.c.booking_number,
                _yes_no(i.c.citizenship_claim),
                i.c.msc_charge,
                i.c.msc_charge_code,
                i.c.msc_conviction_date,
                _yes_no(i.c.felon),
                _yes_no(i.c.case_final_order),
                _yes_no(i.c.biometric_match),
                _yes_no(i.c.statements_made),
                decisions.c.outcome,
                decisions.c.tentative_outcome,
                i.c.outcome_in_force,
                i.c.status,
                i.c.hold_until,
                i.c.release_eligible_at,
                i.c.lift_reason,
                decisions.c.recorded_by,
                decisions.c.recorded_at,
                decisions.c.workstation,
                policy_versions.c.name,
                policy_versions.c.sha256,
                decisions.c.seq,
                decisions.c.entry_hash,
            )
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .join(i, i.c.decision_id == decisions.c.id)
            .join(policy_versions, policy_versions.c.id == decisions.c.policy_version_id)
            .order_by(requests.c.received_at, requests.c.id)
        )
        conditions = self.plan.conditions(query)
        if query.status:
            conditions.append(i.c.status == query.status)
        if conditions:
            statement = statement.where(and_(*conditions))
        return statement
