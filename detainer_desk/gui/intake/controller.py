"""The intake screen's controller: wires the form, the documents, the history and the
decision panel to the session, the use cases and the task runner, in one place.

What it decides: what is shown where (through the presenter, which asks the domain) and
what is enabled. What it never decides: the law (the engine) or who may do what (the
services check that again against the database; the buttons only follow).

Long work runs on the task runner: reading a scan, recording, looking for earlier
decisions, making and printing the PDFs. Each task opens its own unit of work.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QMessageBox, QWidget

from detainer_desk.adapters.reading import FileRefused, read_limited
from detainer_desk.domain import accounts as acc
from detainer_desk.domain import timetext
from detainer_desk.domain.alerts import DEFAULT_WARNINGS, Warnings
from detainer_desk.domain.errors import InvalidInput, Problem
from detainer_desk.domain.limits import REQUEST_FILE_BYTES
from detainer_desk.domain.policy import Policy
from detainer_desk.domain.request import load_json, request_from_mapping
from detainer_desk.services import documents as evidence
from detainer_desk.services import intake, policies, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.intake import EarlierDecisions
from detainer_desk.services.ports import AttachmentIn
from detainer_desk.services.records import RecordedDecision
from detainer_desk.services.settings import read_settings

from ..changes import DECISION_RECORDED
from ..confirm import lock_works_in
from ..errors import show_bug
from ..session import SessionState
from ..widgets import plain_sentence
from . import entry, printing
from . import presenter as p
from .draft import SOURCE, RequestDraft, from_contract, to_contract
from .drafts import SavedDraft, ScanRef, sha256_of
from .printing import PrintError
from .scans import Scan, ScanRefused, attached_text, read_scan

if TYPE_CHECKING:
    from ..session import Session
    from ..tasks import TaskRunner
    from .screen import IntakeScreen

MAX_REQUEST_FILE_BYTES = REQUEST_FILE_BYTES  # a request file is a few kilobytes
LOOKUP_DELAY_MS = 300  # after the last keystroke, before looking for earlier decisions
AUDIT_PDF, NOTICE = "audit PDF", "notice to the person"


def roles_needed(permission: str) -> str:
    roles = [role for role in acc.ROLES if permission in acc.PERMISSIONS[role]]
    return f"Needs the {' or '.join(roles)} role"


def _scans(count: int) -> str:
    return f"{count} scan{'s' if count != 1 else ''}"


BANNER_LINES = 8


def _reason(exc: OSError) -> str:
    return exc.strerror.lower() if exc.strerror else str(exc)


class IntakeController(QObject):
    def __init__(
        self, screen: IntakeScreen, session: Session, tasks: TaskRunner, tick_ms: int
    ) -> None:
        super().__init__(screen)
        self.screen = screen
        self.session = session
        self.tasks = tasks
        self.policy: Policy | None = None
        self._policy_version: int | None = None
        # The county's timezone (county_clock): typed times are read in it, times shown in it.
        self.county_zone: ZoneInfo | None = None
        # The hold-alert times of the installation's settings, read with the policy.
        self.warnings: Warnings = DEFAULT_WARNINGS
        self.assessment = p.Assessment(())
        self.recorded: RecordedDecision | None = None
        self._touched: set[str] = set()
        self._reveal = False  # show every problem beside its field, touched or not
        self._checked = False  # the officer has asked for the decision of this request
        self._dirty = False
        self._busy: str | None = None
        self._loading = 0  # scans being read
        self._generation = 0  # bumped by every new request: late results of old work are dropped
        self._path: str | None = None
        self._shown: dict[str, Any] | None = None  # the decision on show (contract form)
        self._earlier: dict[tuple[str, str], EarlierDecisions | None] = {}
        self._earlier_running: set[tuple[str, str]] = set()
        self._after_earlier: Callable[[], None] | None = None
        self._signed_in_as: str | None = None

        s = screen
        s.request_page.edited.connect(self._edited)
        s.request_page.submitted.connect(self.check)
        s.documents.edited.connect(self._edited)
        s.documents.submitted.connect(self.check)
        s.documents.document_selected.connect(self._show_verdict)
        s.documents.attach_requested.connect(self.attach_scans)
        s.documents.files_dropped.connect(self.load_scans)
        s.documents.scans_changed.connect(self._scans_changed)
        s.history.edited.connect(self._edited)
        s.panel.problem_activated.connect(self.go_to_problem)
        s.panel.check_button.clicked.connect(self.check)
        s.panel.record_button.clicked.connect(self.record)
        s.panel.save_audit_button.clicked.connect(lambda: self.save_pdf(AUDIT_PDF))
        s.panel.save_notice_button.clicked.connect(lambda: self.save_pdf(NOTICE))
        s.panel.print_audit_button.clicked.connect(lambda: self.print_pdf(AUDIT_PDF))
        s.panel.print_notice_button.clicked.connect(lambda: self.print_pdf(NOTICE))
        s.new_button.clicked.connect(self.new_request)
        s.open_button.clicked.connect(self._open_clicked)
        s.save_button.clicked.connect(self.save_request)
        s.new_action.triggered.connect(self.new_request)
        s.save_action.triggered.connect(self.save_request)
        s.recent_menu.aboutToShow.connect(self._fill_recent_menu)

        self.timer = QTimer(self)
        self.timer.setObjectName("countdownTimer")
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self._tick)
        self.timer.start()
        self._lookup_timer = QTimer(self)
        self._lookup_timer.setSingleShot(True)
        self._lookup_timer.setInterval(LOOKUP_DELAY_MS)
        self._lookup_timer.timeout.connect(self._look_for_earlier)

        session.changed.connect(self._session_changed)
        self._session_changed()

    # -- the draft ---------------------------------------------------------------------------
    def draft(self) -> RequestDraft:
        draft = RequestDraft()
        self.screen.request_page.read_into(draft)
        draft.documents = self.screen.documents.documents()
        draft.history = self.screen.history.entries()
        return draft

    def _show_draft(self, draft: RequestDraft) -> None:
        self.screen.request_page.write_from(draft)
        self.screen.documents.set_documents(draft.documents)
        self.screen.history.set_entries(draft.history)

    def _edited(self, key: str) -> None:
        if self.recorded is not None:
            return
        self._touched.add(key)
        self._dirty = True
        self.refresh()
        self.screen.work_changed.emit()

    def _scans_changed(self) -> None:
        self._dirty = True
        self._update_enabled()
        self.screen.work_changed.emit()

    # -- what the drafts need to know (drafts.py keeps them) --------------------------------
    def has_unsaved_work(self) -> bool:
        """Something typed or attached that is neither recorded nor saved as a file."""
        return self._dirty and self.recorded is None

    @property
    def source_path(self) -> str | None:
        """The request file the form was opened from or last saved to."""
        return self._path

    def discard(self) -> None:
        """Clear the form without asking (the caller asked)."""
        self._reset()

    def restore(self, saved: SavedDraft) -> None:
        """Show a kept draft again, as it was, with its scans read again from their files."""
        self.screen.wants_front.emit()
        self._reset(saved.draft)
        self._path = saved.request_file
        self._reveal = True  # it was being filled in: every problem shows at once
        self._dirty = True
        self.screen.banner.show_remark(
            f"Continuing the request you were entering ({saved.title()}). It is not recorded yet."
        )
        self.refresh()
        self.screen.work_changed.emit()
        if saved.scans:
            self.load_scans(list(saved.scans))

    # -- the session and the policy ------------------------------------------------------------
    def _session_changed(self) -> None:
        actor = self.session.actor
        state = self.session.state
        self.screen.recent.set_user(actor.user if actor is not None else None)
        if actor is None:
            # Nobody at the keyboard: what was typed must not wait there for the next person.
            if self._signed_in_as is not None:
                self._reset()
            self._signed_in_as = None
        elif state is SessionState.SIGNED_IN:
            if self._signed_in_as not in (None, actor.user):
                self._reset()
            first = self._signed_in_as is None
            self._signed_in_as = actor.user
            self.load_policy()
            if first and not self._dirty and self.recorded is None:
                self._prefill_received_at()
        self.refresh()

    def load_policy(self) -> None:
        """The active policy, parsed once per stored version (records.load_policy caches),
        and the alert times the countdown is coloured and worded by."""
        uow = self.session.uow()
        try:
            with uow:  # one transaction for all three
                activation = records.active_policy(uow)
                self.warnings = read_settings(uow).warnings
                self.county_zone = county_zone(uow)
        except RecordError as refused:
            self.screen.panel.show_message(plain_sentence(str(refused)), problem=True)
            return
        if activation is None:
            self.policy, self._policy_version = None, None
        elif activation.policy.id != self._policy_version:
            self.policy = policies.load_policy(activation.policy)
            self._policy_version = activation.policy.id

    def _prefill_received_at(self) -> None:
        page = self.screen.request_page
        edit = page.texts["received_at"]
        if self.policy is not None and self.county_zone is not None and not edit.text():
            edit.setText(p.local_input_text(self.session.now(), self.county_zone))

    def may(self, permission: str) -> bool:
        return self.session.may(permission)

    # -- showing the state -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Assess what is typed and show it all: problems, readings, verdict, decision."""
        now = self.session.now()
        if self.recorded is None:
            zone_name = self.county_zone.key if self.county_zone is not None else None
            self.assessment = p.assess(self.draft(), self.policy, now, zone_name)
            self._show_problems(self.assessment.problems)
        self._show_readings()
        self._show_verdict()
        self._show_panel()
        self._show_header()
        self._update_enabled()

    def _show_problems(self, problems: tuple[Problem, ...]) -> None:
        request: dict[str, list[str]] = {}
        documents: dict[int, dict[str, str]] = {}
        documents_general: list[str] = []
        cells: dict[tuple[int, str], str] = {}
        history_lines: list[str] = []
        counts = [0, 0, 0]
        for problem in problems:
            place = p.place_of(problem.key)
            message = p.message_for(problem)
            if place.area == p.REQUEST:
                if self._reveal or place.field in self._touched:
                    request.setdefault(place.field, []).append(message)
                    counts[0] += 1
            elif place.area == p.DOCUMENT:
                counts[1] += 1
                if place.index is not None and place.field:
                    documents.setdefault(place.index, {})[place.field] = message
                else:
                    documents_general.append(p.summary_of(problem))
                    if place.index is not None:
                        documents.setdefault(place.index, {})[""] = message
            elif place.area == p.HISTORY:
                counts[2] += 1
                history_lines.append(p.summary_of(problem))
                if place.index is not None:
                    cells[(place.index, place.field)] = message
        page = self.screen.request_page
        typed = {key: page.texts[key].text() for key in ("subject.a_number", "subject.fbi_number")}
        warnings = {
            key: text
            for key, text in entry.field_warnings(typed).items()
            if self._reveal or key in self._touched
        }
        page.show_problems({k: " ".join(v) for k, v in request.items()}, warnings)
        self.screen.documents.show_problems(documents, " ".join(documents_general) or None)
        self.screen.history.show_problems(cells, history_lines)
        self.screen.show_page_problems((counts[0], counts[1], counts[2]))

    def _show_readings(self) -> None:
        zone = self.county_zone if self.policy is not None else None
        page = self.screen.request_page
        page.show_readings(
            {key: p.instant_reading(page.texts[key].text(), zone) for key in page.readings}
        )

    def _show_verdict(self) -> None:
        documents = self.screen.documents
        doc = documents.current_document()
        if doc is None:
            documents.show_verdict(None)
            return
        on = p.evaluation_date(self.session.now(), self.policy)
        documents.show_verdict(p.warrant_verdict(doc, on))

    def _show_header(self) -> None:
        page = self.screen.request_page
        name = page.texts["subject.name"].text().strip()
        booking = page.texts["subject.booking_number"].text().strip()
        if name or booking:
            title = f"{name or 'Name not entered'} — booking {booking or 'not entered'}"
        else:
            title = "New request"
        if self.recorded is not None:
            state, recorded = (
                f"RECORDED as decision {self.recorded.decision_id} — read-only",
                True,
            )
        else:
            state, recorded = ("Draft — not recorded", False)
            if self._path:
                state += f" — {Path(self._path).name}"
        self.screen.show_header(title, state, recorded)

    def _show_recorded(self, recorded: RecordedDecision) -> None:
        panel = self.screen.panel
        decision = recorded.decision
        if self._shown is None:
            request = self.assessment.request
            assert request is not None
            citation = policies.load_policy(recorded.policy).citation
            panel.show_decision(p.decision_view(decision, request, citation, self.county_zone))
            self._shown = decision.to_contract()
        now = self.session.now()
        panel.show_countdown(
            p.countdown(decision.hold_until, now, self.warnings) if decision.hold_until else None
        )

    def _show_panel(self) -> None:
        panel = self.screen.panel
        now = self.session.now()
        if self.recorded is not None:
            self._show_recorded(self.recorded)
            return
        if not self.may(acc.VIEW_RECORDS):
            panel.hide_all()
            panel.show_message(
                "Checking requests needs the officer, supervisor or counsel role. "
                "Administrators set up the program; they do not check requests."
            )
            return
        if self.policy is None:
            panel.hide_all()
            panel.show_message(
                "No policy is active, so requests cannot be checked. An administrator must "
                "activate the county's policy first.",
                problem=True,
            )
            return
        assessment = self.assessment
        if not assessment.valid:
            self._shown = None
            count = len(assessment.problems)
            heading = f"Not ready to check: {count} thing{'s' if count != 1 else ''} to fix"
            items = [(p.summary_of(problem), problem.key) for problem in assessment.problems]
            if self._checked:
                panel.show_message(
                    "The decision shown before no longer applies: the request has changed. "
                    "Fix what is listed and the decision shows again.",
                    problem=True,
                )
            else:
                panel.show_message(
                    "Fill in the request from the paper. Select a problem to go to its field."
                )
            panel.show_problems(heading, items)
            panel.set_duplicate(None)
            return
        if not self._checked:
            panel.hide_all()
            panel.set_duplicate(None)
            panel.show_message(
                "Ready to check. Press Enter (or Check request) to see what the active policy "
                f"permits: {self.policy.name}."
            )
            return
        decision, request = assessment.decision, assessment.request
        assert decision is not None and request is not None
        contract = decision.to_contract()
        if contract != self._shown:
            panel.show_decision(
                p.decision_view(decision, request, self.policy.citation, self.county_zone)
            )
            self._shown = contract
        panel.show_message("")
        panel.show_countdown(
            p.countdown(decision.hold_until, now, self.warnings) if decision.hold_until else None
        )
        panel.set_checked_line(p.checked_line(decision, request, self.county_zone))
        key = self._booking_key()
        found = self._earlier.get(key) if key else None
        panel.set_duplicate(p.earlier_text(found, self.county_zone) if found else None)
        if key and key not in self._earlier and key not in self._earlier_running:
            self._lookup_timer.start()

    def _update_enabled(self) -> None:
        panel = self.screen.panel
        may_check = self.may(acc.VIEW_RECORDS)
        may_record = self.may(acc.RECORD_DECISION)
        may_print = self.may(acc.PRINT_RECORDS)
        idle = self._busy is None
        recorded = self.recorded is not None
        valid = self.assessment.valid and self.policy is not None

        check_enabled = may_check and valid and idle and not recorded
        record_enabled = may_record and valid and idle and not recorded and self._loading == 0
        panel.check_button.setEnabled(check_enabled)
        panel.record_button.setEnabled(record_enabled)
        if not may_check:
            check_tip = roles_needed(acc.VIEW_RECORDS)
        elif recorded:
            check_tip = "This request is recorded; start a new one to check another"
        elif not valid:
            check_tip = "Fix the problems listed first"
        else:
            check_tip = "Check the request against the active policy (Enter, or Ctrl+Enter)"
        if not may_record:
            record_tip = roles_needed(acc.RECORD_DECISION)
        elif recorded:
            record_tip = f"Already recorded as decision {self.recorded.decision_id}"  # type: ignore[union-attr]
        elif not valid:
            record_tip = "Fix the problems listed first"
        elif self._loading:
            record_tip = "Wait until the scans have loaded"
        else:
            record_tip = "Store the request, its scans and the decision in the record (Ctrl+R)"
        panel.check_button.setToolTip(check_tip)
        panel.record_button.setToolTip(record_tip)
        panel.record_button.setAccessibleDescription(record_tip)
        for button in (
            panel.save_audit_button,
            panel.save_notice_button,
            panel.print_audit_button,
            panel.print_notice_button,
        ):
            button.setEnabled(recorded and may_print and idle)
            if not may_print:
                button.setToolTip(roles_needed(acc.PRINT_RECORDS))
        for widget in (self.screen.new_button, self.screen.open_button):
            widget.setEnabled(may_check and idle)
        self.screen.save_button.setEnabled(may_check)

    def _tick(self) -> None:
        if self.recorded is not None or (self._checked and self.assessment.valid):
            # Time matters to the decision itself (a hold window can close while the officer
            # watches), so evaluate again at the new instant, not only redraw the countdown.
            self.refresh()

    # -- checking ------------------------------------------------------------------------------
    def check(self) -> None:
        self.screen.wants_front.emit()
        if self.recorded is not None or self._busy is not None or not self.may(acc.VIEW_RECORDS):
            return
        self.load_policy()
        self._reveal = True
        self._shown = None
        self.refresh()
        if not self.assessment.valid:
            if self.assessment.problems:
                self.go_to_problem(self.assessment.problems[0].key)
            return
        self._checked = True
        self.refresh()
        self._look_for_earlier()

    def go_to_problem(self, key: str) -> None:
        """Show the page and the field a problem belongs to, with the focus in it."""
        place = p.place_of(key)
        screen = self.screen
        if place.area == p.REQUEST:
            screen.tabs.setCurrentIndex(0)
            widget = screen.request_page.widget_for(place.field)
            if widget is not None:
                widget.setFocus(Qt.FocusReason.OtherFocusReason)
        elif place.area == p.DOCUMENT:
            screen.tabs.setCurrentIndex(1)
            if place.index is not None:
                screen.documents.select_document(place.index)
            widget = screen.documents.widget_for(place.field)
            (widget or screen.documents.list).setFocus(Qt.FocusReason.OtherFocusReason)
        elif place.area == p.HISTORY:
            screen.tabs.setCurrentIndex(2)
            screen.history.select_cell(place.index or 0, place.field)

    # -- earlier decisions for the same booking number and form ---------------------------------
    def _booking_key(self) -> tuple[str, str] | None:
        request = self.assessment.request
        if request is None:
            return None
        return request.subject.booking_number, request.detainer.form

    def _look_for_earlier(self, then: Callable[[], None] | None = None) -> None:
        key = self._booking_key()
        actor = self.session.actor
        if key is None or actor is None:
            return
        if then is not None:
            self._after_earlier = then
        if key in self._earlier:
            self._earlier_known(key)
            return
        if key in self._earlier_running:
            return
        self._earlier_running.add(key)
        uow, now = self.session.backend.uow, self.session.now()

        def work(handle: Any) -> Any:
            yield "looking"
            return intake.earlier_decisions(uow(), key[0], key[1], actor, now)

        self.tasks.start(
            work,
            on_finished=lambda found: self._earlier_found(key, found),
            on_failed=lambda exc, _tb: self._earlier_failed(key, exc),
        )

    def _earlier_found(self, key: tuple[str, str], found: EarlierDecisions) -> None:
        self._earlier_running.discard(key)
        self._earlier[key] = found
        self._earlier_known(key)

    def _earlier_failed(self, key: tuple[str, str], exc: BaseException) -> None:
        self._earlier_running.discard(key)
        if not isinstance(exc, RecordError):
            show_bug(self.screen, type(exc), exc, exc.__traceback__)
            return
        self._earlier[key] = None
        self.screen.panel.show_message(
            f"Earlier records could not be searched: {plain_sentence(str(exc))}", problem=True
        )
        self._earlier_known(key)

    def _earlier_known(self, key: tuple[str, str]) -> None:
        if key != self._booking_key():
            return
        if self.recorded is None:
            self._show_panel()
        then, self._after_earlier = self._after_earlier, None
        if then is not None:
            then()

    # -- recording -------------------------------------------------------------------------------
    def record(self) -> None:
        self.screen.wants_front.emit()
        panel = self.screen.panel
        if self.recorded is not None or self._busy is not None:
            return
        if not self.may(acc.RECORD_DECISION):
            panel.show_message(
                f"{roles_needed(acc.RECORD_DECISION)} to record decisions.", problem=True
            )
            return
        if self._loading:
            panel.show_message("Wait until the scans have loaded, then record.", problem=True)
            return
        self.check()
        if not self.assessment.valid or not self._checked:
            return
        # The officer must see any earlier decision for this booking and form before recording.
        self._look_for_earlier(then=self._confirm_record)

    def _confirm_record(self) -> None:
        assessment = self.assessment
        if not assessment.valid or self.recorded is not None or self._busy is not None:
            return
        decision, request = assessment.decision, assessment.request
        assert decision is not None and request is not None
        key = self._booking_key()
        earlier = self._earlier.get(key) if key else None
        duplicate = p.earlier_text(earlier, self.county_zone) if earlier else None
        scans = self.screen.documents.scans()
        scan_words = f"with {_scans(len(scans))}" if scans else "with NO scans attached"
        box = QMessageBox(self.screen)
        box.setObjectName("recordConfirmation")
        box.setAccessibleName("Record this decision?")
        box.setWindowTitle("Record this decision?")
        box.setTextFormat(Qt.TextFormat.PlainText)
        box.setIcon(QMessageBox.Icon.Warning if duplicate else QMessageBox.Icon.Question)
        box.setText(
            f"Record the decision for {request.subject.name} (booking "
            f"{request.subject.booking_number}, {request.detainer.form}) {scan_words}?\n\n"
            f"{decision.headline(self.county_zone)}"
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
            lambda _result: (
                self._start_recording() if box.clickedButton() is record_button else None
            )
        )
        box.open()

    def _start_recording(self) -> None:
        actor = self.session.actor
        if actor is None or self.recorded is not None or self._busy is not None:
            return
        draft = self.draft()
        text = json.dumps(to_contract(draft), ensure_ascii=False)
        attachments = [
            AttachmentIn(scan.file_name, scan.media_type, scan.content, scan.document_index)
            for scan in self.screen.documents.scans()
        ]
        uow, now = self.session.backend.uow, self.session.now()
        generation = self._generation

        def work(handle: Any) -> Any:
            yield "recording"
            return records.record_decision(uow(), text, SOURCE, attachments, actor, now)

        # Nothing may change on screen while it is being stored: what is recorded is what is shown.
        self.screen.set_read_only(True)
        shown = self._shown
        self._set_busy("Recording the decision…")
        self.tasks.start(
            work,
            on_finished=lambda result: self._recorded_done(generation, result, shown),
            on_failed=lambda exc, _tb: self._recording_failed(exc),
            changes=DECISION_RECORDED,  # the holds board and the lists read again at once
        )

    def _recorded_done(
        self, generation: int, result: RecordedDecision, shown: dict[str, Any] | None
    ) -> None:
        self._set_busy(None)
        if generation != self._generation:  # pragma: no cover - the form was reset meanwhile
            return
        self.recorded = result
        self._dirty = False
        self.screen.work_changed.emit()  # recorded: the draft goes
        self._shown = None
        self._earlier.clear()
        self.screen.set_read_only(True)
        recorded_when = timetext.long_time(self.session.now(), self.county_zone or dt.UTC)
        actor = self.session.actor
        self.screen.panel.set_recorded(
            f"Recorded as decision {result.decision_id} at {recorded_when}"
            + (f" by {actor.user}" if actor else "")
            + f", with {_scans(len(result.attachments))}. The request can no longer be "
            "changed. Print or save the audit PDF and the notice for the person."
        )
        request = self.assessment.request
        if request is not None:
            self.screen.panel.set_duplicate(
                p.recorded_duplicates_text(
                    result.earlier_decisions,
                    request.subject.booking_number,
                    request.detainer.form,
                )
            )
        self.refresh()
        if shown is not None and result.decision.to_contract() != shown:
            # Evaluated again at the moment of recording (a policy activated meanwhile, or
            # the time passed a deadline): the officer must not act on the earlier screen.
            self.screen.panel.show_message(
                "The decision was evaluated again when it was recorded and differs from the "
                "one shown before. The decision above is the one recorded.",
                problem=True,
            )
        self.screen.panel.save_audit_button.setFocus()
        self.screen.decision_recorded.emit(result.decision_id)
        self.screen.status.emit(f"Decision {result.decision_id} recorded.")

    def _recording_failed(self, exc: BaseException) -> None:
        self._set_busy(None)
        self.screen.set_read_only(False)
        panel = self.screen.panel
        if isinstance(exc, InvalidInput):
            lines = "; ".join(p.summary_of(problem) for problem in exc.problems)
            panel.show_message(f"Not recorded: {lines}", problem=True)
        elif isinstance(exc, RecordError):
            panel.show_message(f"Not recorded: {plain_sentence(str(exc))}", problem=True)
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)

    def _set_busy(self, text: str | None) -> None:
        self._busy = text
        self.screen.panel.set_busy(text)
        self._update_enabled()

    # -- the audit PDF and the notice -------------------------------------------------------------
    def _document_task(self, purpose: str) -> Callable[[], bytes] | None:
        """A function that makes the PDF (on a worker thread), or None if it cannot be made."""
        recorded, actor = self.recorded, self.session.actor
        if recorded is None or actor is None or self._busy is not None:
            return None
        uow, now, decision_id = self.session.backend.uow, self.session.now(), recorded.decision_id

        def make() -> bytes:
            from detainer_desk.adapters import pdf  # reportlab loads only when a PDF is made

            record = evidence.decision_record(uow(), decision_id, actor, now, purpose)
            context = evidence.report_context(uow(), actor, now)
            render = pdf.render_notice_pdf if purpose == NOTICE else pdf.render_audit_pdf
            return render(record, context)

        return make

    def _suggested_pdf_name(self, purpose: str) -> str:
        recorded = self.recorded
        request = self.assessment.request
        booking = request.subject.booking_number if request else "request"
        number = recorded.decision_id if recorded else 0
        stem = "notice" if purpose == NOTICE else "audit"
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in booking)
        return str(Path(self.screen.recent.folder()) / f"decision-{number}-{safe}-{stem}.pdf")

    def save_pdf(self, purpose: str) -> None:
        make = self._document_task(purpose)
        if make is None:
            return
        title = "Save the notice to the person" if purpose == NOTICE else "Save the audit PDF"
        target = self.screen.dialogs.pdf_to_save(
            self.screen, title, self._suggested_pdf_name(purpose)
        )
        if not target:
            return
        if not target.lower().endswith(".pdf"):
            target += ".pdf"

        backend = self.session.backend

        def work(handle: Any) -> Any:
            from detainer_desk.adapters.files import pdf_kind

            yield "making"
            data = make()
            yield "writing"
            return str(backend.save_file(target, data, pdf_kind))

        self._set_busy(f"Making the {purpose}…")
        self.tasks.start(
            work,
            on_finished=lambda path: self._document_done(f"Saved the {purpose} to {path}."),
            on_failed=lambda exc, _tb: self._document_failed(purpose, exc),
        )

    def print_pdf(self, purpose: str) -> None:
        make = self._document_task(purpose)
        if make is None:
            return
        title = "Print the notice to the person" if purpose == NOTICE else "Print the audit PDF"
        printer = self.screen.dialogs.printer(self.screen, title)
        if printer is None:
            return
        printer.setDocName(f"Decision {self.recorded.decision_id}: {purpose}")  # type: ignore[union-attr]
        self._printer: QPrinter | None = printer  # kept alive until the job ends

        backend = self.session.backend

        def work(handle: Any) -> Any:
            yield "making"
            data = make()
            # "Print to file": the file is made like every other output (private, whole or
            # not at all, never through a link), not by the printer where it was named.
            to_file = printing.into_private_file(printer, backend.partials())
            try:
                pages = yield from printing.print_pdf(data, printer, handle.cancelled)
                if to_file is not None:
                    to_file.commit()
            except BaseException:
                if to_file is not None:
                    to_file.discard()
                raise
            return pages

        self._set_busy(f"Printing the {purpose}…")
        self.tasks.start(
            work,
            on_finished=lambda pages: self._document_done(
                f"Sent the {purpose} to the printer ({pages} page{'s' if pages != 1 else ''})."
            ),
            on_failed=lambda exc, _tb: self._document_failed(purpose, exc),
        )

    def _document_done(self, message: str) -> None:
        self._set_busy(None)
        self._printer = None
        self.screen.banner.show_remark(message)
        self.screen.status.emit(message)

    def _document_failed(self, purpose: str, exc: BaseException) -> None:
        self._set_busy(None)
        self._printer = None
        if isinstance(exc, RecordError | PrintError):
            self.screen.banner.show_problem(
                f"The {purpose} was not made: {plain_sentence(str(exc))}"
            )
        elif isinstance(exc, OSError):
            self.screen.banner.show_problem(f"The {purpose} could not be saved: {_reason(exc)}.")
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)

    # -- scans -------------------------------------------------------------------------------------
    def attach_scans(self) -> None:
        if self.recorded is not None:
            return
        paths = self.screen.dialogs.scans_to_attach(self.screen, self.screen.recent.folder())
        self.load_scans(paths)

    def load_scans(self, paths: list[str] | list[ScanRef]) -> None:
        """Read and attach scans: paths the officer chose, or the scans of a kept draft
        (attached again only if the file still holds what it held)."""
        if self.recorded is not None:
            return
        generation = self._generation
        for chosen in paths:
            ref = chosen if isinstance(chosen, ScanRef) else None
            path = ref.path if ref is not None else str(chosen)
            self._loading += 1
            name = Path(path).name
            self.screen.documents.show_loading(name)

            def work(handle: Any, path: str = path) -> Any:
                return (yield from read_scan(path, handle.cancelled))

            def loaded(scan: Scan | None, name: str = name, ref: ScanRef | None = ref) -> None:
                self._scan_loaded(generation, name, scan, ref)

            def failed(exc: BaseException, _tb: object, name: str = name) -> None:
                self._scan_failed(generation, name, exc)

            self.tasks.start(work, on_finished=loaded, on_failed=failed)
        self._update_enabled()

    def _scan_loaded(
        self, generation: int, name: str, scan: Scan | None, ref: ScanRef | None = None
    ) -> None:
        if generation != self._generation:
            return
        self._loading -= 1
        documents = self.screen.documents
        documents.loading_done(name)
        if scan is not None and ref is not None:
            if sha256_of(scan.content) != ref.sha256:
                documents.show_scan_message(
                    f"Not attached again: {name} has changed since the draft was saved. "
                    "Attach it again if it is the right file.",
                    problem=True,
                )
                scan = None
            else:
                scan = dataclasses.replace(scan, document_index=ref.document_index)
        if scan is not None:
            documents.add_scan(scan)
            documents.show_scan_message(attached_text(scan), problem=False, warning=scan.large)
        self._update_enabled()

    def _scan_failed(self, generation: int, name: str, exc: BaseException) -> None:
        if generation != self._generation:
            return
        self._loading -= 1
        self.screen.documents.loading_done(name)
        if isinstance(exc, ScanRefused):
            # The file's name exactly as it is (not "Corrupt.pdf" for corrupt.pdf).
            self.screen.documents.show_scan_message(f"Not attached: {exc}.", problem=True)
        else:
            show_bug(self.screen, type(exc), exc, exc.__traceback__)
        self._update_enabled()

    # -- new, open, save ---------------------------------------------------------------------------
    def _unless_unsaved(self, then: Callable[[], None]) -> None:
        """Run ``then``, after asking, if it would throw away a request being entered."""
        if not self._dirty or self.recorded is not None:
            then()
            return
        box = QMessageBox(self.screen)
        box.setObjectName("discardConfirmation")
        box.setAccessibleName("Discard the request being entered?")
        box.setWindowTitle("Discard the request being entered?")
        box.setIcon(QMessageBox.Icon.Warning)
        box.setText("The request on screen has not been recorded or saved. Discard what was typed?")
        discard = box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
        discard.setObjectName("confirmDiscardButton")
        keep = box.addButton("Keep it", QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        lock_works_in(box)
        box.finished.connect(lambda _r: then() if box.clickedButton() is discard else None)
        box.open()

    def new_request(self) -> None:
        self.screen.wants_front.emit()
        self._unless_unsaved(self._reset)

    def _reset(self, draft: RequestDraft | None = None) -> None:
        self._generation += 1
        self._loading = 0
        self.screen.documents.forget_loading()
        self.recorded = None
        self._touched.clear()
        self._reveal = False
        self._checked = False
        self._dirty = False
        self._path = None
        self._shown = None
        self._after_earlier = None
        self._lookup_timer.stop()
        screen = self.screen
        screen.set_read_only(False)
        self._show_draft(draft or RequestDraft())
        screen.documents.set_scans([])
        screen.documents.scan_message.clear()
        screen.panel.set_recorded(None)
        screen.panel.set_duplicate(None)
        screen.banner.clear()
        screen.tabs.setCurrentIndex(0)
        if draft is None:
            self._prefill_received_at()
        self.refresh()
        if screen.isVisible() and self.session.state is SessionState.SIGNED_IN:
            # Never into a hidden form: after signing out, what the next person types
            # would land in it (and wait there for the next user to see).
            screen.request_page.first_field().setFocus()
        screen.work_changed.emit()

    def _open_clicked(self) -> None:
        self.open_request()

    def open_request(self, path: str | None = None) -> None:
        self.screen.wants_front.emit()
        if not self.may(acc.VIEW_RECORDS) or self._busy is not None:
            return
        self._unless_unsaved(lambda: self._open(path))

    def _open(self, path: str | None) -> None:
        screen = self.screen
        if path is None:
            path = screen.dialogs.request_to_open(screen, screen.recent.folder())
            if not path:
                return
        name = Path(path).name
        try:
            if os.path.getsize(path) > MAX_REQUEST_FILE_BYTES:
                screen.banner.show_problem(f"{name} is far too large to be a request file.")
                return
            data = read_limited(path, MAX_REQUEST_FILE_BYTES, "request")
        except FileRefused as refused:  # a device, a pipe that never ends, a folder
            screen.banner.show_problem(f"{name} cannot be opened: {refused.reason}.")
            return
        except OSError as exc:
            screen.banner.show_problem(f"{name} cannot be opened: {_reason(exc)}.")
            if not os.path.exists(path):
                screen.recent.remove(path)
            return
        try:
            document = load_json(data, name)
        except InvalidInput as invalid:
            reasons = "\n".join(f"• {problem.message}" for problem in invalid.problems)
            screen.banner.show_problem(
                f"{name} is not a request file, so nothing was opened:\n{reasons}"
            )
            return
        loaded = from_contract(document, name)
        try:
            request_from_mapping(document, name)
            problems: tuple[Problem, ...] = ()
        except InvalidInput as invalid:
            problems = invalid.problems
        self._reset(loaded.draft)
        self._path = path
        self._reveal = True
        screen.recent.add(path)
        if problems or loaded.left_out:
            lines = [f"• {problem.key or 'the file'}: {problem.message}" for problem in problems]
            lines.extend(
                f"• {problem.key}: {problem.message}; left out of the form"
                for problem in loaded.left_out
                if not any(problem.key == found.key for found in problems)
            )
            if len(lines) > BANNER_LINES:
                lines[BANNER_LINES - 1 :] = [f"• and {len(lines) - BANNER_LINES + 1} more"]
            screen.banner.show_problem(
                f"{name} has problems. Everything the form can hold was kept; fix what is "
                "marked before checking:\n" + "\n".join(lines)
            )
        else:
            screen.banner.show_remark(f"Opened {path}.")
        self.refresh()

    def save_request(self) -> None:
        screen = self.screen
        if not self.may(acc.VIEW_RECORDS):
            return
        draft = self.draft()
        if self._path:
            suggested = self._path
        else:
            booking = draft.booking_number.strip() or "request"
            safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in booking)
            suggested = str(Path(screen.recent.folder()) / f"{safe}.json")
        target = screen.dialogs.request_to_save(screen, suggested)
        if not target:
            return
        if not Path(target).suffix:
            target += ".json"
        text = json.dumps(to_contract(draft), indent=2, ensure_ascii=False) + "\n"
        from detainer_desk.adapters.files import json_kind

        try:
            self.session.backend.save_file(target, text.encode("utf-8"), json_kind)
        except RecordError as exc:
            screen.banner.show_problem(
                f"The request could not be saved: {plain_sentence(str(exc))}"
            )
            return
        except OSError as exc:
            screen.banner.show_problem(f"The request could not be saved: {_reason(exc)}.")
            return
        self._path = target
        if self.recorded is None:
            self._dirty = False
            screen.work_changed.emit()  # kept in the file now: the draft goes
        screen.recent.add(target)
        still = len(self.assessment.problems) if self.recorded is None else 0
        note = f" It still has {still} problem{'s' if still != 1 else ''} to fix." if still else ""
        screen.banner.show_remark(f"Saved the request to {target}.{note}")
        self._show_header()

    def _fill_recent_menu(self) -> None:
        menu = self.screen.recent_menu
        menu.clear()
        paths = self.screen.recent.paths()
        if not paths:
            empty = menu.addAction("No request files yet")
            empty.setEnabled(False)
            return
        for number, path in enumerate(paths, start=1):
            action = menu.addAction(f"&{number} {Path(path).name}")
            action.setToolTip(path)
            action.setStatusTip(path)
            action.triggered.connect(lambda _checked=False, path=path: self.open_request(path))
        menu.addSeparator()
        clear = menu.addAction("&Clear the list")
        clear.triggered.connect(self.screen.recent.clear)

    # -- for the tests and the screenshots -------------------------------------------------------
    def widget_for(self, key: str) -> QWidget | None:
        place = p.place_of(key)
        if place.area == p.REQUEST:
            return self.screen.request_page.widget_for(place.field)
        if place.area == p.DOCUMENT:
            return self.screen.documents.widget_for(place.field)
        return None
