"""Typing a date, or choosing it on a calendar.

The date fields stay line edits: the officer types what the paper says (2026-02-10 or
02/10/2026) and the contract's parser judges it, with its own messages. Each gets a calendar
button at its right end (also Alt+Down or F4, as a drop-down opens), and a date typed in the
U.S. form is rewritten in the contract's form as the officer leaves the field, so that what
is on screen is what will be recorded. Both go through the line edit's own editing (undo
brings back what was typed).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from PySide6.QtCore import QDate, QEvent, QObject, QPoint, QRect, Qt
from PySide6.QtGui import QColor, QIcon, QKeyEvent, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QCalendarWidget, QFrame, QLineEdit, QVBoxLayout, QWidget

from .entry import normalise_date, normalise_instant

CALENDAR_TIP = "Choose the date on a calendar (Alt+Down)"
_ISO_DAY = re.compile(r"\s*(\d{4}-\d{2}-\d{2})(.*)", re.DOTALL)


def calendar_icon(palette: QPalette, size: int = 16) -> QIcon:
    """A small calendar page drawn in the palette's text colour (no image files to ship)."""
    icon = QIcon()
    for scale in (1, 2):
        pixmap = QPixmap(size * scale, size * scale)
        pixmap.setDevicePixelRatio(scale)
        pixmap.fill(QColor(0, 0, 0, 0))
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        ink = palette.color(QPalette.ColorRole.Text)
        painter.setPen(ink)
        painter.drawRect(QRect(1, 3, size - 3, size - 5))
        painter.fillRect(QRect(1, 3, size - 2, 3), ink)
        painter.drawLine(5, 1, 5, 4)
        painter.drawLine(size - 6, 1, size - 6, 4)
        for row in range(2):
            for column in range(3):
                painter.fillRect(QRect(4 + column * 3, 8 + row * 3, 2, 2), ink)
        painter.end()
        icon.addPixmap(pixmap)
    return icon


class CalendarPopup(QFrame):
    """A month calendar under a field; a click, or Enter, chooses the day; Escape closes."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setObjectName("calendarPopup")
        self.setAccessibleName("Choose a date")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.calendar = QCalendarWidget(self)
        self.calendar.setObjectName("calendar")
        self.calendar.setAccessibleName("Calendar")
        self.calendar.setGridVisible(True)
        self.calendar.setFirstDayOfWeek(Qt.DayOfWeek.Sunday)  # as on U.S. calendars
        self.calendar.setVerticalHeaderFormat(QCalendarWidget.VerticalHeaderFormat.NoVerticalHeader)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.addWidget(self.calendar)
        self._on_chosen: Callable[[dt.date], None] | None = None
        self.calendar.clicked.connect(self._choose)
        self.calendar.activated.connect(self._choose)

    def open_under(
        self, field: QWidget, day: dt.date, on_chosen: Callable[[dt.date], None]
    ) -> None:
        self._on_chosen = on_chosen
        self.calendar.setSelectedDate(QDate(day.year, day.month, day.day))
        self.adjustSize()
        below = field.mapToGlobal(QPoint(0, field.height()))
        screen = field.screen().availableGeometry() if field.screen() else None
        if screen is not None and below.y() + self.height() > screen.bottom():
            below = field.mapToGlobal(QPoint(0, -self.height()))  # no room below: above
        self.move(below)
        self.show()
        self.calendar.setFocus(Qt.FocusReason.PopupFocusReason)

    def _choose(self, date: QDate) -> None:
        chosen = dt.date(date.year(), date.month(), date.day())
        self.hide()
        if self._on_chosen is not None:
            self._on_chosen(chosen)


def replace_text(edit: QLineEdit, text: str) -> None:
    """Put ``text`` in ``edit`` through its own editing: ``textEdited`` is emitted (the form
    learns of it as of typing) and Ctrl+Z brings back what was there."""
    edit.selectAll()
    edit.insert(text)


def tidy_on_leaving(edit: QLineEdit, normalise: Callable[[str], str]) -> None:
    """When the officer leaves ``edit``, rewrite its text with ``normalise`` (if it changes
    anything and the field is not read-only)."""

    def tidy() -> None:
        text = edit.text()
        tidied = normalise(text)
        if tidied != text and not edit.isReadOnly():
            replace_text(edit, tidied)

    edit.editingFinished.connect(tidy)


class DateEntry(QObject):
    """Makes ``edit`` a date field (``with_time``: a date and time field): a calendar, and
    a U.S. date rewritten in the contract's form when the officer leaves the field."""

    def __init__(self, edit: QLineEdit, *, with_time: bool = False) -> None:
        super().__init__(edit)
        self.edit = edit
        self.with_time = with_time
        self.popup: CalendarPopup | None = None
        self.action = edit.addAction(
            calendar_icon(edit.palette()), QLineEdit.ActionPosition.TrailingPosition
        )
        self.action.setObjectName(f"{edit.objectName()}Calendar")
        self.action.setToolTip(CALENDAR_TIP)
        self.action.setText("Calendar")
        self.action.triggered.connect(self.open_calendar)
        edit.installEventFilter(self)
        tidy_on_leaving(edit, normalise_instant if with_time else normalise_date)
        hint = "Dates as YYYY-MM-DD or MM/DD/YYYY; Alt+Down for a calendar."
        description = edit.accessibleDescription()
        edit.setAccessibleDescription(f"{description} {hint}".strip())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key, modifiers = event.key(), event.modifiers()
            alt_down = key == Qt.Key.Key_Down and modifiers & Qt.KeyboardModifier.AltModifier
            if alt_down or key == Qt.Key.Key_F4:
                self.open_calendar()
                return True
        return False

    def _typed_day(self) -> tuple[dt.date | None, str]:
        """The day in the field now (if it reads as one) and what follows it (the time)."""
        text = self.edit.text()
        text = normalise_instant(text) if self.with_time else normalise_date(text)
        match = _ISO_DAY.fullmatch(text)
        if not match:
            return None, ""
        try:
            return dt.date.fromisoformat(match[1]), match[2]
        except ValueError:
            return None, ""

    def open_calendar(self) -> None:
        if self.edit.isReadOnly() or not self.edit.isEnabled():
            return
        day, _rest = self._typed_day()
        if self.popup is None:
            self.popup = CalendarPopup(self.edit)
        today = QDate.currentDate()
        self.popup.open_under(
            self.edit, day or dt.date(today.year(), today.month(), today.day()), self._chosen
        )

    def _chosen(self, day: dt.date) -> None:
        _old, rest = self._typed_day()
        text = day.isoformat()
        if self.with_time:
            # Keep the time already typed; without one, leave the cursor where it goes.
            text += rest if rest.strip() else " "
        replace_text(self.edit, text)
        self.edit.setFocus(Qt.FocusReason.PopupFocusReason)
        self.edit.setCursorPosition(len(text))
