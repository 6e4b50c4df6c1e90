"""Background operations: no unit of work is opened on the GUI thread while a person works
on the records screens or records a decision on the intake, and a write made on one screen
is announced to the others, so the holds board shows it without waiting for its timer.

The guard is the backend's own (gui/thread_guard.py): turned on, opening a unit of work on
the GUI thread raises and is remembered, so a screen that reads in a slot fails here."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from pytestqt.qtbot import QtBot

from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.changes import DECISION_RECORDED, Change, Changes
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records import DecisionDetailDialog
from detainer_desk.gui.tasks import TaskRunner, run_in_background
from detainer_desk.gui.thread_guard import WATCH_VARIABLE, DatabaseOnGuiThread, GuiThreadGuard
from detainer_desk.gui.widgets import MessageLabel
from detainer_desk.runtime import Runtime
from detainer_desk.services import records
from detainer_desk.services.access import RecordError
from detainer_desk.services.accounts import needs_first_admin

from .test_gui_intake import (
    EVENING,
    EXAMPLE,
    Answers,
    Clock,
    _check,
    _confirm,
    _open_example,
    _record,
)
from .test_gui_records_support import (
    NOW,
    Desk,
    desk_under,
    double_click_row,
    sign_in_as,
    window_on,
)
from .test_gui_support import (
    OFFICER_PASSWORD,
    WORKSTATION,
    answer,
    click,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
)


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    for made in desk_under(tmp_path):
        made.record(
            **{
                "subject.name": "RIVERA, Ana",
                "subject.booking_number": "B26-0001",
                "release_eligible_at": (NOW + dt.timedelta(hours=1)).isoformat(),
            }
        )
        made.record(**{"subject.name": "DOE, John", "subject.booking_number": "B26-0002"})
        made.record(  # under review: a possible U.S. citizen
            **{
                "subject.name": "MORALES, Ada",
                "subject.booking_number": "B26-0003",
                "subject.citizenship_claim": True,
            }
        )
        yield made


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


# ----------------------------------------------------------------------------- the guard
@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


def test_the_guard_fires_on_the_gui_thread_and_not_in_the_background(
    qtbot: QtBot, store: Runtime
) -> None:
    backend = Backend.from_runtime(store, WORKSTATION)
    assert needs_first_admin(backend.uow())  # off: the GUI thread may open one
    with backend.guard.forbidding():
        with pytest.raises(DatabaseOnGuiThread, match="GUI thread"):
            needs_first_admin(backend.uow())
        assert len(backend.guard.violations) == 1
        assert "test_the_guard_fires" in backend.guard.violations[0]  # where it was

        tasks = TaskRunner()
        owner = MessageLabel("message", "Message")
        qtbot.addWidget(owner)
        with qtbot.waitSignal(tasks.changes.happened) as announced:
            run_in_background(
                tasks,
                owner,
                owner,
                lambda: needs_first_admin(backend.uow()),
                lambda result: owner.setText(str(result)),
                changes={Change.USERS},
            )
        assert owner.text() == "True"  # read in the background, shown on the GUI thread
        assert announced.args == [frozenset({Change.USERS})]
    assert len(backend.guard.violations) == 1
    assert needs_first_admin(backend.uow())  # off again after the block


def test_a_failed_write_announces_nothing(qtbot: QtBot) -> None:
    tasks = TaskRunner(changes=Changes())
    owner = MessageLabel("message", "Message")
    qtbot.addWidget(owner)
    heard: list[frozenset[Change]] = []
    tasks.changes.happened.connect(heard.append)
    failed: list[BaseException] = []

    def refused() -> None:
        raise RecordError("Not allowed.")

    run_in_background(tasks, owner, owner, refused, print, on_failed=failed.append,
                      changes=DECISION_RECORDED)  # fmt: skip
    qtbot.waitUntil(lambda: bool(failed))
    assert owner.text() == "Not allowed."
    assert heard == []


def test_watching_logs_where_the_gui_thread_opened_one_and_refuses_nothing(
    qtbot: QtBot, store: Runtime, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(WATCH_VARIABLE, "1")
    backend = Backend.from_runtime(store, WORKSTATION)
    with caplog.at_level(logging.WARNING, logger="detainer_desk.gui.thread_guard"):
        assert needs_first_admin(backend.uow())
    assert "opened on the GUI thread" in caplog.text and "test_watching_logs" in caplog.text
    assert backend.guard.violations == []  # only refusals are kept


def test_a_copy_of_the_backend_is_guarded_once() -> None:
    guard = GuiThreadGuard()

    def factory() -> str:
        return "unit of work"

    once = guard.guarded(factory)
    assert guard.guarded(once) is once
    assert once() == "unit of work"


# -------------------------------------------------------------- the records screens
def test_the_records_screens_open_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")  # signing in is the session's, not a screen's
    guard = window.backend.guard
    records_ui = window.records
    with guard.forbidding():
        # The review queue: select each row (the reason for a review is read each time).
        window.review_queue_action.trigger()
        review = records_ui.review
        qtbot.waitUntil(lambda: not review.loading and review.model.rowCount() == 3)
        for row in range(review.model.rowCount()):
            review.table.selectRow(row)
            qtbot.waitUntil(lambda: bool(review.why_label.text()))
        morales = next(r for r in review.model.rows() if r.subject_name == "MORALES, Ada")
        review.select(morales.decision_id)
        qtbot.waitUntil(lambda: "U.S. citizen" in review.why_label.text())

        # Its detail view, opened with a double-click, then closed.
        double_click_row(qtbot, review.table, 0)
        qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None)
        detail = window.findChild(DecisionDetailDialog)
        assert detail is not None
        qtbot.waitUntil(detail.isVisible)
        detail.close()

        # An override, written in the background.
        review.select(morales.decision_id)
        review.outcome_combo.setCurrentIndex(review.outcome_combo.findData("decline"))
        qtbot.keyClicks(review.reason_edit, "U.S. birth certificate in the jail file")
        click(qtbot, review.override_button)
        answer(qtbot, review, "overrideConfirmation")
        qtbot.waitUntil(lambda: "overridden to decline" in review.message.text())
        qtbot.waitUntil(lambda: not review.loading and review.model.rowCount() == 2)

        # The holds board: a release, then release eligibility for another.
        window.active_holds_action.trigger()
        holds = records_ui.holds
        qtbot.waitUntil(lambda: not holds.loading and holds.model.rowCount() == 2)
        rivera = next(r for r in holds.model.rows() if r.subject_name == "RIVERA, Ana")
        holds.select(rivera.decision_id)
        holds.kind_combo.setCurrentIndex(holds.kind_combo.findData(lc.RELEASED))
        holds.set_when(NOW - dt.timedelta(minutes=5))
        click(qtbot, holds.record_button)
        answer(qtbot, holds, "amendmentConfirmation")
        qtbot.waitUntil(lambda: "Recorded for RIVERA, Ana" in holds.message.text())
        qtbot.waitUntil(lambda: not holds.loading and holds.model.rowCount() == 1)
        holds.select(holds.model.rows()[0].decision_id)
        holds.kind_combo.setCurrentIndex(holds.kind_combo.findData(lc.RELEASE_ELIGIBLE))
        holds.set_when(NOW - dt.timedelta(minutes=15))
        click(qtbot, holds.record_button)
        answer(qtbot, holds, "amendmentConfirmation")
        qtbot.waitUntil(lambda: "Hold until" in holds.message.text())

        # The decision log, a page at a time, and the statistics.
        log = records_ui.log
        log.table.setFixedHeight(160)  # a few rows visible: the rest comes page by page
        log.model.set_page_size(1)
        window.decision_log_action.trigger()
        qtbot.waitUntil(lambda: log.model.rowCount() > 0 and not log.model.loading)
        log.table.setFocus()
        while log.model.more_to_come():
            qtbot.keyClick(log.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: not log.model.loading)
        assert log.model.rowCount() == 3 and log.model.pages_fetched >= 3
        window.statistics_action.trigger()
        qtbot.waitUntil(lambda: records_ui.statistics.tables is not None)
        records_ui.wait()
        window.tasks.wait()
    assert guard.violations == []
    kinds = [a.kind for a in records.load_decision(
        desk.runtime.uow(), rivera.decision_id, desk.actor("counsel.d"), NOW)[0].amendments]  # fmt: skip
    assert kinds == [lc.RELEASED]


# ------------------------------------------------------------------------ the intake
@pytest.fixture
def intake_store(tmp_path: Path) -> Iterator[Runtime]:
    for runtime in store_under(tmp_path):
        admin = seed_admin(runtime)
        seed_user(runtime, admin, "officer.a", ["officer"], OFFICER_PASSWORD)
        policy = (EXAMPLE / "policy.toml").read_bytes()
        records.activate_policy(runtime.uow(), policy, "policy.toml", admin, EVENING)
        yield runtime


def test_a_decision_recorded_on_the_intake_is_on_the_holds_board_at_once(
    qtbot: QtBot, intake_store: Runtime, tmp_path: Path
) -> None:
    answers = Answers()
    window = MainWindow(Backend.from_runtime(intake_store, WORKSTATION, clock=Clock(EVENING)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.intake.dialogs = answers  # type: ignore[assignment]
    window.intake.recent.use(QSettings(str(tmp_path / "recent.ini"), QSettings.Format.IniFormat))
    with qtbot.waitExposed(window):
        window.show()
    try:
        signed_in(qtbot, window, "officer.a", OFFICER_PASSWORD)
        holds = window.records.holds
        qtbot.waitUntil(lambda: holds.loaded_once and not holds.loading)
        assert holds.model.rowCount() == 0
        holds.reloader.stop()  # only the announcement can bring the new hold now
        heard: list[frozenset[Change]] = []
        window.tasks.changes.happened.connect(heard.append)

        intake = window.intake
        window.content_page.show_screen(intake)
        _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
        _check(qtbot, intake)
        # Checking reads the active policy again at the click (gui/intake/controller.py
        # load_policy); the write, from the confirmation on, is what is guarded here.
        confirmation = _record(qtbot, intake)
        with window.backend.guard.forbidding() as guard:
            _confirm(qtbot, intake, confirmation)
            recorded = intake.controller.recorded
            assert recorded is not None
            qtbot.waitUntil(
                lambda: [r.decision_id for r in holds.model.rows()] == [recorded.decision_id]
            )
            window.tasks.wait()
        assert guard.violations == []
        assert not holds.reloader.isActive()
        assert heard == [DECISION_RECORDED]
    finally:
        window.records.wait()
        window.tasks.wait()
        window.close()


# ------------------------------------------------------------------------- the session
def test_setting_up_signing_in_locking_and_signing_out_open_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, tmp_path: Path
) -> None:
    from detainer_desk.gui.second_factor import RecoveryCodesDialog
    from detainer_desk.gui.session import SessionState
    from detainer_desk.services import accounts
    from detainer_desk.services.ports import AuditQuery

    from .test_gui_second_factor import T0, Clock, _set_up_with_second_factor
    from .test_gui_support import ADMIN_PASSWORD, open_store, settled, type_into
    from .test_second_factor import rfc6238, secret_of

    store = open_store(tmp_path / "data")
    clock = Clock()
    window = MainWindow(Backend.from_runtime(store, WORKSTATION, clock=clock))
    qtbot.addWidget(window)
    guard = window.backend.guard
    try:
        # The intake reads its policy when someone signs in (gui/intake, moved to the
        # background on its own); its refusals are caught here, and only its.
        with guard.forbidding(), qtbot.captureExceptions() as raised:
            with qtbot.waitExposed(window):
                window.show()
            session = window.session

            # The first administrator, with a second factor set up on the next page.
            _set_up_with_second_factor(qtbot, window)
            qtbot.waitUntil(lambda: session.state is SessionState.ENROLMENT)
            enrolment = window.enrolment_page
            secret = secret_of(enrolment.secret.text())
            type_into(qtbot, enrolment.code.edit, rfc6238(secret, clock.now))
            qtbot.keyClick(enrolment.code.edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: session.state is SessionState.SIGNED_IN)
            codes = window.findChild(RecoveryCodesDialog, "recoveryCodesDialog")
            assert codes is not None
            codes.accept()
            settled(qtbot, window)
            assert window.policy_status.text().startswith("Policy: ")
            assert "No policy" not in window.policy_status.text()

            window.sign_out()
            settled(qtbot, window)
            assert session.state is SessionState.SIGNED_OUT

            # The password (checked in the background: the button waits), then the code.
            page = window.sign_in_page
            clock.now = T0 + dt.timedelta(minutes=5)
            type_into(qtbot, page.user_name.edit, "chief")
            type_into(qtbot, page.password.edit, ADMIN_PASSWORD)
            qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
            assert not page.sign_in_button.isEnabled()
            qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)  # no second submit
            qtbot.waitUntil(lambda: session.state is SessionState.SECOND_FACTOR)
            assert page.sign_in_button.isEnabled()
            type_into(qtbot, page.code.edit, rfc6238(secret, clock.now))
            qtbot.keyClick(page.code.edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: session.state is SessionState.SIGNED_IN)
            settled(qtbot, window)
            assert window.idle_timer.isActive()

            # Locked, a wrong password refused in the same words, then unlocked.
            assert window.lock(idle=False)
            assert session.state is SessionState.LOCKED
            type_into(qtbot, page.password.edit, "not the password")
            qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
            settled(qtbot, window)
            assert page.error.text() == "Wrong user name or password."
            assert session.state is SessionState.LOCKED
            type_into(qtbot, page.password.edit, ADMIN_PASSWORD)
            qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
            qtbot.waitUntil(lambda: session.state is SessionState.SIGNED_IN)

            window.sign_out()
            settled(qtbot, window)
            assert page.error.text() == "chief signed out."
            window.close()
            ours = [where for where in guard.violations if "gui/intake/" not in where]
            assert ours == [], "\n\n".join(ours)
        for error_type, error, _trace in raised:
            assert error_type is DatabaseOnGuiThread and "gui/intake/" in str(error), error

        later = clock.now + dt.timedelta(minutes=1)
        admin = accounts.sign_in(
            store.uow(), store.security(), "chief", ADMIN_PASSWORD, WORKSTATION, later,
            rfc6238(secret, later),
        )  # fmt: skip
        actions = [
            event.action
            for event in accounts.audit_trail(store.uow(), admin, AuditQuery(), clock.now)
        ]
        for action in ("session.lock", "session.resume", "sign_out"):
            assert action in actions
    finally:
        window.close()
        store.close()
