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
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QMessageBox
from pytestqt.qtbot import QtBot

from detainer_desk.domain import contacts as ct
from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.access_admin import SignInSettingsDialog
from detainer_desk.gui.audit_trail import AuditTrailDialog
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.changes import DECISION_RECORDED, Change, Changes
from detainer_desk.gui.dialogs import AddUserDialog, SettingsDialog
from detainer_desk.gui.evidence import ExportDialog
from detainer_desk.gui.law_reports import (
    AmendContactDialog,
    ContactDialog,
    ContactsDialog,
    LawReportsDialog,
)
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.policy_screen import ACTIVATE, PolicyDialog
from detainer_desk.gui.records import DecisionDetailDialog
from detainer_desk.gui.tasks import TaskRunner, run_in_background
from detainer_desk.gui.thread_guard import WATCH_VARIABLE, DatabaseOnGuiThread, GuiThreadGuard
from detainer_desk.gui.users import UsersDialog
from detainer_desk.gui.verification import VerifyDialog
from detainer_desk.gui.widgets import MessageLabel
from detainer_desk.runtime import Runtime
from detainer_desk.services import accounts, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.accounts import needs_first_admin
from detainer_desk.services.settings import read_settings

from .test_gui_intake import (
    EVENING,
    EXAMPLE,
    Answers,
    Clock,
    _check,
    _confirm,
    _open_example,
    _png,
    _record,
    _window,
)
from .test_gui_policy import PRESET
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
    closed,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    type_into,
)

# Background reads and writes can take seconds on a loaded machine: wait for the
# program's own state generously (it returns as soon as the state is reached).
WAIT_MS = 20_000


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
    qtbot.waitUntil(lambda: bool(failed), timeout=WAIT_MS)
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
        qtbot.waitUntil(
            lambda: not review.loading and review.model.rowCount() == 3, timeout=WAIT_MS
        )
        for row in range(review.model.rowCount()):
            review.table.selectRow(row)
            qtbot.waitUntil(lambda: bool(review.why_label.text()), timeout=WAIT_MS)
        morales = next(r for r in review.model.rows() if r.subject_name == "MORALES, Ada")
        review.select(morales.decision_id)
        qtbot.waitUntil(lambda: "U.S. citizen" in review.why_label.text(), timeout=WAIT_MS)

        # Its detail view, opened with a double-click, then closed.
        double_click_row(qtbot, review.table, 0)
        qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None, timeout=WAIT_MS)
        detail = window.findChild(DecisionDetailDialog)
        assert detail is not None
        qtbot.waitUntil(detail.isVisible, timeout=WAIT_MS)
        detail.close()

        # An override, written in the background.
        review.select(morales.decision_id)
        review.outcome_combo.setCurrentIndex(review.outcome_combo.findData("decline"))
        qtbot.keyClicks(review.reason_edit, "U.S. birth certificate in the jail file")
        click(qtbot, review.override_button)
        answer(qtbot, review, "overrideConfirmation")
        qtbot.waitUntil(lambda: "overridden to decline" in review.message.text(), timeout=WAIT_MS)
        qtbot.waitUntil(
            lambda: not review.loading and review.model.rowCount() == 2, timeout=WAIT_MS
        )

        # The holds board: a release, then release eligibility for another.
        window.active_holds_action.trigger()
        holds = records_ui.holds
        qtbot.waitUntil(lambda: not holds.loading and holds.model.rowCount() == 2, timeout=WAIT_MS)
        rivera = next(r for r in holds.model.rows() if r.subject_name == "RIVERA, Ana")
        holds.select(rivera.decision_id)
        holds.kind_combo.setCurrentIndex(holds.kind_combo.findData(lc.RELEASED))
        holds.set_when(NOW - dt.timedelta(minutes=5))
        click(qtbot, holds.record_button)
        answer(qtbot, holds, "amendmentConfirmation")
        qtbot.waitUntil(lambda: "Recorded for RIVERA, Ana" in holds.message.text(), timeout=WAIT_MS)
        qtbot.waitUntil(lambda: not holds.loading and holds.model.rowCount() == 1, timeout=WAIT_MS)
        holds.select(holds.model.rows()[0].decision_id)
        holds.kind_combo.setCurrentIndex(holds.kind_combo.findData(lc.RELEASE_ELIGIBLE))
        holds.set_when(NOW - dt.timedelta(minutes=15))
        click(qtbot, holds.record_button)
        answer(qtbot, holds, "amendmentConfirmation")
        qtbot.waitUntil(lambda: "Hold until" in holds.message.text(), timeout=WAIT_MS)

        # The decision log, a page at a time, and the statistics.
        log = records_ui.log
        log.table.setFixedHeight(160)  # a few rows visible: the rest comes page by page
        log.model.set_page_size(1)
        window.decision_log_action.trigger()
        qtbot.waitUntil(lambda: log.model.rowCount() > 0 and not log.model.loading, timeout=WAIT_MS)
        log.table.setFocus()
        while log.model.more_to_come():
            qtbot.keyClick(log.table, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: not log.model.loading, timeout=WAIT_MS)
        assert log.model.rowCount() == 3 and log.model.pages_fetched >= 3
        window.statistics_action.trigger()
        qtbot.waitUntil(lambda: records_ui.statistics.tables is not None, timeout=WAIT_MS)
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
    qtbot: QtBot, intake_store: Runtime, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """From sign-in on (the policy in force read, an example opened, checked, a scan
    attached, recorded, its PDFs saved) the intake opens no unit of work on the GUI
    thread, and the holds board learns of the decision from the announcement alone."""
    answers = Answers()
    window = _window(qtbot, intake_store, Clock(EVENING), answers, tmp_path)
    try:
        # Signing in checks the password on the session's side (and the window reads its
        # status line and lock timeout): only watched here. The intake reads the policy in
        # force in the background at sign-in, so none of what is logged is the intake's.
        guard = window.backend.guard
        guard.watch = True
        with caplog.at_level(logging.WARNING, logger="detainer_desk.gui.thread_guard"):
            signed_in(qtbot, window, "officer.a", OFFICER_PASSWORD)
        guard.watch = False
        assert "gui/intake/" not in caplog.text.replace("\\", "/")
        intake = window.intake
        assert intake.controller.state.policy is not None
        with guard.forbidding():
            # A policy activated or the settings saved at this workstation: read again.
            window.tasks.changes.announce({Change.POLICY, Change.SETTINGS})
            holds = window.records.holds
            qtbot.waitUntil(lambda: holds.loaded_once and not holds.loading, timeout=WAIT_MS)
            assert holds.model.rowCount() == 0
            holds.reloader.stop()  # only the announcement can bring the new hold now
            heard: list[frozenset[Change]] = []
            window.tasks.changes.happened.connect(heard.append)

            window.content_page.show_screen(intake)
            _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
            _check(qtbot, intake)  # the policy in force read again, in the background
            documents = intake.documents
            intake.tabs.setCurrentIndex(1)
            answers.scans = [str(_png(tmp_path / "fax.png"))]
            click(qtbot, documents.attach_button)
            qtbot.waitUntil(lambda: len(documents.scans()) == 1, timeout=WAIT_MS)
            _confirm(qtbot, intake, _record(qtbot, intake))
            recorded = intake.controller.recorded
            assert recorded is not None and len(recorded.attachments) == 1
            qtbot.waitUntil(
                lambda: [r.decision_id for r in holds.model.rows()] == [recorded.decision_id],
                timeout=WAIT_MS,
            )
            answers.pdf_path = str(tmp_path / "audit.pdf")
            click(qtbot, intake.panel.save_audit_button)
            qtbot.waitUntil(
                lambda: intake.banner.text().startswith("Saved the audit PDF"), timeout=20_000
            )
            answers.pdf_path = str(tmp_path / "notice.pdf")
            click(qtbot, intake.panel.save_notice_button)
            qtbot.waitUntil(
                lambda: intake.banner.text().startswith("Saved the notice"), timeout=20_000
            )
            window.tasks.wait()
        assert guard.violations == []
        assert not holds.reloader.isActive()
        assert heard == [DECISION_RECORDED]
        assert (tmp_path / "notice.pdf").read_bytes().startswith(b"%PDF")
    finally:
        window.records.wait()
        window.tasks.wait()
        window.close()


# ------------------------------------------------------------- the administration screens
def test_the_users_and_settings_dialogs_open_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "admin")
    guard = window.backend.guard
    with guard.forbidding():
        window.users_action.trigger()
        users = window.findChild(UsersDialog)
        assert users is not None
        qtbot.waitUntil(lambda: users.loaded_once and not users.loading, timeout=WAIT_MS)
        users.select_user("officer.a")
        click(qtbot, users.disable_button)
        answer(qtbot, users, "disableConfirmation")
        qtbot.waitUntil(
            lambda: users.message.text() == "The account officer.a was disabled.", timeout=WAIT_MS
        )
        qtbot.waitUntil(
            lambda: not users.loading and users.disable_button.text() == "&Enable", timeout=WAIT_MS
        )
        click(qtbot, users.disable_button)  # enabling again is not asked
        qtbot.waitUntil(
            lambda: users.message.text() == "The account officer.a was enabled.", timeout=WAIT_MS
        )

        add = users.add_user()
        assert isinstance(add, AddUserDialog)
        qtbot.waitUntil(add.isVisible, timeout=WAIT_MS)
        type_into(qtbot, add.fields["user_name"].edit, "r.lee")
        type_into(qtbot, add.fields["password"].edit, "silver canyon teapot")
        type_into(qtbot, add.fields["confirm"].edit, "silver canyon teapot")
        click(qtbot, add.ok_button)
        assert not add.ok_button.isEnabled()  # no second submit while it is written
        qtbot.waitUntil(lambda: users.model.row_of("r.lee") is not None, timeout=WAIT_MS)
        users.close()

        # Settings (opened here without the window's own reaction to saving them).
        settings = SettingsDialog(window.session, window)
        settings.show()
        qtbot.waitUntil(lambda: settings.loaded, timeout=WAIT_MS)
        settings.minutes.setValue(20)
        click(qtbot, settings.ok_button)
        qtbot.waitUntil(lambda: closed(settings), timeout=WAIT_MS)
        sign_in = SignInSettingsDialog(window.session, window)
        sign_in.show()
        qtbot.waitUntil(lambda: sign_in.loaded, timeout=WAIT_MS)
        sign_in.inactive.setValue(45)
        click(qtbot, sign_in.ok_button)
        qtbot.waitUntil(lambda: closed(sign_in), timeout=WAIT_MS)
        window.tasks.wait()
    assert guard.violations == []
    assert accounts.session_timeout_minutes(desk.runtime.uow()) == 20
    assert read_settings(desk.runtime.uow()).inactive_days == 45
    names = [u.name for u in accounts.list_users(desk.runtime.uow(), desk.actor("admin"), NOW)]
    assert "r.lee" in names


def test_the_policy_screen_opens_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "admin")
    guard = window.backend.guard
    heard: list[frozenset[Change]] = []
    window.tasks.changes.happened.connect(heard.append)
    with guard.forbidding():
        # Opened here without the window's reaction to an activation (its status label).
        dialog = PolicyDialog(window.session, window.tasks, window)
        dialog.show()
        qtbot.waitUntil(lambda: dialog.loaded, timeout=WAIT_MS)
        assert dialog.history_table.rowCount() == 1
        dialog.show_tab(ACTIVATE)
        dialog.activate_chooser.select_preset(PRESET)
        type_into(qtbot, dialog.reason.edit, "Counsel memo of 2026-03-02")
        click(qtbot, dialog.activate_button)
        assert not dialog.activate_button.isEnabled()  # no second submit
        qtbot.waitUntil(
            lambda: "is now in force" in dialog.activate_message.text(), timeout=WAIT_MS
        )
        qtbot.waitUntil(
            lambda: not dialog.loading and dialog.history_table.rowCount() == 2, timeout=WAIT_MS
        )
        dialog.close()
        window.tasks.wait()
    assert guard.violations == []
    assert frozenset({Change.POLICY}) in heard


# ------------------------------------------------------ the law's reports and the contacts
def test_the_reports_and_contacts_screens_open_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    guard = window.backend.guard
    with guard.forbidding():
        window.law_reports_action.trigger()
        reports = window.findChild(LawReportsDialog)
        assert reports is not None
        qtbot.waitUntil(lambda: reports.loaded, timeout=WAIT_MS)
        reports.close()

        window.contacts_action.trigger()
        contacts = window.findChild(ContactsDialog)
        assert contacts is not None
        qtbot.waitUntil(lambda: not contacts.loading, timeout=WAIT_MS)
        assert contacts.model.rowCount() == 0

        window.contact_action.trigger()
        contact = window.findChild(ContactDialog)
        assert contact is not None
        qtbot.waitUntil(lambda: contact.loaded, timeout=WAIT_MS)
        contact.kind.setCurrentIndex(contact.kind.findData(ct.RELEASE_NOTIFICATION))
        type_into(qtbot, contact.detail_widgets["sent_to"], "ICE ERO Portland")
        means = contact.detail_widgets["means"]
        assert isinstance(means, QComboBox)
        means.setCurrentIndex(means.findData("phone"))
        click(qtbot, contact.ok_button)
        qtbot.waitUntil(lambda: closed(contact), timeout=WAIT_MS)
        # The contacts list heard of it (Change.CONTACTS) and read again.
        qtbot.waitUntil(
            lambda: not contacts.loading and contacts.model.rowCount() == 1, timeout=WAIT_MS
        )

        contacts.select(0)
        click(qtbot, contacts.amend_button)
        amend = contacts.child
        assert isinstance(amend, AmendContactDialog)
        qtbot.waitUntil(lambda: amend.loaded, timeout=WAIT_MS)
        type_into(qtbot, amend.reason.edit, "the time was wrong")
        click(qtbot, amend.ok_button)
        qtbot.waitUntil(lambda: closed(amend), timeout=WAIT_MS)
        # The list reads again when it hears of the amendment: while it does, it may be
        # empty for a moment, so wait for the row before reading it.
        qtbot.waitUntil(
            lambda: (
                not contacts.loading
                and contacts.model.rowCount() == 1
                and "(amended)" in contacts.model.item(0, 5).text()
            ),
            timeout=WAIT_MS,
        )
        contacts.close()
        window.tasks.wait()
    assert guard.violations == []


# --------------------------------------------------------------------- the audit trail
def test_the_audit_trail_opens_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "counsel.d")
    guard = window.backend.guard
    with guard.forbidding():
        window.audit_action.trigger()
        dialog = window.findChild(AuditTrailDialog)
        assert dialog is not None
        qtbot.waitUntil(lambda: dialog.zone_known and dialog.model.rowCount() > 0, timeout=WAIT_MS)
        assert str(dialog.zone) == "America/Los_Angeles"  # the county's, read first
        type_into(qtbot, dialog.user_edit, "counsel.d")
        click(qtbot, dialog.search_button)
        qtbot.waitUntil(lambda: dialog.model.rowCount() > 0, timeout=WAIT_MS)
        dialog.close()
        window.tasks.wait()
    assert guard.violations == []


# ------------------------------------------------------------ the evidence and verifying
def test_the_evidence_and_verify_screens_open_no_unit_of_work_on_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "counsel.d")
    guard = window.backend.guard
    with guard.forbidding():
        window.export_action.trigger()
        export = window.findChild(ExportDialog)
        assert export is not None
        qtbot.waitUntil(
            lambda: export.zone_known and export.start_button.isEnabled(), timeout=WAIT_MS
        )
        type_into(qtbot, export.recipient, "Smith & Jones LLP")
        export.destination.setText(str(tmp_path / "bundle"))
        click(qtbot, export.start_button)
        qtbot.waitUntil(lambda: "Exported 3 decisions" in export.message.text(), timeout=60_000)
        export.close()

        window.verify_action.trigger()
        verify = window.findChild(VerifyDialog, "verifyDialog")
        assert verify is not None
        click(qtbot, verify.verify_button)
        qtbot.waitUntil(lambda: verify.result_ok is not None, timeout=30_000)
        assert verify.result_ok
        verify.close()
        window.tasks.wait()
    assert guard.violations == []


# ----------------------------------------------------------- the account and audit reviews
def test_the_review_reports_are_made_and_saved_off_the_gui_thread(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "admin")
    asked: list[str] = []

    def ask(_window: object, suggested: str) -> str:
        asked.append(suggested)
        return str(tmp_path / suggested)

    window.dialogs.ask_review_path = ask
    guard = window.backend.guard
    with guard.forbidding():
        for kind, title in (("accounts", "account-validation"), ("audit", "audit-review")):
            window.dialogs.save_review(kind)
            qtbot.waitUntil(lambda: any(a.startswith(title) for a in asked), timeout=WAIT_MS)  # noqa: B023 - waited for here, in this turn of the loop
            saved = tmp_path / asked[-1]
            qtbot.waitUntil(saved.exists, timeout=WAIT_MS)
            qtbot.waitUntil(lambda: "Saved" in window.statusBar().currentMessage(), timeout=WAIT_MS)
            assert saved.read_bytes().startswith(b"%PDF")
            window.statusBar().clearMessage()
        window.tasks.wait()
    assert guard.violations == []
    # The file's name carries the county's date (the zone read in the background).
    assert asked[0].startswith("account-validation-") and asked[0].endswith(".pdf")


def test_a_refused_review_report_says_so_in_plain_words(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sign_in_as(qtbot, window, "counsel.d")  # counsel may not validate accounts
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _parent, _title, text: warnings.append(text))
    window.dialogs.ask_review_path = lambda _window, name: str(tmp_path / name)
    window.dialogs.save_review("accounts")
    qtbot.waitUntil(lambda: warnings != [], timeout=WAIT_MS)
    assert "permission" in warnings[0].lower() or "may not" in warnings[0].lower()
    assert list(tmp_path.glob("account-validation-*.pdf")) == []


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
        with guard.forbidding():
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
        assert guard.violations == [], "\n\n".join(guard.violations)

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
