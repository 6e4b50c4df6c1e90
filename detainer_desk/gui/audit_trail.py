"""Admin › Audit trail: who did what, when, from where, and with what outcome.

Newest first, one page at a time: the filters go to SQL, and "Load more" asks for the
events before the last one shown (keyset paging), so the trail is never loaded whole.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import timetext
from detainer_desk.domain.clock import start_of_day
from detainer_desk.domain.details import details_text
from detainer_desk.services import accounts, listings
from detainer_desk.services.access import DENIED, FAILURE, SUCCESS, RecordError
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.documents import report_context
from detainer_desk.services.ports import AuditEvent, AuditQuery

from .fit import fit_to_screen
from .list_model import ListModel
from .listing_actions import CSV, ListingActions, ListingTask
from .session import Session
from .tasks import TaskHandle, TaskRunner, run_in_background, tasks_for
from .widgets import MessageLabel, compact_rows, plain_sentence

PAGE_SIZE = 200
COLUMNS = ("Time", "User", "Roles", "Workstation", "Action", "Target", "Outcome", "Details")
ACTION_PREFIXES = (
    "sign_in",
    "sign_out",
    "session.",
    "account.",
    "settings.",
    "policy.",
    "decision.",
    "audit.",
)


def time_text(moment: dt.datetime, zone: dt.tzinfo) -> str:
    """The county's time to hundredths of a second, with its abbreviation: enough to order
    what one person did in a burst (the tooltip gives the same instant in UTC)."""
    return timetext.precise_time(moment, zone)


class AuditModel(ListModel[AuditEvent]):
    def __init__(self, zone: dt.tzinfo, parent: QWidget | None = None) -> None:
        super().__init__(COLUMNS, parent)
        self.zone = zone  # the county's: times are its wall clock, the tooltip gives UTC

    def set_events(self, events: Sequence[AuditEvent]) -> None:
        self.beginResetModel()
        self._items = list(events)
        self.endResetModel()

    def append_events(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        first = len(self._items)
        self.beginInsertRows(QModelIndex(), first, first + len(events) - 1)
        self._items.extend(events)
        self.endInsertRows()

    def audit_event(self, row: int) -> AuditEvent:
        return self._items[row]

    def last_id(self) -> int | None:
        return self._items[-1].id if self._items else None

    def tooltip(self, item: AuditEvent, column: int) -> str | None:
        if column != 0:
            return None
        return f"{time_text(item.occurred_at, self.zone)} = " + timetext.precise_utc_time(
            item.occurred_at
        )

    def cells(self, item: AuditEvent) -> tuple[str, ...]:
        return (
            time_text(item.occurred_at, self.zone),
            item.user_name,
            item.roles,
            item.workstation,
            item.action,
            item.target or "",
            item.outcome,
            details_text(
                item.details if item.details is not None else item.details_json,
                self.zone,
            ),
        )


class AuditTrailDialog(QDialog):
    def __init__(
        self,
        session: Session,
        parent: QWidget | None = None,
        *,
        page_size: int = PAGE_SIZE,
        tasks: TaskRunner | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.page_size = page_size
        self.tasks = tasks_for(self, tasks)
        self._generation = 0  # which search the page being read belongs to
        # The county's zone: the times shown and the filters' days are its wall clock. It
        # is read in the background first; the first search follows it.
        self.zone: ZoneInfo = ZoneInfo("UTC")
        self.zone_known = False
        self.setObjectName("auditTrailDialog")
        self.setWindowTitle("Audit trail")
        self.setAccessibleName("Audit trail")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 1120, 620)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.setSpacing(10)
        layout.addWidget(self._build_filters())

        self.model = AuditModel(self.zone, self)
        self.table = QTableView()
        self.table.setObjectName("auditTable")
        self.table.setAccessibleName("Audit events, newest first")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        compact_rows(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.count_label = QLabel()
        self.count_label.setObjectName("auditCount")
        self.count_label.setAccessibleName("How many events are shown")
        self.count_label.setWordWrap(True)
        bottom.addWidget(self.count_label, 1)
        # Every event matching the filters (not only those loaded), to keep or hand on.
        self.message = MessageLabel("auditMessage", "Problem")
        self.listing = ListingActions(
            self.tasks,
            self,
            self.message,
            save_file=self.session.backend.save_file,
            what="the audit trail",
            object_prefix="audit",
            stem=self._listing_stem,
            make=self._listing_task,
        )
        for button in self.listing.buttons:
            bottom.addWidget(button)
        self.load_more_button = QPushButton("Load &more")
        self.load_more_button.setObjectName("auditLoadMore")
        self.load_more_button.setAccessibleName("Load more events")
        self.load_more_button.setAutoDefault(False)
        self.load_more_button.clicked.connect(self.load_more)
        bottom.addWidget(self.load_more_button)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("auditButtons")
        close.rejected.connect(self.reject)
        self.close_button = close.button(QDialogButtonBox.StandardButton.Close)
        self.close_button.setObjectName("auditClose")
        self.close_button.setAccessibleName("Close")
        self.close_button.setAutoDefault(False)
        bottom.addWidget(close)
        layout.addLayout(bottom)
        layout.addWidget(self.message)

        for first, second in (
            (self.user_edit, self.action_combo),
            (self.action_combo, self.outcome_combo),
            (self.outcome_combo, self.from_check),
            (self.from_check, self.from_date),
            (self.from_date, self.to_check),
            (self.to_check, self.to_date),
            (self.to_date, self.search_button),
            (self.search_button, self.clear_button),
            (self.clear_button, self.table),
            (self.table, self.load_more_button),
            (self.load_more_button, self.close_button),
        ):
            QWidget.setTabOrder(first, second)
        self._read_zone()

    def _read_zone(self) -> None:
        uow = self.session.backend.uow

        def known(zone: ZoneInfo) -> None:
            self.zone = self.model.zone = zone
            day = timetext.county_day(self.session.now(), zone)
            today = QDate(day.year, day.month, day.day)
            for edit, default in ((self.from_date, today.addDays(-7)), (self.to_date, today)):
                if edit.date() == edit.property("placeholderDay"):  # not changed meanwhile
                    edit.setDate(default)
            self.zone_known = True
            self.search()

        run_in_background(self.tasks, self, self.message, lambda: county_zone(uow()), known)

    # ---------------------------------------------------------------- filters
    def _build_filters(self) -> QGroupBox:
        group = QGroupBox("Show events")
        group.setObjectName("auditFilters")
        grid = QGridLayout(group)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(8)

        self.user_edit = QLineEdit()
        self.user_edit.setObjectName("auditUser")
        self.user_edit.setAccessibleName("User name")
        self.user_edit.setPlaceholderText("anyone")
        self.user_edit.setClearButtonEnabled(True)
        self.user_edit.returnPressed.connect(self.search)
        self._labelled(grid, 0, 0, "&User:", self.user_edit)

        self.action_combo = QComboBox()
        self.action_combo.setObjectName("auditAction")
        self.action_combo.setAccessibleName("Action begins with")
        self.action_combo.setEditable(True)
        self.action_combo.addItem("")
        self.action_combo.addItems(ACTION_PREFIXES)
        self.action_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        line_edit = self.action_combo.lineEdit()
        assert line_edit is not None  # the combo box is editable
        line_edit.setPlaceholderText("any action")
        line_edit.returnPressed.connect(self.search)
        self._labelled(grid, 0, 2, "&Action begins with:", self.action_combo)

        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("auditOutcome")
        self.outcome_combo.setAccessibleName("Outcome")
        self.outcome_combo.addItem("any", None)
        for outcome in (SUCCESS, FAILURE, DENIED):
            self.outcome_combo.addItem(outcome, outcome)
        self._labelled(grid, 0, 4, "&Outcome:", self.outcome_combo)

        day = timetext.county_day(self.session.now(), self.zone)
        today = QDate(day.year, day.month, day.day)
        self.from_check = QCheckBox("&From:")
        self.from_check.setObjectName("auditFromEnabled")
        self.from_check.setAccessibleName("Limit to events from a date")
        self.from_date = self._date_edit("auditFrom", "From date", today.addDays(-7))
        self.from_check.toggled.connect(self.from_date.setEnabled)
        grid.addWidget(self.from_check, 1, 0)
        grid.addWidget(self.from_date, 1, 1)

        self.to_check = QCheckBox("&To:")
        self.to_check.setObjectName("auditToEnabled")
        self.to_check.setAccessibleName("Limit to events up to a date")
        self.to_date = self._date_edit("auditTo", "To date, included", today)
        self.to_check.toggled.connect(self.to_date.setEnabled)
        grid.addWidget(self.to_check, 1, 2, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.to_date, 1, 3)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.search_button = QPushButton("&Search")
        self.search_button.setObjectName("auditSearch")
        self.search_button.setAccessibleName("Search")
        self.search_button.setAutoDefault(False)
        self.search_button.clicked.connect(self.search)
        self.clear_button = QPushButton("&Clear filters")
        self.clear_button.setObjectName("auditClear")
        self.clear_button.setAccessibleName("Clear filters")
        self.clear_button.setAutoDefault(False)
        self.clear_button.clicked.connect(self.clear_filters)
        buttons.addWidget(self.search_button)
        buttons.addWidget(self.clear_button)
        grid.addLayout(buttons, 1, 4, 1, 2)
        grid.setColumnStretch(1, 2)
        grid.setColumnStretch(3, 2)
        grid.setColumnStretch(5, 1)
        return group

    @staticmethod
    def _labelled(grid: QGridLayout, row: int, column: int, text: str, field: QWidget) -> None:
        label = QLabel(text)
        label.setBuddy(field)
        grid.addWidget(label, row, column, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(field, row, column + 1)

    @staticmethod
    def _date_edit(object_name: str, accessible_name: str, date: QDate) -> QDateEdit:
        edit = QDateEdit(date)
        edit.setProperty("placeholderDay", date)  # the default before the county's is read
        edit.setObjectName(object_name)
        edit.setAccessibleName(accessible_name)
        edit.setDisplayFormat("yyyy-MM-dd")
        edit.setCalendarPopup(True)
        edit.setEnabled(False)
        return edit

    def clear_filters(self) -> None:
        self.user_edit.clear()
        self.action_combo.setCurrentIndex(0)
        self.action_combo.setEditText("")
        self.outcome_combo.setCurrentIndex(0)
        self.from_check.setChecked(False)
        self.to_check.setChecked(False)
        self.search()

    def query(self, before_id: int | None = None) -> AuditQuery:
        """The filters as a query; RecordError when they contradict each other."""
        occurred_from = (
            self._midnight(self.from_date.date()) if self.from_check.isChecked() else None
        )
        occurred_to = (
            self._midnight(self.to_date.date().addDays(1)) if self.to_check.isChecked() else None
        )
        if occurred_from and occurred_to and occurred_from >= occurred_to:
            raise RecordError("The “from” date is after the “to” date.")
        return AuditQuery(
            user_name=self.user_edit.text().strip() or None,
            action=self.action_combo.currentText().strip() or None,
            outcome=self.outcome_combo.currentData(),
            occurred_from=occurred_from,
            occurred_to=occurred_to,
            limit=self.page_size,
            before_id=before_id,
        )

    # ---------------------------------------------------------------- loading
    def search(self) -> None:
        self._load(more=False)

    def load_more(self) -> None:
        self._load(more=True)

    def _load(self, *, more: bool) -> None:
        """Read a page of events in the background; a newer search wins over an older one."""
        if not self.zone_known:
            return  # the search follows the county's zone, being read
        self.message.clear_message()
        self._generation += 1
        generation = self._generation
        try:
            query = self.query(self.model.last_id() if more else None)
            actor = self.session.require_actor()
        except RecordError as refused:
            self.message.show_error(plain_sentence(str(refused)))
            return
        uow, now = self.session.backend.uow, self.session.now()

        def loaded(events: list[AuditEvent]) -> None:
            if generation == self._generation:
                self._show_events(events, more=more)

        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: list(accounts.audit_trail(uow(), actor, query, now)),
            loaded,
        )

    def _show_events(self, events: Sequence[AuditEvent], *, more: bool) -> None:
        if more:
            self.model.append_events(events)
        else:
            self.model.set_events(events)
            self._fit_columns()
        complete = len(events) < self.page_size
        self.load_more_button.setEnabled(not complete)
        shown = self.model.rowCount()
        if shown == 0:
            text = "No events match these filters."
        else:
            noun = "event" if shown == 1 else "events"
            tail = " (all that match)." if complete else "; there are more."
            text = f"Showing {shown} {noun}, newest first{tail}"
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(text)

    def _listing_stem(self) -> str:
        return f"audit-trail-{timetext.file_stamp(self.session.now(), self.zone)}"

    def _listing_task(self, purpose: str) -> ListingTask | None:
        """Every event matching the filters, read on the worker thread, as a PDF (at most
        PDF_EVENT_LIMIT, newest first) or CSV (all of them); the copy is audited."""
        try:
            query = self.query()
            actor = self.session.require_actor()
        except RecordError as refused:
            self.message.show_error(plain_sentence(str(refused)))
            return None
        uow, now = self.session.backend.uow, self.session.now()
        limit = None if purpose == CSV else listings.PDF_EVENT_LIMIT

        def work(handle: TaskHandle) -> Generator[Any, None, bytes | str]:
            listing: listings.AuditListing | None = None
            steps = listings.audit_listing(
                uow, actor, query, now, purpose, limit=limit, cancelled=handle.cancelled
            )
            for step in steps:
                if isinstance(step, listings.AuditListing):
                    listing = step
                else:
                    yield f"{step:,} events read"
            assert listing is not None
            if purpose == CSV:
                return listings.audit_csv(listing)
            from detainer_desk.adapters import pdf

            return pdf.render_audit_trail_pdf(listing, report_context(uow(), actor, now))

        return work

    def reject(self) -> None:
        self.listing.cancel()
        super().reject()

    def _fit_columns(self) -> None:
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column in range(len(COLUMNS) - 1):
            header.resizeSection(column, min(header.sectionSize(column), 220))

    def _midnight(self, date: QDate) -> dt.datetime:
        """The county's midnight starting that day: the filters' days are the county's."""
        return start_of_day(dt.date(date.year(), date.month(), date.day()), self.zone)
