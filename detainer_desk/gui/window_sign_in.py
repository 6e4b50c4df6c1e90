"""What the sign-in, set-up and enrolment pages ask of the session: create the first
administrator, sign in, resume at the lock screen, give the second-factor code, enrol an
authenticator; and the words the sign-in page and the status bar owe people (the
system-use notice, the reminder that no second factor is required). Built by the main
window when the records open; it shows the answers on the pages.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from detainer_desk.domain import accounts as acc
from detainer_desk.services import second_factor as factors
from detainer_desk.services.access import RecordError

from .errors import show_bug
from .forms import FieldProblems
from .session import SessionState, read_notice
from .widgets import plain_sentence

if TYPE_CHECKING:
    from .backend import Backend
    from .main_window import MainWindow
    from .pages import SignInPage
    from .second_factor import EnrolmentPage
    from .session import Session
    from .wizard import SetUpAnswers, SetUpResult, SetUpWizard

Failed = Callable[[BaseException], None]


class RefusalShower(Protocol):
    def show_problems(self, problems: dict[str, str]) -> None: ...
    def show_error(self, message: str) -> None: ...


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

    def _attempt(self, call: Callable[[Failed], object], page: SignInPage | None = None) -> None:
        """Make a request of the session; its refusal is shown on ``page`` (sign-in's),
        whether it comes at once (blank fields) or from the background (the password)."""
        shown_on = page or self.window.sign_in_page
        try:
            call(lambda error: self._refused(error, shown_on))
        except FieldProblems as problems:
            shown_on.show_problems(problems.problems)
        except RecordError as refused:
            shown_on.show_error(plain_sentence(str(refused)))

    def _refused(self, error: BaseException, page: RefusalShower) -> None:
        if isinstance(error, FieldProblems):
            page.show_problems(error.problems)
        elif isinstance(error, RecordError):
            page.show_error(plain_sentence(str(error)))
        else:
            show_bug(self.window, type(error), error, error.__traceback__)

    def show_working(self, working: bool) -> None:
        """While the session checks a password or a code, the page says so and its button
        waits (no second submit); the answer brings it back."""
        for name in ("sign_in_page", "first_run_page", "enrolment_page"):
            page = getattr(self.window, name, None)
            if page is not None:
                page.set_working(working)

    # -- the requests -----------------------------------------------------------------------
    def sign_in(self, user_name: str, password: str) -> None:
        self._attempt(lambda failed: self.session.sign_in(user_name, password, failed))

    def resume(self, password: str) -> None:
        self._attempt(lambda failed: self.session.resume(password, failed))

    def submit_code(self, code: str) -> None:
        self._attempt(lambda failed: self.session.submit_code(code, failed))

    def cancel_second_factor(self) -> None:
        self.session.cancel_second_factor()

    def create_first_admin(self, answers: SetUpAnswers) -> None:
        from .wizard import start_set_up

        page = self.window.first_run_page
        try:
            start_set_up(self.session, answers, self._set_up, self._set_up_refused)
        except FieldProblems as problems:
            page.show_problems(problems.problems)

    def _set_up(self, result: SetUpResult) -> None:
        from .wizard import announce_set_up

        page = self.window.first_run_page
        page.forget_passwords()
        page.clear_problems()
        self.window.status.show_policy(self.session.policy_label())
        announce_set_up(self.window, result)

    def _set_up_refused(self, error: BaseException) -> None:
        if self.session.state is SessionState.FIRST_RUN:
            self._refused(error, self.window.first_run_page)
        else:  # someone else set the store up meanwhile: sign in instead
            self._refused(error, self.window.sign_in_page)

    def confirm_enrolment(self, code: str) -> None:
        page = self.window.enrolment_page
        try:
            self.session.confirm_enrolment(code, self._enrolled, self._enrolment_refused)
        except FieldProblems as problems:
            page.show_problems(problems.problems)
        except RecordError as refused:
            self._enrolment_refused(refused)

    def _enrolled(self, codes: list[str]) -> None:
        from .second_factor import RecoveryCodesDialog

        self.window.recovery_codes_dialog = RecoveryCodesDialog(codes, self.window)
        self.window.dialogs.open_dialog(self.window.recovery_codes_dialog)

    def _enrolment_refused(self, error: BaseException) -> None:
        if self.session.state is SessionState.ENROLMENT:
            self._refused(error, self.window.enrolment_page)
        else:
            self._refused(error, self.window.sign_in_page)

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
        """The system-use notice (CJIS 5.5.4) on the sign-in page, read again from the
        settings in the background (they were saved)."""
        from .tasks import run_in_background

        uow = self.backend.uow
        page = self.window.sign_in_page
        run_in_background(
            self.window.tasks, page, page.error, lambda: read_notice(uow), page.set_notice
        )

    def remind_second_factor(self) -> None:
        """An administrator of an installation that does not require a second factor is
        told so in the status bar at every sign-in (CJIS 5.6.2.2). Not in the notice banner:
        a notice dismissed there stays dismissed on the workstation, and this one should
        come back until the setting is changed."""
        if self.session.may(acc.MANAGE_SETTINGS) and not self.session.second_factor_required():
            self.window.statusBar().showMessage(factors.NOT_REQUIRED_REMINDER, 60_000)
