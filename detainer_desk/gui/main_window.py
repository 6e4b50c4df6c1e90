"""The main window: one stack of pages, a menu bar and a status bar.

Pages: "Opening the records…" (while the record store opens, ``opening.py``), setting up
the first administrator (only while no account exists), signing in (also the locked
screen), and the workspace with its screens. The window decides which page shows for the
session's state (``window_navigation.py``); the session calls the use cases, which decide what is
allowed and keep the audit trail.

The window is built in three steps, so that it shows as soon as Qt is up:

1. ``MainWindow()``: the frame (title, menus, status bar) and the opening page. This
   module and what it imports at the top are Qt only, cheap to import: no SQLAlchemy,
   services or screens (``gui/app.py`` shows the frame before the store is opened), and
   nothing that touches ``Qt`` (the flags namespace, some 15 ms on first use). Every menu
   entry that needs the records is disabled.
2. ``open_records(backend)``: the session, the sign-in page (or the set-up wizard on a new
   store) and the window's parts that need the records, each in its own module, imported
   here: ``window_status`` (the status bar's labels and the notice banner),
   ``window_menus`` (what each menu entry needs), ``window_sign_in`` (what the sign-in,
   set-up and enrolment pages ask), ``window_lock`` (the session lock, signing out),
   ``window_dialogs`` (every dialog a menu entry opens). When a first look at the store
   found accounts, the sign-in page comes before the records are open
   (``show_sign_in_first``): what is typed there stays, and a sign-in asked for meanwhile
   is made as soon as they are.
3. ``build_workspace()``: the workspace and its screens (intake, records, policy:
   ``window_screens``). ``open_records`` builds it at once, or, with
   ``workspace_later=True``, once the sign-in page has been painted; it is built at the
   latest when someone signs in.

``MainWindow(backend)`` takes all three steps at once.

The screen locks after a period without keyboard or mouse activity, or at once with
File › Lock (``window_lock.py``). Locking hides every page that shows records and closes
every open dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QStackedWidget, QVBoxLayout, QWidget

from .fit import available_area, scrolling, size_to_current_page
from .help import UserGuides, about_text, show_about
from .opening import OPENING_TEXT, FirstPaint, OpeningPage
from .workstation import WorkstationSettings

if TYPE_CHECKING:
    from pathlib import Path

    from PySide6.QtCore import QObject
    from PySide6.QtGui import QCloseEvent, QPaintEvent, QShowEvent
    from PySide6.QtWidgets import QMessageBox

    from .backend import Backend
    from .intake import IntakeScreen
    from .notices import NoticeBanner
    from .pages import SignInPage
    from .policy_screen import PolicyMenu
    from .records import RecordsScreens
    from .second_factor import EnrolmentPage
    from .session import Opening, Session
    from .tasks import TaskRunner
    from .widgets import ElidedLabel
    from .window_dialogs import WindowDialogs
    from .window_lock import SessionLock
    from .window_menus import MenuAccess
    from .window_navigation import Navigation
    from .window_screens import WorkspaceScreens
    from .window_sign_in import SignInRequests
    from .window_status import WindowStatus
    from .wizard import SetUpWizard
    from .workspace import Workspace

__all__ = ["APP_TITLE", "MainWindow"]

APP_TITLE = "Detainer Desk"
UPGRADING_NOTE = (
    "The records are being upgraded for this version of Detainer Desk; a backup copy is "
    "made first. You can sign in as soon as that is done."
)
UPGRADING_STATUS = "Upgrading the records (a backup copy is made first)…"
SIGNING_IN_SOON = "Signing in as soon as the records are open…"
# The smallest the window may be made (or less, on a smaller screen); below what a page
# needs, the page scrolls.
MINIMUM_WIDTH, MINIMUM_HEIGHT = 560, 360


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
    status: WindowStatus  # the status bar's labels and the notice banner
    menu_access: MenuAccess  # what each menu entry needs
    sign_in_requests: SignInRequests  # what the sign-in, set-up and enrolment pages ask
    lockout: SessionLock  # the session lock; signing out
    dialogs: WindowDialogs  # every dialog a menu entry opens
    navigation: Navigation  # which page shows, for the session's state
    screens: WorkspaceScreens
    sign_in_page: SignInPage
    first_run_page: SetUpWizard  # only while the store has no account (FIRST_RUN)
    enrolment_page: EnrolmentPage  # only once someone enrols a second factor
    recovery_codes_dialog: QDialog
    # The entries of the Request, Records, Reports and Admin menus (window_menus.py).
    check_action: QAction
    record_action: QAction
    decision_log_action: QAction
    review_queue_action: QAction
    active_holds_action: QAction
    statistics_action: QAction
    law_reports_action: QAction
    contacts_action: QAction
    contact_action: QAction
    users_action: QAction
    settings_action: QAction
    audit_action: QAction
    export_action: QAction
    checkpoint_action: QAction
    backup_action: QAction
    restore_action: QAction
    verify_action: QAction
    verify_checkpoint_action: QAction
    database_action: QAction
    sign_in_settings_action: QAction
    directory_action: QAction
    accounts_report_action: QAction
    audit_review_action: QAction
    idle_timer: QTimer
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
        self.working = False  # someone is signed in and the screen is not locked
        self.records_open = False
        self.workspace_built = False
        self.was_painted = False
        self._records_page_painted = False
        self._page_paint_watched = False
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
        tip: str | None = None,
        needs_records: bool = True,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        if shortcut is not None:
            self._shortcuts.append((action, shortcut))
        if tip is not None:
            action.setToolTip(tip)
            action.setStatusTip(tip)
        if needs_records:  # enabled (or not) by update_actions once the records are open
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
        """The File and Help menus' entries. The other menus' are made when the records
        open (``window_menus.py``), and the entries that open a dialog are connected then
        (``WindowDialogs.wire_menus``)."""
        # Shortcuts as text, not Qt.Modifier | Qt.Key: see the module's note.
        self.open_request_action = self._action(
            "&Open request…", "openRequestAction", shortcut=QKeySequence.StandardKey.Open
        )
        self.change_password_action = self._action(
            "Change my &password…", "changePasswordAction", tip="Change your own password"
        )
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
        # Filled, and enabled as the session allows, once the records are open (MenuAccess).
        self.request_menu = self._menu("&Request", "requestMenu", [])
        self.records_menu = self._menu("Re&cords", "recordsMenu", [])
        # The workspace's Policy menu takes this one's place (same title, same place: the
        # menu bar does not move when it does).
        self._policy_menu_pending = self._menu("&Policy", "policyMenuPending", [])
        self.reports_menu = self._menu("Rep&orts", "reportsMenu", [])
        self.admin_menu = self._menu("&Admin", "adminMenu", [])
        self.help_menu = self._menu(
            "&Help",
            "helpMenu",
            [self.context_help_action, None, *self.guides.actions, None, self.about_action],
        )
        for menu in (
            self.request_menu,
            self.records_menu,
            self._policy_menu_pending,
            self.reports_menu,
            self.admin_menu,
        ):
            menu.menuAction().setEnabled(False)

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

    def replace_pending_policy_menu(self, menu: QMenu) -> None:
        """The workspace's Policy menu, in the place kept for it (the bar does not move)."""
        pending = self._policy_menu_pending.menuAction()
        self.menuBar().insertMenu(pending, menu)
        self.menuBar().removeAction(pending)
        self._policy_menu_pending.deleteLater()

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
        self.pages.addWidget(self.sign_in_page)

    def _sign_in(self, user_name: str, password: str) -> None:
        if not self.records_open:  # the sign-in page showed first: made once they open
            self._pending_sign_in = (user_name, password)
            self.sign_in_page.show_note(SIGNING_IN_SOON)
            return
        self.sign_in_requests.sign_in(user_name, password)

    def _remove_opening_page(self) -> None:
        opening = self.opening_page
        if opening is not None:
            self.opening_page = None
            self.pages.removeWidget(opening)
            opening.deleteLater()

    def open_records(
        self, backend: Backend, *, workspace_later: bool = False, opening: Opening | None = None
    ) -> None:
        """Show the records: the set-up or sign-in page, the status bar's labels, the menus
        enabled as the session allows. The workspace is built now, or with
        ``workspace_later`` once that page has been painted (``ready`` says when).
        ``opening`` (``session.read_opening``) was read in the background with the records;
        without it, it is read now."""
        if self.records_open:
            raise RuntimeError("The records are already open in this window.")
        from .session import Session, SessionState
        from .tasks import TaskRunner

        self._set_shortcuts()
        self.backend = backend
        if self.workstation.folder is None and backend.data_dir is not None:
            self.workstation = WorkstationSettings(backend.data_dir)  # kept from now on
        self.tasks = TaskRunner(self)
        self.session = session = Session(backend, self, self.tasks, opening)
        session.follow_changes(self.tasks.changes)
        # Shown already (show_sign_in_first): what was typed there stays, and so does focus.
        shown_first = getattr(self, "sign_in_page", None) is not None
        if not shown_first:
            self._make_sign_in_page()
        self._build_parts(backend, session)
        self.records_open = True
        if self.isVisible():
            self.lockout.watch()
        session.changed.connect(self.navigation.render)
        session.working_changed.connect(self.sign_in_requests.show_working)
        session.standing_read.connect(self._standing_read)
        self.sign_in_page.clear_problems()  # "upgrading" or "signing in when…": done
        self.navigation.render(keep_typed=shown_first)
        self._remove_opening_page()
        self._when_page_painted()
        if not workspace_later:
            self.build_workspace()
        elif self._records_page_painted:
            QTimer.singleShot(0, self, self.build_workspace)
        pending, self._pending_sign_in = self._pending_sign_in, None
        if pending is not None and session.state is SessionState.SIGNED_OUT:
            self._sign_in(*pending)

    def _build_parts(self, backend: Backend, session: Session) -> None:
        """The window's parts that need the records, each in its own module."""
        from .window_dialogs import WindowDialogs
        from .window_lock import SessionLock
        from .window_menus import MenuAccess
        from .window_navigation import Navigation
        from .window_sign_in import SignInRequests
        from .window_status import WindowStatus

        self.menu_access = MenuAccess(self, session)
        self.lockout = SessionLock(self, session, self._idle_interval_ms)
        self.idle_timer = self.lockout.idle_timer
        self.dialogs = WindowDialogs(self, backend, session, self.tasks)
        self.dialogs.wire_menus()
        self.sign_in_requests = SignInRequests(self, backend, session)
        self.navigation = Navigation(self, session)
        self.about_action.setEnabled(True)
        self.sign_in_requests.connect(self.sign_in_page)
        # The system-use notice (CJIS 5.5.4) from the settings, now that they can be read:
        # before any sign-in is made (one asked for meanwhile waits for the records).
        self.sign_in_page.set_notice(session.opening.notice)
        self.status = status = WindowStatus(
            backend,
            session,
            self.statusBar(),
            self.workstation,
            self.centralWidget(),
            self._central_column,
        )
        self.notice_banner, self.database_status = status.notice_banner, status.database_status
        self.policy_status, self.session_status = status.policy_status, status.session_status

    def _standing_read(self) -> None:
        """The policy label or the lock's timeout was read again (it changed)."""
        self.status.show_policy(self.session.policy_label())
        self.lockout.rearm()

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

    def add_notice(self, notice: str) -> None:
        """Something about how the records are kept, learnt after they opened (today's
        automatic backup failed): shown in the banner with the others."""
        if self.records_open:
            self.status.add_notice(notice)

    # --------------------------------------------------------------- workspace
    def build_workspace(self) -> None:
        """The workspace and its screens (imported here, the first time); once only."""
        if self.workspace_built or not self.records_open:
            return
        from .window_screens import WorkspaceScreens

        self.screens = WorkspaceScreens(self, self.session, self.tasks)
        self.pages.addWidget(self.content_page)
        self.workspace_built = True
        # After every screen's own slot: they have forgotten the previous user by then.
        self.session.changed.connect(self.screens.land)
        self.screens.land()
        self.update_actions()
        if self._records_page_painted:
            self.ready.emit()

    def update_actions(self) -> None:
        if self.records_open:
            self.menu_access.update(self.working)

    # ------------------------------------------------------ what the menus do
    def lock(self, idle: bool = True) -> bool:
        """Lock the screen (audited); False when nobody is signed in."""
        return self.records_open and self.lockout.lock(idle)

    def sign_out(self) -> None:
        """File › Sign out: with a request on screen that is not recorded, ask first (keep
        it as a draft, discard it, or stay)."""
        if self.records_open:
            self.lockout.sign_out()

    def quit(self) -> None:
        """File › Quit (Ctrl+Q): as closing the window, asking first about a draft."""
        if not self._asked_before_leaving("Close Detainer Desk", self._close):
            self.close()

    def _close(self) -> None:
        self.close()

    def _asked_before_leaving(self, leaving: str, then: Callable[[], None]) -> bool:
        return self.records_open and self.lockout.asked_before_leaving(leaving, then)

    def open_context_help(self) -> QDialog:
        """F1: the guide for whatever has the keyboard focus (or the active window)."""
        from PySide6.QtWidgets import QApplication

        focused: QWidget | None = QApplication.focusWidget() or QApplication.activeWindow()
        if focused is None or focused is self or focused is self.centralWidget():
            focused = self.pages.currentWidget()
        if self.workspace_built and focused in (self.content_page, self.content_page.tabBar()):
            focused = self.content_page.currentWidget()  # the tabs: the screen in front
        actor = self.session.actor if self.records_open else None
        roles = actor.roles if actor is not None and self.working else frozenset()
        return self.guides.open_for(focused, roles)

    def about_text(self) -> str:
        from detainer_desk.logs import current_log_file

        from .window_status import policy_status_text

        return about_text(
            self.backend.database_label,
            policy_status_text(self.status.policy_label),
            current_log_file(),
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
            self.lockout.watch()
        super().showEvent(event)
        if not self._kept_on_screen and self.workstation.restored:
            # A remembered place, now that the frame is known: whole on a screen.
            self._kept_on_screen = True
            self.workstation.keep_frame_on_screen(self)

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
        if self.records_open:
            self.lockout.stop()
            self.lockout.sign_out_on_closing()
        super().closeEvent(event)
