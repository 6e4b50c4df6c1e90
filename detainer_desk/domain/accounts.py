"""Accounts, roles and what each role may do; password and lockout rules.

Detainer records are criminal-justice information (FBI CJIS Security Policy): every use
case checks the actor's role in the services, not only the buttons in the window.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Final

OFFICER: Final = "officer"
SUPERVISOR: Final = "supervisor"
COUNSEL: Final = "counsel"
ADMIN: Final = "admin"
ROLES: Final = (OFFICER, SUPERVISOR, COUNSEL, ADMIN)

ROLE_WORDS: Final = {
    OFFICER: "intake officer (enter, check, record, print)",
    SUPERVISOR: "supervisor (also review, countersign, override, amend)",
    COUNSEL: "county counsel (search, view, export; no recording)",
    ADMIN: "administrator (accounts, policies, settings; not deciding)",
}

# Permissions: what a use case needs.
RECORD_DECISION: Final = "record decisions"
AMEND_DECISION: Final = "amend decisions"
REVIEW_DECISION: Final = "countersign or override decisions"
VIEW_RECORDS: Final = "view and search records"
PRINT_RECORDS: Final = "print records"
EXPORT_RECORDS: Final = "export records"
MANAGE_ACCOUNTS: Final = "manage accounts"
MANAGE_POLICIES: Final = "activate policies"
MANAGE_SETTINGS: Final = "change settings"
VIEW_AUDIT: Final = "view the audit trail"
VIEW_POLICIES: Final = "view the policy history"
# A backup holds every record (criminal-justice information), and a restore replaces them.
MANAGE_BACKUPS: Final = "back up and restore the records"
# A checkpoint vouches for the whole record under the installation's key: those who answer
# for the record sign one (counsel's exports carry one made under the export's own right).
MAKE_CHECKPOINT: Final = "sign checkpoints of the record"
# Which other installations' checkpoint keys this one accepts.
TRUST_KEYS: Final = "trust checkpoint keys"

# The reports the law asks of the county: anonymised counts, signed by the sheriff or the
# jail's administrator and prepared with counsel (5 ILCS 805/25; Gov. Code 7283.1(d); ...).
MAKE_LAW_REPORTS: Final = "make the reports the law asks for"

PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    OFFICER: frozenset({RECORD_DECISION, VIEW_RECORDS, PRINT_RECORDS, VIEW_POLICIES}),
    SUPERVISOR: frozenset(
        {
            RECORD_DECISION,
            AMEND_DECISION,
            REVIEW_DECISION,
            VIEW_RECORDS,
            PRINT_RECORDS,
            VIEW_POLICIES,
            MAKE_CHECKPOINT,
            MAKE_LAW_REPORTS,
        }
    ),
    COUNSEL: frozenset(
        {VIEW_RECORDS, PRINT_RECORDS, EXPORT_RECORDS, VIEW_AUDIT, VIEW_POLICIES, MAKE_LAW_REPORTS}
    ),
    ADMIN: frozenset(
        {
            MANAGE_ACCOUNTS,
            MANAGE_POLICIES,
            MANAGE_SETTINGS,
            VIEW_AUDIT,
            MANAGE_BACKUPS,
            VIEW_POLICIES,
            MAKE_CHECKPOINT,
            TRUST_KEYS,
            MAKE_LAW_REPORTS,
        }
    ),
}
ALL_PERMISSIONS: Final = frozenset().union(*PERMISSIONS.values())


def may(roles: Iterable[str], permission: str) -> bool:
    return any(permission in PERMISSIONS.get(role, frozenset()) for role in roles)


# -- names and passwords ------------------------------------------------------------------

MIN_PASSWORD_LENGTH: Final = 8
MAX_PASSWORD_LENGTH: Final = 1024  # a passphrase, not a file: keeps hashing bounded
MAX_USER_NAME_LENGTH: Final = 64
_NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
# How much of a name that is not a user name is kept (in the audit trail of a failed
# sign-in) or shown: enough to recognise a typing slip, never a document pasted in.
SHOWN_NAME_LENGTH: Final = 64


def normalize_user_name(name: str) -> str:
    return name.strip().casefold()


def user_name_problem(name: str) -> str | None:
    # Judged before anything is stored or looked up; a long paste is refused unread.
    if len(name) > 4 * MAX_USER_NAME_LENGTH or not _NAME_RE.fullmatch(normalize_user_name(name)):
        return (
            "a user name is 2 to 64 letters, digits, dots, dashes or underscores, "
            "starting with a letter or digit (e.g. j.smith)"
        )
    return None


def shown_name(given: str) -> str:
    """A name as typed, safe to keep and to print: at most 64 characters of it, every
    control or invisible character (escape, newline, a lone surrogate) and the backslash
    written as an escape, and the length said when it was cut."""
    kept = "".join(
        ch if ch.isprintable() and ch != "\\" else _escaped(ch) for ch in given[:SHOWN_NAME_LENGTH]
    )
    if len(given) > SHOWN_NAME_LENGTH:
        kept += f"… ({len(given):,} characters)"
    return kept


def _escaped(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def normalize_password(password: str) -> str:
    # NIST SP 800-63B: apply Unicode normalization so the same passphrase typed on two
    # keyboards is the same secret. Nothing is ever truncated.
    return unicodedata.normalize("NFKC", password)


def password_problems(password: str, user_name: str, is_common: Callable[[str], bool]) -> list[str]:
    """Why a new password is refused (empty: it is acceptable). Any Unicode is allowed."""
    normalized = normalize_password(password)
    problems = []
    if len(normalized) < MIN_PASSWORD_LENGTH:
        problems.append(f"it must have at least {MIN_PASSWORD_LENGTH} characters")
    if len(normalized) > MAX_PASSWORD_LENGTH:
        problems.append(f"it must have at most {MAX_PASSWORD_LENGTH} characters")
    if normalized.casefold() == normalize_user_name(user_name):
        problems.append("it must not be the user name")
    elif is_common(normalized):
        problems.append("it is on the list of commonly used passwords; choose another")
    return problems


# -- lockout and session lock -------------------------------------------------------------

# FBI CJIS Security Policy 5.5.3: no more than 5 consecutive invalid attempts; then the
# account is locked for at least 10 minutes, unless an administrator releases it. The
# lock always ends by itself, so that nobody who can start the program (and type five
# wrong passwords) can lock the county's only administrator out for good.
LOCKOUT_FAILURES: Final = 5
LOCKOUT_WINDOW: Final = dt.timedelta(minutes=15)
DEFAULT_LOCKOUT_MINUTES: Final = 30
MIN_LOCKOUT_MINUTES: Final = 10  # CJIS 5.5.3
MAX_LOCKOUT_MINUTES: Final = 24 * 60
DEFAULT_SESSION_TIMEOUT_MINUTES: Final = 15
MAX_SESSION_TIMEOUT_MINUTES: Final = 30


def should_lock(failures_in_window: int) -> bool:
    """After 5 failed sign-ins within 15 minutes the account locks (for a while)."""
    return failures_in_window >= LOCKOUT_FAILURES


def lock_ends_at(locked_at: dt.datetime, lockout_minutes: int) -> dt.datetime:
    return locked_at + dt.timedelta(minutes=lockout_minutes)


def is_locked(locked_at: dt.datetime | None, now: dt.datetime, lockout_minutes: int) -> bool:
    """Whether a lock taken at ``locked_at`` is still in force at ``now``."""
    return locked_at is not None and now < lock_ends_at(locked_at, lockout_minutes)


def minutes_left(locked_at: dt.datetime, now: dt.datetime, lockout_minutes: int) -> int:
    """Whole minutes until the lock ends, rounded up (at least 1 while it lasts)."""
    seconds = (lock_ends_at(locked_at, lockout_minutes) - now).total_seconds()
    return max(1, -int(-seconds // 60))


def lockout_minutes_problem(minutes: int) -> str | None:
    if not MIN_LOCKOUT_MINUTES <= minutes <= MAX_LOCKOUT_MINUTES:
        return (
            f"a locked account must stay locked for {MIN_LOCKOUT_MINUTES} to "
            f"{MAX_LOCKOUT_MINUTES} minutes (at least {MIN_LOCKOUT_MINUTES}: FBI CJIS "
            "Security Policy 5.5.3)"
        )
    return None


def session_timeout_problem(minutes: int) -> str | None:
    if not 1 <= minutes <= MAX_SESSION_TIMEOUT_MINUTES:
        return f"the session lock must start after 1 to {MAX_SESSION_TIMEOUT_MINUTES} minutes of inactivity"
    return None
