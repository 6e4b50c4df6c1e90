"""The weekly statistics report: requests received and what the county did with them, so it
can answer public claims about its cooperation with its own verifiable numbers."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.domain import limits
from detainer_desk.domain.clock import start_of_day
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.timetext import MONTH_NAMES, county_day, day_text

from .access import RecordError, audit, authorize
from .county_clock import read_county_zone
from .evidence_model import CountRow, StatisticsReport
from .ports import Actor, UnitOfWork

RECEIVED = "received"
HONORED = "honored (hold or transfer)"
NOTIFY = "notification only"
DECLINED = "declined"
UNDER_REVIEW = "awaiting review"
COLUMNS = (RECEIVED, HONORED, NOTIFY, DECLINED, UNDER_REVIEW)

_TRIGGER_WORDS = {
    "citizenship_claim": "review: possible U.S. citizen",
    "missing_admin_warrant": "review: no signed I-200/I-205",
    "database_only_basis": "review: database match only",
    "immigration_judge_order": "review: immigration judge's order",
    "juvenile": "review: under 18",
    "no_probable_cause": "review: no probable cause stated",
}


def count_axis(highest: int, most_intervals: int = 8) -> tuple[int, int]:
    """A chart's count axis from 0: (top, step), whole numbers, ``top`` a multiple of
    ``step`` and at least ``highest``, with at most ``most_intervals`` steps. Counts are
    whole: an axis of 0, 0.2, 0.4 … printed as integers read "0, 0, 0, 0, 1"."""
    highest = max(int(highest), 1)
    magnitude = 1
    while True:
        for factor in (1, 2, 5):
            step = factor * magnitude
            intervals = -(-highest // step)  # ceiling
            if intervals <= most_intervals:
                return intervals * step, step
        magnitude *= 10


def _column(outcome_in_force: str, status: str) -> str:
    if status == lc.AWAITING_REVIEW:
        return UNDER_REVIEW
    columns: dict[str, str] = {
        Outcome.HOLD: HONORED,
        Outcome.TRANSFER: HONORED,
        Outcome.NOTIFY: NOTIFY,
    }
    return columns.get(outcome_in_force, DECLINED)


def _reasons(decision: Mapping[str, Any]) -> list[str]:
    """The categories a decision counts under in the 'by reason' table."""
    found = [
        _TRIGGER_WORDS.get(str(t), f"review: {t}")
        for t in decision.get("review_triggers", []) or []
    ]
    reasons = decision.get("reasons", []) or []
    results = {(r["action"], r["result"]) for r in reasons if isinstance(r, dict)}
    if ("hold", "window closed") in results:
        found.append("hold window already closed")
    if ("hold", "not permitted") in results:
        found.append("hold not permitted by the policy")
    if ("transfer", "not permitted") in results:
        found.append("transfer not permitted by the policy")
    if ("notify", "not permitted") in results:
        found.append("notification not permitted by the policy")
    return found or ["permitted by the policy"]


@dataclass(frozen=True, slots=True)
class StatisticsTables:
    """The weekly report (what the PDF prints) and the same counts by calendar month."""

    report: StatisticsReport
    by_month: tuple[CountRow, ...]


def weekly_statistics(
    uow: UnitOfWork,
    actor: Actor,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> StatisticsReport:
    """Counts for the county's days ``first_day`` to ``last_day`` (inclusive), weeks from
    Monday."""
    return statistics_tables(uow, actor, first_day, last_day, now).report


def statistics_tables(
    uow: UnitOfWork,
    actor: Actor,
    first_day: dt.date,
    last_day: dt.date,
    now: dt.datetime,
) -> StatisticsTables:
    """One pass over the period: by week (from Monday), by month, by form and by reason.
    Days are the county's (``county_clock``): the screen, its PDF and ``stats`` agree."""
    if last_day < first_day:
        raise RecordError("the period ends before it starts")
    for day in (first_day, last_day):
        if not limits.FIRST_YEAR <= day.year <= limits.LAST_YEAR:
            raise RecordError(
                f"{day} is outside the years {limits.FIRST_YEAR} to {limits.LAST_YEAR}"
            )
    by_week: dict[dt.date, Counter[str]] = defaultdict(Counter)
    by_month: dict[dt.date, Counter[str]] = defaultdict(Counter)
    by_form: dict[str, Counter[str]] = defaultdict(Counter)
    by_reason: dict[str, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    with uow:
        timezone = read_county_zone(uow).name
        zone = ZoneInfo(timezone)
        start = start_of_day(first_day, zone)
        end = start_of_day(last_day + dt.timedelta(days=1), zone)
        actor = authorize(
            uow, actor, acc.VIEW_RECORDS, "statistics.report", f"{first_day}..{last_day}", now
        )
        for received_at, form, outcome, status, decision in uow.records.statistics_rows(start, end):
            local_day = county_day(received_at, zone)
            week = local_day - dt.timedelta(days=local_day.weekday())
            month = local_day.replace(day=1)
            column = _column(outcome, status)
            for counter in (by_week[week], by_month[month], by_form[form], totals):
                counter[RECEIVED] += 1
                counter[column] += 1
            for reason in _reasons(decision):
                by_reason[reason][RECEIVED] += 1
                by_reason[reason][column] += 1
        audit(
            uow,
            actor,
            "statistics.report",
            f"{first_day}..{last_day}",
            now,
            details={"decisions": totals[RECEIVED]},
        )
        uow.commit()

    weeks = tuple(
        CountRow(f"week of {day_text(week)}", dict(by_week[week])) for week in sorted(by_week)
    )
    months = tuple(
        CountRow(f"{MONTH_NAMES[month.month - 1]} {month.year}", dict(by_month[month]))
        for month in sorted(by_month)
    )
    report = StatisticsReport(
        period_start=first_day,
        period_end=last_day,
        columns=COLUMNS,
        by_week=weeks,
        by_form=tuple(CountRow(form, dict(by_form[form])) for form in sorted(by_form)),
        by_reason=tuple(
            CountRow(reason, dict(counts))
            for reason, counts in sorted(by_reason.items(), key=lambda item: -item[1][RECEIVED])
        ),
        totals=dict(totals),
        timezone=timezone,
    )
    return StatisticsTables(report, months)
