"""Records › Review queue: what a supervisor must settle.

Decisions under review come first, then decisions nobody has countersigned. A supervisor
countersigns, or overrides to another outcome with a written reason; both are amendments
added to the record, never edits. The services refuse an override without a reason and a
countersign by the officer who recorded the decision; this screen shows their words.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelection, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import outcomes
from detainer_desk.domain.describe import TRIGGER_WORDS
from detainer_desk.domain.vocabulary import OUTCOME_WORDS
from detainer_desk.services import board, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import DecisionSummary

from ..changes import DECISION_AMENDED
from ..confirm import ask_to_confirm
from ..fit import fit_columns
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel, buddy_label, paragraph, plain_sentence, push_button, rich_label
from .common import (
    SAMPLE_BOOKING,
    SAMPLE_FORM,
    SAMPLE_NAME,
    SAMPLE_STATUS,
    SAMPLE_TIME,
    SAMPLE_USER,
    RecordsScreen,
    full_time,
    in_force,
    outcome_text,
    record_table,
    screen_layout,
    select_row,
    short_time,
    side_by_side,
    side_panel,
)
from .rows_model import RowsModel
from .tasks import run_in_background

QUEUE_LIMIT = 500
# The words an override may put in force, as the combo box carries and the store keeps them.
OVERRIDE_OUTCOMES = tuple(outcome.value for outcome in outcomes.OVERRIDE_OUTCOMES)
AMENDMENT_NOTE = (
    "The amendment is added to the record for good; the decision as recorded stays as it is. "
    "Neither can be changed or removed later."
)


class ReviewQueueScreen(RecordsScreen):
    open_decision = Signal(int)
    changed = Signal()  # a decision was countersigned or overridden (other screens refresh)

    def __init__(self, session: Session, tasks: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(session, tasks, "reviewQueueScreen", "Review queue", parent)
        self.stale = True

        self.model = RowsModel(
            [
                ("Status", lambda r: r.status),
                ("Received", lambda r: short_time(r.received_at, self.zone)),
                ("Subject", lambda r: r.subject_name),
                ("Booking no.", lambda r: r.booking_number),
                ("Form", lambda r: r.form),
                ("Proposed", lambda r: r.tentative_outcome or r.outcome),
                ("Recorded by", lambda r: r.recorded_by),
            ],
            lambda r: r.decision_id,
            self,
        )

        layout, top = screen_layout(self, "Review queue", "reviewHeading")
        top.addStretch(1)
        self.count_label = QLabel()
        self.count_label.setObjectName("reviewCount")
        self.count_label.setAccessibleName("How many decisions wait")
        top.addWidget(self.count_label)
        self.refresh_button = push_button(
            "Refresh", "reviewRefresh", "Refresh the review queue", on_click=self.refresh
        )
        top.addWidget(self.refresh_button)
        layout.addLayout(top)
        layout.addWidget(
            paragraph(
                "Decisions under supervisor review come first, then decisions not yet "
                "countersigned. Countersigning or overriding adds an amendment to the record; "
                "the decision as recorded is never changed. The officer who recorded a "
                "decision cannot countersign or override it.",
                "reviewIntro",
                "About the review queue",
            )
        )

        self.table = record_table("reviewTable", "Decisions waiting for a supervisor")
        self.table.setModel(self.model)
        fit_columns(
            self.table,
            {
                0: SAMPLE_STATUS,
                1: SAMPLE_TIME,
                2: SAMPLE_NAME,
                3: SAMPLE_BOOKING,
                4: SAMPLE_FORM,
                5: "transfer",
                6: SAMPLE_USER,
            },
        )
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.table.activated.connect(lambda index: self.open_decision.emit(self._selected_id()))
        splitter = side_by_side(
            "reviewSplitter", self.table, self._build_panel(), (3, 2), [880, 420]
        )
        layout.addWidget(splitter, 1)
        self._selection_changed()

    # ------------------------------------------------------------------ panel
    def _build_panel(self) -> QWidget:
        panel, column = side_panel("reviewPanel", 340)

        self.selected_label = rich_label(
            "reviewSelected", "The selected decision", "Select a decision in the list."
        )
        column.addWidget(self.selected_label)
        self.why_label = rich_label("reviewWhy", "Why it needs review")
        column.addWidget(self.why_label)
        self.open_button = push_button(
            "Ope&n details…",
            "reviewOpen",
            "Open the selected decision",
            on_click=lambda: self.open_decision.emit(self._selected_id()),
        )
        column.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignLeft)

        countersign_box = QGroupBox("Agree")
        countersign_box.setObjectName("reviewCountersignBox")
        box = QVBoxLayout(countersign_box)
        box.addWidget(
            paragraph(
                "Countersign: the outcome stands as recorded (under review: its tentative "
                "outcome takes effect).",
                "reviewCountersignHint",
                "About countersigning",
            )
        )
        self.countersign_button = push_button(
            "Countersi&gn",
            "reviewCountersign",
            "Countersign the selected decision",
            on_click=self.countersign,
        )
        box.addWidget(self.countersign_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addWidget(countersign_box)

        override_box = QGroupBox("Disagree")
        override_box.setObjectName("reviewOverrideBox")
        form = QFormLayout(override_box)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        self.outcome_combo = QComboBox()
        self.outcome_combo.setObjectName("reviewNewOutcome")
        self.outcome_combo.setAccessibleName("New outcome")
        self._fill_outcomes(None)
        self.outcome_combo.currentIndexChanged.connect(lambda _i: self._update_buttons())
        outcome_label = buddy_label("New o&utcome:", self.outcome_combo)
        form.addRow(outcome_label, self.outcome_combo)
        self.reason_edit = QPlainTextEdit()
        self.reason_edit.setObjectName("reviewReason")
        self.reason_edit.setAccessibleName("Written reason for the override (required)")
        self.reason_edit.setPlaceholderText("Required: why the outcome must change")
        self.reason_edit.setTabChangesFocus(True)
        self.reason_edit.setFixedHeight(86)
        self.reason_edit.textChanged.connect(self._update_buttons)
        reason_label = buddy_label("Writt&en reason:", self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        self.override_button = push_button(
            "Overri&de", "reviewOverride", "Override the selected decision", on_click=self.override
        )
        form.addRow("", self.override_button)
        column.addWidget(override_box)

        self.message = MessageLabel("reviewMessage", "Result")
        column.addWidget(self.message)
        column.addStretch(1)
        return panel

    # ---------------------------------------------------------------- loading
    def activate(self) -> None:
        if self.stale and self.session.may(acc.REVIEW_DECISION):
            self.refresh()

    def refresh(self) -> None:
        if not self.session.may(acc.REVIEW_DECISION):
            return
        self.stale = False
        self.count_label.setText("Loading…")
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()

        def failed(_error: BaseException) -> None:
            self.loading = False
            self.count_label.clear()

        self._read_in_zone(
            lambda: list(board.review_queue(uow(), actor, now, QUEUE_LIMIT)),
            self._show_rows,
            failed,
        )

    def _show_rows(self, rows: list[DecisionSummary]) -> None:
        selected = self._selected_id_or_none()
        self.model.set_rows(rows)
        under_review = sum(1 for r in rows if r.status == lc.AWAITING_REVIEW)
        if not rows:
            text = "Nothing waits for a supervisor."
        else:
            more = " (the oldest first; more wait)" if len(rows) >= QUEUE_LIMIT else ""
            text = f"{len(rows):,} waiting · {under_review:,} under review{more}"
        self.count_label.setText(text)
        self.count_label.setAccessibleDescription(text)
        if selected is not None:
            self.select(selected)
        self._selection_changed()

    def clear(self) -> None:
        self._forget_reads()
        self.model.set_rows([])
        self.stale = True
        self.count_label.clear()
        self.message.clear_message()
        self.reason_edit.clear()
        self.outcome_combo.setCurrentIndex(0)
        self._selection_changed()

    # -------------------------------------------------------------- selection
    def select(self, decision_id: int) -> bool:
        return select_row(self.table, self.model.row_of(decision_id))

    def _selected_id_or_none(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        return int(self.model.row_at(rows[0].row()).decision_id)

    def _selected_id(self) -> int:
        selected = self._selected_id_or_none()
        return -1 if selected is None else selected

    def selected_row(self) -> DecisionSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.row_at(rows[0].row()) if rows else None

    def _selection_changed(
        self, _selected: QItemSelection | None = None, _deselected: QItemSelection | None = None
    ) -> None:
        row = self.selected_row()
        if row is None:
            self.selected_label.setText("Select a decision in the list.")
            self.why_label.clear()
        else:
            self.selected_label.setText(
                f"<b>{_html(row.subject_name)}</b> · booking {_html(row.booking_number)}<br>"
                f"{_html(row.form)} received {_html(short_time(row.received_at, self.zone))}; "
                f"recorded as <b>{_html(outcome_text(row))}</b> by {_html(row.recorded_by)}"
            )
            self.why_label.setText(self._why(row))
        self._fill_outcomes(row)
        self._update_buttons()

    def _fill_outcomes(self, row: DecisionSummary | None) -> None:
        """Only outcomes other than the one in force: an override to the same outcome
        would change nothing (to let the outcome stand, countersign)."""
        in_force = row.outcome_in_force if row is not None else None
        offered = [outcome for outcome in OVERRIDE_OUTCOMES if outcome != in_force]
        combo = self.outcome_combo
        if [combo.itemData(i) for i in range(1, combo.count())] == offered:
            return
        chosen = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("choose…", None)
            for outcome in offered:
                combo.addItem(OUTCOME_WORDS[outcome], outcome)
            combo.setCurrentIndex(max(0, combo.findData(chosen)) if chosen in offered else 0)
        finally:
            combo.blockSignals(False)

    def _why(self, row: DecisionSummary) -> str:
        """Why it waits; for a decision under review, the triggers are read in the
        background (never on the GUI thread at each selection) and shown when they come."""
        if row.status != lc.AWAITING_REVIEW:
            return "Waiting for a supervisor's countersignature."
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        decision_id = row.decision_id

        def read() -> str:
            try:
                decision_row, _state = records.load_decision(uow(), decision_id, actor, now)
            except RecordError as refused:
                return _html(plain_sentence(str(refused)))
            triggers = decision_row.decision.get("review_triggers") or []
            items = "".join(
                f"<li>{_html(TRIGGER_WORDS.get(str(t), str(t)))}</li>" for t in triggers
            )
            return f"Under review because:<ul style='margin-top:2px'>{items}</ul>"

        def show(text: str) -> None:
            if self._selected_id_or_none() == decision_id:
                self.why_label.setText(text)

        run_in_background(self.tasks, self, self.message, read, show)
        return ""

    def _update_buttons(self) -> None:
        allowed = self.session.may(acc.REVIEW_DECISION)
        chosen = self.selected_row() is not None
        self.open_button.setEnabled(chosen)
        self.countersign_button.setEnabled(allowed and chosen)
        reason_given = bool(self.reason_edit.toPlainText().strip())
        outcome_given = self.outcome_combo.currentData() is not None
        self.override_button.setEnabled(allowed and chosen and reason_given and outcome_given)
        if not reason_given:
            self.override_button.setToolTip("Choose the new outcome and write the reason first")
        else:
            self.override_button.setToolTip("")

    # ---------------------------------------------------------------- acting
    def _whose(self, row: DecisionSummary) -> str:
        return f"decision {row.decision_id} for {row.subject_name} (booking {row.booking_number})"

    def _signed(self) -> tuple[str, str]:
        actor = self.session.require_actor()
        return ("Signed", f"{actor.user}, {full_time(self.session.now(), self.zone)}")

    def countersign(self) -> QMessageBox | None:
        """Ask once, showing what will be written; then countersign."""
        row = self.selected_row()
        if row is None or not self.session.may(acc.REVIEW_DECISION):
            return None
        standing = (
            row.tentative_outcome if row.outcome_in_force == outcomes.Outcome.REVIEW else None
        )
        outcome = OUTCOME_WORDS.get(standing or in_force(row), in_force(row))
        return ask_to_confirm(
            self,
            object_name="countersignConfirmation",
            title="Countersign this decision?",
            question=f"Countersign {self._whose(row)}?",
            written=[
                ("Amendment", "countersigned"),
                ("Outcome", f"{outcome} stands" + (" (takes effect now)" if standing else "")),
                self._signed(),
            ],
            note=AMENDMENT_NOTE,
            act="Countersign",
            on_confirmed=lambda: self._amend(row, lc.COUNTERSIGN, None, None),
        )

    def override(self) -> QMessageBox | None:
        """Ask once, showing the change and the reason as they will be written; then
        override."""
        row = self.selected_row()
        outcome = self.outcome_combo.currentData()
        reason = self.reason_edit.toPlainText()
        if row is None or outcome is None or not reason.strip():
            return None
        if not self.session.may(acc.REVIEW_DECISION):
            return None
        was = OUTCOME_WORDS.get(in_force(row), in_force(row))
        return ask_to_confirm(
            self,
            object_name="overrideConfirmation",
            title="Override this decision?",
            question=f"Override {self._whose(row)}?",
            written=[
                ("Amendment", "overridden"),
                ("Outcome", f"{was} becomes {OUTCOME_WORDS[outcome]}"),
                ("Reason", reason.strip()),
                self._signed(),
            ],
            note=AMENDMENT_NOTE,
            act="Override",
            on_confirmed=lambda: self._amend(row, lc.OVERRIDE, reason, outcome),
        )

    def _amend(
        self, row: DecisionSummary, kind: str, reason: str | None, outcome: str | None
    ) -> None:
        """Write it in the background; the queue (and every other screen) reads its list
        again when the write is announced."""
        self.message.clear_message()
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        details = {"outcome": outcome} if outcome else None
        self.countersign_button.setEnabled(False)  # once: the write is under way
        self.override_button.setEnabled(False)

        def write() -> object:
            return records.amend_decision(
                uow(), row.decision_id, kind, actor, now, reason=reason, details=details
            )

        run_in_background(
            self.tasks,
            self,
            self.message,
            write,
            lambda _result: self._amended(row, kind, outcome),
            on_failed=lambda _error: self._update_buttons(),
            changes=DECISION_AMENDED,
        )

    def _amended(self, row: DecisionSummary, kind: str, outcome: str | None) -> None:
        words = "countersigned" if kind == lc.COUNTERSIGN else f"overridden to {outcome}"
        self.message.show_note(
            f"Decision {row.decision_id} ({row.subject_name}) {words}; the amendment is recorded."
        )
        self.reason_edit.clear()
        self.outcome_combo.setCurrentIndex(0)
        remaining = [r for r in self.model.rows() if r.decision_id != row.decision_id]
        self.model.set_rows(remaining)
        self._selection_changed()
        self.stale = True  # read again when the write is announced (or when shown next)
        self.changed.emit()


def _html(text: object) -> str:
    return html.escape(str(text))
