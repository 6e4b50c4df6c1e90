"""What the services need from storage (implemented by adapters/db, and by a fake in the
unit tests). Plain data in and out: no SQL, no Qt."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, Self

from detainer_desk.domain.names import NameIndex

if TYPE_CHECKING:
    from .evidence_model import BundleAbout, ContactHistory, DecisionRecord, PdfDocument


@dataclass(frozen=True, slots=True)
class Actor:
    """Who does something, with which roles, and from which workstation."""

    user: str
    workstation: str
    roles: frozenset[str] = frozenset()

    @property
    def roles_text(self) -> str:
        return ",".join(sorted(self.roles)) or "-"


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
    details: Mapping[str, Any]  # as recorded (parsed once, by the store)
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class NewContact:
    kind: str
    occurred_at: dt.datetime
    agency: str
    decision_id: int | None
    reason: str | None
    policy_answer: str | None
    details_json: str
    amends_id: int | None = None


@dataclass(frozen=True, slots=True)
class ContactRecord:
    id: int
    seq: int
    entry_hash: str
    amends_id: int | None
    decision_id: int | None
    kind: str
    occurred_at: dt.datetime
    agency: str
    reason: str | None
    policy_answer: str | None
    details: Mapping[str, Any]  # parsed once, by the store
    details_json: str  # the text as recorded: contacts.csv and the screens show it verbatim
    stamp: Stamp


@dataclass(frozen=True, slots=True)
class ContactQuery:
    """Contacts (originals, newest first) between two instants, optionally of one kind or
    about one decision; ``search`` matches the agency, the kind and the details' words."""

    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None
    kind: str | None = None
    decision_id: int | None = None
    search: str | None = None
    limit: int = 200


@dataclass(frozen=True, slots=True)
class DecisionSummary:
    """One decision as a line of the log: the request and the decision as recorded, and
    (from the derived index) where it stands now; None in those when it is not indexed yet."""

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
    hold_until: str | None  # as decided
    release_eligible_at: dt.datetime | None
    recorded_by: str
    recorded_at: dt.datetime
    outcome_in_force: str | None = None
    status: str | None = None
    closed: bool | None = None
    hold_until_in_force: str | None = None  # current (after amendments), with the policy's offset
    sort_value: str = ""  # the query's sort column as the store keeps it (for keyset paging)


@dataclass(frozen=True, slots=True)
class DecisionRow:
    summary: DecisionSummary
    seq: int
    entry_hash: str
    request_seq: int
    request_entry_hash: str
    request: Mapping[str, Any]  # the request as entered (parsed once, by the store)
    decision: Mapping[str, Any]  # the contract decision (parsed once, by the store)
    evaluated_at: dt.datetime
    workstation: str
    policy: StoredPolicy
    attachments: tuple[AttachmentInfo, ...]
    amendments: tuple[AmendmentRecord, ...]


LOG_SORT_KEYS = (
    "received_at",
    "subject_name",
    "booking_number",
    "a_number",
    "form",
    "outcome",
    "hold_until",
    "recorded_by",
    "status",
)


@dataclass(frozen=True, slots=True)
class DecisionQuery:
    """A page of the decision log, filtered and sorted in SQL, keyset-paged: by default
    newest first (``sort`` one of LOG_SORT_KEYS; ``hold_until`` and ``status`` are the
    index's). ``after`` is the (``sort_value``, request id) of the last row of the previous
    page. An export takes the filters only: every decision they select, oldest first."""

    search: str | None = None
    outcome: str | None = None
    status: str | None = None
    recorded_by: str | None = None
    received_from: dt.datetime | None = None  # inclusive
    received_to: dt.datetime | None = None  # exclusive
    sort: str = "received_at"
    descending: bool = True
    limit: int = 100
    after: tuple[str, int] | None = None


@dataclass(frozen=True, slots=True)
class DecisionIndex:
    """Derived, per decision: its current state and the facts exports and boards use."""

    decision_id: int
    status: str
    outcome_in_force: str
    closed: bool
    hold_until: dt.datetime | None  # aware, in the policy's timezone
    release_eligible_at: dt.datetime | None
    detainer_issued_at: str | None
    msc_charge: str | None
    msc_charge_code: str | None
    msc_conviction_date: str | None
    felon: bool
    case_final_order: bool
    biometric_match: bool
    statements_made: bool
    citizenship_claim: bool
    lift_reason: str | None
    updated_at: dt.datetime


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
    def add_request(self, request: NewRequest, names: NameIndex, stamp: Stamp) -> int: ...
    def add_attachment(
        self, request_id: int, attachment: AttachmentIn, stamp: Stamp
    ) -> AttachmentInfo: ...
    def add_decision(self, decision: NewDecision, stamp: Stamp) -> int: ...
    def add_amendment(self, amendment: NewAmendment, stamp: Stamp) -> int: ...
    def decisions_for_booking(self, booking_number: str, form: str) -> Sequence[int]: ...
    def find_decisions(self, query: DecisionQuery) -> Sequence[DecisionSummary]: ...
    def decision(self, decision_id: int) -> DecisionRow | None: ...
    def decisions(self, decision_ids: Sequence[int]) -> Sequence[DecisionRow]: ...
    def attachment_content(self, attachment_id: int) -> bytes | None: ...
    def attachment_contents(self, attachment_ids: Sequence[int]) -> dict[int, bytes]: ...
    def upsert_index(self, index: DecisionIndex) -> None: ...
    def log_page(self, query: DecisionQuery) -> Sequence[DecisionSummary]: ...
    def log_count(self, query: DecisionQuery) -> int: ...
    def open_holds(self) -> Sequence[DecisionSummary]: ...
    def ended_holds(self, since: dt.datetime, until: dt.datetime) -> Sequence[DecisionSummary]: ...
    def review_queue(self, limit: int) -> Sequence[DecisionSummary]: ...
    def export_rows(self, query: DecisionQuery) -> Iterator[tuple[Any, ...]]: ...
    def export_csv_text(
        self, query: DecisionQuery, workers: int | None = None
    ) -> Iterator[tuple[str, int]]: ...  # the same rows as CSV text (no header), in pieces
    def statistics_rows(
        self, received_from: dt.datetime, received_to: dt.datetime
    ) -> Iterator[tuple[dt.datetime, str, str, str, Mapping[str, Any]]]: ...
    def decisions_missing_index(self, limit: int, after: int = 0) -> Sequence[int]: ...
    def add_contact(self, contact: NewContact, stamp: Stamp) -> int: ...
    def contact(self, contact_id: int) -> ContactRecord | None: ...
    def contacts(self, query: ContactQuery) -> Sequence[ContactRecord]: ...
    def amendments_of_contacts(self, ids: Sequence[int]) -> Sequence[ContactRecord]: ...
    def decision_ids_received_before(self, until: dt.datetime) -> Sequence[int]: ...


@dataclass(frozen=True, slots=True)
class AuditEvent:
    occurred_at: dt.datetime
    user_name: str
    roles: str
    workstation: str
    action: str
    target: str | None
    outcome: str  # success, failure, denied
    details_json: str = "{}"  # as recorded
    id: int | None = None
    seq: int | None = None
    # details_json read once, by the store (None: the recorded text is not a JSON object)
    details: Mapping[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class AuditQuery:
    user_name: str | None = None
    action: str | None = None  # a prefix: "sign_in" or "decision."
    outcome: str | None = None
    occurred_from: dt.datetime | None = None
    occurred_to: dt.datetime | None = None
    limit: int = 200
    before_id: int | None = None  # keyset paging, newest first


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: int
    name: str
    display_name: str
    password_hash: str
    roles: frozenset[str]
    disabled: bool
    locked_at: dt.datetime | None
    created_at: dt.datetime
    password_changed_at: dt.datetime
    # The second factor (services/second_factor.py): the sealed TOTP secret (None: not
    # enrolled), the last step whose code was accepted, the unused recovery codes' hashes.
    second_factor: str | None = None
    second_factor_step: int | None = None
    recovery_codes: tuple[str, ...] = ()
    directory: str | None = None  # the directory name it signs in as; None: a local account
    # What was changed in this account outside the program (it then differs from its
    # latest evidence in the chain), in plain words; None: it agrees. Such an account is
    # not used.
    altered: str | None = None


class AccountRepository(Protocol):
    def count_users(self) -> int: ...
    def user(self, name: str) -> UserRecord | None: ...
    def users(self) -> Sequence[UserRecord]: ...
    def add_user(
        self,
        name: str,
        display_name: str,
        password_hash: str,
        roles: frozenset[str],
        now: dt.datetime,
    ) -> UserRecord: ...
    def update_user(
        self,
        name: str,
        *,
        password_hash: str | None = None,
        password_changed_at: dt.datetime | None = None,
        roles: frozenset[str] | None = None,
        disabled: bool | None = None,
        locked_at: dt.datetime | bool | None = False,  # False: leave as it is
        display_name: str | None = None,
        second_factor: str | bool | None = False,  # False: leave as it is; None: clear
        second_factor_step: int | bool | None = False,
        recovery_codes: tuple[str, ...] | None = None,  # None: leave; (): clear
        directory: str | bool | None = False,
    ) -> None: ...
    def setting(self, key: str) -> str | None: ...
    def set_setting(self, key: str, value: str, now: dt.datetime, by: str) -> None: ...
    # Trusted checkpoint keys: (public key, entry JSON) in chain order; a new entry.
    def trust_entries(self) -> Sequence[tuple[str, str | None]]: ...
    def add_trust_entry(self, key: str, entry: str) -> None: ...


class AuditRepository(Protocol):
    def add(self, event: AuditEvent) -> int: ...
    def find(self, query: AuditQuery) -> Sequence[AuditEvent]: ...
    def count_since(self, user_name: str, action: str, outcome: str, since: dt.datetime) -> int: ...
    def last_time(
        self, action: str, outcome: str, *, user_name: str | None = None, target: str | None = None
    ) -> dt.datetime | None: ...
    def first_event(self, action: str, target: str) -> AuditEvent | None: ...
    def events_between(
        self, actions: Sequence[str], start: dt.datetime, end: dt.datetime, limit: int
    ) -> Sequence[AuditEvent]: ...  # oldest first; an action ending in "." is a prefix


class UnitOfWork(Protocol):
    """One transaction: rolled back on leaving unless ``commit`` was called."""

    records: RecordRepository
    accounts: AccountRepository
    audit: AuditRepository

    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    def commit(self) -> None: ...
    def rollback(self) -> None: ...


class LedgerFault(Protocol):
    """The first entry that does not verify, and why (or, ``table`` empty, a fault of the
    store besides the chain: rows planted outside it, a damaged file, an account or a
    setting changed outside the program, derived rows that disagree with the evidence)."""

    @property
    def seq(self) -> int: ...
    @property
    def table(self) -> str: ...
    @property
    def row_id(self) -> int: ...
    @property
    def problem(self) -> str: ...
    @property
    def entry_hash(self) -> str: ...  # as recomputed ("" when the entry is missing)
    @property
    def text(self) -> str: ...  # the fault in plain words, naming the entry if there is one


class LedgerSpan(Protocol):
    """Consecutive entries ``low`` .. ``low + verified - 1`` that verified, with their hashes
    (32 bytes each, in order); ``fault``: the entry after them that did not."""

    @property
    def low(self) -> int: ...
    @property
    def verified(self) -> int: ...
    @property
    def hashes(self) -> bytes: ...
    @property
    def last_hash(self) -> str: ...
    @property
    def fault(self) -> LedgerFault | None: ...


class Ledger(Protocol):
    """The hash chain, walked from the first entry, recomputing every hash."""

    def walk(self) -> Iterator[LedgerSpan]: ...
    def count(self) -> int: ...
    def head(self) -> tuple[int, str]: ...
    def describe(self, seq: int) -> tuple[str, int]: ...  # (table, row id) of an entry


class Signer(Protocol):
    """The installation's checkpoint key, and the checkpoints it signed (kept, so that the
    record can be compared with the latest of them)."""

    @property
    def installation_id(self) -> str: ...
    @property
    def public_key_hex(self) -> str: ...
    def sign(self, payload: bytes) -> str: ...
    def signature_is_valid(
        self, public_key_hex: str, payload: bytes, signature_hex: str
    ) -> bool: ...
    def kept_checkpoint(self) -> tuple[str, str] | None: ...  # (JSON text, where it is kept)
    def keep_checkpoint(self, text: str, created_at_stamp: str, entries: int) -> None: ...
    def set_aside_checkpoints(self, beyond: int) -> list[str]: ...


class DestinationError(Exception):
    """The destination of an export cannot be used; the message says why in plain words."""


class ExportBundle(Protocol):
    """A litigation bundle being written (adapters/export renders its files: the load
    files, the tables, the manifest). Each call writes its files at once, listed in the
    manifest in the order they were written; nothing is ever replaced."""

    def add_checkpoint(self, checkpoint_json: str, checkpoint_pdf: bytes) -> None: ...
    def add_decision(
        self,
        record: DecisionRecord,
        table_row: Sequence[Any],  # its row of decisions.csv (EXPORT_COLUMNS)
        audit_pdf: PdfDocument | None,  # None: a bundle without audit PDFs
        county: dt.tzinfo,
    ) -> None: ...
    def add_policy(self, policy: StoredPolicy) -> None: ...
    def add_contacts(self, contacts: Sequence[ContactHistory], county: dt.tzinfo) -> None: ...
    def finish(self, about: BundleAbout) -> tuple[str, int, str]: ...
    # (where it went, for people; how many files; the manifest's SHA-256)
    def abort(self) -> None: ...  # remove a half-written bundle


class OpenBundle(Protocol):
    """Opens a new bundle at ``destination`` (a folder, or a ZIP encrypted under
    ``passphrase`` when one is given); DestinationError when it cannot be used."""

    def __call__(self, destination: str, passphrase: str | None) -> ExportBundle: ...


@dataclass(frozen=True)
class CheckedBackup:
    """A backup checked without touching it (integrity, schema, the whole chain) and
    compared with the last checkpoint this installation made."""

    copy: Path  # the checked copy, ready to restore (removed when the check ends)
    entries: int
    chain_head: str
    written_entries: int  # its entries as written (an older schema's upgrade adds some)
    agrees: bool  # False: it contradicts the last checkpoint
    note: str  # how it compares with that checkpoint, in words ("" without one)
    older_than_checkpoint: bool  # it lacks entries that checkpoint vouched for


class OpenRecords(Protocol):
    """A record store opened by the composition root (runtime.Runtime)."""

    @property
    def clock(self) -> Callable[[], dt.datetime]: ...
    def uow(self) -> UnitOfWork: ...
    def verified_entries(self) -> int: ...  # the whole chain verified: its entries
    def close(self) -> None: ...


class RestoreFiles(Protocol):
    """The SQLite store's files, for a restore (adapters/db and the installation's key,
    handed in by the composition root). Built from the data folder alone: records too
    damaged to open can still be replaced. Failures are StorageError in plain words."""

    def checked_backup(
        self, backup: Path, passphrase: Callable[[], str]
    ) -> AbstractContextManager[CheckedBackup]: ...
    def open_records(self) -> tuple[OpenRecords | None, str]: ...  # None and why not
    def kept_aside_at(self, now: dt.datetime) -> Path: ...
    def replace_records(self, checked: CheckedBackup, aside: Path) -> None: ...
    def set_aside_checkpoints(self, beyond: int) -> list[str]: ...
