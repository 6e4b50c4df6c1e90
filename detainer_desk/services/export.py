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
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import hashlib
import io
import json
import re
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from detainer_desk.domain import accounts as acc
from detainer_desk.domain.text import csv_row, visible
from detainer_desk.domain.timetext import long_time_and_utc

from .access import RecordError, audit, authorize, check_search, check_text
from .checkpoints import CheckpointFile, create_checkpoint, verify_record_quietly
from .documents import contacts_about, report_context
from .evidence_model import Checkpoint, DecisionRecord, PdfDocument, ReportContext, Scan
from .ports import Actor, DecisionQuery, DecisionRow, Ledger, Signer, UnitOfWork
from .presentation import amendment_json

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
DAT_FIELDS = (
    "BEGDOC",
    "ENDDOC",
    "BEGATTACH",
    "ENDATTACH",
    "PARENTID",
    "DOCTYPE",
    "DECISIONID",
    "SUBJECT",
    "BOOKING",
    "ANUMBER",
    "RECEIVED",
    "OUTCOME",
    "FILENAME",
    "NATIVEPATH",
    "SHA256",
    "PAGES",
)
VOLUME = "DETAINERDESK001"


class ExportCancelled(RecordError):
    pass


class BundleWriter(Protocol):
    """Where the bundle goes (a folder or a ZIP); files are written once, never replaced."""

    def write(self, name: str, data: bytes) -> None: ...
    def close(self) -> str: ...  # where it went, for people
    def abort(self) -> None: ...  # remove a half-written bundle


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
    query: DecisionQuery
    recipient: str
    destination: str
    pdfs: bool = True
    # How the bundle is protected on its way out: "AES-256 ZIP" (its passphrase shown once
    # and never kept), or None for a plain folder counsel asked for. In the audit trail.
    encryption: str | None = None


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


@dataclass
class _Manifest:
    writer: BundleWriter
    lines: list[str] = field(default_factory=list)

    def add(self, name: str, data: bytes, sha256: str = "") -> str:
        """Write the file; its SHA-256 (as listed; ``sha256`` when it was just computed)."""
        self.writer.write(name, data)
        digest = sha256 or hashlib.sha256(data).hexdigest()
        self.lines.append(f"{digest}  {name}")
        return digest


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


def _dat_line(values: Sequence[str]) -> str:
    # Concordance: each field quoted with þ (U+00FE), separated by DC4 (U+0014); a newline
    # inside a field is written as ® (U+00AE). Any other control character (a DC4 would
    # split the field) is written as its escape.
    cleaned = (
        visible(str(v).replace("þ", "").replace("\r\n", "®").replace("\n", "®")) for v in values
    )
    return "\x14".join(f"þ{v}þ" for v in cleaned) + "\r\n"


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "file"


def export_records(
    uow_factory: Callable[[], UnitOfWork],
    ledger: Ledger,
    signer: Signer,
    actor: Actor,
    request: ExportRequest,
    writer: BundleWriter,
    now: dt.datetime,
    render_audit_pdfs: AuditPdfRenderer,
    render_checkpoint_pdf: Callable[[Checkpoint, ReportContext], bytes],
    page_count: Callable[[bytes, str], int],
    cancelled: Callable[[], bool] = lambda: False,
) -> Iterator[ExportProgress | ExportResult]:
    """Write the bundle, yielding progress; the last item is the ExportResult.

    Cancelling (``cancelled()`` turning true) removes what was written and is audited.
    """
    recipient = request.recipient.strip()
    if not recipient:
        raise RecordError("say who the export is for (the recipient is kept in the audit trail)")
    check_text(recipient, "the recipient")
    check_search(request.query.search, request.query.recorded_by)
    uow = uow_factory()
    with uow:
        actor = authorize(uow, actor, acc.EXPORT_RECORDS, "records.export", recipient, now)
        ids = [row[0] for row in uow.records.export_rows(request.query)]
    total = len(ids)
    try:
        result = yield from _write_bundle(
            uow_factory,
            ledger,
            signer,
            actor,
            request,
            writer,
            now,
            ids,
            render_audit_pdfs,
            render_checkpoint_pdf,
            page_count,
            cancelled,
        )
    except BaseException:
        writer.abort()
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


def _filters(query: DecisionQuery) -> dict[str, Any]:
    return {
        "search": query.search,
        "outcome": query.outcome,
        "officer": query.recorded_by,
        "from": query.received_from.isoformat() if query.received_from else None,
        "to": query.received_to.isoformat() if query.received_to else None,
    }


def _write_bundle(
    uow_factory: Callable[[], UnitOfWork],
    ledger: Ledger,
    signer: Signer,
    actor: Actor,
    request: ExportRequest,
    writer: BundleWriter,
    now: dt.datetime,
    ids: list[int],
    render_audit_pdfs: AuditPdfRenderer,
    render_checkpoint_pdf: Callable[[Checkpoint, ReportContext], bytes],
    page_count: Callable[[bytes, str], int],
    cancelled: Callable[[], bool],
) -> Generator[ExportProgress, None, ExportResult]:
    from .index import decision_state
    from .policies import load_policy

    manifest = _Manifest(writer)
    total = len(ids)
    context = report_context(uow_factory(), actor, now)
    county = ZoneInfo(context.timezone)

    # 1. Verify the whole record and sign a checkpoint of it, first: the bundle says what
    #    the record was when it was made.
    checkpoint_file: CheckpointFile | None = None
    entries = ledger.count()
    # Under the export's own right: counsel may export, and the bundle carries a checkpoint.
    for step in create_checkpoint(
        uow_factory(), ledger, signer, actor, now, permission=acc.EXPORT_RECORDS
    ):
        if isinstance(step, CheckpointFile):
            checkpoint_file = step
        else:
            yield ExportProgress("verifying the record", step, entries)
        if cancelled():
            raise ExportCancelled("the export was cancelled")
    assert checkpoint_file is not None
    checkpoint = checkpoint_file.checkpoint
    manifest.add("checkpoint/checkpoint.json", checkpoint_file.to_json().encode())
    manifest.add("checkpoint/checkpoint.pdf", render_checkpoint_pdf(checkpoint, context))

    # 2. The decisions, oldest first.
    csv_buffer = io.StringIO()
    table = csv_writer(csv_buffer)
    table.writerow(EXPORT_COLUMNS)
    jsonl = io.StringIO()
    dat = io.StringIO()
    dat.write(_dat_line(DAT_FIELDS))
    opt = io.StringIO()
    policies: dict[int, Any] = {}
    control = 0

    def next_control() -> str:
        nonlocal control
        control += 1
        return f"DD{control:07d}"

    query = request.query
    uow = uow_factory()
    with uow:
        rows = {row[0]: row for row in uow.records.export_rows(query)}

    def record_of(row: DecisionRow, contents: dict[int, bytes]) -> DecisionRecord:
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
        return DecisionRecord(
            row=row,
            state=decision_state(row),
            request=json.loads(row.request_json),
            decision=json.loads(row.decision_json),
            scans=scans,
            policy_timezone=load_policy(row.policy).timezone,
            contacts=contacts_about(uow_factory(), row.summary.decision_id),
        )

    def records() -> Iterator[DecisionRecord]:
        """The decisions in order, read LOAD_BATCH at a time (their scans one decision at
        a time: a few megabytes each)."""
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
                yield record_of(row, contents)

    # The records are read here, in order; their PDFs may be rendered a few ahead (in
    # worker processes), or reused, and come back in the same order.
    loaded: deque[DecisionRecord] = deque()

    def jobs() -> Iterator[tuple[DecisionRecord, ReportContext]]:
        for record in records():
            if cancelled():
                return
            loaded.append(record)
            yield record, record_as_of(record, context)

    def records_and_pdfs() -> Iterator[tuple[DecisionRecord, PdfDocument | None]]:
        if not request.pdfs:
            for record, _ in jobs():
                loaded.popleft()
                yield record, None
            return
        with contextlib.closing(render_audit_pdfs(jobs())) as pdfs:
            for pdf in pdfs:
                yield loaded.popleft(), pdf

    done = 0
    controls: dict[int, str] = {}  # decision id -> its control number in this bundle
    for number, (record, pdf) in enumerate(records_and_pdfs(), start=1):
        if cancelled():
            raise ExportCancelled("the export was cancelled")
        done = number
        row, scans = record.row, record.scans
        decision_id = row.summary.decision_id
        policies[row.policy.id] = row.policy
        table.writerow(csv_row(rows[decision_id]))
        summary = row.summary

        parent = next_control()
        controls[decision_id] = parent
        children = [next_control() for _ in scans]
        pdf_name = f"PDF/{parent}.pdf"
        pdf_sha256 = ""
        if pdf is not None:
            pdf_sha256 = manifest.add(pdf_name, pdf.data, pdf.sha256)
            pages = pdf.pages
            opt.write(f"{parent},{VOLUME},{pdf_name.replace('/', chr(92))},Y,,,{pages}\r\n")
        else:
            pages = 0
        common = [
            str(decision_id),
            summary.subject_name,
            summary.booking_number,
            summary.a_number or "",
            summary.received_at.astimezone(county).isoformat(),  # the county's date
            summary.outcome,
        ]
        dat.write(
            _dat_line(
                [
                    parent,
                    parent,
                    parent,
                    children[-1] if children else parent,
                    "",
                    "Audit PDF",
                    *common,
                    f"{parent}.pdf",
                    pdf_name if request.pdfs else "",
                    pdf_sha256,
                    str(pages),
                ]
            )
        )
        natives = []
        for scan, child in zip(scans, children, strict=True):
            native_name = f"NATIVES/{child}_{_safe_name(scan.file_name)}"
            manifest.add(native_name, scan.content)
            scan_pages = page_count(scan.content, scan.media_type)
            opt.write(f"{child},{VOLUME},{native_name.replace('/', chr(92))},Y,,,{scan_pages}\r\n")
            dat.write(
                _dat_line(
                    [
                        child,
                        child,
                        parent,
                        children[-1],
                        parent,
                        "Attachment",
                        *common,
                        scan.file_name,
                        native_name,
                        scan.sha256,
                        str(scan_pages),
                    ]
                )
            )
            natives.append(
                {
                    "control_number": child,
                    "path": native_name,
                    "file_name": scan.file_name,
                    "media_type": scan.media_type,
                    "sha256": scan.sha256,
                    "size": len(scan.content),
                    "document_index": scan.document_index,
                }
            )
        jsonl.write(
            json.dumps(
                _decision_json(
                    record,
                    parent,
                    pdf_name if request.pdfs else None,
                    natives,
                    county,
                ),
                ensure_ascii=False,
                sort_keys=True,
            )
            + "\n"
        )
        yield ExportProgress("writing decisions", number, total)

    if cancelled() or done != total:
        raise ExportCancelled("the export was cancelled")

    for policy in policies.values():
        manifest.add(
            f"policies/policy-version-{policy.id}-{policy.sha256[:12]}.toml",
            policy.text.encode("utf-8"),
        )
    contacts_csv, contacts_jsonl = _contacts_files(
        uow_factory, query, controls, checkpoint.entries, county
    )
    manifest.add("contacts.csv", contacts_csv.encode("utf-8"))
    manifest.add("contacts.jsonl", contacts_jsonl.encode("utf-8"))
    manifest.add("decisions.csv", csv_buffer.getvalue().encode("utf-8"))
    manifest.add("decisions.jsonl", jsonl.getvalue().encode("utf-8"))
    manifest.add("LOADFILES/export.dat", b"\xef\xbb\xbf" + dat.getvalue().encode("utf-8"))
    manifest.add("LOADFILES/export.opt", opt.getvalue().encode("utf-8"))
    manifest.add(
        "verification-report.txt",
        _verification_report(checkpoint, context, total, request).encode(),
    )
    manifest.add(
        "certification-FRE-902-14.txt", _certification(context, checkpoint, request).encode()
    )
    manifest.add("README.txt", _readme(context, total, request).encode())
    manifest_bytes = ("\n".join(manifest.lines) + "\n").encode()
    writer.write("manifest.sha256", manifest_bytes)
    destination = writer.close()
    return ExportResult(
        total,
        len(manifest.lines) + 1,
        destination,
        hashlib.sha256(manifest_bytes).hexdigest(),
        checkpoint,
    )


# contacts.csv: one row per entry (a contact, or an amendment of one, each as recorded),
# FOIA-style names beside decisions.csv's.
CONTACT_COLUMNS = (
    "Contact ID",
    "Amends Contact ID",
    "Contact Type",
    "Contact Type Words",
    "Contact Date Time",
    "Requesting Agency",
    "Decision ID",
    "Decision Control Number",
    "Details",
    "Reason",
    "Policy Answer",
    "Recorded By",
    "Recorded At",
    "Workstation",
    "Chain Seq",
    "Entry Hash",
)


def _contacts_files(
    uow_factory: Callable[[], UnitOfWork],
    query: DecisionQuery,
    controls: dict[int, str],
    upto_seq: int,
    county: ZoneInfo,
) -> tuple[str, str]:
    """contacts.csv and contacts.jsonl: the contacts about the exported decisions, and the
    contacts about no decision that happened in the export's period (every one when it has
    none), as the checkpoint saw the record (entries up to ``upto_seq``)."""
    from detainer_desk.domain import contacts as ct

    from .contacts import effective_contact
    from .ports import ContactQuery, ContactRecord

    with uow_factory() as uow:
        originals = [
            c
            for c in uow.records.contacts(ContactQuery(limit=10_000_000))
            if c.seq <= upto_seq
            and (
                c.decision_id in controls
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

    def iso(moment: dt.datetime) -> str:
        return moment.astimezone(county).isoformat()

    def entry(c: ContactRecord) -> dict[str, Any]:
        return {
            "contact_id": c.id,
            "amends_contact_id": c.amends_id,
            "kind": c.kind,
            "occurred_at": iso(c.occurred_at),
            "agency": c.agency,
            "decision_id": c.decision_id,
            "details": json.loads(c.details_json),
            "reason": c.reason,
            "policy_answer": c.policy_answer,
            "recorded_by": c.stamp.recorded_by,
            "recorded_at": iso(c.stamp.recorded_at),
            "workstation": c.stamp.workstation,
            "chain": {"seq": c.seq, "entry_hash": c.entry_hash},
        }

    table_buffer = io.StringIO()
    table = csv_writer(table_buffer)
    table.writerow(CONTACT_COLUMNS)
    lines = io.StringIO()
    for original in sorted(originals, key=lambda c: (c.occurred_at, c.id)):
        history = sorted(by_original.get(original.id, []), key=lambda c: c.seq)
        for c in (original, *history):
            table.writerow(
                csv_row(  # formulas guarded, control characters escaped
                    [
                        c.id,
                        "" if c.amends_id is None else c.amends_id,
                        c.kind,
                        ct.CONTACT_WORDS.get(c.kind, c.kind),
                        iso(c.occurred_at),
                        c.agency,
                        "" if c.decision_id is None else c.decision_id,
                        controls.get(c.decision_id, "") if c.decision_id is not None else "",
                        c.details_json,
                        c.reason or "",
                        c.policy_answer or "",
                        c.stamp.recorded_by,
                        iso(c.stamp.recorded_at),
                        c.stamp.workstation,
                        c.seq,
                        c.entry_hash,
                    ]
                )
            )
        now_reads = effective_contact(original, history)
        document = {
            **entry(original),
            "amendments": [entry(c) for c in history],
            "as_it_reads_now": {
                "occurred_at": iso(now_reads.occurred_at),
                "agency": now_reads.agency,
                "details": dict(now_reads.details),
            },
        }
        lines.write(json.dumps(document, ensure_ascii=False, sort_keys=True) + "\n")
    return table_buffer.getvalue(), lines.getvalue()


def _decision_json(
    record: DecisionRecord,
    control: str,
    pdf: str | None,
    natives: list[dict[str, Any]],
    zone: dt.tzinfo = dt.UTC,
) -> dict[str, Any]:
    """One line of decisions.jsonl. Instants are full ISO 8601 with the county's offset
    (``zone``), so their dates are the county's dates."""

    def iso(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(zone).isoformat() if moment is not None else None

    row, state = record.row, record.state
    return {
        "decision_id": row.summary.decision_id,
        "control_number": control,
        "audit_pdf": pdf,
        "chain": {
            "decision_seq": row.seq,
            "decision_entry_hash": row.entry_hash,
            "request_seq": row.request_seq,
            "request_entry_hash": row.request_entry_hash,
        },
        "recorded": {
            "at": iso(row.summary.recorded_at),
            "by": row.summary.recorded_by,
            "workstation": row.workstation,
            "evaluated_at": iso(row.evaluated_at),
        },
        "policy_version": {
            "id": row.policy.id,
            "name": row.policy.name,
            "sha256": row.policy.sha256,
        },
        "request": record.request,
        "decision": record.decision,
        "attachments": natives,
        "amendments": [amendment_json(a, zone) for a in row.amendments],
        "state": {
            "status": state.status,
            "outcome_in_force": state.outcome,
            "closed": state.closed,
            "hold_until": iso(state.hold_until),
            "release_eligible_at": iso(state.release_eligible_at),
        },
    }


def _made_at(context: ReportContext) -> str:
    """When the export was made, in the county's time and as the exact UTC instant."""
    return long_time_and_utc(context.generated_at, ZoneInfo(context.timezone))


def _describe_query(request: ExportRequest) -> str:
    parts = [f"{key}={value}" for key, value in _filters(request.query).items() if value]
    return ", ".join(parts) or "all decisions"


def _verification_report(
    checkpoint: Checkpoint, context: ReportContext, total: int, request: ExportRequest
) -> str:
    return f"""DETAINER DESK - VERIFICATION REPORT
{context.county_name} - {context.jail_name}

Export made {_made_at(context)} by {context.generated_by} for {request.recipient}.
Records selected: {_describe_query(request)} ({total} decisions).

Before anything was exported, the whole record was verified: every entry's SHA-256 hash
was recomputed from its contents and from the entry before it, and every attachment's
SHA-256 was recomputed from its bytes. Result: all {checkpoint.entries} entries verified.

Head of the hash chain: {checkpoint.head_hash}
Signed checkpoint (Ed25519): checkpoint/checkpoint.json, printable as checkpoint/checkpoint.pdf
  installation {checkpoint.installation_id}
  public key   {checkpoint.public_key_hex}
  signature    {checkpoint.signature_hex}

How to check this bundle:
  1. Every file: `sha256sum -c manifest.sha256` in this folder (all lines must say OK).
  2. The record itself, later, on the county's computer:
     `detainer-desk verify --checkpoint checkpoint/checkpoint.json`
     proves the record still extends this checkpoint unchanged, or names the first altered
     entry.
  3. Each row of decisions.jsonl carries the chain position and entry hash of its decision
     and request; the audit PDF of each decision prints the same values.
"""


def _certification(context: ReportContext, checkpoint: Checkpoint, request: ExportRequest) -> str:
    return f"""CERTIFICATION OF DATA COPIED FROM AN ELECTRONIC DEVICE, STORAGE MEDIUM, OR FILE
(Federal Rule of Evidence 902(14); see also Rule 902(11) and Rule 803(6))

I, ______________________________ [name], declare:

1. I am employed by {context.county_name} ({context.jail_name}) as
   ______________________________ [title]. I am familiar with the way the county keeps its
   records of immigration detainer requests in the Detainer Desk program, and I am a
   custodian of those records or am otherwise qualified to make this certification.

2. The records in this production were copied from the Detainer Desk record store on
   {_made_at(context)} by {context.generated_by}, for {request.recipient}
   ({_describe_query(request)}).

3. The copy was made by a process of digital identification: the SHA-256 hash value of every
   file in the production is listed in manifest.sha256, and each file's hash value was
   computed from the copy and matches the value listed. A copy with the same hash value is
   identical to the file that was produced.

4. The record store itself is kept as a hash chain in which every entry's SHA-256 hash is
   computed from its contents and from the entry before it. Before this production was
   made, the entire chain was verified ({checkpoint.entries} entries, head hash
   {checkpoint.head_hash}) and a checkpoint of it was signed with the installation's
   Ed25519 key (public key {checkpoint.public_key_hex}).

5. The records were made at or near the time of the events they record, by, or from
   information transmitted by, persons with knowledge, and were kept in the course of the
   county's regularly conducted activity, as its regular practice.

I declare under penalty of perjury under the laws of the United States of America that the
foregoing is true and correct.

Executed on ______________ [date] at ______________________ [place].

______________________________
[signature]
"""


def _readme(context: ReportContext, total: int, request: ExportRequest) -> str:
    return f"""Detainer Desk litigation export
{context.county_name} - {context.jail_name}
Made {_made_at(context)} by {context.generated_by} for {request.recipient}.
Records: {_describe_query(request)} ({total} decisions).

decisions.csv                 one row per decision (UTF-8; column names follow the ICE
                              detainer data published through FOIA where they mean the same)
decisions.jsonl               one JSON object per decision: the request as entered, the
                              decision with every reason and citation, all amendments, the
                              policy version and the hash-chain positions
contacts.csv, contacts.jsonl  every ICE contact about these decisions (and, about no
                              decision, in their period): each entry as recorded, its
                              amendments, how it reads now, and its hash-chain position
PDF/                          the audit PDF of each decision (control number DD#######),
                              as of the newest chain entry it shows (each page says which):
                              made from the record alone, so the same in every export; this
                              export's date and maker are the ones above
NATIVES/                      every original attachment, byte for byte
policies/                     every policy version applied, exactly as written
LOADFILES/export.dat, .opt    Concordance and Opticon load files for review platforms
checkpoint/                   the signed checkpoint of the record made for this export
verification-report.txt       what was verified and how to check it again
certification-FRE-902-14.txt  a certification to complete and sign
manifest.sha256               SHA-256 of every file: run `sha256sum -c manifest.sha256`
"""
