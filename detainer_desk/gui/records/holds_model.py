"""The holds board's table: one row a person held on a detainer, with the time left and its
alert level worked out for the model's ``now`` (the board sets it every second)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QPalette

from detainer_desk.domain import alerts
from detainer_desk.services import board
from detainer_desk.services.board import HoldItem

from .common import (
    BACKGROUND,
    DISPLAY,
    FOREGROUND,
    LEVEL,
    TOOLTIP,
    AnyIndex,
    level_colours,
    outcome_text,
    short_time,
)
from .rows_model import RowsModel

ALERT_COLUMN = 1  # its few words; the full words are in its tooltip


class HoldsModel(RowsModel):
    """The holds as read, with the countdown worked out for the model's ``now`` and the
    alert times in force (only for the rows the view asks about: a long list costs nothing
    per second)."""

    def __init__(self, zone: Callable[[], dt.tzinfo], parent: QObject | None = None) -> None:
        super().__init__(
            [
                ("Time left", lambda i: i.countdown),
                ("Alert", lambda i: i.short_words),
                ("Subject", lambda i: i.row.subject_name),
                ("Booking no.", lambda i: i.row.booking_number),
                ("Form", lambda i: i.row.form),
                ("Outcome", lambda i: outcome_text(i.row)),
                ("Release eligible", lambda i: short_time(i.row.release_eligible_at, zone())),
                ("Hold until", lambda i: short_time(i.hold_until, zone())),
                ("Status", lambda i: i.row.status),
            ],
            lambda r: r.decision_id,
            parent,
        )
        self._now = dt.datetime.now(dt.UTC)
        self._items: dict[int, HoldItem] = {}
        self._palette = QPalette()
        self._warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS

    def set_warnings(self, warnings: alerts.Warnings) -> None:
        """The alert times in force (the next ``set_rows`` or ``set_now`` shows them)."""
        self._warnings = warnings
        self._items.clear()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = palette

    def set_rows(self, rows: Sequence[Any]) -> None:
        self._items.clear()
        super().set_rows(rows)

    def set_now(self, now: dt.datetime) -> None:
        self._now = now
        self._items.clear()
        if self.rowCount():
            last_row, last_column = self.rowCount() - 1, self.columnCount() - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last_row, last_column))

    def value_of(self, row: int) -> HoldItem:
        item = self._items.get(row)
        if item is None:
            item = board.hold_item(self.row_at(row), self._now, self._warnings)
            self._items[row] = item
        return item

    def data(self, index: AnyIndex, role: int = DISPLAY) -> object:
        if role == TOOLTIP and index.isValid() and index.column() == ALERT_COLUMN:
            return self.value_of(index.row()).words
        return super().data(index, role)

    def extra_data(self, item: Any, column: int, role: int) -> object:
        if role == LEVEL:
            return item.level
        if role in (BACKGROUND, FOREGROUND):
            colours = level_colours(item.level, self._palette)
            if colours is None:
                return None
            return colours[0] if role == BACKGROUND else colours[1]
        return None
