"""An in-memory unit of work for the service unit tests (no database at all)."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Self

from detainer_desk.domain.names import NameIndex
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
    index: dict[int, object] = field(default_factory=dict)
    trust: list[tuple[str, str | None]] = field(default_factory=list)
    seq: int = 0
    contacts: list[ContactRecord] = field(default_factory=list)


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

    def _summary(self, decision_id: int) -> DecisionSummary:
        decision, stamp = self.d.decisions[decision_id - 1]
        request, _ = self.d.requests[decision.request_id - 1]
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
        )

    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]:
        items = [self._summary(n) for n in range(1, len(self.d.decisions) + 1)]
        if query.outcome:
            items = [i for i in items if i.outcome == query.outcome]
        if query.search:
            items = [i for i in items if query.search.casefold() in i.subject_name.casefold()]
        items.sort(key=lambda i: (i.received_at, i.request_id), reverse=True)
        if query.after:
            items = [i for i in items if (i.received_at, i.decision_id) < query.after]
        return items[: query.limit]

    def decision(self, decision_id: int) -> DecisionRow | None:
        if not 1 <= decision_id <= len(self.d.decisions):
            return None
        decision, stamp = self.d.decisions[decision_id - 1]
        request, _ = self.d.requests[decision.request_id - 1]
        policy = next(p for p in self.d.policies if p.id == decision.policy_version_id)
        amendments = tuple(
            AmendmentRecord(n, 0, "", a.kind, a.effective_at, a.reason, a.details_json, s)
            for n, (a, s) in enumerate(self.d.amendments, start=1)
            if a.decision_id == decision_id
        )
        return DecisionRow(
            self._summary(decision_id),
            0,
            "",
            0,
            "",
            request.request_json,
            decision.decision_json,
            decision.evaluated_at,
            stamp.workstation,
            policy,
            tuple(info for rid, _, info in self.d.attachments if rid == decision.request_id),
            amendments,
        )

    def decisions(self, decision_ids: Sequence[int]) -> Sequence[DecisionRow]:
        found = (self.decision(decision_id) for decision_id in decision_ids)
        return tuple(row for row in found if row is not None)

    def upsert_index(self, index) -> None:
        self.d.index[index.decision_id] = index

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
        name,
        *,
        password_hash=None,
        password_changed_at=None,
        roles=None,
        disabled=None,
        locked_at=False,
        display_name=None,
        second_factor=False,
        second_factor_step=False,
        recovery_codes=None,
        directory=False,
    ) -> None:
        record = self.d.users[name]
        changes = {}
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
        self.fake_records = FakeRecords(data)
        # Typed as the ports, so a unit of work of fakes is checked as a UnitOfWork. The fake
        # record repository still lacks the board's, export's and statistics' reads.
        self.records: RecordRepository = self.fake_records  # type: ignore[assignment]
        self.accounts: AccountRepository = FakeAccounts(data)
        self.audit: AuditRepository = FakeAudit(data)

    def __exit__(self, *exc_info: object) -> None:
        self._depth -= 1

    def commit(self) -> None:
        if self._depth == 1:
            self.committed = copy.deepcopy(self.fake_records.d)
            self.commits += 1

    def rollback(self) -> None:
        self._bind(copy.deepcopy(self.committed))


__all__ = ["FakeUnitOfWork", "replace"]
