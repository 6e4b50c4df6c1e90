"""The second factor at sign-in (CJIS 5.6.2.2): enrolment, codes, recovery codes, resets.

Whether a second factor is required is the installation's setting
``second_factor_required``. A new installation writes it "on" when its first administrator
is created; an existing installation upgraded to this version has no such setting and so
does not require one until an administrator turns it on (its people would otherwise meet
an enrolment screen in the middle of a night shift); until then an administrator is told
at every sign-in. An account that has enrolled always needs its code, required or not.

The TOTP secret is stored sealed (AES-256-GCM) under the installation's second-factor key,
which is a file on each workstation and never in the database: a copy of the database
alone (a stolen backup, a ``pg_dump``) does not give anyone the secrets. The store keeps
the key's identifier (``second_factor_key_id``) so that a workstation with no key, or
another one, says so in plain words instead of sealing secrets nobody else can open.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NoReturn, Protocol

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import second_factor as totp

from .access import RecordError, audit, authorize
from .ports import Actor, UnitOfWork, UserRecord

if TYPE_CHECKING:
    from .accounts import Security

REQUIRED_KEY = "second_factor_required"
KEY_ID_KEY = "second_factor_key_id"
ON, OFF = "on", "off"
ISSUER = "Detainer Desk"


class SecondFactorMachinery(Protocol):
    """The adapter's part: randomness, the HOTP computation, and the sealing key."""

    def new_secret(self) -> bytes: ...
    def new_recovery_codes(self) -> list[str]: ...
    def code(self, secret: bytes, step: int) -> str: ...
    def key_id(self) -> str | None: ...  # None: no key on this workstation
    def create_key(self) -> str: ...
    def seal(self, secret: bytes, account: str) -> str: ...
    def unseal(self, sealed: str, account: str) -> bytes: ...
    @property
    def key_location(self) -> str: ...


class KeyProblem(RecordError):
    """The second-factor key is missing on this workstation, differs from the one the
    store's secrets were sealed with, or cannot be read or written: said in plain words."""


class SecondFactorNeeded(RecordError):
    """The password was right; the account's one-time code is needed as well."""


class EnrolmentNeeded(RecordError):
    """The password was right; the account must set up its second factor first."""


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A second factor being set up: the secret for the authenticator app (as a QR code
    and as text). Nothing is stored until a code from it is typed back."""

    account: str
    secret: bytes
    uri: str

    @property
    def secret_text(self) -> str:
        return totp.secret_text(self.secret)


# -- the setting ----------------------------------------------------------------------------


def required(uow: UnitOfWork) -> bool:
    """Whether every account must have a second factor (call inside ``with uow``)."""
    return uow.accounts.setting(REQUIRED_KEY) == ON


def is_required(uow: UnitOfWork) -> bool:
    with uow:
        return required(uow)


def setting_decided(uow: UnitOfWork) -> bool:
    """False on an installation upgraded from a version without second factors, until an
    administrator chooses (the window and the command line remind them)."""
    with uow:
        return uow.accounts.setting(REQUIRED_KEY) is not None


NOT_REQUIRED_REMINDER = (
    "A second factor is not required at sign-in on this installation. The FBI CJIS "
    "Security Policy (5.6.2.2) asks for multi-factor authentication for every access to "
    "criminal-justice information: turn it on in Admin › Sign-in and notices, or with "
    "'settings --second-factor on'."
)


# -- checking a code at sign-in ---------------------------------------------------------------


def _machinery(security: Security) -> SecondFactorMachinery:
    if security.second_factor is None:
        raise KeyProblem("this program was started without its second-factor machinery")
    return security.second_factor


def _check_key(uow: UnitOfWork, machinery: SecondFactorMachinery, *, create: bool) -> str:
    """The workstation's key id, checked against the store's; a key made now if the store
    has none yet and ``create``. KeyProblem in plain words otherwise."""
    stored = uow.accounts.setting(KEY_ID_KEY)
    mine = machinery.key_id()
    if mine is None:
        if stored is not None or not create:
            raise KeyProblem(
                "this workstation does not have the second-factor key that the accounts' "
                f"codes are checked with (key {stored or 'not made yet'}). Copy the file "
                f"{machinery.key_location} from a workstation that has it (the README says "
                "how), or ask an administrator."
            )
        mine = machinery.create_key()
    if stored is None:
        return mine  # written with the first enrolment (see enrol)
    if stored != mine:
        raise KeyProblem(
            f"the second-factor key on this workstation ({mine}) is not the one this "
            f"installation's accounts use ({stored}). Replace {machinery.key_location} with "
            "the installation's key (the README says how); nothing was changed."
        )
    return mine


def check_code(
    uow: UnitOfWork,
    security: Security,
    account: UserRecord,
    code: str | None,
    now: dt.datetime,
    refuse: Callable[[str], NoReturn],
) -> str | None:
    """After the right password: the second factor of ``account``. Returns how the person
    proved it ("code", "recovery code") or None when none was needed; raises
    EnrolmentNeeded / SecondFactorNeeded (nothing stored), or calls ``refuse`` (which
    audits a failed sign-in, counted towards the lockout, and raises)."""
    if account.second_factor is None:
        if required(uow):
            raise EnrolmentNeeded(
                f"{account.name} has no second factor yet: set one up now (an authenticator "
                "app on a phone), as this installation requires one."
            )
        return None
    if code is None or not code.strip():
        raise SecondFactorNeeded(
            "Enter the 6-digit code from your authenticator app (or one of your recovery codes)."
        )
    machinery = _machinery(security)
    typed = totp.totp_code(code)
    if typed is not None:
        _check_key(uow, machinery, create=False)
        secret = machinery.unseal(account.second_factor, account.name)
        step = _matching_step(machinery, secret, typed, now)
        if step is None:
            refuse("wrong second-factor code")
        if totp.is_replay(step, account.second_factor_step):
            refuse("second-factor code already used")
        uow.accounts.update_user(account.name, second_factor_step=step)
        return "code"
    recovery = totp.recovery_code(code)
    if recovery is not None:
        remaining = list(account.recovery_codes)
        for index, hashed in enumerate(remaining):
            if security.hasher.verify(hashed, recovery):
                del remaining[index]
                uow.accounts.update_user(account.name, recovery_codes=tuple(remaining))
                return f"recovery code ({len(remaining)} left)"
        refuse("wrong recovery code")
    refuse("not a second-factor code")


def _matching_step(
    machinery: SecondFactorMachinery, secret: bytes, code: str, now: dt.datetime
) -> int | None:
    import hmac

    found = None
    for step in totp.candidate_steps(now):
        # Every candidate is computed and compared in constant time (no early exit).
        if hmac.compare_digest(machinery.code(secret, step), code) and found is None:
            found = step
    return found


# -- enrolment ------------------------------------------------------------------------------


def new_enrolment(security: Security, account: str, county: str = "") -> Enrolment:
    """A fresh secret to show; nothing is stored yet."""
    secret = _machinery(security).new_secret()
    issuer = f"{ISSUER} ({county})" if county else ISSUER
    return Enrolment(account, secret, totp.provisioning_uri(secret, account, issuer))


def confirm_enrolment(
    uow: UnitOfWork,
    security: Security,
    account: UserRecord,
    enrolment: Enrolment,
    code: str,
    now: dt.datetime,
    refuse: Callable[[str], NoReturn],
) -> list[str]:
    """Store the enrolment once a code from it is typed back (inside the sign-in's
    transaction, after the password). Returns the recovery codes, to be shown once."""
    if enrolment.account != account.name:
        raise RecordError("that second factor was made for another account")
    machinery = _machinery(security)
    typed = totp.totp_code(code)
    if typed is None:
        raise SecondFactorNeeded(
            "Type the 6-digit code your authenticator app shows for Detainer Desk."
        )
    step = _matching_step(machinery, enrolment.secret, typed, now)
    if step is None:
        refuse("wrong code while setting up the second factor")
    key_id = _check_key(uow, machinery, create=True)
    if uow.accounts.setting(KEY_ID_KEY) is None:
        uow.accounts.set_setting(KEY_ID_KEY, key_id, now, account.name)
    codes = machinery.new_recovery_codes()
    hashed = tuple(security.hasher.hash(code) for code in codes)
    uow.accounts.update_user(
        account.name,
        second_factor=machinery.seal(enrolment.secret, account.name),
        second_factor_step=step,
        recovery_codes=hashed,
    )
    audit(
        uow,
        Actor(account.name, "", account.roles),
        "account.second_factor",
        account.name,
        now,
        details={"change": "enrolled", "key": key_id, "recovery_codes": len(codes)},
    )
    return [totp.shown_recovery_code(code) for code in codes]


# -- administration -------------------------------------------------------------------------


def reset(uow: UnitOfWork, actor: Actor, name: str, now: dt.datetime) -> None:
    """An administrator clears someone's second factor (a lost phone): they set up a new
    one at their next sign-in. Audited."""
    user_name = acc.normalize_user_name(name)
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_ACCOUNTS, "account.second_factor", user_name, now)
        account = uow.accounts.user(user_name)
        if account is None:
            raise RecordError(f"there is no account named {user_name}")
        if account.second_factor is None and not account.recovery_codes:
            raise RecordError(f"{account.name} has no second factor to reset")
        uow.accounts.update_user(
            account.name, second_factor=None, second_factor_step=None, recovery_codes=()
        )
        audit(
            uow,
            actor,
            "account.second_factor",
            account.name,
            now,
            details={"change": "reset by an administrator"},
        )
        uow.commit()


def set_required(uow: UnitOfWork, actor: Actor, on: bool, now: dt.datetime) -> None:
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_SETTINGS, "settings.change", REQUIRED_KEY, now)
        before = uow.accounts.setting(REQUIRED_KEY)
        value = ON if on else OFF
        if before != value:
            uow.accounts.set_setting(REQUIRED_KEY, value, now, actor.user)
            audit(
                uow,
                actor,
                "settings.change",
                REQUIRED_KEY,
                now,
                details={"before": before, "after": value},
            )
        uow.commit()


def recovery_codes_left(account: UserRecord) -> int:
    return len(account.recovery_codes)


def stored_codes(text: str | None) -> tuple[str, ...]:
    """The recovery-code hashes from their column (JSON list)."""
    if not text:
        return ()
    try:
        value = json.loads(text)
    except ValueError:
        return ()
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def codes_column(codes: Sequence[str]) -> str | None:
    return json.dumps(list(codes)) if codes else None
