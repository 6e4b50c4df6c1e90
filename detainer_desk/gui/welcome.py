"""The welcome panel: what the program is for, what works in this build, and whether a
policy is active. Shown to a signed-in user until the working screens exist."""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QFontMetrics
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QToolButton, QWidget

from .widgets import bold, card, centred_page, heading, paragraph

PURPOSE = (
    "Detainer Desk helps jail staff decide, lawfully and on the record, what the jail "
    "does with an ICE immigration detainer request: whether the request can be honored "
    "under the county's policy, and for how long a person may be held."
)


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
        "Accounts, roles and the audit trail",
        "Everyone signs in with their own account; the screen locks when left alone; "
        "administrators manage accounts and settings (Admin menu), and administrators "
        "and county counsel can read the audit trail.",
        available=True,
    ),
    Feature(
        "The county's policy",
        "The policy in force in plain English and as written, for everyone signed in; its "
        "version history; administrators activate another and compare first with a what-if "
        "(Policy menu). Help has a short guide for each role.",
        available=True,
    ),
    Feature(
        "Check and record a request",
        "The Intake tab: enter the detainer as it reads on paper, attach the scans, see "
        "the decision with every reason, record it (Request menu), and print the audit PDF "
        "and the notice for the person with the buttons under the decision. Either can be "
        "printed again later from the decision log or a decision's details.",
        available=True,
    ),
    Feature(
        "Decision log, review queue, active holds and statistics",
        "Search and sort every decision, countersign or override those waiting for a "
        "supervisor, watch every hold count down to its deadline (Records menu).",
        available=True,
    ),
    Feature(
        "Evidence for counsel",
        "Export records for litigation with a signed checkpoint and a SHA-256 manifest; "
        "checkpoints of the record to print, sign and file (Records menu); backups (Admin).",
        available=True,
    ),
)


def policy_notice_text(policy_label: str | None) -> str:
    if policy_label is None:
        return (
            "No policy is active yet. Requests cannot be checked until the county's "
            "policy has been chosen and activated."
        )
    return f"Active policy: {policy_label}"


class WelcomePanel(QWidget):
    def __init__(self, policy_label: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("contentPage")
        self.setAccessibleName("Welcome")
        layout = centred_page(self, "welcomePanel", "Welcome", 760)

        layout.addWidget(heading("Welcome to Detainer Desk", "welcomeHeading", 8))
        layout.addWidget(paragraph(PURPOSE, "purposeLabel", "What this program is for"))

        layout.addSpacing(4)
        frame, box = card("policyNoticeFrame")
        box.setContentsMargins(14, 12, 14, 12)
        self.policy_notice = paragraph(
            policy_notice_text(policy_label), "policyNotice", "Policy status"
        )
        self.policy_notice.setFont(bold(self.policy_notice.font()))
        box.addWidget(self.policy_notice)
        layout.addWidget(frame)

        # An administrator's start: their work, one click away (hidden for everyone else).
        self.tasks_frame, tasks = card("adminTasksFrame")
        tasks.setContentsMargins(14, 12, 14, 12)
        tasks.addWidget(heading("Your work as administrator", "adminTasksHeading", 2))
        self.tasks_row = QHBoxLayout()
        self.tasks_row.setSpacing(8)
        tasks.addLayout(self.tasks_row)
        self.tasks_frame.hide()
        layout.addWidget(self.tasks_frame)
        self.task_buttons: list[QToolButton] = []

        layout.addSpacing(8)
        layout.addWidget(heading("In this version", "availableHeading", 2))
        layout.addWidget(_feature_list([f for f in FEATURES if f.available], "availableFeatures"))

        pending = [f for f in FEATURES if not f.available]
        if pending:  # honest about what a build does not have yet
            layout.addSpacing(8)
            layout.addWidget(heading("Not built yet", "pendingHeading", 2))
            layout.addWidget(
                paragraph(
                    "Their menu entries are present but switched off until the screens are finished.",
                    "pendingNote",
                    "About the switched-off menu entries",
                )
            )
            layout.addWidget(_feature_list(pending, "pendingFeatures"))
        layout.addStretch(1)

    def show_tasks(self, actions: list[QAction]) -> None:
        """Buttons for ``actions`` (an administrator's start); none hides the card."""
        for button in self.task_buttons:
            self.tasks_row.removeWidget(button)
            button.deleteLater()
        self.task_buttons = []
        while self.tasks_row.count():
            self.tasks_row.takeAt(0)
        for action in actions:
            button = QToolButton()
            button.setDefaultAction(action)
            button.setObjectName(f"{action.objectName()}Button")
            button.setAccessibleName(action.text().replace("&", "").rstrip("…"))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            self.tasks_row.addWidget(button)
            self.task_buttons.append(button)
        self.tasks_row.addStretch(1)
        self.tasks_frame.setVisible(bool(actions))

    def set_policy_label(self, policy_label: str | None) -> None:
        text = policy_notice_text(policy_label)
        self.policy_notice.setText(text)
        self.policy_notice.setAccessibleDescription(text)


def _feature_list(features: list[Feature], object_name: str) -> QWidget:
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
