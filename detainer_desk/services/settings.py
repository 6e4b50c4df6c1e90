"""The installation's settings: the names printed on every PDF, the county's timezone,
when hold alerts fire, when the window locks, and how long a locked account stays locked.
Admin only; every change is audited.

The county's timezone is the one the policy in force reads times in: a new one makes the
policy in force active again with that zone, in the same audited step (``save_settings``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING
from zoneinfo import available_timezones

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import limits
from detainer_desk.domain.text import quoted

from . import notices
from .access import LOCKOUT_MINUTES_KEY, RecordError, audit, authorize
from .accounts import INACTIVE_DAYS_KEY, SESSION_TIMEOUT_KEY
from .county_clock import ACTIVE_POLICY, TIMEZONE_KEY, read_county_zone
from .documents import COUNTY_NAME_KEY, JAIL_NAME_KEY
from .ports import Actor, UnitOfWork
from .second_factor import OFF, ON, REQUIRED_KEY

if TYPE_CHECKING:
    from .records import ActivationResult

__all__ = ["TIMEZONE_KEY", "InstallationSettings", "read_settings", "save_settings"]
ALERT_FIRST_KEY = "alert_first_minutes"
ALERT_SECOND_KEY = "alert_second_minutes"


@dataclass(frozen=True, slots=True)
class InstallationSettings:
    county_name: str = ""
    jail_name: str = ""
    timezone: str = ""  # the county's IANA zone; empty: not set yet (no policy either)
    alert_first_minutes: int = 240  # the first warning before hold_until
    alert_second_minutes: int = 60
    session_timeout_minutes: int = acc.DEFAULT_SESSION_TIMEOUT_MINUTES
    # How long an account stays locked after five failed sign-ins (CJIS 5.5.3: 10 at least).
    lockout_minutes: int = acc.DEFAULT_LOCKOUT_MINUTES
    # A second factor at every sign-in (CJIS 5.6.2.2). A new installation says "on"; an
    # upgraded one that never chose reads as off (see services/second_factor.py); the
    # set-up wizard says which.
    second_factor_required: bool = False
    # Accounts not used for this many days are disabled at their next sign-in (CJIS AC-2(3)).
    inactive_days: int = notices.DEFAULT_INACTIVE_DAYS
    # The system-use notification shown before the password (CJIS 5.5.4); empty: the default.
    system_use_notice: str = ""

    @property
    def warnings(self) -> tuple[dt.timedelta, dt.timedelta]:
        return dt.timedelta(minutes=self.alert_first_minutes), dt.timedelta(
            minutes=self.alert_second_minutes
        )


_KEYS = {
    "county_name": COUNTY_NAME_KEY,
    "jail_name": JAIL_NAME_KEY,
    "timezone": TIMEZONE_KEY,
    "alert_first_minutes": ALERT_FIRST_KEY,
    "alert_second_minutes": ALERT_SECOND_KEY,
    "session_timeout_minutes": SESSION_TIMEOUT_KEY,
    "lockout_minutes": LOCKOUT_MINUTES_KEY,
    "second_factor_required": REQUIRED_KEY,
    "inactive_days": INACTIVE_DAYS_KEY,
    "system_use_notice": notices.NOTICE_KEY,
}


def read_settings(uow: UnitOfWork) -> InstallationSettings:
    """The settings; the timezone is the county's as ``county_clock`` reads it (an
    installation upgraded without one shows the active policy's, saved with the next save)."""
    defaults = InstallationSettings()
    values: dict[str, object] = {}
    with uow:
        for field, key in _KEYS.items():
            stored = uow.accounts.setting(key)
            default = getattr(defaults, field)
            if isinstance(default, bool):
                values[field] = stored == ON  # absent (an upgraded store): not required
                continue
            if stored is None:
                continue
            values[field] = int(stored) if isinstance(default, int) else stored
        county = read_county_zone(uow)
    if county.source == ACTIVE_POLICY:
        values["timezone"] = county.name
    return InstallationSettings(**{**asdict(defaults), **values})


@dataclass(frozen=True, slots=True)
class SettingsSaved:
    changed: tuple[str, ...]  # the fields that changed
    # The policy in force, activated again in the new timezone (None: nothing to do).
    reactivated: ActivationResult | None = None


def settings_problems(settings: InstallationSettings) -> dict[str, str]:
    """What is wrong, by field name, in plain words (empty: all good)."""
    problems: dict[str, str] = {}
    # Empty means "not set yet" (the PDFs then say so); only spaces is a typing slip.
    if settings.county_name and not settings.county_name.strip():
        problems["county_name"] = "enter the county's name; it is printed on every record"
    if settings.jail_name and not settings.jail_name.strip():
        problems["jail_name"] = "enter the jail's name; it is printed on every record"
    for field, label, value in (
        ("county_name", "county's", settings.county_name),
        ("jail_name", "jail's", settings.jail_name),
    ):
        if len(value or "") > limits.PLACE_CHARACTERS:
            problems[field] = (
                f"the {label} name is {len(value or ''):,} characters long; at most "
                f"{limits.PLACE_CHARACTERS} are accepted (it heads every page of every record)"
            )
    if settings.timezone and settings.timezone not in available_timezones():
        problems["timezone"] = (
            f"{quoted(settings.timezone)} is not a timezone name like America/Chicago"
        )
    first, second = settings.alert_first_minutes, settings.alert_second_minutes
    if not 0 < second < first <= 48 * 60:
        problems["alert_first_minutes"] = (
            "the first alert must come before the second, both within 48 hours of the deadline"
        )
    timeout_problem = acc.session_timeout_problem(settings.session_timeout_minutes)
    if timeout_problem:
        problems["session_timeout_minutes"] = timeout_problem
    lockout_problem = acc.lockout_minutes_problem(settings.lockout_minutes)
    if lockout_problem:
        problems["lockout_minutes"] = lockout_problem
    inactive_problem = notices.inactive_days_problem(settings.inactive_days)
    if inactive_problem:
        problems["inactive_days"] = inactive_problem
    notice_problem = notices.notice_problem(settings.system_use_notice)
    if notice_problem:
        problems["system_use_notice"] = notice_problem
    return problems


def save_settings(
    uow: UnitOfWork, actor: Actor, settings: InstallationSettings, now: dt.datetime
) -> SettingsSaved:
    """Store what changed, audited. A new county timezone while a policy of another zone
    is in force activates that policy again in the new zone, in the same transaction (the
    window says so first: ``records.zone_rewrite_of_active``)."""
    from .records import reactivate_in_zone

    problems = settings_problems(settings)
    if problems:
        raise RecordError("; ".join(problems.values()))
    before = read_settings(uow)
    if before.timezone and not settings.timezone.strip():
        raise RecordError("choose the county's timezone: it cannot be left empty once set")
    with uow:
        actor = authorize(uow, actor, acc.MANAGE_SETTINGS, "settings.change", "installation", now)
        # Compared with what is stored: an upgraded installation's zone (the active policy's,
        # not yet a setting) is stored, and audited, with its first save.
        before = replace(before, timezone=(uow.accounts.setting(TIMEZONE_KEY) or "").strip())
        changed = {}
        for field, key in _KEYS.items():
            old, new = getattr(before, field), getattr(settings, field)
            if old != new:
                if isinstance(new, bool):
                    text = ON if new else OFF
                else:
                    text = str(new).strip() if isinstance(new, str) else str(new)
                uow.accounts.set_setting(key, text, now, actor.user)
                changed[field] = {"before": old, "after": new}
        if changed:
            audit(uow, actor, "settings.change", "installation", now, details=changed)
        reactivated = None
        zone = settings.timezone.strip()
        if zone:
            reactivated = reactivate_in_zone(
                uow,
                actor,
                zone,
                now,
                f"The county's timezone is {zone} (Settings): the same policy, in that timezone",
            )
        uow.commit()
    return SettingsSaved(tuple(changed), reactivated)
