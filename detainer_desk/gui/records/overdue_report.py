"""Records › Active holds › Overdue report: everyone still held past ``hold_until`` (it should
always say: nobody), and the holds that ended after their deadline in the last days. Printing
it or saving it as a PDF is audited first, as it names people."""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import timetext
from detainer_desk.services import board
from detainer_desk.services.board import HoldItem

from ..fit import fit_to_screen
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel
from .common import SaveChooser, ask_save_path, full_time, short_time
from .tasks import run_in_background


class OverdueReportDialog(QDialog):
    """Everyone still held past ``hold_until``. It should always say: nobody."""

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        zone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.zone = zone
        self.items: list[HoldItem] | None = None
        self.ended_late: list[board.EndedLate] = []
        self.generated_at: dt.datetime | None = None
        self.choose_save_path: SaveChooser = ask_save_path
        self.saved_path: str | None = None
        self.setObjectName("overdueReportDialog")
        self.setWindowTitle("Held past the deadline")
        self.setAccessibleName("Report of everyone held past the deadline")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 860, 560)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.view = QTextBrowser()
        self.view.setObjectName("overdueView")
        self.view.setAccessibleName("The overdue report")
        self.view.setHtml("<p>Reading the holds…</p>")
        layout.addWidget(self.view, 1)
        self.message = MessageLabel("overdueMessage", "Result")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        buttons.setObjectName("overdueButtons")
        may_print = session.may(acc.PRINT_RECORDS)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("overduePrint")
        self.print_button.setAccessibleName("Print the report")
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setObjectName("overdueSave")
        self.save_button.setAccessibleName("Save the report as a PDF")
        for button in (self.print_button, self.save_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self._may_print = may_print
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_pdf)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("overdueClose")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        self.generated_at = now

        def loaded(found: tuple[list[HoldItem], list[board.EndedLate]]) -> None:
            self.items, self.ended_late = found
            self.view.setHtml(self.report_html())
            for button in (self.print_button, self.save_button):
                button.setEnabled(self._may_print)
                if not self._may_print:
                    button.setToolTip("Needs a role that may print records")

        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: (
                board.overdue_holds(uow(), actor, now),
                board.ended_late(uow(), actor, now),
            ),
            loaded,
        )

    def report_html(self) -> str:
        items = self.items or []
        zone = self.zone
        when = full_time(self.generated_at, zone)
        actor = self.session.actor
        by = actor.user if actor else ""
        head = (
            "<h2>Held past the deadline</h2>"
            f"<p>Everyone still held on a detainer after their <i>hold until</i> time, as of "
            f"{html.escape(when)}; made by {html.escape(by)}. Times in {html.escape(zone.key)}. "
            "This list should always be empty.</p>"
        )
        late = self._ended_late_html()
        if not items:
            return head + "<p><b>Nobody is held past the deadline.</b></p>" + late
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(i.row.subject_name)}</td>"
            f"<td>{html.escape(i.row.booking_number)}</td>"
            f"<td>{html.escape(i.row.form)}</td>"
            f"<td>{html.escape(short_time(i.row.release_eligible_at, zone))}</td>"
            f"<td>{html.escape(short_time(i.hold_until, zone))}</td>"
            f"<td><b>{html.escape(i.countdown.removeprefix('overdue by '))}</b></td>"
            f"<td>{html.escape(i.row.status or '')}</td>"
            "</tr>"
            for i in items
        )
        header = "".join(
            f"<th align='left'>{h}</th>"
            for h in (
                "Subject",
                "Booking no.",
                "Form",
                "Release eligible",
                "Hold until",
                "Overdue",
                "Status",
            )
        )
        return (
            head + f"<p><b>{len(items):,} {'person is' if len(items) == 1 else 'people are'} held "
            "past the deadline. Release them now or record what happened.</b></p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{header}</tr>{rows}</table>" + late
        )

    def _ended_late_html(self) -> str:
        """The holds that ended after their deadline in the last days: the fact that ended
        each was recorded as it happened, and is marked with by how much."""
        days = board.ENDED_LATE_DAYS
        if not self.ended_late:
            return f"<p>No hold ended after its deadline in the last {days} days.</p>"
        zone = self.zone
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(e.row.subject_name)}</td>"
            f"<td>{html.escape(e.row.booking_number)}</td>"
            f"<td>{html.escape(short_time(e.hold_until, zone))}</td>"
            f"<td>{html.escape(lc.AMENDMENT_WORDS.get(e.kind, e.kind))}</td>"
            f"<td>{html.escape(short_time(e.ended_at, zone))}</td>"
            f"<td><b>{html.escape(e.words)}</b></td>"
            "</tr>"
            for e in self.ended_late
        )
        header = "".join(
            f"<th align='left'>{h}</th>"
            for h in ("Subject", "Booking no.", "Hold until", "Ended by", "At", "Late")
        )
        return (
            f"<h3>Held past the deadline in the last {days} days</h3>"
            f"<p>{len(self.ended_late):,} hold{'s' if len(self.ended_late) != 1 else ''} "
            "ended after the deadline: the fact that ended each was recorded as it happened.</p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{header}</tr>{rows}</table>"
        )

    def _document(self) -> QTextDocument:
        document = QTextDocument(self)
        document.setHtml(self.report_html())
        return document

    def _record_print(self, then: Callable[[], None]) -> None:
        """The printed or saved report names people: audited (and refused without the
        right) in the background; ``then()`` prints it once that is written."""
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: board.overdue_report(uow(), actor, now),
            lambda _audited: then(),
        )

    def save_pdf(self) -> None:
        stamp = timetext.file_stamp(self.generated_at or self.session.now(), self.zone)
        path = self.choose_save_path(self, "Save the overdue report", f"overdue-holds-{stamp}.pdf")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"

        def save() -> None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(path)
            self._document().print_(printer)
            self.saved_path = path
            self.message.show_note(f"Saved the report to {path}.")

        self._record_print(save)

    def print_report(self) -> QPrintDialog | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("overduePrintDialog")

        def printed() -> None:
            self._document().print_(printer)
            self.message.show_note("Sent the report to the printer.")

        dialog.accepted.connect(lambda: self._record_print(printed))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        return dialog
