"""Which of the main window's pages shows, for the session's state: the set-up wizard on a
new store, the sign-in page (also the lock screen and the second-factor code), enrolling an
authenticator, or the workspace; with the status bar, the menus and the session lock to
match. Leaving the workspace closes every dialog and clears the status bar: what was on
screen is the previous person's business, not the next one's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .session import SessionState

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from .main_window import MainWindow
    from .session import Session


class Navigation:
    def __init__(self, window: MainWindow, session: Session) -> None:
        self.window = window
        self.session = session
        self._shown_state: SessionState | None = None

    def render(self, *, keep_typed: bool = False) -> None:
        """Show the page, status and menus that fit the session's state. ``keep_typed``:
        the sign-in page came before the records, and what was typed there stays."""
        w, session = self.window, self.session
        state, actor = session.state, session.actor
        entering_work = state is SessionState.SIGNED_IN and self._shown_state is not state
        if state is not SessionState.SIGNED_IN and self._shown_state is not None:
            # Nothing to hide while the records opened.
            w.dialogs.close_all()
            # "Decision 12 recorded." is the previous person's business, not the next one's.
            w.statusBar().clearMessage()

        requests = w.sign_in_requests
        sign_in = w.sign_in_page
        if state is SessionState.FIRST_RUN:
            page: QWidget = requests.set_up_page()
        elif state is SessionState.LOCKED and actor is not None:
            sign_in.set_mode(actor.user, idle=session.locked_by_idleness)
            page = sign_in
        elif state is SessionState.SECOND_FACTOR:
            sign_in.set_code_mode(session.pending_user or "")
            page = sign_in
        elif state is SessionState.ENROLMENT and session.enrolment is not None:
            page = requests.enrolment_page()
            page.show_enrolment(session.enrolment)
        elif state is SessionState.SIGNED_IN:
            w.build_workspace()  # if it was left for later (each screen reads the state)
            sign_in.set_mode(None)  # nothing typed stays behind the content
            page = w.content_page
        else:
            if not keep_typed:
                sign_in.set_mode(None)
            page = sign_in
        enrolment = getattr(w, "enrolment_page", None)
        if enrolment is not None and page is not enrolment:
            enrolment.forget()  # the secret leaves the screen with the page
        w.pages.setCurrentWidget(page)

        w.working = state is SessionState.SIGNED_IN
        w.lockout.follow(w.working)
        w.status.show_session()
        w.update_actions()
        self._shown_state = state

        if entering_work:
            w.status.show_policy(session.policy_label())
            w.lockout.arm(read_again=False)  # read with the sign-in
        elif state is SessionState.FIRST_RUN:
            w.first_run_page.focus_first()
        elif page is sign_in and not keep_typed:
            sign_in.focus_first()
        elif page is enrolment:
            w.enrolment_page.focus_first()
        if entering_work:
            requests.remind_second_factor()
