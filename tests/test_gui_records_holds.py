"""Records › Active holds: the live countdown and its colours as the injected clock moves,
each alert once, recording what happened (the board empties as people leave), and the
overdue report. No test waits for real time: the clock is moved and the board ticked."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.domain import alerts
from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records.common import LEVEL, level_colours
from detainer_desk.gui.records.holds_alerts import DesktopNotifier, alert_title
from detainer_desk.gui.records.holds_model import ALERT_COLUMN
from detainer_desk.gui.records.overdue_report import OverdueReportDialog
from detainer_desk.services import records
from detainer_desk.services.settings import read_settings, save_settings

from .test_gui_records_support import (
    NOW,
    Desk,
    background,
    desk_under,
    sign_in_as,
    window_on,
)
from .test_gui_support import answer, click, trail, type_into

RELEASE = NOW + dt.timedelta(hours=1)
CUSTOM = (dt.timedelta(hours=8), dt.timedelta(hours=2))  # alert times set in Settings


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    for made in desk_under(tmp_path):
        # Held on a judicial warrant, release eligible in an hour: hold until 49 h from now.
        made.record(
            **{
                "subject.name": "RIVERA, Ana",
                "subject.booking_number": "B26-0001",
                "release_eligible_at": RELEASE.isoformat(),
            }
        )
        # Held, but nobody knows yet when release would be: no clock.
        made.record(**{"subject.name": "DOE, John", "subject.booking_number": "B26-0002"})
        made.record(**{"subject.name": "KIM, Ji-woo", "subject.booking_number": "B26-0003"})
        # Notify only: not held, never on the board.
        made.record(
            **{
                "subject.name": "NOTHELD, Ned",
                "subject.booking_number": "B26-0004",
                "documents": [],
            }
        )
        yield made


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _open_board(qtbot: QtBot, window: MainWindow, expected: int) -> None:
    window.active_holds_action.trigger()
    screen = window.records.holds
    assert window.content_page.currentWidget() is screen
    qtbot.waitUntil(lambda: screen.loaded_once and screen.model.rowCount() == expected)


def _names(window: MainWindow) -> list[str]:
    model = window.records.holds.model
    return [model.value_of(i).row.subject_name for i in range(model.rowCount())]


def _level(window: MainWindow, row: int) -> str:
    return str(window.records.holds.model.index(row, 0).data(LEVEL))


def _alert(window: MainWindow, row: int) -> tuple[str, str]:
    """The alert column of a row: its few words and its tooltip."""
    index = window.records.holds.model.index(row, ALERT_COLUMN)
    return index.data(), index.data(Qt.ItemDataRole.ToolTipRole)


def _set_alert_times(desk: Desk, first_minutes: int, second_minutes: int) -> None:
    settings = dataclasses.replace(
        read_settings(desk.runtime.uow()),
        alert_first_minutes=first_minutes,
        alert_second_minutes=second_minutes,
    )
    save_settings(desk.runtime.uow(), desk.admin, settings, desk.clock.now)


def test_the_countdown_changes_colour_as_the_clock_moves_and_alerts_once_each(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "officer.a")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    assert _names(window) == ["RIVERA, Ana", "DOE, John", "KIM, Ji-woo"]  # soonest first
    hold_until = screen.model.value_of(0).hold_until
    assert hold_until is not None
    assert hold_until.astimezone(dt.UTC) == RELEASE + dt.timedelta(hours=48)
    assert _level(window, 0) == alerts.OK and _level(window, 1) == alerts.UNKNOWN
    assert screen.model.index(0, 0).data() == "49 h 00 min left"
    palette = screen.palette()
    ok_colour = level_colours(alerts.OK, palette)[0].color().name()  # type: ignore[index]
    assert background(screen.table, 0) == ok_colour
    assert background(screen.table, 1) == ""  # no clock: no colour, and says so in words
    assert screen.model.index(1, 1).data() == "no clock yet"
    assert desk.notifications == [] and screen.alert_texts() == []
    assert not window.records.alert_button.isVisible()

    steps = [
        (dt.timedelta(hours=-3, minutes=-59), alerts.SOON),
        (dt.timedelta(minutes=-59), alerts.URGENT),
        (dt.timedelta(minutes=1), alerts.EXPIRED),
    ]
    for number, (before_deadline, level) in enumerate(steps, start=1):
        desk.clock.set(hold_until + before_deadline)
        screen.ticker.timeout.emit()  # the timer's tick, without waiting a second
        assert _level(window, 0) == level
        colours = level_colours(level, palette)
        assert colours is not None and background(screen.table, 0) == colours[0].color().name()
        assert len(desk.notifications) == number  # once on crossing ...
        screen.tick()
        screen.tick()
        assert len(desk.notifications) == number  # ... and not again while it stays there
        title, text, urgent = desk.notifications[-1]
        assert alert_title(level, alerts.DEFAULT_WARNINGS) in title
        assert "RIVERA" not in title + text and "B26-0001" not in title + text  # no names out
        assert urgent is (level != alerts.SOON)
        assert alert_title(level, alerts.DEFAULT_WARNINGS) in screen.alert_texts()[0]
        assert "RIVERA, Ana (B26-0001)" in screen.alert_texts()[0]  # inside the program: who
    assert screen.model.index(0, 0).data() == "overdue by 0 h 01 min"
    assert screen.banner.isVisible() and "held past the deadline" in screen.banner_label.text()
    assert window.records.alert_button.isVisible()
    assert len(screen.alert_texts()) == 3

    # Reading the list again (another workstation may have recorded something) does not
    # repeat alerts that were already given.
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.loading)
    screen.tick()
    assert len(desk.notifications) == 3


def test_the_board_empties_as_people_are_released(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    for expected_left, kind in ((2, lc.RELEASED), (1, lc.ICE_CUSTODY), (0, lc.LIFTED)):
        screen.table.selectRow(0)
        screen.kind_combo.setCurrentIndex(screen.kind_combo.findData(kind))
        # Who took the person is asked for ICE custody alone (5 ILCS 805/25(a)(2)(E)).
        assert screen.agency_edit.isVisible() == (kind == lc.ICE_CUSTODY)
        if kind == lc.ICE_CUSTODY:
            type_into(qtbot, screen.agency_edit, "ICE ERO Portland")
        if kind == lc.LIFTED:
            assert not screen.record_button.isEnabled()  # a written reason first
            type_into(qtbot, screen.reason_edit, "ICE cancelled the detainer by fax")
        click(qtbot, screen.record_button)
        said = answer(qtbot, screen, "amendmentConfirmation")
        qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
        if kind == lc.ICE_CUSTODY:
            assert "ICE ERO Portland" in said
        assert lc.AMENDMENT_WORDS[kind] in said and "leaves the holds board" in said
        assert screen.model.rowCount() == expected_left  # off the board at once
        assert "Recorded for" in screen.message.text()
        qtbot.waitUntil(lambda: not screen.loading)
        assert screen.model.rowCount() == expected_left  # and still off when read again
    assert screen.summary_label.text() == "Nobody is held on a detainer."
    statuses = {
        e.action for e in trail(desk.runtime, desk.admin, user_name="sgt.b", action="decision.")
    }
    assert statuses == {"decision.released", "decision.ice_custody", "decision.lifted"}
    custody = trail(desk.runtime, desk.admin, action="decision.ice_custody")
    assert [json.loads(e.details_json)[lc.RECEIVING_AGENCY] for e in custody] == [
        "ICE ERO Portland"
    ]


def test_recording_release_eligibility_starts_the_clock(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    row = _names(window).index("DOE, John")
    screen.table.selectRow(row)
    assert screen.kind_combo.currentData() == lc.RELEASE_ELIGIBLE
    # A quarter of an hour ago (a fact in the future is refused: test_timeline.py).
    eligible = NOW - dt.timedelta(minutes=15)
    screen.set_when(eligible)
    assert screen.when() == eligible  # shown and read back in the county's zone
    assert "America/Los_Angeles" in screen.when_label.text()
    click(qtbot, screen.record_button)
    said = answer(qtbot, screen, "amendmentConfirmation")
    assert "Release eligibility known" in said and "DOE, John" in said
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert "Hold until" in screen.message.text()
    qtbot.waitUntil(
        lambda: (
            not screen.loading
            and any(
                screen.model.value_of(i).row.subject_name == "DOE, John"
                and screen.model.value_of(i).hold_until is not None
                for i in range(screen.model.rowCount())
            )
        )
    )
    item = next(
        screen.model.value_of(i)
        for i in range(screen.model.rowCount())
        if screen.model.value_of(i).row.subject_name == "DOE, John"
    )
    assert item.hold_until is not None
    assert item.hold_until.astimezone(dt.UTC) == eligible + dt.timedelta(hours=48)
    assert item.level == alerts.OK


def test_officers_and_counsel_see_the_board_but_cannot_record(
    qtbot: QtBot, window: MainWindow
) -> None:
    for name in ("officer.a", "counsel.d"):
        sign_in_as(qtbot, window, name)
        _open_board(qtbot, window, 3)
        screen = window.records.holds
        screen.table.selectRow(0)
        assert screen.selected_item() is not None
        assert not screen.record_button.isEnabled()
        assert screen.record_button.toolTip() == "Needs the supervisor role"
        window.sign_out()
        assert window.records.holds.model.rowCount() == 0
        assert not screen.ticker.isActive()


def test_the_overdue_report_lists_who_is_held_too_long_and_saves(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    report = screen.open_overdue_report()
    assert report is not None
    qtbot.waitUntil(lambda: report.items is not None)
    assert "Nobody is held past the deadline." in report.view.toPlainText()
    report.reject()

    desk.clock.set(RELEASE + dt.timedelta(hours=48, minutes=5))
    click(qtbot, screen.overdue_button)
    shown = [d for d in window.findChildren(OverdueReportDialog) if d.isVisible()]
    assert len(shown) == 1
    report = shown[0]
    qtbot.waitUntil(lambda: report.items is not None)
    text = report.view.toPlainText()
    assert "RIVERA, Ana" in text and "0 h 05 min" in text and "DOE, John" not in text
    target = tmp_path / "overdue.pdf"
    report.choose_save_path = lambda parent, title, suggested: str(target)
    click(qtbot, report.save_button)
    qtbot.waitUntil(lambda: report.saved_path is not None)  # audited in the background first
    assert target.read_bytes().startswith(b"%PDF")
    events = trail(desk.runtime, desk.admin, action="holds.overdue_report")
    assert len(events) == 1 and '"people":1' in events[0].details_json
    report.reject()


def test_desktop_notifications_degrade_quietly_without_a_tray(qtbot: QtBot) -> None:
    owner = QWidget()
    qtbot.addWidget(owner)
    notifier = DesktopNotifier(owner)
    # Offscreen there is no system tray: nothing is shown, nothing fails.
    assert notifier("Detainer hold: under 1 hour left", "One person", True) is (
        DesktopNotifier.available()
    )


def test_a_deadline_moved_later_is_watched_again(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    first = screen.model.value_of(0)
    assert first.hold_until is not None
    desk.clock.set(first.hold_until - dt.timedelta(minutes=30))
    screen.tick()
    assert [n[0] for n in desk.notifications] == [
        f"Detainer hold: {alert_title(alerts.URGENT, alerts.DEFAULT_WARNINGS)}"
    ]
    # Release eligibility corrected to later (an hour ago, not the time first entered):
    # a new deadline, warned about afresh.
    later = desk.clock.now - dt.timedelta(hours=1)
    records.amend_decision(
        desk.runtime.uow(),
        first.row.decision_id,
        lc.RELEASE_ELIGIBLE,
        desk.actor("sgt.c"),
        desk.clock.now,
        effective_at=later,
    )
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.loading)
    assert len(desk.notifications) == 1
    desk.clock.set(later + dt.timedelta(hours=44, minutes=30))
    screen.tick()
    assert (
        len(desk.notifications) == 2
        and alert_title(alerts.SOON, alerts.DEFAULT_WARNINGS) in desk.notifications[-1][0]
    )


def test_a_time_being_typed_survives_the_list_being_read_again(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    screen.table.selectRow(1)
    typed = NOW - dt.timedelta(hours=2, minutes=15)
    screen.set_when(typed)
    screen.reloader.timeout.emit()  # the minute's reload, without waiting a minute
    qtbot.waitUntil(lambda: not screen.loading)
    assert screen.selected_item() is not None
    assert screen.selected_item().row.subject_name == "DOE, John"
    assert screen.when() == typed
    screen.table.selectRow(2)  # another person: the time starts from now again
    assert screen.when() == NOW


def test_the_board_alerts_at_the_times_set_in_the_settings_and_names_them(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    _set_alert_times(desk, 8 * 60, 2 * 60)
    sign_in_as(qtbot, window, "officer.a")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    assert screen.warnings == CUSTOM  # read with the holds
    hold_until = screen.model.value_of(0).hold_until
    assert hold_until is not None
    assert _alert(window, 0) == ("over 8 h", "more than 8 hours left")
    assert "8 hours and 2 hours before each deadline" in screen.summary_label.toolTip()

    # 5 hours before the deadline: more than 4 hours, but under the 8 hours set.
    desk.clock.set(hold_until - dt.timedelta(hours=5))
    screen.ticker.timeout.emit()
    assert _level(window, 0) == alerts.SOON
    assert _alert(window, 0) == ("under 8 h", "under 8 hours left")
    assert screen.summary_label.text() == (
        "3 people: 0 past the deadline · 0 under 2 h · 1 under 8 h · 0 more than 8 h · "
        "2 no clock yet"
    )
    assert desk.notifications == [
        (
            "Detainer hold: under 8 hours left",
            "One person held on a detainer needs attention. "
            "Open Detainer Desk › Active holds to see who.",
            False,
        )
    ]
    assert "RIVERA, Ana (B26-0001): under 8 hours left" in screen.alert_texts()[0]
    assert not screen.banner.isVisible()

    # 90 minutes before: more than 1 hour, but under the 2 hours set.
    desk.clock.set(hold_until - dt.timedelta(minutes=90))
    screen.tick()
    assert _level(window, 0) == alerts.URGENT
    assert _alert(window, 0) == ("under 2 h", "under 2 hours left")
    assert desk.notifications[-1][0] == "Detainer hold: under 2 hours left"
    assert desk.notifications[-1][2] is True
    assert "RIVERA, Ana (B26-0001): under 2 hours left" in screen.alert_texts()[0]
    assert screen.banner.isVisible()
    assert screen.banner_label.text() == "1 hold ends within 2 hours."
    assert "under 2 h · 0 under 8 h" in screen.summary_label.text()
    said = " ".join(
        [screen.summary_label.text(), screen.banner_label.text(), *screen.alert_texts()]
        + [title + text for title, text, _urgent in desk.notifications]
    )
    assert re.search(r"\b[14] (h|hours?)\b", said) is None  # nothing of the defaults


def test_alert_times_changed_in_the_settings_apply_when_the_list_is_read_again(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "officer.a")
    _open_board(qtbot, window, 3)
    screen = window.records.holds
    assert screen.warnings == alerts.DEFAULT_WARNINGS
    hold_until = screen.model.value_of(0).hold_until
    assert hold_until is not None
    desk.clock.set(hold_until - dt.timedelta(hours=5))
    screen.tick()
    # The defaults: 4 hours and 1 hour.
    assert _level(window, 0) == alerts.OK
    assert _alert(window, 0) == ("over 4 h", "more than 4 hours left")
    assert screen.summary_label.text() == (
        "3 people: 0 past the deadline · 0 under 1 h · 0 under 4 h · 1 more than 4 h · "
        "2 no clock yet"
    )
    assert desk.notifications == []

    _set_alert_times(desk, 8 * 60, 2 * 60)  # an administrator, at another workstation
    screen.reloader.timeout.emit()  # the minute's reload, without waiting a minute
    qtbot.waitUntil(lambda: not screen.loading and screen.warnings == CUSTOM)
    assert _level(window, 0) == alerts.SOON
    assert _alert(window, 0) == ("under 8 h", "under 8 hours left")
    assert [n[0] for n in desk.notifications] == ["Detainer hold: under 8 hours left"]

    # Unusual times are named plainly too.
    _set_alert_times(desk, 6 * 60 + 30, 45)
    screen.refresh()
    qtbot.waitUntil(lambda: not screen.loading and screen.warnings[1] == dt.timedelta(minutes=45))
    desk.clock.set(hold_until - dt.timedelta(minutes=30))
    screen.tick()
    assert _alert(window, 0) == ("under 45 min", "under 45 min left")
    assert desk.notifications[-1][0] == "Detainer hold: under 45 min left"
    assert screen.banner_label.text() == "1 hold ends within 45 min."
    assert "0 under 6 h 30 min · 0 more than 6 h 30 min" in screen.summary_label.text()
    # The alert column widened for the longer words (nothing cut off with "…").
    widest = screen.table.fontMetrics().horizontalAdvance("under 6 h 30 min")
    assert screen.table.columnWidth(ALERT_COLUMN) > widest
    updated = screen.updated_label.text()
    assert "Alerts come 6 h 30 min and 45 min before each deadline" in updated
