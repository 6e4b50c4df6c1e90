"""No act by accident, in the real window over a real store: the mouse wheel changes no
drop-down, spin box or date it passes over; what is typed after signing out goes into the
sign-in page, not the form the next person sees; each person starts on their own screen;
every countersignature, override and amendment says what it will write and asks once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.workspace import start_screen
from detainer_desk.services import records

from .test_gui_records_support import NOW, PEOPLE, Desk, desk_under, sign_in_as, window_on
from .test_gui_support import answer, click

OFFICER_PASSWORD = PEOPLE["officer.a"][1]


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    for made in desk_under(tmp_path):
        made.record(  # a HOLD awaiting a countersignature
            **{
                "subject.name": "RIVERA, Ana",
                "subject.booking_number": "B26-0001",
                "release_eligible_at": (NOW + dt.timedelta(hours=1)).isoformat(),
            }
        )
        made.record(  # under review: a claim of U.S. citizenship
            **{
                "subject.name": "MORALES, Ada",
                "subject.booking_number": "B26-0002",
                "subject.citizenship_claim": True,
            }
        )
        yield made


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _wheel(widget: QWidget, notches: int = -1) -> None:
    """One turn of the mouse wheel over the middle of ``widget`` (down: negative)."""
    centre = QPointF(widget.rect().center())
    event = QWheelEvent(
        centre,
        widget.mapToGlobal(centre),
        QPoint(),
        QPoint(0, 120 * notches),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QApplication.sendEvent(widget, event)


def _focus_by_keyboard(qtbot: QtBot, before: QWidget, target: QWidget) -> None:
    """Tab from ``before`` until ``target`` has the focus, as a person at the keyboard."""
    before.setFocus(Qt.FocusReason.TabFocusReason)
    for _ in range(40):
        if target.hasFocus():
            return
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    raise AssertionError(f"Tab never reached {target.objectName()}")


def _activate(qtbot: QtBot, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)


# -- the mouse wheel ---------------------------------------------------------------------


def test_the_wheel_over_the_form_drop_down_scrolls_the_page_and_changes_nothing(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_as(qtbot, window, "officer.a")
    window.resize(1000, 560)  # a small screen: the page scrolls
    _activate(qtbot, window)
    page = window.intake.request_page
    form = page.form
    _focus_by_keyboard(qtbot, page.texts["subject.fbi_number"], form)
    qtbot.keyClick(form, Qt.Key.Key_Down)  # chosen with the keyboard: I-247A
    assert form.currentData() == "I-247A"
    qtbot.keyClick(form, Qt.Key.Key_Tab)  # and on to the next field
    assert not form.hasFocus()

    scroll = window.intake.findChild(QWidget, "requestScroll").verticalScrollBar()
    assert scroll.maximum() > 0
    start = scroll.value()
    for _ in range(3):  # scrolling down the page, the pointer passing over "Form"
        _wheel(form)
    assert form.currentData() == "I-247A"  # was I-247N, then I-247G
    assert scroll.value() > start  # the page scrolled instead
    assert window.intake.controller.draft().form == "I-247A"

    # Chosen with the keyboard, the control is the person's to turn with the wheel.
    _focus_by_keyboard(qtbot, page.texts["subject.fbi_number"], form)
    _wheel(form)
    assert form.currentData() != "I-247A"


def test_no_spin_box_or_date_changes_under_a_passing_wheel(
    qtbot: QtBot, window: MainWindow
) -> None:
    # The holds board's date and time of what happened (a supervisor's screen).
    sign_in_as(qtbot, window, "sgt.b")
    window.active_holds_action.trigger()
    holds = window.records.holds
    qtbot.waitUntil(lambda: holds.loaded_once and holds.model.rowCount() > 0)
    holds.table.selectRow(0)
    holds.table.setFocus()
    when = holds.when_edit.dateTime()
    _wheel(holds.when_edit, 2)
    _wheel(holds.kind_combo, -1)
    assert holds.when_edit.dateTime() == when
    assert holds.kind_combo.currentData() == lc.RELEASE_ELIGIBLE
    assert holds.when_edit.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel gives none
    window.sign_out()

    # The settings' spin boxes (an administrator's dialog).
    sign_in_as(qtbot, window, "admin")
    dialog = window.dialogs.open_settings()
    assert dialog is not None
    qtbot.waitExposed(dialog)
    fields = dialog.installation
    minutes = dialog.minutes.value()
    hours = fields.first_alert.hours.value()
    _wheel(dialog.minutes, 3)
    _wheel(fields.first_alert.hours, -2)
    assert (dialog.minutes.value(), fields.first_alert.hours.value()) == (minutes, hours)
    dialog.reject()


# -- signing out, and who comes next ---------------------------------------------------------


def test_after_sign_out_typing_goes_into_the_user_name_not_the_hidden_form(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_as(qtbot, window, "officer.a")
    _activate(qtbot, window)
    name = window.intake.request_page.texts["subject.name"]
    assert name.hasFocus()  # an officer starts typing the request at once
    qtbot.keyClicks(name, "DOE, John")
    window.statusBar().showMessage("Decision 12 recorded.")
    window.sign_out_action.trigger()
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "discardDraftButton")
    assert window.pages.currentWidget() is window.sign_in_page

    # The next person walks up and types, wherever the focus is.
    typing_into = QApplication.focusWidget()
    assert typing_into is window.sign_in_page.user_name.edit
    qtbot.keyClicks(typing_into, "sgt.b")
    assert window.sign_in_page.user_name.text() == "sgt.b"
    assert name.text() == ""  # nothing went into the form behind the sign-in page
    assert window.statusBar().currentMessage() == ""  # nor is the last message left there

    qtbot.keyClicks(window.sign_in_page.password.edit, PEOPLE["sgt.b"][1])
    qtbot.keyClick(window.sign_in_page.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.actor is not None)
    # Not the officer's intake tab: the supervisor's own start, and an empty form behind it.
    assert window.content_page.currentWidget() is window.records.review
    assert name.text() == ""


def test_each_role_lands_on_its_own_start_screen_and_a_resumed_session_stays(
    qtbot: QtBot, window: MainWindow
) -> None:
    tabs = window.content_page
    expected = {
        "officer.a": window.intake,
        "sgt.b": window.records.review,
        "counsel.d": window.records.log,
        "admin": tabs.welcome,
    }
    for name, screen in expected.items():
        sign_in_as(qtbot, window, name)
        assert tabs.currentWidget() is screen, name
        tasks = [button.text() for button in tabs.welcome.task_buttons]
        if name == "admin":  # Home lists the administrator's work: users, settings, policy
            assert tasks[:4] == ["Users", "Settings", "Policy in force", "Activate a policy"]
            assert tabs.welcome.tasks_frame.isVisibleTo(tabs.welcome)
            tabs.welcome.task_buttons[0].click()
            dialog = window.findChild(QWidget, "usersDialog")
            assert dialog is not None and dialog.isVisible()
        else:
            assert tasks == [] and not tabs.welcome.tasks_frame.isVisibleTo(tabs.welcome)
        if name == "counsel.d":
            # A locked and resumed session keeps the screen the person was on.
            window.statistics_action.trigger()
            assert window.lock(idle=False)
            qtbot.keyClicks(window.sign_in_page.password.edit, PEOPLE[name][1])
            qtbot.keyClick(window.sign_in_page.password.edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: window.pages.currentWidget() is window.content_page)
            assert tabs.currentWidget() is window.records.statistics
        window.sign_out()

    # Several roles: what only a supervisor can do comes first.
    assert start_screen({"officer", "supervisor"}) == "review"
    assert start_screen({"counsel", "admin"}) == "log"
    assert start_screen(set()) == "home"


# -- asking once before what cannot be undone ---------------------------------------------------


def _open_queue(qtbot: QtBot, window: MainWindow) -> None:
    window.review_queue_action.trigger()
    screen = window.records.review
    qtbot.waitUntil(lambda: not screen.loading and screen.model.rowCount() == 2)


def _row(window: MainWindow, subject: str) -> int:
    rows = window.records.review.model.rows()
    return next(r.decision_id for r in rows if r.subject_name == subject)


def _amendments(desk: Desk, decision_id: int) -> list[str]:
    row, _state = records.load_decision(
        desk.runtime.uow(), decision_id, desk.actor("counsel.d"), NOW
    )
    return [a.kind for a in row.amendments]


def test_countersigning_shows_what_will_be_written_and_cancel_writes_nothing(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_queue(qtbot, window)
    screen = window.records.review
    rivera = _row(window, "RIVERA, Ana")
    screen.select(rivera)
    click(qtbot, screen.countersign_button)
    said = answer(qtbot, screen, "countersignConfirmation", "cancelButton")
    assert f"Countersign decision {rivera} for RIVERA, Ana (booking B26-0001)?" in said
    assert "Outcome: HOLD stands" in said
    assert "Signed: sgt.b, Tue 10 Feb 2026, 09:00 PST" in said  # the county's clock
    assert "can be changed or removed later" in said
    assert _amendments(desk, rivera) == []  # cancelled: nothing written

    click(qtbot, screen.countersign_button)
    answer(qtbot, screen, "countersignConfirmation", key=Qt.Key.Key_Escape)  # Cancel too
    assert _amendments(desk, rivera) == []

    click(qtbot, screen.countersign_button)
    answer(qtbot, screen, "countersignConfirmation")
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert _amendments(desk, rivera) == [lc.COUNTERSIGN]  # once


def test_an_override_offers_only_other_outcomes_and_shows_the_change_and_reason(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_queue(qtbot, window)
    screen = window.records.review
    combo = screen.outcome_combo

    def offered() -> list[str]:
        return [combo.itemData(i) for i in range(1, combo.count())]

    rivera = _row(window, "RIVERA, Ana")
    screen.select(rivera)
    assert offered() == ["transfer", "notify", "decline"]  # no HOLD over a HOLD
    screen.select(_row(window, "MORALES, Ada"))
    assert offered() == ["hold", "transfer", "notify", "decline"]  # under review

    screen.select(rivera)
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert combo.currentData() == "notify"
    qtbot.keyClicks(screen.reason_edit, "The warrant names another person")
    click(qtbot, screen.override_button)
    said = answer(qtbot, screen, "overrideConfirmation", "cancelButton")
    assert "Outcome: HOLD becomes NOTIFY ONLY" in said
    assert "Reason: The warrant names another person" in said
    assert _amendments(desk, rivera) == []
    assert screen.reason_edit.toPlainText() == "The warrant names another person"  # kept

    click(qtbot, screen.override_button)
    answer(qtbot, screen, "overrideConfirmation")
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert _amendments(desk, rivera) == [lc.OVERRIDE]


def test_recording_on_the_holds_board_shows_what_and_when_and_asks_once(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    window.active_holds_action.trigger()
    holds = window.records.holds
    qtbot.waitUntil(lambda: holds.loaded_once and holds.model.rowCount() > 0)
    held = holds.model.rowCount()
    holds.select(next(r.decision_id for r in holds.model.rows() if r.subject_name == "RIVERA, Ana"))
    decision = holds.selected_item().row.decision_id
    holds.kind_combo.setCurrentIndex(holds.kind_combo.findData(lc.RELEASED))
    holds.set_when(NOW - dt.timedelta(minutes=5))  # a fact in the future is refused (issue 13)
    click(qtbot, holds.record_button)
    said = answer(qtbot, holds, "amendmentConfirmation", "cancelButton")
    assert "Record for RIVERA, Ana (booking B26-0001" in said and "released?" in said
    assert "When it happened: Tue 10 Feb 2026, 08:55 PST" in said
    assert "leaves the holds board" in said
    assert _amendments(desk, decision) == [] and holds.model.rowCount() == held

    click(qtbot, holds.record_button)
    answer(qtbot, holds, "amendmentConfirmation")
    qtbot.waitUntil(lambda: bool(holds.message.text()))  # written in the background
    assert _amendments(desk, decision) == [lc.RELEASED]
    assert holds.model.rowCount() == held - 1  # off the board
