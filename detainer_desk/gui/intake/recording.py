"""Checking the request and recording its decision.

Check: what is in force is read again in the background (a policy activated meanwhile
applies, ``in_force.py``), then every problem shows, and the decision is shown once the
request is valid. Record: after any earlier decision for the same booking and form is known
and shown, the officer confirms; the request, its scans and the decision are stored on the
task runner, evaluated once more at that moment under the policy then active; the screen
shows what was recorded, and says so when it differs from what was shown before.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import timetext
from detainer_desk.domain.errors import InvalidInput
from detainer_desk.services import records
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import AttachmentIn
from detainer_desk.services.records import RecordedDecision

from ..changes import DECISION_RECORDED
from ..confirm import lock_works_in
from ..errors import show_bug
from ..widgets import plain_sentence
from . import presenter as p
from .display import roles_needed
from .draft import SOURCE, to_contract
from .earlier import EarlierLookup
from .in_force import InForceReader
from .part import IntakePart, Shared
from .screen import DOCUMENTS_PAGE, HISTORY_PAGE, REQUEST_PAGE


def scans_text(count: int) -> str:
    return f"{count} scan{'s' if count != 1 else ''}"


class Recording(IntakePart):
    def __init__(self, shared: Shared, earlier: EarlierLookup, in_force: InForceReader) -> None:
        super().__init__(shared)
        self.earlier = earlier
        self.in_force = in_force

    # -- checking -------------------------------------------------------------------------
    def check(self) -> None:
        self._check()

    def _check(self, then: Callable[[], None] | None = None) -> None:
        """Read what is in force, then assess; ``then`` once a valid request is checked and
        its earlier decisions are known."""
        self.screen.wants_front.emit()
        state = self.state
        if not state.may_change or not self.session.may(acc.VIEW_RECORDS):
            return
        generation = state.generation
        state.checking += 1
        self.in_force.read(then=lambda: self._assess(generation, then))

    def _assess(self, generation: int, then: Callable[[], None] | None) -> None:
        state = self.state
        state.checking -= 1
        if generation != state.generation or not state.may_change:
            return  # a new request, or recorded or busy, since the click
        state.reveal = True
        state.shown = None
        self.display.refresh()
        if not state.assessment.valid:
            if state.assessment.problems:
                self.go_to_problem(state.assessment.problems[0].key)
            return
        state.checked = True
        self.display.refresh()
        self.earlier.look(then=then)

    def go_to_problem(self, key: str) -> None:
        """Show the page and the field a problem belongs to, with the focus in it."""
        place = p.place_of(key)
        screen = self.screen
        if place.area == p.REQUEST:
            screen.tabs.setCurrentIndex(REQUEST_PAGE)
            widget = screen.request_page.widget_for(place.field)
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
        elif place.area == p.DOCUMENT:
            screen.tabs.setCurrentIndex(DOCUMENTS_PAGE)
            if place.index is not None:
                screen.documents.select_document(place.index)
            widget = screen.documents.widget_for(place.field)
            (widget or screen.documents.list).setFocus(Qt.FocusReason.OtherFocusReason)
        elif place.area == p.HISTORY:
            screen.tabs.setCurrentIndex(HISTORY_PAGE)
            screen.history.select_cell(place.index or 0, place.field)

    # -- recording ------------------------------------------------------------------------
    def record(self) -> None:
        self.screen.wants_front.emit()
        panel = self.screen.panel
        state = self.state
        if not state.may_change:
            return
        if not self.session.may(acc.RECORD_DECISION):
            panel.show_message(
                f"{roles_needed(acc.RECORD_DECISION)} to record decisions.", problem=True
            )
            return
        if state.loading:
            panel.show_message("Wait until the scans have loaded, then record.", problem=True)
            return
        # Checked first; the officer must see any earlier decision for this booking and form
        # before recording.
        self._check(then=self._confirm)

    def _confirm(self) -> None:
        state = self.state
        assessment = state.assessment
        if not assessment.valid or not state.checked or not state.may_change:
            return
        if state.loading:  # a scan dropped while the check read what is in force
            self.screen.panel.show_message(
                "Wait until the scans have loaded, then record.", problem=True
            )
            return
        decision, request = assessment.decision, assessment.request
        assert decision is not None and request is not None
        earlier = self.earlier.found()
        duplicate = p.earlier_text(earlier, state.county_zone) if earlier else None
        scans = self.screen.documents.scans()
        scan_words = f"with {scans_text(len(scans))}" if scans else "with NO scans attached"
        box = QMessageBox(self.screen)
        box.setObjectName("recordConfirmation")
        box.setAccessibleName("Record this decision?")
        box.setWindowTitle("Record this decision?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIcon(QMessageBox.Icon.Warning if duplicate else QMessageBox.Icon.Question)
        box.setText(
            f"Record the decision for {request.subject.name} (booking "
            f"{request.subject.booking_number}, {request.detainer.form}) {scan_words}?\n\n"
            f"{decision.headline(state.county_zone)}"
        )
        details = (
            "It is evaluated once more at the moment it is recorded, under the active policy. "
            "A recorded decision cannot be changed or deleted; later facts are added to it."
        )
        box.setInformativeText(f"⚠ {duplicate}\n\n{details}" if duplicate else details)
        record_button = box.addButton("Record", QMessageBox.ButtonRole.AcceptRole)
        record_button.setObjectName("confirmRecordButton")
        cancel_button = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
        cancel_button.setObjectName("cancelRecordButton")
        # A duplicate is most likely the same paper entered twice: make Enter the safe choice.
        box.setDefaultButton(cancel_button if duplicate else record_button)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lock_works_in(box)
        box.finished.connect(
            lambda _result: self._start() if box.clickedButton() is record_button else None
        )
        box.open()

    def _start(self) -> None:
        actor = self.session.actor
        state = self.state
        if actor is None or not state.may_change:
            return
        text = json.dumps(to_contract(self.screen.read_draft()), ensure_ascii=False)
        attachments = [
            AttachmentIn(scan.file_name, scan.media_type, scan.content, scan.document_index)
            for scan in self.screen.documents.scans()
        ]
        uow, now = self.session.backend.uow, self.session.now()
        generation = state.generation

        def work(handle: Any) -> Any:
            yield "recording"
            return records.record_decision(uow(), text, SOURCE, attachments, actor, now)

        # Nothing may change on screen while it is being stored: what is recorded is what is shown.
        self.screen.set_read_only(True)
        shown = state.shown
        self.display.set_busy("Recording the decision…")
        self.tasks.start(
            work,
            on_finished=lambda result: self._done(generation, result, shown),
            on_failed=lambda exc, _tb: self._failed(exc),
            changes=DECISION_RECORDED,  # the holds board and the lists read again at once
        )

    def _done(
        self, generation: int, result: RecordedDecision, shown: dict[str, Any] | None
    ) -> None:
        state = self.state
        screen = self.screen
        self.display.set_busy(None)
        if generation != state.generation:  # pragma: no cover - the form was reset meanwhile
            return
        state.recorded = result
        state.dirty = False
        screen.work_changed.emit()  # recorded: the draft goes
        state.shown = None
        self.earlier.forget_found()
        screen.set_read_only(True)
        recorded_when = timetext.long_time(self.session.now(), state.county_zone or dt.UTC)
        actor = self.session.actor
        screen.panel.set_recorded(
            f"Recorded as decision {result.decision_id} at {recorded_when}"
            + (f" by {actor.user}" if actor else "")
            + f", with {scans_text(len(result.attachments))}. The request can no longer be "
            "changed. Print or save the audit PDF and the notice for the person."
        )
        request = state.assessment.request
        if request is not None:
            screen.panel.set_duplicate(
                p.recorded_duplicates_text(
                    result.earlier_decisions,
                    request.subject.booking_number,
                    request.detainer.form,
                )
            )
        self.display.refresh()
        if shown is not None and result.decision.to_contract() != shown:
            # Evaluated again at the moment of recording (a policy activated meanwhile, or
            # the time passed a deadline): the officer must not act on the earlier screen.
            screen.panel.show_message(
                "The decision was evaluated again when it was recorded and differs from the "
                "one shown before. The decision above is the one recorded.",
                problem=True,
            )
        screen.panel.save_audit_button.setFocus()
        screen.decision_recorded.emit(result.decision_id)
        screen.status.emit(f"Decision {result.decision_id} recorded.")

    def _failed(self, exc: BaseException) -> None:
        self.display.set_busy(None)
        self.screen.set_read_only(False)
        panel = self.screen.panel
        if isinstance(exc, InvalidInput):
            lines = "; ".join(p.summary_of(problem) for problem in exc.problems)
            panel.show_message(f"Not recorded: {lines}", problem=True)
        elif isinstance(exc, RecordError):
            panel.show_message(f"Not recorded: {plain_sentence(str(exc))}", problem=True)
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)
