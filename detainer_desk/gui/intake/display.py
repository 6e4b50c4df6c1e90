"""Showing the intake's state: what is typed is assessed (through the presenter, which asks
the domain) and shown everywhere it belongs (problems beside their fields, readings of
typed times, the warrant checklist's verdict, the decision and its countdown, the header),
and what may be pressed is enabled. It decides nothing about the law or about who may do
what: the buttons follow the session's permissions, and the services check them again.
"""

from __future__ import annotations

from pathlib import Path

from detainer_desk.domain import accounts as acc
from detainer_desk.domain.errors import Problem
from detainer_desk.services import policies
from detainer_desk.services.records import RecordedDecision

from ..session import Session
from . import entry
from . import presenter as p
from .earlier import EarlierLookup
from .screen import IntakeScreen
from .state import IntakeState


def roles_needed(permission: str) -> str:
    roles = [role for role in acc.ROLES if permission in acc.PERMISSIONS[role]]
    return f"Needs the {' or '.join(roles)} role"


class IntakeDisplay:
    def __init__(
        self, screen: IntakeScreen, session: Session, state: IntakeState, earlier: EarlierLookup
    ) -> None:
        self.screen = screen
        self.session = session
        self.state = state
        self.earlier = earlier

    def refresh(self) -> None:
        """Assess what is typed and show it all: problems, readings, verdict, decision."""
        state = self.state
        if state.recorded is None:
            zone_name = state.county_zone.key if state.county_zone is not None else None
            state.assessment = p.assess(
                self.screen.read_draft(), state.policy, self.session.now(), zone_name
            )
            self._show_problems(state.assessment.problems)
        self._show_readings()
        self.show_verdict()
        self.show_panel()
        self.show_header()
        self.update_enabled()

    def tick(self) -> None:
        state = self.state
        if state.recorded is not None or (state.checked and state.assessment.valid):
            # Time matters to the decision itself (a hold window can close while the officer
            # watches), so evaluate again at the new instant, not only redraw the countdown.
            self.refresh()

    def set_busy(self, text: str | None) -> None:
        self.state.busy = text
        self.screen.panel.set_busy(text)
        self.update_enabled()

    # -- the form ---------------------------------------------------------------------------
    def _show_problems(self, problems: tuple[Problem, ...]) -> None:
        reveal, touched = self.state.reveal, self.state.touched
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
                if reveal or place.field in touched:
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
            if reveal or key in touched
        }
        page.show_problems({k: " ".join(v) for k, v in request.items()}, warnings)
        self.screen.documents.show_problems(documents, " ".join(documents_general) or None)
        self.screen.history.show_problems(cells, history_lines)
        self.screen.show_page_problems((counts[0], counts[1], counts[2]))

    def _show_readings(self) -> None:
        zone = self.state.county_zone if self.state.policy is not None else None
        page = self.screen.request_page
        page.show_readings(
            {key: p.instant_reading(page.texts[key].text(), zone) for key in page.readings}
        )

    def show_verdict(self) -> None:
        documents = self.screen.documents
        doc = documents.current_document()
        if doc is None:
            documents.show_verdict(None)
            return
        on = p.evaluation_date(self.session.now(), self.state.policy)
        documents.show_verdict(p.warrant_verdict(doc, on))

    def show_header(self) -> None:
        state = self.state
        page = self.screen.request_page
        name = page.texts["subject.name"].text().strip()
        booking = page.texts["subject.booking_number"].text().strip()
        if name or booking:
            title = f"{name or 'Name not entered'} — booking {booking or 'not entered'}"
        else:
            title = "New request"
        if state.recorded is not None:
            words, recorded = (
                f"RECORDED as decision {state.recorded.decision_id} — read-only",
                True,
            )
        else:
            words, recorded = ("Draft — not recorded", False)
            if state.path:
                words += f" — {Path(state.path).name}"
        self.screen.show_header(title, words, recorded)

    # -- the decision panel -----------------------------------------------------------------
    def _show_recorded(self, recorded: RecordedDecision) -> None:
        state = self.state
        panel = self.screen.panel
        decision = recorded.decision
        if state.shown is None:
            request = state.assessment.request
            assert request is not None
            citation = policies.load_policy(recorded.policy).citation
            panel.show_decision(p.decision_view(decision, request, citation, state.county_zone))
            state.shown = decision.to_contract()
        now = self.session.now()
        panel.show_countdown(
            p.countdown(decision.hold_until, now, state.warnings) if decision.hold_until else None
        )

    def show_panel(self) -> None:
        state = self.state
        panel = self.screen.panel
        now = self.session.now()
        if state.recorded is not None:
            self._show_recorded(state.recorded)
            return
        if not self.session.may(acc.VIEW_RECORDS):
            panel.hide_all()
            panel.show_message(
                "Checking requests needs the officer, supervisor or counsel role. "
                "Administrators set up the program; they do not check requests."
            )
            return
        if state.policy is None:
            panel.hide_all()
            panel.show_message(
                "No policy is active, so requests cannot be checked. An administrator must "
                "activate the county's policy first.",
                problem=True,
            )
            return
        assessment = state.assessment
        if not assessment.valid:
            state.shown = None
            count = len(assessment.problems)
            heading = f"Not ready to check: {count} thing{'s' if count != 1 else ''} to fix"
            items = [(p.summary_of(problem), problem.key) for problem in assessment.problems]
            if state.checked:
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
        if not state.checked:
            panel.hide_all()
            panel.set_duplicate(None)
            panel.show_message(
                "Ready to check. Press Enter (or Check request) to see what the active policy "
                f"permits: {state.policy.name}."
            )
            return
        decision, request = assessment.decision, assessment.request
        assert decision is not None and request is not None
        contract = decision.to_contract()
        zone = state.county_zone
        if contract != state.shown:
            panel.show_decision(p.decision_view(decision, request, state.policy.citation, zone))
            state.shown = contract
        panel.show_message("")
        panel.show_countdown(
            p.countdown(decision.hold_until, now, state.warnings) if decision.hold_until else None
        )
        panel.set_checked_line(p.checked_line(decision, request, zone))
        found = self.earlier.found()
        panel.set_duplicate(p.earlier_text(found, zone) if found else None)
        self.earlier.look_soon()

    # -- what may be pressed ----------------------------------------------------------------
    def update_enabled(self) -> None:
        state = self.state
        screen = self.screen
        panel = screen.panel
        may_check = self.session.may(acc.VIEW_RECORDS)
        may_record = self.session.may(acc.RECORD_DECISION)
        may_print = self.session.may(acc.PRINT_RECORDS)
        idle = state.busy is None
        recorded = state.recorded is not None
        valid = state.assessment.valid and state.policy is not None

        check_enabled = may_check and valid and idle and not recorded
        record_enabled = may_record and valid and idle and not recorded and state.loading == 0
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
        elif state.recorded is not None:
            record_tip = f"Already recorded as decision {state.recorded.decision_id}"
        elif not valid:
            record_tip = "Fix the problems listed first"
        elif state.loading:
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
        for widget in (screen.new_button, screen.open_button):
            widget.setEnabled(may_check and idle)
        screen.save_button.setEnabled(may_check)
