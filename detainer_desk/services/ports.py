"""What the services need from storage (implemented by adapters/db, and by a fake in the
unit tests). Plain data in and out: no SQL, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Protocol, Self


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, and from which workstation."""

    user: str
    workstation: str


@dataclass(frozen=True, slots=True)
class Stamp:
    """Who recorded an entry, when (UTC) and where."""

    recorded_at: dt.datetime
    recorded_by: str
    workstation: str


@dataclass(frozen=True, slots=True)
class StoredPolicy:
    id: int
    sha256: str
    name: str
    source_name: str
    text: str
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class PolicyActivation:
    id: int
    policy: StoredPolicy
    reason: str | None
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class NewRequest:
    request_json: str
    subject_name: str
    dob: str
    booking_number: str
    a_number: str | None
    form: str
    received_at: dt.datetime
    release_eligible_at: dt.datetime | None


@dataclass(frozen=True, slots=True)
class AttachmentIn:
    file_name: str
    media_type: str
    content: bytes
    document_index: int | None = None  # which document of the request it shows (0-based)


@dataclass(frozen=True, slots=True)
class AttachmentInfo:
    id: int
    file_name: str
    media_type: str
    size: int
    sha256: str
    document_index: int | None


@dataclass(frozen=True, slots=True)
class NewDecision:
    request_id: int
    policy_version_id: int
    outcome: str
    tentative_outcome: str | None
    hold_until: dt.datetime | None
    evaluated_at: dt.datetime
    decision_json: str


@dataclass(frozen=True, slots=True)
class NewAmendment:
    decision_id: int
    kind: str
    effective_at: dt.datetime | None
    reason: str | None
    details_json: str


@dataclass(frozen=True, slots=True)
class AmendmentRecord:
    id: int
    seq: int
    entry_hash: str
    kind: str
    effective_at: dt.datetime | None
    reason: str | None
    details_json: str
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    decision_id: int
    request_id: int
    received_at: dt.datetime
    subject_name: str
    dob: str
    booking_number: str
    a_number: str | None
    form: str
    outcome: str
    tentative_outcome: str | None
    hold_until: str | None
    release_eligible_at: dt.datetime | None
    recorded_by: str
    recorded_at: dt.datetime


@dataclass(frozen=True, slots=True)
class DecisionRow:
    summary: DecisionSummary
    seq: int
    entry_hash: str
    request_seq: int
    request_entry_hash: str
    request_json: str
    decision_json: str
    evaluated_at: dt.datetime
    workstation: str
    policy: StoredPolicy
    attachments: tuple[AttachmentInfo, ...]
    amendments: tuple[AmendmentRecord, ...]


@dataclass(frozen=True, slots=True)
class DecisionQuery:
    """A page of the decision log: newest first, keyset-paged on (received_at, id)."""

    search: str | None = None
    outcome: str | None = None
    received_from: dt.datetime | None = None  # inclusive
    received_to: dt.datetime | None = None  # exclusive
    recorded_by: str | None = None
    limit: int = 100
    after: tuple[dt.datetime, int] | None = None  # (received_at, decision_id) of the last row


class RecordRepository(Protocol):
    def active_policy(self) -> PolicyActivation | None: ...
    def policy_by_sha256(self, sha256: str) -> StoredPolicy | None: ...
    def policy_history(self) -> Sequence[PolicyActivation]: ...
    def add_policy_version(
        self, text: str, sha256: str, name: str, source_name: str, stamp: Stamp
    ) -> StoredPolicy: ...
    def add_policy_activation(
        self, policy: StoredPolicy, reason: str | None, stamp: Stamp
    ) -> PolicyActivation: ...
    def add_request(self, request: NewRequest, name_tokens: Sequence[str], stamp: Stamp) -> int: ...
    def add_attachment(
        self, request_id: int, attachment: AttachmentIn, stamp: Stamp
    ) -> AttachmentInfo: ...
    def add_decision(self, decision: NewDecision, stamp: Stamp) -> int: ...
    def add_amendment(self, amendment: NewAmendment, stamp: Stamp) -> int: ...
    def decisions_for_booking(self, booking_number: str, form: str) -> Sequence[int]: ...
    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]: ...
    def decision(self, decision_id: int) -> DecisionRow | None: ...
    def attachment_content(self, attachment_id: int) -> bytes | None: ...


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving unless ``commit`` was called."""

    records: RecordRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class Verifier(Protocol):
    def verify(self) -> Iterator[tuple[int, int, str | None]]:
        """Yields (checked, total, first fault or None) as verification goes."""
        ...
