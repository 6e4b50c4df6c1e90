"""The signed-in workspace: one tab per screen (home, intake, decision log, review queue,
active holds, statistics). Screens are added by the main window; each screen is its own
widget module with its own controller.

Each role starts on its own screen at every sign-in (``start_screen``), never on the tab
the previous person left open.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QTabWidget, QWidget

from detainer_desk.domain import accounts as acc

from .fit import size_to_current_page
from .welcome import WelcomePanel

HOME, INTAKE, LOG, REVIEW = "home", "intake", "log", "review"
# The first role a person holds in this order chooses their start screen: a sergeant who
# may also record starts on what only a supervisor can do (the review queue; the holds
# board's alert button shows beside it), an officer on the intake form, counsel on the
# decision log, an administrator on Home, which lists the administrator's work.
START_SCREENS: Final = (
    (acc.SUPERVISOR, REVIEW),
    (acc.OFFICER, INTAKE),
    (acc.COUNSEL, LOG),
    (acc.ADMIN, HOME),
)


def start_screen(roles: Iterable[str]) -> str:
    held = set(roles)
    return next((screen for role, screen in START_SCREENS if role in held), HOME)


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
