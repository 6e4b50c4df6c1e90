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

# F1: the guide, at its section, for the screen or dialog in focus (found by object name,
# from the focused widget outwards). Several roles' guides may cover a screen: the signed-in
# person's own comes first; otherwise the first listed. A heading of None: the guide's top.
OFFICER_LOOKING = ("officer", "Looking things up")
COUNSEL_PROGRAM = ("counsel", "In the program")
SUPERVISOR_LOOKING = ("supervisor", "Looking things up")
SAFE_RECORDS = ("admin", "Keeping the records safe")
SCREEN_GUIDES: dict[str, tuple[tuple[str, str | None], ...]] = {
    "signInPage": (("officer", "Signing in and the screen lock"),),
    "firstRunPage": (("admin", None),),
    "decisionPanel": (("officer", "Checking and recording"),),
    "intakeScreen": (("officer", "Entering a request (the Intake tab)"),),
    "decisionLogScreen": (OFFICER_LOOKING, COUNSEL_PROGRAM, SUPERVISOR_LOOKING),
    "reviewQueueScreen": (("supervisor", "The review queue (Records › Review queue)"),),
    "activeHoldsScreen": (
        ("supervisor", "Active holds (Records › Active holds)"),
        ("officer", "Holds"),
    ),
    "overdueReportDialog": (("supervisor", "Active holds (Records › Active holds)"),),
    "statisticsScreen": (OFFICER_LOOKING, COUNSEL_PROGRAM, SUPERVISOR_LOOKING),
    "decisionDetailDialog": (OFFICER_LOOKING, COUNSEL_PROGRAM, SUPERVISOR_LOOKING),
    "usersDialog": (("admin", "Accounts (Admin › Users…)"),),
    "addUserDialog": (("admin", "Accounts (Admin › Users…)"),),
    "rolesDialog": (("admin", "Accounts (Admin › Users…)"),),
    "resetPasswordDialog": (("admin", "Accounts (Admin › Users…)"),),
    "settingsDialog": (("admin", "Settings (Admin › Settings…)"),),
    "policyDialog": (("admin", "The policy (Policy menu)"),),
    "auditTrailDialog": (COUNSEL_PROGRAM,),
    "exportDialog": (COUNSEL_PROGRAM,),
    "checkpointDialog": (COUNSEL_PROGRAM,),
    "verifyDialog": (COUNSEL_PROGRAM, SAFE_RECORDS),
    "verifyCheckpointDialog": (COUNSEL_PROGRAM, SAFE_RECORDS),
    "backupDialog": (SAFE_RECORDS,),
    "restoreDialog": (SAFE_RECORDS,),
    "databaseDialog": (SAFE_RECORDS,),
}


def guide_for(object_names: list[str], roles: frozenset[str]) -> tuple[str, str | None] | None:
    """The (role, heading) of the guide for the first of ``object_names`` (the focused
    widget, then its parents) that has one: the person's own role's guide if it covers it."""
    for name in object_names:
        candidates = SCREEN_GUIDES.get(name)
        if candidates:
            for role, heading in candidates:
                if role in roles:
                    return role, heading
            return candidates[0]
    return None


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

    def show_section(self, heading: str | None) -> bool:
        """Scroll the guide shown so that ``heading`` is at the top (None: the guide's top);
        False when it has no such heading."""
        scroll = self.browser.verticalScrollBar()
        if heading is None:
            scroll.setValue(0)
            return True
        document = self.browser.document()
        block = document.begin()
        while block.isValid():
            if block.blockFormat().headingLevel() > 0 and block.text() == heading:
                cursor = self.browser.textCursor()
                cursor.setPosition(block.position())
                self.browser.setTextCursor(cursor)
                top = document.documentLayout().blockBoundingRect(block).top()
                scroll.setValue(int(top))
                return True
            block = block.next()
        return False


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

    def open_for(self, focused: QWidget | None, roles: frozenset[str]) -> GuideDialog:
        """F1: the guide for the screen or dialog ``focused`` is in, at its section; the
        person's own guide when nothing more particular is known."""
        names: list[str] = []
        widget = focused
        while widget is not None:
            names.append(widget.objectName())
            widget = widget.parentWidget()
        found = guide_for(names, roles)
        if found is None:
            own = [guide.role for guide in GUIDES if guide.role in roles]
            found = (own[0] if own else GUIDES[0].role, None)
        role, heading = found
        # Over a dialog that blocks the main window, the guide belongs to that dialog:
        # a guide of the main window's would be blocked too, readable but not scrollable.
        owner = focused.window() if focused is not None else None
        parent = owner if isinstance(owner, QDialog) and owner.isModal() else self.window
        dialog = self.open(role, parent)
        dialog.show_section(heading)
        return dialog

    def open(self, role: str, parent: QWidget | None = None) -> GuideDialog:
        """Show the role's guide, in the open guide window if there is one."""
        parent = parent or self.window
        dialog = self.dialog
        if (
            dialog is None
            or not shiboken6.isValid(dialog)
            or not dialog.isVisible()
            or dialog.parentWidget() is not parent
        ):
            dialog = GuideDialog(role, parent)
            self.dialog = dialog
            dialog.show()  # not modal: a guide is read beside the work
        dialog.show_role(role)
        dialog.raise_()
        dialog.activateWindow()
        return dialog
