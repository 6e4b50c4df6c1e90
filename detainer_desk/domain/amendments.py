"""The rules for adding a later fact to a recorded decision (an amendment).

A recorded decision is never changed; these rules say which amendments may be added to it,
by whom, and what a new fact does to the hold window. Each ``*_problem`` function returns
the sentence that refuses the amendment, or None when the rule is met; the service that
records amendments asks them in the order a person would want to hear them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from . import accounts as acc
from . import lifecycle as lc
from .clock import HoldWindowRule, hold_until
from .outcomes import OVERRIDE_OUTCOMES, Outcome, is_holding
from .timeline import CLOCK_SKEW, is_whole_minute
from .timetext import short_time

# Facts that say when something happened, and cannot be added without that time.
TIMED_KINDS = frozenset({lc.RELEASE_ELIGIBLE, lc.ICE_CUSTODY, lc.RELEASED})
# A supervisor's review of a decision: the four-eyes rule applies to these.
REVIEW_KINDS = frozenset({lc.COUNTERSIGN, lc.OVERRIDE})


def permission_for(kind: str) -> str:
    """The permission an amendment of ``kind`` needs: reviewing for a countersign or an
    override, amending for every other fact."""
    return acc.REVIEW_DECISION if kind in REVIEW_KINDS else acc.AMEND_DECISION


def kind_problem(kind: str) -> str | None:
    if kind not in lc.AMENDMENT_KINDS:
        return f"'{kind}' is not a kind of amendment"
    return None


def missing_problem(kind: str, reason: str | None, effective_at: dt.datetime | None) -> str | None:
    """An override, a lift or a correction says why in writing; a release, a transfer to ICE
    or a release-eligible time says when."""
    if kind in lc.REASON_REQUIRED and not reason:
        return f"a written reason is required for: {lc.AMENDMENT_WORDS[kind].lower()}"
    if kind in TIMED_KINDS and effective_at is None:
        return "the date and time it happened is required"
    return None


def closed_problem(decision_id: int, state: lc.DecisionState, kind: str) -> str | None:
    """Once nobody is held on the detainer, only a correction or a fact for the reports can
    be added: a reporting fact may come after the hold ended (the report is made months
    later)."""
    if state.closed and kind != lc.CORRECTION and kind not in lc.REPORT_FACT_KINDS:
        return (
            f"decision {decision_id} is closed ({state.status}); only a correction or a "
            "fact for the reports can be added"
        )
    return None


def bail_time_problem(posted_at: dt.datetime, now: dt.datetime, zone: dt.tzinfo) -> str | None:
    """Bail may be posted before the detainer came (5 ILCS 805/25(a)(2)(B) asks when), but
    not in the future, and in whole minutes like every custody fact."""
    if not is_whole_minute(posted_at):
        return "bail posted: give the time in whole minutes, without seconds"
    if posted_at > now + CLOCK_SKEW:
        return (
            f"bail posted cannot be in the future: {short_time(posted_at, zone)} is after the "
            f"time now ({short_time(now, zone)})"
        )
    return None


def override_problem(state: lc.DecisionState, outcome: object) -> str | None:
    """An override names an outcome a decision can have (not another review), and replaces
    the outcome in force; to the same outcome it changes nothing."""
    if outcome not in OVERRIDE_OUTCOMES:
        *others, last = OVERRIDE_OUTCOMES
        return f"an override must name the new outcome: {', '.join(others)} or {last}"
    if outcome == state.outcome:
        return f"the outcome is already {outcome}: that is a countersign, not an override"
    return None


def four_eyes_problem(kind: str, user: str, recorded_by: str) -> str | None:
    """Four eyes: a decision is countersigned or overridden by someone other than the
    officer who recorded it."""
    if kind in REVIEW_KINDS and user == recorded_by:
        return (
            "the officer who recorded a decision cannot countersign or override it; "
            "another supervisor must"
        )
    return None


@dataclass(frozen=True, slots=True)
class NewHoldWindow:
    """The hold's end worked out again from a new fact, and what the amendment records of it
    (``details``: the keys stored with the amendment, so that the state can be derived)."""

    hold_until: dt.datetime
    window_closed: bool = False  # the new end had passed when the fact was recorded
    after_override: bool = False

    def details(self) -> dict[str, Any]:
        if self.after_override:
            return {"hold_until": self.hold_until.isoformat()}
        return {
            "hold_until": self.hold_until.isoformat(),
            "window_closed_when_recorded": self.window_closed,
        }


def hold_after_release_eligible(
    state: lc.DecisionState,
    tentative_outcome: str | None,
    release_eligible_at: dt.datetime,
    rule: HoldWindowRule,
    zone: ZoneInfo,
    now: dt.datetime,
) -> NewHoldWindow | None:
    """The release-eligible time became known: a hold (in force, or awaiting review) gets
    its deadline, counted from that time under the policy's window. None: nobody is held."""
    if not is_holding(state.outcome, tentative_outcome):
        return None
    until = hold_until(release_eligible_at, rule, zone)
    return NewHoldWindow(until, window_closed=now >= until)


def hold_after_override(
    state: lc.DecisionState, outcome: str, rule: HoldWindowRule, zone: ZoneInfo
) -> NewHoldWindow | None:
    """An override to a hold counts the window from the release-eligible time already known
    (None when it is not known yet, or the new outcome is no hold: then no deadline runs)."""
    if outcome != Outcome.HOLD or state.release_eligible_at is None:
        return None
    return NewHoldWindow(hold_until(state.release_eligible_at, rule, zone), after_override=True)
