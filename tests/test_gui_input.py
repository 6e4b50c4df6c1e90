"""Input as staff type it, in the real window over a real store: U.S. dates and a calendar,
A-numbers as printed on the form, FBI numbers checked for shape (a warning, never a refusal:
the contract takes free text), the session-lock minutes, and scans that are broken, huge,
or too small to read."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QImage, QWheelEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCalendarWidget,
    QLineEdit,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from detainer_desk.domain.request import request_from_mapping
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.intake import IntakeScreen
from detainer_desk.gui.intake.entry import (
    fbi_number_warning,
    normalise_a_number,
    normalise_date,
    normalise_instant,
)
from detainer_desk.gui.intake.scans import LARGE_SCAN_BYTES
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import records
from detainer_desk.services.ports import Actor
from detainer_desk.services.settings import read_settings

from .test_gui_intake import EVENING, EXAMPLE, Answers, Clock, _pdf, _png
from .test_gui_support import (
    ADMIN_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    click,
    closed,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    type_into,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    admin = seed_admin(store)
    seed_user(store, admin, "officer.a", ["officer"], OFFICER_PASSWORD)
    records.activate_policy(
        store.uow(), (EXAMPLE / "policy.toml").read_bytes(), "policy.toml", admin, utc_now()
    )
    return admin


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def window(
    qtbot: QtBot, store: Runtime, admin: Actor, tmp_path: Path, answers: Answers
) -> Iterator[MainWindow]:
    main_window = MainWindow(Backend.from_runtime(store, WORKSTATION, clock=Clock(EVENING)))
    qtbot.addWidget(main_window)
    main_window.resize(1366, 768)
    main_window.intake.dialogs = answers  # type: ignore[assignment]
    main_window.intake.recent.use(
        QSettings(str(tmp_path / "recent.ini"), QSettings.Format.IniFormat)
    )
    with qtbot.waitExposed(main_window):
        main_window.show()
    main_window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is main_window)
    yield main_window
    main_window.tasks.wait()
    main_window.close()


@pytest.fixture
def intake(qtbot: QtBot, window: MainWindow, answers: Answers) -> IntakeScreen:
    signed_in(qtbot, window, "officer.a", OFFICER_PASSWORD)
    return window.intake


def _open_example(qtbot: QtBot, intake: IntakeScreen, answers: Answers) -> None:
    answers.open_path = str(EXAMPLE / "request.json")
    click(qtbot, intake.open_button)
    qtbot.waitUntil(lambda: intake.banner.text() != "")


def _leave(qtbot: QtBot, intake: IntakeScreen, key: str) -> None:
    """Tab out of a field, as an officer moving on."""
    qtbot.keyClick(intake.request_page.texts[key], Qt.Key.Key_Tab)


def _retype(qtbot: QtBot, intake: IntakeScreen, key: str, text: str) -> None:
    edit = intake.request_page.texts[key]
    edit.setFocus()
    type_into(qtbot, edit, text)
    _leave(qtbot, intake, key)


def _note(intake: IntakeScreen, key: str) -> str:
    label = intake.request_page.notes[key].label
    return label.text() if label.isVisibleTo(intake) else ""


# -- what is understood (no window) ----------------------------------------------------------


def test_dates_and_numbers_as_printed_are_put_in_the_contract_form() -> None:
    assert normalise_date("04/12/1988") == "1988-04-12"  # month first, as in the U.S.
    assert normalise_date(" 4/2/1988 ") == "1988-04-02"
    assert normalise_date("1988-04-12") == "1988-04-12"
    for left_alone in ("02/30/1988", "04/12/88", "12.04.1988", "tomorrow", ""):
        assert normalise_date(left_alone) == left_alone  # for the parser to explain
    assert normalise_instant("02/10/2026 8:30 AM") == "2026-02-10 08:30"
    assert normalise_instant("02/10/2026 12:05 am") == "2026-02-10 00:05"
    assert normalise_instant("02/10/2026 14:30") == "2026-02-10 14:30"
    assert normalise_instant("2026-02-10 2:30 P.M.") == "2026-02-10 14:30"
    assert normalise_instant("2026-02-10T08:30:00-08:00") == "2026-02-10T08:30:00-08:00"
    assert normalise_instant("02/10/2026 13:30 PM") == "02/10/2026 13:30 PM"
    for printed in ("A 201 456 789", "A-201-456-789", "a201456789", "201 456 789", "A201.456.789"):
        assert normalise_a_number(printed) == "A201456789"
    assert normalise_a_number("A 01 456 789") == "A001456789"  # eight digits, padded
    for left_alone in ("A 12", "B201456789", "A 201 456 7890", ""):
        assert normalise_a_number(left_alone) == left_alone
    assert fbi_number_warning("123456AB7") is None
    assert fbi_number_warning("123 456 AB7") is None
    assert fbi_number_warning("") is None
    for odd in ("abc", "1234567890", "12/34", "ABCDEFGH"):
        assert "up to 9 letters and digits" in (fbi_number_warning(odd) or "")


# -- in the form --------------------------------------------------------------------------


def test_us_dates_and_printed_numbers_are_read_and_recorded_in_the_contract_form(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    _open_example(qtbot, intake, answers)
    _retype(qtbot, intake, "subject.dob", "07/14/1988")
    assert intake.request_page.texts["subject.dob"].text() == "1988-07-14"  # on leaving
    _retype(qtbot, intake, "subject.a_number", "A 098 765 432")
    assert intake.request_page.texts["subject.a_number"].text() == "A098765432"
    _retype(qtbot, intake, "received_at", "02/10/2026 8:30 AM")
    assert intake.request_page.texts["received_at"].text() == "2026-02-10 08:30"
    assert (
        intake.request_page.readings["received_at"]
        .text()
        .startswith("Read as Tue 10 Feb 2026, 08:30 PST")
    )
    # Undo brings back what was typed (the rewrite went through the field's own editing).
    edit = intake.request_page.texts["subject.a_number"]
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert edit.text() == "A 098 765 432"

    # Typed and checked at once, without leaving the field: read the same way.
    dob = intake.request_page.texts["subject.dob"]
    dob.setFocus()
    type_into(qtbot, dob, "7/14/1988")
    qtbot.keyClick(dob, Qt.Key.Key_Return)  # Enter checks the request
    qtbot.waitUntil(intake.panel.outcome_frame.isVisible)
    assert intake.controller.assessment.valid
    request = intake.controller.assessment.request
    assert request is not None and request.subject.a_number == "A098765432"

    # The request file stays exactly per the contract.
    answers.save_path = str(tmp_path / "saved.json")
    click(qtbot, intake.save_button)
    saved = json.loads((tmp_path / "saved.json").read_text(encoding="utf-8"))
    assert saved["subject"]["dob"] == "1988-07-14"
    assert saved["subject"]["a_number"] == "A098765432"
    assert saved["received_at"] == "2026-02-10 08:30"
    request_from_mapping(saved, "saved.json")  # what `detainer-desk check` reads

    # A date that is not one keeps the field's own message.
    _retype(qtbot, intake, "subject.dob", "02/30/1988")
    assert intake.request_page.texts["subject.dob"].text() == "02/30/1988"
    assert "not a date in the form YYYY-MM-DD" in _note(intake, "subject.dob")


def test_the_calendar_opens_with_alt_down_and_the_chosen_day_keeps_the_time(
    qtbot: QtBot, intake: IntakeScreen
) -> None:
    received = intake.request_page.texts["received_at"]
    assert received.text() == "2026-02-11 20:00"  # prefilled
    received.setFocus()
    qtbot.keyClick(received, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = intake.request_page.date_entries["received_at"].popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    calendar = popup.calendar
    assert calendar.selectedDate() == QDate(2026, 2, 11)  # opens on the date in the field
    qtbot.keyClick(calendar.findChild(QAbstractItemView), Qt.Key.Key_Left)
    qtbot.keyClick(calendar.findChild(QAbstractItemView), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert received.text() == "2026-02-10 20:00"  # the day chosen, the time kept
    assert intake.controller.draft().received_at == "2026-02-10 20:00"  # the form knows

    # The date of birth, by mouse: the button at the field's right end, then a day.
    dob = intake.request_page.texts["subject.dob"]
    button = next(b for b in dob.findChildren(QToolButton) if b.defaultAction() is not None)
    assert button.toolTip() == "Choose the date on a calendar (Alt+Down)"
    click(qtbot, button)
    popup = intake.request_page.date_entries["subject.dob"].popup
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    popup.calendar.setCurrentPage(1988, 7)
    view = popup.calendar.findChild(QAbstractItemView)
    assert view is not None
    popup.calendar.setSelectedDate(QDate(1988, 7, 14))
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert dob.text() == "1988-07-14"
    assert intake.panel.problems_heading.text() == "Not ready to check: 4 things to fix"


def test_an_odd_fbi_number_is_warned_about_but_the_request_is_checked(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers)
    _retype(qtbot, intake, "subject.fbi_number", "abc")
    assert _note(intake, "subject.fbi_number").startswith("⚠ Check this: an FBI number is up to")
    click(qtbot, intake.panel.check_button)  # not a problem: it checks
    qtbot.waitUntil(intake.panel.outcome_frame.isVisible)
    assert intake.controller.assessment.valid
    assert intake.controller.draft().fbi_number == "abc"  # kept as typed
    _retype(qtbot, intake, "subject.fbi_number", "123456AB7")
    assert _note(intake, "subject.fbi_number") == ""
    _retype(qtbot, intake, "subject.a_number", "A000000000")
    assert "placeholder" in _note(intake, "subject.a_number")


def test_a_us_date_in_the_history_table_is_stored_as_the_contract_wants(
    qtbot: QtBot, intake: IntakeScreen
) -> None:
    intake.tabs.setCurrentIndex(2)
    history = intake.history
    click(qtbot, history.add_button)
    table = history.table
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Escape)  # leave the first cell
    table.setCurrentIndex(history.model.index(0, 4))  # "Date"
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    qtbot.keyClicks(editor, "06/01/2019")  # as on a rap sheet
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
    assert history.entries()[0].date == "2019-06-01"
    assert history.model.data(history.model.index(0, 4)) == "2019-06-01"

    # "Released on" from the calendar, without leaving the table.
    table.setCurrentIndex(history.model.index(0, 5))
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    qtbot.keyClick(editor, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    popup = editor.findChild(QWidget, "calendarPopup")
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    assert table.state() == QAbstractItemView.State.EditingState  # the cell stays open
    calendar = popup.findChild(QCalendarWidget)
    calendar.setSelectedDate(QDate(2020, 1, 10))
    qtbot.keyClick(calendar.findChild(QAbstractItemView), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert editor.text() == "2020-01-10"
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)
    assert history.entries()[0].released_on == "2020-01-10"


# -- the session lock --------------------------------------------------------------------------


def test_lock_minutes_typed_out_of_range_are_shown_and_refused(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    dialog = window.dialogs.open_settings()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.loaded)  # the saved settings, read in the background
    spin = dialog.minutes
    edit = spin.lineEdit()
    spin.setFocus()
    edit.selectAll()
    qtbot.keyClicks(spin, "45")
    assert spin.value() == 45  # was silently 4
    error = dialog.findChild(type(dialog.error), "sessionTimeoutMinutesError")
    assert error is not None and error.isVisible()
    assert error.text() == ("The session lock must start after 1 to 30 minutes of inactivity.")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()  # refused
    assert read_settings(store.uow()).session_timeout_minutes == 15
    edit.selectAll()
    qtbot.keyClicks(spin, "20")
    assert not error.isVisible()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    assert read_settings(store.uow()).session_timeout_minutes == 20


# -- scans ------------------------------------------------------------------------------------


def _attach(qtbot: QtBot, intake: IntakeScreen, answers: Answers, *paths: Path) -> None:
    before = intake.controller.state.loading
    answers.scans = [str(p) for p in paths]
    click(qtbot, intake.documents.attach_button)
    assert intake.controller.state.loading == before + len(paths)
    qtbot.waitUntil(lambda: intake.controller.state.loading == before, timeout=20_000)


def test_a_corrupt_pdf_is_refused_by_its_own_name_and_the_preview_goes_back(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    intake.tabs.setCurrentIndex(1)
    documents = intake.documents
    preview = documents.preview
    corrupt = tmp_path / "corrupt.pdf"
    corrupt.write_bytes(b"%PDF-1.4\n% truncated by the fax server\n")
    _attach(qtbot, intake, answers, corrupt)
    assert documents.scan_message.text() == (
        "⚠ Not attached: corrupt.pdf cannot be read as a PDF document."
    )
    assert preview.currentWidget() is preview.placeholder

    _attach(qtbot, intake, answers, _png(tmp_path / "fax.png"))
    assert preview.currentWidget() is preview.image_scroll
    _attach(qtbot, intake, answers, corrupt, _png(tmp_path / "Page2.PNG"))
    assert preview.currentWidget() is preview.image_scroll  # not "Loading corrupt.pdf…"
    assert [s.file_name for s in documents.scans()] == ["fax.png", "Page2.PNG"]
    assert documents.scan_message.text() in (  # whichever of the two was read last
        "⚠ Not attached: corrupt.pdf cannot be read as a PDF document.",
        "Attached Page2.PNG.",
    )


def test_a_very_large_scan_is_attached_with_a_warning_that_says_the_limit(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    side = 2900  # 2900 x 2900 x 3 bytes of noise: a PNG that does not compress
    noise = os.urandom(side * side * 3)
    image = QImage(noise, side, side, side * 3, QImage.Format.Format_RGB888)
    big = tmp_path / "photo-of-the-warrant.png"
    assert image.save(str(big), "PNG", 100)  # type: ignore[call-overload]  # stub: bytes; PySide6: str
    assert big.stat().st_size > LARGE_SCAN_BYTES
    intake.tabs.setCurrentIndex(1)
    _attach(qtbot, intake, answers, big)
    message = intake.documents.scan_message.text()
    assert message.startswith("⚠ Attached photo-of-the-warrant.png, 2")
    assert "large for a scan" in message and "up to 100.0 MB can be attached" in message
    assert len(intake.documents.scans()) == 1  # attached all the same

    _attach(qtbot, intake, answers, _png(tmp_path / "small.png"))
    assert intake.documents.scan_message.text() == "Attached small.png."


def _wheel_with_ctrl(widget: object, notches: int) -> None:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        widget.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def test_the_scan_zooms_in_out_and_fits_by_button_key_and_ctrl_wheel(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    intake.tabs.setCurrentIndex(1)
    documents = intake.documents
    preview = documents.preview
    assert not documents.zoom_in_button.isEnabled()  # nothing to zoom yet
    big = QImage(1600, 2000, QImage.Format.Format_RGB32)
    big.fill(Qt.GlobalColor.white)
    assert big.save(str(tmp_path / "page.png"))
    _attach(qtbot, intake, answers, tmp_path / "page.png")
    assert documents.zoom_label.text() == "Fit width"
    fitted = preview.image.pixmap().width()
    assert fitted < 1600  # fitted to the column

    click(qtbot, documents.zoom_in_button)
    assert documents.zoom_label.text().endswith(" %")
    assert preview.image.pixmap().width() > fitted
    preview.image_scroll.setFocus()
    qtbot.keyClick(preview.image_scroll, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    wider = preview.image.pixmap().width()
    assert wider > fitted * 1.5
    assert preview.image_scroll.horizontalScrollBar().maximum() > 0  # it scrolls sideways
    qtbot.keyClick(preview.image_scroll, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert preview.image.pixmap().width() < wider
    qtbot.keyClick(preview.image_scroll, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert documents.zoom_label.text() == "Fit width"
    assert preview.image.pixmap().width() == fitted

    _wheel_with_ctrl(preview.image_scroll.viewport(), 1)
    assert preview.zoom is not None and preview.image.pixmap().width() > fitted
    click(qtbot, documents.fit_button)

    # A PDF zooms the same way.
    _attach(qtbot, intake, answers, _pdf(tmp_path / "warrant.pdf"))
    assert preview.currentWidget() is preview.pdf and documents.zoom_label.text() == "Fit width"
    qtbot.keyClick(preview.pdf, Qt.Key.Key_Plus, Qt.KeyboardModifier.ControlModifier)
    assert preview.pdf.zoomMode() == preview.pdf.ZoomMode.Custom
    first = preview.pdf.zoomFactor()
    click(qtbot, documents.zoom_in_button)
    assert preview.pdf.zoomFactor() == pytest.approx(first * 1.25)
    qtbot.keyClick(preview.pdf, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert preview.pdf.zoomMode() == preview.pdf.ZoomMode.FitToWidth
