"""The page the main window shows while the records open.

Importing SQLAlchemy and opening (perhaps backing up and upgrading) the record store take
most of the start-up time, so the main window is shown first, as soon as Qt is up, with
this page in the middle, and the store is opened right after the window's first paint
(``gui/app.py``). Then the sign-in or set-up page takes this page's place.

This module is imported before that first paint: it imports Qt only, and it does not touch
``Qt`` (the namespace of flags and enums), whose first use costs some 15 ms.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

OPENING_TEXT = "Opening the records…"


class OpeningPage(QWidget):
    """Says "Opening the records…" in larger type, in the middle of the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingPage")
        self.setAccessibleName(OPENING_TEXT)
        self.message = QLabel(OPENING_TEXT)
        self.message.setObjectName("openingMessage")
        self.message.setAccessibleName(OPENING_TEXT)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() + 4)
        self.message.setFont(font)
        # Centred by stretches on every side (no alignment flag: see the module's note).
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.message)
        row.addStretch(1)
        column = QVBoxLayout(self)
        column.addStretch(1)
        column.addLayout(row)
        column.addStretch(1)


class FirstPaint(QObject):
    """Calls ``then`` once, the first time ``widget`` or a widget inside it is painted.

    It watches the whole application for that time: a page covered by opaque children
    (a scroll area's viewport) may itself get no paint event at all. ``then`` is called
    from the paint event: it should only schedule work (``QTimer.singleShot(0, …)``).
    """

    def __init__(self, widget: QWidget, then: Callable[[], object]) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then: Callable[[], object] | None = then
        self._paint = QEvent.Type.Paint
        app = QCoreApplication.instance()
        assert app is not None, "a QApplication paints"
        self._app = app
        app.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == self._paint and (
            watched is self._widget
            or (isinstance(watched, QWidget) and self._widget.isAncestorOf(watched))
        ):
            then = self._then
            self.stop()
            if then is not None:
                then()
        return False

    def stop(self) -> None:
        """Stop watching (the call-back is not made)."""
        self._then = None
        self._app.removeEventFilter(self)
