"""The main window: for now an honest shell.

It says what the program is for and what works in this build, and it shows where
the records are kept and which policy is active. Menu entries for screens that do
not exist yet are present but disabled, with a tooltip saying so, so that nobody
mistakes a missing feature for a broken one.

The window never touches the database: the composition root passes in labels.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import (
    QAction,
    QFont,
    QFontMetrics,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QPalette,
)
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

import detainer_desk

APP_TITLE = "Detainer Desk"
PURPOSE = (
    "Detainer Desk helps jail staff decide, lawfully and on the record, what the jail "
    "does with an ICE immigration detainer request: whether the request can be honored "
    "under the county's policy, and for how long a person may be held."
)
NO_POLICY_STATUS = "none active"
INTAKE_PENDING = "Coming with the intake screen"
RECORDS_PENDING = "Coming with the records screens"


@dataclass(frozen=True)
class Feature:
    """One thing the program is meant to do, and whether this build does it yet."""

    name: str
    description: str
    available: bool


# The welcome panel is built from this list. When a screen lands, mark it available
# here in the same change that enables its menu entries, so the panel stays truthful.
FEATURES: tuple[Feature, ...] = (
    Feature(
        "Where the records are kept",
        "The database location and the active policy, always shown in the status bar "
        "and in Help › About.",
        available=True,
    ),
    Feature(
        "Check a request",
        "Read a detainer request and check it against the active policy.",
        available=False,
    ),
    Feature(
        "Record a decision",
        "Record what the jail decided and why, in a tamper-evident log.",
        available=False,
    ),
    Feature(
        "Decision log, review queue and active holds",
        "Search past decisions, review flagged ones, and see every hold with its end time.",
        available=False,
    ),
)


def policy_status_text(policy_label: str | None) -> str:
    return policy_label if policy_label else NO_POLICY_STATUS


class ElidedLabel(QLabel):
    """A label that keeps its full text but draws it elided when space is short.

    Database paths can be long; without this a status-bar label would force the
    window wider than a 1366-pixel screen. The full text stays in the tooltip and
    in ``text()`` (which is what assistive technology reads).
    """

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setToolTip(text)
        self.setTextFormat(Qt.TextFormat.PlainText)

    def minimumSizeHint(self) -> QSize:
        # Preferred width is the full text; below that the layout may shrink us to
        # a short stub, and paintEvent elides the middle.
        hint = super().minimumSizeHint()
        stub = QFontMetrics(self.font()).horizontalAdvance("Database: …") + 8
        return QSize(min(hint.width(), stub), hint.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = painter.fontMetrics()
        rect = self.contentsRect()
        shown = metrics.elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter.drawText(rect, int(self.alignment()), shown)
        painter.end()


class MainWindow(QMainWindow):
    """The application's main window."""

    def __init__(
        self,
        database_label: str,
        policy_label: str | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._database_label = database_label
        self._policy_label = policy_label or None

        self.setObjectName("mainWindow")
        self.setWindowTitle(APP_TITLE)
        self.setAccessibleName(APP_TITLE)
        self.resize(1100, 720)
        self.setMinimumSize(720, 480)

        self._build_actions()
        self._build_menus()
        self.setCentralWidget(self._build_welcome_panel())
        self._build_status_bar()

    # ----------------------------------------------------------------- actions
    def _action(
        self,
        text: str,
        object_name: str,
        *,
        shortcut: QKeySequence | None = None,
        pending: str | None = None,
    ) -> QAction:
        action = QAction(text, self)
        action.setObjectName(object_name)
        if shortcut is not None:
            action.setShortcut(shortcut)
        if pending is not None:
            action.setEnabled(False)
            action.setToolTip(pending)
            action.setStatusTip(pending)
        return action

    def _build_actions(self) -> None:
        self.open_request_action = self._action(
            "&Open request…",
            "openRequestAction",
            shortcut=QKeySequence(QKeySequence.StandardKey.Open),
            pending=INTAKE_PENDING,
        )
        self.quit_action = self._action(
            "&Quit", "quitAction", shortcut=QKeySequence(Qt.Modifier.CTRL | Qt.Key.Key_Q)
        )
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.setStatusTip("Close Detainer Desk")
        self.quit_action.triggered.connect(self.close)

        self.check_action = self._action(
            "&Check request…", "checkRequestAction", pending=INTAKE_PENDING
        )
        self.record_action = self._action(
            "&Record decision…", "recordDecisionAction", pending=INTAKE_PENDING
        )

        self.decision_log_action = self._action(
            "&Decision log", "decisionLogAction", pending=RECORDS_PENDING
        )
        self.review_queue_action = self._action(
            "&Review queue", "reviewQueueAction", pending=RECORDS_PENDING
        )
        self.active_holds_action = self._action(
            "&Active holds", "activeHoldsAction", pending=RECORDS_PENDING
        )

        self.about_action = self._action("&About Detainer Desk", "aboutAction")
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.about_action.setStatusTip("Version, database location and active policy")
        self.about_action.triggered.connect(self.show_about)

    def _menu(self, title: str, object_name: str, actions: list[QAction | None]) -> QMenu:
        menu = self.menuBar().addMenu(title)
        menu.setObjectName(object_name)
        menu.setAccessibleName(title.replace("&", ""))
        # Without this Qt hides action tooltips in menus, and the disabled entries
        # would not say why they are disabled.
        menu.setToolTipsVisible(True)
        for action in actions:
            if action is None:
                menu.addSeparator()
            else:
                menu.addAction(action)
        return menu

    def _build_menus(self) -> None:
        self.menuBar().setObjectName("menuBar")
        self.menuBar().setAccessibleName("Main menu")
        self.file_menu = self._menu(
            "&File", "fileMenu", [self.open_request_action, None, self.quit_action]
        )
        self.request_menu = self._menu(
            "&Request", "requestMenu", [self.check_action, self.record_action]
        )
        self.records_menu = self._menu(
            "Re&cords",
            "recordsMenu",
            [self.decision_log_action, self.review_queue_action, self.active_holds_action],
        )
        self.help_menu = self._menu("&Help", "helpMenu", [self.about_action])

    # ----------------------------------------------------------- welcome panel
    def _build_welcome_panel(self) -> QWidget:
        scroll = QScrollArea()
        scroll.setObjectName("welcomeScrollArea")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)

        page = QWidget()
        page.setObjectName("welcomePanel")
        page.setAccessibleName("Welcome")
        # A centred column of readable width. Stretches on either side rather than an
        # alignment flag: an aligned widget is held to its size hint, which squeezes
        # word-wrapped labels into a narrow strip and clips their text.
        outer = QHBoxLayout(page)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.addStretch(1)
        column = QWidget()
        column.setObjectName("welcomeColumn")
        column.setMaximumWidth(760)
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        outer.addWidget(column, 100)
        outer.addStretch(1)

        layout = QVBoxLayout(column)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(12)

        heading = self._label("Welcome to Detainer Desk", "welcomeHeading", point_delta=8)
        heading.setWordWrap(True)
        heading.setFont(_bold(heading.font()))
        layout.addWidget(heading)

        layout.addWidget(self._paragraph(PURPOSE, "purposeLabel", "What this program is for"))

        layout.addSpacing(4)
        layout.addWidget(self._build_policy_notice())

        layout.addSpacing(8)
        layout.addWidget(self._section_heading("In this version", "availableHeading"))
        layout.addWidget(
            self._feature_list([f for f in FEATURES if f.available], "availableFeatures")
        )

        layout.addSpacing(8)
        layout.addWidget(self._section_heading("Not built yet", "pendingHeading"))
        layout.addWidget(
            self._paragraph(
                "Their menu entries are present but switched off until the screens are finished.",
                "pendingNote",
                "About the switched-off menu entries",
            )
        )
        layout.addWidget(
            self._feature_list([f for f in FEATURES if not f.available], "pendingFeatures")
        )

        layout.addStretch(1)
        scroll.setWidget(page)
        return scroll

    def _policy_notice_text(self) -> str:
        if self._policy_label is None:
            return (
                "No policy is active yet. Requests cannot be checked until the county's "
                "policy has been chosen and activated."
            )
        return f"Active policy: {self._policy_label}"

    def _label(self, text: str, object_name: str, *, point_delta: int = 0) -> QLabel:
        label = QLabel(text)
        label.setObjectName(object_name)
        label.setAccessibleName(text)
        label.setTextFormat(Qt.TextFormat.PlainText)
        if point_delta:
            font = label.font()
            font.setPointSizeF(font.pointSizeF() + point_delta)
            label.setFont(font)
        return label

    def _paragraph(self, text: str, object_name: str, accessible_name: str) -> QLabel:
        label = self._label(text, object_name)
        label.setAccessibleName(accessible_name)
        label.setAccessibleDescription(text)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _section_heading(self, text: str, object_name: str) -> QLabel:
        label = self._label(text, object_name, point_delta=2)
        label.setFont(_bold(label.font()))
        return label

    def _build_policy_notice(self) -> QFrame:
        frame = QFrame()
        frame.setObjectName("policyNoticeFrame")
        frame.setFrameShape(QFrame.Shape.StyledPanel)
        # The base colour sets the notice apart from the page in any palette, dark included.
        frame.setBackgroundRole(QPalette.ColorRole.Base)
        frame.setAutoFillBackground(True)
        box = QVBoxLayout(frame)
        box.setContentsMargins(14, 12, 14, 12)
        self.policy_notice = self._paragraph(
            self._policy_notice_text(), "policyNotice", "Policy status"
        )
        self.policy_notice.setFont(_bold(self.policy_notice.font()))
        box.addWidget(self.policy_notice)
        return frame

    def _feature_list(self, features: list[Feature], object_name: str) -> QWidget:
        container = QWidget()
        container.setObjectName(object_name)
        grid = QGridLayout(container)
        grid.setContentsMargins(12, 0, 0, 0)
        grid.setHorizontalSpacing(10)
        grid.setVerticalSpacing(10)
        grid.setColumnStretch(1, 1)
        for row, feature in enumerate(features):
            marker = QLabel("✓" if feature.available else "•")
            marker.setAccessibleName("Available" if feature.available else "Not built yet")
            marker.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignHCenter)
            marker.setMinimumWidth(QFontMetrics(marker.font()).horizontalAdvance("✓") + 4)
            grid.addWidget(marker, row, 0)

            description = QLabel(
                f"<b>{html.escape(feature.name)}</b> — {html.escape(feature.description)}"
            )
            description.setObjectName(f"{object_name}{row}")
            description.setTextFormat(Qt.TextFormat.RichText)
            description.setAccessibleName(feature.name)
            description.setAccessibleDescription(feature.description)
            description.setWordWrap(True)
            description.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(description, row, 1)
        return container

    # --------------------------------------------------------------- status bar
    def _build_status_bar(self) -> None:
        status = self.statusBar()
        status.setObjectName("statusBar")
        status.setAccessibleName("Status")

        self.database_status = ElidedLabel(f"Database: {self._database_label}")
        self.database_status.setObjectName("databaseStatus")
        self.database_status.setAccessibleName("Database location")
        self.database_status.setAccessibleDescription(self._database_label)

        policy_text = policy_status_text(self._policy_label)
        self.policy_status = ElidedLabel(f"Policy: {policy_text}")
        self.policy_status.setObjectName("policyStatus")
        self.policy_status.setAccessibleName("Active policy")
        self.policy_status.setAccessibleDescription(policy_text)

        # Permanent widgets sit on the right; the database path gets the spare room.
        status.addPermanentWidget(self.database_status, 1)
        status.addPermanentWidget(self.policy_status, 0)

    # -------------------------------------------------------------------- about
    def about_text(self) -> str:
        return (
            f"Detainer Desk {detainer_desk.__version__}\n\n"
            f"{PURPOSE}\n\n"
            f"Database: {self._database_label}\n"
            f"Policy: {policy_status_text(self._policy_label)}"
        )

    def show_about(self) -> QMessageBox:
        """Open the About box without blocking, and return it."""
        box = QMessageBox(self)
        box.setObjectName("aboutDialog")
        box.setAccessibleName("About Detainer Desk")
        box.setWindowTitle("About Detainer Desk")
        box.setIcon(QMessageBox.Icon.Information)
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setText(self.about_text())
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        return box


def _bold(font: QFont) -> QFont:
    font.setBold(True)
    return font
