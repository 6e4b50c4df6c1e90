"""The intake screen's controller: builds its parts over the screen and wires the screen's
signals to them, in one place. The main window builds it (the screen never does).

The parts, each with one concern and the few collaborators it is handed:

* ``DraftControl`` (``draft_control.py``): the work on the form, kept as a draft while it
  is typed; new, open and save a request file.
* ``Attachments`` (``attaching.py``): scans read and attached.
* ``Recording`` (``recording.py``): checking the request and recording its decision, after
  ``EarlierLookup`` (``earlier.py``) has looked for earlier decisions of the same booking.
* ``Outputs`` (``outputs.py``): the audit PDF and the notice, saved or printed.
* ``IntakeDisplay`` (``display.py``): what is shown and what is enabled.

They share one ``IntakeState`` (``state.py``). The controller itself follows the session:
who is signed in, and what is in force (``InForceReader``, ``in_force.py``: the policy, the
county's timezone and the alert times, read in the background at sign-in, when a write
announces that the policy or the settings changed, and at every check).

What it decides: what is shown where (through the presenter, which asks the domain) and
what is enabled. What it never decides: the law (the engine) or who may do what (the
services check that again against the database; the buttons only follow).

Long work runs on the task runner: reading what is in force and a scan, recording, looking
for earlier decisions, making and printing the PDFs. Each task opens its own unit of work;
no slot here opens one on the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer

from detainer_desk.services.records import RecordedDecision

from ..changes import Change, Kinds
from ..session import Session, SessionState
from ..tasks import TaskRunner
from . import presenter as p
from .attaching import Attachments
from .display import IntakeDisplay
from .draft import RequestDraft
from .draft_control import DraftControl
from .earlier import EarlierLookup
from .in_force import InForceReader
from .outputs import AUDIT_PDF, NOTICE, Outputs
from .part import Shared
from .recording import Recording
from .screen import IntakeScreen
from .state import IntakeState

TICK_MS = 1_000  # how often the countdown is redrawn


class IntakeController(QObject):
    """``tick_ms``: how often the countdown is redrawn (tests make it quicker)."""

    def __init__(
        self, screen: IntakeScreen, session: Session, tasks: TaskRunner, tick_ms: int = TICK_MS
    ) -> None:
        super().__init__(screen)
        self.screen = screen
        self.session = session
        self.tasks = tasks
        self.state = IntakeState()
        self._signed_in_as: str | None = None

        self.in_force = InForceReader(screen, session, tasks, self.state)
        self.earlier = EarlierLookup(self.state, session, tasks, screen.panel, screen)
        self.display = IntakeDisplay(screen, session, self.state, self.earlier)
        shared = Shared(screen, session, tasks, self.state, self.display)
        self.attachments = Attachments(shared)
        # The drafts first: their keeper hears of a sign-out before the form is cleared here.
        self.drafts = DraftControl(shared, self.earlier, self.attachments)
        self.recording = Recording(shared, self.earlier, self.in_force)
        self.outputs = Outputs(shared)
        self._wire(screen)

        self.timer = QTimer(self)
        self.timer.setObjectName("countdownTimer")
        self.timer.setInterval(tick_ms)
        self.timer.timeout.connect(self.display.tick)
        self.timer.start()

        session.changed.connect(self._session_changed)
        tasks.changes.when((Change.POLICY, Change.SETTINGS), self._in_force_changed)
        self._session_changed()
        self.drafts.keeper.attach(self.drafts)

    def _wire(self, s: IntakeScreen) -> None:
        drafts, recording, outputs = self.drafts, self.recording, self.outputs
        s.request_page.edited.connect(drafts.edited)
        s.request_page.submitted.connect(recording.check)
        s.documents.edited.connect(drafts.edited)
        s.documents.submitted.connect(recording.check)
        s.documents.document_selected.connect(self.display.show_verdict)
        s.documents.attach_requested.connect(self.attachments.attach_scans)
        s.documents.files_dropped.connect(self.attachments.load_scans)
        s.documents.scans_changed.connect(drafts.scans_changed)
        s.history.edited.connect(drafts.edited)
        s.panel.problem_activated.connect(recording.go_to_problem)
        s.panel.check_button.clicked.connect(recording.check)
        s.panel.record_button.clicked.connect(recording.record)
        s.panel.save_audit_button.clicked.connect(lambda: outputs.save_pdf(AUDIT_PDF))
        s.panel.save_notice_button.clicked.connect(lambda: outputs.save_pdf(NOTICE))
        s.panel.print_audit_button.clicked.connect(lambda: outputs.print_pdf(AUDIT_PDF))
        s.panel.print_notice_button.clicked.connect(lambda: outputs.print_pdf(NOTICE))
        s.new_button.clicked.connect(drafts.new_request)
        s.open_button.clicked.connect(self.open_request)
        s.save_button.clicked.connect(drafts.save_request)
        s.new_action.triggered.connect(drafts.new_request)
        s.save_action.triggered.connect(drafts.save_request)
        s.recent_menu.aboutToShow.connect(drafts.fill_recent_menu)
        self.earlier.known.connect(self.display.show_panel)

    # -- what the main window's menus do -----------------------------------------------------
    def open_request(self) -> None:
        """Ask for a request file and open it into the form."""
        self.drafts.open_request()

    def check(self) -> None:
        self.recording.check()

    def record(self) -> None:
        self.recording.record()

    # -- the session and what is in force -----------------------------------------------------
    def _session_changed(self) -> None:
        actor = self.session.actor
        state = self.session.state
        self.screen.recent.set_user(actor.user if actor is not None else None)
        if actor is None:
            # Nobody at the keyboard: what was typed must not wait there for the next person.
            if self._signed_in_as is not None:
                self.drafts.reset()
            self._signed_in_as = None
            self.state.in_force_known = False
        elif state is SessionState.SIGNED_IN:
            if self._signed_in_as not in (None, actor.user):
                self.drafts.reset()
            first = self._signed_in_as is None
            self._signed_in_as = actor.user
            self.in_force.read(then=lambda: self._in_force_read(first))
        self.display.refresh()

    def _in_force_read(self, first_sign_in: bool) -> None:
        state = self.state
        if (
            first_sign_in
            and self.session.state is SessionState.SIGNED_IN
            and not state.dirty
            and state.recorded is None
        ):
            self.drafts.prefill_received_at()
        self.display.refresh()

    def _in_force_changed(self, _changed: Kinds) -> None:
        """A policy was activated or the settings saved at this workstation: read them again
        (a check reads them again anyway)."""
        if self.session.state is SessionState.SIGNED_IN:
            self.in_force.read(then=self.display.refresh)

    # -- the state, for the window and the tests ----------------------------------------------
    def draft(self) -> RequestDraft:
        return self.screen.read_draft()

    @property
    def recorded(self) -> RecordedDecision | None:
        return self.state.recorded

    @property
    def assessment(self) -> p.Assessment:
        return self.state.assessment
