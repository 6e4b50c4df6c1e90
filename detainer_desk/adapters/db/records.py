"""The record repository: policies, requests, decisions, amendments, contacts and the
derived index, over SQLAlchemy Core (every piece of evidence appended to the chain)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    and_,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.elements import ColumnElement

from detainer_desk.domain.names import NameIndex, name_words
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.services.ports import (
    AmendmentRecord,
    AttachmentIn,
    AttachmentInfo,
    ContactQuery,
    ContactRecord,
    DecisionIndex,
    DecisionQuery,
    DecisionRow,
    DecisionSummary,
    NewAmendment,
    NewContact,
    NewDecision,
    NewRequest,
    PolicyActivation,
    Stamp,
    StoredPolicy,
)

from . import chain
from .derived_scan import from_utc_text, index_columns, utc_text
from .export_table import ExportTable
from .rows import (
    SUMMARY_COLUMNS,
    is_row_id,
    maybe_time,
    policy_of,
    stamp_of,
    stamp_values,
    summary_of,
)
from .schema import (
    amendments,
    attachments,
    contacts,
    decision_index,
    decisions,
    name_pairs,
    name_tokens,
    policy_activations,
    policy_versions,
    requests,
)
from .search import FIND_SORT, LOG_SORT, SearchPlanner


def _holding() -> ColumnElement[bool]:
    """``domain.outcomes.is_holding`` in SQL: a hold in force, or a hold awaiting a
    supervisor's review."""
    i = decision_index
    return or_(
        i.c.outcome_in_force == Outcome.HOLD.value,
        and_(
            i.c.outcome_in_force == Outcome.REVIEW.value,
            decisions.c.tentative_outcome == Outcome.HOLD.value,
        ),
    )


class SqlRecordRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.plan = SearchPlanner(conn)
        self.table = ExportTable(conn, self.plan)

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
            PolicyActivation(r["activation_id"], policy_of(r), r["reason"], stamp_of(r, "a_"))
            for r in self.conn.execute(query).mappings()
        ]

    def policy_by_sha256(self, sha256: str) -> StoredPolicy | None:
        row = (
            self.conn.execute(select(policy_versions).where(policy_versions.c.sha256 == sha256))
            .mappings()
            .first()
        )
        return policy_of(row) if row else None

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
                **stamp_values(stamp),
            },
        )
        return policy_of(row)

    def add_policy_activation(
        self, policy: StoredPolicy, reason: str | None, stamp: Stamp
    ) -> PolicyActivation:
        row = chain.append(
            self.conn,
            policy_activations,
            {"policy_version_id": policy.id, "reason": reason, **stamp_values(stamp)},
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
                **stamp_values(stamp),
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
                **stamp_values(stamp),
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
                **stamp_values(stamp),
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
                **stamp_values(stamp),
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

    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        """A page of the decisions ``query`` selects, indexed or not (the log, ``log_page``,
        shows those indexed), in its order."""
        sort = FIND_SORT[query.sort]
        statement = (
            select(*SUMMARY_COLUMNS, sort.label("sort_value"))
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .outerjoin(decision_index, decision_index.c.decision_id == decisions.c.id)
        )
        names = None
        if (
            query.search
            and query.sort == "received_at"
            and not (query.outcome or query.recorded_by or query.status)
        ):
            names = self._newest_name_matches(query)
        conditions = self.plan.conditions(query, names)
        if query.status:
            conditions.append(decision_index.c.status == query.status)
        return self._page(statement, sort, query, conditions)

    def _newest_name_matches(self, query: DecisionQuery) -> Any | None:
        assert query.search
        return self.plan.newest_name_matches(
            name_words(query.search),
            descending=query.descending,
            after=(str(query.after[0]), int(query.after[1])) if query.after else None,
            received_from=utc_text(query.received_from) if query.received_from else None,
            received_to=utc_text(query.received_to) if query.received_to else None,
            limit=query.limit,
        )

    def _page(
        self, statement: Any, sort: Any, query: DecisionQuery, conditions: list[Any]
    ) -> list[DecisionSummary]:
        """``statement`` filtered, in ``sort`` order then by request id (which grows with
        the decision id), after the keyset ``query.after``, one page."""
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
        rows = self.conn.execute(statement.limit(query.limit)).mappings()
        return [summary_of(r) for r in rows]

    # -- the decision log, the review queue and the holds board ------------------------------
    def export_rows(self, query: DecisionQuery) -> Iterator[tuple[Any, ...]]:
        """The export table (EXPORT_COLUMNS), oldest first, streamed straight from SQL."""
        return self.table.rows(query)

    def export_csv_text(
        self, query: DecisionQuery, workers: int | None = None
    ) -> Iterator[tuple[str, int]]:
        """The export table as CSV text without the header, in pieces of (text, rows)."""
        return self.table.csv_text(query, workers)

    def _log_select(self) -> Any:
        return (
            select(*SUMMARY_COLUMNS)
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .join(decision_index, decision_index.c.decision_id == decisions.c.id)
        )

    def log_page(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        sort = LOG_SORT[query.sort]
        statement = self._log_select().add_columns(sort.label("sort_value"))
        names = None
        if (
            query.search
            and query.sort == "received_at"
            and not (query.outcome or query.recorded_by or query.status)
        ):
            names = self._newest_name_matches(query)
        scan_in_order = names is None and self.plan.walk_in_received_order(query)
        conditions = self.plan.log_conditions(query, scan_in_order, names)
        return self._page(statement, sort, query, conditions)

    def log_count(self, query: DecisionQuery) -> int:
        statement = select(func.count()).select_from(
            requests.join(decisions, decisions.c.request_id == requests.c.id).join(
                decision_index, decision_index.c.decision_id == decisions.c.id
            )
        )
        conditions = self.plan.log_conditions(query)
        if conditions:
            statement = statement.where(and_(*conditions))
        return int(self.conn.execute(statement).scalar_one())

    def open_holds(self) -> Sequence[DecisionSummary]:
        """Everyone held, or to be held, on a detainer: not closed, outcome in force hold
        (or tentatively hold under review), soonest deadline first."""
        i = decision_index
        statement = (
            self._log_select()
            .add_columns(func.coalesce(i.c.hold_until_utc, "").label("sort_value"))
            .where(
                i.c.closed == 0,
                _holding(),
            )
            .order_by(i.c.hold_until_utc.is_(None), i.c.hold_until_utc, requests.c.id)
        )
        return [summary_of(r) for r in self.conn.execute(statement).mappings()]

    def ended_holds(self, since: dt.datetime, until: dt.datetime) -> Sequence[DecisionSummary]:
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
                _holding(),
            )
            .order_by(i.c.hold_until_utc.desc(), requests.c.id)
        )
        return [summary_of(r) for r in self.conn.execute(statement).mappings()]

    def review_queue(self, limit: int) -> Sequence[DecisionSummary]:
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
        return [summary_of(r) for r in self.conn.execute(statement).mappings()]

    def statistics_rows(
        self, received_from: dt.datetime, received_to: dt.datetime
    ) -> Iterator[tuple[dt.datetime, str, str, str, Mapping[str, Any]]]:
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
            yield from_utc_text(row[0]), row[1], row[2], row[3], json.loads(row[4])

    def decision(self, decision_id: int) -> DecisionRow | None:
        if not is_row_id(decision_id):
            return None  # no row has it (and the driver could not even send it)
        found = self.decisions([decision_id])
        return found[0] if found else None

    def decisions(self, decision_ids: Sequence[int]) -> Sequence[DecisionRow]:
        """The decisions with these ids (those that exist), in the order given: a few
        queries for all of them (the export reads hundreds at a time)."""
        decision_ids = [d for d in decision_ids if is_row_id(d)]
        if not decision_ids:
            return ()
        statement = (
            select(
                *SUMMARY_COLUMNS,
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
            .select_from(requests)
            .join(decisions, decisions.c.request_id == requests.c.id)
            .outerjoin(decision_index, decision_index.c.decision_id == decisions.c.id)
            .where(decisions.c.id.in_(decision_ids))
        )
        rows = {row["decision_id"]: row for row in self.conn.execute(statement).mappings()}
        if not rows:
            return ()
        policy_ids = {row["policy_version_id"] for row in rows.values()}
        policies = {
            p["id"]: policy_of(p)
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
                    maybe_time(a["effective_at"]),
                    a["reason"],
                    json.loads(a["details_json"]),
                    stamp_of(a),
                )
            )
        return tuple(
            DecisionRow(
                summary=summary_of(row),
                seq=row["seq"],
                entry_hash=row["entry_hash"],
                request_seq=row["request_seq"],
                request_entry_hash=row["request_entry_hash"],
                request=json.loads(row["request_json"]),
                decision=json.loads(row["decision_json"]),
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
                **stamp_values(stamp),
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
            details=json.loads(row["details_json"]),
            details_json=str(row["details_json"]),
            stamp=stamp_of(row),
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
        if not is_row_id(attachment_id):
            return None
        return self.attachment_contents([attachment_id]).get(attachment_id)

    def attachment_contents(self, attachment_ids: Sequence[int]) -> dict[int, bytes]:
        attachment_ids = [a for a in attachment_ids if is_row_id(a)]
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
