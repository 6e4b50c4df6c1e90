"""The evidence PDFs (audit record, notice to the person, checkpoint sheet, statistics), read
back with pypdf: the facts a court needs are in the text, every page is numbered, scans show as
thumbnails, a broken scan never stops a document, and the fonts travel inside the PDF."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import shutil
import statistics
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from pypdf import PdfReader
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from detainer_desk.adapters.pdf import (
    render_audit_pdf,
    render_checkpoint_pdf,
    render_notice_pdf,
    render_statistics_pdf,
)
from detainer_desk.services.evidence_model import (
    Checkpoint,
    CountRow,
    DecisionRecord,
    ReportContext,
    Scan,
    StatisticsReport,
)
from detainer_desk.services.index import decision_state
from detainer_desk.services.ports import (
    AmendmentRecord,
    AttachmentInfo,
    DecisionRow,
    DecisionSummary,
    Stamp,
    StoredPolicy,
)

from .helpers import JUDICIAL_WARRANT_POLICY

PACIFIC = dt.timezone(dt.timedelta(hours=-8))
UTC = dt.UTC
CONTEXT = ReportContext(
    county_name="Columbia River County",
    jail_name="Columbia River County Detention Center",
    generated_at=dt.datetime(2026, 2, 11, 17, 30, 12, tzinfo=UTC),
    generated_by="sgt.b",
    timezone="America/Los_Angeles",
)
CITATION = "Example: Miranda-Olivares v. Clackamas County (D. Or. 2014)"
LONG_REASON = (
    "the only clause does not hold: no document counts as a judicial warrant: document 2 "
    "(judicial warrant) does not count: it is signed by an immigration officer, not a judge or "
    "magistrate; document 3 (court order) does not count: it does not name the subject, and "
    "it expired on 2026-01-31, before the evaluation date 2026-02-10; the policy requires a "
    "warrant signed by a judge or magistrate of a court that names this person"
)


def _hash(n: int) -> str:
    return hashlib.sha256(f"entry {n}".encode()).hexdigest()


# -- scans --------------------------------------------------------------------------------


def png_scan() -> bytes:
    """A faxed I-247A as a phone photo would give it: grey text lines on white."""
    image = Image.new("L", (850, 1100), 255)
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 40, 810, 1060), outline=0, width=3)
    draw.text((60, 60), "DEPARTMENT OF HOMELAND SECURITY", fill=0)
    draw.text((60, 90), "IMMIGRATION DETAINER - NOTICE OF ACTION (I-247A)", fill=0)
    for line in range(30):
        y = 150 + line * 28
        draw.line((60, y, 60 + (line * 37) % 700 + 50, y), fill=80, width=6)
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def pdf_scan(title: str = "WARRANT FOR ARREST OF ALIEN (I-200)") -> bytes:
    """A one-page PDF scan, as a copier's scan-to-PDF makes it."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=LETTER, invariant=1)
    page.setLineWidth(2)
    page.rect(36, 36, LETTER[0] - 72, LETTER[1] - 72)
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, LETTER[1] - 100, title)
    page.setFont("Helvetica", 10)
    for line in range(40):
        page.drawString(72, LETTER[1] - 140 - line * 14, f"Line {line + 1} of the scanned form.")
    page.showPage()
    page.save()
    return out.getvalue()


def fax_tiff(pages: int = 2) -> bytes:
    """A multi-page bilevel (1-bit) TIFF, as a fax server stores a received fax."""
    frames = []
    for number in range(pages):
        frame = Image.new("1", (1728, 2200), 1)
        draw = ImageDraw.Draw(frame)
        draw.rectangle((80, 80, 1648, 2120), outline=0, width=6)
        draw.text((120, 120), f"FAX PAGE {number + 1}", fill=0)
        frames.append(frame)
    out = io.BytesIO()
    frames[0].save(
        out, format="TIFF", save_all=True, append_images=frames[1:], compression="group4"
    )
    return out.getvalue()


CORRUPT = b"II*\x00\x08\x00\x00\x00this is not a TIFF at all"


# -- records --------------------------------------------------------------------------------


def request_document(**subject_changes: Any) -> dict[str, Any]:
    subject = {
        "name": "NGUYỄN Văn Ánh",
        "dob": "1988-07-14",
        "booking_number": "B26-000311",
        "a_number": "A098765432",
        "fbi_number": "123456AB7",
        "citizenship_claim": False,
        "us_citizenship_indicators": [],
    }
    subject.update(subject_changes)
    return {
        "schema": 1,
        "received_at": "2026-02-10T08:30:00-08:00",
        "subject": subject,
        "detainer": {
            "form": "I-247A",
            "issued_at": "2026-02-10T07:55:00-08:00",
            "issuing_office": "ICE ERO Portland",
            "officer": "K. LEE, SDDO",
            "requested": ["notify", "hold"],
            "probable_cause_basis": ["removal_proceedings", "biometric_match"],
        },
        "documents": [
            {"kind": "I-200", "signed": True, "signer_role": "immigration_officer"},
            {
                "kind": "judicial_warrant",
                "signed": True,
                "signer_role": "magistrate",
                "court": "U.S. District Court for the District of Oregon",
                "court_system": "federal",
                "names_subject": True,
                "issued_on": "2026-02-09",
                "expires_on": "2026-03-09",
            },
        ],
        "history": [
            {
                "offense": "Assault 2",
                "statute": "ORS 163.175",
                "class": "felony",
                "status": "convicted",
                "date": "2019-06-01",
                "released_on": "2020-01-10",
            },
            {
                "offense": "DUII",
                "statute": "ORS 813.010",
                "class": "misdemeanor",
                "status": "pending",
                "date": "2026-02-09",
                "probable_cause_found": True,
            },
        ],
        "flags": [],
        "release_eligible_at": None,
    }


def hold_decision() -> dict[str, Any]:
    warrant = (
        "clause 1: a judicial warrant from U.S. District Court for the District of Oregon names "
        "the subject (document 2)"
    )
    return {
        "outcome": "hold",
        "tentative_outcome": None,
        "hold_until": "2026-02-13T15:00:00-08:00",
        "permitted": {"hold": True, "transfer": True, "notify": True},
        "review_triggers": [],
        "reasons": [
            {"action": "hold", "result": "permitted", "text": warrant, "citation": CITATION},
            {"action": "transfer", "result": "permitted", "text": warrant, "citation": CITATION},
            {
                "action": "notify",
                "result": "permitted",
                "text": "clause 1: the policy always permits this",
                "citation": CITATION,
            },
        ],
        "policy": {"name": "Judicial warrant only, 48-hour cap", "sha256": POLICY_SHA},
    }


POLICY_SHA = hashlib.sha256(JUDICIAL_WARRANT_POLICY).hexdigest()


def stamp(hour: int, minute: int, user: str, workstation: str = "INTAKE-02") -> Stamp:
    return Stamp(dt.datetime(2026, 2, 10, hour, minute, 7, tzinfo=UTC), user, workstation)


def amendments() -> tuple[AmendmentRecord, ...]:
    return (
        AmendmentRecord(
            id=1,
            seq=16,
            entry_hash=_hash(16),
            kind="release_eligible",
            effective_at=dt.datetime(2026, 2, 11, 15, 0, tzinfo=PACIFIC),
            reason=None,
            details={
                "hold_until": "2026-02-13T15:00:00-08:00",
                "window_closed_when_recorded": False,
            },
            stamp=stamp(19, 2, "officer.a"),
        ),
        AmendmentRecord(
            id=2,
            seq=17,
            entry_hash=_hash(17),
            kind="countersign",
            effective_at=None,
            reason="Checked the magistrate's signature against the court's docket.",
            details={},
            stamp=stamp(20, 41, "sgt.b", "SUPERVISOR-01"),
        ),
    )


def make_record(
    *,
    decision: dict[str, Any] | None = None,
    request: dict[str, Any] | None = None,
    scans: Sequence[tuple[str, str, bytes, int | None]] | None = None,
    amended: tuple[AmendmentRecord, ...] | None = None,
) -> DecisionRecord:
    request = request if request is not None else request_document()
    decision = decision if decision is not None else hold_decision()
    if scans is None:
        scans = [
            ("i-247a-fax.png", "image/png", png_scan(), None),
            ("i-200.pdf", "application/pdf", pdf_scan(), 0),
            ("judicial-warrant.tif", "image/tiff", CORRUPT, 1),
        ]
    infos = tuple(
        AttachmentInfo(
            id=number,
            file_name=name,
            media_type=media,
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            document_index=index,
        )
        for number, (name, media, content, index) in enumerate(scans, start=1)
    )
    subject = request["subject"]
    summary = DecisionSummary(
        decision_id=42,
        request_id=41,
        received_at=dt.datetime(2026, 2, 10, 8, 30, tzinfo=PACIFIC),
        subject_name=subject["name"],
        dob=subject["dob"],
        booking_number=subject["booking_number"],
        a_number=subject.get("a_number"),
        form=request["detainer"]["form"],
        outcome=decision["outcome"],
        tentative_outcome=decision["tentative_outcome"],
        hold_until=decision["hold_until"],
        release_eligible_at=None,
        recorded_by="officer.a",
        recorded_at=dt.datetime(2026, 2, 10, 16, 52, 31, tzinfo=UTC),
    )
    policy = StoredPolicy(
        id=3,
        sha256=POLICY_SHA,
        name="Judicial warrant only, 48-hour cap",
        source_name="judicial-warrant-only.toml",
        text=JUDICIAL_WARRANT_POLICY.decode(),
        stamp=Stamp(dt.datetime(2026, 1, 5, 17, 0, tzinfo=UTC), "admin", "ADMIN-01"),
    )
    row = DecisionRow(
        summary=summary,
        seq=15,
        entry_hash=_hash(15),
        request_seq=11,
        request_entry_hash=_hash(11),
        request=request,
        decision=decision,
        evaluated_at=dt.datetime(2026, 2, 10, 8, 30, tzinfo=PACIFIC),
        workstation="INTAKE-02",
        policy=policy,
        attachments=infos,
        amendments=amendments() if amended is None else amended,
    )
    return DecisionRecord(
        row=row,
        state=decision_state(row),
        request=request,
        decision=decision,
        scans=tuple(
            Scan(
                info.id, info.file_name, info.media_type, info.sha256, content, info.document_index
            )
            for info, (_, _, content, _) in zip(infos, scans, strict=True)
        ),
        policy_timezone="America/Los_Angeles",
    )


def checkpoint() -> Checkpoint:
    return Checkpoint(
        created_at=dt.datetime(2026, 2, 11, 8, 0, 3, tzinfo=UTC),
        entries=1_234,
        head_hash=_hash(1234),
        installation_id="3f1c9a52-8e0b-4d7e-9a51-6c0c2b7de001",
        public_key_hex=hashlib.sha256(b"public key").hexdigest(),
        signature_hex=hashlib.sha512(b"signature").hexdigest(),
        digests_sha256=_hash(99),
    )


# -- reading back -----------------------------------------------------------------------------


def read(pdf: bytes) -> tuple[PdfReader, list[str]]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text with line breaks and repeated spaces folded, as a wrapped paragraph reads."""
    return " ".join(text.split())


def image_count(reader: PdfReader, page_number: int | None = None) -> int:
    pages = reader.pages if page_number is None else [reader.pages[page_number]]
    return sum(len(page.images) for page in pages)


# -- the audit record -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "moment",
    [
        dt.datetime(2026, 3, 8, 9, 59, tzinfo=UTC),  # 01:59 PST, just before spring forward
        dt.datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # 03:00 PDT
        dt.datetime(2026, 11, 1, 8, 30, tzinfo=UTC),  # 01:30 PDT, first of the two
        dt.datetime(2026, 11, 1, 9, 30, tzinfo=UTC),  # 01:30 PST, second of the two
    ],
)
def test_documents_print_times_as_the_screens_do(moment: dt.datetime) -> None:
    # The PDFs spell day and month names themselves (strftime follows the process locale);
    # the text must still be exactly what the screens show.
    from zoneinfo import ZoneInfo

    from detainer_desk.adapters.pdf.layout import local_time
    from detainer_desk.domain.decision import format_instant_for_people

    zone = ZoneInfo("America/Los_Angeles")
    assert local_time(moment, zone) == format_instant_for_people(moment.astimezone(zone))


def test_audit_pdf_shows_the_whole_record() -> None:
    record = make_record()
    reader, pages = read(render_audit_pdf(record, CONTEXT))
    text = flat(" ".join(pages))

    for fact in (
        "Columbia River County",
        "Columbia River County Detention Center",
        "NGUYỄN Văn Ánh",
        "B26-000311",
        "A098765432",
        "123456AB7",
        "14 Jul 1988",
        "ICE ERO Portland",
        "K. LEE, SDDO",
        "pending removal proceedings",
        "U.S. District Court for the District of Oregon",
        "ORS 163.175",
        "HOLD",
        "until Fri 13 Feb 2026, 15:00 PST (UTC-08:00)",
        "2026-02-13 23:00:00 UTC",
        "clause 1: the policy always permits this",
        CITATION,
        "Judicial warrant only, 48-hour cap",
        POLICY_SHA,
        "INTAKE-02",
        "officer.a",
        "Countersigned",
        "Release eligibility known",
        "Checked the magistrate's signature against the court's docket.",
        "SUPERVISOR-01",
        "countersigned",
        "preview unavailable",
        "Generated Wed 11 Feb 2026, 09:30 PST (UTC-08:00) by sgt.b",
    ):
        assert fact in text, fact
    for attachment in record.row.attachments:
        assert attachment.file_name in text
        assert attachment.sha256 in text
    for entry_hash in (
        record.row.entry_hash,
        record.row.request_entry_hash,
        *(a.entry_hash for a in record.row.amendments),
    ):
        assert entry_hash in text
    # The PNG and the PDF scan each give a thumbnail; the corrupt TIFF gives a box, not an error.
    assert image_count(reader) == 2


def test_audit_pdf_numbers_every_page_and_names_the_county_on_it() -> None:
    record = make_record()
    _, pages = read(render_audit_pdf(record, CONTEXT))
    assert len(pages) >= 2
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in page
        assert "Columbia River County" in page
        assert "Generated" in page and "by sgt.b" in page
        assert "decision 42" in page


def test_audit_pdf_keeps_long_reasons_and_names_in_any_script() -> None:
    decision = hold_decision()
    decision["reasons"].append(
        {"action": "review", "result": "not permitted", "text": LONG_REASON, "citation": CITATION}
    )
    for name in ("PEÑA GARCÍA, José Ángel", "陈伟 (CHEN, Wei)", "Nguyễn Thị Hồng Nhung"):
        record = make_record(decision=decision, request=request_document(name=name))
        _, pages = read(render_audit_pdf(record, CONTEXT))
        text = flat(" ".join(pages))
        assert name in text
        assert flat(LONG_REASON) in text


def test_audit_pdf_of_a_review_shows_the_tentative_outcome_and_triggers() -> None:
    decision = hold_decision() | {
        "outcome": "review",
        "tentative_outcome": "hold",
        "review_triggers": ["citizenship_claim"],
    }
    request = request_document(citizenship_claim=True, us_citizenship_indicators=["us_birthplace"])
    record = make_record(decision=decision, request=request, amended=())
    _, pages = read(render_audit_pdf(record, CONTEXT))
    text = flat(" ".join(pages))
    assert "SUPERVISOR REVIEW" in text
    assert "Nothing may be done until a supervisor reviews it" in text
    assert "citizenship_claim" in text
    assert "YES: the person says they are a U.S. citizen" in text
    assert "U.S. birthplace" in text
    assert "awaiting review" in text
    assert "No amendments have been recorded" in text


def test_audit_pdf_refuses_to_preview_bytes_that_do_not_match_the_record() -> None:
    record = make_record()
    tampered = dataclasses.replace(record.scans[0], content=png_scan() + b"\x00")
    record = dataclasses.replace(record, scans=(tampered, *record.scans[1:]))
    reader, pages = read(render_audit_pdf(record, CONTEXT))
    assert "the bytes do not match the SHA-256" in flat(" ".join(pages))
    assert image_count(reader) == 1


def test_audit_pdf_embeds_every_font_it_uses() -> None:
    record = make_record(request=request_document(name="陈伟 (CHEN, Wei)"))
    reader, _ = read(render_audit_pdf(record, CONTEXT))
    fonts = {}
    for page in reader.pages:
        resources = page["/Resources"].get_object()
        for reference in resources.get("/Font", {}).values():
            font = reference.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, f"{name} is not embedded"


def test_audit_pdf_previews_a_multi_page_fax_and_says_so() -> None:
    scans = [("fax-2026-02-10.tif", "image/tiff", fax_tiff(pages=3), None)]
    reader, pages = read(render_audit_pdf(make_record(scans=scans), CONTEXT))
    assert "3 pages (the first is shown)" in flat(" ".join(pages))
    assert image_count(reader) == 1


def test_audit_pdf_says_when_the_scan_bytes_are_missing() -> None:
    record = make_record()
    emptied = dataclasses.replace(record.scans[0], content=b"")
    record = dataclasses.replace(record, scans=(emptied, *record.scans[1:]))
    _, pages = read(render_audit_pdf(record, CONTEXT))
    assert "no bytes are stored for this scan" in flat(" ".join(pages))


def test_documents_are_reproducible() -> None:
    # The same record and context give the same bytes, so an export's hashes are stable.
    record = make_record()
    pdf_request = make_record(scans=[("i-247a.pdf", "application/pdf", pdf_scan(), None)])
    assert render_audit_pdf(record, CONTEXT) == render_audit_pdf(record, CONTEXT)
    assert render_notice_pdf(pdf_request, CONTEXT) == render_notice_pdf(pdf_request, CONTEXT)
    assert render_checkpoint_pdf(checkpoint(), CONTEXT) == render_checkpoint_pdf(
        checkpoint(), CONTEXT
    )


# -- the notice to the person ------------------------------------------------------------------


def test_notice_says_in_english_and_spanish_what_the_jail_will_do() -> None:
    reader, pages = read(render_notice_pdf(make_record(), CONTEXT))
    assert len(pages) == 2
    first = flat(pages[0])
    for fact in (
        "NGUYỄN Văn Ánh",
        "B26-000311",
        "What ICE asked",
        "Lo que pidió ICE",
        "form I-247A",
        "to tell ICE before you are released",
        "(for up to 48 hours)",
        "but not after Fri 13 Feb 2026, 15:00 PST (UTC-08:00)",
        "no después del viernes 13 de febrero de 2026, 15:00 PST (UTC-08:00)",
        "It is not an order from a court",
        "No es una orden de un tribunal",
        "right to contact a lawyer",
        "A copy of the ICE request the jail received is attached as page 2.",
        "derecho a comunicarse con un abogado",
        "Judicial warrant only, 48-hour cap",
        "a judicial warrant from U.S. District Court for the District of Oregon",
        "February 11, 2026",
        "11 de febrero de 2026",
        "February 10, 2026",
        "Page 1 of 2",
    ):
        assert fact in first, fact
    assert image_count(reader, 0) == 0
    assert image_count(reader, 1) == 1  # the copy of the faxed request
    assert "Page 2 of 2" in pages[1]


def test_notice_lays_a_pdf_request_into_page_two_as_it_is() -> None:
    scans = [("i-247a.pdf", "application/pdf", pdf_scan("IMMIGRATION DETAINER NOTICE"), None)]
    _, pages = read(render_notice_pdf(make_record(scans=scans), CONTEXT))
    assert len(pages) == 2
    second = flat(pages[1])
    assert "IMMIGRATION DETAINER NOTICE" in second  # the scan's own text, not a picture of it
    assert "Line 40 of the scanned form." in second
    assert "Page 2 of 2" in second


def test_notice_without_a_copy_of_the_request_is_one_page() -> None:
    scans = [("i-200.pdf", "application/pdf", pdf_scan(), 0)]  # a document, not the request
    _, pages = read(render_notice_pdf(make_record(scans=scans), CONTEXT))
    assert len(pages) == 1
    assert "Ask jail staff for a copy of the ICE request" in flat(pages[0])
    assert "Page 1 of 1" in pages[0]


def test_notice_with_an_unreadable_request_scan_says_so_on_page_two() -> None:
    scans = [("i-247a.tif", "image/tiff", CORRUPT, None)]
    _, pages = read(render_notice_pdf(make_record(scans=scans), CONTEXT))
    assert len(pages) == 2
    assert "could not be reproduced" in flat(pages[1])


@pytest.mark.parametrize(
    ("outcome", "english", "spanish"),
    [
        (
            "review",
            "A supervisor is reviewing this request. Nothing will be done on it until the "
            "review is finished.",
            "Un supervisor está revisando esta solicitud.",
        ),
        (
            "notify",
            "The jail will only tell ICE the date and time of your release.",
            "solo le informará a ICE la fecha y la hora de su salida",
        ),
        (
            "transfer",
            "the jail may hand you over to ICE officers at that time",
            "podrá entregarlo/a a agentes de ICE",
        ),
        (
            "decline",
            "The jail will not act on this request.",
            "La cárcel no tomará ninguna medida por esta solicitud.",
        ),
    ],
)
def test_notice_follows_the_outcome(outcome: str, english: str, spanish: str) -> None:
    decision = hold_decision() | {"outcome": outcome, "hold_until": None}
    if outcome == "review":
        decision |= {"tentative_outcome": "hold", "review_triggers": ["citizenship_claim"]}
    if outcome == "decline":
        decision["reasons"][2] |= {"result": "not permitted", "text": LONG_REASON}
    record = make_record(decision=decision, amended=(), scans=[])
    _, pages = read(render_notice_pdf(record, CONTEXT))
    assert len(pages) == 1
    text = flat(pages[0])
    assert english in text
    assert spanish in text
    if outcome == "review":
        assert "you may be a U.S. citizen" in text
        assert "usted podría ser ciudadano/a de EE. UU." in text


def test_notice_follows_an_override_and_quotes_its_reason() -> None:
    override = AmendmentRecord(
        id=3,
        seq=18,
        entry_hash=_hash(18),
        kind="override",
        effective_at=None,
        reason="The warrant names a different date of birth; declining pending clarification.",
        details={"outcome": "decline"},
        stamp=stamp(21, 5, "sgt.c", "SUPERVISOR-01"),
    )
    record = make_record(amended=(override,), scans=[])
    _, pages = read(render_notice_pdf(record, CONTEXT))
    text = flat(pages[0])
    assert "The jail will not act on this request." in text
    assert "The warrant names a different date of birth" in text
    audit_text = flat(" ".join(read(render_audit_pdf(record, CONTEXT))[1]))
    assert "Overridden" in audit_text and "sgt.c" in audit_text and "DECLINE" in audit_text


def test_notice_stays_on_one_page_however_long_the_reasons() -> None:
    decision = hold_decision()
    for reason in decision["reasons"]:
        reason["text"] = LONG_REASON * 3
    request = request_document(name="DE LA CRUZ HERNÁNDEZ Y MONTENEGRO, María de los Ángeles")
    record = make_record(decision=decision, request=request, scans=[])
    _, pages = read(render_notice_pdf(record, CONTEXT))
    assert len(pages) == 1
    assert "The full reasons are in the jail's decision record." in flat(pages[0])


# -- the checkpoint sheet and the statistics ---------------------------------------------------


def test_checkpoint_sheet_is_one_page_with_everything_needed_to_check_it() -> None:
    point = checkpoint()
    _, pages = read(render_checkpoint_pdf(point, CONTEXT))
    assert len(pages) == 1
    text = flat(pages[0])
    spaced = " ".join(point.head_hash[i : i + 8] for i in range(0, 64, 8))
    for fact in (
        "1,234",
        spaced,
        point.installation_id,
        point.public_key_hex[:8],
        point.signature_hex[:8],
        "detainer-desk verify --checkpoint FILE",
        "Signature",
        "Print name",
        "Date",
        "Wed 11 Feb 2026, 00:00 PST (UTC-08:00) = 2026-02-11 08:00:03 UTC",
        "Page 1 of 1",
    ):
        assert fact in text, fact


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbarimg (zbar-tools) not installed")
def test_checkpoint_qr_code_reads_back_as_the_checkpoint(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    point = checkpoint()
    document = pdfium.PdfDocument(render_checkpoint_pdf(point, CONTEXT))
    try:
        page = document[0]
        bitmap = page.render(scale=200 / 72)  # a 200 dpi scan of the filed paper
        image = tmp_path / "sheet.png"
        bitmap.to_pil().save(image)
        bitmap.close()
        page.close()
    finally:
        document.close()
    result = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == point.qr_text()


def test_statistics_report_shows_the_period_tables_and_provenance() -> None:
    columns = ("received", "honored", "notify only", "declined", "review")
    report = StatisticsReport(
        period_start=dt.date(2026, 2, 2),
        period_end=dt.date(2026, 2, 15),
        columns=columns,
        by_week=(
            CountRow("Week of Mon 2 Feb 2026", dict(zip(columns, (9, 2, 4, 3, 0), strict=True))),
            CountRow("Week of Mon 9 Feb 2026", dict(zip(columns, (7, 1, 3, 2, 1), strict=True))),
        ),
        by_form=(
            CountRow("I-247A", dict(zip(columns, (14, 3, 6, 4, 1), strict=True))),
            CountRow("I-247G", dict(zip(columns, (2, 0, 1, 1, 0), strict=True))),
        ),
        by_reason=(
            CountRow(
                "hold: a judicial warrant names the subject",
                {"received": 3, "honored": 3},
            ),
            CountRow(
                "notify: conviction for a serious or violent felony within 15 years",
                {"received": 7, "notify only": 7},
            ),
        ),
        totals=dict(zip(columns, (16, 3, 7, 5, 1), strict=True)),
        checkpoint=checkpoint(),
    )
    _, pages = read(render_statistics_pdf(report, CONTEXT))
    text = flat(" ".join(pages))
    for fact in (
        "Monday 2 February 2026 to Sunday 15 February 2026 (14 days, both included)",
        "Week of Mon 9 Feb 2026",
        "I-247G",
        "notify: conviction for a serious or violent felony within 15 years",
        "notify only",
        "16",
        "How these numbers are made",
        " ".join(checkpoint().head_hash[i : i + 8] for i in range(0, 64, 8)),
        "detainer-desk verify --checkpoint FILE",
        "Page 1 of",
    ):
        assert fact in text, fact


# -- benchmark -------------------------------------------------------------------------------


@pytest.mark.bench
def test_audit_pdf_render_time() -> None:
    """Goal (issue 7): one audit PDF in under 100 ms, thumbnails included."""
    record = make_record()
    render_audit_pdf(record, CONTEXT)  # fonts registered, code warm
    times = []
    for _ in range(15):
        start = time.perf_counter()
        render_audit_pdf(record, CONTEXT)
        times.append(time.perf_counter() - start)
    median = statistics.median(times) * 1000
    print(f"\nrender_audit_pdf: median {median:.1f} ms (best {min(times) * 1000:.1f} ms)")
