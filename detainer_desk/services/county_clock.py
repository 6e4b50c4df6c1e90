"""The county's clock: its timezone is one setting of the installation, read here and
nowhere else. Every screen, PDF and command that shows a time, and every use case that
reads a time typed without an offset, asks this module which zone that is.

An installation set up before the setting existed has it empty: its zone is then the
active policy's (the zone its records screens used), until an administrator saves one or
activates a policy, which writes it. With neither, the zone is UTC and is said to be unset.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .policies import load_policy
from .ports import UnitOfWork

TIMEZONE_KEY: Final = "county_timezone"

SETTING: Final = "setting"  # the installation's setting
ACTIVE_POLICY: Final = "active policy"  # not set yet: the policy in force's zone (upgrades)
UNSET: Final = "unset"  # neither: UTC, until one is chosen


@dataclass(frozen=True, slots=True)
class CountyZone:
    name: str  # an IANA name
    source: str  # SETTING, ACTIVE_POLICY or UNSET

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.name)

    @property
    def is_set(self) -> bool:
        return self.source == SETTING


def _valid(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def read_county_zone(uow: UnitOfWork) -> CountyZone:
    """Which zone is the county's, and where that comes from (joins an open transaction)."""
    with uow:
        stored = (uow.accounts.setting(TIMEZONE_KEY) or "").strip()
        if stored and _valid(stored):
            return CountyZone(stored, SETTING)
        activation = uow.records.active_policy()
    if activation is not None:
        return CountyZone(load_policy(activation.policy).timezone, ACTIVE_POLICY)
    return CountyZone("UTC", UNSET)


def county_zone(uow: UnitOfWork) -> ZoneInfo:
    """The county's timezone, to show times in and to read typed wall-clock times in."""
    return read_county_zone(uow).zone
