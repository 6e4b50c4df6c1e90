"""An in-memory unit of work for the service unit tests (no database at all).

Each fake implements every method of its port (services/ports.py) with the SQL store's
meaning for what the services read: the same filters, orders, keyset paging and stored text
forms (tests/test_fakes.py holds both to that), without its plans, chain or hashes.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Self

from detainer_desk.domain.names import NameIndex, name_words
from detainer_desk.domain.request import normalize_a_number
from detainer_desk.domain.text import csv_row
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


@dataclass
class _Data:
    policies: list[StoredPolicy] = field(default_factory=list)
    activations: list[PolicyActivation] = field(default_factory=list)
    requests: list[tuple[NewRequest, Stamp]] = field(default_factory=list)
    attachments: list[tuple[int, AttachmentIn, AttachmentInfo]] = field(default_factory=list)
    decisions: list[tuple[NewDecision, Stamp]] = field(default_factory=list)
    amendments: list[tuple[NewAmendment, Stamp]] = field(default_factory=list)
    users: dict[str, UserRecord] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    audit: list[AuditEvent] = field(default_factory=list)
    index: dict[int, DecisionIndex] = field(default_factory=dict)
    names: dict[int, NameIndex] = field(default_factory=dict)  # by request id
    trust: list[tuple[str, str | None]] = field(default_factory=list)
    seq: int = 0
    contacts: list[ContactRecord] = field(default_factory=list)


def _utc_text(moment: dt.datetime) -> str:
    """An instant as the store keeps it (text that sorts in time order)."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _maybe_text(moment: dt.datetime | None) -> str | None:
    return _utc_text(moment) if moment is not None else None


def _yes_no(flag: bool) -> str:
    return "Y" if flag else "N"


def _holding(index: DecisionIndex, tentative_outcome: str | None) -> bool:
    """Held, or to be held, on a detainer (the store's open and ended holds)."""
    return index.outcome_in_force == "hold" or (
        index.outcome_in_force == "review" and tentative_outcome == "hold"
    )


class FakeRecords:
    def __init__(self, data: _Data) -> None:
        self.d = data

    def _next(self) -> int:
        self.d.seq += 1
        return self.d.seq

    def active_policy(self) -> PolicyActivation | None:
        return self.d.activations[-1] if self.d.activations else None

    def policy_history(self) -> Sequence[PolicyActivation]:
        return list(reversed(self.d.activations))

    def policy_by_sha256(self, sha256: str) -> StoredPolicy | None:
        return next((p for p in self.d.policies if p.sha256 == sha256), None)

    def add_policy_version(self, text, sha256, name, source_name, stamp) -> StoredPolicy:
        self._next()
        policy = StoredPolicy(len(self.d.policies) + 1, sha256, name, source_name, text, stamp)
        self.d.policies.append(policy)
        return policy

    def add_policy_activation(self, policy, reason, stamp) -> PolicyActivation:
        self._next()
        activation = PolicyActivation(len(self.d.activations) + 1, policy, reason, stamp)
        self.d.activations.append(activation)
        return activation

    def add_request(self, request: NewRequest, names: NameIndex, stamp: Stamp) -> int:
        self._next()
        self.d.requests.append((request, stamp))
        self.d.names[len(self.d.requests)] = names
        return len(self.d.requests)

    def add_attachment(
        self, request_id: int, attachment: AttachmentIn, stamp: Stamp
    ) -> AttachmentInfo:
        self._next()
        info = AttachmentInfo(
            len(self.d.attachments) + 1,
            attachment.file_name,
            attachment.media_type,
            len(attachment.content),
            hashlib.sha256(attachment.content).hexdigest(),
            attachment.document_index,
        )
        self.d.attachments.append((request_id, attachment, info))
        return info

    def add_decision(self, decision: NewDecision, stamp: Stamp) -> int:
        self._next()
        self.d.decisions.append((decision, stamp))
        return len(self.d.decisions)

    def add_amendment(self, amendment: NewAmendment, stamp: Stamp) -> int:
        self._next()
        self.d.amendments.append((amendment, stamp))
        return len(self.d.amendments)

    def decisions_for_booking(self, booking_number: str, form: str) -> Sequence[int]:
        return [
            n
            for n, (decision, _) in enumerate(self.d.decisions, start=1)
            if self.d.requests[decision.request_id - 1][0].booking_number == booking_number
            and self.d.requests[decision.request_id - 1][0].form == form
        ]

    def _summary(self, decision_id: int, sort_value: str = "") -> DecisionSummary:
        decision, stamp = self.d.decisions[decision_id - 1]
        request, _ = self.d.requests[decision.request_id - 1]
        index = self.d.index.get(decision_id)
        return DecisionSummary(
            decision_id,
            decision.request_id,
            request.received_at,
            request.subject_name,
            request.dob,
            request.booking_number,
            request.a_number,
            request.form,
            decision.outcome,
            decision.tentative_outcome,
            decision.hold_until.isoformat() if decision.hold_until else None,
            request.release_eligible_at,
            stamp.recorded_by,
            stamp.recorded_at,
            outcome_in_force=index.outcome_in_force if index else None,
            status=index.status if index else None,
            closed=index.closed if index else None,
            hold_until_in_force=(
                index.hold_until.isoformat() if index and index.hold_until else None
            ),
            sort_value=sort_value,
        )

    def _matches(self, decision_id: int, search: str | None) -> bool:
        """The store's search: the booking number or the A-number exactly, or every word a
        prefix of a word of the name."""
        if not search or not search.strip():
            return True
        decision, _ = self.d.decisions[decision_id - 1]
        request, _ = self.d.requests[decision.request_id - 1]
        raw = search.strip()
        if request.booking_number == raw:
            return True
        a_number = normalize_a_number(raw)
        if a_number and request.a_number == a_number:
            return True
        words = name_words(raw)
        tokens = self.d.names.get(decision.request_id, NameIndex((), ())).tokens
        return bool(words) and all(any(t.startswith(w) for t in tokens) for w in words)

    def _selected(self, query: DecisionQuery) -> list[int]:
        """The decision ids a query's filters select (search, outcome, recorder, period,
        status)."""
        found = []
        for decision_id in range(1, len(self.d.decisions) + 1):
            decision, stamp = self.d.decisions[decision_id - 1]
            request, _ = self.d.requests[decision.request_id - 1]
            if (
                (not query.outcome or decision.outcome == query.outcome)
                and (not query.recorded_by or stamp.recorded_by == query.recorded_by)
                and (not query.received_from or request.received_at >= query.received_from)
                and (not query.received_to or request.received_at < query.received_to)
                and self._matches(decision_id, query.search)
                and (not query.status or self._status(decision_id) == query.status)
            ):
                found.append(decision_id)
        return found

    def _status(self, decision_id: int) -> str | None:
        index = self.d.index.get(decision_id)
        return index.status if index else None

    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        return self._page(self._selected(query), query)

    def _page(self, decision_ids: list[int], query: DecisionQuery) -> list[DecisionSummary]:
        rows = [self._summary(n, self._sort_value(n, query.sort)) for n in decision_ids]
        rows.sort(key=lambda r: (r.sort_value, r.request_id), reverse=query.descending)
        if query.after is not None:
            after = (str(query.after[0]), int(query.after[1]))
            if query.descending:
                rows = [r for r in rows if (r.sort_value, r.request_id) < after]
            else:
                rows = [r for r in rows if (r.sort_value, r.request_id) > after]
        return rows[: query.limit]

    def decision(self, decision_id: int) -> DecisionRow | None:
        if not 1 <= decision_id <= len(self.d.decisions):
            return None
        decision, stamp = self.d.decisions[decision_id - 1]
        request, _ = self.d.requests[decision.request_id - 1]
        policy = next(p for p in self.d.policies if p.id == decision.policy_version_id)
        amendments = tuple(
            AmendmentRecord(
                n, 0, "", a.kind, a.effective_at, a.reason, json.loads(a.details_json), s
            )
            for n, (a, s) in enumerate(self.d.amendments, start=1)
            if a.decision_id == decision_id
        )
        return DecisionRow(
            self._summary(decision_id),
            0,
            "",
            0,
            "",
            json.loads(request.request_json),
            json.loads(decision.decision_json),
            decision.evaluated_at,
            stamp.workstation,
            policy,
            tuple(info for rid, _, info in self.d.attachments if rid == decision.request_id),
            amendments,
        )

    def decisions(self, decision_ids: Sequence[int]) -> Sequence[DecisionRow]:
        found = (self.decision(decision_id) for decision_id in decision_ids)
        return tuple(row for row in found if row is not None)

    def upsert_index(self, index: DecisionIndex) -> None:
        self.d.index[index.decision_id] = index

    # -- the decision log, the review queue and the holds board ------------------------------
    def _sort_value(self, decision_id: int, sort: str) -> str:
        """The log's sort column as the store keeps it (text; a blank for none)."""
        summary = self._summary(decision_id)
        index = self.d.index.get(decision_id)
        values: dict[str, Callable[[], str]] = {
            "received_at": lambda: _utc_text(summary.received_at),
            "subject_name": lambda: summary.subject_name,
            "booking_number": lambda: summary.booking_number,
            "a_number": lambda: summary.a_number or "",
            "form": lambda: summary.form,
            "outcome": lambda: summary.outcome,
            "hold_until": lambda: (_maybe_text(index.hold_until) if index else None) or "",
            "recorded_by": lambda: summary.recorded_by,
            "status": lambda: index.status if index else "",
        }
        return values[sort]()

    def _in_log(self, query: DecisionQuery) -> list[int]:
        return [n for n in self._selected(query) if n in self.d.index]

    def log_page(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        return self._page(self._in_log(query), query)

    def log_count(self, query: DecisionQuery) -> int:
        return len(self._in_log(query))

    def _holds(self, closed: bool) -> list[DecisionSummary]:
        found = []
        for decision_id, index in self.d.index.items():
            decision, _ = self.d.decisions[decision_id - 1]
            if index.closed == closed and _holding(index, decision.tentative_outcome):
                found.append(self._summary(decision_id, _maybe_text(index.hold_until) or ""))
        return found

    def open_holds(self) -> Sequence[DecisionSummary]:
        rows = self._holds(closed=False)
        return sorted(rows, key=lambda r: (r.sort_value == "", r.sort_value, r.request_id))

    def ended_holds(self, since: dt.datetime, until: dt.datetime) -> Sequence[DecisionSummary]:
        low, high = _utc_text(since), _utc_text(until)
        rows = [r for r in self._holds(closed=True) if r.sort_value and low <= r.sort_value < high]
        rows.sort(key=lambda r: r.request_id)
        return sorted(rows, key=lambda r: r.sort_value, reverse=True)

    def review_queue(self, limit: int) -> Sequence[DecisionSummary]:
        waiting = ("awaiting review", "awaiting countersign")
        rows = [
            self._summary(n, index.status)
            for n, index in self.d.index.items()
            if index.status in waiting and not index.closed
        ]
        rows.sort(key=lambda r: (r.status != "awaiting review", r.received_at, r.request_id))
        return rows[:limit]

    # -- the export and the statistics -------------------------------------------------------
    def export_rows(self, query: DecisionQuery) -> Iterator[tuple[Any, ...]]:
        """The export table (services/export.py EXPORT_COLUMNS), oldest first."""
        chosen = [n for n in self._selected(query) if n in self.d.index]
        chosen.sort(key=lambda n: (self._summary(n).received_at, self._summary(n).request_id))
        for decision_id in chosen:
            row = self.decision(decision_id)
            assert row is not None
            s, i = row.summary, self.d.index[decision_id]
            yield (
                decision_id,
                _utc_text(s.received_at),
                i.detainer_issued_at,
                s.form,
                s.a_number,
                s.subject_name,
                s.dob,
                s.booking_number,
                _yes_no(i.citizenship_claim),
                i.msc_charge,
                i.msc_charge_code,
                i.msc_conviction_date,
                _yes_no(i.felon),
                _yes_no(i.case_final_order),
                _yes_no(i.biometric_match),
                _yes_no(i.statements_made),
                s.outcome,
                s.tentative_outcome,
                i.outcome_in_force,
                i.status,
                i.hold_until.isoformat() if i.hold_until else None,
                _maybe_text(i.release_eligible_at),
                i.lift_reason,
                s.recorded_by,
                _utc_text(s.recorded_at),
                row.workstation,
                row.policy.name,
                row.policy.sha256,
                row.seq,
                row.entry_hash,
            )

    def export_csv_text(
        self, query: DecisionQuery, workers: int | None = None
    ) -> Iterator[tuple[str, int]]:
        rows = list(self.export_rows(query))
        if rows:
            buffer = io.StringIO()
            writer = csv.writer(buffer, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")
            writer.writerows(csv_row(row) for row in rows)
            yield buffer.getvalue(), len(rows)

    def statistics_rows(
        self, received_from: dt.datetime, received_to: dt.datetime
    ) -> Iterator[tuple[dt.datetime, str, str, str, Mapping[str, Any]]]:
        """(received_at, form, outcome in force, status, decision JSON) in the period."""
        found = []
        for decision_id, index in self.d.index.items():
            decision, _ = self.d.decisions[decision_id - 1]
            request, _ = self.d.requests[decision.request_id - 1]
            if received_from <= request.received_at < received_to:
                found.append(
                    (
                        request.received_at,
                        request.form,
                        index.outcome_in_force,
                        index.status,
                        json.loads(decision.decision_json),
                    )
                )
        yield from sorted(found, key=lambda row: row[0])

    def decisions_missing_index(self, limit: int, after: int = 0) -> Sequence[int]:
        numbers = range(after + 1, len(self.d.decisions) + 1)
        return [n for n in numbers if n not in self.d.index][:limit]

    def add_contact(self, contact: NewContact, stamp: Stamp) -> int:
        seq = self._next()
        record = ContactRecord(
            len(self.d.contacts) + 1,
            seq,
            "0" * 64,
            contact.amends_id,
            contact.decision_id,
            contact.kind,
            contact.occurred_at,
            contact.agency,
            contact.reason,
            contact.policy_answer,
            json.loads(contact.details_json),
            contact.details_json,
            stamp,
        )
        self.d.contacts.append(record)
        return record.id

    def contact(self, contact_id: int) -> ContactRecord | None:
        return next((c for c in self.d.contacts if c.id == contact_id), None)

    def contacts(self, query: ContactQuery) -> Sequence[ContactRecord]:
        found = [
            c
            for c in self.d.contacts
            if c.amends_id is None
            and (query.occurred_from is None or c.occurred_at >= query.occurred_from)
            and (query.occurred_to is None or c.occurred_at < query.occurred_to)
            and (query.kind is None or c.kind == query.kind)
            and (query.decision_id is None or c.decision_id == query.decision_id)
        ]
        return sorted(found, key=lambda c: (c.occurred_at, c.id), reverse=True)[: query.limit]

    def amendments_of_contacts(self, ids: Sequence[int]) -> Sequence[ContactRecord]:
        return [c for c in self.d.contacts if c.amends_id in ids]

    def decision_ids_received_before(self, until: dt.datetime) -> Sequence[int]:
        return [
            n
            for n, (decision, _) in enumerate(self.d.decisions, start=1)
            if self.d.requests[decision.request_id - 1][0].received_at < until
        ]

    def attachment_content(self, attachment_id: int) -> bytes | None:
        for _, attachment, info in self.d.attachments:
            if info.id == attachment_id:
                return attachment.content
        return None

    def attachment_contents(self, attachment_ids: Sequence[int]) -> dict[int, bytes]:
        found = {n: self.attachment_content(n) for n in attachment_ids}
        return {n: content for n, content in found.items() if content is not None}


class FakeAccounts:
    def __init__(self, data: _Data) -> None:
        self.d = data

    def count_users(self) -> int:
        return len(self.d.users)

    def user(self, name: str) -> UserRecord | None:
        return self.d.users.get(name)

    def users(self) -> Sequence[UserRecord]:
        return sorted(self.d.users.values(), key=lambda u: u.name)

    def add_user(self, name, display_name, password_hash, roles, now) -> UserRecord:
        record = UserRecord(
            len(self.d.users) + 1,
            name,
            display_name,
            password_hash,
            frozenset(roles),
            False,
            None,
            now,
            now,
        )
        self.d.users[name] = record
        return record

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
        record = self.d.users[name]
        changes: dict[str, Any] = {}
        if second_factor is not False:
            changes["second_factor"] = second_factor
        if second_factor_step is not False:
            changes["second_factor_step"] = second_factor_step
        if recovery_codes is not None:
            changes["recovery_codes"] = tuple(recovery_codes)
        if directory is not False:
            changes["directory"] = directory
        if password_hash is not None:
            changes["password_hash"] = password_hash
        if password_changed_at is not None:
            changes["password_changed_at"] = password_changed_at
        if roles is not None:
            changes["roles"] = frozenset(roles)
        if disabled is not None:
            changes["disabled"] = disabled
        if locked_at is not False:
            changes["locked_at"] = locked_at
        if display_name is not None:
            changes["display_name"] = display_name
        self.d.users[name] = replace(record, **changes)

    def setting(self, key: str) -> str | None:
        return self.d.settings.get(key)

    def trust_entries(self) -> Sequence[tuple[str, str | None]]:
        return list(self.d.trust)

    def add_trust_entry(self, key: str, entry: str) -> None:
        self.d.trust.append((key, entry))

    def set_setting(self, key, value, now, by) -> None:
        self.d.settings[key] = value


class FakeAudit:
    def __init__(self, data: _Data) -> None:
        self.d = data

    def add(self, event: AuditEvent) -> int:
        self.d.seq += 1
        self.d.audit.append(replace(event, id=len(self.d.audit) + 1, seq=self.d.seq))
        return len(self.d.audit)

    def find(self, query: AuditQuery) -> Sequence[AuditEvent]:
        events = [
            e
            for e in reversed(self.d.audit)
            if (query.user_name is None or e.user_name == query.user_name)
            and (query.action is None or e.action.startswith(query.action))
            and (query.outcome is None or e.outcome == query.outcome)
        ]
        return events[: query.limit]

    def count_since(self, user_name, action, outcome, since) -> int:
        return sum(
            1
            for e in self.d.audit
            if e.user_name == user_name
            and e.action == action
            and e.outcome == outcome
            and e.occurred_at > since
        )

    def last_time(self, action, outcome, *, user_name=None, target=None):
        times = [
            e.occurred_at
            for e in self.d.audit
            if e.action == action
            and e.outcome == outcome
            and (user_name is None or e.user_name == user_name)
            and (target is None or e.target == target)
        ]
        return max(times) if times else None

    def first_event(self, action, target):
        found = [e for e in self.d.audit if e.action == action and e.target == target]
        return found[0] if found else None

    def events_between(self, actions, start, end, limit):
        def wanted(action: str) -> bool:
            return any(action.startswith(a) if a.endswith(".") else action == a for a in actions)

        found = [e for e in self.d.audit if start <= e.occurred_at < end and wanted(e.action)]
        return sorted(found, key=lambda e: (e.occurred_at, e.id or 0))[:limit]


class FakeUnitOfWork:
    """Changes become visible to the next unit of work only when committed."""

    records: RecordRepository
    accounts: AccountRepository
    audit: AuditRepository

    def __init__(self) -> None:
        self.committed = _Data()
        self.commits = 0
        self._depth = 0

    def __enter__(self) -> Self:
        self._depth += 1
        if self._depth == 1:
            self._bind(copy.deepcopy(self.committed))
        return self

    def _bind(self, data: _Data) -> None:
        self.data = data  # what this unit of work sees and changes
        self.records = FakeRecords(data)
        self.accounts = FakeAccounts(data)
        self.audit = FakeAudit(data)

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1

    def commit(self) -> None:
        if self._depth == 1:
            self.committed = copy.deepcopy(self.data)
            self.commits += 1

    def rollback(self) -> None:
        self._bind(copy.deepcopy(self.committed))


__all__ = ["FakeUnitOfWork", "replace"]
