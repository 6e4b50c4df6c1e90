"""What the records screens share: times shown in the county's zone, outcome words, alert
colours, table set-up, and the one place a file name is asked for (tests replace it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDate, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import QAbstractItemView, QFileDialog, QHeaderView, QTableView, QWidget

from detainer_desk.domain import alerts
from detainer_desk.domain.decision import format_instant_for_people
from detainer_desk.services import records
from detainer_desk.services.ports import LogRow

from ..session import Session
from ..widgets import compact_rows

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

# (parent, dialog title, suggested file name) -> the chosen path, or None when cancelled.
SaveChooser = Callable[[QWidget | None, str, str], str | None]


def ask_save_path(parent: QWidget | None, title: str, suggested: str) -> str | None:
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, suggested, "PDF documents (*.pdf)")
    return chosen or None


def county_zone(session: Session) -> ZoneInfo:
    """The active policy's timezone: times on these screens are the county's wall clock."""
    activation = records.active_policy(session.uow())
    if activation is None:
        return UTC_ZONE
    return records.load_policy(activation.policy).zone


def python_date(date: QDate) -> dt.date:
    return dt.date(date.year(), date.month(), date.day())


def qt_date(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def instant(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


def short_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """``2026-02-10 08:30`` in the county's zone (the column headers name the zone)."""
    if moment is None:
        return NOTHING
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def local_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """``2026-02-10 08:30 PST``: compact, with the zone's abbreviation."""
    if moment is None:
        return NOTHING
    local = moment.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def full_time(moment: dt.datetime | None, zone: dt.tzinfo) -> str:
    """``Fri 13 Feb 2026, 15:00 PST (UTC-08:00)``: for tooltips and the detail view."""
    if moment is None:
        return "not known"
    return format_instant_for_people(moment.astimezone(zone))


def outcome_text(row: LogRow) -> str:
    """The recorded outcome, and what is in force now when a supervisor changed it."""
    if row.outcome_in_force != row.outcome:
        return f"{row.outcome} → {row.outcome_in_force}"
    if row.outcome == "review" and row.tentative_outcome:
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


def set_column_widths(table: QTableView, widths: dict[int, int]) -> None:
    for column, width in widths.items():
        table.setColumnWidth(column, width)
