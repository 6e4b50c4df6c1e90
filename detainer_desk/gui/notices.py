"""What an administrator should know about how the records are kept (the runtime's notices:
the SQLite safe-journal fallback, a daily backup that could not be made): a banner across
the top of the window while an administrator is signed in, until they dismiss it.

These are an administrator's matters (a library to update, a disk to free): shown to an
officer they only worry. A dismissal is remembered on this workstation, notice by notice
(``gui/workstation.py``): the same words do not come back at the next start, other words
(another day's failed backup, a different SQLite version) do."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from .workstation import WorkstationSettings


class NoticeBanner(QFrame):
    def __init__(
        self,
        notices: Sequence[str],
        workstation: WorkstationSettings | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("noticeBanner")
        self.setAccessibleName("Notice about the records")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.setAutoFillBackground(True)
        self.workstation = workstation or WorkstationSettings(None)
        self.notices: tuple[str, ...] = ()
        self.for_administrator = False
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
        self.dismiss_button.setToolTip("Do not show this notice again on this workstation")
        self.dismiss_button.setAutoDefault(False)
        self.dismiss_button.clicked.connect(self.dismiss)
        row.addWidget(self.dismiss_button, 0, Qt.AlignmentFlag.AlignTop)
        self.set_notices(notices)

    def shown_notices(self) -> list[str]:
        """The notices the banner shows now: none unless an administrator is signed in."""
        if not self.for_administrator:
            return []
        return [n for n in self.notices if not self.workstation.is_dismissed(n)]

    def set_notices(self, notices: Sequence[str]) -> None:
        self.notices = tuple(notices)
        self._show()

    def set_administrator(self, administrator: bool) -> None:
        """Whether the person signed in is an administrator (False: nobody, or not one)."""
        self.for_administrator = administrator
        self._show()

    def dismiss(self) -> None:
        for notice in self.shown_notices():
            self.workstation.dismiss(notice)
        self._show()

    def _show(self) -> None:
        shown = self.shown_notices()
        text = "\n".join(f"Note: {notice}" for notice in shown)
        self.label.setText(text)
        self.label.setAccessibleName(text or "No notice")
        self.setAccessibleDescription(text)
        self.setVisible(bool(shown))


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
