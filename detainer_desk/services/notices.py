"""The notices and hygiene rules of the FBI CJIS Security Policy that the installation
keeps: the system-use notification shown before anyone types a password (5.5.4), and how
long an account may go unused before it is disabled (AC-2(3); v5.9.x 5.5.1)."""

from __future__ import annotations

from typing import Final

from .ports import UnitOfWork

NOTICE_KEY = "system_use_notice"
MAX_NOTICE_LENGTH: Final = 4000
DEFAULT_INACTIVE_DAYS: Final = 90
MAX_INACTIVE_DAYS: Final = 90  # CJIS AC-2(3): disabled after at most 90 days unused
MIN_INACTIVE_DAYS: Final = 1

# CJIS 5.5.4 asks that the notice say the system is restricted to authorized use, that use
# may be monitored, recorded and audited, that unauthorized use is prohibited and subject to
# criminal and civil penalties, and that using the system is consent to monitoring.
DEFAULT_NOTICE: Final = (
    "AUTHORIZED USE ONLY. This system holds criminal justice information and is for the "
    "use of authorized county staff only, for official purposes. Use of this system may be "
    "monitored, recorded and audited; everything done in it is recorded under your name. "
    "Unauthorized use or disclosure is prohibited and may lead to criminal and civil "
    "penalties. By signing in you consent to this monitoring and recording."
)


def system_use_notice(uow: UnitOfWork) -> str:
    """The text shown before the password: the administrator's, or the default."""
    with uow:
        text = uow.accounts.setting(NOTICE_KEY)
    return text.strip() if text and text.strip() else DEFAULT_NOTICE


def notice_problem(text: str) -> str | None:
    if len(text) > MAX_NOTICE_LENGTH:
        return f"the system-use notice must be at most {MAX_NOTICE_LENGTH:,} characters"
    if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
        return "the system-use notice may hold text and line breaks only"
    return None


def inactive_days_problem(days: int) -> str | None:
    if not MIN_INACTIVE_DAYS <= days <= MAX_INACTIVE_DAYS:
        return (
            f"accounts must be disabled after {MIN_INACTIVE_DAYS} to {MAX_INACTIVE_DAYS} days "
            "without use (at most 90: FBI CJIS Security Policy AC-2(3))"
        )
    return None
