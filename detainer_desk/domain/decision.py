"""The decision (contract section 4): what the jail may do, and every reason why."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .headline import headline
from .timetext import instant_in_own_zone, long_time
from .vocabulary import ACTIONS

# Reason.result values
PERMITTED = "permitted"
NOT_PERMITTED = "not permitted"
WINDOW_CLOSED = "window closed"
NOT_REQUESTED = "not requested"
REVIEW_REQUIRED = "review required"


@dataclass(frozen=True, slots=True)
class Reason:
    action: str  # hold, transfer, notify, or review
    result: str
    text: str
    citation: str

    def to_contract(self) -> dict[str, str]:
        return {
            "action": self.action,
            "result": self.result,
            "text": self.text,
            "citation": self.citation,
        }


@dataclass(frozen=True, slots=True)
class Decision:
    outcome: str
    tentative_outcome: str | None
    hold_until: dt.datetime | None
    permitted: Mapping[str, bool]
    review_triggers: tuple[str, ...]
    reasons: tuple[Reason, ...]
    policy_name: str
    policy_sha256: str
    evaluated_at: dt.datetime
    window_closed: bool = False

    @property
    def effective_outcome(self) -> str:
        """What the jail would do once a supervisor agrees: the tentative outcome under review."""
        return self.tentative_outcome or self.outcome

    def headline(self, zone: dt.tzinfo | None = None) -> str:
        """The outcome in the words an officer sees first (HOLD until ..., NOTIFY ONLY ...),
        with the deadline in ``zone`` (the county's), else in the policy's own."""
        return headline(
            self.outcome,
            self.tentative_outcome,
            self.hold_until,
            lambda moment: long_time(moment, zone or moment.tzinfo or dt.UTC),
        ).text

    def to_contract(self) -> dict[str, Any]:
        """The decision exactly as ``detainer-desk check --json`` prints it."""
        return {
            "outcome": self.outcome,
            "tentative_outcome": self.tentative_outcome,
            "hold_until": self.hold_until.isoformat() if self.hold_until else None,
            "permitted": {action: bool(self.permitted[action]) for action in ACTIONS},
            "review_triggers": list(self.review_triggers),
            "reasons": [reason.to_contract() for reason in self.reasons],
            "policy": {"name": self.policy_name, "sha256": self.policy_sha256},
        }


def format_instant_for_people(moment: dt.datetime) -> str:
    """``Fri 13 Feb 2026, 15:00 PST (UTC-08:00)`` in the instant's own zone (the policy's,
    for a decision as the contract computes it); see ``timetext``."""
    return instant_in_own_zone(moment)
