"""What the user should know about how the records are kept (the runtime's notices: the
SQLite safe-journal fallback, a daily backup that could not be made): a banner across the
top of the window, in words, until someone dismisses it."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class NoticeBanner(QFrame):
    def __init__(self, notices: Sequence[str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.setAccessibleName("Notice about the records")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setAutoFillBackground(True)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 6, 8, 6)
        row.setSpacing(10)
        self.label = QLabel()
        self.label.setObjectName("noticeText")
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.label.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(self.label, 1)
        self.dismiss_button = QPushButton("&Dismiss")
        self.dismiss_button.setObjectName("noticeDismiss")
        self.dismiss_button.setAccessibleName("Dismiss the notice")
        self.dismiss_button.setAutoDefault(False)
        self.dismiss_button.clicked.connect(self.hide)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.set_notices(notices)

    def set_notices(self, notices: Sequence[str]) -> None:
        text = "\n".join(f"Note: {notice}" for notice in notices)
        self.label.setText(text)
        self.label.setAccessibleName(text or "No notice")
        self.setAccessibleDescription(text)
        self.setVisible(bool(notices))


def with_banner(banner: NoticeBanner, content: QWidget) -> QWidget:
    """The window's central area: the banner (when shown) above the content."""
    area = QWidget()
    area.setObjectName("centralArea")
    column = QVBoxLayout(area)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(0)
    column.addWidget(banner)
    column.addWidget(content, 1)
    return area
