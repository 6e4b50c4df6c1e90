"""Who is at the keyboard: the session controller.

It holds the signed-in actor and the state of the session, calls the account use cases,
and announces every change with ``changed``; the window only draws what it is told.
Each step is audited by the services (sign-in, lock, resume, sign-out).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from PySide6.QtCore import QObject, Signal

from detainer_desk.domain import accounts as acc
from detainer_desk.services import accounts, records
from detainer_desk.services import second_factor as factors
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, UnitOfWork

from . import forms
from .backend import Backend


class SessionState(Enum):
    FIRST_RUN = "first run"  # no account exists yet
    SIGNED_OUT = "signed out"
    SIGNED_IN = "signed in"
    LOCKED = "locked"  # someone is signed in, but the screen is locked
    SECOND_FACTOR = "second factor"  # the password was right; the code is asked for
    ENROLMENT = "enrolment"  # the password was right; the second factor is being set up


class Session(QObject):
    changed = Signal()

    def __init__(self, backend: Backend, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self._actor: Actor | None = None
        self._locked_idle = False
        # Between the password and the code: who, and the password (asked again with the
        # code, so the services judge both together); the second factor being set up.
        self._pending: tuple[str, str] | None = None
        self._enrolment: factors.Enrolment | None = None
        self._state = self._resting_state()

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
        return accounts.session_timeout_minutes(self.uow())

    def policy_label(self) -> str | None:
        activation = records.active_policy(self.uow())
        return activation.policy.name if activation else None

    def status_text(self) -> str:
        if self._state is SessionState.SIGNED_IN and self._actor is not None:
            roles = ", ".join(sorted(self._actor.roles)) or "no role"
            return f"Signed in: {self._actor.user} ({roles})"
        if self._state is SessionState.LOCKED and self._actor is not None:
            return f"Locked ({self._actor.user})"
        return "Not signed in"

    def _resting_state(self) -> SessionState:
        if accounts.needs_first_admin(self.uow()):
            return SessionState.FIRST_RUN
        return SessionState.SIGNED_OUT

    def _become(self, state: SessionState, actor: Actor | None) -> None:
        self._state = state
        self._actor = actor
        self.changed.emit()

    # ---------------------------------------------------------------- acting
    def create_first_admin(
        self,
        user_name: str,
        display_name: str,
        password: str,
        confirm: str,
        *,
        require_second_factor: bool = True,
    ) -> Actor:
        """Create the first administrator and sign them in (or, when a second factor is
        required, show its enrolment). The administrator's actor; FieldProblems /
        RecordError."""
        b = self.backend
        forms.raise_if_any(forms.new_account_problems(b.security, user_name, password, confirm))
        try:
            created = accounts.create_first_admin(
                b.uow(),
                b.security,
                user_name,
                display_name,
                password,
                b.workstation,
                self.now(),
                require_second_factor=require_second_factor,
            )
        except RecordError:
            # Someone may have set the store up from another workstation meanwhile.
            resting = self._resting_state()
            if resting is not self._state:
                self._become(resting, None)
            raise
        # A real sign-in, so the session's start is in the audit trail like any other.
        self.sign_in(user_name, password)
        return created

    def sign_in(self, user_name: str, password: str) -> None:
        """FieldProblems for blank fields (not sent: they would count as failures),
        SignInError / AccountLocked from the service. A right password for an account
        with a second factor moves to SECOND_FACTOR (or ENROLMENT) instead."""
        forms.raise_if_any(
            {
                forms.USER_NAME: None if user_name.strip() else "Enter your user name.",
                forms.PASSWORD: None if password else "Enter your password.",
            }
        )
        b = self.backend
        try:
            actor = accounts.sign_in(
                b.uow(), b.security, user_name, password, b.workstation, self.now()
            )
        except factors.SecondFactorNeeded:
            self._pending = (user_name, password)
            self._become(SessionState.SECOND_FACTOR, None)
            return
        except factors.EnrolmentNeeded:
            from detainer_desk.services.settings import read_settings

            self._pending = (user_name, password)
            county = read_settings(self.uow()).county_name
            self._enrolment = factors.new_enrolment(
                b.security, acc.normalize_user_name(user_name), county
            )
            self._become(SessionState.ENROLMENT, None)
            return
        self._signed_in(actor)

    def _signed_in(self, actor: Actor) -> None:
        self._pending = None
        self._enrolment = None
        self._locked_idle = False
        self._become(SessionState.SIGNED_IN, actor)

    def submit_code(self, code: str) -> None:
        """The second factor's code (or a recovery code) after the password. FieldProblems
        when empty; SignInError / AccountLocked (back to signing in) from the service."""
        forms.raise_if_any({forms.CODE: None if code.strip() else "Enter the code."})
        pending = self._pending
        if self._state is not SessionState.SECOND_FACTOR or pending is None:
            raise RecordError("Sign in first.")
        b = self.backend
        try:
            actor = accounts.sign_in(
                b.uow(), b.security, pending[0], pending[1], b.workstation, self.now(), code
            )
        except accounts.AccountLocked:
            self.cancel_second_factor()
            raise
        self._signed_in(actor)

    def confirm_enrolment(self, code: str) -> list[str]:
        """A code from the app being set up: stores the second factor and signs in. The
        recovery codes, to be shown once. FieldProblems / SignInError / AccountLocked."""
        forms.raise_if_any({forms.CODE: None if code.strip() else "Enter the code."})
        pending, enrolment = self._pending, self._enrolment
        if self._state is not SessionState.ENROLMENT or pending is None or enrolment is None:
            raise RecordError("Sign in first.")
        b = self.backend
        try:
            actor, codes = accounts.enrol_at_sign_in(
                b.uow(), b.security, pending[0], pending[1], enrolment, code, b.workstation,
                self.now(),
            )  # fmt: skip
        except accounts.AccountLocked:
            self.cancel_second_factor()
            raise
        self._signed_in(actor)
        return codes

    def cancel_second_factor(self) -> None:
        """Back to the sign-in page; nothing typed is kept."""
        self._pending = None
        self._enrolment = None
        self._become(self._resting_state(), None)

    def lock(self, idle: bool) -> bool:
        """Lock the screen; False when there is no open session to lock."""
        actor = self._actor
        if self._state is not SessionState.SIGNED_IN or actor is None:
            return False
        # Hide first, then write the audit event: the screen must lock even if the store
        # is slow or unreachable.
        self._locked_idle = idle
        self._become(SessionState.LOCKED, actor)
        accounts.lock_session(self.uow(), actor, self.now(), idle=idle)
        return True

    def resume(self, password: str) -> None:
        """The locked-out user comes back. FieldProblems / SignInError / AccountLocked."""
        actor = self._actor
        if self._state is not SessionState.LOCKED or actor is None:
            raise RecordError("There is no locked session to resume.")
        forms.raise_if_any({forms.PASSWORD: None if password else "Enter your password."})
        b = self.backend
        resumed = accounts.resume_session(b.uow(), b.security, actor, password, self.now())
        self._locked_idle = False
        self._become(SessionState.SIGNED_IN, resumed)

    def sign_out(self, reason: str = "signed out") -> None:
        actor = self._actor
        if actor is None:
            return
        self._locked_idle = False
        self._become(self._resting_state(), None)
        accounts.sign_out(self.uow(), actor, self.now(), reason)

    def roles_changed(self, user_name: str, roles: frozenset[str]) -> None:
        """An administrator changed someone's roles; if it was their own, show it."""
        actor = self._actor
        if actor is None or self._state is not SessionState.SIGNED_IN or actor.user != user_name:
            return
        self._become(SessionState.SIGNED_IN, Actor(actor.user, actor.workstation, roles))
