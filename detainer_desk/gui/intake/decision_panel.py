"""The decision panel beside the request form: what is still to fix, or the decision in large
words with its deadline and countdown, what a supervisor must look at, every reason with its
citation, and the buttons that act on the request.

It shows what the controller hands it (``presenter.DecisionView``, ``presenter.Countdown``,
lines of text); it decides nothing.
"""

from __future__ import annotations

import html

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import alerts
from detainer_desk.domain.outcomes import Outcome

from ..widgets import bold, error_colour, note_colour
from .presenter import Countdown, DecisionView
from .ui import push_button

# Background and border of the outcome box. The words always say the outcome; the colour
# only helps recognise it across the room. Dark text on a light tint reads in any palette.
OUTCOME_COLOURS: dict[str, tuple[str, str]] = {
    Outcome.HOLD: ("#fde2e1", "#b3261e"),
    Outcome.TRANSFER: ("#ffe9cc", "#a15c00"),
    Outcome.NOTIFY: ("#dce9fd", "#1d4ed8"),
    Outcome.DECLINE: ("#e6e8eb", "#3d4652"),
    Outcome.REVIEW: ("#ece6fd", "#6d28d9"),
}
COUNTDOWN_COLOURS = {
    alerts.OK: "#1a1a1a",
    alerts.SOON: "#8a4b00",
    alerts.URGENT: "#b3261e",
    alerts.EXPIRED: "#b3261e",
    alerts.UNKNOWN: "#1a1a1a",
}


def _label(name: str, accessible: str, *, points: float = 0, strong: bool = False) -> QLabel:
    label = QLabel()
    label.setObjectName(name)
    label.setAccessibleName(accessible)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    font = QFont(label.font())
    if points:
        font.setPointSizeF(font.pointSizeF() + points)
    if strong:
        font = bold(font)
    label.setFont(font)
    return label


class DecisionPanel(QWidget):
    problem_activated = Signal(str)  # the problem's contract key

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("decisionPanel")
        self.setAccessibleName("Decision")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)

        scroll = QScrollArea()
        scroll.setObjectName("decisionScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        body = QWidget()
        body.setObjectName("decisionBody")
        column = QVBoxLayout(body)
        column.setContentsMargins(14, 12, 14, 12)
        column.setSpacing(10)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)

        self.message = _label("decisionMessage", "What to do next", points=1)
        column.addWidget(self.message)

        # -- problems still to fix --
        self.problems_heading = _label("problemsHeading", "Still to fix", points=1, strong=True)
        column.addWidget(self.problems_heading)
        self.problem_list = QListWidget()
        self.problem_list.setObjectName("problemList")
        self.problem_list.setAccessibleName("Problems still to fix")
        self.problem_list.setWordWrap(True)
        self.problem_list.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.problem_list.itemActivated.connect(self._activated)
        self.problem_list.itemClicked.connect(self._activated)
        column.addWidget(self.problem_list, 1)

        # -- the decision --
        self.outcome_frame = QFrame()
        self.outcome_frame.setObjectName("outcomeFrame")
        self.outcome_frame.setAccessibleName("Outcome")
        box = QVBoxLayout(self.outcome_frame)
        box.setContentsMargins(16, 12, 16, 12)
        box.setSpacing(4)
        self.outcome_words = _label("outcomeWords", "Outcome", points=16, strong=True)
        self.outcome_detail = _label("outcomeDetail", "Outcome detail", points=4, strong=True)
        self.countdown = _label("countdown", "Time left", points=4, strong=True)
        self.countdown_words = _label("countdownWords", "How urgent")
        for label in (
            self.outcome_words,
            self.outcome_detail,
            self.countdown,
            self.countdown_words,
        ):
            box.addWidget(label)
        column.addWidget(self.outcome_frame)

        self.recorded = _label("recordedNote", "Recorded", points=1, strong=True)
        column.addWidget(self.recorded)
        self.duplicate = _label("duplicateWarning", "Already recorded", strong=True)
        column.addWidget(self.duplicate)
        self.meaning = _label("outcomeMeaning", "What this means", points=1)
        column.addWidget(self.meaning)
        self.deadline_note = _label("deadlineNote", "About the deadline")
        column.addWidget(self.deadline_note)

        self.supervisor_heading = _label(
            "supervisorHeading", "What the supervisor must look at", points=1, strong=True
        )
        self.supervisor_heading.setText("A supervisor must look at:")
        column.addWidget(self.supervisor_heading)
        self.supervisor = _label("supervisorItems", "Review items")
        column.addWidget(self.supervisor)

        self.reasons_heading = _label("reasonsHeading", "Why", points=1, strong=True)
        self.reasons_heading.setText("Why (every reason, with its source)")
        column.addWidget(self.reasons_heading)
        self.reasons = QTextBrowser()
        self.reasons.setObjectName("reasons")
        self.reasons.setAccessibleName("Reasons and citations")
        self.reasons.setOpenLinks(False)
        self.reasons.setMinimumHeight(180)
        column.addWidget(self.reasons, 2)
        self.policy = _label("policyLine", "Policy applied")
        column.addWidget(self.policy)
        self.checked = _label("checkedLine", "When it was checked")
        column.addWidget(self.checked)
        column.addStretch(0)

        # -- the buttons, always in view --
        footer = QFrame()
        footer.setObjectName("decisionFooter")
        footer.setFrameShape(QFrame.Shape.StyledPanel)
        actions = QVBoxLayout(footer)
        actions.setContentsMargins(12, 10, 12, 10)
        actions.setSpacing(8)
        self.busy = QProgressBar()
        self.busy.setObjectName("busyBar")
        self.busy.setAccessibleName("Working")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(True)
        self.busy.hide()
        actions.addWidget(self.busy)
        self.decide_row = QWidget()
        self.decide_row.setObjectName("decideButtons")
        row = QHBoxLayout(self.decide_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.check_button = push_button(
            "Check request  (Enter)",
            "checkButton",
            "Check the request",
            "Check the request against the active policy (Enter, or Ctrl+Enter anywhere)",
        )
        self.record_button = push_button(
            "Record decision…  (Ctrl+R)",
            "recordButton",
            "Record the decision",
            "Store the request, its scans and the decision in the record (Ctrl+R)",
        )
        for button in (self.check_button, self.record_button):
            button.setMinimumHeight(34)
            button.setFont(bold(button.font()))
        row.addWidget(self.check_button, 1)
        row.addWidget(self.record_button, 1)
        actions.addWidget(self.decide_row)
        self.evidence = QWidget()
        self.evidence.setObjectName("evidenceButtons")
        grid = QGridLayout(self.evidence)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(6)
        self.save_audit_button = push_button(
            "Save audit PDF…",
            "saveAuditButton",
            "Save the audit PDF",
            "The full record of this decision, for the file and for counsel",
        )
        self.save_notice_button = push_button(
            "Save notice…",
            "saveNoticeButton",
            "Save the notice to the person",
            "The notice to the person (English and Spanish) with a copy of the request",
        )
        self.print_audit_button = push_button(
            "Print audit PDF…", "printAuditButton", "Print the audit PDF", "Print the audit record"
        )
        self.print_notice_button = push_button(
            "Print notice…",
            "printNoticeButton",
            "Print the notice to the person",
            "Print the notice to give to the person",
        )
        grid.addWidget(self.save_audit_button, 0, 0)
        grid.addWidget(self.print_audit_button, 0, 1)
        grid.addWidget(self.save_notice_button, 1, 0)
        grid.addWidget(self.print_notice_button, 1, 1)
        self.evidence.hide()
        actions.addWidget(self.evidence)
        outer.addWidget(footer)
        # As wide as the buttons' words need in the fonts in use (a fixed 340 px cut
        # "Record decision…  (Ctrl+R)" to "ecord decision… (Ctrl+" at 150 %).
        self.setMinimumWidth(max(340, footer.minimumSizeHint().width()))
        self._countdown: Countdown | None = None
        self.show_message("")

    # -- states ----------------------------------------------------------------------------
    def _decision_widgets(self) -> list[QWidget]:
        return [
            self.outcome_frame,
            self.meaning,
            self.deadline_note,
            self.supervisor_heading,
            self.supervisor,
            self.reasons_heading,
            self.reasons,
            self.policy,
            self.checked,
        ]

    def show_message(self, text: str, *, problem: bool = False) -> None:
        colour = error_colour(self.palette()) if problem else ""
        self.message.setStyleSheet(f"color: {colour};" if colour else "")
        shown = f"⚠ {text}" if problem and text else text
        self.message.setText(shown)
        self.message.setAccessibleDescription(shown)
        self.message.setVisible(bool(text))

    def show_problems(self, heading: str, items: list[tuple[str, str]]) -> None:
        """Hide the decision; list ``items`` (text, contract key) under ``heading``."""
        for widget in self._decision_widgets():
            widget.hide()
        self.problems_heading.setText(heading)
        self.problems_heading.setVisible(bool(heading))
        self.problem_list.clear()
        for text, key in items:
            item = QListWidgetItem(f"⚠ {text}")
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setData(Qt.ItemDataRole.AccessibleTextRole, text)
            item.setToolTip("Go to the field")
            self.problem_list.addItem(item)
        self.problem_list.setVisible(bool(items))
        self._fit_problem_list()

    def _fit_problem_list(self) -> None:
        """As tall as its problems (up to a limit), so it reads as a list, not a void. The
        rows wrap, so their height is known only once the list has its width."""
        box = self.problem_list
        if not box.count():
            return
        box.doItemsLayout()
        rows = sum(box.visualItemRect(box.item(r)).height() for r in range(box.count()))
        box.setFixedHeight(min(max(rows + 2 * box.frameWidth() + 6, 40), 420))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.problem_list.isVisible():
            QTimer.singleShot(0, self._fit_problem_list)

    def hide_all(self) -> None:
        self.show_problems("", [])

    def show_decision(self, view: DecisionView) -> None:
        self.problems_heading.hide()
        self.problem_list.hide()
        self.problem_list.clear()
        background, border = OUTCOME_COLOURS[view.outcome]
        self.outcome_frame.setStyleSheet(
            f"#outcomeFrame {{ background: {background}; border: 3px solid {border}; "
            "border-radius: 6px; } #outcomeFrame QLabel { color: #1a1a1a; }"
        )
        self.outcome_words.setText(view.words)
        self.outcome_words.setAccessibleDescription(view.headline)
        self.outcome_detail.setText(view.detail)
        self.outcome_detail.setVisible(bool(view.detail))
        self.outcome_frame.setAccessibleDescription(view.headline)
        self.meaning.setText(view.meaning)
        self.deadline_note.setText(view.deadline_note or "")
        self.supervisor.setText("\n".join(f"• {item}" for item in view.supervisor_items))
        self.reasons.setHtml(_reasons_html(view))
        self.policy.setText(f"Policy: {view.policy_line}")
        self.checked.setText(view.checked_line)
        for widget in self._decision_widgets():
            widget.show()
        self.deadline_note.setVisible(bool(view.deadline_note))
        self.supervisor_heading.setVisible(bool(view.supervisor_items))
        self.supervisor.setVisible(bool(view.supervisor_items))

    def show_countdown(self, countdown: Countdown | None) -> None:
        if countdown == self._countdown:
            return
        self._countdown = countdown
        if countdown is None:
            self.countdown.hide()
            self.countdown_words.hide()
            return
        colour = COUNTDOWN_COLOURS[countdown.level]
        self.countdown.setStyleSheet(f"color: {colour};")
        self.countdown_words.setStyleSheet(f"color: {colour};")
        self.countdown.setText(countdown.text)
        self.countdown.setAccessibleDescription(f"{countdown.text}, {countdown.words}")
        self.countdown_words.setText(countdown.words)
        self.countdown.show()
        self.countdown_words.show()

    def set_duplicate(self, text: str | None) -> None:
        self.duplicate.setStyleSheet(f"color: {error_colour(self.palette())};")
        self.duplicate.setText(f"⚠ {text}" if text else "")
        self.duplicate.setAccessibleDescription(text or "")
        self.duplicate.setVisible(bool(text))

    def set_recorded(self, text: str | None) -> None:
        self.recorded.setStyleSheet(f"color: {note_colour(self.palette())};")
        self.recorded.setText(f"✔ {text}" if text else "")
        self.recorded.setAccessibleDescription(text or "")
        self.recorded.setVisible(bool(text))
        # Once recorded there is nothing to check or record: the evidence takes their place.
        self.evidence.setVisible(bool(text))
        self.decide_row.setVisible(not text)

    def set_checked_line(self, text: str) -> None:
        if self.checked.text() != text:
            self.checked.setText(text)

    def set_busy(self, text: str | None) -> None:
        self.busy.setFormat(text or "")
        self.busy.setVisible(bool(text))

    def _activated(self, item: QListWidgetItem) -> None:
        key = item.data(Qt.ItemDataRole.UserRole)
        if isinstance(key, str):
            self.problem_activated.emit(key)


def _reasons_html(view: DecisionView) -> str:
    parts = []
    for group in view.groups:
        parts.append(
            f"<p style='margin-top:8px; margin-bottom:2px'><b>{html.escape(group.title)}: "
            f"{html.escape(group.verdict)}</b></p><ul style='margin-top:0px'>"
        )
        for reason in group.reasons:
            parts.append(
                f"<li>{html.escape(reason.text)}<br>"
                f"<i>Source: {html.escape(reason.citation)}</i></li>"
            )
        parts.append("</ul>")
    return "".join(parts)
