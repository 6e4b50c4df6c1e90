"""Plain data the evidence documents are made from (audit PDF, notice, checkpoint,
statistics). The PDF adapter renders these; the services fill them. No I/O here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from detainer_desk.domain.contacts import ContactFact
from detainer_desk.domain.lifecycle import DecisionState

from .ports import ContactRecord, DecisionRow


@dataclass(frozen=True, slots=True)
class ReportContext:
    """Printed on every page: whose records these are, when and by whom generated.

    With ``as_of_entry`` (the audit PDFs of an export), a page says instead which chain
    entry the document shows the record as of, and when that entry was recorded
    (``generated_at``): such a document is made from the evidence alone, so the same record
    always gives the same bytes, and an export can reuse the PDF made for an earlier one.
    Who made the export, and when, is in the export's own files."""

    county_name: str
    jail_name: str
    generated_at: dt.datetime  # aware; shown in the county's timezone
    generated_by: str
    timezone: str = "UTC"  # the county's IANA zone (county_clock): every time is shown in it
    as_of_entry: int | None = None  # the newest chain entry the document shows


@dataclass(frozen=True, slots=True)
class PdfDocument:
    """A PDF made by the program, with its number of pages (for the export's load files)
    and, when it was computed on the way (by the cache of audit PDFs), its SHA-256."""

    data: bytes
    pages: int
    sha256: str = ""


@dataclass(frozen=True, slots=True)
class Scan:
    """An attachment's bytes, for thumbnails and the notice's page 2."""

    attachment_id: int
    file_name: str
    media_type: str
    sha256: str
    content: bytes
    document_index: int | None


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    """One decision with everything the audit PDF and the notice show."""

    row: DecisionRow  # summary, request JSON, decision JSON, policy, attachments, amendments
    state: DecisionState
    request: Mapping[str, Any]  # the request as entered (parsed JSON)
    decision: Mapping[str, Any]  # the contract decision (parsed JSON)
    scans: tuple[Scan, ...] = ()
    # The zone of the policy the decision was made under: a time in the request written
    # without an offset was read in it (contract section 1). Times are *shown* in the
    # county's zone (ReportContext.timezone).
    policy_timezone: str = "UTC"
    # Every ICE contact recorded about this decision, and each amendment of one, in the
    # order recorded (a contact's amendments name it in ``amends_id``).
    contacts: tuple[ContactRecord, ...] = ()


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """A signed statement: the record held ``entries`` entries ending in ``head_hash``."""

    created_at: dt.datetime
    entries: int
    head_hash: str
    installation_id: str
    public_key_hex: str  # Ed25519, raw 32 bytes as hex
    signature_hex: str  # over signed_payload()
    digests_sha256: str  # SHA-256 of the per-entry digest list kept in the checkpoint file
    signed_by_program: str = "Detainer Desk"

    def signed_payload(self) -> bytes:
        from .access import canonical_json

        return canonical_json(
            {
                "created_at": self.created_at.isoformat(),
                "entries": self.entries,
                "head_hash": self.head_hash,
                "installation_id": self.installation_id,
                "public_key": self.public_key_hex,
                "digests_sha256": self.digests_sha256,
            }
        ).encode()

    def file_stem(self) -> str:
        """``checkpoint-20260305T080000Z``: the files' name, by the UTC instant (a machine
        name: it sorts, and is the same on every workstation)."""
        return f"checkpoint-{self.created_at.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"

    def qr_text(self) -> str:
        """What the checkpoint PDF's QR code holds: enough to check the filed paper copy."""
        return (
            f"DETAINER-DESK-CHECKPOINT;v=1;at={self.created_at.isoformat()};n={self.entries};"
            f"head={self.head_hash};key={self.public_key_hex};sig={self.signature_hex}"
        )


@dataclass(frozen=True, slots=True)
class CountRow:
    label: str
    counts: Mapping[str, int]  # column -> count


@dataclass(frozen=True, slots=True)
class StatisticsReport:
    """Requests received and what was done, by week, by form and by reason."""

    period_start: dt.date
    period_end: dt.date  # inclusive
    columns: tuple[str, ...]  # e.g. received, honored, notify only, declined, review
    by_week: tuple[CountRow, ...]
    by_form: tuple[CountRow, ...]
    by_reason: tuple[CountRow, ...]
    totals: Mapping[str, int] = field(default_factory=dict)
    checkpoint: Checkpoint | None = None
    timezone: str = "UTC"  # the county's zone, whose calendar days these are


@dataclass(frozen=True, slots=True)
class ContactHistory:
    """One contact for the export's contacts files: as first recorded, its amendments in
    chain order, and how it reads now (the amendments applied)."""

    original: ContactRecord
    amendments: tuple[ContactRecord, ...]
    reads_now: ContactFact


@dataclass(frozen=True, slots=True)
class BundleAbout:
    """What a litigation bundle's own papers (README, verification report, certification)
    say of it: whose records, made when and by whom, for whom, which records."""

    context: ReportContext  # the export's: its maker and its time
    checkpoint: Checkpoint
    recipient: str
    filters: Mapping[str, Any]  # as in the audit trail; the ones set describe the selection
    decisions: int
