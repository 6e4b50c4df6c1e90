"""The decision log as a table model that never holds the whole log.

Rows come from ``services.board.log_page`` one keyset page at a time (``canFetchMore`` /
``fetchMore``: the view asks for the next page as it scrolls); sorting and filtering are a
new query, answered by SQL. A million decisions cost the memory of the pages scrolled.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, Qt, Signal

from detainer_desk.services.access import RecordError
from detainer_desk.services.board import LogPage
from detainer_desk.services.ports import DecisionQuery, DecisionSummary

from ..widgets import plain_sentence
from .common import (
    ALIGNMENT,
    DECISION_ID,
    DISPLAY,
    NOTHING,
    TOOLTIP,
    UTC_ZONE,
    AnyIndex,
    full_time,
    instant,
    outcome_text,
    short_time,
)

PAGE_SIZE = 200
# (header, sort key in services.ports.LOG_SORT_KEYS)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("Received", "received_at"),
    ("Subject", "subject_name"),
    ("Booking no.", "booking_number"),
    ("A-number", "a_number"),
    ("Form", "form"),
    ("Outcome", "outcome"),
    ("Hold until", "hold_until"),
    ("Officer", "recorded_by"),
    ("Status", "status"),
)
SORT_KEYS = tuple(key for _header, key in COLUMNS)
RECEIVED, SUBJECT, BOOKING, A_NUMBER, FORM, OUTCOME, HOLD_UNTIL, OFFICER, STATUS = range(9)

# (query, on_page, on_error): start fetching one page; the callbacks run on the GUI thread.
PageStarter = Callable[
    [DecisionQuery, Callable[[LogPage], None], Callable[[BaseException, str], None]], None
]


def synchronous(fetch: Callable[[DecisionQuery], LogPage]) -> PageStarter:
    """Fetch on the spot (for a model used without a task runner)."""

    def start(
        query: DecisionQuery,
        on_page: Callable[[LogPage], None],
        on_error: Callable[[BaseException, str], None],
    ) -> None:
        try:
            page = fetch(query)
        except RecordError as refused:
            on_error(refused, "")
            return
        on_page(page)

    return start


class LogModel(QAbstractTableModel):
    """Pages arrive through ``start_fetch`` (the screen runs it on the task runner, so the
    window never waits for SQL); a page for a query that has since changed is dropped.

    ``problem`` carries a refusal in plain words; ``failed`` anything else (a bug).
    """

    problem = Signal(str)
    failed = Signal(object, str)
    loaded = Signal()  # a page arrived

    def __init__(
        self,
        start_fetch: PageStarter,
        page_size: int = PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._start_fetch = start_fetch
        self._query = DecisionQuery(limit=page_size)
        self._rows: list[DecisionSummary] = []
        self._next_after: tuple[str, int] | None = None
        self._zone: dt.tzinfo = UTC_ZONE
        self._generation = 0
        self.loading = False
        self.pages_fetched = 0

    # ----------------------------------------------------------------- queries
    @property
    def generation(self) -> int:
        """Changes whenever the rows are thrown away (a page for an older one is dropped)."""
        return self._generation

    @property
    def query(self) -> DecisionQuery:
        """The filters and sort in force (the first page: no ``after``)."""
        return self._query

    def set_page_size(self, page_size: int) -> None:
        """Rows per page from now on (the next query)."""
        self._query = dataclasses.replace(self._query, limit=page_size)

    def set_zone(self, zone: dt.tzinfo) -> None:
        self._zone = zone
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def set_filters(
        self,
        *,
        search: str | None = None,
        outcome: str | None = None,
        status: str | None = None,
        recorded_by: str | None = None,
        received_from: dt.datetime | None = None,
        received_to: dt.datetime | None = None,
    ) -> None:
        """Show the decisions that match (the sort stays); fetches the first page."""
        self._query = dataclasses.replace(
            self._query,
            search=search or None,
            outcome=outcome or None,
            status=status or None,
            recorded_by=recorded_by or None,
            received_from=received_from,
            received_to=received_to,
            after=None,
        )
        self.reload()

    def reload(self) -> None:
        """Empty the table and ask for the first page of the current query."""
        self.clear()
        self._fetch_page(None)

    def clear(self) -> None:
        """Forget every row (on signing out); a page still on its way is dropped."""
        self._generation += 1
        self.loading = False
        self.beginResetModel()
        self._rows = []
        self._next_after = None
        self.endResetModel()

    def _fetch_page(self, after: tuple[str, int] | None) -> None:
        generation = self._generation
        self.loading = True
        self._start_fetch(
            dataclasses.replace(self._query, after=after),
            lambda page: self._arrived(generation, page),
            lambda error, trace: self._not_arrived(generation, error, trace),
        )

    def _arrived(self, generation: int, page: LogPage) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self.pages_fetched += 1
        self._next_after = page.next_after
        if page.rows:
            first = len(self._rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page.rows) - 1)
            self._rows.extend(page.rows)
            self.endInsertRows()
        self.loaded.emit()

    def _not_arrived(self, generation: int, error: BaseException, trace: str) -> None:
        if generation != self._generation:
            return
        self.loading = False
        self._next_after = None
        if isinstance(error, RecordError):
            self.problem.emit(plain_sentence(str(error)))
        else:
            self.failed.emit(error, trace)

    # ------------------------------------------------------------ lazy paging
    def canFetchMore(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self._next_after is not None and not self.loading

    def fetchMore(self, parent: AnyIndex = QModelIndex()) -> None:  # noqa: B008
        if self.canFetchMore(parent):
            self._fetch_page(self._next_after)

    def more_to_come(self) -> bool:
        """Rows beyond those loaded exist (or are on their way)."""
        return self.loading or self._next_after is not None

    # --------------------------------------------------------------- sorting
    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(COLUMNS):
            return
        key = SORT_KEYS[column]
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self._query.sort and descending == self._query.descending:
            return
        self._query = dataclasses.replace(self._query, sort=key, descending=descending)
        self.reload()

    def sort_column(self) -> int:
        return SORT_KEYS.index(self._query.sort)

    def sort_order(self) -> Qt.SortOrder:
        return (
            Qt.SortOrder.DescendingOrder if self._query.descending else Qt.SortOrder.AscendingOrder
        )

    # ------------------------------------------------------------------ rows
    def log_row(self, row: int) -> DecisionSummary:
        return self._rows[row]

    def loaded_rows(self) -> list[DecisionSummary]:
        return list(self._rows)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: AnyIndex, role: int = DISPLAY) -> object:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == DISPLAY:
            return self._display(row, column)
        if role == TOOLTIP:
            if column == RECEIVED:
                return full_time(row.received_at, self._zone)
            if column == HOLD_UNTIL:
                return full_time(instant(row.hold_until_in_force), self._zone)
            return self._display(row, column)
        if role == DECISION_ID:
            return row.decision_id
        if role == ALIGNMENT and column in (RECEIVED, HOLD_UNTIL):
            return int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft)
        return None

    def _display(self, row: DecisionSummary, column: int) -> str:
        if column == RECEIVED:
            return short_time(row.received_at, self._zone)
        if column == HOLD_UNTIL:
            return short_time(instant(row.hold_until_in_force), self._zone)
        values = {
            SUBJECT: row.subject_name,
            BOOKING: row.booking_number,
            A_NUMBER: row.a_number or NOTHING,
            FORM: row.form,
            OUTCOME: outcome_text(row),
            OFFICER: row.recorded_by,
            STATUS: row.status or "",
        }
        return values[column]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == DISPLAY:
            return COLUMNS[section][0]
        if role == TOOLTIP:
            return f"Sort by {COLUMNS[section][0].lower()} (click again to reverse)"
        return None
