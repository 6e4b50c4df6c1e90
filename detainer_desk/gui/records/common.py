"""What the records screens share: the county's zone (``county_clock``) and times in it
(``timetext``), outcome words, alert colours, table set-up, the one place a file name is
asked for (tests replace it), and their make-up: ``RecordsScreen`` (what each screen reads
through and how it drops a read overtaken by a newer one), the page's heading row, the list
beside its side panel, and the day pickers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import TypeVar
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QProxyStyle,
    QSplitter,
    QStyle,
    QStyleOption,
    QStyleOptionHeader,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import alerts, timetext
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.services.county_clock import county_zone as read_county_zone
from detainer_desk.services.ports import DecisionSummary

from ..session import Session
from ..tasks import TaskRunner, run_in_background
from ..widgets import MessageLabel, compact_rows, heading

AnyIndex = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
TOOLTIP = Qt.ItemDataRole.ToolTipRole
BACKGROUND = Qt.ItemDataRole.BackgroundRole
FOREGROUND = Qt.ItemDataRole.ForegroundRole
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole
DECISION_ID = Qt.ItemDataRole.UserRole
LEVEL = Qt.ItemDataRole.UserRole + 1
NOTHING = "–"
UTC_ZONE = ZoneInfo("UTC")
T = TypeVar("T")

# (parent, dialog title, suggested file name) -> the chosen path, or None when cancelled.
SaveChooser = Callable[[QWidget | None, str, str], str | None]


def ask_save_path(parent: QWidget | None, title: str, suggested: str) -> str | None:
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, suggested, "PDF documents (*.pdf)")
    return chosen or None


def county_zone(session: Session) -> ZoneInfo:
    """The county's timezone (the installation's one setting): times on these screens are
    the county's wall clock. This reads the database: call it from a background
    operation's work (``read_zone_then`` does), never from a slot."""
    return read_county_zone(session.uow())


def read_zone_then(
    session: Session,
    tasks: TaskRunner,
    owner: QWidget,
    message: MessageLabel,
    then: Callable[[ZoneInfo], None],
) -> None:
    """Read the county's zone in the background, then ``then(zone)`` on the GUI thread."""
    uow = session.backend.uow
    run_in_background(tasks, owner, message, lambda: read_county_zone(uow()), then)


class RecordsScreen(QWidget):
    """A records screen: it reads through the session on the task runner, in the background,
    and shows times in the county's zone (read with what it shows). Each read is numbered:
    a result that comes after a newer read began, or after the screen was cleared, is
    dropped."""

    message: MessageLabel  # where each screen says what went wrong

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        object_name: str,
        accessible_name: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        self.zone: ZoneInfo = UTC_ZONE
        self.loading = False
        self._generation = 0

    def _start_read(self) -> int:
        """A read begins: its number, to compare with ``_generation`` when it ends."""
        self.loading = True
        self._generation += 1
        return self._generation

    def _read_in_zone(
        self,
        read: Callable[[], T],
        show: Callable[[T], None],
        on_failed: Callable[[BaseException], None],
    ) -> int:
        """Read the county's zone and ``read()`` in the background; then, unless a newer
        read began or the screen was cleared meanwhile, take the zone, end loading and
        ``show`` what was read. Returns the read's number."""
        generation = self._start_read()
        uow = self.session.backend.uow

        def loaded(found: tuple[ZoneInfo, T]) -> None:
            if generation != self._generation:
                return
            self.zone, result = found
            self.loading = False
            show(result)

        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: (read_county_zone(uow()), read()),
            loaded,
            on_failed=on_failed,
        )
        return generation

    def _forget_reads(self) -> None:
        """Whatever read is under way is dropped when it ends."""
        self._generation += 1
        self.loading = False


def screen_layout(
    screen: QWidget, title: str, heading_name: str
) -> tuple[QVBoxLayout, QHBoxLayout]:
    """The page of a records screen and its top row, which starts with the heading (the
    caller adds the row to the page once it has filled it)."""
    layout = QVBoxLayout(screen)
    layout.setContentsMargins(14, 12, 14, 10)
    layout.setSpacing(8)
    top = QHBoxLayout()
    top.addWidget(heading(title, heading_name, points=3))
    return layout, top


def side_by_side(
    object_name: str, left: QWidget, right: QWidget, stretch: tuple[int, int], sizes: list[int]
) -> QSplitter:
    """A list and what goes beside it (a side panel, a chart), neither ever collapsed."""
    splitter = QSplitter(Qt.Orientation.Horizontal)
    splitter.setObjectName(object_name)
    splitter.setChildrenCollapsible(False)
    splitter.addWidget(left)
    splitter.addWidget(right)
    splitter.setStretchFactor(0, stretch[0])
    splitter.setStretchFactor(1, stretch[1])
    splitter.setSizes(sizes)
    return splitter


def side_panel(object_name: str, minimum_width: int) -> tuple[QWidget, QVBoxLayout]:
    """The panel beside a list (what is selected, and what may be done with it)."""
    panel = QWidget()
    panel.setObjectName(object_name)
    panel.setMinimumWidth(minimum_width)
    column = QVBoxLayout(panel)
    column.setContentsMargins(8, 0, 0, 0)
    column.setSpacing(10)
    return panel, column


def select_row(table: QTableView, row: int | None) -> bool:
    """Select the row (of a decision found in the list); False when it is not there."""
    if row is None:
        return False
    table.selectRow(row)
    return True


def date_edit(
    object_name: str, accessible_name: str, date: QDate, *, enabled: bool = True
) -> QDateEdit:
    """A day, as the screens show days (``2026-02-10``), with a calendar to pick it."""
    edit = QDateEdit(date)
    edit.setObjectName(object_name)
    edit.setAccessibleName(accessible_name)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setCalendarPopup(True)
    edit.setEnabled(enabled)
    return edit


def python_date(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def qt_date(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def instant(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def short_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """``2026-02-10 08:30 PST``: compact, with the zone's abbreviation (tables, lists)."""
    return timetext.short_time(moment, zone, NOTHING)


def full_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """``Fri 13 Feb 2026, 15:00 PST (UTC-08:00)``: for tooltips and the detail view."""
    return timetext.long_time_or(moment, zone)


def in_force(row: DecisionSummary) -> str:
    """The outcome in force now (the index's; the recorded one until it is indexed)."""
    return row.outcome_in_force or row.outcome


def outcome_text(row: DecisionSummary) -> str:
    """The recorded outcome, and what is in force now when a supervisor changed it."""
    if in_force(row) != row.outcome:
        return f"{row.outcome} → {in_force(row)}"
    if row.outcome == Outcome.REVIEW and row.tentative_outcome:
        return f"review (tentatively {row.tentative_outcome})"
    return row.outcome


def level_colours(level: str, palette: QPalette) -> tuple[QBrush, QBrush] | None:
    """(background, text) for a row at this alert level, or None for the default look.

    The level is always written out in words too: colour is never the only signal.
    """
    dark = palette.color(QPalette.ColorRole.Window).lightness() < 128
    table = {
        alerts.OK: ("#1e4620", "#e8f5e9") if dark else ("#e3f4e1", "#1b3d1c"),
        alerts.SOON: ("#5c4a00", "#fff8e1") if dark else ("#fff1c2", "#4d3b00"),
        alerts.URGENT: ("#7a3300", "#fff3e0") if dark else ("#ffd2a8", "#5a2000"),
        alerts.EXPIRED: ("#b00020", "#ffffff"),
    }
    colours = table.get(level)
    if colours is None:
        return None
    return QBrush(QColor(colours[0])), QBrush(QColor(colours[1]))


class SortArrowStyle(QProxyStyle):
    """Sort arrows as people read them: ▲ over a list sorted upwards (A to Z, oldest
    first), ▼ over one sorted downwards (Z to A, newest first).

    Qt draws them the other way round (an ascending sort gets the style's "sort down"
    arrow, after an old convention), so the decision log, newest first, showed ▲ and read
    as oldest first."""

    def drawPrimitive(
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == QStyle.PrimitiveElement.PE_IndicatorHeaderArrow and isinstance(
            option, QStyleOptionHeader
        ):
            flipped = QStyleOptionHeader(option)
            if option.sortIndicator == QStyleOptionHeader.SortIndicator.SortUp:
                flipped.sortIndicator = QStyleOptionHeader.SortIndicator.SortDown
            elif option.sortIndicator == QStyleOptionHeader.SortIndicator.SortDown:
                flipped.sortIndicator = QStyleOptionHeader.SortIndicator.SortUp
            super().drawPrimitive(element, flipped, painter, widget)
            return
        super().drawPrimitive(element, option, painter, widget)


def readable_sort_arrows(table: QTableView) -> None:
    """Give the table's header the sort arrows of SortArrowStyle (kept by the header)."""
    header = table.horizontalHeader()
    style = SortArrowStyle()
    style.setParent(header)
    header.setStyle(style)


def record_table(object_name: str, accessible_name: str) -> QTableView:
    """A read-only table of records: whole rows selected, compact, columns resizable."""
    table = QTableView()
    table.setObjectName(object_name)
    table.setAccessibleName(accessible_name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.verticalHeader().hide()
    compact_rows(table)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setStretchLastSection(True)
    header.setHighlightSections(False)
    return table


# Typical long values, to size columns in the table's own font (gui/fit.py): a column is as
# wide as its heading and its sample, at any font size and scale factor.
SAMPLE_TIME = "2026-12-31 23:59 AKST"  # times carry the county zone's abbreviation
SAMPLE_NAME = "GUTIERREZ, Seo-yeon"
SAMPLE_BOOKING = "B26-0000000"
SAMPLE_A_NUMBER = "A000000000"
SAMPLE_FORM = "I-247A"
SAMPLE_OUTCOME = "review (tentatively transfer)"
SAMPLE_USER = "officer.alvarez"
SAMPLE_STATUS = "awaiting countersign"
SAMPLE_COUNTDOWN = "overdue by 999 h 59 min"
