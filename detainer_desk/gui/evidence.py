"""Evidence from the window: the litigation export (counsel), a signed checkpoint of the
record, and a backup of the SQLite store (admin). Each runs in the background with a
progress bar; the export can be cancelled and leaves nothing behind when it is."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, cast

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import timetext
from detainer_desk.domain.clock import start_of_day
from detainer_desk.domain.vocabulary import OUTCOMES
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.ports import Actor, DecisionQuery

from .backend import Backend
from .fit import fit_to_screen
from .tasks import TaskHandle, TaskRunner, run_in_background
from .widgets import MessageLabel, paragraph

OUTCOME_CHOICES = ("any outcome", *OUTCOMES)


def _buddy_label(text: str, buddy: QWidget) -> QLabel:
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _path_row(
    label: str, edit: QLineEdit, browse_text: str, browse: Callable[[], None]
) -> QHBoxLayout:
    """``label [path ...........] [Browse…]``"""
    button = QPushButton(browse_text)
    button.clicked.connect(browse)
    row = QHBoxLayout()
    row.addWidget(_buddy_label(label, edit))
    row.addWidget(edit, 1)
    row.addWidget(button)
    return row


def _action_row(action: QPushButton, close: Callable[[], None]) -> QHBoxLayout:
    """``                [Action] [Close]``"""
    close_button = QPushButton("Close")
    close_button.clicked.connect(close)
    row = QHBoxLayout()
    row.addStretch(1)
    row.addWidget(action)
    row.addWidget(close_button)
    return row


def _county_day_start(date: QDate, zone: dt.tzinfo) -> dt.datetime:
    """The county's midnight starting that day: the export's dates are the county's."""
    return start_of_day(dt.date(date.year(), date.month(), date.day()), zone)  # type: ignore[arg-type]


def _county_today(backend: Backend, zone: dt.tzinfo) -> QDate:
    day = timetext.county_day(backend.clock(), zone)
    return QDate(day.year, day.month, day.day)


class _TaskDialog(QDialog):
    """A dialog whose work runs on the task runner, with a progress bar and a message."""

    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None
    ) -> None:
        super().__init__(parent)
        self.backend = backend
        self.actor = actor
        self.tasks = tasks
        self.handle: TaskHandle | None = None
        self.progress = QProgressBar()
        self.progress.setObjectName("progress")
        self.progress.setAccessibleName("Progress")
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.stage = QLabel()
        self.stage.setObjectName("stage")
        self.message = MessageLabel("message", "Result")

    @property
    def running(self) -> bool:
        return self.handle is not None and not self.handle.done

    def _show_progress(self, stage: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))
        self.stage.setText(f"{stage}: {done:,} of {total:,}")

    def _failed(self, error: BaseException, details: str) -> None:
        self._finish_running()
        if isinstance(error, RecordError | OSError):
            self.message.show_error(str(error))
            return
        from .errors import show_bug

        show_bug(self, type(error), error, error.__traceback__)

    def _finish_running(self) -> None:
        self.progress.hide()
        self.stage.setText("")

    def _read_zone(self, then: Callable[[dt.tzinfo], None]) -> None:
        """The county's zone, read in the background (the dialog's days are its)."""
        uow = self.backend.uow

        def known(zone: dt.tzinfo) -> None:
            self.zone = zone
            self.zone_known = True
            then(zone)

        run_in_background(self.tasks, self, self.message, lambda: county_zone(uow()), known)


class ExportDialog(_TaskDialog):
    """County counsel's litigation export: which records, for whom, where."""

    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(backend, actor, tasks, parent)
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export records for litigation")
        self.setAccessibleName("Export records for litigation")
        fit_to_screen(self, 680, 460)

        self.recipient = QLineEdit()
        self.recipient.setObjectName("recipient")
        self.recipient.setAccessibleName("Recipient")
        self.recipient.setPlaceholderText(
            "who the export is for, e.g. Smith & Jones LLP, case 26-cv-101"
        )
        self.destination = QLineEdit()
        self.destination.setObjectName("destination")
        self.destination.setAccessibleName("Destination folder or ZIP file")
        self.destination.setPlaceholderText("a new folder, or a file name ending in .zip")
        folder_button = QPushButton("Folder…")
        folder_button.setObjectName("chooseFolder")
        folder_button.clicked.connect(self._choose_folder)
        zip_button = QPushButton("ZIP file…")
        zip_button.setObjectName("chooseZip")
        zip_button.clicked.connect(self._choose_zip)

        # The county's zone is read in the background; until then the days are UTC's and
        # nothing is exported (the dates are the county's).
        self.zone: dt.tzinfo = dt.UTC
        self.zone_known = False
        today = _county_today(backend, self.zone)
        self.use_from = QCheckBox("Received from")
        self.use_from.setObjectName("useFrom")
        self.date_from = QDateEdit(today.addMonths(-1))
        self.date_from.setObjectName("dateFrom")
        self.date_from.setAccessibleName("Received from")
        self.use_to = QCheckBox("to")
        self.use_to.setObjectName("useTo")
        self.date_to = QDateEdit(today)
        self.date_to.setObjectName("dateTo")
        self.date_to.setAccessibleName("Received to")
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.search = QLineEdit()
        self.search.setObjectName("subject")
        self.search.setAccessibleName("Subject")
        self.search.setPlaceholderText("name words, A-number or booking number (optional)")
        self.outcome = QComboBox()
        self.outcome.setObjectName("outcome")
        self.outcome.setAccessibleName("Outcome")
        self.outcome.addItems(OUTCOME_CHOICES)
        self.officer = QLineEdit()
        self.officer.setObjectName("officer")
        self.officer.setAccessibleName("Recorded by")
        self.officer.setPlaceholderText("user name of the recording officer (optional)")

        grid = QGridLayout()
        grid.addWidget(_buddy_label("&Recipient:", self.recipient), 0, 0)
        grid.addWidget(self.recipient, 0, 1, 1, 3)
        grid.addWidget(_buddy_label("&Save to:", self.destination), 1, 0)
        grid.addWidget(self.destination, 1, 1)
        grid.addWidget(folder_button, 1, 2)
        grid.addWidget(zip_button, 1, 3)
        dates = QHBoxLayout()
        dates.addWidget(self.use_from)
        dates.addWidget(self.date_from)
        dates.addWidget(self.use_to)
        dates.addWidget(self.date_to)
        dates.addStretch(1)
        grid.addWidget(QLabel("Dates:"), 2, 0)
        grid.addLayout(dates, 2, 1, 1, 3)
        grid.addWidget(_buddy_label("S&ubject:", self.search), 3, 0)
        grid.addWidget(self.search, 3, 1, 1, 3)
        grid.addWidget(_buddy_label("&Outcome:", self.outcome), 4, 0)
        grid.addWidget(self.outcome, 4, 1)
        grid.addWidget(_buddy_label("Recorded &by:", self.officer), 5, 0)
        grid.addWidget(self.officer, 5, 1, 1, 3)

        self.buttons = QDialogButtonBox()
        self.start_button = self.buttons.addButton(
            "&Export", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.start_button.setObjectName("startExport")
        self.cancel_button = self.buttons.addButton(
            "&Cancel export", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.cancel_button.setObjectName("cancelExport")
        self.cancel_button.setEnabled(False)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.start_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button.clicked.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "The bundle holds every selected decision with its request, reasons, amendments, "
                "audit PDF and original scans, the policies applied, load files for review "
                "platforms, a signed checkpoint and manifest.sha256. The whole record is verified "
                "first. The export itself is recorded in the audit trail with its recipient.",
                "exportExplanation",
            )
        )
        layout.addLayout(grid)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.start_button.setEnabled(False)
        self._read_zone(self._zone_known)

    def _zone_known(self, zone: dt.tzinfo) -> None:
        today = _county_today(self.backend, zone)
        placeholder = _county_today(self.backend, dt.UTC)
        for edit, default, before in (
            (self.date_from, today.addMonths(-1), placeholder.addMonths(-1)),
            (self.date_to, today, placeholder),
        ):
            if edit.date() == before:  # not changed meanwhile
                edit.setDate(default)
        self.start_button.setEnabled(not self.running)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Export into a new folder")
        if folder:
            self.destination.setText(str(Path(folder) / "detainer-desk-export"))

    def _choose_zip(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Export to a ZIP file", "detainer-desk-export.zip", "ZIP (*.zip)"
        )
        if name:
            self.destination.setText(name if name.lower().endswith(".zip") else name + ".zip")

    def query(self) -> DecisionQuery:
        outcome = self.outcome.currentText()
        return DecisionQuery(
            search=self.search.text().strip() or None,
            outcome=None if outcome == OUTCOME_CHOICES[0] else outcome,
            recorded_by=self.officer.text().strip().casefold() or None,
            received_from=_county_day_start(self.date_from.date(), self.zone)
            if self.use_from.isChecked()
            else None,
            received_to=_county_day_start(self.date_to.date().addDays(1), self.zone)
            if self.use_to.isChecked()
            else None,
        )

    def start(self) -> None:
        from detainer_desk.services.export import ExportProgress, ExportRequest, ExportResult
        from detainer_desk.services.ports import DestinationError

        self.message.clear_message()
        recipient = self.recipient.text().strip()
        destination = self.destination.text().strip()
        if not recipient:
            self.message.show_error(
                "Say who the export is for: the recipient is kept in the audit trail."
            )
            self.recipient.setFocus()
            return
        if not destination:
            self.message.show_error("Choose where to save the export: a new folder or a .zip file.")
            self.destination.setFocus()
            return
        if (
            self.use_from.isChecked()
            and self.use_to.isChecked()
            and self.date_to.date() < self.date_from.date()
        ):
            self.message.show_error("The end date is before the start date.")
            return
        exporter = self.backend.exporter
        assert exporter is not None
        from detainer_desk.domain.protection import new_passphrase

        # A ZIP travels: always AES-256 encrypted, its passphrase made for it alone and
        # shown once when it is done. A folder is plain, for when counsel asks for one.
        encrypted = Path(destination).suffix.lower() == ".zip"
        self._passphrase = new_passphrase() if encrypted else None
        request = ExportRequest(
            self.query(), recipient, destination, self.actor, passphrase=self._passphrase
        )
        try:
            export = exporter.prepare(request)
        except DestinationError as exc:
            self.message.show_error(str(exc))
            return

        def work(handle: TaskHandle):  # type: ignore[no-untyped-def]
            result = None
            for step in export.run(handle.cancelled):
                if isinstance(step, ExportResult):
                    result = step
                elif isinstance(step, ExportProgress):
                    yield step
            return result

        self._set_running(True)
        self.handle = self.tasks.start(
            work,
            on_progress=self._progress,
            on_finished=self._finished,
            on_failed=self._failed_export,
        )

    def _progress(self, step: object) -> None:
        self._show_progress(step.stage, step.done, step.total)  # type: ignore[attr-defined]

    def _finished(self, result: object) -> None:
        self._set_running(False)
        self._finish_running()
        self.message.show_note(
            f"Exported {result.decisions} decisions ({result.files} files) to {result.destination}. "  # type: ignore[attr-defined]
            f"manifest.sha256 has SHA-256 {result.manifest_sha256}."  # type: ignore[attr-defined]
        )
        passphrase, self._passphrase = getattr(self, "_passphrase", None), None
        if passphrase is not None:
            self.passphrase_box = show_passphrase_once(self, passphrase)

    def _failed_export(self, error: BaseException, details: str) -> None:
        from detainer_desk.services.export import ExportCancelled

        self._set_running(False)
        if isinstance(error, ExportCancelled):
            self._finish_running()
            self.message.show_note("The export was cancelled; nothing was left at the destination.")
            return
        self._failed(error, details)

    def _set_running(self, running: bool) -> None:
        self.start_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.close_button.setEnabled(not running)
        for widget in (self.recipient, self.destination, self.search, self.officer, self.outcome):
            widget.setEnabled(not running)

    def cancel(self) -> None:
        if self.handle is not None:
            self.handle.cancel()
            self.stage.setText("Cancelling…")

    def reject(self) -> None:
        if self.running:  # closing while an export runs would leave it half done
            self.cancel()
            return
        super().reject()


class CheckpointDialog(_TaskDialog):
    """Verify the record and sign a checkpoint of it: a JSON file and a PDF to sign and file."""

    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(backend, actor, tasks, parent)
        self.setObjectName("checkpointDialog")
        self.setWindowTitle("Checkpoint of the record")
        fit_to_screen(self, 620, 300)
        self.folder = QLineEdit(str(Path.home()))
        self.folder.setObjectName("checkpointFolder")
        self.folder.setAccessibleName("Folder for the checkpoint files")
        row = _path_row("Save in:", self.folder, "Folder…", self._browse)
        self.make_button = QPushButton("&Make checkpoint")
        self.make_button.setObjectName("makeCheckpoint")
        self.make_button.clicked.connect(self.start)
        buttons = _action_row(self.make_button, self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(
            paragraph(
                "The whole record is verified, then its head hash is signed with this "
                "installation's key. Print the PDF, have a supervisor sign it, and file it: "
                "the command detainer-desk verify --checkpoint FILE later proves the record still extends it.",
                "checkpointExplanation",
            )
        )
        layout.addLayout(row)
        layout.addWidget(self.progress)
        layout.addWidget(self.stage)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _browse(self) -> None:
        folder = QFileDialog.getExistingDirectory(
            self, "Save the checkpoint in", self.folder.text()
        )
        if folder:
            self.folder.setText(folder)

    def start(self) -> None:
        from detainer_desk.adapters.pdf import render_checkpoint_pdf
        from detainer_desk.services.checkpoints import CheckpointFile, create_checkpoint
        from detainer_desk.services.documents import report_context
        from detainer_desk.services.steps import passing_on

        self.message.clear_message()
        folder = Path(self.folder.text().strip() or ".")
        if not folder.is_dir():
            self.message.show_error(f"{folder} is not a folder.")
            return
        ledger_of, signer_of = self.backend.ledger, self.backend.signer
        assert ledger_of is not None and signer_of is not None
        backend, actor = self.backend, self.actor
        ledger, signer = ledger_of(), signer_of()

        def work(handle: TaskHandle):  # type: ignore[no-untyped-def]
            now = backend.clock()
            steps = create_checkpoint(backend.uow(), ledger, signer, actor, now)
            result = yield from passing_on(steps, CheckpointFile)
            stem = result.checkpoint.file_stem()
            json_path, pdf_path = folder / f"{stem}.json", folder / f"{stem}.pdf"
            pdf = render_checkpoint_pdf(
                result.checkpoint, report_context(backend.uow(), actor, now)
            )
            from detainer_desk.adapters.files import write_output

            # New private files, whole or not at all; an existing one is never replaced.
            journal = backend.partials()
            write_output(json_path, result.to_json().encode("utf-8"), journal=journal)
            write_output(pdf_path, pdf, journal=journal)
            return result.checkpoint, json_path, pdf_path

        self.make_button.setEnabled(False)
        self.handle = self.tasks.start(
            work,
            on_progress=self._progress,
            on_finished=self._finished,
            on_failed=self._failed_checkpoint,
        )

    def _progress(self, done: object) -> None:
        self._show_progress("verifying the record", int(done), max(int(done), 1))  # type: ignore[call-overload]

    def _finished(self, result: object) -> None:
        checkpoint, json_path, pdf_path = cast(tuple[Any, Path, Path], result)
        self.make_button.setEnabled(True)
        self._finish_running()
        self.message.show_note(
            f"Checkpoint of {checkpoint.entries} entries, head {checkpoint.head_hash}. "
            f"Saved {json_path} and {pdf_path} (print, sign and file it)."
        )

    def _failed_checkpoint(self, error: BaseException, details: str) -> None:
        self.make_button.setEnabled(True)
        self._failed(error, details)


def show_passphrase_once(parent: QWidget, passphrase: str) -> QMessageBox:
    """The encrypted ZIP's passphrase, shown this once (it is kept nowhere)."""
    box = QMessageBox(parent)
    box.setObjectName("exportPassphrase")
    box.setWindowTitle("The passphrase of the encrypted ZIP")
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(
        "The ZIP is encrypted with AES-256 (it opens in 7-Zip and WinZip). Its passphrase, "
        f"shown this once and kept nowhere:\n\n    {passphrase}\n\nGive it to the recipient "
        "by another channel than the file: a telephone call, not the same e-mail or stick."
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class BackupDialog(_TaskDialog):
    """A consistent, checked copy of the SQLite store (administrators)."""

    def __init__(
        self, backend: Backend, actor: Actor, tasks: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(backend, actor, tasks, parent)
        self.setObjectName("backupDialog")
        self.setWindowTitle("Back up the records")
        fit_to_screen(self, 620, 260)
        self.zone: dt.tzinfo = dt.UTC  # the county's, read in the background (the file's day)
        self.zone_known = False
        self.target = QLineEdit(self._default_target())
        self.target.setObjectName("backupTarget")
        self.target.setAccessibleName("Backup file")
        row = _path_row("Backup file:", self.target, "Save as…", self._browse)
        self.encrypt = QCheckBox(
            "&Encrypt it (AES-256): for a copy that leaves the building (CJIS 5.10.1.2.2)"
        )
        self.encrypt.setObjectName("backupEncrypt")
        self.encrypt.toggled.connect(self._encryption_toggled)
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("backupPassphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText(
            "Passphrase: 10 characters at least, with upper and lower case, a number and a sign"
        )
        self.passphrase_again = QLineEdit()
        self.passphrase_again.setObjectName("backupPassphraseAgain")
        self.passphrase_again.setAccessibleName("The same passphrase again")
        self.passphrase_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase_again.setPlaceholderText("The same passphrase again")
        for edit in (self.passphrase, self.passphrase_again):
            edit.setVisible(False)
        if backend.protected_backup_to is None:
            self.encrypt.setEnabled(False)
        self.backup_button = QPushButton("&Back up")
        self.backup_button.setObjectName("startBackup")
        self.backup_button.clicked.connect(self.start)
        buttons = _action_row(self.backup_button, self.reject)
        layout = QVBoxLayout(self)
        text = (
            "A consistent copy of the records, even while others record; it is checked (integrity "
            "and the whole hash chain) before it is called done. Keep it somewhere safe: it holds "
            "every record. The backup is recorded in the audit trail."
        )
        if backend.backup_to is None:
            text = (
                "These records are on a PostgreSQL server: back them up on the server with "
                "pg_dump (see the README). Nothing to do here."
            )
            self.backup_button.setEnabled(False)
        layout.addWidget(paragraph(text, "backupExplanation"))
        layout.addLayout(row)
        layout.addWidget(self.encrypt)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.passphrase_again)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft)
        placeholder = self.target.text()
        self._read_zone(lambda _zone: self._zone_known(placeholder))

    def _default_target(self) -> str:
        stamp = timetext.day_text(timetext.county_day(self.backend.clock(), self.zone))
        return str(Path.home() / f"detainer-desk-backup-{stamp}.sqlite3")

    def _zone_known(self, placeholder: str) -> None:
        if self.target.text() == placeholder:  # not changed meanwhile
            self.target.setText(self._default_target())

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, "Back up to", self.target.text(), "SQLite (*.sqlite3)"
        )
        if name:
            self.target.setText(name)

    def _encryption_toggled(self, on: bool) -> None:
        for edit in (self.passphrase, self.passphrase_again):
            edit.setVisible(on)
        name = self.target.text().strip()
        if on and name.endswith(".sqlite3"):
            self.target.setText(name[: -len(".sqlite3")] + ".ddprot")
        elif not on and name.endswith(".ddprot"):
            self.target.setText(name[: -len(".ddprot")] + ".sqlite3")

    def _passphrase_problem(self) -> str | None:
        from detainer_desk.adapters.security import is_common_password
        from detainer_desk.domain.protection import passphrase_problems

        passphrase = self.passphrase.text()
        if passphrase != self.passphrase_again.text():
            return "The two passphrases are not the same."
        problems = passphrase_problems(passphrase, is_common_password)
        if problems:
            return (
                "That passphrase cannot protect a copy of the records (FBI CJIS Security "
                "Policy 5.10.1.2.2): " + "; ".join(problems) + "."
            )
        return None

    def start(self) -> None:
        from detainer_desk.services.backups import BackupMade, back_up
        from detainer_desk.services.steps import passing_on

        self.message.clear_message()
        target = Path(self.target.text().strip()).expanduser()
        if not self.target.text().strip():
            self.message.show_error("Give the name of the backup file.")
            return
        if target.exists():
            self.message.show_error(f"{target} already exists: choose a new file name.")
            return
        encrypted = self.encrypt.isChecked()
        passphrase = self.passphrase.text()
        if encrypted:
            problem = self._passphrase_problem()
            if problem:
                self.message.show_error(problem)  # what was typed stays
                return
        assert self.backend.backup_to is not None
        backend, actor = self.backend, self.actor

        def copy() -> tuple[int, str]:
            if encrypted:
                return backend.protected_backup_to(target, passphrase)  # type: ignore[misc]
            return backend.backup_to(target)  # type: ignore[misc]

        def work(handle: TaskHandle):  # type: ignore[no-untyped-def]
            steps = back_up(
                backend.uow, actor, str(target), backend.clock(), copy, encrypted=encrypted
            )
            made = yield from passing_on(steps, BackupMade)
            return made.entries, made.chain_head

        self.backup_button.setEnabled(False)
        self.progress.setMaximum(0)  # busy: the copy reports no steps
        self.progress.show()
        self.handle = self.tasks.start(
            work, on_finished=self._finished, on_failed=self._failed_backup
        )

    def _finished(self, result: object) -> None:
        entries, head = cast(tuple[int, str], result)
        self.backup_button.setEnabled(True)
        self._finish_running()
        encrypted = ", encrypted," if self.encrypt.isChecked() else ""
        self.passphrase.clear()
        self.passphrase_again.clear()
        self.message.show_note(
            f"Backed up and checked {entries} entries (chain head {head}){encrypted} to "
            f"{self.target.text()}."
        )

    def _failed_backup(self, error: BaseException, details: str) -> None:
        self.backup_button.setEnabled(True)
        self._failed(error, details)
