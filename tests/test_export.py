"""The litigation export, end to end on a real store: every file checkable by sha256sum,
load files parseable, attachments byte-exact, and tampering caught."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import json
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfgen import canvas

from detainer_desk.adapters import pdf
from detainer_desk.adapters.export import open_destination
from detainer_desk.adapters.export.bundle import open_bundle
from detainer_desk.adapters.signing import signature_is_valid
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services.access import PermissionDenied
from detainer_desk.services.checkpoints import read_checkpoint, verify_against_checkpoint
from detainer_desk.services.export import (
    EXPORT_COLUMNS,
    ExportCancelled,
    Exporter,
    ExportRequest,
    ExportResult,
    one_by_one,
)
from detainer_desk.services.ports import Actor, AttachmentIn, AuditQuery, DecisionQuery
from detainer_desk.services.records import activate_policy, amend_decision, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

NOW = dt.datetime(2026, 2, 12, 17, 0, tzinfo=dt.UTC)
OFFICER = Actor("officer.a", "INTAKE-1")
SUPERVISOR = Actor("sgt.b", "DESK-2")
COUNSEL = Actor("counsel.d", "LAW-1")
SHA256SUM = shutil.which("sha256sum")


@functools.cache
def _scan_pdf() -> bytes:  # made once: reportlab stamps each PDF with the time
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.drawString(72, 720, "IMMIGRATION DETAINER - NOTICE OF ACTION (I-247A) scan")
    page.showPage()
    page.drawString(72, 720, "page 2 of the scan")
    page.save()
    return buffer.getvalue()


@functools.cache
def _scan_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (300, 400), (240, 240, 230)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def store(runtime):
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "policy.toml", Actor("admin", "W"), NOW)
    scans = [
        AttachmentIn("I-247A scan.pdf", "application/pdf", _scan_pdf()),
        AttachmentIn("warrant.png", "image/png", _scan_png(), document_index=1),
    ]
    first = record_decision(runtime.uow(), request_json(), "r", scans, OFFICER, NOW)
    record_decision(
        runtime.uow(),
        request_json(
            **{
                "subject.name": "NGUYEN, Thị Minh",
                "subject.booking_number": "B26-2",
                "documents": [],
            }
        ),
        "r",
        [],
        OFFICER,
        NOW,
    )
    amend_decision(runtime.uow(), first.decision_id, lc.COUNTERSIGN, SUPERVISOR, NOW)
    amend_decision(
        runtime.uow(),
        first.decision_id,
        lc.RELEASE_ELIGIBLE,
        SUPERVISOR,
        NOW,
        effective_at=NOW - dt.timedelta(hours=3),  # a fact recorded after it happened
    )
    return runtime


def _export(
    runtime, destination: str, actor: Actor = COUNSEL, cancel_after: int | None = None, **query
):
    steps: list[Any] = []

    def cancelled() -> bool:
        return cancel_after is not None and len(steps) >= cancel_after

    exporter = Exporter(
        runtime.uow,
        runtime.ledger,
        runtime.signer,
        open_bundle,
        pdf.render_audit_pdfs,
        pdf.render_checkpoint_pdf,
        lambda: NOW,
    )
    request = ExportRequest(
        DecisionQuery(**query), "Smith & Jones LLP (case 26-cv-101)", destination, actor
    )
    for step in exporter.export(request, cancelled):
        steps.append(step)
    result = steps[-1]
    assert isinstance(result, ExportResult)
    return result


def _dat_rows(path: Path) -> list[list[str]]:
    text = path.read_bytes().decode("utf-8-sig")
    return [
        [field.strip("þ") for field in line.split("\x14")] for line in text.split("\r\n") if line
    ]


@pytest.mark.skipif(SHA256SUM is None, reason="sha256sum (coreutils) is needed")
def test_folder_export_is_complete_and_checkable(store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    result = _export(store, str(bundle))
    assert result.decisions == 2
    check = subprocess.run(
        [str(SHA256SUM), "-c", "manifest.sha256"],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout.count(": OK") == result.files - 1

    rows = list(csv.DictReader(io.StringIO((bundle / "decisions.csv").read_text("utf-8"))))
    assert list(rows[0].keys()) == list(EXPORT_COLUMNS)
    assert {r["Subject Name"] for r in rows} == {"RIVERA, Ana", "NGUYEN, Thị Minh"}
    first = next(r for r in rows if r["Subject Name"] == "RIVERA, Ana")
    assert first["Alien File Number"] == "A098765432" and first["Detainer Type"] == "I-247A"
    assert first["Status"] == lc.STATUS_COUNTERSIGNED and first["Outcome"] == "hold"
    assert first["Case Final Order Yes No"] == "N" and first["Hold Until"]

    records = [
        json.loads(line) for line in (bundle / "decisions.jsonl").read_text("utf-8").splitlines()
    ]
    rivera = next(r for r in records if r["request"]["subject"]["name"] == "RIVERA, Ana")
    assert [a["kind"] for a in rivera["amendments"]] == ["countersign", "release_eligible"]
    assert rivera["decision"]["reasons"] and rivera["chain"]["decision_entry_hash"]

    natives = {a["file_name"]: a for a in rivera["attachments"]}
    assert (bundle / natives["I-247A scan.pdf"]["path"]).read_bytes() == _scan_pdf()
    assert (bundle / natives["warrant.png"]["path"]).read_bytes() == _scan_png()

    policies = list((bundle / "policies").iterdir())
    assert [p.read_bytes() for p in policies] == [JUDICIAL_WARRANT_POLICY]

    dat = _dat_rows(bundle / "LOADFILES" / "export.dat")
    header, documents = dat[0], dat[1:]
    assert header[:4] == ["BEGDOC", "ENDDOC", "BEGATTACH", "ENDATTACH"]
    assert len(documents) == 4  # two audit PDFs and two attachments
    for document in documents:
        fields = dict(zip(header, document, strict=True))
        native = bundle / fields["NATIVEPATH"]
        assert native.is_file()
        assert fields["SHA256"] == __import__("hashlib").sha256(native.read_bytes()).hexdigest()
    children = [dict(zip(header, d, strict=True)) for d in documents if d[5] == "Attachment"]
    assert all(child["PARENTID"] == child["BEGATTACH"] for child in children)

    opt_lines = (bundle / "LOADFILES" / "export.opt").read_text("utf-8").splitlines()
    assert len(opt_lines) == 4
    for line in opt_lines:
        _key, volume, image, doc_break, _, _, pages = line.split(",")
        path = bundle / image.replace("\\", "/")
        assert volume and doc_break == "Y" and path.is_file()
        if path.suffix == ".pdf":
            assert int(pages) == len(PdfReader(path).pages) >= 1

    audit_pdf = next((bundle / "PDF").iterdir())
    assert "Page 1 of" in PdfReader(audit_pdf).pages[0].extract_text()
    assert "902(14)" in (bundle / "certification-FRE-902-14.txt").read_text()
    assert "all" in (bundle / "verification-report.txt").read_text()


@pytest.mark.skipif(SHA256SUM is None, reason="sha256sum (coreutils) is needed")
def test_tampered_export_file_fails_the_manifest(store, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    _export(store, str(bundle))
    csv_file = bundle / "decisions.csv"
    csv_file.write_text(csv_file.read_text("utf-8").replace("hold", "decline", 1), "utf-8")
    check = subprocess.run(
        [str(SHA256SUM), "-c", "--quiet", "manifest.sha256"],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode != 0 and "decisions.csv: FAILED" in check.stdout


def test_zip_export_and_its_checkpoint_catch_a_later_database_change(store, tmp_path: Path) -> None:
    target = tmp_path / "export.zip"
    result = _export(store, str(target))
    assert not (tmp_path / "export.zip.partial").exists()
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        manifest = archive.read("manifest.sha256").decode()
        for line in manifest.splitlines():
            digest, name = line.split("  ", 1)
            assert __import__("hashlib").sha256(archive.read(name)).hexdigest() == digest
        checkpoint_text = archive.read("checkpoint/checkpoint.json").decode()
    assert {
        "decisions.csv",
        "decisions.jsonl",
        "LOADFILES/export.dat",
        "checkpoint/checkpoint.pdf",
    } <= names
    checkpoint = read_checkpoint(checkpoint_text, "checkpoint.json", signature_is_valid)
    assert checkpoint.checkpoint == result.checkpoint
    assert verify_against_checkpoint(store.ledger(), checkpoint).ok
    # Now alter the database the export was taken from, as an attacker would.
    from .test_checkpoints import _rewrite_history

    _rewrite_history(store, "UPDATE decisions SET outcome = 'decline' WHERE id = 1")
    assert not verify_against_checkpoint(store.ledger(), checkpoint).ok


def test_export_is_audited_with_the_recipient(store, tmp_path: Path) -> None:
    from detainer_desk.services.accounts import audit_trail

    _export(store, str(tmp_path / "b"), outcome="hold")
    events = audit_trail(store.uow(), Actor("admin", "W"), AuditQuery(action="records.export"), NOW)
    assert events[0].outcome == "success" and events[0].target.startswith("Smith & Jones")
    details = json.loads(events[0].details_json)
    assert details["decisions"] == 1 and details["filters"]["outcome"] == "hold"


def test_cancel_removes_the_partial_bundle_and_is_audited(store, tmp_path: Path) -> None:
    from detainer_desk.services.accounts import audit_trail

    bundle = tmp_path / "bundle"
    with pytest.raises(ExportCancelled):
        _export(store, str(bundle), cancel_after=1)
    assert not bundle.exists()
    events = audit_trail(store.uow(), Actor("admin", "W"), AuditQuery(action="records.export"), NOW)
    assert events[0].outcome == "failure"


def test_only_counsel_exports(store, tmp_path: Path) -> None:
    for actor in (OFFICER, SUPERVISOR, Actor("admin", "W")):
        with pytest.raises(PermissionDenied, match="may not export records"):
            _export(store, str(tmp_path / actor.user), actor=actor)


def test_export_refuses_an_existing_destination(store, tmp_path: Path) -> None:
    from detainer_desk.services.ports import DestinationError

    occupied = tmp_path / "occupied"
    occupied.mkdir()
    (occupied / "x.txt").write_text("keep me")
    with pytest.raises(DestinationError, match="already exists"):
        open_destination(str(occupied))
    assert (occupied / "x.txt").read_text() == "keep me"


def test_pdfs_rendered_by_workers_make_the_same_bundle(store, tmp_path: Path, monkeypatch) -> None:
    """With worker processes rendering the audit PDFs (forced here for two decisions), the
    bundle is the one made rendering them one by one: same files, same bytes."""
    monkeypatch.setenv("DETAINER_DESK_WORKERS", "2")  # workers whatever the size
    by_workers = _export(store, str(tmp_path / "workers"))
    from detainer_desk.adapters.pdf.audit import render_audit_document

    monkeypatch.setattr(pdf, "render_audit_pdfs", one_by_one(render_audit_document))
    alone = _export(store, str(tmp_path / "alone"))
    assert by_workers.decisions == alone.decisions == 2
    workers_files = sorted(
        p.relative_to(tmp_path / "workers") for p in (tmp_path / "workers").rglob("*.pdf")
    )
    assert workers_files and workers_files == sorted(
        p.relative_to(tmp_path / "alone") for p in (tmp_path / "alone").rglob("*.pdf")
    )
    for name in workers_files:
        if name.parts[0] == "PDF":  # the audit PDFs (the checkpoint sheet is made here both times)
            assert (tmp_path / "workers" / name).read_bytes() == (
                tmp_path / "alone" / name
            ).read_bytes()


@pytest.mark.skipif(SHA256SUM is None, reason="sha256sum (coreutils) is needed")
def test_the_bundle_holds_the_contacts_each_entry_as_recorded(store, tmp_path: Path) -> None:
    from detainer_desk.adapters.export.formats import CONTACT_COLUMNS
    from detainer_desk.domain import contacts as ct
    from detainer_desk.services.contacts import amend_contact, record_contact

    when = NOW - dt.timedelta(hours=1)
    interview = {"consent_form_given": True, "language": "vi", "answer": "declined"}
    about_first = record_contact(
        store.uow(), ct.INTERVIEW_REQUEST, when, "ICE", interview, OFFICER, NOW, decision_id=1
    ).contact_id
    amend_contact(
        store.uow(), about_first, "she consented, with her attorney", SUPERVISOR, NOW,
        details={"answer": "consented_with_attorney"},
    )  # fmt: skip
    record_contact(
        store.uow(), ct.DATABASE_HIT, when, "ICE", {"system": "IAQ/LESC"}, OFFICER, NOW
    )  # about no decision: in the bundle when its time is in the export's period
    bundle = tmp_path / "bundle"
    _export(store, str(bundle))
    check = subprocess.run(
        [str(SHA256SUM), "-c", "manifest.sha256"],
        cwd=bundle,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0 and "contacts.csv: OK" in check.stdout
    rows = list(csv.DictReader(io.StringIO((bundle / "contacts.csv").read_text("utf-8"))))
    assert list(rows[0]) == list(CONTACT_COLUMNS)
    assert [(r["Contact ID"], r["Amends Contact ID"]) for r in rows] == [
        ("1", ""),
        ("2", "1"),
        ("3", ""),
    ]
    assert rows[0]["Decision Control Number"] == "DD0000001"
    assert json.loads(rows[0]["Details"])["answer"] == "declined"  # as first recorded
    assert len(rows[0]["Entry Hash"]) == 64
    lines = [json.loads(x) for x in (bundle / "contacts.jsonl").read_text("utf-8").splitlines()]
    assert lines[0]["as_it_reads_now"]["details"]["answer"] == "consented_with_attorney"
    assert lines[0]["amendments"][0]["reason"] == "she consented, with her attorney"
    assert lines[1]["decision_id"] is None and lines[1]["kind"] == ct.DATABASE_HIT

    # The audit PDF of the decision shows its contacts, each entry with its chain hash.
    audit_text = subprocess.run(
        ["pdftotext", str(bundle / "PDF" / "DD0000001.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "ICE contacts about this decision" in audit_text
    assert "Contact 1: Interview request" in audit_text
    assert "Amendment of contact 1 (Interview request)" in audit_text
    assert "she consented, with her attorney" in audit_text

    # An export of an earlier period leaves out the contact about no decision then.
    earlier = tmp_path / "earlier"
    _export(store, str(earlier), received_to=NOW - dt.timedelta(days=30))
    assert (earlier / "contacts.csv").read_bytes().count(b"\r\n") == 1  # the header only
