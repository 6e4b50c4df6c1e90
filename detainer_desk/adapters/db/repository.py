"""The record repository and unit of work over SQLAlchemy Core."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import itertools
import logging
import math
import operator
from collections.abc import Iterator, Sequence
from typing import Any, Self

from sqlalchemy import (
    Connection,
    Engine,
    LargeBinary,
    Text,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    insert,
    intersect,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
    union,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import DBAPIError

from detainer_desk.domain.names import LONG_NAME, NameIndex, name_words
from detainer_desk.services.access import AlteredOutsideError, StorageError
from detainer_desk.services.ports import (
    AccountRepository,
    AmendmentRecord,
    AttachmentIn,
    AttachmentInfo,
    AuditEvent,
    AuditQuery,
    AuditRepository,
    ContactQuery,
    ContactRecord,
    DecisionIndex,
    DecisionQuery,
    DecisionRow,
    DecisionSummary,
    LogQuery,
    LogRow,
    NewAmendment,
    NewContact,
    NewDecision,
    NewRequest,
    PolicyActivation,
    RecordRepository,
    Stamp,
    StoredPolicy,
    UserRecord,
)
from detainer_desk.services.second_factor import codes_column, stored_codes

from ..workers import start_pool, stop_pool, worker_count
from . import chain, chain_scan, derived_scan, state
from .csv_worker import Range, csv_lines, csv_range, csv_text
from .derived_scan import from_utc_text, index_columns, utc_text
from .engine import is_environmental, plain_error
from .schema import (
    EVIDENCE_TABLES,
    amendments,
    attachments,
    audit_events,
    contacts,
    decision_index,
    decisions,
    name_pairs,
    name_tokens,
    policy_activations,
    policy_versions,
    requests,
    settings,
    state_changes,
    users,
)

log = logging.getLogger("detainer_desk.db")


def _maybe(text: str | None) -> dt.datetime | None:
    return from_utc_text(text) if text else None


def _stamp_values(stamp: Stamp) -> dict[str, Any]:
    return {
        "recorded_at": utc_text(stamp.recorded_at),
        "recorded_by": stamp.recorded_by,
        "workstation": stamp.workstation,
    }


def _stamp_of(row: RowMapping | dict[str, Any], prefix: str = "") -> Stamp:
    return Stamp(
        from_utc_text(row[f"{prefix}recorded_at"]),
        row[f"{prefix}recorded_by"],
        row[f"{prefix}workstation"],
    )


def _policy_of(row: RowMapping | dict[str, Any]) -> StoredPolicy:
    return StoredPolicy(
        row["id"], row["sha256"], row["name"], row["source_name"], row["text"], _stamp_of(row)
    )


_SUMMARY_COLUMNS = (
    decisions.c.id.label("decision_id"),
    requests.c.id.label("request_id"),
    requests.c.received_at,
    requests.c.subject_name,
    requests.c.dob,
    requests.c.booking_number,
    requests.c.a_number,
    requests.c.form,
    decisions.c.outcome,
    decisions.c.tentative_outcome,
    decisions.c.hold_until,
    requests.c.release_eligible_at,
    decisions.c.recorded_by,
    decisions.c.recorded_at,
)


def _summary_of(row: RowMapping) -> DecisionSummary:
    return DecisionSummary(
        decision_id=row["decision_id"],
        request_id=row["request_id"],
        received_at=from_utc_text(row["received_at"]),
        subject_name=row["subject_name"],
        dob=row["dob"],
        booking_number=row["booking_number"],
        a_number=row["a_number"],
        form=row["form"],
        outcome=row["outcome"],
        tentative_outcome=row["tentative_outcome"],
        hold_until=row["hold_until"],
        release_eligible_at=_maybe(row["release_eligible_at"]),
        recorded_by=row["recorded_by"],
        recorded_at=from_utc_text(row["recorded_at"]),
    )


# Sorts whose index can be walked to find a broad search's first page (see _broad_search):
# matches are spread evenly along the received time, not bunched as they are by name.
_INDEXED_LOG_SORTS = frozenset({"received_at"})
_LOG_SORT = {
    "received_at": requests.c.received_at,
    "subject_name": requests.c.subject_name,
    "booking_number": requests.c.booking_number,
    "a_number": func.coalesce(requests.c.a_number, ""),
    "form": requests.c.form,
    "outcome": decisions.c.outcome,
    "hold_until": func.coalesce(decision_index.c.hold_until_utc, ""),
    "recorded_by": decisions.c.recorded_by,
    "status": decision_index.c.status,
}


def _log_row(row: Any) -> LogRow:
    return LogRow(
        decision_id=row[0],
        request_id=row[1],
        received_at=from_utc_text(row[2]),
        subject_name=row[3],
        booking_number=row[4],
        a_number=row[5],
        form=row[6],
        outcome=row[7],
        tentative_outcome=row[8],
        outcome_in_force=row[9],
        status=row[10],
        closed=bool(row[11]),
        hold_until=row[12],
        release_eligible_at=_maybe(row[13]),
        recorded_by=row[14],
        sort_value=str(row[15]),
    )


# A search word that starts more different name words than this ("a") is searched by the
# general plan; below it, the newest matches are read off the (word, received) index.
NAME_WORDS_PER_SEARCH_WORD = 16
NAME_WORD_COUNT_CAP = 5_000

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


class SqlRecordRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- policies -------------------------------------------------------------------------
    def active_policy(self) -> PolicyActivation | None:
        history = self._activations(limit=1)
        return history[0] if history else None

    def policy_history(self) -> Sequence[PolicyActivation]:
        return self._activations(limit=None)

    def _activations(self, limit: int | None) -> list[PolicyActivation]:
        a, p = policy_activations, policy_versions
        query = (
            select(
                a.c.id.label("activation_id"),
                a.c.reason,
                a.c.recorded_at.label("a_recorded_at"),
                a.c.recorded_by.label("a_recorded_by"),
                a.c.workstation.label("a_workstation"),
                *p.c,
            )
            .join(p, p.c.id == a.c.policy_version_id)
            .order_by(a.c.seq.desc())
            .limit(limit)
        )
        return [
            PolicyActivation(r["activation_id"], _policy_of(r), r["reason"], _stamp_of(r, "a_"))
            for r in self.conn.execute(query).mappings()
        ]

    def policy_by_sha256(self, sha256: str) -> StoredPolicy | None:
        row = (
            self.conn.execute(select(policy_versions).where(policy_versions.c.sha256 == sha256))
            .mappings()
            .first()
        )
        return _policy_of(row) if row else None

    def add_policy_version(
        self, text: str, sha256: str, name: str, source_name: str, stamp: Stamp
    ) -> StoredPolicy:
        row = chain.append(
            self.conn,
            policy_versions,
            {
                "sha256": sha256,
                "name": name,
                "source_name": source_name,
                "text": text,
                **_stamp_values(stamp),
            },
        )
        return _policy_of(row)

    def add_policy_activation(
        self, policy: StoredPolicy, reason: str | None, stamp: Stamp
    ) -> PolicyActivation:
        row = chain.append(
            self.conn,
            policy_activations,
            {"policy_version_id": policy.id, "reason": reason, **_stamp_values(stamp)},
        )
        return PolicyActivation(row["id"], policy, reason, stamp)

    # -- requests and decisions -------------------------------------------------------------
    def add_request(self, request: NewRequest, names: NameIndex, stamp: Stamp) -> int:
        row = chain.append(
            self.conn,
            requests,
            {
                "request_json": request.request_json,
                "subject_name": request.subject_name,
                "dob": request.dob,
                "booking_number": request.booking_number,
                "a_number": request.a_number,
                "form": request.form,
                "received_at": utc_text(request.received_at),
                "release_eligible_at": (
                    utc_text(request.release_eligible_at) if request.release_eligible_at else None
                ),
                **_stamp_values(stamp),
            },
        )
        request_id, received_at = row["id"], row["received_at"]
        if names.tokens:
            self.conn.execute(
                name_tokens.insert(),
                [
                    {"token": t, "request_id": request_id, "received_at": received_at}
                    for t in names.tokens
                ],
            )
        if names.pairs:
            self.conn.execute(
                name_pairs.insert(),
                [
                    {
                        "token": a,
                        "other": b,
                        "request_id": request_id,
                        "received_at": received_at,
                    }
                    for a, b in names.pairs
                ],
            )
        return int(request_id)

    def add_attachment(
        self, request_id: int, attachment: AttachmentIn, stamp: Stamp
    ) -> AttachmentInfo:
        digest = hashlib.sha256(attachment.content).hexdigest()
        row = chain.append(
            self.conn,
            attachments,
            {
                "request_id": request_id,
                "document_index": attachment.document_index,
                "file_name": attachment.file_name,
                "media_type": attachment.media_type,
                "size": len(attachment.content),
                "sha256": digest,
                "content": attachment.content,
                **_stamp_values(stamp),
            },
        )
        return AttachmentInfo(
            row["id"],
            attachment.file_name,
            attachment.media_type,
            len(attachment.content),
            digest,
            attachment.document_index,
        )

    def add_decision(self, decision: NewDecision, stamp: Stamp) -> int:
        row = chain.append(
            self.conn,
            decisions,
            {
                "request_id": decision.request_id,
                "policy_version_id": decision.policy_version_id,
                "outcome": decision.outcome,
                "tentative_outcome": decision.tentative_outcome,
                "hold_until": decision.hold_until.isoformat() if decision.hold_until else None,
                "evaluated_at": utc_text(decision.evaluated_at),
                "decision_json": decision.decision_json,
                **_stamp_values(stamp),
            },
        )
        return int(row["id"])

    def add_amendment(self, amendment: NewAmendment, stamp: Stamp) -> int:
        row = chain.append(
            self.conn,
            amendments,
            {
                "decision_id": amendment.decision_id,
                "kind": amendment.kind,
                "effective_at": utc_text(amendment.effective_at)
                if amendment.effective_at
                else None,
                "reason": amendment.reason,
                "details_json": amendment.details_json,
                **_stamp_values(stamp),
            },
        )
        return int(row["id"])

    def decisions_for_booking(self, booking_number: str, form: str) -> Sequence[int]:
        query = (
            select(decisions.c.id)
            .join(requests, requests.c.id == decisions.c.request_id)
            .where(requests.c.booking_number == booking_number, requests.c.form == form)
            .order_by(decisions.c.id)
        )
        return list(self.conn.execute(query).scalars())

    # -- reading ----------------------------------------------------------------------------
    def _conditions(self, query: DecisionQuery, names: Any | None = None) -> list[Any]:
        """The filters; ``names``: the name matches already gathered (see
        ``_newest_name_matches``), else the search decides its own plan."""
        conditions = []
        if query.search and query.search.strip():
            if names is not None:
                conditions.append(_search_condition(query.search, names=names))
            else:
                # A common name among many decisions: walk the received-at index instead.
                broad = self._broad_search(query.search)
                conditions.append(_search_condition(query.search, scan_in_order=broad))
        if query.outcome:
            conditions.append(decisions.c.outcome == query.outcome)
        if query.recorded_by:
            conditions.append(decisions.c.recorded_by == query.recorded_by)
        if query.received_from:
            conditions.append(requests.c.received_at >= utc_text(query.received_from))
        if query.received_to:
            conditions.append(requests.c.received_at < utc_text(query.received_to))
        return conditions

    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        statement = select(*_SUMMARY_COLUMNS).join(
            decisions, decisions.c.request_id == requests.c.id
        )
        after = None
        if query.after:
            received_at, decision_id = query.after
            # decisions.request_id is unique and grows with decisions.id, so keyset paging
            # on (received_at, request id) walks the same order as the index.
            request_id = self.conn.execute(
                select(decisions.c.request_id).where(decisions.c.id == decision_id)
            ).scalar_one()
            after = (utc_text(received_at), int(request_id))
        names = None
        if query.search and not query.outcome and not query.recorded_by:
            names = self._newest_name_matches(
                _name_words(query.search),
                descending=True,
                after=after,
                received_from=utc_text(query.received_from) if query.received_from else None,
                received_to=utc_text(query.received_to) if query.received_to else None,
                limit=query.limit,
            )
        conditions = self._conditions(query, names)
        if after is not None:
            conditions.append(tuple_(requests.c.received_at, requests.c.id) < after)
        if conditions:
            statement = statement.where(and_(*conditions))
        statement = statement.order_by(requests.c.received_at.desc(), requests.c.id.desc()).limit(
            query.limit
        )
        return [_summary_of(r) for r in self.conn.execute(statement).mappings()]

    def export_rows(self, query: DecisionQuery) -> Iterator[tuple[Any, ...]]:
        """The export table (EXPORT_COLUMNS), oldest first, streamed straight from SQL."""
        statement = self._export_statement(query)
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

    def export_csv_text(
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
            yield from self.export_csv_by_rows(query)
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

    def export_csv_by_rows(self, query: DecisionQuery) -> Iterator[tuple[str, int]]:
        """The same CSV text, formatted by Python's csv module from the plain rows."""
        rows = self.export_rows(query)
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
        plain = self._export_statement(query)
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
            self._export_statement(DecisionQuery())
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

    def _export_statement(self, query: DecisionQuery) -> Any:
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
        conditions = self._conditions(query)
        if conditions:
            statement = statement.where(and_(*conditions))
        return statement

    # -- the decision log, the review queue and the holds board ------------------------------
    def _log_select(self) -> Any:
        i = decision_index
        return (
            select(
                decisions.c.id,
                requests.c.id,
                requests.c.received_at,
                requests.c.subject_name,
                requests.c.booking_number,
                requests.c.a_number,
                requests.c.form,
                decisions.c.outcome,
                decisions.c.tentative_outcome,
                i.c.outcome_in_force,
                i.c.status,
                i.c.closed,
                i.c.hold_until,
                i.c.release_eligible_at,
                decisions.c.recorded_by,
            )
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .join(i, i.c.decision_id == decisions.c.id)
        )

    def _log_conditions(
        self, query: LogQuery, scan_in_order: bool = False, names: Any | None = None
    ) -> list[Any]:
        """The log's filters. The search is added here, not by _conditions: whether to walk
        an index depends on the log's sort (log_page decides), and a count never walks one.
        Walking, the filters are written so that no index drives them (``|| ''``)."""
        base = DecisionQuery(
            outcome=None if scan_in_order else query.outcome,
            received_from=query.received_from,
            received_to=query.received_to,
            recorded_by=None if scan_in_order else query.recorded_by,
        )
        conditions = self._conditions(base)
        if scan_in_order and query.outcome:
            conditions.append(decisions.c.outcome.concat("") == query.outcome)
        if scan_in_order and query.recorded_by:
            conditions.append(decisions.c.recorded_by.concat("") == query.recorded_by)
        if query.search and query.search.strip():
            conditions.append(
                _search_condition(query.search, scan_in_order=scan_in_order, names=names)
            )
        if query.status:
            status = decision_index.c.status
            conditions.append((status.concat("") if scan_in_order else status) == query.status)
        return conditions

    def _newest_name_matches(
        self,
        words: Sequence[str],
        *,
        descending: bool,
        after: tuple[str, int] | None,
        received_from: str | None,
        received_to: str | None,
        limit: int,
    ) -> Any | None:
        """The request ids of the first ``limit`` requests in received order (after the
        keyset ``after``, within the period) whose name has a word starting with each of
        ``words``; None when this plan does not apply (no words, or a word so short that it
        starts too many different name words).

        Read straight off an index whatever the size of the record: each name word (or pair
        of name words, for two search words) the search can stand for is walked in received
        order on the (word[, other word], received time) index, the walks merged (SQLite:
        MERGE of the compound's ordered arms; PostgreSQL: Merge Append) and stopped after
        ``limit`` rows; any further search words are checked through the (request, word)
        index on the way. A long name keeps no pairs but one (word, LONG_NAME) row per word:
        walked by the first search word, its second is checked like any further one."""
        # A word that starts another search word adds nothing: any name word matching the
        # longer one matches it too. What remains needs a different name word each.
        words = sorted(set(words))
        words = [w for w in words if not any(o != w and o.startswith(w) for o in words)]
        if not words:
            return None
        tokens: dict[str, list[str]] = {}
        for word in words:
            found = self._name_words_starting(word, NAME_WORDS_PER_SEARCH_WORD + 1)
            if len(found) > NAME_WORDS_PER_SEARCH_WORD:
                return None
            if not found:
                return select(requests.c.id).where(false())  # no name has this word
            tokens[word] = found
        # One or two words: every one is walked (a pair's index holds both orders). More:
        # the two rarest are walked and the others checked on the way.
        rarest = (
            words
            if len(words) <= 2
            else sorted(words, key=lambda w: self._name_word_uses(tokens[w]))
        )
        walked: Any
        # Each walk: the conditions that pick its rows, and the search words then checked.
        walks: list[tuple[tuple[Any, ...], list[str]]]
        if len(rarest) == 1:
            walked = name_tokens
            walks = [((walked.c.token == t,), []) for t in tokens[rarest[0]]]
        else:
            walked = name_pairs
            first, second, *checked = rarest
            walks = [
                ((walked.c.token == a, walked.c.other == b), checked)
                for a in tokens[first]
                for b in tokens[second]
            ]
            if len(walks) > NAME_WORDS_PER_SEARCH_WORD:
                return None
            # A long name keeps one (word, LONG_NAME) row per word instead of every pair:
            # walked by the first search word, it has the second checked like the rest.
            walks += [
                ((walked.c.token == a, walked.c.other == LONG_NAME), [second, *checked])
                for a in tokens[first]
            ]
        arms = []
        for conditions, words_checked in walks:
            arm = select(walked.c.request_id, walked.c.received_at).where(*conditions)
            if received_from is not None:
                arm = arm.where(walked.c.received_at >= received_from)
            if received_to is not None:
                arm = arm.where(walked.c.received_at < received_to)
            if after is not None:
                key = tuple_(walked.c.received_at, walked.c.request_id)
                arm = arm.where(key < after if descending else key > after)
            for number, word in enumerate(words_checked):
                arm = arm.where(_has_name_word(walked.c.request_id, word, f"word_{number}"))
            arms.append(arm)
        merged = arms[0] if len(arms) == 1 else union(*arms)
        received, request = merged.selected_columns.received_at, merged.selected_columns.request_id
        ordered = merged.order_by(
            *((received.desc(), request.desc()) if descending else (received.asc(), request.asc()))
        ).limit(limit)
        return select(ordered.subquery().c.request_id)

    def _name_words_starting(self, prefix: str, most: int) -> list[str]:
        """The distinct name words starting with ``prefix``, up to ``most`` of them: one index
        seek each, however many requests use them."""
        found: list[str] = []
        low, inclusive = prefix, True
        while len(found) < most:
            token = name_tokens.c.token
            statement = select(func.min(token)).where(
                token >= low if inclusive else token > low, token < prefix + "\U0010ffff"
            )
            word = self.conn.execute(statement).scalar()
            if word is None:
                break
            found.append(str(word))
            low, inclusive = str(word), False
        return found

    def _name_word_uses(self, words: Sequence[str]) -> int:
        """How many name entries use these words, counted up to a cap (to pick the rarest
        search word to walk)."""
        capped = (
            select(name_tokens.c.request_id)
            .where(name_tokens.c.token.in_(words))
            .limit(NAME_WORD_COUNT_CAP)
        )
        return int(
            self.conn.execute(select(func.count()).select_from(capped.subquery())).scalar_one()
        )

    def _many(self, matching: Any) -> bool:
        """Whether ``matching`` has so many rows that walking the received-time index and
        keeping the matches beats gathering every match and sorting it. Measured on SQLite
        the two cost the same near matches² = 40 × rows: a common surname or outcome among
        a million decisions is ~15 ms walked and ~150-900 ms gathered; a rare one the other
        way round. Counting stops at that many, so asking costs a millisecond or two."""
        rows = self.conn.execute(select(func.max(requests.c.id))).scalar() or 0
        enough = max(1, math.isqrt(40 * rows) + 1)
        found = self.conn.execute(
            select(func.count()).select_from(matching.limit(enough).subquery())
        ).scalar_one()
        return bool(found >= enough)

    def _broad_search(self, text: str) -> bool:
        """Whether the name words match many decisions (see ``_many``)."""
        words = _name_words(text)
        # Several words: their intersection is usually small even when each word is common
        # (and counting it would cost as much as gathering it), so it is always gathered.
        return len(words) == 1 and self._many(_name_matches(words))

    def _walk_in_received_order(self, query: LogQuery) -> bool:
        """Whether every filter of ``query`` matches many decisions, so that its first page
        is found fastest by walking the received-time index (see ``_many``)."""
        if query.sort not in _INDEXED_LOG_SORTS:
            return False
        filters = []
        if query.search and query.search.strip():
            words = _name_words(query.search)
            if len(words) != 1:  # see _broad_search
                return False
            filters.append(_name_matches(words))
        if query.outcome:
            filters.append(select(decisions.c.id).where(decisions.c.outcome == query.outcome))
        if query.recorded_by:
            filters.append(
                select(decisions.c.id).where(decisions.c.recorded_by == query.recorded_by)
            )
        if query.status:
            filters.append(
                select(decision_index.c.decision_id).where(decision_index.c.status == query.status)
            )
        return bool(filters) and all(self._many(matching) for matching in filters)

    def log_page(self, query: LogQuery) -> Sequence[LogRow]:
        sort = _LOG_SORT[query.sort]
        statement = self._log_select().add_columns(sort.label("sort_value"))
        names = None
        if (
            query.search
            and query.sort == "received_at"
            and not (query.outcome or query.recorded_by or query.status)
        ):
            names = self._newest_name_matches(
                _name_words(query.search),
                descending=query.descending,
                after=(str(query.after[0]), int(query.after[1])) if query.after else None,
                received_from=utc_text(query.received_from) if query.received_from else None,
                received_to=utc_text(query.received_to) if query.received_to else None,
                limit=query.limit,
            )
        scan_in_order = names is None and self._walk_in_received_order(query)
        conditions = self._log_conditions(query, scan_in_order, names)
        if query.after is not None:
            value, request_id = query.after
            key = tuple_(sort, requests.c.id)
            conditions.append(
                key < (value, request_id) if query.descending else key > (value, request_id)
            )
        if conditions:
            statement = statement.where(and_(*conditions))
        if query.descending:
            statement = statement.order_by(sort.desc(), requests.c.id.desc())
        else:
            statement = statement.order_by(sort.asc(), requests.c.id.asc())
        return [_log_row(r) for r in self.conn.execute(statement.limit(query.limit))]

    def log_count(self, query: LogQuery) -> int:
        statement = select(func.count()).select_from(
            requests.join(decisions, decisions.c.request_id == requests.c.id).join(
                decision_index, decision_index.c.decision_id == decisions.c.id
            )
        )
        conditions = self._log_conditions(query)
        if conditions:
            statement = statement.where(and_(*conditions))
        return int(self.conn.execute(statement).scalar_one())

    def open_holds(self) -> Sequence[LogRow]:
        """Everyone held, or to be held, on a detainer: not closed, outcome in force hold
        (or tentatively hold under review), soonest deadline first."""
        i = decision_index
        statement = (
            self._log_select()
            .add_columns(func.coalesce(i.c.hold_until_utc, "").label("sort_value"))
            .where(
                i.c.closed == 0,
                or_(
                    i.c.outcome_in_force == "hold",
                    and_(i.c.outcome_in_force == "review", decisions.c.tentative_outcome == "hold"),
                ),
            )
            .order_by(i.c.hold_until_utc.is_(None), i.c.hold_until_utc, requests.c.id)
        )
        return [_log_row(r) for r in self.conn.execute(statement)]

    def ended_holds(self, since: dt.datetime, until: dt.datetime) -> Sequence[LogRow]:
        """Holds that are over (closed) whose deadline fell in [since, until): the ones a
        fact after the deadline may have ended late (the holds board and the overdue report
        mark those)."""
        i = decision_index
        statement = (
            self._log_select()
            .add_columns(func.coalesce(i.c.hold_until_utc, "").label("sort_value"))
            .where(
                i.c.closed == 1,
                i.c.hold_until_utc >= utc_text(since),
                i.c.hold_until_utc < utc_text(until),
                or_(
                    i.c.outcome_in_force == "hold",
                    and_(i.c.outcome_in_force == "review", decisions.c.tentative_outcome == "hold"),
                ),
            )
            .order_by(i.c.hold_until_utc.desc(), requests.c.id)
        )
        return [_log_row(r) for r in self.conn.execute(statement)]

    def review_queue(self, limit: int) -> Sequence[LogRow]:
        """Decisions a supervisor must look at: under review first, then not countersigned."""
        i = decision_index
        statement = (
            self._log_select()
            .add_columns(i.c.status.label("sort_value"))
            .where(i.c.status.in_(["awaiting review", "awaiting countersign"]), i.c.closed == 0)
            .order_by(
                (i.c.status == "awaiting review").desc(), requests.c.received_at, requests.c.id
            )
            .limit(limit)
        )
        return [_log_row(r) for r in self.conn.execute(statement)]

    def statistics_rows(
        self, received_from: dt.datetime, received_to: dt.datetime
    ) -> Iterator[tuple[dt.datetime, str, str, str, str]]:
        """(received_at, form, outcome in force, status, decision JSON) in the period."""
        statement = (
            select(
                requests.c.received_at,
                requests.c.form,
                decision_index.c.outcome_in_force,
                decision_index.c.status,
                decisions.c.decision_json,
            )
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .join(decision_index, decision_index.c.decision_id == decisions.c.id)
            .where(
                requests.c.received_at >= utc_text(received_from),
                requests.c.received_at < utc_text(received_to),
            )
            .order_by(requests.c.received_at)
        )
        # Streamed in batches; options for this statement only (Connection.execution_options
        # would change the connection itself, and an INSERT after it would be streamed too).
        result = self.conn.execute(statement.execution_options(stream_results=True, yield_per=5000))
        for row in result:
            yield from_utc_text(row[0]), row[1], row[2], row[3], row[4]

    def decision(self, decision_id: int) -> DecisionRow | None:
        if not _is_row_id(decision_id):
            return None  # no row has it (and the driver could not even send it)
        found = self.decisions([decision_id])
        return found[0] if found else None

    def decisions(self, decision_ids: Sequence[int]) -> Sequence[DecisionRow]:
        """The decisions with these ids (those that exist), in the order given: a few
        queries for all of them (the export reads hundreds at a time)."""
        decision_ids = [d for d in decision_ids if _is_row_id(d)]
        if not decision_ids:
            return ()
        statement = (
            select(
                *_SUMMARY_COLUMNS,
                decisions.c.seq,
                decisions.c.entry_hash,
                decisions.c.decision_json,
                decisions.c.evaluated_at,
                decisions.c.workstation,
                decisions.c.policy_version_id,
                requests.c.seq.label("request_seq"),
                requests.c.entry_hash.label("request_entry_hash"),
                requests.c.request_json,
            )
            .join(decisions, decisions.c.request_id == requests.c.id)
            .where(decisions.c.id.in_(decision_ids))
        )
        rows = {row["decision_id"]: row for row in self.conn.execute(statement).mappings()}
        if not rows:
            return ()
        policy_ids = {row["policy_version_id"] for row in rows.values()}
        policies = {
            p["id"]: _policy_of(p)
            for p in self.conn.execute(
                select(policy_versions).where(policy_versions.c.id.in_(policy_ids))
            ).mappings()
        }
        files: dict[int, list[AttachmentInfo]] = {}
        for a in self.conn.execute(
            select(*(c for c in attachments.c if c.name != "content"))
            .where(attachments.c.request_id.in_({row["request_id"] for row in rows.values()}))
            .order_by(attachments.c.id)
        ).mappings():
            files.setdefault(a["request_id"], []).append(
                AttachmentInfo(
                    a["id"],
                    a["file_name"],
                    a["media_type"],
                    a["size"],
                    a["sha256"],
                    a["document_index"],
                )
            )
        later: dict[int, list[AmendmentRecord]] = {}
        for a in self.conn.execute(
            select(amendments)
            .where(amendments.c.decision_id.in_(list(rows)))
            .order_by(amendments.c.seq)
        ).mappings():
            later.setdefault(a["decision_id"], []).append(
                AmendmentRecord(
                    a["id"],
                    a["seq"],
                    a["entry_hash"],
                    a["kind"],
                    _maybe(a["effective_at"]),
                    a["reason"],
                    a["details_json"],
                    _stamp_of(a),
                )
            )
        return tuple(
            DecisionRow(
                summary=_summary_of(row),
                seq=row["seq"],
                entry_hash=row["entry_hash"],
                request_seq=row["request_seq"],
                request_entry_hash=row["request_entry_hash"],
                request_json=row["request_json"],
                decision_json=row["decision_json"],
                evaluated_at=from_utc_text(row["evaluated_at"]),
                workstation=row["workstation"],
                policy=policies[row["policy_version_id"]],
                attachments=tuple(files.get(row["request_id"], ())),
                amendments=tuple(later.get(decision_id, ())),
            )
            for decision_id in decision_ids
            if (row := rows.get(decision_id)) is not None
        )

    def upsert_index(self, index: DecisionIndex) -> None:
        values = index_columns(index)
        changed = self.conn.execute(
            update(decision_index)
            .where(decision_index.c.decision_id == index.decision_id)
            .values(**values)
        )
        if changed.rowcount == 0:
            self.conn.execute(
                insert(decision_index).values(decision_id=index.decision_id, **values)
            )

    def decisions_missing_index(self, limit: int, after: int = 0) -> Sequence[int]:
        statement = (
            select(decisions.c.id)
            .outerjoin(decision_index, decision_index.c.decision_id == decisions.c.id)
            .where(decision_index.c.decision_id.is_(None), decisions.c.id > after)
            .order_by(decisions.c.id)
            .limit(limit)
        )
        return list(self.conn.execute(statement).scalars())

    # -- contacts with immigration enforcement ------------------------------------------------
    def add_contact(self, contact: NewContact, stamp: Stamp) -> int:
        row = chain.append(
            self.conn,
            contacts,
            {
                "amends_id": contact.amends_id,
                "decision_id": contact.decision_id,
                "kind": contact.kind,
                "occurred_at": utc_text(contact.occurred_at),
                "agency": contact.agency,
                "reason": contact.reason,
                "policy_answer": contact.policy_answer,
                "details_json": contact.details_json,
                **_stamp_values(stamp),
            },
        )
        return int(row["id"])

    @staticmethod
    def _contact_of(row: RowMapping) -> ContactRecord:
        return ContactRecord(
            id=int(row["id"]),
            seq=int(row["seq"]),
            entry_hash=str(row["entry_hash"]),
            amends_id=row["amends_id"],
            decision_id=row["decision_id"],
            kind=str(row["kind"]),
            occurred_at=from_utc_text(row["occurred_at"]),
            agency=str(row["agency"]),
            reason=row["reason"],
            policy_answer=row["policy_answer"],
            details_json=str(row["details_json"]),
            stamp=_stamp_of(row),
        )

    def contact(self, contact_id: int) -> ContactRecord | None:
        row = self.conn.execute(select(contacts).where(contacts.c.id == contact_id)).mappings()
        found = row.first()
        return self._contact_of(found) if found is not None else None

    def contacts(self, query: ContactQuery) -> Sequence[ContactRecord]:
        statement = select(contacts).where(contacts.c.amends_id.is_(None))
        if query.occurred_from is not None:
            statement = statement.where(contacts.c.occurred_at >= utc_text(query.occurred_from))
        if query.occurred_to is not None:
            statement = statement.where(contacts.c.occurred_at < utc_text(query.occurred_to))
        if query.kind:
            statement = statement.where(contacts.c.kind == query.kind)
        if query.decision_id is not None:
            statement = statement.where(contacts.c.decision_id == query.decision_id)
        if query.search and query.search.strip():
            # A typed % or _ is itself, not a wildcard.
            for word in query.search.lower().split()[:20]:
                statement = statement.where(
                    func.lower(contacts.c.agency).contains(word, autoescape=True)
                    | func.lower(contacts.c.kind).contains(word, autoescape=True)
                    | func.lower(contacts.c.details_json).contains(word, autoescape=True)
                    | func.lower(func.coalesce(contacts.c.reason, "")).contains(
                        word, autoescape=True
                    )
                )
        statement = statement.order_by(contacts.c.occurred_at.desc(), contacts.c.id.desc())
        statement = statement.limit(query.limit)
        return [self._contact_of(r) for r in self.conn.execute(statement).mappings()]

    def amendments_of_contacts(self, ids: Sequence[int]) -> Sequence[ContactRecord]:
        if not ids:
            return []
        found: list[ContactRecord] = []
        for start in range(0, len(ids), 500):
            chunk = list(ids[start : start + 500])
            statement = (
                select(contacts).where(contacts.c.amends_id.in_(chunk)).order_by(contacts.c.seq)
            )
            found += [self._contact_of(r) for r in self.conn.execute(statement).mappings()]
        return found

    def decision_ids_received_before(self, until: dt.datetime) -> Sequence[int]:
        statement = (
            select(decisions.c.id)
            .join(requests, requests.c.id == decisions.c.request_id)
            .where(requests.c.received_at < utc_text(until))
            .order_by(decisions.c.id)
        )
        return list(self.conn.execute(statement).scalars())

    def attachment_content(self, attachment_id: int) -> bytes | None:
        if not _is_row_id(attachment_id):
            return None
        return self.attachment_contents([attachment_id]).get(attachment_id)

    def attachment_contents(self, attachment_ids: Sequence[int]) -> dict[int, bytes]:
        attachment_ids = [a for a in attachment_ids if _is_row_id(a)]
        if not attachment_ids:
            return {}
        return {
            row[0]: row[1]
            for row in self.conn.execute(
                select(attachments.c.id, attachments.c.content).where(
                    attachments.c.id.in_(attachment_ids)
                )
            )
            if row[1] is not None
        }


def _name_words(text: str) -> list[str]:
    """A search's name words, cut and folded as the names' own words are."""
    return name_words(text)


def _is_row_id(number: int) -> bool:
    """Whether ``number`` can be a row's id: both databases keep ids as signed 64-bit
    integers, counted from 1."""
    return 1 <= number < 2**63


def _has_name_word(request_id: Any, word: str, alias: str) -> Any:
    """The request's name has a word starting with ``word`` (the (request, word) index)."""
    other = name_tokens.alias(alias)
    return exists().where(
        other.c.request_id == request_id,
        other.c.token >= word,
        other.c.token < word + "\U0010ffff",
    )


def _search_condition(text: str, scan_in_order: bool = False, names: Any | None = None) -> Any:
    """Name words (prefix), A-number or booking number; every path uses an index.

    The matching request ids are gathered once, as one list (the booking number's and the
    A-number's index lookups, and one INTERSECT of the name words' index ranges), and the
    requests are then read by their keys. (An OR of the three tests would make SQLite
    gather the name matches twice.)

    ``names``: the name matches already gathered (a select of request ids).
    ``scan_in_order`` (a broad, single-word search): the name-word test is written so that
    no index drives it (``id + 0``): SQLite then walks the sort's index and keeps the
    matching rows.
    """
    from detainer_desk.domain.request import normalize_a_number

    raw = text.strip()
    exact = [requests.c.booking_number == raw]
    a_number = normalize_a_number(raw)
    if a_number:
        exact.append(requests.c.a_number == a_number)
    words = _name_words(raw)
    if scan_in_order and words and names is None:
        return or_(*exact, (requests.c.id + 0).in_(_name_matches(words)))
    ids = select(requests.c.id).where(or_(*exact))
    if names is not None:
        ids = union(ids, names)  # type: ignore[assignment]
    elif words:
        matches = _name_matches(words).subquery()
        ids = union(ids, select(matches.c.request_id))  # type: ignore[assignment]
    return requests.c.id.in_(ids)


def _name_matches(words: Sequence[str]) -> Any:
    """The request ids whose name has a word starting with each of ``words``."""
    ranges = [
        select(name_tokens.c.request_id).where(
            name_tokens.c.token >= word, name_tokens.c.token < word + "\U0010ffff"
        )
        for word in words
    ]
    return ranges[0] if len(ranges) == 1 else intersect(*ranges)


def _user_of(row: RowMapping, altered: str | None = None) -> UserRecord:
    return UserRecord(
        id=row["id"],
        name=row["name"],
        display_name=row["display_name"],
        password_hash=row["password_hash"],
        roles=frozenset(r for r in row["roles"].split(",") if r),
        disabled=bool(row["disabled"]),
        locked_at=_maybe(row["locked_at"]),
        created_at=from_utc_text(row["created_at"]),
        password_changed_at=from_utc_text(row["password_changed_at"]),
        second_factor=row["second_factor"],
        second_factor_step=row["second_factor_step"],
        recovery_codes=stored_codes(row["recovery_codes"]),
        directory=row["directory"],
        altered=altered,
    )


class SqlAccountRepository:
    """Accounts and settings: working rows, each change of which is appended to the chain
    as evidence (``state``). A row that no longer agrees with its latest evidence was
    changed outside the program: it is reported as altered, and never written over (the
    change would otherwise vanish into new evidence)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- the evidence of the working state ----------------------------------------------
    def _latest_state(self, kind: str, key: str) -> tuple[bool, str | None]:
        """(whether the chain has an entry for it, its latest state)."""
        row = self.conn.execute(
            select(state_changes.c.state)
            .where(state_changes.c.kind == kind, state_changes.c.key == key)
            .order_by(state_changes.c.seq.desc())
            .limit(1)
        ).first()
        return (False, None) if row is None else (True, row[0])

    def _latest_states(self, kind: str) -> dict[str, str | None]:
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
        return {str(key): value for key, value in self.conn.execute(statement)}

    def _alteration(self, kind: str, key: str, row: RowMapping | None) -> str | None:
        """What was changed outside the program in this row (None: it agrees)."""
        known, kept = self._latest_state(kind, key)
        latest = {key: kept} if known else {}
        found = state.differences(kind, [row] if row is not None else [], latest)
        return found[0][1] if found else None

    def _keep_state(self, kind: str, key: str, known_alteration: str | None) -> None:
        """Append the row as it is now to the chain (after the program changed it)."""
        if known_alteration is not None:
            raise AlteredOutsideError(known_alteration)
        table, column = (
            (users, users.c.name) if kind == state.ACCOUNT else (settings, settings.c.key)
        )
        row = self.conn.execute(select(table).where(column == key)).mappings().first()
        chain.append(
            self.conn,
            state_changes,
            {"kind": kind, "key": key, "state": state.state_of(kind, row) if row else None},
        )

    def _account_row(self, name: str) -> RowMapping | None:
        return self.conn.execute(select(users).where(users.c.name == name)).mappings().first()

    # -- accounts -------------------------------------------------------------------------
    def count_users(self) -> int:
        """Accounts in the working table or in the chain: emptying the table does not make
        the store look new (that would invite a new first administrator)."""
        working = self.conn.execute(select(func.count()).select_from(users)).scalar_one()
        kept = sum(1 for value in self._latest_states(state.ACCOUNT).values() if value is not None)
        return max(int(working), kept)

    def user(self, name: str) -> UserRecord | None:
        row = self._account_row(name)
        if row is None:
            return None
        return _user_of(row, self._alteration(state.ACCOUNT, row["name"], row))

    def users(self) -> Sequence[UserRecord]:
        rows = list(self.conn.execute(select(users).order_by(users.c.name)).mappings())
        latest = self._latest_states(state.ACCOUNT)
        found = dict(state.differences(state.ACCOUNT, rows, latest))
        return [_user_of(r, found.get(r["name"])) for r in rows]

    def add_user(
        self,
        name: str,
        display_name: str,
        password_hash: str,
        roles: frozenset[str],
        now: dt.datetime,
    ) -> UserRecord:
        chain.lock_head(self.conn)
        known, kept = self._latest_state(state.ACCOUNT, name)
        if known and kept is not None:  # in the chain, gone from the table
            raise AlteredOutsideError(
                f"the account {name!r} is missing (removed outside the program)"
            )
        self.conn.execute(
            insert(users).values(
                name=name,
                display_name=display_name,
                password_hash=password_hash,
                roles=",".join(sorted(roles)),
                disabled=0,
                locked_at=None,
                created_at=utc_text(now),
                password_changed_at=utc_text(now),
            )
        )
        self._keep_state(state.ACCOUNT, name, None)
        created = self.user(name)
        assert created is not None
        return created

    def update_user(
        self,
        name: str,
        *,
        password_hash: str | None = None,
        password_changed_at: dt.datetime | None = None,
        roles: frozenset[str] | None = None,
        disabled: bool | None = None,
        locked_at: dt.datetime | bool | None = False,
        display_name: str | None = None,
        second_factor: str | bool | None = False,
        second_factor_step: int | bool | None = False,
        recovery_codes: tuple[str, ...] | None = None,
        directory: str | bool | None = False,
    ) -> None:
        values: dict[str, Any] = {}
        if second_factor is not False:
            values["second_factor"] = second_factor
        if second_factor_step is not False:
            values["second_factor_step"] = second_factor_step
        if recovery_codes is not None:
            values["recovery_codes"] = codes_column(recovery_codes)
        if directory is not False:
            values["directory"] = directory
        if password_hash is not None:
            values["password_hash"] = password_hash
        if password_changed_at is not None:
            values["password_changed_at"] = utc_text(password_changed_at)
        if roles is not None:
            values["roles"] = ",".join(sorted(roles))
        if disabled is not None:
            values["disabled"] = int(disabled)
        if locked_at is not False:
            values["locked_at"] = (
                utc_text(locked_at) if isinstance(locked_at, dt.datetime) else None
            )
        if display_name is not None:
            values["display_name"] = display_name
        if values:
            chain.lock_head(self.conn)
            altered = self._alteration(state.ACCOUNT, name, self._account_row(name))
            if altered is None:
                self.conn.execute(update(users).where(users.c.name == name).values(**values))
            self._keep_state(state.ACCOUNT, name, altered)

    # -- trusted checkpoint keys ------------------------------------------------------------
    def trust_entries(self) -> Sequence[tuple[str, str | None]]:
        return [
            (str(key), value)
            for key, value in self.conn.execute(
                select(state_changes.c.key, state_changes.c.state)
                .where(state_changes.c.kind == state.TRUSTED_KEY)
                .order_by(state_changes.c.seq)
            )
        ]

    def add_trust_entry(self, key: str, entry: str) -> None:
        chain.append(
            self.conn, state_changes, {"kind": state.TRUSTED_KEY, "key": key, "state": entry}
        )

    # -- settings ---------------------------------------------------------------------------
    def setting(self, key: str) -> str | None:
        return self.conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()

    def set_setting(self, key: str, value: str, now: dt.datetime, by: str) -> None:
        values = {"value": value, "updated_at": utc_text(now), "updated_by": by}
        chain.lock_head(self.conn)
        row = self.conn.execute(select(settings).where(settings.c.key == key)).mappings().first()
        altered = self._alteration(state.SETTING, key, row)
        if altered is None:
            changed = self.conn.execute(
                update(settings).where(settings.c.key == key).values(**values)
            )
            if changed.rowcount == 0:
                self.conn.execute(insert(settings).values(key=key, **values))
        self._keep_state(state.SETTING, key, altered)


def _event_of(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        occurred_at=from_utc_text(row["occurred_at"]),
        user_name=row["user_name"],
        roles=row["roles"],
        workstation=row["workstation"],
        action=row["action"],
        target=row["target"],
        outcome=row["outcome"],
        details_json=row["details_json"],
        id=row["id"],
        seq=row["seq"],
    )


class SqlAuditRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, event: AuditEvent) -> int:
        row = chain.append(
            self.conn,
            audit_events,
            {
                "occurred_at": utc_text(event.occurred_at),
                "user_name": event.user_name,
                "roles": event.roles,
                "workstation": event.workstation,
                "action": event.action,
                "target": event.target,
                "outcome": event.outcome,
                "details_json": event.details_json,
            },
        )
        return int(row["id"])

    def find(self, query: AuditQuery) -> Sequence[AuditEvent]:
        a = audit_events
        conditions = []
        if query.user_name:
            conditions.append(a.c.user_name == query.user_name.strip().casefold())
        if query.action:
            conditions.append(a.c.action.startswith(query.action, autoescape=True))
        if query.outcome:
            conditions.append(a.c.outcome == query.outcome)
        if query.occurred_from:
            conditions.append(a.c.occurred_at >= utc_text(query.occurred_from))
        if query.occurred_to:
            conditions.append(a.c.occurred_at < utc_text(query.occurred_to))
        if query.before_id is not None:
            conditions.append(a.c.id < query.before_id)
        statement = select(a).where(*conditions).order_by(a.c.id.desc()).limit(query.limit)
        return [_event_of(r) for r in self.conn.execute(statement).mappings()]

    def count_since(self, user_name: str, action: str, outcome: str, since: dt.datetime) -> int:
        a = audit_events
        statement = select(func.count()).where(
            a.c.user_name == user_name,
            a.c.action == action,
            a.c.outcome == outcome,
            a.c.occurred_at > utc_text(since),
        )
        return int(self.conn.execute(statement).scalar_one())

    def last_time(
        self, action: str, outcome: str, *, user_name: str | None = None, target: str | None = None
    ) -> dt.datetime | None:
        a = audit_events
        statement = select(func.max(a.c.occurred_at)).where(
            a.c.action == action, a.c.outcome == outcome
        )
        if user_name is not None:
            statement = statement.where(a.c.user_name == user_name)
        if target is not None:
            statement = statement.where(a.c.target == target)
        return _maybe(self.conn.execute(statement).scalar())

    def first_event(self, action: str, target: str) -> AuditEvent | None:
        a = audit_events
        row = (
            self.conn.execute(
                select(a)
                .where(a.c.action == action, a.c.target == target)
                .order_by(a.c.id)
                .limit(1)
            )
            .mappings()
            .first()
        )
        return _event_of(row) if row else None

    def events_between(
        self, actions: Sequence[str], start: dt.datetime, end: dt.datetime, limit: int
    ) -> Sequence[AuditEvent]:
        a = audit_events
        wanted = [
            a.c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else a.c.action == action
            for action in actions
        ]
        statement = (
            select(a)
            .where(
                a.c.occurred_at >= utc_text(start),
                a.c.occurred_at < utc_text(end),
                or_(*wanted),
            )
            .order_by(a.c.occurred_at, a.c.id)
            .limit(limit)
        )
        return [_event_of(r) for r in self.conn.execute(statement).mappings()]


class SqlUnitOfWork:
    """A transaction on its own connection, rolled back unless committed.

    Entering it again while it is open joins the same transaction (a batch: the demo filler
    records many decisions per commit); only the outermost ``commit`` commits.
    """

    records: RecordRepository
    accounts: AccountRepository
    audit: AuditRepository

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._conn: Connection | None = None
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            try:
                self._conn = self.engine.connect()
                self._conn.begin()
            except DBAPIError as exc:
                self._depth = 0
                self._close_quietly()
                if is_environmental(exc):
                    raise plain_error(exc, self.engine.url) from exc
                raise
            self.records = SqlRecordRepository(self._conn)
            self.accounts = SqlAccountRepository(self._conn)
            self.audit = SqlAuditRepository(self._conn)
        return self

    def __exit__(self, *exc_info: object) -> None:
        exc = exc_info[1] if len(exc_info) > 1 else None
        self._depth -= 1
        if self._depth > 0:
            return
        assert self._conn is not None
        environmental = isinstance(exc, DBAPIError) and is_environmental(exc)
        try:
            if self._conn.in_transaction():
                self._conn.rollback()
            if environmental or isinstance(exc, StorageError):
                # Never reuse a connection that met the fault (SQLite keeps a file it had to
                # open read-only read-only for good): the next transaction opens a new one.
                self._conn.invalidate()
        except DBAPIError as failed:
            # The connection is gone (the server rolls back what it had); report the
            # first failure, not this one.
            if exc is None:
                raise plain_error(failed, self.engine.url) from failed
        finally:
            self._close_quietly()
        # A full disk, a lock held too long, a lost server: plain words (nothing of the
        # transaction was stored). Anything else is a bug and keeps its traceback.
        if environmental:
            assert isinstance(exc, DBAPIError)
            raise plain_error(exc, self.engine.url) from exc

    def _close_quietly(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except DBAPIError:
                self._conn.invalidate()
            self._conn = None

    def commit(self) -> None:
        assert self._conn is not None
        if self._depth == 1:
            try:
                self._conn.commit()
            except DBAPIError as exc:
                if is_environmental(exc):
                    raise plain_error(exc, self.engine.url, during_commit=True) from exc
                raise

    def rollback(self) -> None:
        assert self._conn is not None
        self._conn.rollback()


class SqlLedger:
    """The chain of a store, read in short read-only transactions of its own (safe to use
    from a background task while others record). A large SQLite store is checked by
    worker processes reading the file alongside (``workers``: how many; None: one per
    processor once the chain is large enough to be worth it)."""

    def __init__(
        self,
        engine: Engine,
        workers: int | None = None,
        memo: derived_scan.IndexMemo | None = None,
    ) -> None:
        self.engine = engine
        self.workers = workers
        self.memo = memo  # what verify derived last time it passed (spares re-deriving)

    def _connect(self) -> Connection:
        return self.engine.connect().execution_options(read_only=True)

    def _sqlite_path(self) -> str | None:
        url = self.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            return str(url.database)
        return None

    def walk(self) -> Iterator[chain_scan.Span]:
        return chain.walk_chain(
            self._connect, sqlite_path=self._sqlite_path(), workers=self.workers, memo=self.memo
        )

    def verify(self, every: int = 10_000) -> Iterator[chain.VerifyProgress]:
        return chain.verify_chain(
            self._connect,
            every,
            sqlite_path=self._sqlite_path(),
            workers=self.workers,
            memo=self.memo,
        )

    def count(self) -> int:
        with self._connect() as conn:
            return chain.count_entries(conn)

    def head(self) -> tuple[int, str]:
        return chain.read_head(self._connect)

    def describe(self, seq: int) -> tuple[str, int]:
        """Which table and row entry ``seq`` is (("(none)", 0) when there is none)."""
        with self._connect() as conn:
            for table in EVIDENCE_TABLES:
                row_id = conn.execute(select(table.c.id).where(table.c.seq == seq)).scalar()
                if row_id is not None:
                    return table.name, int(row_id)
        return "(none)", 0


def verify_store(
    engine: Engine, every: int = 10_000, workers: int | None = None
) -> Iterator[chain.VerifyProgress]:
    return SqlLedger(engine, workers).verify(every)
