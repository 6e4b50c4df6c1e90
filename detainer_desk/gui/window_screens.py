"""The workspace's screens in the main window: built once (intake, the records screens, the
policy screen, each in its own module with its own controller), wired to the window's menus,
and the start screen each person lands on when they sign in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from detainer_desk.domain import accounts as acc

from .intake import IntakeController, IntakeScreen
from .policy_screen import PolicyMenu
from .records import RecordsScreens
from .session import SessionState
from .workspace import INTAKE, LOG, REVIEW, Workspace, start_screen

if TYPE_CHECKING:
    from PySide6.QtGui import QAction

    from .main_window import MainWindow
    from .session import Session
    from .tasks import TaskRunner


class WorkspaceScreens:
    """Builds the screens into ``window.content_page`` and gives them the window's
    ``intake``, ``records`` and ``policy`` attributes; each screen enables its own menu
    entries through the window's menu access."""

    def __init__(self, window: MainWindow, session: Session, tasks: TaskRunner) -> None:
        self.window = window
        self.session = session
        self._landed_for: str | None = None  # who was shown their start screen (land)
        w = window
        w.content_page = workspace = Workspace(w.status.policy_label)
        w.status.workspace = workspace

        # -- intake (the intake officer's workflow): the view, and its controller over it --
        w.intake = screen = IntakeScreen()
        intake = IntakeController(screen, session, tasks)
        screen.controller, screen.drafts = intake, intake.drafts.keeper
        workspace.add_screen(screen, "&Intake", "intakeScreen")
        screen.wants_front.connect(lambda: workspace.show_screen(screen))
        screen.status.connect(lambda text: w.statusBar().showMessage(text, 10_000))
        w.open_request_action.triggered.connect(intake.open_request)
        w.check_action.triggered.connect(intake.check)
        w.record_action.triggered.connect(intake.record)
        file_actions = w.file_menu.actions()
        after_open = file_actions[file_actions.index(w.open_request_action) + 1]
        w.file_menu.insertAction(w.open_request_action, screen.new_action)
        w.file_menu.insertMenu(after_open, screen.recent_menu)
        w.file_menu.insertAction(after_open, screen.save_action)
        w.menu_access.guard(
            (screen.new_action, acc.VIEW_RECORDS, "Start a new, empty request"),
            (screen.recent_menu.menuAction(), acc.VIEW_RECORDS, "Request files used lately"),
            (screen.save_action, acc.VIEW_RECORDS, "Save the request as a file"),
        )
        # -- decision log, review queue, active holds, statistics (supervisors) --
        open_dialog = w.dialogs.open_dialog
        w.records = RecordsScreens(session, tasks, workspace, w, open_dialog=open_dialog)
        w.decision_log_action.triggered.connect(w.records.show_log)
        w.review_queue_action.triggered.connect(w.records.show_review)
        w.active_holds_action.triggered.connect(w.records.show_holds)
        w.statistics_action.triggered.connect(w.records.show_statistics)
        # -- the policy screen: its menu enables its own entries, in place of the pending one --
        w.policy = PolicyMenu(session, tasks, w, open_dialog=open_dialog)
        w.policy.policy_changed.connect(lambda: w.status.show_policy(session.policy_label()))
        w.replace_pending_policy_menu(w.policy.menu)

    def land(self) -> None:
        """Show each person their role's start screen when they sign in (not the tab the
        previous person left open); a session resumed at the lock screen stays where it was."""
        w = self.window
        state, actor = self.session.state, self.session.actor
        if state is SessionState.LOCKED:
            return
        if state is not SessionState.SIGNED_IN or actor is None:
            self._landed_for = None
            return
        if actor.user == self._landed_for:
            return
        self._landed_for = actor.user
        screens = {INTAKE: w.intake, LOG: w.records.log, REVIEW: w.records.review}
        screen = screens.get(start_screen(actor.roles), w.content_page.welcome)
        w.content_page.welcome.show_tasks(self._admin_tasks())
        w.content_page.show_screen(screen)
        if screen is w.intake:
            w.intake.request_page.first_field().setFocus()

    def _admin_tasks(self) -> list[QAction]:
        """What an administrator does, for Home: the entries this person may use."""
        w = self.window
        candidates = [
            w.users_action,
            w.settings_action,
            w.policy.in_force_action,
            w.policy.activate_action,
            w.audit_action,
            w.backup_action,
        ]
        if not self.session.may(acc.MANAGE_ACCOUNTS):
            return []
        w.update_actions()
        w.policy.update_actions()
        return [action for action in candidates if action.isEnabled()]
