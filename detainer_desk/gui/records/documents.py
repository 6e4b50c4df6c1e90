"""A recorded decision's documents from any screen that shows it: the audit PDF and the
notice to the person, saved as a file or printed, again whenever they are needed (a lost
notice, a second copy for the person's lawyer). The decision log and the detail view use
this; the intake screen prints right after recording.

Each document is made afresh from the record (the same facts, "Generated" now) on a worker
thread, and each one made is in the audit trail ("decision.print", with its purpose): a
reprint is as visible as the first print.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

from detainer_desk.services import documents

from ..intake.printing import print_pdf
from ..output_errors import show_output_failure
from ..session import Session
from ..tasks import TaskHandle, TaskRunner
from ..widgets import MessageLabel
from .common import SaveChooser, ask_save_path

AUDIT_PDF = "audit PDF"
NOTICE = "notice to the person"
TITLES = {
    (AUDIT_PDF, "save"): "Save the audit PDF",
    (AUDIT_PDF, "print"): "Print the audit PDF",
    (NOTICE, "save"): "Save the notice to the person",
    (NOTICE, "print"): "Print the notice to the person",
}
# (parent, dialog title) -> a printer set up by the user, or None when cancelled.
PrinterChooser = Callable[[QWidget | None, str], QPrinter | None]


def ask_printer(parent: QWidget | None, title: str) -> QPrinter | None:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(title)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return None
    return printer


def file_stem(decision_id: int, booking_number: str, purpose: str) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in booking_number)
    kind = "notice" if purpose == NOTICE else "audit"
    return f"decision-{decision_id}-{safe}-{kind}"


class DecisionDocuments(QObject):
    """Saves or prints one decision's audit PDF or notice for ``owner``, one at a time.

    The owner may set ``choose_save_path`` and ``choose_printer`` (tests give their own);
    what happened is said in ``message`` and announced with ``finished``."""

    busy_changed = Signal(bool)
    finished = Signal(str)  # what was done, in words

    def __init__(
        self, session: Session, tasks: TaskRunner, owner: QWidget, message: MessageLabel
    ) -> None:
        super().__init__(owner)
        self.session = session
        self.tasks = tasks
        self.message = message
        self.busy = False
        self._printer: QPrinter | None = None  # kept alive while its job runs
        self.last_saved: str | None = None

    @property
    def owner(self) -> QWidget:
        # Through Qt's parent, not a Python reference: no cycle keeps a closed dialog alive.
        return cast(QWidget, self.parent())

    def _chooser(self) -> SaveChooser:
        return getattr(self.owner, "choose_save_path", ask_save_path)

    def _printer_chooser(self) -> PrinterChooser:
        return getattr(self.owner, "choose_printer", ask_printer)

    def _maker(self, decision_id: int, purpose: str) -> Callable[[], bytes]:
        uow, now = self.session.backend.uow, self.session.now()
        actor = self.session.require_actor()

        def make() -> bytes:
            from detainer_desk.adapters import pdf  # reportlab loads with the first PDF

            record = documents.decision_record(uow(), decision_id, actor, now, purpose)
            context = documents.report_context(uow(), actor, now)
            render = pdf.render_notice_pdf if purpose == NOTICE else pdf.render_audit_pdf
            return render(record, context)

        return make

    def save(self, decision_id: int, booking_number: str, purpose: str) -> None:
        if self.busy:
            return
        suggested = file_stem(decision_id, booking_number, purpose) + ".pdf"
        path = self._chooser()(self.owner, TITLES[purpose, "save"], suggested)
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"
        make = self._maker(decision_id, purpose)
        backend = self.session.backend

        def work(_handle: TaskHandle) -> Any:
            from detainer_desk.adapters.files import pdf_kind

            yield "making"
            # Private, whole or not at all, never through a link, replacing only a PDF.
            return str(backend.save_file(path, make(), pdf_kind))

        def saved(written: str) -> None:
            self.last_saved = written
            self._done(f"Saved the {purpose} of decision {decision_id} to {written}.")

        self._start(work, saved, purpose, f"Making the {purpose}…")

    def print(self, decision_id: int, purpose: str) -> None:
        if self.busy:
            return
        printer = self._printer_chooser()(self.owner, TITLES[purpose, "print"])
        if printer is None:
            return
        printer.setDocName(f"Decision {decision_id}: {purpose}")
        self._printer = printer
        make = self._maker(decision_id, purpose)

        def work(handle: TaskHandle) -> Any:
            yield "making"
            data = make()
            return (yield from print_pdf(data, printer, handle.cancelled))

        def printed(pages: int) -> None:
            self._done(
                f"Sent the {purpose} of decision {decision_id} to the printer "
                f"({pages} page{'s' if pages != 1 else ''})."
            )

        self._start(work, printed, purpose, f"Printing the {purpose}…")

    def _start(
        self,
        work: Callable[[TaskHandle], Any],
        done: Callable[[Any], None],
        purpose: str,
        doing: str,
    ) -> None:
        self._set_busy(True)
        self.message.show_note(doing)

        def finished(result: Any) -> None:
            if shiboken6.isValid(self):  # deleted with its dialog meanwhile
                done(result)

        def failed(error: BaseException, _trace: str) -> None:
            if not shiboken6.isValid(self):
                return
            self._set_busy(False)
            self._printer = None
            show_output_failure(
                self.message,
                self.owner,
                error,
                refused=lambda sentence: f"The {purpose} was not made: {sentence}",
                not_saved=lambda reason: f"The {purpose} could not be saved: {reason}.",
            )

        self.tasks.start(work, on_finished=finished, on_failed=failed)

    def _done(self, words: str) -> None:
        self._set_busy(False)
        self._printer = None
        self.message.show_note(words)
        self.finished.emit(words)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.busy_changed.emit(busy)
