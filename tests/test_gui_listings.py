"""The audit trail and a what-if on paper and in a spreadsheet: Save PDF…, Save CSV… and
Print… in their dialogs, over a real store; the files are read back and each copy is in
the audit trail itself."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.gui.audit_trail import AuditTrailDialog
from detainer_desk.gui.policy_screen import WHAT_IF, PolicyDialog
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import accounts, listings, records
from detainer_desk.services.access import PermissionDenied
from detainer_desk.services.ports import Actor, AuditQuery

from .helpers import JUDICIAL_WARRANT_POLICY, request_json
from .test_gui_support import (
    ADMIN_PASSWORD,
    COUNSEL_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    click,
    open_window,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    trail,
)

EVENTS = 230  # more than the dialog's first page of 200: the copy has them all


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    admin = seed_admin(store)
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    seed_user(store, admin, "counsel.ray", ["counsel"], COUNSEL_PASSWORD)
    return admin


def _printer_to(path: Path):
    def choose(_parent: QWidget | None, _title: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setResolution(100)
        return printer

    return choose


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _pages(path: Path) -> int:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    try:
        return document.pageCount()
    finally:
        document.close()


def _seed_events(store: Runtime, admin: Actor) -> None:
    for number in range(EVENTS):
        accounts.record_event(
            store.uow(), admin, "decision.print", f"decision {number}", utc_now(), {"n": number}
        )
    # A value a spreadsheet would run as a formula, if it were written as it is.
    accounts.record_event(store.uow(), admin, "decision.print", '=HYPERLINK("x")', utc_now())


def test_the_audit_trail_is_saved_as_csv_and_pdf_and_printed(
    qtbot: QtBot, store: Runtime, admin: Actor, tmp_path: Path
) -> None:
    _seed_events(store, admin)
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "counsel.ray", COUNSEL_PASSWORD)
    window.audit_action.trigger()
    dialog = window.findChild(AuditTrailDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    dialog.action_combo.setEditText("decision.print")
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 200)  # read in the background
    assert dialog.model.rowCount() == 200  # the first page on screen
    listing = dialog.listing

    saved = tmp_path / "trail.csv"
    listing.choose_file = lambda _parent, _title, suggested: str(saved)
    with qtbot.waitSignal(listing.finished, timeout=30_000):
        click(qtbot, listing.csv_button)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheets read the accents right
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == list(listings.AUDIT_CSV_COLUMNS)
    body = rows[1:]
    assert len(body) == EVENTS + 1  # every match, not only the 200 loaded
    assert {row[5] for row in body} == {"decision.print"}
    assert body[0][6] == '\'=HYPERLINK("x")'  # newest first, and never a formula
    assert json.loads(body[-1][8]) == {"n": 0}
    expected = accounts.audit_trail(
        store.uow(), admin, AuditQuery(action="decision.print", limit=1000), utc_now()
    )
    assert [int(row[0]) for row in body] == [e.id for e in expected]

    pdf = tmp_path / "trail.pdf"
    listing.choose_file = lambda _parent, _title, suggested: str(pdf)
    with qtbot.waitSignal(listing.finished, timeout=60_000):
        click(qtbot, listing.pdf_button)
    text = _pdf_text(pdf)
    assert "Audit trail" in text and "action beginning “decision.print”" in text
    assert f"{EVENTS + 1}" in text and "every event matching the search" in text
    assert "decision 229" in text and "decision 0" in text

    printed = tmp_path / "printed.pdf"
    listing.choose_printer = _printer_to(printed)
    with qtbot.waitSignal(listing.finished, timeout=60_000) as done:
        click(qtbot, listing.print_button)
    assert "Sent the audit trail to the printer" in done.args[0]
    assert _pages(printed) == _pages(pdf) >= 2

    copies = trail(store, admin, action="audit.export", user_name="counsel.ray")
    assert sorted((e.target for e in copies), key=str) == ["CSV", "PDF", "print"]
    assert all(json.loads(e.details_json)["events"] == EVENTS + 1 for e in copies)
    dialog.close()
    window.close()


def test_an_audit_trail_pdf_of_a_huge_search_lists_the_newest_and_says_so(
    store: Runtime, admin: Actor, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed_events(store, admin)
    listing = None
    for step in listings.audit_listing(
        store.uow, admin, AuditQuery(action="decision."), utc_now(), "PDF", limit=100
    ):
        if isinstance(step, listings.AuditListing):
            listing = step
    assert listing is not None and listing.more and len(listing.events) == 100
    from detainer_desk.adapters.pdf import render_audit_trail_pdf
    from detainer_desk.services.documents import report_context

    pdf = render_audit_trail_pdf(listing, report_context(store.uow(), admin, utc_now()))
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "no: the newest 100; older events match too" in text


def test_only_those_who_may_read_the_audit_trail_may_copy_it(store: Runtime, admin: Actor) -> None:
    officer = Actor("j.smith", WORKSTATION)
    with pytest.raises(PermissionDenied):
        list(listings.audit_listing(store.uow, officer, AuditQuery(), utc_now(), "CSV"))
    [denied] = trail(store, admin, action="audit.export", outcome="denied")
    assert denied.user_name == "j.smith"


def _record_decisions(store: Runtime, count: int) -> None:
    officer = Actor("j.smith", "W", frozenset({"officer"}))
    for number in range(count):
        records.record_decision(
            store.uow(),
            request_json(
                **{
                    "subject.booking_number": f"B26-00{number}",
                    "subject.name": f"DOE, Jane {number}",
                }
            ),
            "request.json",
            [],
            officer,
            utc_now(),
        )


def test_a_what_if_is_saved_as_pdf_and_csv_and_printed(
    qtbot: QtBot, store: Runtime, admin: Actor, tmp_path: Path
) -> None:
    records.activate_policy(store.uow(), JUDICIAL_WARRANT_POLICY, "county.toml", admin, utc_now())
    _record_decisions(store, 3)
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    window.policy.what_if_action.trigger()
    dialog = window.findChild(PolicyDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert dialog.tabs.currentIndex() == WHAT_IF
    listing = dialog.what_if_listing
    assert not listing.pdf_button.isEnabled()  # nothing compared yet
    dialog.what_if_chooser.select_preset("california-sb54")
    dialog.from_date.setDate(QDate(2026, 2, 1))
    dialog.to_date.setDate(QDate(2026, 2, 28))
    click(qtbot, dialog.compare_button)
    qtbot.waitUntil(lambda: dialog.changes_table.rowCount() == 3, timeout=20_000)
    assert listing.pdf_button.isEnabled()
    dialog.grab().save(str(tmp_path / "what-if.png"))

    spreadsheet = tmp_path / "what-if.csv"
    listing.choose_file = lambda _parent, _title, suggested: str(spreadsheet)
    with qtbot.waitSignal(listing.finished, timeout=30_000):
        click(qtbot, listing.csv_button)
    rows = list(csv.reader(io.StringIO(spreadsheet.read_text("utf-8-sig"))))
    assert rows[0] == list(listings.WHAT_IF_CSV_COLUMNS)
    assert [(r[1], r[4], r[5]) for r in rows[1:]] == [
        (f"DOE, Jane {n}", "hold", "transfer") for n in range(3)
    ]

    paper = tmp_path / "what-if.pdf"
    listing.choose_file = lambda _parent, _title, suggested: str(paper)
    with qtbot.waitSignal(listing.finished, timeout=30_000):
        click(qtbot, listing.pdf_button)
    text = _pdf_text(paper)
    assert "California Values Act (SB 54)" in text
    assert "Requests received 2026-02-01 to 2026-02-28" in text
    for n in range(3):
        assert f"DOE, Jane {n}" in text
    assert "Transfer at release" in text and "Decisions examined 3" in text

    printed = tmp_path / "printed.pdf"
    listing.choose_printer = _printer_to(printed)
    with qtbot.waitSignal(listing.finished, timeout=30_000):
        click(qtbot, listing.print_button)
    assert _pages(printed) == _pages(paper)

    copies = trail(store, admin, action="policy.what_if_export")
    assert sorted(json.loads(e.details_json)["document"] for e in copies) == [
        "CSV",
        "PDF",
        "print",
    ]
    dialog.close()
    window.close()
