"""Records › Active holds › Record what happened: the board's side form for a supervisor to
record, for the person selected in the list, what ended or started their hold (release
eligibility known, taken into ICE custody, released, detainer lifted).

The form asks once, showing what will be written, then writes the amendment in the
background; the board (and every other screen) reads its list again when the write is
announced. A fact after the deadline is recorded as it happened, and marked.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, Qt, QTimeZone, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import timetext
from detainer_desk.services import records
from detainer_desk.services.board import HoldItem

from ..changes import DECISION_AMENDED
from ..confirm import ask_to_confirm
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel, buddy_label, push_button, rich_label
from .common import full_time, in_force
from .tasks import run_in_background

ACTION_KINDS = (lc.RELEASE_ELIGIBLE, lc.ICE_CUSTODY, lc.RELEASED, lc.LIFTED)
ACTION_HINTS = {
    lc.RELEASE_ELIGIBLE: "When the person would otherwise be released (bail posted, charges "
    "dropped, sentence served …). This starts the hold clock.",
    lc.ICE_CUSTODY: "When ICE officers took the person into their custody.",
    lc.RELEASED: "When the person left the jail's custody.",
    lc.LIFTED: "ICE lifted or cancelled the detainer. A written reason is required.",
}


class RecordPanel(QGroupBox):
    """The "Record what happened" box. ``selected()`` is the board's selected hold, read
    afresh at each step (the list may have been read again meanwhile); ``zone()`` the
    county's zone the board shows its times in."""

    recorded = Signal(object, object)  # (HoldItem, records.AmendmentResult), once written

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        selected: Callable[[], HoldItem | None],
        zone: Callable[[], ZoneInfo],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("Record what happened", parent)
        self.session = session
        self.tasks = tasks
        self._selected = selected
        self._zone = zone
        self._when_for: int | None = None
        self.setObjectName("holdsRecordBox")
        form = QFormLayout(self)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.selected_label = rich_label("holdsSelected", "The selected person")
        form.addRow(self.selected_label)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("holdsKind")
        self.kind_combo.setAccessibleName("What happened")
        for kind in ACTION_KINDS:
            self.kind_combo.addItem(lc.AMENDMENT_WORDS[kind], kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        kind_label = buddy_label("&What:", self.kind_combo)
        form.addRow(kind_label, self.kind_combo)
        self.kind_hint = QLabel()
        self.kind_hint.setObjectName("holdsKindHint")
        self.kind_hint.setWordWrap(True)
        self.kind_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow(self.kind_hint)

        when_row = QHBoxLayout()
        self.when_edit = QDateTimeEdit()
        self.when_edit.setObjectName("holdsWhen")
        self.when_edit.setAccessibleName("When it happened")
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when_edit.setCalendarPopup(True)
        when_row.addWidget(self.when_edit, 1)
        self.now_button = push_button(
            "&Now", "holdsNow", "Set the time to now", on_click=self.set_when_to_now
        )
        when_row.addWidget(self.now_button)
        self.when_label = buddy_label("Wh&en:", self.when_edit)
        form.addRow(self.when_label, when_row)

        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("holdsReason")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.textChanged.connect(lambda _t: self.update_buttons())
        reason_label = buddy_label("Rea&son:", self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        # Who took the person (5 ILCS 805/25(a)(2)(E) asks), shown for ICE custody only.
        self.agency_edit = QLineEdit()
        self.agency_edit.setObjectName("holdsReceivingAgency")
        self.agency_edit.setAccessibleName("Receiving agency")
        self.agency_edit.setMaxLength(lc.MAX_FACT_TEXT)
        self.agency_edit.setPlaceholderText("optional, e.g. ICE ERO Chicago")
        agency_label = buddy_label("Recei&ved by:", self.agency_edit)
        form.addRow(agency_label, self.agency_edit)
        self._agency_row = (form, agency_label)
        self.record_button = push_button(
            "Recor&d", "holdsRecord", "Record it for the selected person", on_click=self.record
        )
        form.addRow("", self.record_button)
        self.message = MessageLabel("holdsMessage", "Result")
        form.addRow(self.message)
        self._kind_changed()

    @property
    def zone(self) -> ZoneInfo:
        return self._zone()

    def _kind_changed(self) -> None:
        kind = self.kind_combo.currentData()
        self.kind_hint.setText(ACTION_HINTS[kind])
        required = kind in lc.REASON_REQUIRED
        self.reason_edit.setPlaceholderText("required" if required else "optional")
        form, label = self._agency_row
        form.setRowVisible(label, kind == lc.ICE_CUSTODY)
        self.update_buttons()

    # -------------------------------------------------------------- selection
    def show_selected(self) -> None:
        """The board's selection changed: who is selected, and their deadline."""
        item = self._selected()
        if item is None:
            self.selected_label.setText("Select a person in the list.")
        else:
            row = item.row
            deadline = (
                f"hold until <b>{html.escape(full_time(item.hold_until, self.zone))}</b>"
                if item.hold_until
                else "no clock yet: record when release eligibility became known"
            )
            self.selected_label.setText(
                f"<b>{html.escape(row.subject_name)}</b> · booking "
                f"{html.escape(row.booking_number)}<br>{deadline}"
            )
            if row.decision_id != self._when_for:
                # Another person: start from now. The same person again (the list was
                # read again meanwhile) keeps the time being typed.
                self._when_for = row.decision_id
                self.set_when_to_now()
        self.update_buttons()

    def set_when_to_now(self) -> None:
        self.set_when(self.session.now())

    def set_when(self, moment: dt.datetime) -> None:
        """Whole minutes: the field shows no seconds, so it holds none (no hidden seconds
        inside a deadline)."""
        seconds = int(moment.timestamp()) // 60 * 60
        self.when_edit.setTimeZone(QTimeZone(self.zone.key.encode()))
        self.when_edit.setDateTime(
            QDateTime.fromSecsSinceEpoch(seconds, QTimeZone(self.zone.key.encode()))
        )
        self.when_label.setText(f"Wh&en ({self.zone.key}):")

    def when(self) -> dt.datetime:
        seconds = self.when_edit.dateTime().toSecsSinceEpoch() // 60 * 60
        return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(self.zone)

    def update_buttons(self) -> None:
        allowed = self.session.may(acc.AMEND_DECISION)
        chosen = self._selected() is not None
        kind = self.kind_combo.currentData()
        reason_ok = kind not in lc.REASON_REQUIRED or bool(self.reason_edit.text().strip())
        for widget in (
            self.kind_combo,
            self.when_edit,
            self.now_button,
            self.reason_edit,
            self.agency_edit,
        ):
            widget.setEnabled(allowed and chosen)
        self.record_button.setEnabled(allowed and chosen and reason_ok)
        if not allowed:
            self.record_button.setToolTip("Needs the supervisor role")
        elif not reason_ok:
            self.record_button.setToolTip("Write the reason first")
        else:
            self.record_button.setToolTip("")

    # ---------------------------------------------------------------- acting
    def record(self) -> QMessageBox | None:
        """Ask once, showing what will be written; then record it."""
        item = self._selected()
        if item is None or not self.session.may(acc.AMEND_DECISION):
            return None
        kind = self.kind_combo.currentData()
        when, reason = self.when(), self.reason_edit.text()
        if kind in lc.REASON_REQUIRED and not reason.strip():
            return None
        row = item.row
        actor = self.session.require_actor()
        written = [
            ("Amendment", lc.AMENDMENT_WORDS[kind]),
            ("When it happened", full_time(when, self.zone)),
        ]
        if reason.strip():
            written.append(("Reason", reason.strip()))
        agency = self.agency_edit.text().strip() if kind == lc.ICE_CUSTODY else ""
        if agency:
            written.append(("Received by", agency))
        written.append(("Signed", f"{actor.user}, {full_time(self.session.now(), self.zone)}"))
        closing = (
            f" {row.subject_name} then leaves the holds board: the detainer no longer keeps "
            "them in the jail."
            if kind in lc.CLOSING_KINDS
            else ""
        )
        late = (
            lc.held_past(in_force(row), row.tentative_outcome, item.hold_until, when)
            if kind in lc.CLOSING_KINDS
            else None
        )
        if late is not None:
            # The truth is recorded, and marked: say so before it is written.
            closing += (
                f" It is after the deadline ({full_time(item.hold_until, self.zone)}): it is "
                f"recorded as it happened and marked held past its deadline by "
                f"{timetext.span_words(late)}."
            )
        return ask_to_confirm(
            self,
            object_name="amendmentConfirmation",
            title="Record this on the decision?",
            question=(
                f"Record for {row.subject_name} (booking {row.booking_number}, decision "
                f"{row.decision_id}): {lc.AMENDMENT_WORDS[kind].lower()}?"
            ),
            written=written,
            note="The amendment is added to the record for good and cannot be changed or "
            "removed later." + closing,
            act="Record",
            on_confirmed=lambda: self._amend(item, kind, when, reason, agency),
        )

    def _amend(
        self, item: HoldItem, kind: str, when: dt.datetime, reason: str, agency: str = ""
    ) -> None:
        """Write the amendment in the background; the board (and every other screen)
        reads its list again when the write is announced."""
        self.message.clear_message()
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        decision_id = item.row.decision_id
        details = {lc.RECEIVING_AGENCY: agency} if agency else None
        self.record_button.setEnabled(False)  # once: the write is under way

        def write() -> records.AmendmentResult:
            return records.amend_decision(
                uow(), decision_id, kind, actor, now,
                effective_at=when, reason=reason, details=details,
            )  # fmt: skip

        run_in_background(
            self.tasks,
            self,
            self.message,
            write,
            lambda result: self._amended(item, kind, result),
            on_failed=lambda _error: self.update_buttons(),
            changes=DECISION_AMENDED,
        )

    def _amended(self, item: HoldItem, kind: str, result: records.AmendmentResult) -> None:
        note = f"Recorded for {item.row.subject_name}: {lc.AMENDMENT_WORDS[kind].lower()}."
        if kind == lc.RELEASE_ELIGIBLE and result.hold_until is not None:
            note += f" Hold until {full_time(result.hold_until, self.zone)}."
            if result.window_closed:
                note += " That time has already passed: release now."
        if result.past_deadline is not None and result.state.past_deadline_words():
            words = result.state.past_deadline_words() or ""
            self.message.show_error(
                f"{note} It happened after the deadline: {words}. It is recorded as it "
                "happened, and marked in the record and on its audit PDF."
            )
        else:
            self.message.show_note(note)
        self.reason_edit.clear()
        self.agency_edit.clear()
        self.recorded.emit(item, result)
