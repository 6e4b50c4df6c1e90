"""Records › Decision log: every decision, searched, filtered and sorted in SQL.

The first page shows at once; the total is counted in the background (on a million
decisions a count takes longer than a page), and the view fetches further pages as it
scrolls. Typing in the search box waits for a pause before asking the database.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Generator
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QModelIndex, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain.clock import start_of_day
from detainer_desk.domain.limits import SEARCH_CHARACTERS
from detainer_desk.domain.vocabulary import OUTCOMES
from detainer_desk.services import board
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import DecisionQuery

from ..fit import fit_columns
from ..session import Session
from ..tasks import TaskHandle, TaskRunner
from ..widgets import MessageLabel, buddy_label, push_button
from .common import (
    DECISION_ID,
    SAMPLE_A_NUMBER,
    SAMPLE_BOOKING,
    SAMPLE_FORM,
    SAMPLE_NAME,
    SAMPLE_OUTCOME,
    SAMPLE_STATUS,
    SAMPLE_TIME,
    SAMPLE_USER,
    UTC_ZONE,
    SaveChooser,
    ask_save_path,
    date_edit,
    python_date,
    qt_date,
    read_zone_then,
    readable_sort_arrows,
    record_table,
    screen_layout,
)
from .documents import NOTICE, DecisionDocuments, PrinterChooser, ask_printer
from .log_model import (
    A_NUMBER,
    BOOKING,
    COLUMNS,
    FORM,
    HOLD_UNTIL,
    OFFICER,
    OUTCOME,
    PAGE_SIZE,
    RECEIVED,
    STATUS,
    SUBJECT,
    LogModel,
)
from .tasks import report_failure, still_alive

SEARCH_PAUSE_MS = 250
COUNT_PAUSE_MS = 300
STATUSES = (
    lc.AWAITING_REVIEW,
    lc.AWAITING_COUNTERSIGN,
    lc.STATUS_COUNTERSIGNED,
    lc.STATUS_OVERRIDDEN,
    lc.STATUS_IN_ICE_CUSTODY,
    lc.STATUS_RELEASED,
    lc.STATUS_LIFTED,
)
ANY = "any"


class PagesFirst:
    """The log's pages go before its background count.

    On SQLite every transaction holds the write lock, and SQLite's busy wait is no queue:
    a count taking one short step after another would keep a waiting page out until the
    count ended. So the count waits between its steps while a page is wanted.
    """

    def __init__(self) -> None:
        self._wanted = 0
        self._changed = threading.Condition()

    def page_wanted(self) -> None:
        with self._changed:
            self._wanted += 1

    def page_done(self) -> None:
        with self._changed:
            self._wanted -= 1
            self._changed.notify_all()

    def wait_for_pages(self, timeout_s: float = 10.0) -> None:
        with self._changed:
            self._changed.wait_for(lambda: self._wanted <= 0, timeout_s)


class DecisionLogScreen(QWidget):
    open_decision = Signal(int)

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.setObjectName("decisionLogScreen")
        self.setAccessibleName("Decision log")
        self.zone: ZoneInfo = UTC_ZONE
        self.stale = True
        self._activation = 0  # which activation a zone read belongs to
        self.total: int | None = None
        self.counted_so_far = 0
        self._count_generation = 0
        self.count_task: TaskHandle | None = None
        # The log reads in lanes of its own: a page never queues behind a long count, a
        # report or another screen's work, and a count made stale by a newer query is
        # skipped rather than run.
        self.page_pool = QThreadPool(self)
        self.page_pool.setMaxThreadCount(1)
        self.count_pool = QThreadPool(self)
        self.count_pool.setMaxThreadCount(1)
        self.page_tasks = TaskRunner(self, pool=self.page_pool)
        self.count_tasks = TaskRunner(self, pool=self.count_pool)
        self.turns = PagesFirst()

        self.model = LogModel(self._start_fetch, page_size, self)
        self.model.problem.connect(self._show_problem)
        self.model.failed.connect(self._page_failed)
        self.model.loaded.connect(self._show_count)
        self.model.rowsInserted.connect(self._show_count)
        self.model.modelReset.connect(self._show_count)

        layout, top = screen_layout(self, "Decision log", "logHeading")
        top.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("logCount")
        self.count_label.setAccessibleName("How many decisions match")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        top.addWidget(self.count_label)
        layout.addLayout(top)
        layout.addLayout(self._build_filters())

        self.table = record_table("logTable", "Decisions")
        self.table.setModel(self.model)
        self.table.horizontalHeader().setSortIndicator(
            self.model.sort_column(), self.model.sort_order()
        )
        self.table.setSortingEnabled(True)
        readable_sort_arrows(self.table)
        self.table.activated.connect(self._activated)
        fit_columns(
            self.table,
            {
                RECEIVED: SAMPLE_TIME,
                SUBJECT: SAMPLE_NAME,
                BOOKING: SAMPLE_BOOKING,
                A_NUMBER: SAMPLE_A_NUMBER,
                FORM: SAMPLE_FORM,
                OUTCOME: SAMPLE_OUTCOME,
                HOLD_UNTIL: SAMPLE_TIME,
                OFFICER: SAMPLE_USER,
                STATUS: SAMPLE_STATUS,
            },
        )
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.hint = hint = QLabel()
        hint.setObjectName("logHint")
        hint.setWordWrap(True)
        hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        bottom.addWidget(hint, 1)
        self.open_button = push_button(
            "Ope&n details…", "logOpen", "Open the selected decision", on_click=self._open_selected
        )
        bottom.addWidget(self.open_button)
        # The notice to the person, again: for the selected decision, without opening it.
        self.print_notice_button = QPushButton("&Print notice…")
        self.print_notice_button.setObjectName("logPrintNotice")
        self.print_notice_button.setAccessibleName("Print the notice to the person again")
        self.print_notice_button.setToolTip("Print the selected decision's notice to the person")
        self.save_notice_button = QPushButton("Sa&ve notice…")
        self.save_notice_button.setObjectName("logSaveNotice")
        self.save_notice_button.setAccessibleName("Save the notice to the person again")
        self.save_notice_button.setToolTip("Save the selected decision's notice as a PDF")
        for button in (self.print_notice_button, self.save_notice_button):
            button.setAutoDefault(False)
            bottom.addWidget(button)
        self.print_notice_button.clicked.connect(lambda: self._notice(print_it=True))
        self.save_notice_button.clicked.connect(lambda: self._notice(print_it=False))
        layout.addLayout(bottom)
        self.message = MessageLabel("logMessage", "Problem")
        layout.addWidget(self.message)
        self.choose_save_path: SaveChooser = ask_save_path
        self.choose_printer: PrinterChooser = ask_printer
        self.documents = DecisionDocuments(session, tasks, self, self.message)
        self.documents.busy_changed.connect(lambda _busy: self._update_notice_buttons())
        self.table.selectionModel().selectionChanged.connect(
            lambda *_args: self._update_notice_buttons()
        )
        self.model.modelReset.connect(self._update_notice_buttons)
        self._update_notice_buttons()

        self.search_timer = QTimer(self)
        self.search_timer.setObjectName("logSearchTimer")
        self.search_timer.setSingleShot(True)
        self.search_timer.setInterval(SEARCH_PAUSE_MS)
        self.search_timer.timeout.connect(self.apply_filters)
        self._count_due = False
        self.count_timer = QTimer(self)
        self.count_timer.setObjectName("logCountTimer")
        self.count_timer.setSingleShot(True)
        self.count_timer.setInterval(COUNT_PAUSE_MS)
        self.count_timer.timeout.connect(self._count_now)
        self.model.loaded.connect(self._first_page_shown)
        self.search_edit.textChanged.connect(lambda _text: self.search_timer.start())
        self.officer_edit.textChanged.connect(lambda _text: self.search_timer.start())
        self.search_edit.returnPressed.connect(self.apply_filters)
        self.officer_edit.returnPressed.connect(self.apply_filters)
        for combo in (self.outcome_combo, self.status_combo):
            combo.currentIndexChanged.connect(lambda _i: self.apply_filters())
        for check in (self.from_check, self.to_check):
            check.toggled.connect(lambda _on: self.apply_filters())
        for edit in (self.from_date, self.to_date):
            edit.dateChanged.connect(self._date_changed)

    # ---------------------------------------------------------------- filters
    def _build_filters(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(6)

        self.search_edit = QLineEdit()
        self.search_edit.setObjectName("logSearch")
        self.search_edit.setAccessibleName("Search by name, A-number or booking number")
        self.search_edit.setPlaceholderText("Name words, A-number or booking number")
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMaxLength(SEARCH_CHARACTERS)
        self._labelled(grid, 0, 0, "&Search:", self.search_edit, span=3)

        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("logOutcome")
        self.outcome_combo.setAccessibleName("Outcome as recorded")
        self.outcome_combo.addItem(ANY, None)
        for outcome in OUTCOMES:
            self.outcome_combo.addItem(outcome, outcome)
        self._labelled(grid, 0, 4, "Outco&me:", self.outcome_combo)

        self.status_combo = QComboBox()
        self.status_combo.setObjectName("logStatus")
        self.status_combo.setAccessibleName("Status")
        self.status_combo.addItem(ANY, None)
        for status in STATUSES:
            self.status_combo.addItem(status, status)
        self._labelled(grid, 0, 6, "Stat&us:", self.status_combo)

        self.officer_edit = QLineEdit()
        self.officer_edit.setObjectName("logOfficer")
        self.officer_edit.setAccessibleName("Recorded by (user name)")
        self.officer_edit.setPlaceholderText("anyone")
        self.officer_edit.setClearButtonEnabled(True)
        self._labelled(grid, 1, 0, "Recorded &by:", self.officer_edit)

        today = QDate.currentDate()
        self.from_check = QCheckBox("Receive&d from:")
        self.from_check.setObjectName("logFromEnabled")
        self.from_check.setAccessibleName("Only decisions received from a date")
        self.from_date = date_edit(
            "logFrom", "Received from (included)", today.addDays(-30), enabled=False
        )
        self.from_check.toggled.connect(self.from_date.setEnabled)
        grid.addWidget(self.from_check, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.from_date, 1, 3)

        self.to_check = QCheckBox("u&p to:")
        self.to_check.setObjectName("logToEnabled")
        self.to_check.setAccessibleName("Only decisions received up to a date")
        self.to_date = date_edit("logTo", "Received up to (included)", today, enabled=False)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        grid.addWidget(self.to_check, 1, 4, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.to_date, 1, 5)

        self.clear_button = push_button(
            "Cl&ear filters",
            "logClear",
            "Clear the search and filters",
            on_click=self.clear_filters,
        )
        grid.addWidget(self.clear_button, 1, 6, 1, 2, Qt.AlignmentFlag.AlignRight)

        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 1)
        grid.setColumnStretch(5, 1)
        grid.setColumnStretch(7, 1)
        return grid

    @staticmethod
    def _labelled(
        grid: QGridLayout, row: int, column: int, text: str, field: QWidget, span: int = 1
    ) -> None:
        label = buddy_label(text, field)
        grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(field, row, column + 1, 1, span)

    def _date_changed(self) -> None:
        if self.from_check.isChecked() or self.to_check.isChecked():
            self.apply_filters()

    def clear_filters(self) -> None:
        widgets = (
            self.search_edit,
            self.officer_edit,
            self.outcome_combo,
            self.status_combo,
            self.from_check,
            self.to_check,
        )
        for widget in widgets:
            widget.blockSignals(True)
        self.search_edit.clear()
        self.officer_edit.clear()
        self.outcome_combo.setCurrentIndex(0)
        self.status_combo.setCurrentIndex(0)
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        for widget in widgets:
            widget.blockSignals(False)
        self.from_date.setEnabled(False)
        self.to_date.setEnabled(False)
        self.apply_filters()

    def _received_range(self) -> tuple[dt.datetime | None, dt.datetime | None]:
        zone = self.zone
        received_from = received_to = None
        if self.from_check.isChecked():
            received_from = start_of_day(python_date(self.from_date.date()), zone)
        if self.to_check.isChecked():
            last = python_date(self.to_date.date())
            received_to = start_of_day(last + dt.timedelta(days=1), zone)
        return received_from, received_to

    def apply_filters(self) -> None:
        """Ask the database for the first page that matches; count them after it shows."""
        self.search_timer.stop()
        if not self.session.may(acc.VIEW_RECORDS):
            return  # signed out, or locked while the search box waited for a pause
        self.message.clear_message()
        received_from, received_to = self._received_range()
        if received_from and received_to and received_from >= received_to:
            self.message.show_error("The “from” date is after the “to” date.")
            return
        self.stale = False
        # Counted once the first page is on screen and the query has stayed the same for a
        # moment: the page the user waits for never queues behind a count, and a query
        # still being refined is not counted at all.
        self._count_generation += 1
        self.total = None
        self.counted_so_far = 0
        self.count_timer.stop()
        self._count_due = True
        self.model.set_filters(
            search=self.search_edit.text().strip(),
            outcome=self.outcome_combo.currentData(),
            status=self.status_combo.currentData(),
            recorded_by=self.officer_edit.text().strip().casefold(),
            received_from=received_from,
            received_to=received_to,
        )

    # ---------------------------------------------------------------- loading
    def activate(self) -> None:
        """Shown: load the first page if nothing (or another user's view) is loaded."""
        if not self.stale or not self.session.may(acc.VIEW_RECORDS):
            return
        self.stale = False  # being read: the county's zone first, then the first page
        self._activation += 1
        activation = self._activation

        def zone_read(zone: ZoneInfo) -> None:
            # Cleared (signed out) or activated again meanwhile: that one goes on.
            if activation == self._activation and not self.stale:
                self._activate_in(zone)

        read_zone_then(self.session, self.tasks, self, self.message, zone_read)

    def _activate_in(self, zone: ZoneInfo) -> None:
        if not self.session.may(acc.VIEW_RECORDS):
            return
        self.zone = zone
        self.model.set_zone(self.zone)
        self._show_hint()
        if not (self.from_check.isChecked() or self.to_check.isChecked()):
            today = self.session.now().astimezone(self.zone).date()
            for edit, day in (
                (self.from_date, today - dt.timedelta(days=30)),
                (self.to_date, today),
            ):
                edit.blockSignals(True)
                edit.setDate(qt_date(day))
                edit.blockSignals(False)
        self.apply_filters()

    def _show_hint(self) -> None:
        self.hint.setText(
            f"Times are the county's ({self.zone.key}). Click a column heading to sort by it. "
            "Double-click a decision, or select it and press Enter, to see everything about it."
        )

    def refresh(self) -> None:
        self.stale = True
        self.activate()

    def clear(self) -> None:
        """Signed out: nothing of the records stays on screen."""
        self.search_timer.stop()
        self.count_timer.stop()
        self._count_due = False
        self._count_generation += 1
        self.model.clear()
        self.total = None
        self.stale = True
        self.message.clear_message()
        self.count_label.clear()

    def _start_fetch(
        self,
        query: DecisionQuery,
        on_page: Callable[[board.LogPage], None],
        on_error: Callable[[BaseException, str], None],
    ) -> None:
        """One page, read on the task runner with values taken here on the GUI thread."""
        try:
            actor = self.session.require_actor()
        except RecordError as refused:
            on_error(refused, "")
            return
        uow, now = self.session.backend.uow, self.session.now()
        model, generation, turns = self.model, self.model.generation, self.turns
        turns.page_wanted()

        def work(_handle: TaskHandle) -> Generator[str, None, board.LogPage | None]:
            try:
                yield "reading"
                if model.generation != generation:
                    return None  # the query changed while this waited its turn
                return board.log_page(uow(), actor, query, now)
            finally:
                turns.page_done()

        def finished(page: board.LogPage | None) -> None:
            if page is not None and still_alive(self):
                on_page(page)

        self.page_tasks.start(
            work,
            on_finished=finished,
            on_failed=lambda error, trace: on_error(error, trace) if still_alive(self) else None,
        )

    def _first_page_shown(self) -> None:
        if self._count_due:
            self._count_due = False
            self.count_timer.start()

    def _count_now(self) -> None:
        if self.session.may(acc.VIEW_RECORDS) and not self.stale:
            self._count(self.model.query)

    def _count(self, query: DecisionQuery) -> None:
        self._count_generation += 1
        generation = self._count_generation
        self.total = None
        self.counted_so_far = 0
        self._show_count()
        uow = self.session.backend.uow
        actor = self.session.require_actor()
        now = self.session.now()

        def stale() -> bool:
            return generation != self._count_generation

        turns = self.turns

        def work(_handle: TaskHandle) -> Generator[int, None, int | None]:
            total = None
            for total in board.log_count_stepwise(uow, actor, query, now, cancelled=stale):
                yield total
                turns.wait_for_pages()
            return None if stale() else total

        def progress(so_far: int) -> None:
            if still_alive(self) and not stale():
                self.counted_so_far = so_far
                self._show_count()

        def counted(total: int | None) -> None:
            if total is not None and still_alive(self) and not stale():
                self.total = total
                self._show_count()

        def failed(error: BaseException, trace: str) -> None:
            if still_alive(self) and not stale():
                report_failure(self, self.message, error, trace)

        self.count_task = self.count_tasks.start(
            work, on_progress=progress, on_finished=counted, on_failed=failed
        )

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """For shutdown and tests: wait until the log's own reads have ended."""
        pages = self.page_pool.waitForDone(timeout_ms)
        return self.count_pool.waitForDone(timeout_ms) and pages

    def _show_count(self) -> None:
        shown = self.model.rowCount()
        if self.session.actor is None or self.stale:
            text = ""
        elif self.model.loading and shown == 0:
            text = "Reading the log…"
        elif self.total is None:
            so_far = max(shown, self.counted_so_far)
            text = f"{shown:,} shown · counting… (at least {so_far:,})"
        elif self.total == 0:
            text = "No decisions match."
        elif shown >= self.total:
            text = f"{self.total:,} decision{'s' if self.total != 1 else ''} (all shown)"
        else:
            text = f"{shown:,} of {self.total:,} decisions shown · scroll for more"
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(text)

    def _page_failed(self, error: BaseException, trace: str) -> None:
        report_failure(self, self.message, error, trace)

    def _show_problem(self, text: str) -> None:
        self.message.show_error(text)

    # ------------------------------------------------------------ opening one
    def _activated(self, index: QModelIndex) -> None:
        if index.isValid():
            self.open_decision.emit(int(index.data(DECISION_ID)))

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _update_notice_buttons(self) -> None:
        may_print = self.session.may(acc.PRINT_RECORDS)
        chosen = self._selected_row() is not None
        for button in (self.print_notice_button, self.save_notice_button):
            button.setEnabled(may_print and chosen and not self.documents.busy)

    def _notice(self, *, print_it: bool) -> None:
        row = self._selected_row()
        if row is None:
            self.message.show_note("Select a decision first.")
            return
        chosen = self.model.log_row(row)
        if print_it:
            self.documents.print(chosen.decision_id, NOTICE)
        else:
            self.documents.save(chosen.decision_id, chosen.booking_number, NOTICE)

    def _open_selected(self) -> None:
        index = self.table.currentIndex()
        if index.isValid():
            self.open_decision.emit(int(index.data(DECISION_ID)))
        else:
            self.message.show_note("Select a decision first.")


__all__ = ["COLUMNS", "DecisionLogScreen"]
