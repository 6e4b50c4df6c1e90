"""The intake screen: the request form (three pages, like the paper and what comes with it)
on the left, the decision panel on the right. This module lays the screen out and knows
nothing of the session: the main window builds the controller (``controller.py``) over it,
which wires it to the session and decides what happens.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QMenu,
    QScrollArea,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ..widgets import bigger, bold, note_colour
from .decision_panel import DecisionPanel
from .documents import DocumentsPanel
from .draft import RequestDraft
from .files import IntakeDialogs, RecentRequests
from .form import RequestPage
from .history import HistoryPanel
from .ui import Note, push_button

if TYPE_CHECKING:  # for the type checker only: the view never builds or calls them
    from .controller import IntakeController
    from .drafts import DraftKeeper

PAGE_TITLES = ("&1 Subject and detainer", "&2 Documents and scans", "&3 Charges and convictions")
REQUEST_PAGE, DOCUMENTS_PAGE, HISTORY_PAGE = range(3)


class IntakeScreen(QWidget):
    """The screen the main window adds to its workspace.

    ``settings`` keeps the recent-requests list (the program's QSettings by default);
    ``dialogs`` answers the file and print questions (the real dialogs by default).
    """

    wants_front = Signal()  # the screen was asked to act: bring it to the front
    decision_recorded = Signal(int)  # the decision's id
    status = Signal(str)  # a passing message for the status bar
    work_changed = Signal()  # what is on the form, or whether it is recorded or saved, changed

    # Handed in by the main window, which builds them over this screen (``IntakeController``
    # and its draft keeper); kept here so that the screen's parts are found from it.
    controller: IntakeController
    drafts: DraftKeeper

    def __init__(
        self,
        *,
        settings: QSettings | None = None,
        dialogs: IntakeDialogs | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intakeScreen")
        self.setAccessibleName("Intake: enter and check a detainer request")
        self.recent = RecentRequests(settings)
        self.dialogs = dialogs or IntakeDialogs()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.setSpacing(6)

        # -- the form and the decision --
        self.request_page = RequestPage()
        request_scroll = QScrollArea()
        request_scroll.setObjectName("requestScroll")
        request_scroll.setWidgetResizable(True)
        request_scroll.setFrameShape(QFrame.Shape.NoFrame)
        request_scroll.setWidget(self.request_page)
        self.documents = DocumentsPanel()
        self.history = HistoryPanel()
        self.tabs = QTabWidget()
        self.tabs.setObjectName("requestTabs")
        self.tabs.setAccessibleName("Parts of the request")
        self.tabs.setDocumentMode(False)
        for page, title in zip(
            (request_scroll, self.documents, self.history), PAGE_TITLES, strict=True
        ):
            self.tabs.addTab(page, title)
        self.panel = DecisionPanel()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setObjectName("intakeSplitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(self.panel)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([820, 520])

        # -- the header: whose request, its state, and the file buttons --
        header = QHBoxLayout()
        header.setSpacing(8)
        self.title = QLabel("New request")
        self.title.setObjectName("intakeTitle")
        self.title.setAccessibleName("Request")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setFont(bold(bigger(self.title.font(), 3)))
        self.state = QLabel()
        self.state.setObjectName("intakeState")
        self.state.setAccessibleName("State of the request")
        self.state.setTextFormat(Qt.TextFormat.PlainText)
        self.new_button = push_button(
            "New", "intakeNew", "New request", "Start a new, empty request (Ctrl+N)"
        )
        self.open_button = push_button(
            "Open…", "intakeOpen", "Open a request file", "Open a request file (Ctrl+O)"
        )
        self.save_button = push_button(
            "Save as…", "intakeSave", "Save the request as a file", "Save as a file (Ctrl+S)"
        )
        header.addWidget(self.title)
        header.addSpacing(8)
        header.addWidget(self.state)
        header.addStretch(1)
        for button in (self.new_button, self.open_button, self.save_button):
            header.addWidget(button)
        layout.addLayout(header)
        self.banner = Note(QLabel(), "About the request file")
        self.banner.label.setObjectName("intakeBanner")
        layout.addWidget(self.banner.label)
        layout.addWidget(self.splitter, 1)

        # -- actions the main window puts in its File menu --
        self.new_action = QAction("&New request", self)
        self.new_action.setObjectName("newRequestAction")
        self.new_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.save_action = QAction("&Save request as…", self)
        self.save_action.setObjectName("saveRequestAction")
        self.save_action.setShortcut(QKeySequence(QKeySequence.StandardKey.Save))
        self.recent_menu = QMenu("Open &recent")
        self.recent_menu.setObjectName("recentRequestsMenu")
        self.recent_menu.setAccessibleName("Recent request files")
        self.recent_menu.setToolTipsVisible(True)

    # -- the form as a draft, and back ------------------------------------------------------
    def read_draft(self) -> RequestDraft:
        """What is typed on the three pages, as the draft of a request."""
        draft = RequestDraft()
        self.request_page.read_into(draft)
        draft.documents = self.documents.documents()
        draft.history = self.history.entries()
        return draft

    def show_draft(self, draft: RequestDraft) -> None:
        self.request_page.write_from(draft)
        self.documents.set_documents(draft.documents)
        self.history.set_entries(draft.history)

    # -- small pieces of drawing the controller asks for ----------------------------------
    def show_header(self, title: str, state: str, recorded: bool) -> None:
        self.title.setText(title)
        self.title.setAccessibleDescription(title)
        colour = note_colour(self.palette()) if recorded else ""
        self.state.setStyleSheet(f"color: {colour}; font-weight: bold;" if colour else "")
        self.state.setText(state)
        self.state.setAccessibleDescription(state)

    def show_page_problems(self, counts: tuple[int, int, int]) -> None:
        for index, (title, count) in enumerate(zip(PAGE_TITLES, counts, strict=True)):
            shown = f"{title}  ⚠ {count}" if count else title
            if self.tabs.tabText(index) != shown:
                self.tabs.setTabText(index, shown)

    def set_read_only(self, read_only: bool) -> None:
        self.request_page.set_read_only(read_only)
        self.documents.set_read_only(read_only)
        self.history.set_read_only(read_only)
