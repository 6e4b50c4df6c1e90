"""Save PDF…, Save CSV… and Print… for a listing on screen (the audit trail, a what-if).

The dialog that owns the buttons says how to make the listing (a task for the worker
thread that returns PDF bytes or CSV text); this asks where to save it or which printer to
use, runs the task on the task runner, writes the file whole or not at all, prints through
the same rasterizing path as the evidence PDFs, and says what happened in plain words.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Generator
from pathlib import Path
from typing import Any, cast

import shiboken6
from PySide6.QtCore import QObject, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QPushButton, QWidget

from .intake.printing import print_pdf
from .output_errors import show_output_failure
from .tasks import TaskHandle, TaskRunner
from .widgets import MessageLabel, push_button

PDF, CSV, PRINT = "PDF", "CSV", "print"
FILTERS = {".pdf": "PDF documents (*.pdf)", ".csv": "CSV files (*.csv)"}
# (parent, dialog title, suggested file name) -> the chosen path, or None when cancelled.
FileChooser = Callable[[QWidget | None, str, str], str | None]
# (parent, dialog title) -> a printer set up by the user, or None when cancelled.
PrinterChooser = Callable[[QWidget | None, str], QPrinter | None]
# A task for the worker thread: yields progress words, returns the listing.
ListingTask = Callable[[TaskHandle], Generator[Any, None, Any]]
# What the owner makes for a purpose (PDF, CSV, print); None when there is nothing to list
# (the owner says why in its message).
TaskMaker = Callable[[str], ListingTask | None]


def csv_kind(head: bytes) -> bool:
    """A CSV this program wrote (UTF-8 with its mark): the only kind a CSV replaces."""
    return head.startswith(b"\xef\xbb\xbf")


def _weakly(function: Callable[..., Any]) -> Callable[[], Callable[..., Any]]:
    """A way back to ``function`` that does not keep its object alive."""
    if inspect.ismethod(function):
        return weakref.WeakMethod(function)  # type: ignore[return-value]
    return lambda: function


def ask_save_file(parent: QWidget | None, title: str, suggested: str) -> str | None:
    suffix = Path(suggested).suffix.lower()
    chosen, _filter = QFileDialog.getSaveFileName(
        parent, title, suggested, FILTERS.get(suffix, "All files (*)")
    )
    return chosen or None


def ask_printer(parent: QWidget | None, title: str) -> QPrinter | None:
    # Imported here: the records screens import the audit trail, which imports this.
    from .records.documents import ask_printer as ask

    return ask(parent, title)


class ListingActions(QObject):
    busy_changed = Signal(bool)
    finished = Signal(str)  # what was done, in words

    def __init__(
        self,
        tasks: TaskRunner,
        owner: QWidget,
        message: MessageLabel,
        *,
        save_file: Callable[[str, bytes, Any], Any],  # Backend.save_file
        what: str,  # "the audit trail", "the comparison"
        object_prefix: str,
        stem: Callable[[], str],  # the suggested file name without its extension
        make: TaskMaker,
    ) -> None:
        super().__init__(owner)
        self.tasks = tasks
        self.message = message
        self.save_file = save_file
        self.what = what
        # Weakly: the owner keeps this object; a strong reference back would keep a closed
        # dialog's Python side alive after Qt deleted it.
        self._stem = _weakly(stem)
        self._make = _weakly(make)
        self.busy = False
        self.choose_file: FileChooser = ask_save_file
        self.choose_printer: PrinterChooser = ask_printer
        self.handle: TaskHandle | None = None
        self.last_saved: str | None = None
        self._printer: QPrinter | None = None  # kept alive while its job runs
        self.pdf_button = push_button(
            "Save &PDF…", f"{object_prefix}SavePdf", f"Save {what} as PDF"
        )
        self.csv_button = push_button(
            "Save C&SV…", f"{object_prefix}SaveCsv", f"Save {what} as CSV"
        )
        self.print_button = push_button("P&rint…", f"{object_prefix}Print", f"Print {what}")
        self.pdf_button.clicked.connect(lambda: self.save(PDF))
        self.csv_button.clicked.connect(lambda: self.save(CSV))
        self.print_button.clicked.connect(self.print)

    @property
    def owner(self) -> QWidget:
        return cast(QWidget, self.parent())

    def stem(self) -> str:
        return str(self._stem()())

    def make(self, purpose: str) -> ListingTask | None:
        return cast(TaskMaker, self._make())(purpose)

    @property
    def buttons(self) -> tuple[QPushButton, QPushButton, QPushButton]:
        return self.pdf_button, self.csv_button, self.print_button

    def set_enabled(self, enabled: bool) -> None:
        for button in self.buttons:
            button.setEnabled(enabled and not self.busy)

    def save(self, kind: str) -> None:
        if self.busy:
            return
        task = self.make(kind)  # first: a search that cannot run is said before asking
        if task is None:
            return
        suffix = ".pdf" if kind == PDF else ".csv"
        title = f"Save {self.what} as {kind}"
        path = self.choose_file(self.owner, title, self.stem() + suffix)
        if not path:
            return
        if not path.lower().endswith(suffix):
            path += suffix

        save = self.save_file

        def work(handle: TaskHandle) -> Generator[Any, None, str]:
            from detainer_desk.adapters.files import pdf_kind

            made = yield from task(handle)
            if isinstance(made, bytes):
                return str(save(path, made, pdf_kind))
            # Spreadsheets read UTF-8 right with its mark; only such a CSV is replaced.
            return str(save(path, made.encode("utf-8-sig"), csv_kind))

        def saved(written: str) -> None:
            self.last_saved = written
            self._done(f"Saved {self.what} to {written}.")

        self._start(work, saved, f"Making {self.what}…")

    def print(self) -> None:
        if self.busy:
            return
        task = self.make(PRINT)
        if task is None:
            return
        printer = self.choose_printer(self.owner, f"Print {self.what}")
        if printer is None:
            return
        printer.setDocName(self.stem())
        self._printer = printer

        def work(handle: TaskHandle) -> Generator[Any, None, int]:
            pdf = yield from task(handle)
            return (yield from print_pdf(pdf, printer, handle.cancelled))

        def printed(pages: int) -> None:
            self._done(
                f"Sent {self.what} to the printer ({pages} page{'s' if pages != 1 else ''})."
            )

        self._start(work, printed, f"Printing {self.what}…")

    def _start(self, work: ListingTask, done: Callable[[Any], None], doing: str) -> None:
        self._set_busy(True)
        self.message.show_note(doing)

        def progress(step: object) -> None:
            if isinstance(step, str) and shiboken6.isValid(self):
                self.message.show_note(f"{doing} {step}")

        def finished(result: Any) -> None:
            if shiboken6.isValid(self):  # the dialog may have been closed meanwhile
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
                refused=lambda sentence: sentence,
                not_saved=lambda reason: f"{self.what.capitalize()} could not be saved: {reason}.",
            )

        self.handle = self.tasks.start(
            work, on_progress=progress, on_finished=finished, on_failed=failed
        )

    def cancel(self) -> None:
        if self.handle is not None and not self.handle.done:
            self.handle.cancel()

    def _done(self, words: str) -> None:
        self._set_busy(False)
        self._printer = None
        self.message.show_note(words)
        self.finished.emit(words)

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for button in self.buttons:
            button.setEnabled(not busy)
        self.busy_changed.emit(busy)
