"""Records › Review queue and Statistics, and what each role may open and do there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QComboBox,
    QLineEdit,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records.stats_screen import STACKED
from detainer_desk.services import records
from detainer_desk.services import statistics as stats
from detainer_desk.services.access import PermissionDenied, RecordError

from .test_gui_records_support import NOW, Desk, desk_under, sign_in_as, window_on
from .test_gui_support import answer, click, trail


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    for made in desk_under(tmp_path):
        # Under review (possible U.S. citizen), recorded by an officer.
        made.record(
            **{
                "subject.name": "MORALES, Ada",
                "subject.booking_number": "B26-0001",
                "subject.citizenship_claim": True,
                "received_at": (NOW - dt.timedelta(days=9)).isoformat(),
            }
        )
        # Plain holds, not yet countersigned: one by the officer, one by sgt.b himself.
        made.record(
            **{
                "subject.name": "RIVERA, Ana",
                "subject.booking_number": "B26-0002",
                "received_at": (NOW - dt.timedelta(days=8)).isoformat(),
            }
        )
        made.record(
            by="sgt.b",
            **{
                "subject.name": "KIM, Ji-woo",
                "subject.booking_number": "B26-0003",
                "received_at": (NOW - dt.timedelta(days=40)).isoformat(),
                "documents": [],
            },
        )
        yield made


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _open_queue(qtbot: QtBot, window: MainWindow, expected: int) -> None:
    window.review_queue_action.trigger()
    screen = window.records.review
    assert window.content_page.currentWidget() is screen
    qtbot.waitUntil(lambda: not screen.loading and screen.model.rowCount() == expected)


def _subjects(window: MainWindow) -> list[str]:
    return [r.subject_name for r in window.records.review.model.rows()]


def test_the_queue_puts_review_first_and_drops_a_countersigned_decision(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_queue(qtbot, window, 3)
    screen = window.records.review
    assert _subjects(window) == ["MORALES, Ada", "KIM, Ji-woo", "RIVERA, Ana"]
    assert screen.model.rows()[0].status == lc.AWAITING_REVIEW
    screen.select(screen.model.rows()[0].decision_id)
    qtbot.waitUntil(lambda: bool(screen.why_label.text()))  # read in the background
    assert "U.S. citizen" in screen.why_label.text()

    rivera = screen.model.rows()[2]
    screen.select(rivera.decision_id)
    click(qtbot, screen.countersign_button)
    said = answer(qtbot, screen, "countersignConfirmation")
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert "Countersign decision" in said and "RIVERA, Ana (booking B26-0002)" in said
    assert "Outcome: HOLD stands" in said and "Signed: sgt.b" in said
    assert "countersigned" in screen.message.text()
    assert "RIVERA, Ana" not in _subjects(window)
    qtbot.waitUntil(lambda: not screen.loading)
    assert _subjects(window) == ["MORALES, Ada", "KIM, Ji-woo"]  # and not back when re-read
    row, state = records.load_decision(
        desk.runtime.uow(), rivera.decision_id, desk.actor("counsel.d"), NOW
    )
    assert state.status == lc.STATUS_COUNTERSIGNED
    assert [a.kind for a in row.amendments] == [lc.COUNTERSIGN]
    assert row.amendments[0].stamp.recorded_by == "sgt.b"


def test_an_override_needs_a_written_reason(qtbot: QtBot, window: MainWindow, desk: Desk) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_queue(qtbot, window, 3)
    screen = window.records.review
    morales = screen.model.rows()[0]
    screen.select(morales.decision_id)
    screen.outcome_combo.setCurrentIndex(screen.outcome_combo.findData("decline"))
    assert not screen.override_button.isEnabled()  # no reason yet
    qtbot.keyClicks(screen.reason_edit, "   ")
    assert not screen.override_button.isEnabled()  # blanks are not a reason
    screen.reason_edit.clear()
    qtbot.keyClicks(screen.reason_edit, "U.S. birth certificate in the jail file")
    assert screen.override_button.isEnabled()
    screen.outcome_combo.setCurrentIndex(0)
    assert not screen.override_button.isEnabled()  # and a new outcome
    screen.outcome_combo.setCurrentIndex(screen.outcome_combo.findData("decline"))
    click(qtbot, screen.override_button)
    said = answer(qtbot, screen, "overrideConfirmation")
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert "SUPERVISOR REVIEW becomes DECLINE" in said
    assert "Reason: U.S. birth certificate in the jail file" in said
    assert "overridden to decline" in screen.message.text()
    assert "MORALES, Ada" not in _subjects(window)
    row, state = records.load_decision(
        desk.runtime.uow(), morales.decision_id, desk.actor("counsel.d"), NOW
    )
    assert state.outcome == "decline" and state.status == lc.STATUS_OVERRIDDEN
    assert row.amendments[0].reason == "U.S. birth certificate in the jail file"
    assert row.amendments[0].details["outcome"] == "decline"

    # The service refuses a reasonless override too, whatever the screen does.
    rivera = next(r for r in screen.model.rows() if r.subject_name == "RIVERA, Ana")
    with pytest.raises(RecordError, match="written reason is required"):
        records.amend_decision(
            desk.runtime.uow(),
            rivera.decision_id,
            lc.OVERRIDE,
            desk.actor("sgt.b"),
            NOW,
            reason="  ",
            details={"outcome": "decline"},
        )


def test_the_recording_officer_cannot_countersign_their_own(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    _open_queue(qtbot, window, 3)
    screen = window.records.review
    own = next(r for r in screen.model.rows() if r.recorded_by == "sgt.b")
    screen.select(own.decision_id)
    click(qtbot, screen.countersign_button)
    answer(qtbot, screen, "countersignConfirmation")
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert "cannot countersign or override it" in screen.message.text()
    assert own.subject_name in _subjects(window)
    row, _state = records.load_decision(
        desk.runtime.uow(), own.decision_id, desk.actor("counsel.d"), NOW
    )
    assert row.amendments == ()


def test_statistics_tables_add_up_and_match_the_chart(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "counsel.d")
    window.statistics_action.trigger()
    screen = window.records.statistics
    assert window.content_page.currentWidget() is screen
    screen.set_period(dt.date(2025, 12, 1), dt.date(2026, 2, 10))
    click(qtbot, screen.show_button)
    qtbot.waitUntil(lambda: screen.tables is not None and not screen.loading)
    assert screen.tables is not None
    report = screen.tables.report
    totals = report.totals
    assert totals[stats.RECEIVED] == 3
    assert totals[stats.UNDER_REVIEW] == 1 and totals[stats.HONORED] == 1

    for grouping in ("week", "month", "form"):
        screen.group_combo.setCurrentIndex(screen.group_combo.findData(grouping))
        total = screen.model.total_row()
        assert total is not None
        assert dict(total) == {c: totals.get(c, 0) for c in report.columns}, grouping
        last = screen.model.rowCount() - 1
        assert screen.model.index(last, 0).data() == "Total"
        assert screen.model.index(last, 1).data() == "3"
        chart = screen.chart_series_totals()
        assert chart == {c: float(totals.get(c, 0)) for c in STACKED}
        assert sum(chart.values()) == 3.0
    months = [row.label for row in screen.tables.by_month]
    assert months == ["January 2026", "February 2026"]  # KIM in early January, the rest Feb

    screen.group_combo.setCurrentIndex(screen.group_combo.findData("reason"))
    assert screen.model.total_row() is None  # reasons overlap: no misleading total
    assert "review: possible U.S. citizen" in [r.label for r in screen.model.count_rows()]

    target = tmp_path / "stats.pdf"
    screen.choose_save_path = lambda parent, title, suggested: str(target)
    click(qtbot, screen.save_button)
    qtbot.waitUntil(lambda: screen.saved_path is not None, timeout=20_000)
    assert target.read_bytes().startswith(b"%PDF")
    assert trail(desk.runtime, desk.admin, action="statistics.report", user_name="counsel.d")


def test_each_role_sees_and_may_do_only_its_part(qtbot: QtBot, window: MainWindow) -> None:
    records_ui = window.records
    tabs = window.content_page

    def visible(screen: QWidget) -> bool:
        return tabs.isTabVisible(tabs.indexOf(screen))

    sign_in_as(qtbot, window, "admin")  # accounts and policies, not records
    for action in (
        window.decision_log_action,
        window.review_queue_action,
        window.active_holds_action,
        window.statistics_action,
    ):
        assert not action.isEnabled()
        assert action.toolTip().startswith("Needs the")
    assert not any(visible(s) for s, _p in records_ui.screens)
    assert records_ui.show_log() is False and records_ui.open_decision(1) is None
    window.sign_out()

    sign_in_as(qtbot, window, "officer.a")
    assert window.decision_log_action.isEnabled() and window.active_holds_action.isEnabled()
    assert not window.review_queue_action.isEnabled()
    assert window.review_queue_action.toolTip() == "Needs the supervisor role"
    assert not visible(records_ui.review) and visible(records_ui.log)
    assert records_ui.show_review() is False
    assert tabs.currentWidget() is not records_ui.review
    window.sign_out()

    sign_in_as(qtbot, window, "counsel.d")
    assert window.statistics_action.isEnabled() and not window.review_queue_action.isEnabled()
    with pytest.raises(PermissionDenied):
        records.amend_decision(
            window.session.uow(),
            1,
            lc.COUNTERSIGN,
            window.session.require_actor(),
            window.session.now(),
        )
    window.sign_out()

    sign_in_as(qtbot, window, "sgt.b")
    assert all(visible(s) for s, _p in records_ui.screens)
    assert records_ui.show_review() is True


def test_every_control_has_a_name_for_assistive_technology(
    qtbot: QtBot, window: MainWindow
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    for show in (
        window.records.show_log,
        window.records.show_review,
        window.records.show_holds,
        window.records.show_statistics,
    ):
        assert show()
    unnamed = []
    for kind in (QLineEdit, QAbstractButton, QComboBox, QAbstractSpinBox, QTableView):
        for control in window.pages.findChildren(kind):
            owners = QComboBox | QAbstractSpinBox | QTableView | QLineEdit
            if isinstance(control.parentWidget(), owners):
                continue
            if not control.accessibleName():
                unnamed.append(f"{type(control).__name__} {control.objectName()!r}")
    assert unnamed == []
    assert window.minimumSizeHint().width() <= 1366
    assert window.minimumSizeHint().height() <= 768
