"""The litigation export for county counsel: complete, hashed, provably unaltered.

The bundle (a folder or a ZIP) holds:

    decisions.csv              one row per decision; FOIA-aligned column names
    decisions.jsonl            everything: request, decision, reasons, amendments, chain
    contacts.csv, .jsonl       every ICE contact about them (and in their period), amended
                               or not, each entry as recorded, with its chain hash
    PDF/DD0000001.pdf ...      the audit PDF of each decision
    NATIVES/DD0000002_x.pdf    every original attachment, byte for byte
    policies/                  every policy version the decisions applied, as written
    LOADFILES/export.dat       Concordance load file (þ-quoted, DC4-separated, UTF-8)
    LOADFILES/export.opt       Opticon image load file
    checkpoint/                the signed checkpoint made for this export, and its PDF
    verification-report.txt    the chain verification done for this export
    certification-FRE-902-14.txt  a certification to complete and sign
    README.txt                 what is here and how to check it
    manifest.sha256            SHA-256 of every file above (`sha256sum -c manifest.sha256`)

The export is an audit event: who, when, which records, for whom, and the manifest's hash.
This module decides what goes into the bundle, in what order, and what is checked first;
adapters/export renders the files (formats) and writes them with the manifest (bundle).
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import io
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk.domain import accounts as acc

from .access import RecordError, audit, authorize, check_search, check_text
from .checkpoints import CheckpointFile, create_checkpoint, verify_record_quietly
from .documents import contacts_about, decision_record_of, report_context
from .evidence_model import (
    BundleAbout,
    Checkpoint,
    ContactHistory,
    DecisionRecord,
    PdfDocument,
    ReportContext,
    Scan,
)
from .ports import (
    Actor,
    ContactRecord,
    DecisionQuery,
    ExportBundle,
    Ledger,
    OpenBundle,
    Signer,
    StoredPolicy,
    UnitOfWork,
)

# (header, FOIA equivalent or None): the first block lines up with the ICE detainer data
# published through FOIA (Deportation Data Project / TRAC) where the meaning is the same.
EXPORT_COLUMNS: tuple[str, ...] = (
    "Decision ID",
    "Detainer Received Date",
    "Detainer Prepare Date",
    "Detainer Type",
    "Alien File Number",
    "Subject Name",
    "Birth Date",
    "Booking Number",
    "Citizenship Claim Yes No",
    "MSC Charge",
    "MSC Charge Code",
    "MSC Conviction Date",
    "Felon",
    "Case Final Order Yes No",
    "Biometric Match Yes No",
    "Statements Made Yes No",
    "Outcome",
    "Tentative Outcome",
    "Outcome In Force",
    "Status",
    "Hold Until",
    "Release Eligible At",
    "Detainer Lift Reason",
    "Recorded By",
    "Recorded At",
    "Workstation",
    "Policy Name",
    "Policy SHA-256",
    "Chain Seq",
    "Entry Hash",
)


class ExportCancelled(RecordError):
    pass


# Renders the audit PDF of each (record, context), handing them back in order (it may
# render a few ahead, elsewhere, or reuse one it made before for the same record and
# context); closing the generator stops it.
AuditPdfRenderer = Callable[
    [Iterable[tuple[DecisionRecord, ReportContext]]], Generator[PdfDocument, None, None]
]
LOAD_BATCH = 200  # decisions read from the store at a time


def one_by_one(
    render_audit_document: Callable[[DecisionRecord, ReportContext], PdfDocument],
) -> AuditPdfRenderer:
    """A renderer that makes each PDF when it is asked for."""

    def render(
        jobs: Iterable[tuple[DecisionRecord, ReportContext]],
    ) -> Generator[PdfDocument, None, None]:
        return (render_audit_document(record, context) for record, context in jobs)

    return render


def record_as_of(record: DecisionRecord, context: ReportContext) -> ReportContext:
    """How an exported audit PDF is stamped: the record as of the newest chain entry it
    shows (the decision, or its latest amendment) and when that entry was recorded, instead
    of who made the export and when (which the export's README, verification report and
    certification say, and its manifest fixes). The PDF is then made from the evidence
    alone: the same bytes for the same record in every export, so an export reuses the PDF
    an earlier one made, and anyone can make it again from the record and compare."""
    row = record.row
    seq, recorded_at = row.seq, row.summary.recorded_at
    for amendment in row.amendments:
        if amendment.seq > seq:
            seq, recorded_at = amendment.seq, amendment.stamp.recorded_at
    return dataclasses.replace(context, generated_at=recorded_at, generated_by="", as_of_entry=seq)


@dataclass(frozen=True, slots=True)
class ExportRequest:
    """What to export (``query``), for whom (``recipient``, kept in the audit trail), where
    to (a new folder, or a .zip file), and who asks."""

    query: DecisionQuery
    recipient: str
    destination: str
    actor: Actor
    pdfs: bool = True
    # A ZIP that leaves the building is encrypted with AES-256 under this passphrase (shown
    # once and never kept); None for a plain folder counsel asked for.
    passphrase: str | None = field(default=None, repr=False)

    @property
    def encryption(self) -> str | None:
        """How the bundle is protected on its way out, as the audit trail says it."""
        return "AES-256 ZIP" if self.passphrase is not None else None


@dataclass(frozen=True, slots=True)
class ExportProgress:
    stage: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class ExportResult:
    decisions: int
    files: int
    destination: str
    manifest_sha256: str
    checkpoint: Checkpoint | None


def csv_writer(handle: Any) -> Any:
    """decisions.csv's dialect: RFC 4180 line ends, integers bare and every other field
    quoted (so a blank is always ``""``), as the store's own CSV lines are written."""
    return csv.writer(handle, quoting=csv.QUOTE_NONNUMERIC, lineterminator="\r\n")


def export_csv(
    uow: UnitOfWork,
    actor: Actor,
    query: DecisionQuery,
    recipient: str,
    handle: Any,
    now: dt.datetime,
    ledger: Ledger | None = None,
) -> int:
    """decisions.csv alone, streamed from SQL (the fast path for very large exports).

    With ``ledger``, the whole store is verified first (as for a bundle): the CSV is made
    from the decision index, which counsel must be able to rely on."""
    check_text(recipient, "the recipient")
    check_search(query.search, query.recorded_by)
    if ledger is not None:
        with uow:
            actor = authorize(
                uow, actor, acc.EXPORT_RECORDS, "records.export", recipient or None, now
            )
        problem = verify_record_quietly(ledger)
        if problem is not None:
            raise RecordError(f"the record does not verify: {problem}. Nothing was exported.")
    with uow:
        actor = authorize(uow, actor, acc.EXPORT_RECORDS, "records.export", recipient or None, now)
        header = io.StringIO()
        csv_writer(header).writerow(EXPORT_COLUMNS)
        handle.write(header.getvalue())
        count = 0
        for text, rows in uow.records.export_csv_text(query):
            handle.write(text)
            count += rows
        audit(
            uow,
            actor,
            "records.export",
            recipient or None,
            now,
            details={
                "format": "decisions.csv only",
                "decisions": count,
                "filters": _filters(query),
            },
        )
        uow.commit()
    return count


def _filters(query: DecisionQuery) -> dict[str, Any]:
    return {
        "search": query.search,
        "outcome": query.outcome,
        "officer": query.recorded_by,
        "from": query.received_from.isoformat() if query.received_from else None,
        "to": query.received_to.isoformat() if query.received_to else None,
        **({"status": query.status} if query.status else {}),
    }


@dataclass(frozen=True)
class Exporter:
    """The litigation export, built once by the composition root with what it needs; the
    command line and the window hand it an ExportRequest.

    It decides what goes into the bundle and in what order: a checkpoint of the whole
    record, verified first; each decision, oldest first, with its audit PDF and its
    attachments; the policies they applied; the contacts about them. ``open_bundle`` writes
    them (adapters/export: the load files, the tables, the manifest)."""

    uow: Callable[[], UnitOfWork]
    ledger: Callable[[], Ledger]
    signer: Callable[[], Signer]
    open_bundle: OpenBundle
    render_audit_pdfs: AuditPdfRenderer
    render_checkpoint_pdf: Callable[[Checkpoint, ReportContext], bytes]
    clock: Callable[[], dt.datetime]

    def prepare(self, request: ExportRequest) -> Export:
        """The export of ``request``, its destination opened (DestinationError, in plain
        words, when it cannot be used): the moment to say so, before anything is read."""
        return Export(self, request, self.open_bundle(request.destination, request.passphrase))

    def export(
        self, request: ExportRequest, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[ExportProgress | ExportResult]:
        """``prepare`` and ``Export.run`` at once (DestinationError raised here)."""
        return self.prepare(request).run(cancelled)


@dataclass(frozen=True)
class Export:
    """One export, its bundle open; ``run`` writes it."""

    exporter: Exporter
    request: ExportRequest
    bundle: ExportBundle

    def run(
        self, cancelled: Callable[[], bool] = lambda: False
    ) -> Iterator[ExportProgress | ExportResult]:
        """Write the bundle, yielding progress; the last item is the ExportResult.

        Cancelling (``cancelled()`` turning true) removes what was written and is audited.
        """
        uow_factory, request, bundle = self.exporter.uow, self.request, self.bundle
        now = self.exporter.clock()
        recipient = request.recipient.strip()
        try:
            if not recipient:
                raise RecordError(
                    "say who the export is for (the recipient is kept in the audit trail)"
                )
            check_text(recipient, "the recipient")
            check_search(request.query.search, request.query.recorded_by)
            with uow_factory() as uow:
                actor = authorize(
                    uow, request.actor, acc.EXPORT_RECORDS, "records.export", recipient, now
                )
                ids = [row[0] for row in uow.records.export_rows(request.query)]
        except BaseException:
            bundle.abort()  # refused before anything was written: nothing is left behind
            raise
        total = len(ids)
        try:
            result = yield from self._write(actor, now, ids, cancelled)
        except BaseException:
            bundle.abort()
            with uow_factory() as failed:
                audit(
                    failed,
                    actor,
                    "records.export",
                    recipient,
                    now,
                    "failure",
                    {
                        "destination": request.destination,
                        "decisions": total,
                        "why": "cancelled or failed",
                    },
                )
                failed.commit()
            raise
        with uow_factory() as done:
            audit(
                done,
                actor,
                "records.export",
                recipient,
                now,
                details={
                    "destination": result.destination,
                    "decisions": result.decisions,
                    "files": result.files,
                    "manifest_sha256": result.manifest_sha256,
                    "filters": _filters(request.query),
                    "encrypted": request.encryption or "no (plain)",
                },
            )
            done.commit()
        yield result

    def _write(
        self,
        actor: Actor,
        now: dt.datetime,
        ids: list[int],
        cancelled: Callable[[], bool],
    ) -> Generator[ExportProgress, None, ExportResult]:
        exporter, request, bundle = self.exporter, self.request, self.bundle
        uow_factory = exporter.uow
        total = len(ids)
        context = report_context(uow_factory(), actor, now)
        county = ZoneInfo(context.timezone)

        # 1. Verify the whole record and sign a checkpoint of it, first: the bundle says
        #    what the record was when it was made.
        checkpoint_file: CheckpointFile | None = None
        ledger = exporter.ledger()
        entries = ledger.count()
        # Under the export's own right: counsel may export, and the bundle carries a checkpoint.
        for step in create_checkpoint(
            uow_factory(), ledger, exporter.signer(), actor, now, permission=acc.EXPORT_RECORDS
        ):
            if isinstance(step, CheckpointFile):
                checkpoint_file = step
            else:
                yield ExportProgress("verifying the record", step, entries)
            if cancelled():
                raise ExportCancelled("the export was cancelled")
        assert checkpoint_file is not None
        checkpoint = checkpoint_file.checkpoint
        bundle.add_checkpoint(
            checkpoint_file.to_json(), exporter.render_checkpoint_pdf(checkpoint, context)
        )

        # 2. The decisions, oldest first, each with its audit PDF and attachments.
        with uow_factory() as uow:
            rows = {row[0]: row for row in uow.records.export_rows(request.query)}
        policies: dict[int, StoredPolicy] = {}
        done = 0
        for number, (record, pdf) in enumerate(self._records_and_pdfs(ids, context, cancelled), 1):
            if cancelled():
                raise ExportCancelled("the export was cancelled")
            done = number
            policies[record.row.policy.id] = record.row.policy
            bundle.add_decision(record, rows[record.row.summary.decision_id], pdf, county)
            yield ExportProgress("writing decisions", number, total)

        if cancelled() or done != total:
            raise ExportCancelled("the export was cancelled")

        # 3. The policies they applied, the contacts about them, and the bundle's papers.
        for policy in policies.values():
            bundle.add_policy(policy)
        bundle.add_contacts(
            _contacts(uow_factory, request.query, set(ids), checkpoint.entries), county
        )
        about = BundleAbout(context, checkpoint, request.recipient, _filters(request.query), total)
        destination, files, manifest_sha256 = bundle.finish(about)
        return ExportResult(total, files, destination, manifest_sha256, checkpoint)

    def _records_and_pdfs(
        self, ids: list[int], context: ReportContext, cancelled: Callable[[], bool]
    ) -> Iterator[tuple[DecisionRecord, PdfDocument | None]]:
        """The decisions in order, each with its audit PDF (None without PDFs). The records
        are read here, in order; their PDFs may be rendered a few ahead (in worker
        processes), or reused, and come back in the same order."""
        loaded: deque[DecisionRecord] = deque()

        def jobs() -> Iterator[tuple[DecisionRecord, ReportContext]]:
            for record in _records(self.exporter.uow, ids, cancelled):
                if cancelled():
                    return
                loaded.append(record)
                yield record, record_as_of(record, context)

        if not self.request.pdfs:
            for record, _ in jobs():
                loaded.popleft()
                yield record, None
            return
        with contextlib.closing(self.exporter.render_audit_pdfs(jobs())) as pdfs:
            for pdf in pdfs:
                yield loaded.popleft(), pdf


def _records(
    uow_factory: Callable[[], UnitOfWork], ids: list[int], cancelled: Callable[[], bool]
) -> Iterator[DecisionRecord]:
    """The decisions in order, read LOAD_BATCH at a time (their scans one decision at a
    time: a few megabytes each)."""
    for start in range(0, len(ids), LOAD_BATCH):
        if cancelled():
            return
        with uow_factory() as uow:
            rows = uow.records.decisions(ids[start : start + LOAD_BATCH])
        for row in rows:
            contents: dict[int, bytes] = {}
            if row.attachments:
                with uow_factory() as uow:
                    contents = uow.records.attachment_contents([a.id for a in row.attachments])
            scans = tuple(
                Scan(
                    a.id,
                    a.file_name,
                    a.media_type,
                    a.sha256,
                    contents.get(a.id, b""),
                    a.document_index,
                )
                for a in row.attachments
            )
            yield decision_record_of(
                row, scans, contacts_about(uow_factory(), row.summary.decision_id)
            )


def _contacts(
    uow_factory: Callable[[], UnitOfWork],
    query: DecisionQuery,
    decisions: set[int],
    upto_seq: int,
) -> list[ContactHistory]:
    """The contacts about the exported decisions, and the contacts about no decision that
    happened in the export's period (every one when it has none), as the checkpoint saw
    the record (entries up to ``upto_seq``): each with its amendments, in the order they
    happened."""
    from .contacts import effective_contact
    from .ports import ContactQuery

    with uow_factory() as uow:
        originals = [
            c
            for c in uow.records.contacts(ContactQuery(limit=10_000_000))
            if c.seq <= upto_seq
            and (
                c.decision_id in decisions
                if c.decision_id is not None
                else (query.received_from is None or c.occurred_at >= query.received_from)
                and (query.received_to is None or c.occurred_at < query.received_to)
            )
        ]
        corrections = [
            c
            for c in uow.records.amendments_of_contacts([c.id for c in originals])
            if c.seq <= upto_seq
        ]
    by_original: dict[int, list[ContactRecord]] = {}
    for correction in corrections:
        if correction.amends_id is not None:
            by_original.setdefault(correction.amends_id, []).append(correction)
    histories = []
    for original in sorted(originals, key=lambda c: (c.occurred_at, c.id)):
        history = sorted(by_original.get(original.id, []), key=lambda c: c.seq)
        histories.append(
            ContactHistory(original, tuple(history), effective_contact(original, history))
        )
    return histories
