"""The main window's dialogs: each menu entry that opens one (accounts, settings, the audit
trail, reports and contacts, export, checkpoint, backup and restore, verification, the
database), and what the window does once one is saved. Built by the main window when the
records open; a dialog opens only for someone signed in whose roles allow it (the services
check again).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtWidgets import QDialog, QFileDialog, QMessageBox, QWidget

from detainer_desk.domain import accounts as acc
from detainer_desk.services.access import RecordError

from .errors import show_bug
from .widgets import plain_sentence

if TYPE_CHECKING:
    from .audit_trail import AuditTrailDialog
    from .backend import Backend
    from .dialogs import ChangePasswordDialog, SettingsDialog
    from .main_window import MainWindow
    from .session import Session
    from .tasks import TaskHandle, TaskRunner
    from .users import UsersDialog

log = logging.getLogger(__name__)

T = TypeVar("T")


def _returning(work: Callable[[], T]) -> Callable[[TaskHandle], Generator[Any, None, T]]:
    """A plain function as a task for the runner."""

    def task(_handle: TaskHandle) -> Generator[Any, None, T]:
        yield "working"
        return work()

    return task


def ask_review_pdf_path(window: QWidget, suggested: str) -> str:
    """Where to save the report ('' when the person cancels)."""
    path, _filter = QFileDialog.getSaveFileName(
        window, "Save the report", suggested, "PDF documents (*.pdf)"
    )
    return path


class WindowDialogs:
    def __init__(
        self, window: MainWindow, backend: Backend, session: Session, tasks: TaskRunner
    ) -> None:
        self.window = window
        self.backend = backend
        self.session = session
        self.tasks = tasks
        self.ask_review_path: Callable[[QWidget, str], str] = ask_review_pdf_path

    def open_dialog(self, dialog: QDialog) -> QDialog:
        # Ctrl+L locks from inside a dialog too; F1 opens the guide about it.
        dialog.addAction(self.window.lock_action)
        dialog.addAction(self.window.context_help_action)
        dialog.open()
        return dialog

    def close_all(self) -> None:
        # Children first, so a dialog opened from another closes before its parent.
        for dialog in reversed(self.window.findChildren(QDialog)):
            if dialog.isVisible():
                dialog.reject()

    def _say(self, text: str, timeout_ms: int = 10_000) -> None:
        self.window.statusBar().showMessage(text, timeout_ms)

    # -- accounts and settings -----------------------------------------------------------------
    def open_users(self) -> UsersDialog | None:
        if not self.session.may(acc.MANAGE_ACCOUNTS):
            return None
        from .users import UsersDialog

        dialog = UsersDialog(self.session, self.window)
        self.open_dialog(dialog)
        return dialog

    def open_settings(self) -> SettingsDialog | None:
        if not self.session.may(acc.MANAGE_SETTINGS):
            return None
        from .dialogs import SettingsDialog

        dialog = SettingsDialog(self.session, self.window)
        dialog.accepted.connect(lambda: self._settings_saved(dialog))
        self.open_dialog(dialog)
        return dialog

    def _settings_saved(self, dialog: SettingsDialog) -> None:
        window = self.window
        if window.working:
            window.lockout.arm()
        message = "Settings saved."
        saved = dialog.saved
        if saved is not None and saved.reactivated is not None:
            # A new timezone: the policy in force was activated again in it.
            window.status.show_policy(self.session.policy_label())
            policy = saved.reactivated.activation.policy
            message += (
                f" The policy in force, {policy.name}, was activated again in the county's "
                f"new timezone (version {policy.id})."
            )
        self._say(message)

    def open_sign_in_settings(self) -> QDialog | None:
        if not self.session.may(acc.MANAGE_SETTINGS):
            return None
        from .access_admin import SignInSettingsDialog

        dialog = SignInSettingsDialog(self.session, self.window)
        dialog.accepted.connect(self._sign_in_settings_saved)
        self.open_dialog(dialog)
        return dialog

    def _sign_in_settings_saved(self) -> None:
        self.window.sign_in_requests.show_system_use_notice()
        self.window.sign_in_requests.remind_second_factor()
        self._say("Sign-in settings saved.")

    def open_directory(self) -> QDialog | None:
        if not self.session.may(acc.MANAGE_SETTINGS):
            return None
        from .access_admin import DirectoryDialog

        dialog = DirectoryDialog(self.session, self.window)
        dialog.accepted.connect(lambda: self._say("Directory sign-in saved."))
        self.open_dialog(dialog)
        return dialog

    def open_change_password(self) -> ChangePasswordDialog | None:
        if not self.window.working:
            return None
        from .dialogs import ChangePasswordDialog

        dialog = ChangePasswordDialog(self.session, self.window)
        dialog.accepted.connect(lambda: self._say("Your password was changed."))
        self.open_dialog(dialog)
        return dialog

    def open_audit_trail(self) -> AuditTrailDialog | None:
        if not self.session.may(acc.VIEW_AUDIT):
            return None
        from .audit_trail import AuditTrailDialog

        dialog = AuditTrailDialog(self.session, self.window, tasks=self.tasks)
        self.open_dialog(dialog)
        return dialog

    def save_review(self, kind: str) -> None:
        """Admin › Account validation / Audit review report: a PDF saved where asked. The
        county's zone (for the file's name) is read, and the report made and saved, in the
        background; only the question where runs here."""
        from .access_admin import review_pdf_name

        if not self.window.working:
            return
        self.tasks.start(
            _returning(review_pdf_name(self.session, kind)),
            on_finished=self._review_named,
            on_failed=self._review_failed,
        )

    def _review_named(self, named: object) -> None:
        from .access_admin import ReviewPdf, review_pdf_saving

        assert isinstance(named, ReviewPdf)
        path = self.ask_review_path(self.window, named.suggested)
        if not path:
            return
        self.tasks.start(
            _returning(review_pdf_saving(self.session, named.kind, path)),
            on_finished=lambda said: self._say(str(said), 15_000),
            on_failed=self._review_failed,
        )

    def _review_failed(self, error: BaseException, _trace: str) -> None:
        if isinstance(error, RecordError):
            QMessageBox.warning(self.window, "Report not saved", plain_sentence(str(error)))
        else:
            show_bug(self.window, type(error), error, error.__traceback__)

    # -- reports and contacts ------------------------------------------------------------------
    def open_law_reports(self) -> QDialog | None:
        if not self.session.may(acc.VIEW_POLICIES):
            return None
        from .law_reports import LawReportsDialog

        dialog = LawReportsDialog(self.session, self.tasks, self.window)
        self.open_dialog(dialog)
        return dialog

    def open_contacts(self) -> QDialog | None:
        if not self.session.may(acc.VIEW_RECORDS):
            return None
        from .law_reports import ContactsDialog

        dialog = ContactsDialog(self.session, self.window)
        self.open_dialog(dialog)
        return dialog

    def open_contact(self, decision_id: int | None = None) -> QDialog | None:
        if not self.session.may(acc.RECORD_DECISION):
            return None
        from .law_reports import ContactDialog

        dialog = ContactDialog(self.session, self.window, decision_id)

        def recorded() -> None:
            if dialog.recorded is not None:
                self._say(
                    f"Contact {dialog.recorded.contact_id} recorded. "
                    f"The policy's answer: {dialog.recorded.policy_answer}"
                )

        dialog.accepted.connect(recorded)
        self.open_dialog(dialog)
        return dialog

    # -- the evidence: export, checkpoint, backup, restore, verification -----------------------
    def _open_evidence(self, make: Callable[..., QDialog], permission: str) -> QDialog | None:
        actor = self.session.actor
        if actor is None or not self.session.may(permission):
            return None
        dialog = make(self.backend, actor, self.tasks, self.window)
        self.open_dialog(dialog)
        return dialog

    def open_export(self) -> QDialog | None:
        from .evidence import ExportDialog

        return self._open_evidence(ExportDialog, acc.EXPORT_RECORDS)

    def open_checkpoint(self) -> QDialog | None:
        from .evidence import CheckpointDialog

        return self._open_evidence(CheckpointDialog, acc.MAKE_CHECKPOINT)

    def open_backup(self) -> QDialog | None:
        from .evidence import BackupDialog

        return self._open_evidence(BackupDialog, acc.MANAGE_BACKUPS)

    def open_restore(self) -> QDialog | None:
        from .verification import RestoreDialog

        dialog = self._open_evidence(RestoreDialog, acc.MANAGE_BACKUPS)
        if isinstance(dialog, RestoreDialog):
            dialog.restored.connect(self._after_restore)
        return dialog

    def _after_restore(self, words: str) -> None:
        """The records were replaced: everyone signs in again, to the restored records
        (the accounts may be others now)."""
        if self.session.actor is not None:
            try:
                self.session.sign_out("records restored")
            except RecordError:
                log.warning("The sign-out after a restore could not be recorded", exc_info=True)
        self.window.status.show_policy(self.session.policy_label())
        self.window.sign_in_page.show_note(words)

    def _open_verification(self, *, against_checkpoint: bool) -> QDialog | None:
        actor = self.session.actor
        if actor is None or not self.window.working:
            return None
        from .verification import VerifyDialog

        dialog = VerifyDialog(
            self.backend, actor, self.tasks, self.window, against_checkpoint=against_checkpoint
        )
        self.open_dialog(dialog)
        return dialog

    def open_verify(self) -> QDialog | None:
        return self._open_verification(against_checkpoint=False)

    def open_verify_checkpoint(self) -> QDialog | None:
        return self._open_verification(against_checkpoint=True)

    def open_database(self) -> QDialog | None:
        from .database import DatabaseDialog

        if self.backend.data_dir is None:
            return None
        return self._open_evidence(DatabaseDialog, acc.MANAGE_SETTINGS)

    def wire_menus(self) -> None:
        """The window's menu entries that open a dialog, to their dialogs."""
        w = self.window
        for action, slot in (
            (w.change_password_action, self.open_change_password),
            (w.law_reports_action, self.open_law_reports),
            (w.contacts_action, self.open_contacts),
            (w.contact_action, lambda: self.open_contact(None)),
            (w.users_action, self.open_users),
            (w.settings_action, self.open_settings),
            (w.audit_action, self.open_audit_trail),
            (w.export_action, self.open_export),
            (w.checkpoint_action, self.open_checkpoint),
            (w.backup_action, self.open_backup),
            (w.restore_action, self.open_restore),
            (w.verify_action, self.open_verify),
            (w.verify_checkpoint_action, self.open_verify_checkpoint),
            (w.database_action, self.open_database),
            (w.sign_in_settings_action, self.open_sign_in_settings),
            (w.directory_action, self.open_directory),
            (w.accounts_report_action, lambda: self.save_review("accounts")),
            (w.audit_review_action, lambda: self.save_review("audit")),
        ):
            action.triggered.connect(slot)
