"""The main window: one stack of pages, a menu bar and a status bar.

Pages: setting up the first administrator (only while no account exists), signing in
(also the locked screen), and the content (the welcome panel until the working screens
exist). The window is the controller that wires them to the session: it decides which
page shows and what is enabled; the session calls the use cases, which decide what is
allowed and keep the audit trail.

The screen locks after a period without keyboard or mouse activity (CJIS Security Policy
5.5.5 asks for a session lock after at most 30 minutes), or at once with File › Lock.
Locking hides every page that shows records and closes every open dialog.

Menu entries for screens that do not exist yet are present but disabled, with a tooltip
saying so, so that nobody mistakes a missing feature for a broken one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QMessageBox, QStackedWidget, QWidget

from detainer_desk.domain import accounts as acc
from detainer_desk.services.access import RecordError

from .audit_trail import AuditTrailDialog
from .backend import Backend
from .dialogs import ChangePasswordDialog, SettingsDialog
from .forms import FieldProblems
from .help import UserGuides, about_text, show_about
from .intake import IntakeScreen
from .notices import NoticeBanner, with_banner
from .pages import SignInPage
from .policy_screen import PolicyMenu
from .records import RecordsScreens
from .session import Session, SessionState
from .tasks import TaskRunner
from .users import UsersDialog
from .welcome import PURPOSE
from .widgets import ElidedLabel, plain_sentence, status_separator
from .wizard import SetUpAnswers, SetUpWizard, announce_set_up, complete_set_up
from .workspace import Workspace

__all__ = ["APP_TITLE", "PURPOSE", "MainWindow"]

log = logging.getLogger(__name__)

APP_TITLE = "Detainer Desk"
NO_POLICY_STATUS = "none active"
RECORDS_PENDING = "Coming with the records screens"
REPLACED_AT_LOCK_SCREEN = "replaced at the lock screen"
ACTIVITY_GRAIN_MS = 1_000


def policy_status_text(policy_label: str | None) -> str:
    return policy_label if policy_label else NO_POLICY_STATUS


def roles_needed_text(permission: str) -> str:
    roles = [role for role in acc.ROLES if permission in acc.PERMISSIONS[role]]
    return f"Needs the {' or '.join(roles)} role"


class ActivityFilter(QObject):
    """Sees every input event of the application; says when someone is at the keyboard.

    It calls ``on_activity`` directly rather than emitting a signal: this runs for every
    mouse movement, so it must stay as cheap as possible.
    """

    INPUT_EVENTS = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseButtonDblClick,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
            QEvent.Type.TabletPress,
        }
    )

    def __init__(self, on_activity: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_activity = on_activity
        self.watching = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if self.watching and event.type() in self.INPUT_EVENTS:
            self._on_activity()
        return False


class MainWindow(QMainWindow):
    """The application's main window.

    ``idle_interval_ms`` overrides the stored session-lock setting (tests use it; the
    program reads the setting from the record store at each sign-in).
    """

    def __init__(
        self,
        backend: Backend,
        *,
        idle_interval_ms: int | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.session = Session(backend, self)
        self._idle_interval_ms = idle_interval_ms
        self._policy_label = self.session.policy_label()
        self._shown_state: SessionState | None = None

        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        self.resize(1100, 720)
        self.setMinimumSize(720, 480)

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle_timeout)
        self._activity_filter = ActivityFilter(self._note_activity, self)

        self._build_actions()
        self._build_menus()
        self._build_pages()
        self._build_status_bar()
        self.session.changed.connect(self._render)
        self._render()

    # ----------------------------------------------------------------- actions
    def _action(
        self,
        text: str,
        object_name: str,
        *,
        shortcut: QKeySequence | None = None,
        pending: str | None = None,
        tip: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if pending is not None:
            action.setEnabled(False)
            action.setToolTip(pending)
            action.setStatusTip(pending)
        elif tip is not None:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        return action

    def _build_actions(self) -> None:
        ctrl = Qt.Modifier.CTRL
        self.open_request_action = self._action(
            "&Open request…",
            "openRequestAction",
            shortcut=QKeySequence(QKeySequence.StandardKey.Open),
        )
        self.change_password_action = self._action(
            "Change my &password…", "changePasswordAction", tip="Change your own password"
        )
        self.change_password_action.triggered.connect(self.open_change_password)
        self.lock_action = self._action(
            "&Lock",
            "lockAction",
            shortcut=QKeySequence(ctrl | Qt.Key.Key_L),
            tip="Lock the screen now; your password unlocks it",
        )
        self.lock_action.triggered.connect(lambda: self.lock(idle=False))
        self.sign_out_action = self._action("Sign &out", "signOutAction", tip="End your session")
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = self._action(
            "&Quit", "quitAction", shortcut=QKeySequence(ctrl | Qt.Key.Key_Q)
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.setStatusTip("Close Detainer Desk")
        self.quit_action.triggered.connect(self.close)

        self.check_action = self._action(
            "&Check request…", "checkRequestAction", shortcut=QKeySequence(ctrl | Qt.Key.Key_Return)
        )
        self.record_action = self._action(
            "&Record decision…", "recordDecisionAction", shortcut=QKeySequence(ctrl | Qt.Key.Key_R)
        )

        self.decision_log_action = self._action("&Decision log", "decisionLogAction")
        self.review_queue_action = self._action("&Review queue", "reviewQueueAction")
        self.active_holds_action = self._action("&Active holds", "activeHoldsAction")
        self.statistics_action = self._action("&Statistics", "statisticsAction")

        self.users_action = self._action("&Users…", "usersAction")
        self.users_action.triggered.connect(self.open_users)
        self.settings_action = self._action("&Settings…", "settingsAction")
        self.settings_action.triggered.connect(self.open_settings)
        self.audit_action = self._action("&Audit trail…", "auditTrailAction")
        self.audit_action.triggered.connect(self.open_audit_trail)
        self.export_action = self._action("&Export for litigation…", "exportAction")
        self.export_action.triggered.connect(self.open_export)
        self.checkpoint_action = self._action("&Checkpoint of the record…", "checkpointAction")
        self.checkpoint_action.triggered.connect(self.open_checkpoint)
        self.backup_action = self._action("&Back up the records…", "backupAction")
        self.backup_action.triggered.connect(self.open_backup)
        self.database_action = self._action("&Database…", "databaseAction")
        self.database_action.triggered.connect(self.open_database)
        # What each permission-guarded entry needs (the services check it again).
        self._guarded: tuple[tuple[QAction, str, str], ...] = (
            (self.open_request_action, acc.VIEW_RECORDS, "Open a request file into the form"),
            (self.check_action, acc.VIEW_RECORDS, "Check the request against the policy"),
            (self.record_action, acc.RECORD_DECISION, "Record the decision with its scans"),
            (self.users_action, acc.MANAGE_ACCOUNTS, "Add accounts, change roles, unlock"),
            (self.settings_action, acc.MANAGE_SETTINGS, "County, jail, timezone, alerts, lock"),
            (self.audit_action, acc.VIEW_AUDIT, "Who did what, when and where"),
            (self.decision_log_action, acc.VIEW_RECORDS, "Every decision: search, filter, sort"),
            (self.review_queue_action, acc.REVIEW_DECISION, "Decisions waiting for a supervisor"),
            (self.active_holds_action, acc.VIEW_RECORDS, "Everyone held, with the time left"),
            (self.statistics_action, acc.VIEW_RECORDS, "Requests and outcomes by week and month"),
            (self.export_action, acc.EXPORT_RECORDS, "A verified, hashed bundle for counsel"),
            (
                self.checkpoint_action,
                acc.VIEW_RECORDS,
                "Sign the record's current state; print and file it",
            ),
            (self.backup_action, acc.MANAGE_BACKUPS, "A checked copy of every record"),
            (self.database_action, acc.MANAGE_SETTINGS, "This computer's file or a shared server"),
        )

        self.about_action = self._action("&About Detainer Desk", "aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setStatusTip("Version, database location and active policy")
        self.about_action.triggered.connect(self.show_about)
        self.guides = UserGuides(self)

    def _menu(self, title: str, object_name: str, actions: list[QAction | None]) -> QMenu:
        menu = self.menuBar().addMenu(title)
        menu.setObjectName(object_name)
        menu.setAccessibleName(title.replace("&", ""))
        # Without this Qt hides action tooltips in menus, and the disabled entries
        # would not say why they are disabled.
        menu.setToolTipsVisible(True)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def _build_menus(self) -> None:
        self.menuBar().setObjectName("menuBar")
        self.menuBar().setAccessibleName("Main menu")
        self.file_menu = self._menu(
            "&File",
            "fileMenu",
            [
                self.open_request_action,
                None,
                self.change_password_action,
                self.lock_action,
                self.sign_out_action,
                None,
                self.quit_action,
            ],
        )
        self.request_menu = self._menu(
            "&Request", "requestMenu", [self.check_action, self.record_action]
        )
        self.records_menu = self._menu(
            "Re&cords",
            "recordsMenu",
            [
                self.decision_log_action,
                self.review_queue_action,
                self.active_holds_action,
                self.statistics_action,
                None,
                self.export_action,
                self.checkpoint_action,
            ],
        )
        self.admin_menu = self._menu(
            "&Admin",
            "adminMenu",
            [
                self.users_action,
                self.settings_action,
                self.database_action,
                None,
                self.audit_action,
                self.backup_action,
            ],
        )
        self.help_menu = self._menu(
            "&Help", "helpMenu", [*self.guides.actions, None, self.about_action]
        )

    # ------------------------------------------------------------------- pages
    def _build_pages(self) -> None:
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.first_run_page = SetUpWizard(self.backend.database_label)
        self.first_run_page.submitted.connect(self._create_first_admin)
        self.sign_in_page = SignInPage()
        self.sign_in_page.sign_in_requested.connect(self._sign_in)
        self.sign_in_page.resume_requested.connect(self._resume)
        self.sign_in_page.switch_user_requested.connect(self._switch_user)
        self.content_page = Workspace(self._policy_label)
        self.tasks = TaskRunner(self)
        self._build_screens()
        for page in (self.first_run_page, self.sign_in_page, self.content_page):
            self.pages.addWidget(page)
        self.notice_banner = NoticeBanner(self.backend.notices)
        self.setCentralWidget(with_banner(self.notice_banner, self.pages))

    def _build_screens(self) -> None:
        """The workspace's screens, each in its own module with its own controller.

        Each screen gets the backend, the session and the task runner; it enables its own
        menu actions through ``self._guarded`` entries added in ``_build_actions``.
        """
        # -- intake (issue: the intake officer's workflow) --
        self.intake = IntakeScreen(self.session, self.tasks)
        self.content_page.add_screen(self.intake, "&Intake", "intakeScreen")
        self.intake.wants_front.connect(lambda: self.content_page.show_screen(self.intake))
        self.intake.status.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.open_request_action.triggered.connect(self.intake.open_request)
        self.check_action.triggered.connect(self.intake.check)
        self.record_action.triggered.connect(self.intake.record)
        file_actions = self.file_menu.actions()
        after_open = file_actions[file_actions.index(self.open_request_action) + 1]
        self.file_menu.insertAction(self.open_request_action, self.intake.new_action)
        self.file_menu.insertMenu(after_open, self.intake.recent_menu)
        self.file_menu.insertAction(after_open, self.intake.save_action)
        self._guarded += (
            (self.intake.new_action, acc.VIEW_RECORDS, "Start a new, empty request"),
            (self.intake.recent_menu.menuAction(), acc.VIEW_RECORDS, "Request files used lately"),
            (self.intake.save_action, acc.VIEW_RECORDS, "Save the request as a file"),
        )
        # -- decision log, review queue, active holds, statistics (issue: supervisors) --
        self.records = RecordsScreens(
            self.session, self.tasks, self.content_page, self, open_dialog=self._open_dialog
        )
        self.decision_log_action.triggered.connect(self.records.show_log)
        self.review_queue_action.triggered.connect(self.records.show_review)
        self.active_holds_action.triggered.connect(self.records.show_holds)
        self.statistics_action.triggered.connect(self.records.show_statistics)
        # -- the policy screen (issue 9): its menu enables its own entries --
        self.policy = PolicyMenu(self.session, self.tasks, self, open_dialog=self._open_dialog)
        self.policy.policy_changed.connect(lambda: self._show_policy(self.session.policy_label()))
        self.menuBar().insertMenu(self.admin_menu.menuAction(), self.policy.menu)

    # --------------------------------------------------------------- status bar
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        status.setAccessibleName("Status")

        label = self.backend.database_label
        self.database_status = ElidedLabel(f"Database: {label}")
        self.database_status.setObjectName("databaseStatus")
        self.database_status.setAccessibleName("Database location")
        self.database_status.setAccessibleDescription(label)

        self.policy_status = ElidedLabel()
        self.policy_status.setObjectName("policyStatus")
        self.policy_status.setAccessibleName("Active policy")

        self.session_status = ElidedLabel()
        self.session_status.setObjectName("sessionStatus")
        self.session_status.setAccessibleName("Who is signed in")

        # Permanent widgets sit on the right; the database path gets the spare room.
        status.addPermanentWidget(self.database_status, 1)
        status.addPermanentWidget(status_separator(), 0)
        status.addPermanentWidget(self.policy_status, 0)
        status.addPermanentWidget(status_separator(), 0)
        status.addPermanentWidget(self.session_status, 0)
        self._show_policy(self._policy_label)

    def _show_policy(self, policy_label: str | None) -> None:
        self._policy_label = policy_label
        text = policy_status_text(policy_label)
        self.policy_status.setText(f"Policy: {text}")
        self.policy_status.setAccessibleDescription(text)
        self.content_page.set_policy_label(policy_label)

    # ---------------------------------------------------------------- rendering
    def _render(self) -> None:
        """Show the page, status and menus that fit the session's state."""
        state = self.session.state
        actor = self.session.actor
        entering_work = state is SessionState.SIGNED_IN and self._shown_state is not state
        if state is not SessionState.SIGNED_IN:
            self.idle_timer.stop()
            self._close_dialogs()

        if state is SessionState.FIRST_RUN:
            page: QWidget = self.first_run_page
        elif state is SessionState.LOCKED and actor is not None:
            self.sign_in_page.set_mode(actor.user, idle=self.session.locked_by_idleness)
            page = self.sign_in_page
        elif state is SessionState.SIGNED_IN:
            self.sign_in_page.set_mode(None)  # nothing typed stays behind the content
            page = self.content_page
        else:
            self.sign_in_page.set_mode(None)
            page = self.sign_in_page
        self.pages.setCurrentWidget(page)

        status = self.session.status_text()
        self.session_status.setText(status)
        self.session_status.setAccessibleDescription(status)
        self._update_actions()
        self._activity_filter.watching = state is SessionState.SIGNED_IN
        self._shown_state = state

        if entering_work:
            self._show_policy(self.session.policy_label())
            self._arm_idle_timer()
        elif page is self.first_run_page:
            self.first_run_page.focus_first()
        elif page is self.sign_in_page:
            self.sign_in_page.focus_first()

    def _update_actions(self) -> None:
        working = self.session.state is SessionState.SIGNED_IN
        for menu in (self.request_menu, self.records_menu, self.admin_menu):
            menu.menuAction().setEnabled(working)
        for action in (self.change_password_action, self.lock_action, self.sign_out_action):
            action.setEnabled(working)
        for action, permission, tip in self._guarded:
            allowed = self.session.may(permission)
            action.setEnabled(allowed)
            shown = tip if allowed else roles_needed_text(permission)
            action.setToolTip(shown)
            action.setStatusTip(shown)

    def _close_dialogs(self) -> None:
        # Children first, so a dialog opened from another closes before its parent.
        for dialog in reversed(self.findChildren(QDialog)):
            if dialog.isVisible():
                dialog.reject()

    # ------------------------------------------------------------ session lock
    def _arm_idle_timer(self) -> None:
        if self._idle_interval_ms is not None:
            interval = self._idle_interval_ms
        else:
            interval = self.session.timeout_minutes() * 60_000
        self.idle_timer.setInterval(interval)
        self.idle_timer.start()

    def _note_activity(self) -> None:
        if self.session.state is not SessionState.SIGNED_IN:
            return
        # Restart the countdown, but not for every pixel the mouse moves: once a second
        # of activity is as good, and far cheaper.
        timer = self.idle_timer
        if not timer.isActive() or timer.interval() - timer.remainingTime() >= ACTIVITY_GRAIN_MS:
            timer.start()

    def _idle_timeout(self) -> None:
        self.lock(idle=True)

    def lock(self, idle: bool = True) -> bool:
        """Lock the screen (audited); False when nobody is signed in."""
        try:
            return self.session.lock(idle)
        except RecordError as refused:
            # The screen is locked all the same; only the audit entry is missing.
            self.sign_in_page.show_error(
                f"The lock could not be recorded: {plain_sentence(str(refused))}"
            )
            return True

    def sign_out(self) -> None:
        self._end_session("signed out", "{user} signed out.")

    def _end_session(self, reason: str, note: str) -> None:
        actor = self.session.actor
        if actor is None:
            return
        try:
            self.session.sign_out(reason)
        except RecordError as refused:
            # Signed out all the same; only the audit entry is missing.
            self.sign_in_page.show_error(
                f"{actor.user} was signed out, but it could not be recorded: "
                f"{plain_sentence(str(refused))}"
            )
        else:
            self.sign_in_page.show_note(note.format(user=actor.user))

    # ----------------------------------------------------------- page requests
    def _create_first_admin(self, answers: SetUpAnswers) -> None:
        page = self.first_run_page
        try:
            result = complete_set_up(self.session, answers)
        except FieldProblems as problems:
            page.show_problems(problems.problems)
        except RecordError as refused:
            message = plain_sentence(str(refused))
            if self.session.state is SessionState.FIRST_RUN:
                page.show_error(message)
            else:  # someone else set the store up meanwhile: sign in instead
                self.sign_in_page.show_error(message)
        else:
            page.forget_passwords()
            page.clear_problems()
            self._show_policy(self.session.policy_label())
            announce_set_up(self, result)

    def _sign_in(self, user_name: str, password: str) -> None:
        try:
            self.session.sign_in(user_name, password)
        except FieldProblems as problems:
            self.sign_in_page.show_problems(problems.problems)
        except RecordError as refused:
            self.sign_in_page.show_error(plain_sentence(str(refused)))

    def _resume(self, password: str) -> None:
        try:
            self.session.resume(password)
        except FieldProblems as problems:
            self.sign_in_page.show_problems(problems.problems)
        except RecordError as refused:
            self.sign_in_page.show_error(plain_sentence(str(refused)))

    def _switch_user(self) -> None:
        self._end_session(REPLACED_AT_LOCK_SCREEN, "{user} was signed out.")

    # ------------------------------------------------------------------ dialogs
    def _open_dialog(self, dialog: QDialog) -> QDialog:
        # Ctrl+L locks from inside a dialog too.
        dialog.addAction(self.lock_action)
        dialog.open()
        return dialog

    def open_users(self) -> UsersDialog | None:
        if not self.session.may(acc.MANAGE_ACCOUNTS):
            return None
        dialog = UsersDialog(self.session, self)
        self._open_dialog(dialog)
        return dialog

    def open_settings(self) -> SettingsDialog | None:
        if not self.session.may(acc.MANAGE_SETTINGS):
            return None
        dialog = SettingsDialog(self.session, self)
        dialog.accepted.connect(self._settings_saved)
        self._open_dialog(dialog)
        return dialog

    def _settings_saved(self) -> None:
        if self.session.state is SessionState.SIGNED_IN:
            self._arm_idle_timer()
        self.statusBar().showMessage("Settings saved.", 10_000)

    def _open_evidence(self, make: Callable[..., QDialog], permission: str) -> QDialog | None:
        actor = self.session.actor
        if actor is None or not self.session.may(permission):
            return None
        dialog = make(self.backend, actor, self.tasks, self)
        self._open_dialog(dialog)
        return dialog

    def open_export(self) -> QDialog | None:
        from .evidence import ExportDialog

        return self._open_evidence(ExportDialog, acc.EXPORT_RECORDS)

    def open_checkpoint(self) -> QDialog | None:
        from .evidence import CheckpointDialog

        return self._open_evidence(CheckpointDialog, acc.VIEW_RECORDS)

    def open_backup(self) -> QDialog | None:
        from .evidence import BackupDialog

        return self._open_evidence(BackupDialog, acc.MANAGE_BACKUPS)

    def open_database(self) -> QDialog | None:
        from .database import DatabaseDialog

        if self.backend.data_dir is None:
            return None
        return self._open_evidence(DatabaseDialog, acc.MANAGE_SETTINGS)

    def open_audit_trail(self) -> AuditTrailDialog | None:
        if not self.session.may(acc.VIEW_AUDIT):
            return None
        dialog = AuditTrailDialog(self.session, self)
        self._open_dialog(dialog)
        return dialog

    def open_change_password(self) -> ChangePasswordDialog | None:
        if self.session.state is not SessionState.SIGNED_IN:
            return None
        dialog = ChangePasswordDialog(self.session, self)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Your password was changed.", 10_000)
        )
        self._open_dialog(dialog)
        return dialog

    # -------------------------------------------------------------------- about
    def about_text(self) -> str:
        from detainer_desk.logs import current_log_file

        return about_text(
            self.backend.database_label, policy_status_text(self._policy_label), current_log_file()
        )

    def show_about(self) -> QMessageBox:
        """Open the About box without blocking, and return it."""
        return show_about(self, self.about_text())

    # ------------------------------------------------------- showing, closing
    def showEvent(self, event: QShowEvent) -> None:
        # Installed while the window is open (installing twice keeps one filter).
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity_filter)
        super().showEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.idle_timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity_filter)
        self._activity_filter.watching = False
        if self.session.actor is not None:
            try:
                self.session.sign_out("closed the program")
            except RecordError:
                # Closing must not be stopped by a store that cannot be written.
                log.warning("The sign-out on closing could not be recorded", exc_info=True)
        super().closeEvent(event)
