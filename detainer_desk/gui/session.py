"""Who is at the keyboard: the session controller.

It holds the signed-in actor and the state of the session, calls the account use cases,
and announces every change with ``changed``; the window only draws what it is told.
Each step is audited by the services (sign-in, lock, resume, sign-out).

Every step that reads or writes the records (checking a password: Argon2 is slow on
purpose; writing the audit entry) runs as a background operation on the window's task
runner; the state changes, and ``changed`` is emitted, on the GUI thread once the answer
has come back. A refusal is handed to the caller's ``on_failed`` (the page shows it in the
same words). While a step runs, ``working`` is True and a second request is ignored (no
double submit). What the status bar and the session lock need (the active policy's name,
the lock's timeout) is read in the background at sign-in and kept here, and read again
when the policy or the settings change (``follow_changes``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Signal

from detainer_desk.domain import accounts as acc
from detainer_desk.services import accounts, records
from detainer_desk.services import second_factor as factors
from detainer_desk.services.access import RecordError
from detainer_desk.services.notices import DEFAULT_NOTICE, system_use_notice
from detainer_desk.services.ports import Actor, UnitOfWork

from . import forms
from .backend import Backend
from .changes import Change, Changes, Kinds
from .tasks import TaskHandle, TaskRunner

T = TypeVar("T")
Failed = Callable[[BaseException], None]
log = logging.getLogger(__name__)


def _ignore(_result: object) -> None:
    return None


def _log_failure(error: BaseException) -> None:
    """A step of the session's that nobody waits on (reading the status again; a
    sign-out's entry when the caller did not ask): it is logged."""
    log.warning("A step of the session failed in the background", exc_info=error)


class SessionState(Enum):
    FIRST_RUN = "first run"  # no account exists yet
    SIGNED_OUT = "signed out"
    SIGNED_IN = "signed in"
    LOCKED = "locked"  # someone is signed in, but the screen is locked
    SECOND_FACTOR = "second factor"  # the password was right; the code is asked for
    ENROLMENT = "enrolment"  # the password was right; the second factor is being set up


@dataclass(frozen=True)
class Standing:
    """What the status bar and the session lock show, read together in the background."""

    policy_label: str | None
    timeout_minutes: int
    second_factor_required: bool  # if not, administrators are reminded at sign-in


@dataclass(frozen=True)
class Answer:
    """The services' answer to a password (and code), read in the background: signed in
    (``actor``), or the second factor asked for, or its enrolment started."""

    actor: Actor | None = None
    second_factor: bool = False
    enrolment: factors.Enrolment | None = None
    standing: Standing | None = None


@dataclass(frozen=True)
class Opening:
    """What the window needs before its first page (set-up or sign-in; the status bar;
    the system-use notice), read together in the background as the records open."""

    first_run: bool  # no account exists yet: the set-up page
    standing: Standing
    notice: str  # the system-use notice (CJIS 5.5.4) shown on the sign-in page


def read_opening(uow: Callable[[], UnitOfWork]) -> Opening:
    """Off the GUI thread (the records' opening task)."""
    return Opening(accounts.needs_first_admin(uow()), read_standing(uow), read_notice(uow))


def read_notice(uow: Callable[[], UnitOfWork]) -> str:
    """The system-use notice from the settings; a store whose settings cannot be read
    still shows the default one."""
    try:
        return system_use_notice(uow())
    except RecordError:
        return DEFAULT_NOTICE


def read_standing(uow: Callable[[], UnitOfWork]) -> Standing:
    activation = records.active_policy(uow())
    return Standing(
        activation.policy.name if activation else None,
        accounts.session_timeout_minutes(uow()),
        factors.is_required(uow()),
    )


class Session(QObject):
    changed = Signal()
    working_changed = Signal(bool)  # a step is running in the background (pages wait)
    standing_read = Signal()  # the policy label or the timeout was read again

    def __init__(
        self,
        backend: Backend,
        parent: QObject | None = None,
        tasks: TaskRunner | None = None,
        opening: Opening | None = None,
    ) -> None:
        """``opening`` was read in the background as the records opened (the program's
        start); without it, it is read here, on the caller's thread (a caller that opened
        the records itself, before its window is in use)."""
        super().__init__(parent)
        self.backend = backend
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._actor: Actor | None = None
        self._locked_idle = False
        self._working = False
        self._running = 0  # steps in the background, busy or not
        # Between the password and the code: who, and the password (asked again with the
        # code, so the services judge both together); the second factor being set up.
        self._pending: tuple[str, str] | None = None
        self._enrolment: factors.Enrolment | None = None
        # Read once as the records open, then in the background at each sign-in and when
        # the policy or the settings change.
        self.opening = opening if opening is not None else read_opening(backend.uow)
        self._state = SessionState.FIRST_RUN if self.opening.first_run else SessionState.SIGNED_OUT
        self._standing = self.opening.standing

    # ---------------------------------------------------------------- reading
    @property
    def state(self) -> SessionState:
        return self._state

    @property
    def actor(self) -> Actor | None:
        """The signed-in actor (also while the screen is locked)."""
        return self._actor

    @property
    def locked_by_idleness(self) -> bool:
        return self._locked_idle

    @property
    def working(self) -> bool:
        """A sign-in, unlock, code or set-up is being checked in the background."""
        return self._working

    @property
    def settled(self) -> bool:
        """No step of the session's is running in the background (tests wait on this)."""
        return self._running == 0

    @property
    def pending_user(self) -> str | None:
        """Who typed the right password and is asked for the second factor."""
        return self._pending[0] if self._pending else None

    @property
    def enrolment(self) -> factors.Enrolment | None:
        return self._enrolment

    def uow(self) -> UnitOfWork:
        return self.backend.uow()

    def now(self) -> dt.datetime:
        return self.backend.clock()

    def require_actor(self) -> Actor:
        """The actor for a use case started from an open screen."""
        if self._actor is None or self._state is not SessionState.SIGNED_IN:
            raise RecordError("Sign in first.")
        return self._actor

    def may(self, permission: str) -> bool:
        """Whether to offer an action (the services check again, against the database)."""
        return (
            self._state is SessionState.SIGNED_IN
            and self._actor is not None
            and acc.may(self._actor.roles, permission)
        )

    def timeout_minutes(self) -> int:
        """The session lock's timeout, as last read (at sign-in, or when it changed)."""
        return self._standing.timeout_minutes

    def policy_label(self) -> str | None:
        """The active policy's name, as last read (at sign-in, or when it changed)."""
        return self._standing.policy_label

    def second_factor_required(self) -> bool:
        """Whether the installation requires a second factor, as last read."""
        return self._standing.second_factor_required

    def status_text(self) -> str:
        if self._state is SessionState.SIGNED_IN and self._actor is not None:
            roles = ", ".join(sorted(self._actor.roles)) or "no role"
            return f"Signed in: {self._actor.user} ({roles})"
        if self._state is SessionState.LOCKED and self._actor is not None:
            return f"Locked ({self._actor.user})"
        return "Not signed in"

    def _become(self, state: SessionState, actor: Actor | None) -> None:
        self._state = state
        self._actor = actor
        self.changed.emit()

    # ------------------------------------------------------- the background
    def follow_changes(self, changes: Changes) -> None:
        """Read the policy label and the timeout again when a write changed them."""
        changes.when((Change.POLICY, Change.SETTINGS), self._standing_changed)

    def _standing_changed(self, _changed: Kinds) -> None:
        self.read_standing_again()

    def read_standing_again(self) -> None:
        """Read the policy label and the timeout again, in the background (``standing_read``
        says when they differ)."""
        uow = self.backend.uow
        self._run(lambda: read_standing(uow), self._keep_standing, _log_failure, busy=False)

    def _keep_standing(self, standing: Standing | None) -> None:
        if standing is not None and standing != self._standing:
            self._standing = standing
            self.standing_read.emit()

    def _run(
        self,
        work: Callable[[], T],
        arrived: Callable[[T], None],
        on_failed: Failed,
        *,
        busy: bool = True,
    ) -> TaskHandle | None:
        """``work()`` on the pool (plain values only: never a widget, never ``self``'s
        state); ``arrived(result)`` or ``on_failed(error)`` on the GUI thread. With
        ``busy``, the session is working meanwhile, and a request made then is ignored."""
        if busy:
            if self._working:
                return None
            self._set_working(True)

        self._running += 1

        def task(_handle: TaskHandle) -> Any:
            yield "working"
            return work()

        def finished(result: T) -> None:
            self._running -= 1
            if busy:
                self._set_working(False)
            arrived(result)

        def failed(error: BaseException, _trace: str) -> None:
            self._running -= 1
            if busy:
                self._set_working(False)
            on_failed(error)

        return self.tasks.start(task, on_finished=finished, on_failed=failed)

    def _set_working(self, working: bool) -> None:
        self._working = working
        self.working_changed.emit(working)

    def _password_work(
        self, user_name: str, password: str, code: str | None = None
    ) -> Callable[[], Answer]:
        """What signing in asks of the services, as a function for the pool."""
        b = self.backend
        now = self.now()

        def check() -> Answer:
            try:
                actor = accounts.sign_in(
                    b.uow(), b.security, user_name, password, b.workstation, now, code
                )
            except factors.SecondFactorNeeded:
                return Answer(second_factor=True)
            except factors.EnrolmentNeeded:
                from detainer_desk.services.settings import read_settings

                county = read_settings(b.uow()).county_name
                enrolment = factors.new_enrolment(
                    b.security, acc.normalize_user_name(user_name), county
                )
                return Answer(enrolment=enrolment)
            return Answer(actor=actor, standing=read_standing(b.uow))

        return check

    def _answered(self, answer: Answer, user_name: str, password: str) -> None:
        """The services' answer to a password, on the GUI thread."""
        if answer.standing is not None:
            self._keep_standing(answer.standing)
        if answer.actor is not None:
            self._signed_in(answer.actor)
        elif answer.enrolment is not None:
            self._pending = (user_name, password)
            self._enrolment = answer.enrolment
            self._become(SessionState.ENROLMENT, None)
        else:
            self._pending = (user_name, password)
            self._become(SessionState.SECOND_FACTOR, None)

    # ---------------------------------------------------------------- acting
    def create_first_admin(
        self,
        user_name: str,
        display_name: str,
        password: str,
        confirm: str,
        *,
        require_second_factor: bool = True,
        then: Callable[[Actor], T],
        on_done: Callable[[T], None],
        on_failed: Failed,
    ) -> None:
        """Create the first administrator and sign them in (or, when a second factor is
        required, show its enrolment); ``then(administrator)`` runs next in the background
        (the rest of the set-up, as them) and its result goes to ``on_done``. FieldProblems
        at once; RecordError to ``on_failed``."""
        b = self.backend
        forms.raise_if_any(forms.new_account_problems(b.security, user_name, password, confirm))
        now = self.now()
        sign_in = self._password_work(user_name, password)

        def create() -> tuple[Answer, Actor] | tuple[RecordError, bool]:
            try:
                created = accounts.create_first_admin(
                    b.uow(), b.security, user_name, display_name, password, b.workstation,
                    now, require_second_factor=require_second_factor,
                )  # fmt: skip
            except RecordError as refused:
                # Someone may have set the store up from another workstation meanwhile.
                return refused, accounts.needs_first_admin(b.uow())
            # A real sign-in, so the session's start is in the audit trail like any other.
            return sign_in(), created

        def created(outcome: tuple[Answer, Actor] | tuple[RecordError, bool]) -> None:
            if isinstance(outcome[0], RecordError):
                refused, first_run = outcome
                resting = SessionState.FIRST_RUN if first_run else SessionState.SIGNED_OUT
                if resting is not self._state:
                    self._become(resting, None)
                on_failed(refused)
                return
            answer, administrator = outcome
            assert isinstance(administrator, Actor)
            # Signed in (or enrolling) first, as before; then the rest, as them.
            self._answered(answer, user_name, password)
            # Not busy: the enrolment page may be answered meanwhile.
            self._run(
                lambda: (then(administrator), read_standing(b.uow)), finished, on_failed, busy=False
            )

        def finished(outcome: tuple[T, Standing]) -> None:
            result, standing = outcome
            self._keep_standing(standing)
            on_done(result)

        self._run(create, created, on_failed)

    def sign_in(self, user_name: str, password: str, on_failed: Failed = _log_failure) -> None:
        """FieldProblems for blank fields at once (not sent: they would count as failures);
        SignInError / AccountLocked from the service to ``on_failed``. A right password for
        an account with a second factor moves to SECOND_FACTOR (or ENROLMENT) instead."""
        forms.raise_if_any(
            {
                forms.USER_NAME: None if user_name.strip() else "Enter your user name.",
                forms.PASSWORD: None if password else "Enter your password.",
            }
        )
        self._run(
            self._password_work(user_name, password),
            lambda answer: self._answered(answer, user_name, password),
            on_failed,
        )

    def _signed_in(self, actor: Actor) -> None:
        self._pending = None
        self._enrolment = None
        self._locked_idle = False
        self._become(SessionState.SIGNED_IN, actor)

    def submit_code(self, code: str, on_failed: Failed) -> None:
        """The second factor's code (or a recovery code) after the password. FieldProblems
        when empty, at once; SignInError / AccountLocked (back to signing in) to
        ``on_failed``."""
        forms.raise_if_any({forms.CODE: None if code.strip() else "Enter the code."})
        pending = self._pending
        if self._state is not SessionState.SECOND_FACTOR or pending is None:
            raise RecordError("Sign in first.")
        self._run(
            self._password_work(pending[0], pending[1], code),
            lambda answer: self._answered(answer, *pending),
            lambda error: self._code_refused(error, on_failed),
        )

    def _code_refused(self, error: BaseException, on_failed: Failed) -> None:
        if isinstance(error, accounts.AccountLocked):
            self.cancel_second_factor()
        on_failed(error)

    def confirm_enrolment(
        self, code: str, on_done: Callable[[list[str]], None], on_failed: Failed
    ) -> None:
        """A code from the app being set up: stores the second factor and signs in; the
        recovery codes, to be shown once, to ``on_done``. FieldProblems at once;
        SignInError / AccountLocked to ``on_failed``."""
        forms.raise_if_any({forms.CODE: None if code.strip() else "Enter the code."})
        pending, enrolment = self._pending, self._enrolment
        if self._state is not SessionState.ENROLMENT or pending is None or enrolment is None:
            raise RecordError("Sign in first.")
        b = self.backend
        now = self.now()

        def enrol() -> tuple[Actor, list[str], Standing]:
            actor, codes = accounts.enrol_at_sign_in(
                b.uow(), b.security, pending[0], pending[1], enrolment, code, b.workstation, now
            )
            return actor, codes, read_standing(b.uow)

        def arrived(outcome: tuple[Actor, list[str], Standing]) -> None:
            actor, codes, standing = outcome
            self._keep_standing(standing)
            self._signed_in(actor)
            on_done(codes)

        self._run(enrol, arrived, lambda error: self._code_refused(error, on_failed))

    def cancel_second_factor(self) -> None:
        """Back to the sign-in page; nothing typed is kept. (Only someone with an account
        gets this far, so the store has accounts.)"""
        self._pending = None
        self._enrolment = None
        self._become(SessionState.SIGNED_OUT, None)

    def lock(self, idle: bool, on_failed: Failed = _log_failure) -> bool:
        """Lock the screen; False when there is no open session to lock. The audit entry is
        written in the background; its failure goes to ``on_failed``."""
        actor = self._actor
        if self._state is not SessionState.SIGNED_IN or actor is None:
            return False
        # Hide first, then write the audit event: the screen must lock even if the store
        # is slow or unreachable.
        self._locked_idle = idle
        self._become(SessionState.LOCKED, actor)
        uow, now = self.backend.uow, self.now()
        self._run(
            lambda: accounts.lock_session(uow(), actor, now, idle=idle),
            _ignore,
            on_failed,
            busy=False,
        )
        return True

    def resume(self, password: str, on_failed: Failed = _log_failure) -> None:
        """The locked-out user comes back. FieldProblems at once; SignInError /
        AccountLocked to ``on_failed``."""
        actor = self._actor
        if self._state is not SessionState.LOCKED or actor is None:
            raise RecordError("There is no locked session to resume.")
        forms.raise_if_any({forms.PASSWORD: None if password else "Enter your password."})
        b = self.backend
        now = self.now()

        def check() -> Actor:
            return accounts.resume_session(b.uow(), b.security, actor, password, now)

        def arrived(resumed: Actor) -> None:
            if self._state is not SessionState.LOCKED or self._actor != actor:
                return  # signed out meanwhile (someone else's turn)
            self._locked_idle = False
            self._become(SessionState.SIGNED_IN, resumed)

        self._run(check, arrived, on_failed)

    def sign_out(
        self,
        reason: str = "signed out",
        on_failed: Failed = _log_failure,
        *,
        wait_ms: int | None = None,
    ) -> None:
        """End the session at once; the audit entry is written in the background (its
        failure to ``on_failed``). With ``wait_ms`` (the program closing), wait that long
        for it, so it is written before the records close."""
        actor = self._actor
        if actor is None:
            return
        self._locked_idle = False
        self._pending = None
        self._enrolment = None
        # Someone was signed in, so the store has accounts (a restore may have replaced
        # them: the background step says so).
        self._become(SessionState.SIGNED_OUT, None)
        uow, now = self.backend.uow, self.now()

        def record() -> tuple[bool, Standing]:
            accounts.sign_out(uow(), actor, now, reason)
            return accounts.needs_first_admin(uow()), read_standing(uow)

        def arrived(outcome: tuple[bool, Standing]) -> None:
            first_run, standing = outcome
            self._keep_standing(standing)
            if first_run and self._state is SessionState.SIGNED_OUT:
                self._become(SessionState.FIRST_RUN, None)

        self._run(record, arrived, on_failed, busy=False)
        if wait_ms is not None:
            self.tasks.wait(wait_ms)

    def roles_changed(self, user_name: str, roles: frozenset[str]) -> None:
        """An administrator changed someone's roles; if it was their own, show it."""
        actor = self._actor
        if actor is None or self._state is not SessionState.SIGNED_IN or actor.user != user_name:
            return
        self._become(SessionState.SIGNED_IN, Actor(actor.user, actor.workstation, roles))
