"""The main window's menus that need the records (Request, Records, Reports, Admin), filled
when the records open, and what each menu entry needs.

Before the records are open these menus are shown, empty and disabled: the window builds
only the File and Help menus before its first paint (``main_window.py``). An entry guarded
by a permission is enabled only for someone whose roles give it (and says which roles would,
when it is not); the rest need only someone signed in at an unlocked screen. The services
check every permission again: the menus only follow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu

from detainer_desk.domain import accounts as acc

if TYPE_CHECKING:
    from .main_window import MainWindow
    from .session import Session

Guarded = tuple["QAction", str, str]  # the entry, the permission it needs, what it does


def roles_needed_text(permission: str) -> str:
    roles = [role for role in acc.ROLES if permission in acc.PERMISSIONS[role]]
    return f"Needs the {' or '.join(roles)} role"


def _entry(window: MainWindow, text: str, name: str, shortcut: str = "", tip: str = "") -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    action.setEnabled(False)  # until update() says
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setToolTip(tip)
        action.setStatusTip(tip)
    return action


def _fill(menu: QMenu, actions: list[QAction | None]) -> None:
    for action in actions:
        if action is None:
            menu.addSeparator()
        else:
            menu.addAction(action)


class MenuAccess:
    def __init__(self, window: MainWindow, session: Session) -> None:
        self.window = window
        self.session = session
        self._build_entries(window)
        w = window
        self.guarded: tuple[Guarded, ...] = (
            (w.open_request_action, acc.VIEW_RECORDS, "Open a request file into the form"),
            (w.check_action, acc.VIEW_RECORDS, "Check the request against the policy"),
            (w.record_action, acc.RECORD_DECISION, "Record the decision with its scans"),
            (w.users_action, acc.MANAGE_ACCOUNTS, "Add accounts, change roles, unlock"),
            (w.settings_action, acc.MANAGE_SETTINGS, "County, jail, timezone, alerts, lock"),
            (w.audit_action, acc.VIEW_AUDIT, "Who did what, when and where"),
            (w.decision_log_action, acc.VIEW_RECORDS, "Every decision: search, filter, sort"),
            (w.review_queue_action, acc.REVIEW_DECISION, "Decisions waiting for a supervisor"),
            (w.active_holds_action, acc.VIEW_RECORDS, "Everyone held, with the time left"),
            (w.statistics_action, acc.VIEW_RECORDS, "Requests and outcomes by week and month"),
            (w.export_action, acc.EXPORT_RECORDS, "A verified, hashed bundle for counsel"),
            (
                w.checkpoint_action,
                acc.MAKE_CHECKPOINT,
                "Sign the record's current state; print and file it",
            ),
            (w.backup_action, acc.MANAGE_BACKUPS, "A checked copy of every record"),
            (w.restore_action, acc.MANAGE_BACKUPS, "Replace the records with a checked backup"),
            (w.database_action, acc.MANAGE_SETTINGS, "This computer's file or a shared server"),
            (
                w.law_reports_action,
                acc.VIEW_POLICIES,  # every role: notices for all, reports for some
                "Statutory reports (PDF and CSV) and the notices the county's law names",
            ),
            (
                w.contacts_action,
                acc.VIEW_RECORDS,
                "Every contact on the record, searchable, with its amendments",
            ),
            (
                w.contact_action,
                acc.RECORD_DECISION,
                "An interview or information request, a release date given, a transfer, ...",
            ),
            (
                w.sign_in_settings_action,
                acc.MANAGE_SETTINGS,
                "Second factor, inactive accounts, the notice before the password",
            ),
            (w.directory_action, acc.MANAGE_SETTINGS, "Sign in with LDAP / Active Directory"),
            (
                w.accounts_report_action,
                acc.MANAGE_ACCOUNTS,
                "Every account, to validate and sign yearly (PDF)",
            ),
            (
                w.audit_review_action,
                acc.VIEW_AUDIT,
                "The last 7 days' events to review weekly (PDF)",
            ),
        )

    def _build_entries(self, w: MainWindow) -> None:
        """The window's entries for the records, as its attributes, in their menus."""
        w.check_action = _entry(w, "&Check request…", "checkRequestAction", "Ctrl+Return")
        w.record_action = _entry(w, "&Record decision…", "recordDecisionAction", "Ctrl+R")

        w.decision_log_action = _entry(w, "&Decision log", "decisionLogAction")
        w.review_queue_action = _entry(w, "&Review queue", "reviewQueueAction")
        w.active_holds_action = _entry(w, "&Active holds", "activeHoldsAction")
        w.statistics_action = _entry(w, "&Statistics", "statisticsAction")

        # The reports the law asks of the county, its notices, and every ICE contact.
        w.law_reports_action = _entry(
            w, "Reports and &notices the law asks for…", "lawReportsAction"
        )
        w.contacts_action = _entry(w, "ICE con&tacts…", "contactsAction")
        w.contact_action = _entry(w, "Record an ICE &contact…", "contactAction")

        w.users_action = _entry(w, "&Users…", "usersAction")
        w.settings_action = _entry(w, "&Settings…", "settingsAction")
        w.audit_action = _entry(w, "&Audit trail…", "auditTrailAction")
        w.export_action = _entry(w, "&Export for litigation…", "exportAction")
        w.checkpoint_action = _entry(w, "&Checkpoint of the record…", "checkpointAction")
        w.backup_action = _entry(w, "&Back up the records…", "backupAction")
        w.restore_action = _entry(w, "&Restore from a backup…", "restoreAction")
        # Anyone signed in may verify, as on the command line (hashes and counts only).
        w.verify_action = _entry(
            w,
            "&Verify the record…",
            "verifyAction",
            tip="Recompute every entry's hash: has anything been changed?",
        )
        w.verify_checkpoint_action = _entry(
            w,
            "Verify against a chec&kpoint…",
            "verifyCheckpointAction",
            tip="Prove the record extends a signed checkpoint",
        )
        w.database_action = _entry(w, "&Database…", "databaseAction")
        w.sign_in_settings_action = _entry(w, "Sign-in and &notices…", "signInSettingsAction")
        w.directory_action = _entry(w, "D&irectory sign-in…", "directoryAction")
        w.accounts_report_action = _entry(w, "Account &validation report…", "accountsReportAction")
        w.audit_review_action = _entry(w, "Audit &review report…", "auditReviewAction")

        _fill(w.request_menu, [w.check_action, w.record_action])
        _fill(
            w.records_menu,
            [
                w.decision_log_action,
                w.review_queue_action,
                w.active_holds_action,
                w.statistics_action,
                None,
                w.export_action,
                w.checkpoint_action,
                w.verify_action,
                w.verify_checkpoint_action,
            ],
        )
        _fill(w.reports_menu, [w.law_reports_action, None, w.contacts_action, w.contact_action])
        _fill(
            w.admin_menu,
            [
                w.users_action,
                w.settings_action,
                w.sign_in_settings_action,
                w.directory_action,
                w.database_action,
                None,
                w.audit_action,
                w.audit_review_action,
                w.accounts_report_action,
                w.backup_action,
                w.restore_action,
                None,
                w.verify_action,
                w.verify_checkpoint_action,
            ],
        )

    def guard(self, *entries: Guarded) -> None:
        """More entries, from the workspace's screens (their own menu actions)."""
        self.guarded += entries

    def update(self, working: bool) -> None:
        w = self.window
        for menu in (w.request_menu, w.records_menu, w.reports_menu, w.admin_menu):
            menu.menuAction().setEnabled(working)
        for action in (
            w.change_password_action,
            w.lock_action,
            w.sign_out_action,
            w.verify_action,
            w.verify_checkpoint_action,
        ):
            action.setEnabled(working)
        for action, permission, tip in self.guarded:
            allowed = self.session.may(permission)
            action.setEnabled(allowed)
            shown = tip if allowed else roles_needed_text(permission)
            action.setToolTip(shown)
            action.setStatusTip(shown)
