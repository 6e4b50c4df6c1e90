"""The main window: one stack of pages, a menu bar and a status bar.

Pages: "Opening the records…" (while the record store opens, ``opening.py``), setting up
the first administrator (only while no account exists), signing in (also the locked
screen), and the workspace with its screens. The window is the controller that wires them
to the session: it decides which page shows and what is enabled; the session calls the use
cases, which decide what is allowed and keep the audit trail.

The window is built in three steps, so that it shows as soon as Qt is up:

1. ``MainWindow()``: the frame (title, menus, status bar) and the opening page. This
   module and what it imports at the top are Qt only, cheap to import: no SQLAlchemy,
   services or screens (``gui/app.py`` shows the frame before the store is opened), and
   nothing that touches ``Qt`` (the flags namespace, some 15 ms on first use). Every menu
   entry that needs the records is disabled.
2. ``open_records(backend)``: the session, the sign-in page (or the set-up wizard on a new
   store) and the status bar's labels. When a first look at the store found accounts, the
   sign-in page comes before the records are open (``show_sign_in_first``): what is typed
   there stays, and a sign-in asked for meanwhile is made as soon as they are.
3. ``build_workspace()``: the workspace and its screens (intake, records, policy), imported
   here. ``open_records`` builds it at once, or, with ``workspace_later=True``, once the
   sign-in page has been painted; it is built at the latest when someone signs in.

``MainWindow(backend)`` takes all three steps at once.

The screen locks after a period without keyboard or mouse activity (CJIS Security Policy
5.5.5 asks for a session lock after at most 30 minutes), or at once with File › Lock.
Locking hides every page that shows records and closes every open dialog.

Menu entries for screens that do not exist yet are present but disabled, with a tooltip
saying so, so that nobody mistakes a missing feature for a broken one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QStackedWidget, QVBoxLayout, QWidget

from .fit import available_area, scrolling, size_to_current_page
from .help import UserGuides, about_text, show_about
from .opening import OPENING_TEXT, FirstPaint, OpeningPage
from .workstation import WorkstationSettings

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
    from PySide6.QtWidgets import QMessageBox

    from .audit_trail import AuditTrailDialog
    from .backend import Backend
    from .dialogs import ChangePasswordDialog, SettingsDialog
    from .intake import IntakeScreen
    from .notices import NoticeBanner
    from .pages import SignInPage
    from .policy_screen import PolicyMenu
    from .records import RecordsScreens
    from .second_factor import EnrolmentPage
    from .session import Session, SessionState
    from .tasks import TaskRunner
    from .users import UsersDialog
    from .widgets import ElidedLabel
    from .wizard import SetUpAnswers, SetUpWizard
    from .workspace import Workspace

__all__ = ["APP_TITLE", "MainWindow"]

log = logging.getLogger(__name__)

APP_TITLE = "Detainer Desk"
NO_POLICY_STATUS = "none active"
RECORDS_PENDING = "Coming with the records screens"
REPLACED_AT_LOCK_SCREEN = "replaced at the lock screen"
ACTIVITY_GRAIN_MS = 1_000
UPGRADING_NOTE = (
    "The records are being upgraded for this version of Detainer Desk; a backup copy is "
    "made first. You can sign in as soon as that is done."
)
UPGRADING_STATUS = "Upgrading the records (a backup copy is made first)…"
SIGNING_IN_SOON = "Signing in as soon as the records are open…"
# The smallest the window may be made (or less, on a smaller screen); below what a page
# needs, the page scrolls.
MINIMUM_WIDTH, MINIMUM_HEIGHT = 560, 360


def policy_status_text(policy_label: str | None) -> str:
    return policy_label if policy_label else NO_POLICY_STATUS


def roles_needed_text(permission: str) -> str:
    from detainer_desk.domain import accounts as acc

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

    ``backend``: the records to work on, opened at once; without it the window shows
    "Opening the records…" until ``open_records`` is called.

    ``idle_interval_ms`` overrides the stored session-lock setting (tests use it; the
    program reads the setting from the record store at each sign-in).

    ``settings_folder``: where this workstation keeps its window settings (the data
    folder; by default the backend's): the window opens where it was last closed, or on
    the first start sized from the screen (``show_placed`` shows it maximised when the
    screen is small).
    """

    painted = Signal()  # the window's first paint
    # The first page someone can use (sign-in, set-up) painted; the sign-in page may come
    # before the records are open (show_sign_in_first).
    records_shown = Signal()
    ready = Signal()  # that page painted and the workspace built

    # Set by open_records (and build_workspace): absent while the records are opening.
    backend: Backend
    session: Session
    tasks: TaskRunner
    sign_in_page: SignInPage
    first_run_page: SetUpWizard  # only while the store has no account (FIRST_RUN)
    notice_banner: NoticeBanner
    database_status: ElidedLabel
    policy_status: ElidedLabel
    session_status: ElidedLabel
    content_page: Workspace
    intake: IntakeScreen
    records: RecordsScreens
    policy: PolicyMenu

    def __init__(
        self,
        backend: Backend | None = None,
        *,
        idle_interval_ms: int | None = None,
        settings_folder: Path | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._idle_interval_ms = idle_interval_ms
        self._policy_label: str | None = None
        self._shown_state: SessionState | None = None
        self._working = False  # someone is signed in and the screen is not locked
        self._landed_for: str | None = None  # who was shown their start screen (_land)
        self.records_open = False
        self.workspace_built = False
        self.was_painted = False
        self._records_page_painted = False
        self._page_paint_watched = False
        self._keep_typed = False  # see open_records
        self._pending_sign_in: tuple[str, str] | None = None  # asked for before the records opened

        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        if settings_folder is None and backend is not None:
            settings_folder = backend.data_dir
        self.workstation = WorkstationSettings(settings_folder)
        area = available_area(self)
        self.setMinimumSize(
            min(MINIMUM_WIDTH, area.width() * 3 // 4), min(MINIMUM_HEIGHT, area.height() * 3 // 4)
        )
        self.start_maximised = self.workstation.place(self)
        self._kept_on_screen = False  # checked once the frame is known (showEvent)

        self.idle_timer = QTimer(self)
        self.idle_timer.setObjectName("idleTimer")
        self.idle_timer.setSingleShot(True)
        self.idle_timer.timeout.connect(self._idle_timeout)
        self._activity_filter = ActivityFilter(self._note_activity, self)
        # Given to the actions after the first paint (_set_shortcuts).
        self._shortcuts: list[tuple[QAction, str | QKeySequence.StandardKey]] = []
        self._wheel_guard: QObject | None = None  # no act from a mouse wheel (wheel.py)

        self._build_actions()
        self._build_menus()
        self._build_frame()
        if backend is not None:
            self.open_records(backend)

    # ----------------------------------------------------------------- actions
    def _action(
        self,
        text: str,
        object_name: str,
        *,
        shortcut: str | QKeySequence.StandardKey | None = None,
        pending: str | None = None,
        tip: str | None = None,
        needs_records: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))
        if pending is not None:
            action.setEnabled(False)
            action.setToolTip(pending)
            action.setStatusTip(pending)
        elif tip is not None:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if needs_records:  # enabled (or not) by _update_actions once the records are open
            action.setEnabled(False)
        return action

    def _set_shortcuts(self) -> None:
        """Give the actions their shortcuts, and guard the wheel: right after the first
        paint, not before (``QAction.setShortcut`` is the first use of ``Qt``, and an
        application-wide filter slows every event: see the module's note)."""
        for action, shortcut in self._shortcuts:
            action.setShortcut(QKeySequence(shortcut))
        self._shortcuts.clear()
        if self._wheel_guard is None:
            from .wheel import install_wheel_guard

            self._wheel_guard = install_wheel_guard(self)

    def _build_actions(self) -> None:
        # Shortcuts as text, not Qt.Modifier | Qt.Key: see the module's note.
        self.open_request_action = self._action(
            "&Open request…", "openRequestAction", shortcut=QKeySequence.StandardKey.Open
        )
        self.change_password_action = self._action(
            "Change my &password…", "changePasswordAction", tip="Change your own password"
        )
        self.change_password_action.triggered.connect(self.open_change_password)
        self.lock_action = self._action(
            "&Lock",
            "lockAction",
            shortcut="Ctrl+L",
            tip="Lock the screen now; your password unlocks it",
        )
        self.lock_action.triggered.connect(lambda: self.lock(idle=False))
        self.sign_out_action = self._action("Sign &out", "signOutAction", tip="End your session")
        self.sign_out_action.triggered.connect(self.sign_out)
        self.quit_action = self._action(
            "&Quit", "quitAction", shortcut="Ctrl+Q", needs_records=False
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.setStatusTip("Close Detainer Desk")
        self.quit_action.triggered.connect(self.quit)

        self.check_action = self._action(
            "&Check request…", "checkRequestAction", shortcut="Ctrl+Return"
        )
        self.record_action = self._action(
            "&Record decision…", "recordDecisionAction", shortcut="Ctrl+R"
        )

        self.decision_log_action = self._action("&Decision log", "decisionLogAction")
        self.review_queue_action = self._action("&Review queue", "reviewQueueAction")
        self.active_holds_action = self._action("&Active holds", "activeHoldsAction")
        self.statistics_action = self._action("&Statistics", "statisticsAction")

        # The reports the law asks of the county, its notices, and every ICE contact.
        self.law_reports_action = self._action(
            "Reports and &notices the law asks for…", "lawReportsAction"
        )
        self.law_reports_action.triggered.connect(self.open_law_reports)
        self.contacts_action = self._action("ICE con&tacts…", "contactsAction")
        self.contacts_action.triggered.connect(self.open_contacts)
        self.contact_action = self._action("Record an ICE &contact…", "contactAction")
        self.contact_action.triggered.connect(lambda: self.open_contact(None))

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
        self.restore_action = self._action("&Restore from a backup…", "restoreAction")
        self.restore_action.triggered.connect(self.open_restore)
        # Anyone signed in may verify, as on the command line (hashes and counts only).
        self.verify_action = self._action("&Verify the record…", "verifyAction")
        self.verify_action.triggered.connect(self.open_verify)
        self.verify_checkpoint_action = self._action(
            "Verify against a chec&kpoint…", "verifyCheckpointAction"
        )
        self.verify_checkpoint_action.triggered.connect(self.open_verify_checkpoint)
        for action, tip in (
            (self.verify_action, "Recompute every entry's hash: has anything been changed?"),
            (self.verify_checkpoint_action, "Prove the record extends a signed checkpoint"),
        ):
            action.setToolTip(tip)
            action.setStatusTip(tip)
        self.database_action = self._action("&Database…", "databaseAction")
        self.database_action.triggered.connect(self.open_database)
        self.sign_in_settings_action = self._action("Sign-in and &notices…", "signInSettingsAction")
        self.sign_in_settings_action.triggered.connect(self.open_sign_in_settings)
        self.directory_action = self._action("D&irectory sign-in…", "directoryAction")
        self.directory_action.triggered.connect(self.open_directory)
        self.accounts_report_action = self._action(
            "Account &validation report…", "accountsReportAction"
        )
        self.accounts_report_action.triggered.connect(lambda: self.save_review("accounts"))
        self.audit_review_action = self._action("Audit &review report…", "auditReviewAction")
        self.audit_review_action.triggered.connect(lambda: self.save_review("audit"))
        # What each permission-guarded entry needs (the services check it again): set
        # when the records open (_guard_actions), extended by the workspace's screens.
        self._guarded: tuple[tuple[QAction, str, str], ...] = ()

        # Disabled until the records are open: it says where they are and the policy.
        self.about_action = self._action("&About Detainer Desk", "aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setStatusTip("Version, database location and active policy")
        self.about_action.triggered.connect(self.show_about)
        self.guides = UserGuides(self)  # readable before the records are open
        # F1: the guide for the screen or dialog in focus, at its section (dialogs get the
        # action too: a window-modal dialog blocks the main window's shortcuts).
        self.context_help_action = self._action(
            "&Help for this screen",
            "contextHelpAction",
            shortcut="F1",
            tip="The user guide, at the part about the screen in front",
            needs_records=False,
        )
        self.context_help_action.triggered.connect(self.open_context_help)

    def _guard_actions(self) -> None:
        from detainer_desk.domain import accounts as acc

        self._guarded = (
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
                acc.MAKE_CHECKPOINT,
                "Sign the record's current state; print and file it",
            ),
            (self.backup_action, acc.MANAGE_BACKUPS, "A checked copy of every record"),
            (self.restore_action, acc.MANAGE_BACKUPS, "Replace the records with a checked backup"),
            (self.database_action, acc.MANAGE_SETTINGS, "This computer's file or a shared server"),
            (
                self.law_reports_action,
                acc.VIEW_POLICIES,  # every role: notices for all, reports for some
                "Statutory reports (PDF and CSV) and the notices the county's law names",
            ),
            (
                self.contacts_action,
                acc.VIEW_RECORDS,
                "Every contact on the record, searchable, with its amendments",
            ),
            (
                self.contact_action,
                acc.RECORD_DECISION,
                "An interview or information request, a release date given, a transfer, ...",
            ),
            (
                self.sign_in_settings_action,
                acc.MANAGE_SETTINGS,
                "Second factor, inactive accounts, the notice before the password",
            ),
            (self.directory_action, acc.MANAGE_SETTINGS, "Sign in with LDAP / Active Directory"),
            (
                self.accounts_report_action,
                acc.MANAGE_ACCOUNTS,
                "Every account, to validate and sign yearly (PDF)",
            ),
            (
                self.audit_review_action,
                acc.VIEW_AUDIT,
                "The last 7 days' events to review weekly (PDF)",
            ),
            *self._guarded,
        )

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
                self.verify_action,
                self.verify_checkpoint_action,
            ],
        )
        # The workspace's Policy menu takes this one's place (same title, same place: the
        # menu bar does not move when it does).
        self._policy_menu_pending = self._menu("&Policy", "policyMenuPending", [])
        self.reports_menu = self._menu(
            "Rep&orts",
            "reportsMenu",
            [self.law_reports_action, None, self.contacts_action, self.contact_action],
        )
        self.admin_menu = self._menu(
            "&Admin",
            "adminMenu",
            [
                self.users_action,
                self.settings_action,
                self.sign_in_settings_action,
                self.directory_action,
                self.database_action,
                None,
                self.audit_action,
                self.audit_review_action,
                self.accounts_report_action,
                self.backup_action,
                self.restore_action,
                None,
                self.verify_action,
                self.verify_checkpoint_action,
            ],
        )
        self.help_menu = self._menu(
            "&Help",
            "helpMenu",
            [self.context_help_action, None, *self.guides.actions, None, self.about_action],
        )
        for menu in (
            self.request_menu,
            self.records_menu,
            self.reports_menu,
            self._policy_menu_pending,
        ):
            menu.menuAction().setEnabled(False)
        self.admin_menu.menuAction().setEnabled(False)

    # ------------------------------------------------------------------- frame
    def _build_frame(self) -> None:
        """The opening page in the page stack, the stack in the central area (a notice
        banner goes above it once the records are open), a status bar that says what is
        happening."""
        self.pages = QStackedWidget()
        self.pages.setObjectName("pages")
        self.opening_page: OpeningPage | None = OpeningPage()
        self.pages.addWidget(self.opening_page)
        area = QWidget()
        area.setObjectName("centralArea")
        self._central_column = QVBoxLayout(area)
        self._central_column.setContentsMargins(0, 0, 0, 0)
        self._central_column.setSpacing(0)
        # A page that needs more room than the window has (a laptop screen at 150 or 200 %)
        # scrolls, rather than making the window larger than the screen.
        size_to_current_page(self.pages)
        self._central_column.addWidget(scrolling(self.pages, "pagesScroll"), 1)
        self.setCentralWidget(area)

        status = self.statusBar()
        status.setObjectName("statusBar")
        status.setAccessibleName("Status")
        status.showMessage(OPENING_TEXT)

    # ------------------------------------------------------------- the records
    def show_sign_in_first(self, *, upgrading: bool = False) -> None:
        """The sign-in page before the records are open (a first look at the store found
        accounts): someone can start typing while the records open, and a sign-in asked
        for meanwhile is made once they are (``open_records``). With ``upgrading`` the page
        says that the records are being upgraded first."""
        if self.records_open or getattr(self, "sign_in_page", None) is not None:
            return
        self._make_sign_in_page()
        self.pages.setCurrentWidget(self.sign_in_page)
        self._remove_opening_page()
        self.sign_in_page.focus_first()
        if upgrading:
            self.sign_in_page.show_note(UPGRADING_NOTE)
            self.statusBar().showMessage(UPGRADING_STATUS)
        self._when_page_painted()

    def _make_sign_in_page(self) -> None:
        from .pages import SignInPage

        self.sign_in_page = SignInPage()
        self.sign_in_page.sign_in_requested.connect(self._sign_in)
        self.sign_in_page.resume_requested.connect(self._resume)
        self.sign_in_page.switch_user_requested.connect(self._switch_user)
        self.sign_in_page.code_submitted.connect(self._submit_code)
        self.sign_in_page.code_cancelled.connect(self._cancel_second_factor)
        self.pages.addWidget(self.sign_in_page)

    def _remove_opening_page(self) -> None:
        opening = self.opening_page
        if opening is not None:
            self.opening_page = None
            self.pages.removeWidget(opening)
            opening.deleteLater()

    def open_records(self, backend: Backend, *, workspace_later: bool = False) -> None:
        """Show the records: the set-up or sign-in page, the status bar's labels, the menus
        enabled as the session allows. The workspace is built now, or with
        ``workspace_later`` once that page has been painted (``ready`` says when)."""
        if self.records_open:
            raise RuntimeError("The records are already open in this window.")
        from .session import Session, SessionState
        from .tasks import TaskRunner

        self._set_shortcuts()
        self.backend = backend
        if self.workstation.folder is None and backend.data_dir is not None:
            self.workstation = WorkstationSettings(backend.data_dir)  # kept from now on
        self.session = Session(backend, self)
        self._policy_label = self.session.policy_label()
        self.tasks = TaskRunner(self)
        self._guard_actions()
        self.about_action.setEnabled(True)
        # Shown already (show_sign_in_first): what was typed there stays, and so does focus.
        shown_first = getattr(self, "sign_in_page", None) is not None
        if not shown_first:
            self._make_sign_in_page()
        # The system-use notice (CJIS 5.5.4) from the settings, now that they can be read:
        # before any sign-in is made (one asked for meanwhile waits for the records).
        self._show_system_use_notice()
        self._build_banner()
        self._build_status_labels()
        self.records_open = True
        if self.isVisible():
            self._watch_activity()
        self.session.changed.connect(self._render)
        self._keep_typed = shown_first
        self.sign_in_page.clear_problems()  # "upgrading" or "signing in when…": done
        self._render()
        self._keep_typed = False
        self._remove_opening_page()
        self._when_page_painted()
        if not workspace_later:
            self.build_workspace()
        elif self._records_page_painted:
            QTimer.singleShot(0, self, self.build_workspace)
        pending, self._pending_sign_in = self._pending_sign_in, None
        if pending is not None and self.session.state is SessionState.SIGNED_OUT:
            self._sign_in(*pending)

    def _when_page_painted(self) -> None:
        """Call _records_painted once the first page someone can use has been painted (once
        only, whether that page came before the records or with them)."""
        if self._page_paint_watched:
            return
        self._page_paint_watched = True
        # FirstPaint sees the paint event before the page draws itself; records_shown comes
        # once that paint (the whole window's, which Qt paints in one pass) is done.
        FirstPaint(self.pages, lambda: QTimer.singleShot(0, self, self._records_painted))

    def _records_painted(self) -> None:
        """The sign-in or set-up page has been painted (perhaps before the records opened:
        then ``open_records`` builds the workspace)."""
        self._records_page_painted = True
        self.records_shown.emit()
        if self.workspace_built:
            self.ready.emit()
        else:
            QTimer.singleShot(0, self, self.build_workspace)

    def _build_banner(self) -> None:
        from .notices import NoticeBanner

        self._notices = list(self.backend.notices)
        # Made inside the central area: a banner without a parent would show for a moment
        # as a window of its own, taking the keyboard from the page someone is typing in.
        self.notice_banner = NoticeBanner(self._notices, self.workstation, self.centralWidget())
        self._central_column.insertWidget(0, self.notice_banner)

    def add_notice(self, notice: str) -> None:
        """Something about how the records are kept, learnt after they opened (today's
        automatic backup failed): shown in the banner with the others."""
        if not self.records_open:
            return
        self._notices.append(notice)
        self.notice_banner.set_notices(self._notices)

    def _build_status_labels(self) -> None:
        from .widgets import ElidedLabel, status_separator

        status = self.statusBar()
        status.clearMessage()
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

    def _set_up_page(self) -> SetUpWizard:
        """The set-up wizard, built the first time a new store needs it."""
        page = getattr(self, "first_run_page", None)
        if page is None:
            from .wizard import SetUpWizard

            page = SetUpWizard(self.backend.database_label)
            page.submitted.connect(self._create_first_admin)
            self.pages.addWidget(page)
            self.first_run_page = page
        return page

    # --------------------------------------------------------------- workspace
    def build_workspace(self) -> None:
        """The workspace and its screens (imported here, the first time); once only."""
        if self.workspace_built or not self.records_open:
            return
        from .workspace import Workspace

        self.content_page = Workspace(self._policy_label)
        self._build_screens()
        self.pages.addWidget(self.content_page)
        self.workspace_built = True
        # After every screen's own slot: they have forgotten the previous user by then.
        self.session.changed.connect(self._land)
        self._land()
        self._update_actions()
        if self._records_page_painted:
            self.ready.emit()

    def _build_screens(self) -> None:
        """The workspace's screens, each in its own module with its own controller.

        Each screen gets the backend, the session and the task runner; it enables its own
        menu actions through ``self._guarded`` entries added here.
        """
        from detainer_desk.domain import accounts as acc

        from .intake import IntakeController, IntakeScreen
        from .policy_screen import PolicyMenu
        from .records import RecordsScreens

        # -- intake (issue: the intake officer's workflow): the view, and its controller --
        self.intake = IntakeScreen()
        intake = IntakeController(self.intake, self.session, self.tasks)
        self.intake.controller, self.intake.drafts = intake, intake.drafts.keeper
        self.content_page.add_screen(self.intake, "&Intake", "intakeScreen")
        self.intake.wants_front.connect(lambda: self.content_page.show_screen(self.intake))
        self.intake.status.connect(lambda text: self.statusBar().showMessage(text, 10_000))
        self.open_request_action.triggered.connect(intake.open_request)
        self.check_action.triggered.connect(intake.check)
        self.record_action.triggered.connect(intake.record)
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
        pending = self._policy_menu_pending.menuAction()
        self.menuBar().insertMenu(pending, self.policy.menu)
        self.menuBar().removeAction(pending)
        self._policy_menu_pending.deleteLater()

    def _show_policy(self, policy_label: str | None) -> None:
        self._policy_label = policy_label
        text = policy_status_text(policy_label)
        self.policy_status.setText(f"Policy: {text}")
        self.policy_status.setAccessibleDescription(text)
        if self.workspace_built:
            self.content_page.set_policy_label(policy_label)

    # ---------------------------------------------------------------- rendering
    def _render(self) -> None:
        """Show the page, status and menus that fit the session's state."""
        from .session import SessionState

        state = self.session.state
        actor = self.session.actor
        entering_work = state is SessionState.SIGNED_IN and self._shown_state is not state
        if state is not SessionState.SIGNED_IN:
            self.idle_timer.stop()
            if self._shown_state is not None:  # nothing to hide while the records opened
                self._close_dialogs()
                # "Decision 12 recorded." is the previous person's business, not the next one's.
                self.statusBar().clearMessage()

        if state is SessionState.FIRST_RUN:
            page: QWidget = self._set_up_page()
        elif state is SessionState.LOCKED and actor is not None:
            self.sign_in_page.set_mode(actor.user, idle=self.session.locked_by_idleness)
            page = self.sign_in_page
        elif state is SessionState.SECOND_FACTOR:
            self.sign_in_page.set_code_mode(self.session.pending_user or "")
            page = self.sign_in_page
        elif state is SessionState.ENROLMENT and self.session.enrolment is not None:
            page = self._enrolment_page()
            page.show_enrolment(self.session.enrolment)
        elif state is SessionState.SIGNED_IN:
            self.build_workspace()  # if it was left for later (each screen reads the state)
            self.sign_in_page.set_mode(None)  # nothing typed stays behind the content
            page = self.content_page
        else:
            if not self._keep_typed:
                self.sign_in_page.set_mode(None)
            page = self.sign_in_page
        enrolment = getattr(self, "enrolment_page", None)
        if enrolment is not None and page is not enrolment:
            enrolment.forget()  # the secret leaves the screen with the page
        self.pages.setCurrentWidget(page)

        status = self.session.status_text()
        self.session_status.setText(status)
        self.session_status.setAccessibleDescription(status)
        self._working = state is SessionState.SIGNED_IN
        self._update_actions()
        self._update_banner()
        self._activity_filter.watching = self._working
        self._shown_state = state

        if entering_work:
            self._show_policy(self.session.policy_label())
            self._arm_idle_timer()
        elif state is SessionState.FIRST_RUN:
            self.first_run_page.focus_first()
        elif page is self.sign_in_page and not self._keep_typed:
            self.sign_in_page.focus_first()
        elif page is getattr(self, "enrolment_page", None):
            self.enrolment_page.focus_first()
        if entering_work:
            self._remind_second_factor()

    def _enrolment_page(self) -> EnrolmentPage:
        page = getattr(self, "enrolment_page", None)
        if page is None:
            from .second_factor import EnrolmentPage

            page = EnrolmentPage()
            page.confirmed.connect(self._confirm_enrolment)
            page.cancelled.connect(self._cancel_second_factor)
            self.pages.addWidget(page)
            self.enrolment_page = page
        return page

    def _show_system_use_notice(self) -> None:
        """The system-use notice (CJIS 5.5.4) on the sign-in page, from the settings."""
        from detainer_desk.services.access import RecordError
        from detainer_desk.services.notices import DEFAULT_NOTICE, system_use_notice

        try:
            text = system_use_notice(self.backend.uow())
        except RecordError:
            text = DEFAULT_NOTICE  # a store that cannot be read still shows the notice
        self.sign_in_page.set_notice(text)

    def _remind_second_factor(self) -> None:
        """An administrator of an installation that does not require a second factor is
        told so in the status bar at every sign-in (CJIS 5.6.2.2). Not in the notice banner:
        a notice dismissed there stays dismissed on the workstation, and this one should
        come back until the setting is changed."""
        from detainer_desk.domain import accounts as acc
        from detainer_desk.services import second_factor as factors

        if self.session.may(acc.MANAGE_SETTINGS) and not factors.is_required(self.session.uow()):
            self.statusBar().showMessage(factors.NOT_REQUIRED_REMINDER, 60_000)

    def _land(self) -> None:
        """Show each person their role's start screen when they sign in (not the tab the
        previous person left open); a session resumed at the lock screen stays where it was."""
        from .session import SessionState
        from .workspace import INTAKE, LOG, REVIEW, start_screen

        state, actor = self.session.state, self.session.actor
        if state is SessionState.LOCKED or not self.workspace_built:
            return
        if state is not SessionState.SIGNED_IN or actor is None:
            self._landed_for = None
            return
        if actor.user == self._landed_for:
            return
        self._landed_for = actor.user
        screens = {INTAKE: self.intake, LOG: self.records.log, REVIEW: self.records.review}
        screen = screens.get(start_screen(actor.roles), self.content_page.welcome)
        self.content_page.welcome.show_tasks(self._admin_tasks())
        self.content_page.show_screen(screen)
        if screen is self.intake:
            self.intake.request_page.first_field().setFocus()

    def _admin_tasks(self) -> list[QAction]:
        """What an administrator does, for Home: the entries this person may use."""
        candidates = [
            self.users_action,
            self.settings_action,
            self.policy.in_force_action,
            self.policy.activate_action,
            self.audit_action,
            self.backup_action,
        ]
        from detainer_desk.domain import accounts as acc

        if not self.session.may(acc.MANAGE_ACCOUNTS):
            return []
        self._update_actions()
        self.policy.update_actions()
        return [action for action in candidates if action.isEnabled()]

    def _update_actions(self) -> None:
        if not self.records_open:
            return
        working = self._working
        for menu in (self.request_menu, self.records_menu, self.reports_menu, self.admin_menu):
            menu.menuAction().setEnabled(working)
        for action in (
            self.change_password_action,
            self.lock_action,
            self.sign_out_action,
            self.verify_action,
            self.verify_checkpoint_action,
        ):
            action.setEnabled(working)
        for action, permission, tip in self._guarded:
            allowed = self.session.may(permission)
            action.setEnabled(allowed)
            shown = tip if allowed else roles_needed_text(permission)
            action.setToolTip(shown)
            action.setStatusTip(shown)

    def _update_banner(self) -> None:
        """How the records are kept is an administrator's matter: only they see it."""
        from detainer_desk.domain import accounts as acc

        self.notice_banner.set_administrator(self.session.may(acc.MANAGE_BACKUPS))

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
        if not self._working:
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
        if not self.records_open:
            return False
        from detainer_desk.services.access import RecordError

        from .widgets import plain_sentence

        try:
            return self.session.lock(idle)
        except RecordError as refused:
            # The screen is locked all the same; only the audit entry is missing.
            self.sign_in_page.show_error(
                f"The lock could not be recorded: {plain_sentence(str(refused))}"
            )
            return True

    def sign_out(self) -> None:
        """File › Sign out: with a request on screen that is not recorded, ask first (keep
        it as a draft, discard it, or stay)."""
        if not self._asked_before_leaving("Sign out", self._sign_out_now):
            self._sign_out_now()

    def _sign_out_now(self) -> None:
        self._end_session("signed out", "{user} signed out.")

    def quit(self) -> None:
        """File › Quit (Ctrl+Q): as closing the window, asking first about a draft."""
        if not self._asked_before_leaving("Close Detainer Desk", self._close):
            self.close()

    def _close(self) -> None:
        self.close()

    def _asked_before_leaving(self, leaving: str, then: Callable[[], None]) -> bool:
        """True when a question about unsaved work was opened (``then`` runs once answered
        with Keep or Discard); False when there was nothing to ask."""
        if not (self.records_open and self.workspace_built):
            return False
        return self.intake.drafts.ask_before_leaving(leaving, then) is not None

    def _end_session(self, reason: str, note: str) -> None:
        actor = self.session.actor if self.records_open else None
        if actor is None:
            return
        from detainer_desk.services.access import RecordError

        from .widgets import plain_sentence

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
        from detainer_desk.services.access import RecordError

        from .forms import FieldProblems
        from .session import SessionState
        from .widgets import plain_sentence
        from .wizard import announce_set_up, complete_set_up

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
        if not self.records_open:  # the sign-in page showed first: made once they open
            self._pending_sign_in = (user_name, password)
            self.sign_in_page.show_note(SIGNING_IN_SOON)
            return
        from detainer_desk.services.access import RecordError

        from .forms import FieldProblems
        from .widgets import plain_sentence

        try:
            self.session.sign_in(user_name, password)
        except FieldProblems as problems:
            self.sign_in_page.show_problems(problems.problems)
        except RecordError as refused:
            self.sign_in_page.show_error(plain_sentence(str(refused)))

    def _resume(self, password: str) -> None:
        from detainer_desk.services.access import RecordError

        from .forms import FieldProblems
        from .widgets import plain_sentence

        try:
            self.session.resume(password)
        except FieldProblems as problems:
            self.sign_in_page.show_problems(problems.problems)
        except RecordError as refused:
            self.sign_in_page.show_error(plain_sentence(str(refused)))

    def _switch_user(self) -> None:
        self._end_session(REPLACED_AT_LOCK_SCREEN, "{user} was signed out.")

    def _submit_code(self, code: str) -> None:
        from detainer_desk.services.access import RecordError

        from .forms import FieldProblems
        from .widgets import plain_sentence

        try:
            self.session.submit_code(code)
        except FieldProblems as problems:
            self.sign_in_page.show_problems(problems.problems)
        except RecordError as refused:
            self.sign_in_page.show_error(plain_sentence(str(refused)))

    def _confirm_enrolment(self, code: str) -> None:
        from detainer_desk.services.access import RecordError

        from .forms import FieldProblems
        from .second_factor import RecoveryCodesDialog
        from .session import SessionState
        from .widgets import plain_sentence

        page = self.enrolment_page
        try:
            codes = self.session.confirm_enrolment(code)
        except FieldProblems as problems:
            page.show_problems(problems.problems)
        except RecordError as refused:
            if self.session.state is SessionState.ENROLMENT:
                page.show_error(plain_sentence(str(refused)))
            else:
                self.sign_in_page.show_error(plain_sentence(str(refused)))
        else:
            self.recovery_codes_dialog = RecoveryCodesDialog(codes, self)
            self._open_dialog(self.recovery_codes_dialog)

    def _cancel_second_factor(self) -> None:
        self.session.cancel_second_factor()

    # ------------------------------------------------------------------ dialogs
    def _open_dialog(self, dialog: QDialog) -> QDialog:
        # Ctrl+L locks from inside a dialog too; F1 opens the guide about it.
        dialog.addAction(self.lock_action)
        dialog.addAction(self.context_help_action)
        dialog.open()
        return dialog

    def _may(self, permission: str) -> bool:
        return self.records_open and self.session.may(permission)

    def open_users(self) -> UsersDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.MANAGE_ACCOUNTS):
            return None
        from .users import UsersDialog

        dialog = UsersDialog(self.session, self)
        self._open_dialog(dialog)
        return dialog

    def open_law_reports(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.VIEW_POLICIES):
            return None
        from .law_reports import LawReportsDialog

        dialog = LawReportsDialog(self.session, self.tasks, self)
        self._open_dialog(dialog)
        return dialog

    def open_contacts(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.VIEW_RECORDS):
            return None
        from .law_reports import ContactsDialog

        dialog = ContactsDialog(self.session, self)
        self._open_dialog(dialog)
        return dialog

    def open_contact(self, decision_id: int | None = None) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.RECORD_DECISION):
            return None
        from .law_reports import ContactDialog

        dialog = ContactDialog(self.session, self, decision_id)

        def recorded() -> None:
            if dialog.recorded is not None:
                self.statusBar().showMessage(
                    f"Contact {dialog.recorded.contact_id} recorded. "
                    f"The policy's answer: {dialog.recorded.policy_answer}",
                    10_000,
                )

        dialog.accepted.connect(recorded)
        self._open_dialog(dialog)
        return dialog

    def open_settings(self) -> SettingsDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.MANAGE_SETTINGS):
            return None
        from .dialogs import SettingsDialog

        dialog = SettingsDialog(self.session, self)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        self._open_dialog(dialog)
        return dialog

    def open_sign_in_settings(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.MANAGE_SETTINGS):
            return None
        from .access_admin import SignInSettingsDialog

        dialog = SignInSettingsDialog(self.session, self)
        dialog.accepted.connect(self._sign_in_settings_saved)
        self._open_dialog(dialog)
        return dialog

    def open_directory(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.MANAGE_SETTINGS):
            return None
        from .access_admin import DirectoryDialog

        dialog = DirectoryDialog(self.session, self)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Directory sign-in saved.", 10_000)
        )
        self._open_dialog(dialog)
        return dialog

    def save_review(self, kind: str) -> None:
        """Admin › Account validation / Audit review report: a PDF saved where asked."""
        from detainer_desk.services.access import RecordError

        from .access_admin import save_review_pdf
        from .widgets import plain_sentence

        if not self._working:
            return
        try:
            said = save_review_pdf(self, self.session, kind)
        except RecordError as refused:
            from PySide6.QtWidgets import QMessageBox

            QMessageBox.warning(self, "Report not saved", plain_sentence(str(refused)))
            return
        if said:
            self.statusBar().showMessage(said, 15_000)

    def _sign_in_settings_saved(self) -> None:
        self._show_system_use_notice()
        self._remind_second_factor()
        self.statusBar().showMessage("Sign-in settings saved.", 10_000)

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        if self._working:
            self._arm_idle_timer()
        message = "Settings saved."
        saved = dialog.saved
        if saved is not None and saved.reactivated is not None:
            # A new timezone: the policy in force was activated again in it.
            self._show_policy(self.session.policy_label())
            policy = saved.reactivated.activation.policy
            message += (
                f" The policy in force, {policy.name}, was activated again in the county's "
                f"new timezone (version {policy.id})."
            )
        self.statusBar().showMessage(message, 10_000)

    def _open_evidence(self, make: Callable[..., QDialog], permission: str) -> QDialog | None:
        actor = self.session.actor if self.records_open else None
        if actor is None or not self.session.may(permission):
            return None
        dialog = make(self.backend, actor, self.tasks, self)
        self._open_dialog(dialog)
        return dialog

    def open_export(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        from .evidence import ExportDialog

        return self._open_evidence(ExportDialog, acc.EXPORT_RECORDS)

    def open_checkpoint(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        from .evidence import CheckpointDialog

        return self._open_evidence(CheckpointDialog, acc.MAKE_CHECKPOINT)

    def open_backup(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        from .evidence import BackupDialog

        return self._open_evidence(BackupDialog, acc.MANAGE_BACKUPS)

    def open_restore(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        from .verification import RestoreDialog

        dialog = self._open_evidence(RestoreDialog, acc.MANAGE_BACKUPS)
        if isinstance(dialog, RestoreDialog):
            dialog.restored.connect(self._after_restore)
        return dialog

    def _after_restore(self, words: str) -> None:
        """The records were replaced: everyone signs in again, to the restored records
        (the accounts may be others now)."""
        actor = self.session.actor
        if actor is not None:
            from detainer_desk.services.access import RecordError

            try:
                self.session.sign_out("records restored")
            except RecordError:
                log.warning("The sign-out after a restore could not be recorded", exc_info=True)
        self._show_policy(self.session.policy_label())
        self.sign_in_page.show_note(words)

    def _open_verification(self, *, against_checkpoint: bool) -> QDialog | None:
        actor = self.session.actor if self.records_open else None
        if actor is None or not self._working:
            return None
        from .verification import VerifyDialog

        dialog = VerifyDialog(
            self.backend, actor, self.tasks, self, against_checkpoint=against_checkpoint
        )
        self._open_dialog(dialog)
        return dialog

    def open_verify(self) -> QDialog | None:
        return self._open_verification(against_checkpoint=False)

    def open_verify_checkpoint(self) -> QDialog | None:
        return self._open_verification(against_checkpoint=True)

    def open_database(self) -> QDialog | None:
        from detainer_desk.domain import accounts as acc

        from .database import DatabaseDialog

        if not self.records_open or self.backend.data_dir is None:
            return None
        return self._open_evidence(DatabaseDialog, acc.MANAGE_SETTINGS)

    def open_audit_trail(self) -> AuditTrailDialog | None:
        from detainer_desk.domain import accounts as acc

        if not self._may(acc.VIEW_AUDIT):
            return None
        from .audit_trail import AuditTrailDialog

        dialog = AuditTrailDialog(self.session, self, tasks=self.tasks)
        self._open_dialog(dialog)
        return dialog

    def open_change_password(self) -> ChangePasswordDialog | None:
        if not self._working:
            return None
        from .dialogs import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.session, self)
        dialog.accepted.connect(
            lambda: self.statusBar().showMessage("Your password was changed.", 10_000)
        )
        self._open_dialog(dialog)
        return dialog

    def open_context_help(self) -> QDialog:
        """F1: the guide for whatever has the keyboard focus (or the active window)."""
        from PySide6.QtWidgets import QApplication

        focused: QWidget | None = QApplication.focusWidget() or QApplication.activeWindow()
        if focused is None or focused is self or focused is self.centralWidget():
            focused = self.pages.currentWidget()
        if self.workspace_built and focused in (self.content_page, self.content_page.tabBar()):
            focused = self.content_page.currentWidget()  # the tabs: the screen in front
        actor = self.session.actor if self.records_open else None
        roles = actor.roles if actor is not None and self._working else frozenset()
        return self.guides.open_for(focused, roles)

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
    def show_placed(self) -> None:
        """Show the window where it was placed: maximised on a first start on a small
        screen (a remembered maximised state is restored by Qt itself)."""
        if self.start_maximised:
            self.showMaximized()
        else:
            self.show()

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.was_painted:
            self.was_painted = True
            self.painted.emit()
            QTimer.singleShot(0, self._set_shortcuts)

    def showEvent(self, event: QShowEvent) -> None:
        if self.records_open:
            self._watch_activity()
        super().showEvent(event)
        if not self._kept_on_screen and self.workstation.restored:
            # A remembered place, now that the frame is known: whole on a screen.
            self._kept_on_screen = True
            self.workstation.keep_frame_on_screen(self)

    def _watch_activity(self) -> None:
        # Installed while the window is open (installing twice keeps one filter), and only
        # once the records are: a Python filter on every event slows the first paint.
        app = QCoreApplication.instance()
        if app is not None:
            app.installEventFilter(self._activity_filter)

    def closeEvent(self, event: QCloseEvent) -> None:
        # The person closed the window (its X, Alt+F4: a spontaneous event from the window
        # system) with a request that is not recorded: ask first. The program's own closes
        # (Quit after asking, a shutdown) go on at once; the draft is saved either way.
        if event.spontaneous() and self._asked_before_leaving("Close Detainer Desk", self._close):
            event.ignore()
            return
        self.workstation.remember(self)  # where it was: the next start opens there
        if self.workspace_built:
            self.intake.drafts.flush()
        self.idle_timer.stop()
        app = QCoreApplication.instance()
        if app is not None:
            app.removeEventFilter(self._activity_filter)
        self._activity_filter.watching = False
        if self.records_open and self.session.actor is not None:
            from detainer_desk.services.access import RecordError

            try:
                self.session.sign_out("closed the program")
            except RecordError:
                # Closing must not be stopped by a store that cannot be written.
                log.warning("The sign-out on closing could not be recorded", exc_info=True)
        super().closeEvent(event)
