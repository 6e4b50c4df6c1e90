"""What the sign-in, set-up and enrolment pages ask of the session: create the first
administrator, sign in, resume at the lock screen, give the second-factor code, enrol an
authenticator; and the words the sign-in page and the status bar owe people (the
system-use notice, the reminder that no second factor is required). Built by the main
window when the records open; it shows the answers on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from detainer_desk.domain import accounts as acc
from detainer_desk.services import second_factor as factors
from detainer_desk.services.access import RecordError
from detainer_desk.services.notices import DEFAULT_NOTICE, system_use_notice

from .forms import FieldProblems
from .session import SessionState
from .widgets import plain_sentence

if TYPE_CHECKING:
    from .backend import Backend
    from .main_window import MainWindow
    from .pages import SignInPage
    from .second_factor import EnrolmentPage
    from .session import Session
    from .wizard import SetUpAnswers, SetUpWizard


class SignInRequests:
    def __init__(self, window: MainWindow, backend: Backend, session: Session) -> None:
        self.window = window
        self.backend = backend
        self.session = session

    def connect(self, page: SignInPage) -> None:
        """The sign-in page's requests once the records are open (signing in itself goes
        through the window, which keeps one asked for before they opened)."""
        page.resume_requested.connect(self.resume)
        page.switch_user_requested.connect(self.window.lockout.switch_user)
        page.code_submitted.connect(self.submit_code)
        page.code_cancelled.connect(self.cancel_second_factor)

    def _attempt(self, call: Callable[[], object], page: SignInPage | None = None) -> None:
        """Make a request of the session; its refusal is shown on ``page`` (sign-in's)."""
        shown_on = page or self.window.sign_in_page
        try:
            call()
        except FieldProblems as problems:
            shown_on.show_problems(problems.problems)
        except RecordError as refused:
            shown_on.show_error(plain_sentence(str(refused)))

    # -- the requests -----------------------------------------------------------------------
    def sign_in(self, user_name: str, password: str) -> None:
        self._attempt(lambda: self.session.sign_in(user_name, password))

    def resume(self, password: str) -> None:
        self._attempt(lambda: self.session.resume(password))

    def submit_code(self, code: str) -> None:
        self._attempt(lambda: self.session.submit_code(code))

    def cancel_second_factor(self) -> None:
        self.session.cancel_second_factor()

    def create_first_admin(self, answers: SetUpAnswers) -> None:
        from .wizard import announce_set_up, complete_set_up

        page = self.window.first_run_page
        try:
            result = complete_set_up(self.session, answers)
        except FieldProblems as problems:
            page.show_problems(problems.problems)
        except RecordError as refused:
            message = plain_sentence(str(refused))
            if self.session.state is SessionState.FIRST_RUN:
                page.show_error(message)
            else:  # someone else set the store up meanwhile: sign in instead
                self.window.sign_in_page.show_error(message)
        else:
            page.forget_passwords()
            page.clear_problems()
            self.window.status.show_policy(self.session.policy_label())
            announce_set_up(self.window, result)

    def confirm_enrolment(self, code: str) -> None:
        from .second_factor import RecoveryCodesDialog

        page = self.window.enrolment_page
        try:
            codes = self.session.confirm_enrolment(code)
        except FieldProblems as problems:
            page.show_problems(problems.problems)
        except RecordError as refused:
            if self.session.state is SessionState.ENROLMENT:
                page.show_error(plain_sentence(str(refused)))
            else:
                self.window.sign_in_page.show_error(plain_sentence(str(refused)))
        else:
            self.window.recovery_codes_dialog = RecoveryCodesDialog(codes, self.window)
            self.window.dialogs.open_dialog(self.window.recovery_codes_dialog)

    # -- the pages, built the first time they are needed ------------------------------------
    def set_up_page(self) -> SetUpWizard:
        """The set-up wizard, built the first time a new store needs it."""
        window = self.window
        page = getattr(window, "first_run_page", None)
        if page is None:
            from .wizard import SetUpWizard

            page = SetUpWizard(self.backend.database_label)
            page.submitted.connect(self.create_first_admin)
            window.pages.addWidget(page)
            window.first_run_page = page
        return page

    def enrolment_page(self) -> EnrolmentPage:
        window = self.window
        page = getattr(window, "enrolment_page", None)
        if page is None:
            from .second_factor import EnrolmentPage

            page = EnrolmentPage()
            page.confirmed.connect(self.confirm_enrolment)
            page.cancelled.connect(self.cancel_second_factor)
            window.pages.addWidget(page)
            window.enrolment_page = page
        return page

    # -- words owed ----------------------------------------------------------------------------
    def show_system_use_notice(self) -> None:
        """The system-use notice (CJIS 5.5.4) on the sign-in page, from the settings."""
        try:
            text = system_use_notice(self.backend.uow())
        except RecordError:
            text = DEFAULT_NOTICE  # a store that cannot be read still shows the notice
        self.window.sign_in_page.set_notice(text)

    def remind_second_factor(self) -> None:
        """An administrator of an installation that does not require a second factor is
        told so in the status bar at every sign-in (CJIS 5.6.2.2). Not in the notice banner:
        a notice dismissed there stays dismissed on the workstation, and this one should
        come back until the setting is changed."""
        if self.session.may(acc.MANAGE_SETTINGS) and not factors.is_required(self.session.uow()):
            self.window.statusBar().showMessage(factors.NOT_REQUIRED_REMINDER, 60_000)
