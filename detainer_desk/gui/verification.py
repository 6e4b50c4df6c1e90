"""Verifying and restoring the records from the window (they were on the command line only):
Records/Admin › Verify the record…, › Verify against a checkpoint…, Admin › Restore from a
backup….

Each runs in the background with a progress bar and ends in plain words. Who may do what
is as on the command line: anyone signed in may verify (a verification shows hashes and
counts, no record), restoring needs an administrator (checked by the services, audited in
the records replaced and in the records restored). A restore is confirmed first, with what
will be replaced by what; afterwards everyone signs in again, to the restored records.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.services.backups import RestoreDone, RestorePlan
from detainer_desk.services.ports import Actor

from .backend import Backend
from .evidence import _action_row, _path_row, _TaskDialog
from .fit import fit_to_screen
from .tasks import TaskHandle, TaskRunner
from .widgets import paragraph

PG_RESTORE_ADVICE = (
    "These records are on a PostgreSQL server: they are restored on the server with "
    "pg_restore (see the README, 'Backups'), then checked with Verify the record. Nothing "
    "to do here."
)
# (parent, question) -> whether the administrator said yes.
Confirmer = Callable[[QWidget, str], bool]
# (parent, title, folder) -> the chosen file, or None.
FileOpener = Callable[[QWidget, str, str], str | None]


def ask_yes(parent: QWidget, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        "Restore the records",
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
        QMessageBox.StandardButton.Cancel,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_open_file(parent: QWidget, title: str, folder: str) -> str | None:
    name, _filter = QFileDialog.getOpenFileName(parent, title, folder)
    return name or None


class VerifyDialog(_TaskDialog):
    """Verify the whole hash chain, or that the record extends a signed checkpoint."""

    def __init__(
        self,
        backend: Backend,
        actor: Actor,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        against_checkpoint: bool = False,
    ) -> None:
        super().__init__(backend, actor, tasks, parent)
        self.against_checkpoint = against_checkpoint
        self.result_ok: bool | None = None  # the last verification's outcome
        self.choose_file: FileOpener = ask_open_file
        title = "Verify against a checkpoint" if against_checkpoint else "Verify the record"
        self.setObjectName("verifyCheckpointDialog" if against_checkpoint else "verifyDialog")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        fit_to_screen(self, 640, 300)
        layout = QVBoxLayout(self)
        if against_checkpoint:
            text = (
                "Proves that the record still extends a checkpoint signed earlier (the JSON "
                "file beside its printed sheet): every entry it vouched for is unchanged, and "
                "every entry since verifies. It names the first entry that was altered, even "
                "when whoever altered it recomputed the hashes after it."
            )
        else:
            text = (
                "Recomputes every entry's SHA-256 hash from its contents and from the entry "
                "before it, from the first entry to the last, as detainer-desk verify does; "
                "then checks the database file, the accounts and settings, and every row the "
                "log, the holds board and exports read against the entries. Nothing is changed."
            )
        layout.addWidget(paragraph(text, "verifyExplanation"))
        self.checkpoint = QLineEdit()
        self.checkpoint.setObjectName("checkpointFile")
        self.checkpoint.setAccessibleName("Checkpoint file")
        self.checkpoint.setPlaceholderText("checkpoint-YYYYMMDDTHHMMSSZ.json")
        self.choose_button = QPushButton("&Choose…")
        self.choose_button.setObjectName("chooseCheckpoint")
        self.choose_button.setAccessibleName("Choose the checkpoint file")
        self.choose_button.clicked.connect(self._browse)
        if against_checkpoint:
            row = QHBoxLayout()
            label = QLabel("Checkpoint &file:")
            label.setBuddy(self.checkpoint)
            row.addWidget(label)
            row.addWidget(self.checkpoint, 1)
            row.addWidget(self.choose_button)
            layout.addLayout(row)
        else:
            self.choose_button.hide()
        self.verify_button = QPushButton("&Verify")
        self.verify_button.setObjectName("startVerify")
        self.verify_button.setAccessibleName(title)
        self.verify_button.setAutoDefault(True)
        self.verify_button.clicked.connect(self.start)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(_action_row(self.verify_button, self.reject))

    def _browse(self) -> None:
        folder = str(Path(self.checkpoint.text()).parent) if self.checkpoint.text() else ""
        if not folder and self.backend.data_dir is not None:
            folder = str(self.backend.data_dir / "checkpoints")
        chosen = self.choose_file(self, "The checkpoint file (.json)", folder)
        if chosen:
            self.checkpoint.setText(chosen)

    def start(self) -> None:
        self.message.clear_message()
        self.result_ok = None
        if self.against_checkpoint:
            text = self.checkpoint.text().strip()
            if not text:
                self.message.show_error("Choose the checkpoint file (.json) to verify against.")
                self.checkpoint.setFocus()
                return
            work = self._checkpoint_work(Path(text).expanduser())
        else:
            work = self._chain_work()
        self.verify_button.setEnabled(False)
        self.progress.setMaximum(0)  # busy until the first count comes
        self.progress.show()
        self.handle = self.tasks.start(
            work,
            on_progress=self._progress,
            on_finished=self._finished,
            on_failed=self._failed_verify,
        )

    def _chain_work(self) -> Callable[[TaskHandle], Generator[Any, None, tuple[bool, str]]]:
        ledger_of, signer_of = self.backend.ledger, self.backend.signer
        assert ledger_of is not None and signer_of is not None

        def work(_handle: TaskHandle) -> Generator[Any, None, tuple[bool, str]]:
            # As detainer-desk verify: the whole store, and this installation's last
            # checkpoint.
            from detainer_desk.services.checkpoints import (
                CheckpointVerification,
                verify_record_steps,
            )

            ledger = ledger_of()
            total = ledger.head()[0]
            result = None
            for step in verify_record_steps(ledger, signer_of()):
                if isinstance(step, CheckpointVerification):
                    result = step
                else:
                    yield step, total
            assert result is not None
            if not result.ok:
                return False, (
                    f"The record does NOT verify: {result.message}. The {result.checked:,} "
                    "entries before it are intact. The records may have been changed outside "
                    "Detainer Desk: change nothing on this computer, and tell the county's IT "
                    "and counsel."
                )
            return True, (
                f"All {result.checked:,} entries verified: none was changed or removed. Head "
                f"of the chain: {result.head_hash}."
                + (f" {result.message}" if result.message else "")
            )

        return work

    def _checkpoint_work(
        self, path: Path
    ) -> Callable[[TaskHandle], Generator[Any, None, tuple[bool, str]]]:
        ledger_of, signer_of = self.backend.ledger, self.backend.signer
        assert ledger_of is not None and signer_of is not None

        def work(_handle: TaskHandle) -> Generator[Any, None, tuple[bool, str]]:
            from detainer_desk.adapters.signing import signature_is_valid
            from detainer_desk.services.checkpoints import (
                CheckpointError,
                UntrustedCheckpoint,
                check_trust,
                kept_checkpoint,
                read_checkpoint,
                verify_against_checkpoint,
            )
            from detainer_desk.services.trust import trusted_keys

            yield "reading the checkpoint"
            try:
                text = path.read_bytes().decode("utf-8", errors="replace")
            except OSError as exc:
                raise CheckpointError(f"{path} cannot be read ({exc.strerror or exc})") from None
            signer = signer_of()
            own = signer.public_key_hex
            try:  # only a key this installation trusts proves anything (as on the command line)
                checkpoint_file = read_checkpoint(text, str(path), signature_is_valid)
                whose = check_trust(
                    checkpoint_file,
                    trusted_keys(self.backend.uow(), own, signature_is_valid),
                    str(path),
                )
            except UntrustedCheckpoint as exc:
                return False, f"Not verified: {exc}."
            yield "verifying the record against it"
            kept = kept_checkpoint(signer)
            result = verify_against_checkpoint(
                ledger_of(), checkpoint_file, *([kept] if kept is not None else [])
            )
            key = checkpoint_file.checkpoint.public_key_hex
            note = ""
            if key != own:
                note = f" It was signed by the trusted key of {whose} ({key[:16]}…)."
            if not result.ok:
                return False, f"The record does NOT extend the checkpoint: {result.message}.{note}"
            return True, f"Verified: {result.message}.{note}"

        return work

    def _progress(self, step: object) -> None:
        if isinstance(step, tuple):
            done, total = cast(tuple[int, int], step)
            self._show_progress("Entries verified", done, total)
        else:
            self.stage.setText(f"{str(step).capitalize()}…")

    def _finished(self, result: object) -> None:
        ok, words = cast(tuple[bool, str], result)
        self.verify_button.setEnabled(True)
        self._finish_running()
        self.result_ok = ok
        if ok:
            self.message.show_note(words)
        else:
            self.message.show_error(words)

    def _failed_verify(self, error: BaseException, details: str) -> None:
        self.verify_button.setEnabled(True)
        self._failed(error, details)


class RestoreDialog(_TaskDialog):
    """Replace the records with a checked backup (administrators), as ``detainer-desk
    restore`` does: the backup is checked before anything changes, the administrator
    confirms what replaces what, and the replaced records are kept."""

    restored = Signal(str)  # what was done, in words; everyone signs in again

    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(backend, actor, tasks, parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle("Restore the records from a backup")
        self.setAccessibleName("Restore the records from a backup")
        fit_to_screen(self, 660, 320)
        self.confirm: Confirmer = ask_yes
        self.choose_file: FileOpener = ask_open_file
        self.checked: Any = None  # the backup as checked, shown to the administrator
        self.backup = QLineEdit()
        self.backup.setObjectName("restoreBackup")
        self.backup.setAccessibleName("Backup file")
        self.backup.setPlaceholderText("a backup made with Back up the records, or a daily one")
        self.backup.textChanged.connect(self._forget_check)
        # An encrypted backup (Back up › Encrypt): its passphrase, asked only for one.
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("restorePassphrase")
        self.passphrase.setAccessibleName("Passphrase of the encrypted backup")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase of the encrypted backup")
        self.passphrase.setVisible(False)
        self.restore_button = QPushButton("&Restore…")
        self.restore_button.setObjectName("startRestore")
        self.restore_button.setAccessibleName("Check the backup, then restore it")
        self.restore_button.clicked.connect(self.start)
        layout = QVBoxLayout(self)
        if backend.restore_files is None:
            text = PG_RESTORE_ADVICE
            self.restore_button.setEnabled(False)
        else:
            text = (
                "Replaces every record with those in a backup. The backup is checked first "
                "(integrity, and the whole hash chain); you are then asked to confirm. The "
                "records replaced are kept in the data folder's backups, and the restore is "
                "recorded in both. Everyone signs in again afterwards."
            )
        layout.addWidget(paragraph(text, "restoreExplanation"))
        layout.addLayout(_path_row("Backup &file:", self.backup, "&Choose…", self._browse))
        layout.addWidget(self.passphrase)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(_action_row(self.restore_button, self.reject))

    def _browse(self) -> None:
        folder = ""
        if self.backend.data_dir is not None:
            folder = str(self.backend.data_dir / "backups")
        chosen = self.choose_file(self, "The backup to restore", folder)
        if chosen:
            self.backup.setText(chosen)

    def _forget_check(self) -> None:
        from detainer_desk.adapters.protect import is_protected

        self.checked = None
        text = self.backup.text().strip()
        self.passphrase.setVisible(bool(text) and is_protected(Path(text).expanduser()))

    def _busy(self, stage: str) -> None:
        self.restore_button.setEnabled(False)
        self.backup.setEnabled(False)
        self.progress.setMaximum(0)
        self.progress.show()
        self.stage.setText(stage)

    def _idle(self) -> None:
        self.restore_button.setEnabled(self.backend.restore_files is not None)
        self.backup.setEnabled(True)
        self._finish_running()

    def start(self) -> None:
        """Check the backup (in the background), then ask, then restore: the two steps of
        the restore use case (services/backups), as ``detainer-desk restore`` chains them."""
        self.message.clear_message()
        text = self.backup.text().strip()
        if not text:
            self.message.show_error("Choose the backup file to restore.")
            self.backup.setFocus()
            return
        path = Path(text).expanduser().absolute()
        files, actor = self.backend.restore_files, self.actor
        assert files is not None
        live, passphrase = self.backend.database_label, self.passphrase.text()

        def work(_handle: TaskHandle) -> Generator[Any, None, RestorePlan]:
            from detainer_desk.services.backups import check_restore

            yield "checking the backup"
            # Who may: an administrator of the records to be replaced (audited if not); the
            # one signed in to the window, who stays signed in until the restore is done.
            return check_restore(
                files,
                path,
                live,
                actor,
                passphrase=lambda: passphrase,
                sign_in=lambda _records: actor,
                session=False,
            )

        self._busy("Checking the backup (integrity and the whole hash chain)…")
        self.handle = self.tasks.start(
            work,
            on_finished=lambda result: self._checked(path, result),
            on_failed=self._failed_restore,
        )

    def _checked(self, path: Path, result: object) -> None:
        plan = cast(RestorePlan, result)
        self._idle()
        checked = plan.checked
        self.checked = checked
        current = "a store that cannot be opened"  # as the command line says it
        if plan.current_entries is not None:
            current = f"{plan.current_entries:,} entries now"
        live = self.backend.database_label
        question = (
            (f"{checked.note}\n\n" if checked.note else "")
            + f"Replace the records in {live} ({current}) with the backup "
            f"{path} ({checked.entries:,} entries, checked: integrity and the whole hash "
            "chain)?\n\nThe records replaced are kept in the data folder's backups. Everyone "
            "signs in again afterwards."
        )
        self.message.show_note(
            f"The backup is sound: {checked.entries:,} entries, head {checked.chain_head}."
        )
        try:
            confirmed = self.confirm(self, question)
        except BaseException:
            plan.close()
            raise
        if not confirmed:
            plan.close()
            self.message.show_note("Nothing was changed: the restore was not confirmed.")
            return
        self._restore(path, plan)

    def _restore(self, path: Path, plan: RestorePlan) -> None:
        clock = self.backend.clock

        def work(_handle: TaskHandle) -> Generator[Any, None, RestoreDone]:
            from detainer_desk.services.backups import carry_out_restore

            yield "restoring"
            # Kept aside, replaced, and audited in both: the replaced and the restored.
            return carry_out_restore(plan, clock)

        self._busy("Restoring…")
        self.handle = self.tasks.start(
            work,
            on_finished=lambda result: self._restored(path, result),
            on_failed=self._failed_restore,
        )

    def _restored(self, path: Path, result: object) -> None:
        done = cast(RestoreDone, result)
        self._idle()
        words = (
            f"The records were restored from {path} ({done.entries:,} entries). The records "
            f"they replaced are kept at {done.aside}. Sign in again."
        )
        self.message.show_note(words)
        self.passphrase.clear()
        self.restored.emit(words)

    def _failed_restore(self, error: BaseException, details: str) -> None:
        self._idle()
        self._failed(error, details)

    def reject(self) -> None:
        if self.running:  # a restore half done must end first; it says when it has
            return
        self.passphrase.clear()  # a decrypted copy lives only while a restore runs
        super().reject()
