"""Accounts: the first administrator, signing in and out, lockout, session locks, roles,
passwords and settings. Every step leaves an audit event in the hash chain."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, Protocol

from detainer_desk.domain import accounts as acc

from . import second_factor as factors
from .access import (
    DENIED,
    FAILURE,
    LOCKOUT_MINUTES_KEY,
    NotFoundError,
    RecordError,
    audit,
    authorize,
)
from .ports import Actor, AuditEvent, AuditQuery, UnitOfWork, UserRecord

if TYPE_CHECKING:
    from .directory import DirectoryConnector, Verdict

SESSION_TIMEOUT_KEY = "session_timeout_minutes"
SIGN_IN_FAILED = "Wrong user name or password."
INVALID_NAME = "(not a user name)"  # who tried, in the audit trail, when it was no name


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...
    def verify(self, password_hash: str, password: str) -> bool: ...

    # A hash of no one's password, made with the same parameters as every real one: a
    # sign-in for a missing account is checked against it, so that refusing it takes the
    # time refusing an existing one does (the time would tell which names exist).
    @property
    def dummy_hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Security:
    """The password machinery the composition root hands to the account use cases."""

    hasher: PasswordHasher
    is_common: Callable[[str], bool]
    # The second factor's randomness, codes and sealing key (adapters/security).
    second_factor: factors.SecondFactorMachinery | None = None
    # Signing in against the county's directory (LDAP / Active Directory), when set up.
    directory: DirectoryConnector | None = None


class SignInError(RecordError):
    pass


class AccountLocked(SignInError):
    pass


def _check_password(security: Security, password: str, user_name: str) -> str:
    problems = acc.password_problems(password, user_name, security.is_common)
    if problems:
        raise RecordError("That password cannot be used: " + "; ".join(problems) + ".")
    return acc.normalize_password(password)


def _check_roles(roles: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(roles)
    unknown = chosen - set(acc.ROLES)
    if unknown:
        raise RecordError(
            f"unknown role {', '.join(sorted(unknown))}: the roles are {', '.join(acc.ROLES)}"
        )
    if not chosen:
        raise RecordError("an account needs at least one role")
    return chosen


def _check_name(name: str) -> str:
    """The normalized user name, or RecordError (with the name shown safely, shortened)
    before anything is looked up or stored."""
    problem = acc.user_name_problem(name)
    if problem:
        raise RecordError(f"{acc.shown_name(name)!r} cannot be a user name: {problem}")
    return acc.normalize_user_name(name)


# -- creating accounts --------------------------------------------------------------------


def needs_first_admin(uow: UnitOfWork) -> bool:
    with uow:
        return uow.accounts.count_users() == 0


def create_first_admin(
    uow: UnitOfWork,
    security: Security,
    name: str,
    display_name: str,
    password: str,
    workstation: str,
    now: dt.datetime,
    *,
    require_second_factor: bool = True,
) -> Actor:
    """On an empty store only: the first administrator, who then creates everyone else.

    A new installation requires a second factor at every sign-in (CJIS 5.6.2.2) unless
    whoever sets it up says otherwise (``require_second_factor=False``: on the record, and
    an administrator is reminded at every sign-in until it is turned on)."""
    user_name = _check_name(name)
    secret = _check_password(security, password, user_name)
    password_hash = security.hasher.hash(secret)
    with uow:
        if uow.accounts.count_users() > 0:
            raise RecordError("an administrator already exists: sign in as one to add accounts")
        uow.accounts.add_user(
            user_name, display_name.strip() or user_name, password_hash, frozenset({acc.ADMIN}), now
        )
        actor = Actor(user_name, workstation, frozenset({acc.ADMIN}))
        audit(
            uow,
            actor,
            "account.create",
            user_name,
            now,
            details={"roles": [acc.ADMIN], "first_admin": True},
        )
        required = factors.ON if require_second_factor else factors.OFF
        uow.accounts.set_setting(factors.REQUIRED_KEY, required, now, user_name)
        audit(
            uow,
            actor,
            "settings.change",
            factors.REQUIRED_KEY,
            now,
            details={"before": None, "after": required, "new_installation": True},
        )
        uow.commit()
    return actor


def add_user(
    uow: UnitOfWork,
    security: Security,
    actor: Actor,
    name: str,
    display_name: str,
    roles: Iterable[str],
    password: str,
    now: dt.datetime,
) -> UserRecord:
    user_name = _check_name(name)
    chosen = _check_roles(roles)
    secret = _check_password(security, password, user_name)
    password_hash = security.hasher.hash(secret)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.create", user_name, now)
        if uow.accounts.user(user_name) is not None:
            raise RecordError(f"there is already an account named {user_name}")
        record = uow.accounts.add_user(
            user_name, display_name.strip() or user_name, password_hash, chosen, now
        )
        audit(uow, actor, "account.create", user_name, now, details={"roles": sorted(chosen)})
        uow.commit()
    return record


# -- signing in and out -------------------------------------------------------------------


def sign_in(
    uow: UnitOfWork,
    security: Security,
    name: str,
    password: str,
    workstation: str,
    now: dt.datetime,
    code: str | None = None,
    *,
    enrolment: factors.Enrolment | None = None,
) -> Actor:
    """The signed-in actor, or SignInError (and, after the right password, EnrolmentNeeded
    or SecondFactorNeeded: nothing is stored then; ask for the code and call again).

    Five failures within 15 minutes (wrong passwords and wrong second-factor codes alike)
    lock the account for the installation's lockout time (30 minutes unless an
    administrator set another, 10 at least: CJIS 5.5.3); an administrator may unlock it
    sooner. The lock is stored, so it survives a restart, and it always ends: typing wrong
    passwords cannot lock the county out for good.

    Every refusal of a local account costs one password-hash check, against the account's
    hash or, for a name that is no account (or no user name at all), against a dummy hash
    made with the same parameters: how long a refusal takes does not tell which accounts
    exist. A name that is not a user name is never stored as it was typed: the audit trail
    keeps a short, escaped form of it.

    With the directory set up (services/directory.py), a name that is no local account, or
    an account made by the directory, is checked by binding to the directory as that
    person, at every sign-in: an account disabled there is refused here at once. Local
    accounts stay local (break-glass).

    To set up the second factor at sign-in, see ``enrol_at_sign_in``.
    """
    actor, _codes = _sign_in(
        uow, security, name, password, workstation, now, code, None, second_factor=True
    )
    return actor


def enrol_at_sign_in(
    uow: UnitOfWork,
    security: Security,
    name: str,
    password: str,
    enrolment: factors.Enrolment,
    code: str,
    workstation: str,
    now: dt.datetime,
) -> tuple[Actor, list[str]]:
    """Sign in while setting up the second factor (``code``: one from ``enrolment``'s
    secret): (the actor, the recovery codes, to be shown once and never again)."""
    return _sign_in(
        uow, security, name, password, workstation, now, code, enrolment, second_factor=True
    )


def _sign_in(
    uow: UnitOfWork,
    security: Security,
    name: str,
    password: str,
    workstation: str,
    now: dt.datetime,
    code: str | None,
    enrolment: factors.Enrolment | None,
    *,
    second_factor: bool,
) -> tuple[Actor, list[str]]:
    """The steps of a sign-in, in the order they are checked; every refusal is audited
    (and committed) before it is raised."""
    from . import directory as dirs

    user_name = None if acc.user_name_problem(name) else acc.normalize_user_name(name)
    # The directory is asked before the transaction opens: a slow server must not hold
    # the record store's lock.
    verdict = _ask_directory(uow, security, user_name, password)
    with uow:
        account = uow.accounts.user(user_name) if user_name else None
        lockout_minutes = _lockout_minutes(uow)
        if verdict is not None and verdict.found is not None:
            account = dirs.local_account_for(uow, verdict, user_name or "", workstation, now)
        password_ok = _password_ok(security, account, password, verdict)
        if account is None:
            _refuse_unknown(uow, name, user_name, verdict, workstation, now)
        _refuse_if_altered(uow, account, workstation, now)
        who = Actor(account.name, workstation, account.roles)
        _refuse_if_locked(uow, who, account, now, lockout_minutes)
        _refuse_if_disabled(uow, who, account, now)
        refuse = _Refusal(uow, who, now, lockout_minutes, verdict)
        _refuse_if_directory_unavailable(uow, who, verdict, now)
        if not password_ok:
            refuse(verdict.why if verdict is not None and verdict.why else "wrong password")
        _disable_if_inactive(uow, account, who, now)
        how, recovery_codes = (
            _second_factor(uow, security, account, code, enrolment, now, refuse)
            if second_factor
            else (None, [])
        )
        _audit_signed_in(uow, who, now, how, verdict)
        uow.commit()
    return who, recovery_codes


def _ask_directory(
    uow: UnitOfWork, security: Security, user_name: str | None, password: str
) -> Verdict | None:
    """What the directory says of a user name (None: a local account, or no directory)."""
    from . import directory as dirs

    if user_name is None:
        return None
    return dirs.ask_if_directory_account(uow, security, user_name, password)


def _password_ok(
    security: Security, account: UserRecord | None, password: str, verdict: Verdict | None
) -> bool:
    """Whether the password is right: the directory's answer for a directory sign-in, else
    the account's hash (or, for no account, the dummy hash: a refusal takes as long)."""
    if verdict is not None:
        return verdict.found is not None
    checked_hash = account.password_hash if account else security.hasher.dummy_hash
    return security.hasher.verify(checked_hash, acc.normalize_password(password))


def _deny(
    uow: UnitOfWork,
    who: Actor,
    now: dt.datetime,
    details: dict[str, object],
    error: SignInError,
    outcome: str = DENIED,
) -> NoReturn:
    """A refused sign-in of ``who``: on the record, committed, then raised."""
    audit(uow, who, "sign_in", who.user, now, outcome, details)
    uow.commit()
    raise error


def _refuse_unknown(
    uow: UnitOfWork,
    name: str,
    user_name: str | None,
    verdict: Verdict | None,
    workstation: str,
    now: dt.datetime,
) -> NoReturn:
    """A name that is no account (or no user name at all: kept in a short, escaped form)."""
    details: dict[str, object]
    if user_name is None:
        who = Actor(INVALID_NAME, workstation)
        details = {"why": "not a user name", "given": acc.shown_name(name)}
    else:
        why = verdict.why if verdict is not None and verdict.why else "no such account"
        who, details = Actor(user_name, workstation), {"why": why}
    outcome = DENIED if verdict is not None and verdict.unavailable else FAILURE
    message = verdict.message if verdict is not None and verdict.message else SIGN_IN_FAILED
    _deny(uow, who, now, details, SignInError(message), outcome)


def _refuse_if_altered(
    uow: UnitOfWork, account: UserRecord, workstation: str, now: dt.datetime
) -> None:
    """An account changed outside the program: its roles, lock or password cannot be
    trusted."""
    if account.altered is None:
        return
    error = SignInError(
        f"This account cannot be used: {account.altered}. Run detainer-desk verify; "
        "an administrator must restore the records from a backup."
    )
    who = Actor(account.name, workstation)
    _deny(uow, who, now, {"why": "account changed outside the program"}, error)


def _refuse_if_locked(
    uow: UnitOfWork, who: Actor, account: UserRecord, now: dt.datetime, lockout_minutes: int
) -> None:
    """A locked account is refused; a lock that has ended is cleared, on the record."""
    locked_at = account.locked_at
    if locked_at is None:
        return
    if acc.is_locked(locked_at, now, lockout_minutes):
        ends = acc.lock_ends_at(locked_at, lockout_minutes)
        left = acc.minutes_left(locked_at, now, lockout_minutes)
        error = AccountLocked(
            "This account is locked after repeated failed sign-ins. The lock ends by "
            f"itself in {left} minute{'s' if left != 1 else ''}; an administrator can "
            "unlock it sooner."
        )
        details: dict[str, object] = {
            "why": "account locked",
            "lock_ends_at": ends.astimezone(dt.UTC).isoformat(),
        }
        _deny(uow, who, now, details, error)
    uow.accounts.update_user(account.name, locked_at=None)
    audit(
        uow,
        who,
        "account.lock_ended",
        account.name,
        now,
        details={"locked_at": locked_at.isoformat(), "minutes": lockout_minutes},
    )


def _refuse_if_disabled(uow: UnitOfWork, who: Actor, account: UserRecord, now: dt.datetime) -> None:
    if account.disabled:
        error = SignInError("This account is disabled. Ask an administrator.")
        _deny(uow, who, now, {"why": "account disabled"}, error)


def _refuse_if_directory_unavailable(
    uow: UnitOfWork, who: Actor, verdict: Verdict | None, now: dt.datetime
) -> None:
    """The directory could not be asked: not the person's doing, so not counted towards a
    lockout."""
    if verdict is not None and verdict.unavailable:
        error = SignInError(verdict.message or SIGN_IN_FAILED)
        _deny(uow, who, now, {"why": verdict.why}, error)


@dataclass(frozen=True, slots=True)
class _Refusal:
    """Refuses a sign-in for something the person got wrong (password or code): on the
    record as a failure, counted, and the account locked at the fifth failure within the
    lockout window. Called as ``refuse(why)``; the second-factor checks call it too."""

    uow: UnitOfWork
    who: Actor
    now: dt.datetime
    lockout_minutes: int
    verdict: Verdict | None

    def __call__(self, why: str) -> NoReturn:
        uow, who = self.uow, self.who
        audit(uow, who, "sign_in", who.user, self.now, FAILURE, {"why": why})
        if acc.should_lock(_recent_failures(uow, who.user, self.now)):
            self._lock()
        uow.commit()
        raise SignInError(self._message(why))

    def _lock(self) -> NoReturn:
        uow, who = self.uow, self.who
        uow.accounts.update_user(who.user, locked_at=self.now)
        audit(
            uow,
            who,
            "account.lockout",
            who.user,
            self.now,
            details={
                "failures": acc.LOCKOUT_FAILURES,
                "within_minutes": 15,
                "lock_minutes": self.lockout_minutes,
            },
        )
        uow.commit()
        raise AccountLocked(
            "Too many failed sign-ins: this account is now locked for "
            f"{self.lockout_minutes} minutes. An administrator can unlock it sooner."
        )

    def _message(self, why: str) -> str:
        verdict = self.verdict
        if verdict is not None and verdict.message and why == verdict.why:
            return verdict.message
        if "code" in why:
            return (
                "That code is not right (or it was used already). Type the code your "
                "authenticator app shows now."
            )
        return SIGN_IN_FAILED


def _second_factor(
    uow: UnitOfWork,
    security: Security,
    account: UserRecord,
    code: str | None,
    enrolment: factors.Enrolment | None,
    now: dt.datetime,
    refuse: _Refusal,
) -> tuple[str | None, list[str]]:
    """How the second factor was proved (None: none needed), and the recovery codes of an
    enrolment made now (shown once)."""
    if enrolment is not None:
        codes = factors.confirm_enrolment(
            uow, security, account, enrolment, code or "", now, refuse
        )
        return "code (enrolled now)", codes
    return factors.check_code(uow, security, account, code, now, refuse), []


def _audit_signed_in(
    uow: UnitOfWork, who: Actor, now: dt.datetime, how: str | None, verdict: Verdict | None
) -> None:
    signed: dict[str, object] = {"second_factor": how} if how else {}
    if verdict is not None:
        signed["directory"] = True
    audit(uow, who, "sign_in", who.user, now, details=signed)


def _disable_if_inactive(
    uow: UnitOfWork, account: UserRecord, who: Actor, now: dt.datetime
) -> None:
    """An account nobody has used for the installation's number of days is disabled now,
    with an audit entry, and the sign-in refused (CJIS AC-2(3): inactive accounts)."""
    days = inactive_days(uow)
    if days <= 0:
        return
    last = last_activity(uow, account)
    if now - last <= dt.timedelta(days=days):
        return
    uow.accounts.update_user(account.name, disabled=True)
    audit(
        uow,
        Actor(INACTIVITY_ACTOR, who.workstation),
        "account.disable",
        account.name,
        now,
        details={
            "why": f"not used for more than {days} days",
            "last_used_at": last.astimezone(dt.UTC).isoformat(),
        },
    )
    error = SignInError(
        f"This account was not used for more than {days} days and has been disabled "
        "(a rule for criminal-justice systems). Ask an administrator to enable it."
    )
    _deny(uow, who, now, {"why": "inactive account disabled"}, error)


INACTIVITY_ACTOR = "system:inactivity"
INACTIVE_DAYS_KEY = "inactive_account_days"


def inactive_days(uow: UnitOfWork) -> int:
    from .notices import DEFAULT_INACTIVE_DAYS

    value = uow.accounts.setting(INACTIVE_DAYS_KEY)
    return int(value) if value else DEFAULT_INACTIVE_DAYS


# What counts as using an account, or as an administrator giving it a fresh start.
_ACTIVITY = (
    ("sign_in", "user"),
    ("account.create", "target"),
    ("account.enable", "target"),
    ("account.recover", "target"),
    ("account.password_reset", "target"),
    ("account.unlock", "target"),
)


def last_activity(uow: UnitOfWork, account: UserRecord) -> dt.datetime:
    """When the account was last signed in to, or created, enabled, recovered or reset."""
    latest = account.created_at
    for action, by in _ACTIVITY:
        if by == "user":
            moment = uow.audit.last_time(action, "success", user_name=account.name)
        else:
            moment = uow.audit.last_time(action, "success", target=account.name)
        if moment is not None and moment > latest:
            latest = moment
    return latest


def _recent_failures(uow: UnitOfWork, user_name: str, now: dt.datetime) -> int:
    """Failed sign-ins within the lockout window since the last success, lock, unlock or
    recovery (a lock that has ended gives five more tries, not one)."""
    since = now - acc.LOCKOUT_WINDOW
    moments = (
        uow.audit.last_time("sign_in", "success", user_name=user_name),
        uow.audit.last_time("account.lockout", "success", target=user_name),
        uow.audit.last_time("account.unlock", "success", target=user_name),
        uow.audit.last_time("account.recover", "success", target=user_name),
    )
    for moment in moments:
        if moment is not None and moment > since:
            since = moment
    return uow.audit.count_since(user_name, "sign_in", FAILURE, since)


def _lockout_minutes(uow: UnitOfWork) -> int:
    value = uow.accounts.setting(LOCKOUT_MINUTES_KEY)
    return int(value) if value else acc.DEFAULT_LOCKOUT_MINUTES


def lockout_minutes(uow: UnitOfWork) -> int:
    """How long an account stays locked after too many failed sign-ins."""
    with uow:
        return _lockout_minutes(uow)


def sign_out(uow: UnitOfWork, actor: Actor, now: dt.datetime, reason: str = "signed out") -> None:
    with uow:
        audit(uow, actor, "sign_out", actor.user, now, details={"why": reason})
        uow.commit()


def lock_session(uow: UnitOfWork, actor: Actor, now: dt.datetime, idle: bool) -> None:
    with uow:
        audit(
            uow,
            actor,
            "session.lock",
            actor.user,
            now,
            details={"why": "inactivity" if idle else "on demand"},
        )
        uow.commit()


def resume_session(
    uow: UnitOfWork, security: Security, actor: Actor, password: str, now: dt.datetime
) -> Actor:
    """The same user unlocks their locked session with their password. Only the password:
    the second factor was proved when the session began, and the session never ended
    (the lock only hid the screen)."""
    resumed, _codes = _sign_in(
        uow,
        security,
        actor.user,
        password,
        actor.workstation,
        now,
        None,
        None,
        second_factor=False,
    )
    with uow:
        audit(uow, resumed, "session.resume", actor.user, now)
        uow.commit()
    return resumed


# -- administration -----------------------------------------------------------------------


def list_users(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> Sequence[UserRecord]:
    """The accounts as they are in force at ``now``: a lock that has ended is no lock."""
    with uow:
        authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.list", None, now)
        minutes = _lockout_minutes(uow)
        return [
            user
            if acc.is_locked(user.locked_at, now, minutes)
            else dataclasses.replace(user, locked_at=None)
            for user in uow.accounts.users()
        ]


def _existing(uow: UnitOfWork, name: str) -> UserRecord:
    account = uow.accounts.user(_check_name(name))
    if account is None:
        raise NotFoundError(f"there is no account named {acc.normalize_user_name(name)}")
    return account


def unlock_user(uow: UnitOfWork, actor: Actor, name: str, now: dt.datetime) -> None:
    name = _check_name(name)  # before the refusal of a non-admin stores it
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.unlock", name, now)
        account = _existing(uow, name)
        if account.locked_at is None:
            raise RecordError(f"the account {account.name} is not locked")
        uow.accounts.update_user(account.name, locked_at=None)
        audit(uow, actor, "account.unlock", account.name, now)
        uow.commit()


def set_roles(
    uow: UnitOfWork, actor: Actor, name: str, roles: Iterable[str], now: dt.datetime
) -> None:
    chosen = _check_roles(roles)
    name = _check_name(name)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.roles", name, now)
        account = _existing(uow, name)
        if (
            account.name == actor.user
            and acc.ADMIN not in chosen
            and _other_admins(uow, account.name) == 0
        ):
            raise RecordError("the last administrator cannot give up the admin role")
        uow.accounts.update_user(account.name, roles=chosen)
        audit(
            uow,
            actor,
            "account.roles",
            account.name,
            now,
            details={"before": sorted(account.roles), "after": sorted(chosen)},
        )
        uow.commit()


def set_disabled(
    uow: UnitOfWork, actor: Actor, name: str, disabled: bool, now: dt.datetime
) -> None:
    action = "account.disable" if disabled else "account.enable"
    name = _check_name(name)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, action, name, now)
        account = _existing(uow, name)
        if disabled and account.name == actor.user:
            raise RecordError("you cannot disable your own account")
        uow.accounts.update_user(account.name, disabled=disabled)
        audit(uow, actor, action, account.name, now)
        uow.commit()


def _other_admins(uow: UnitOfWork, except_name: str) -> int:
    return sum(
        1
        for u in uow.accounts.users()
        if u.name != except_name and acc.ADMIN in u.roles and not u.disabled
    )


def change_password(
    uow: UnitOfWork,
    security: Security,
    actor: Actor,
    old_password: str,
    new_password: str,
    now: dt.datetime,
) -> None:
    """A user changes their own password (the old one is required)."""
    secret = _check_password(security, new_password, actor.user)
    with uow:
        account = _existing(uow, actor.user)
        if not security.hasher.verify(account.password_hash, acc.normalize_password(old_password)):
            audit(
                uow,
                actor,
                "account.password",
                account.name,
                now,
                FAILURE,
                {"why": "wrong current password"},
            )
            uow.commit()
            raise RecordError("The current password is not right; the password was not changed.")
        _set_password(uow, security, actor, account.name, secret, "account.password", now)


def reset_password(
    uow: UnitOfWork,
    security: Security,
    actor: Actor,
    name: str,
    new_password: str,
    now: dt.datetime,
) -> None:
    """An administrator sets a new password for someone (e.g. after they forgot it)."""
    user_name = _check_name(name)
    secret = _check_password(security, new_password, user_name)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.password_reset", user_name, now)
        account = _existing(uow, user_name)
        _set_password(uow, security, actor, account.name, secret, "account.password_reset", now)


def _set_password(
    uow: UnitOfWork,
    security: Security,
    actor: Actor,
    name: str,
    secret: str,
    action: str,
    now: dt.datetime,
) -> None:
    """The account's new password stored (hashed), audited as ``action``, committed."""
    uow.accounts.update_user(
        name, password_hash=security.hasher.hash(secret), password_changed_at=now
    )
    audit(uow, actor, action, name, now)
    uow.commit()


def recover_administrator(
    uow: UnitOfWork,
    security: Security,
    name: str,
    new_password: str,
    operating_system_account: str,
    workstation: str,
    now: dt.datetime,
) -> UserRecord:
    """Break-glass: give an administrator's account a new password, and end its lock (or
    its disabling), without anyone signing in.

    Only for the operating-system account that owns the data folder and the SQLite file
    (the caller checks it: see ``paths.recovery_problem``). That account can change the
    records' file at will anyway; this gives it the one change a county locked out of its
    own records needs, on the record: the audit trail names the operating-system account.
    """
    user_name = _check_name(name)
    secret = _check_password(security, new_password, user_name)
    password_hash = security.hasher.hash(secret)
    with uow:
        account = uow.accounts.user(user_name)
        if account is None:
            raise NotFoundError(f"there is no account named {user_name}")
        if acc.ADMIN not in account.roles:
            raise RecordError(
                f"{account.name} is not an administrator: recovery is for an administrator's "
                "account, and an administrator then unlocks or resets everyone else's"
            )
        uow.accounts.update_user(
            account.name,
            locked_at=None,
            disabled=False,
            password_hash=password_hash,
            password_changed_at=now,
            # A lost phone, or a workstation without the second-factor key, is as much a
            # lock-out as a forgotten password: the administrator sets up a new one.
            second_factor=None,
            second_factor_step=None,
            recovery_codes=(),
            # A directory account recovered here signs in locally from now on (the
            # directory may be what is out of reach).
            directory=None,
        )
        who = Actor(f"os:{acc.shown_name(operating_system_account)}", workstation)
        audit(
            uow,
            who,
            "account.recover",
            account.name,
            now,
            details={
                "operating_system_account": acc.shown_name(operating_system_account),
                "was_locked": account.locked_at is not None,
                "was_disabled": account.disabled,
                "password": "set anew",
                "second_factor": "reset" if account.second_factor else "none",
                **({"directory": "now a local account"} if account.directory else {}),
            },
        )
        uow.commit()
        recovered = uow.accounts.user(account.name)
    assert recovered is not None
    return recovered


# -- settings and the audit trail ---------------------------------------------------------


def session_timeout_minutes(uow: UnitOfWork) -> int:
    with uow:
        value = uow.accounts.setting(SESSION_TIMEOUT_KEY)
    return int(value) if value else acc.DEFAULT_SESSION_TIMEOUT_MINUTES


def set_session_timeout(uow: UnitOfWork, actor: Actor, minutes: int, now: dt.datetime) -> None:
    problem = acc.session_timeout_problem(minutes)
    if problem:
        raise RecordError(problem)
    with uow:
        actor = authorize(
            uow, actor, acc.MANAGE_SETTINGS, "settings.change", SESSION_TIMEOUT_KEY, now
        )
        before = uow.accounts.setting(SESSION_TIMEOUT_KEY)
        uow.accounts.set_setting(SESSION_TIMEOUT_KEY, str(minutes), now, actor.user)
        audit(
            uow,
            actor,
            "settings.change",
            SESSION_TIMEOUT_KEY,
            now,
            details={"before": before, "after": minutes},
        )
        uow.commit()


def audit_trail(
    uow: UnitOfWork, actor: Actor, query: AuditQuery, now: dt.datetime
) -> Sequence[AuditEvent]:
    if query.limit < 1:
        raise RecordError("the page size must be at least 1")
    with uow:
        authorize(uow, actor, acc.VIEW_AUDIT, "audit.view", None, now)
        return list(uow.audit.find(query))


def record_event(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    target: str | None,
    now: dt.datetime,
    details: dict[str, object] | None = None,
) -> None:
    """An audit event for something done outside the record store (a PDF printed, ...)."""
    with uow:
        audit(uow, actor, action, target, now, details=dict(details or {}))
        uow.commit()
