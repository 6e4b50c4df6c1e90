"""A litigation bundle written to its destination (a folder or a ZIP, see the package): the
files the export service hands over, each listed with its SHA-256 in manifest.sha256, and
the tables and load files that describe them (adapters/export/formats), written last."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from detainer_desk.domain.text import csv_row
from detainer_desk.services.evidence_model import (
    BundleAbout,
    ContactHistory,
    DecisionRecord,
    PdfDocument,
    Scan,
)
from detainer_desk.services.export import EXPORT_COLUMNS, csv_writer
from detainer_desk.services.ports import StoredPolicy

from ..files import PartialJournal
from . import open_destination, page_count
from .formats import (
    DAT_FIELDS,
    certification,
    contacts_files,
    dat_line,
    decision_json,
    opt_line,
    readme,
    safe_name,
    verification_report,
)


class Destination(Protocol):
    """Where the bundle goes (a folder or a ZIP); files are written once, never replaced."""

    def write(self, name: str, data: bytes) -> None: ...
    def close(self) -> str: ...  # where it went, for people
    def abort(self) -> None: ...  # remove a half-written bundle


class LitigationBundle:
    """The bundle's files, in the order the export hands them over; the tables, load files
    and papers at ``finish``, then the manifest. Control numbers (DD0000001, ...) are given
    in order: each decision's audit PDF, then its attachments."""

    def __init__(self, destination: Destination, page_count: Callable[[bytes, str], int]) -> None:
        self._destination = destination
        self._page_count = page_count
        self._manifest: list[str] = []
        self._control = 0
        self._controls: dict[int, str] = {}  # decision id -> its control number here
        self._table = io.StringIO()
        self._table_rows = csv_writer(self._table)
        self._table_rows.writerow(EXPORT_COLUMNS)
        self._jsonl = io.StringIO()
        self._dat = io.StringIO()
        self._dat.write(dat_line(DAT_FIELDS))
        self._opt = io.StringIO()
        self._contacts = ("", "")

    def _add(self, name: str, data: bytes, sha256: str = "") -> str:
        """Write the file; its SHA-256 (as listed; ``sha256`` when it was just computed)."""
        self._destination.write(name, data)
        digest = sha256 or hashlib.sha256(data).hexdigest()
        self._manifest.append(f"{digest}  {name}")
        return digest

    def _next_control(self) -> str:
        self._control += 1
        return f"DD{self._control:07d}"

    def add_checkpoint(self, checkpoint_json: str, checkpoint_pdf: bytes) -> None:
        self._add("checkpoint/checkpoint.json", checkpoint_json.encode())
        self._add("checkpoint/checkpoint.pdf", checkpoint_pdf)

    def add_decision(
        self,
        record: DecisionRecord,
        table_row: Sequence[Any],
        audit_pdf: PdfDocument | None,
        county: dt.tzinfo,
    ) -> None:
        row, scans = record.row, record.scans
        decision_id = row.summary.decision_id
        self._table_rows.writerow(csv_row(table_row))
        summary = row.summary

        parent = self._next_control()
        self._controls[decision_id] = parent
        children = [self._next_control() for _ in scans]
        pdf_name = f"PDF/{parent}.pdf"
        pdf_sha256 = ""
        if audit_pdf is not None:
            pdf_sha256 = self._add(pdf_name, audit_pdf.data, audit_pdf.sha256)
            pages = audit_pdf.pages
            self._opt.write(opt_line(parent, pdf_name, pages))
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
        self._dat.write(
            dat_line(
                [
                    parent,
                    parent,
                    parent,
                    children[-1] if children else parent,
                    "",
                    "Audit PDF",
                    *common,
                    f"{parent}.pdf",
                    pdf_name if audit_pdf is not None else "",
                    pdf_sha256,
                    str(pages),
                ]
            )
        )
        natives = self._add_attachments(scans, parent, children, common)
        self._jsonl.write(
            json.dumps(
                decision_json(
                    record,
                    parent,
                    pdf_name if audit_pdf is not None else None,
                    natives,
                    county,
                ),
                ensure_ascii=False,
                sort_keys=True,
            )
            + "\n"
        )

    def _add_attachments(
        self, scans: Sequence[Scan], parent: str, children: list[str], common: list[str]
    ) -> list[dict[str, Any]]:
        """Each attachment of a decision, byte for byte, under its own control number (a
        child of the audit PDF's ``parent``): its load-file lines; its decisions.jsonl entries."""
        natives: list[dict[str, Any]] = []
        for scan, child in zip(scans, children, strict=True):
            native_name = f"NATIVES/{child}_{safe_name(scan.file_name)}"
            self._add(native_name, scan.content)
            scan_pages = self._page_count(scan.content, scan.media_type)
            self._opt.write(opt_line(child, native_name, scan_pages))
            self._dat.write(
                dat_line(
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
        return natives

    def add_policy(self, policy: StoredPolicy) -> None:
        self._add(
            f"policies/policy-version-{policy.id}-{policy.sha256[:12]}.toml",
            policy.text.encode("utf-8"),
        )

    def add_contacts(self, contacts: Sequence[ContactHistory], county: dt.tzinfo) -> None:
        contacts_csv, contacts_jsonl = contacts_files(contacts, self._controls, county)
        self._add("contacts.csv", contacts_csv.encode("utf-8"))
        self._add("contacts.jsonl", contacts_jsonl.encode("utf-8"))

    def finish(self, about: BundleAbout) -> tuple[str, int, str]:
        self._add("decisions.csv", self._table.getvalue().encode("utf-8"))
        self._add("decisions.jsonl", self._jsonl.getvalue().encode("utf-8"))
        self._add("LOADFILES/export.dat", b"\xef\xbb\xbf" + self._dat.getvalue().encode("utf-8"))
        self._add("LOADFILES/export.opt", self._opt.getvalue().encode("utf-8"))
        self._add("verification-report.txt", verification_report(about).encode())
        self._add("certification-FRE-902-14.txt", certification(about).encode())
        self._add("README.txt", readme(about).encode())
        manifest = ("\n".join(self._manifest) + "\n").encode()
        self._destination.write("manifest.sha256", manifest)
        where = self._destination.close()
        return where, len(self._manifest) + 1, hashlib.sha256(manifest).hexdigest()

    def abort(self) -> None:
        self._destination.abort()


def open_bundle(
    destination: str,
    passphrase: str | None,
    journal: PartialJournal | None = None,
    count_pages: Callable[[bytes, str], int] = page_count,
) -> LitigationBundle:
    """A new bundle at ``destination``: a folder, a ZIP, or with ``passphrase`` an AES-256
    encrypted ZIP. DestinationError (in plain words) when it cannot be used."""
    return LitigationBundle(open_destination(destination, journal, passphrase), count_pages)
