"""The window shown while the records open.

Importing SQLAlchemy and opening (perhaps backing up and upgrading) the record store take
most of the start-up time, so the program shows this window first, as soon as Qt is up,
and opens the store right after its first paint (``gui/app.py``). Then the main window
takes its place, at the same position and size. This module imports Qt only: it must stay
cheap to import.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPaintEvent
from PySide6.QtWidgets import QLabel, QMainWindow, QWidget

OPENING_TEXT = "Opening the records…"
WINDOW_WIDTH, WINDOW_HEIGHT = 1100, 720  # the main window's first size


class OpeningWindow(QMainWindow):
    painted = Signal()  # the first time the window has been painted

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("openingWindow")
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.resize(WINDOW_WIDTH, WINDOW_HEIGHT)
        self.message = QLabel(OPENING_TEXT)
        self.message.setObjectName("openingMessage")
        self.message.setAccessibleName(OPENING_TEXT)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.message.font()
        font.setPointSizeF(font.pointSizeF() + 4)
        self.message.setFont(font)
        self.setCentralWidget(self.message)
        self.statusBar().setObjectName("openingStatus")
        self.statusBar().showMessage(OPENING_TEXT)
        self.was_painted = False

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self.was_painted:
            self.was_painted = True
            self.painted.emit()
