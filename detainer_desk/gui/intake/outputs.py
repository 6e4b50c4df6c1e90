"""What a recorded decision gives the officer: the audit PDF and the notice to the person,
saved where they choose or printed. Both are made on the task runner from the record
itself (each task opens its own unit of work), never from what is on the screen."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtPrintSupport import QPrinter

from detainer_desk.services import documents as evidence
from detainer_desk.services.access import RecordError

from ..errors import show_bug
from ..widgets import plain_sentence
from . import printing
from .files import reason_of
from .part import IntakePart, Shared
from .printing import PrintError

AUDIT_PDF, NOTICE = "audit PDF", "notice to the person"


class Outputs(IntakePart):
    def __init__(self, shared: Shared) -> None:
        super().__init__(shared)
        self._printer: QPrinter | None = None  # kept alive until the job ends

    def _document_task(self, purpose: str) -> Callable[[], bytes] | None:
        """A function that makes the PDF (on a worker thread), or None if it cannot be made."""
        recorded, actor = self.state.recorded, self.session.actor
        if recorded is None or actor is None or self.state.busy is not None:
            return None
        uow, now, decision_id = self.session.backend.uow, self.session.now(), recorded.decision_id

        def make() -> bytes:
            from detainer_desk.adapters import pdf  # reportlab loads only when a PDF is made

            record = evidence.decision_record(uow(), decision_id, actor, now, purpose)
            context = evidence.report_context(uow(), actor, now)
            render = pdf.render_notice_pdf if purpose == NOTICE else pdf.render_audit_pdf
            return render(record, context)

        return make

    def _suggested_name(self, purpose: str) -> str:
        recorded = self.state.recorded
        request = self.state.assessment.request
        booking = request.subject.booking_number if request else "request"
        number = recorded.decision_id if recorded else 0
        stem = "notice" if purpose == NOTICE else "audit"
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in booking)
        return str(Path(self.screen.recent.folder()) / f"decision-{number}-{safe}-{stem}.pdf")

    def save_pdf(self, purpose: str) -> None:
        make = self._document_task(purpose)
        if make is None:
            return
        title = "Save the notice to the person" if purpose == NOTICE else "Save the audit PDF"
        target = self.screen.dialogs.pdf_to_save(self.screen, title, self._suggested_name(purpose))
        if not target:
            return
        if not target.lower().endswith(".pdf"):
            target += ".pdf"

        backend = self.session.backend

        def work(handle: Any) -> Any:
            from detainer_desk.adapters.files import pdf_kind

            yield "making"
            data = make()
            yield "writing"
            return str(backend.save_file(target, data, pdf_kind))

        self.display.set_busy(f"Making the {purpose}…")
        self.tasks.start(
            work,
            on_finished=lambda path: self._done(f"Saved the {purpose} to {path}."),
            on_failed=lambda exc, _tb: self._failed(purpose, exc),
        )

    def print_pdf(self, purpose: str) -> None:
        make = self._document_task(purpose)
        recorded = self.state.recorded
        if make is None or recorded is None:
            return
        title = "Print the notice to the person" if purpose == NOTICE else "Print the audit PDF"
        printer = self.screen.dialogs.printer(self.screen, title)
        if printer is None:
            return
        printer.setDocName(f"Decision {recorded.decision_id}: {purpose}")
        self._printer = printer

        backend = self.session.backend

        def work(handle: Any) -> Any:
            yield "making"
            data = make()
            # "Print to file": the file is made like every other output (private, whole or
            # not at all, never through a link), not by the printer where it was named.
            to_file = printing.into_private_file(printer, backend.partials())
            try:
                pages = yield from printing.print_pdf(data, printer, handle.cancelled)
                if to_file is not None:
                    to_file.commit()
            except BaseException:
                if to_file is not None:
                    to_file.discard()
                raise
            return pages

        self.display.set_busy(f"Printing the {purpose}…")
        self.tasks.start(
            work,
            on_finished=lambda pages: self._done(
                f"Sent the {purpose} to the printer ({pages} page{'s' if pages != 1 else ''})."
            ),
            on_failed=lambda exc, _tb: self._failed(purpose, exc),
        )

    def _done(self, message: str) -> None:
        self.display.set_busy(None)
        self._printer = None
        self.screen.banner.show_remark(message)
        self.screen.status.emit(message)

    def _failed(self, purpose: str, exc: BaseException) -> None:
        self.display.set_busy(None)
        self._printer = None
        if isinstance(exc, RecordError | PrintError):
            self.screen.banner.show_problem(
                f"The {purpose} was not made: {plain_sentence(str(exc))}"
            )
        elif isinstance(exc, OSError):
            self.screen.banner.show_problem(f"The {purpose} could not be saved: {reason_of(exc)}.")
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)
