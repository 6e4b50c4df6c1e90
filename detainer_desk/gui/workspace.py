"""The signed-in workspace: one tab per screen (home, intake, decision log, review queue,
active holds, statistics). Screens are added by the main window; each screen is its own
widget module with its own controller."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QTabWidget, QWidget

from .fit import size_to_current_page
from .welcome import WelcomePanel


class Workspace(QTabWidget):
    def __init__(self, policy_label: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace")
        self.setAccessibleName("Workspace")
        self.setDocumentMode(True)
        self.welcome = WelcomePanel(policy_label)
        self.add_screen(self.welcome, "&Home", "homeTab")
        # The workspace asks for the room of the screen in front, not of its widest one.
        size_to_current_page(self)

    def add_screen(self, screen: QWidget, title: str, object_name: str) -> int:
        screen.setObjectName(screen.objectName() or object_name)
        return self.addTab(screen, title)

    def corner_changed(self) -> None:
        """The corner widget was shown, hidden or given other words: lay the tab bar out
        again beside it (Qt does so only when the workspace is resized)."""
        QCoreApplication.postEvent(self, QEvent(QEvent.Type.LayoutRequest))

    def show_screen(self, screen: QWidget) -> None:
        self.setCurrentWidget(screen)

    def set_policy_label(self, policy_label: str | None) -> None:
        self.welcome.set_policy_label(policy_label)
