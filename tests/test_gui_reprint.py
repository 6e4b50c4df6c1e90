"""The notice to the person (and the audit PDF) made again where staff look for them: from
the decision log and from a decision's details, saved or printed, each copy audited.
The Home page says where printing is."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records import DecisionDetailDialog

from .test_gui_records_support import Desk, desk_under, double_click_row, sign_in_as, window_on
from .test_gui_support import click, trail


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _printer_to(path: Path):
    def choose(_parent: QWidget | None, _title: str) -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setResolution(100)  # enough for a test, and quick
        return printer

    return choose


def _text(path: Path) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def _pages(path: Path) -> int:
    document = QPdfDocument()
    assert document.load(str(path)) == QPdfDocument.Error.None_
    try:
        return document.pageCount()
    finally:
        document.close()


def _open_log(qtbot: QtBot, window: MainWindow, rows: int) -> None:
    window.decision_log_action.trigger()
    qtbot.waitUntil(lambda: window.records.log.model.rowCount() == rows)


def test_the_notice_is_printed_again_from_the_log(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    recorded = desk.record(**{"subject.name": "RIVERA, Ana"})
    desk.record(**{"subject.name": "DOE, John", "subject.booking_number": "B26-000400"})
    sign_in_as(qtbot, window, "officer.a")
    _open_log(qtbot, window, 2)
    screen = window.records.log
    assert not screen.print_notice_button.isEnabled()  # nothing chosen yet

    row = [screen.model.log_row(i).decision_id for i in range(2)].index(recorded.decision_id)
    rect = screen.table.visualRect(screen.model.index(row, 1))
    qtbot.mouseClick(screen.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert screen.print_notice_button.isEnabled()

    printed = tmp_path / "printed-notice.pdf"
    screen.choose_printer = _printer_to(printed)
    with qtbot.waitSignal(screen.documents.finished, timeout=30_000) as done:
        click(qtbot, screen.print_notice_button)
    assert f"notice to the person of decision {recorded.decision_id}" in done.args[0]
    assert printed.is_file() and _pages(printed) >= 1

    saved = tmp_path / "notice.pdf"
    screen.choose_save_path = lambda _parent, _title, suggested: str(saved)
    with qtbot.waitSignal(screen.documents.finished, timeout=30_000):
        click(qtbot, screen.save_notice_button)
    text = _text(saved)
    assert "RIVERA" in text and "DOE" not in text  # the selected decision's notice
    assert screen.message.text().startswith("Saved the notice to the person")

    events = trail(desk.runtime, desk.admin, action="decision.print", user_name="officer.a")
    assert len(events) == 2
    assert all('"notice to the person"' in e.details_json for e in events)
    assert {e.target for e in events} == {f"decision {recorded.decision_id}"}


def test_the_detail_view_saves_and_prints_the_notice_and_the_audit_pdf(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    recorded = desk.record()
    sign_in_as(qtbot, window, "counsel.d")
    _open_log(qtbot, window, 1)
    double_click_row(qtbot, window.records.log.table, 0)
    qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None)
    dialog = window.findChild(DecisionDetailDialog)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.grab().save(str(tmp_path / "detail-with-document-buttons.png"))

    for button, name in (
        (dialog.save_notice_button, "notice.pdf"),
        (dialog.save_button, "audit.pdf"),
    ):
        target = tmp_path / name
        dialog.choose_save_path = lambda _p, _t, _s, target=target: str(target)  # type: ignore[misc]  # lambda with defaults
        with qtbot.waitSignal(dialog.documents.finished, timeout=30_000):
            click(qtbot, button)
        assert dialog.saved_path == str(target)
    assert "Aviso" in _text(tmp_path / "notice.pdf") or "AVISO" in _text(tmp_path / "notice.pdf")
    assert f"decision {recorded.decision_id}" in _text(tmp_path / "audit.pdf").lower()

    printed = tmp_path / "printed.pdf"
    dialog.choose_printer = _printer_to(printed)
    with qtbot.waitSignal(dialog.documents.finished, timeout=30_000):
        click(qtbot, dialog.print_notice_button)
    assert _pages(printed) >= 1
    dialog.choose_printer = lambda _parent, _title: None  # the person cancels the dialog
    click(qtbot, dialog.print_audit_button)
    assert not dialog.documents.busy

    kinds = [
        e.details_json
        for e in trail(desk.runtime, desk.admin, action="decision.print", user_name="counsel.d")
    ]
    assert sum('"notice to the person"' in k for k in kinds) == 2
    assert sum('"audit PDF"' in k for k in kinds) == 1


def test_home_says_where_the_documents_are_printed(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, "officer.a")
    words = " ".join(label.text() for label in window.content_page.welcome.findChildren(QLabel))
    assert "(Request menu)." not in words  # printing is not in the Request menu
    assert "buttons under the decision" in words
    assert "decision log" in words
