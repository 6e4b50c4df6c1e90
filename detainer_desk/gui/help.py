"""The Help menu: a short user guide for each role, and the About box.

The guides are Markdown files shipped with the program (``gui/guides/*.md``, package data,
also in the frozen bundle) and shown in a text browser. They are readable before
signing in: someone at the sign-in page may need them most.

The main window builds this menu before its first paint, so importing this module must stay
cheap: ``Qt`` (the flags namespace, some 15 ms on first use), the widgets of the guide
window and the About box, the welcome panel and ``importlib.resources`` are imported where
they are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDialog, QWidget

import detainer_desk

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox


@dataclass(frozen=True, slots=True)
class Guide:
    role: str
    title: str  # as listed in the guide window
    menu_text: str
    file_name: str


GUIDES = (
    Guide("officer", "Intake officer", "&Officer's guide", "officer.md"),
    Guide("supervisor", "Supervisor", "&Supervisor's guide", "supervisor.md"),
    Guide("counsel", "County counsel", "&Counsel's guide", "counsel.md"),
    Guide("admin", "Administrator", "&Administrator's guide", "admin.md"),
)
GUIDE_BY_ROLE = {guide.role: guide for guide in GUIDES}

LICENCE_TEXT = (
    "Licence: Apache License 2.0.\n"
    "Bundled with it, under their own free licences (the texts are kept next to the files): "
    "the DejaVu fonts (Bitstream Vera and Arev font licences; DejaVu changes in the public "
    "domain), the Droid Sans Fallback font (Apache License 2.0) and the common-password "
    "list of zxcvbn (MIT License)."
)

# Shown under "Show Details…": what a bundle redistributes (the LGPL asks for the notice).
THIRD_PARTY_TEXT = """Detainer Desk is built on these libraries, each under its own licence:

Qt for Python (PySide6, Shiboken6) and Qt: GNU LGPL 3.0
SQLAlchemy, Alembic, Mako: MIT License
psycopg: GNU LGPL 3.0
reportlab: BSD License
pypdf, MarkupSafe: BSD 3-Clause License
pypdfium2 (with PDFium): BSD 3-Clause and Apache License 2.0
Pillow: MIT-CMU (HPND) License
argon2-cffi: MIT License
cryptography: Apache License 2.0 or BSD 3-Clause License
platformdirs: MIT License
tzdata (the IANA time zone database): Apache License 2.0 (the data: public domain)

Fonts and word lists shipped inside Detainer Desk:
DejaVu Sans and DejaVu Sans Mono 2.37: Bitstream Vera and Arev font licences
Droid Sans Fallback: Apache License 2.0
Common-password list: zxcvbn-python 4.5.0, MIT License
"""


def guide_text(role: str) -> str:
    """The Markdown text of a role's guide."""
    from importlib import resources

    guide = GUIDE_BY_ROLE[role]
    return (
        resources.files("detainer_desk.gui").joinpath("guides", guide.file_name).read_text("utf-8")
    )


def log_file_text(log_file: Path | None) -> str:
    if log_file is None:
        return "none is being kept (the data folder could not be written)"
    return str(log_file)


def about_text(database_label: str, policy_text: str, log_file: Path | None) -> str:
    from .welcome import PURPOSE

    return (
        f"Detainer Desk {detainer_desk.__version__}\n\n"
        f"{PURPOSE}\n\n"
        f"Database: {database_label}\n"
        f"Policy: {policy_text}\n"
        f"Log file: {log_file_text(log_file)}\n\n"
        f"{LICENCE_TEXT}\n\n"
        "Nothing in Detainer Desk is legal advice: county counsel must confirm the policy "
        "the county uses."
    )


def show_about(parent: QWidget, text: str) -> QMessageBox:
    """Open the About box without blocking, and return it."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setObjectName("aboutDialog")
    box.setAccessibleName("About Detainer Desk")
    box.setWindowTitle("About Detainer Desk")
    box.setIcon(QMessageBox.Icon.Information)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    box.setDetailedText(THIRD_PARTY_TEXT)
    box.setStandardButtons(QMessageBox.StandardButton.Ok)
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


class GuideDialog(QDialog):
    """The user guides: the roles on the left, the chosen guide on the right."""

    def __init__(self, role: str, parent: QWidget | None = None) -> None:
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import (
            QDialogButtonBox,
            QHBoxLayout,
            QListWidget,
            QListWidgetItem,
            QTextBrowser,
            QVBoxLayout,
        )

        super().__init__(parent)
        self.setObjectName("guideDialog")
        self.setWindowTitle("Detainer Desk: user guides")
        self.setAccessibleName("User guides")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        from .fit import fit_to_screen

        fit_to_screen(self, 900, 640)

        self.roles = QListWidget()
        self.roles.setObjectName("guideRoles")
        self.roles.setAccessibleName("Guides")
        for guide in GUIDES:
            item = QListWidgetItem(guide.title)
            item.setData(Qt.ItemDataRole.UserRole, guide.role)
            self.roles.addItem(item)
        self.roles.setFixedWidth(180)
        self.browser = QTextBrowser()
        self.browser.setObjectName("guideText")
        self.browser.setAccessibleName("Guide")
        self.browser.setOpenLinks(False)  # the guides link nowhere outside themselves

        row = QHBoxLayout()
        row.addWidget(self.roles)
        row.addWidget(self.browser, 1)
        column = QVBoxLayout(self)
        column.addLayout(row, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.setObjectName("guideButtons")
        close = buttons.button(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("guideClose")
        close.setAccessibleName("Close")
        self.close_button = close
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

        self.roles.currentRowChanged.connect(self._show_row)
        self.show_role(role)

    @property
    def role(self) -> str:
        from PySide6.QtCore import Qt

        item = self.roles.currentItem()
        return str(item.data(Qt.ItemDataRole.UserRole)) if item else ""

    def show_role(self, role: str) -> None:
        self.roles.setCurrentRow([guide.role for guide in GUIDES].index(role))

    def _show_row(self, row: int) -> None:
        if row < 0:
            return
        guide = GUIDES[row]
        self.browser.setMarkdown(guide_text(guide.role))
        self.browser.setAccessibleDescription(f"The {guide.title.lower()}'s guide")


class UserGuides(QObject):
    """Help › the guides: one entry per role, one guide window (reused while open)."""

    def __init__(self, window: QWidget) -> None:
        super().__init__(window)
        self.window = window
        self.dialog: GuideDialog | None = None
        self.actions: list[QAction] = []
        for guide in GUIDES:
            action = QAction(guide.menu_text, window)
            action.setObjectName(f"{guide.role}GuideAction")
            tip = f"How Detainer Desk works for the {guide.title.lower()}"
            action.setToolTip(tip)
            action.setStatusTip(tip)
            action.triggered.connect(lambda _checked=False, role=guide.role: self.open(role))
            self.actions.append(action)

    def open(self, role: str) -> GuideDialog:
        """Show the role's guide, in the open guide window if there is one."""
        dialog = self.dialog
        if dialog is None or not shiboken6.isValid(dialog) or not dialog.isVisible():
            dialog = GuideDialog(role, self.window)
            self.dialog = dialog
            dialog.show()  # not modal: a guide is read beside the work
        dialog.show_role(role)
        dialog.raise_()
        dialog.activateWindow()
        return dialog
