"""The decision log, the review queue and the active-holds board (read side).

The board's alert levels follow the alert times set in the installation's settings."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import alerts
from detainer_desk.domain.timetext import span_words

from .access import NotFoundError, audit, authorize, check_page_query, check_search
from .ports import Actor, DecisionQuery, DecisionSummary, UnitOfWork
from .settings import read_settings


@dataclass(frozen=True, slots=True)
class LogPage:
    rows: tuple[DecisionSummary, ...]
    next_after: tuple[str, int] | None


def log_page(uow: UnitOfWork, actor: Actor, query: DecisionQuery, now: dt.datetime) -> LogPage:
    check_page_query(query)
    with uow:
        actor = authorize(uow, actor, acc.VIEW_RECORDS, "records.search", query.search, now)
        rows = tuple(uow.records.log_page(query))
        filtered = any(
            (
                query.search,
                query.outcome,
                query.status,
                query.recorded_by,
                query.received_from,
                query.received_to,
            )
        )
        if acc.COUNSEL in actor.roles and filtered and query.after is None:
            audit(
                uow,
                actor,
                "records.search",
                query.search,
                now,
                details={
                    "search": query.search,
                    "outcome": query.outcome,
                    "status": query.status,
                    "officer": query.recorded_by,
                    "from": query.received_from.isoformat() if query.received_from else None,
                    "to": query.received_to.isoformat() if query.received_to else None,
                },
            )
            uow.commit()
    next_after = (rows[-1].sort_value, rows[-1].request_id) if len(rows) == query.limit else None
    return LogPage(rows, next_after)


def log_count(uow: UnitOfWork, actor: Actor, query: DecisionQuery, now: dt.datetime) -> int:
    check_search(query.search, query.recorded_by)
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "records.count", None, now)
        return uow.records.log_count(query)


# One window of received dates per transaction when counting the whole log.
COUNT_WINDOW = dt.timedelta(days=31)


def log_count_stepwise(
    uow_factory: Callable[[], UnitOfWork],
    actor: Actor,
    query: DecisionQuery,
    now: dt.datetime,
    cancelled: Callable[[], bool] = lambda: False,
    window: dt.timedelta = COUNT_WINDOW,
) -> Iterator[int]:
    """``log_count`` in short steps, yielding the running total; the last value is the count.

    On SQLite every transaction holds the write lock, so one count over a million decisions
    would keep every other reader and writer waiting (a page of the log, an amendment).
    Counted one window of received dates at a time, each in its own transaction, they get
    in between. A search is counted at once: it goes by index to few rows, and each window
    would gather them again.
    """
    if query.search:
        yield log_count(uow_factory(), actor, query, now)
        return
    bounds = DecisionQuery(sort="received_at", limit=1)
    newest = log_page(uow_factory(), actor, bounds, now).rows
    oldest = log_page(uow_factory(), actor, dataclasses.replace(bounds, descending=False), now)
    if not newest or not oldest.rows:
        yield 0
        return
    start = oldest.rows[0].received_at
    end = newest[0].received_at + dt.timedelta(microseconds=1)  # received_to is exclusive
    if query.received_from is not None:
        start = max(start, query.received_from)
    if query.received_to is not None:
        end = min(end, query.received_to)
    total = 0
    cursor = start
    while cursor < end:
        if cancelled():
            return
        upper = min(cursor + window, end)
        step = dataclasses.replace(query, received_from=cursor, received_to=upper)
        total += log_count(uow_factory(), actor, step, now)
        yield total
        cursor = upper
    if start >= end:
        yield 0


@dataclass(frozen=True, slots=True)
class HoldItem:
    row: DecisionSummary
    hold_until: dt.datetime | None
    level: str
    countdown: str
    warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS  # the alert times the level is for

    @property
    def words(self) -> str:
        """The level in words for these alert times: ``under 8 hours left``."""
        return alerts.level_words(self.level, self.warnings)

    @property
    def short_words(self) -> str:
        """The same in few words, for the board's alert column: ``under 8 h``."""
        return alerts.short_level_words(self.level, self.warnings)


@dataclass(frozen=True, slots=True)
class EndedLate:
    """A hold that ended after its deadline: the fact that ended it (ICE custody, release,
    lift) was recorded as it happened, and is marked by how much it was late."""

    row: DecisionSummary
    hold_until: dt.datetime
    ended_at: dt.datetime
    kind: str  # the closing fact
    past_deadline: dt.timedelta

    @property
    def words(self) -> str:
        """``held past its deadline by 2 h 05 min``."""
        return f"held past its deadline by {span_words(self.past_deadline)}"


# How far back the board and the overdue report look for holds that ended late.
ENDED_LATE_DAYS = 30


@dataclass(frozen=True, slots=True)
class HoldsBoard:
    """The active holds and the alert times (the installation's settings) they were read with,
    and the holds of the last ENDED_LATE_DAYS days that ended after their deadline."""

    items: list[HoldItem]
    warnings: alerts.Warnings
    ended_late: list[EndedLate] = dataclasses.field(default_factory=list)


def holds_board(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    warnings: alerts.Warnings | None = None,
) -> HoldsBoard:
    """Everyone held or awaiting release on a detainer, soonest deadline first, alerted at
    ``warnings`` or, when none are given, at the times set in the installation's settings."""
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "holds.view", None, now)
        if warnings is None:
            warnings = read_settings(uow).warnings
        rows = list(uow.records.open_holds())
        late = _ended_late(uow, now)
    return HoldsBoard([hold_item(row, now, warnings) for row in rows], warnings, late)


def _ended_late(uow: UnitOfWork, now: dt.datetime) -> list[EndedLate]:
    from .index import decision_state

    found = []
    since = now - dt.timedelta(days=ENDED_LATE_DAYS)
    for row in uow.records.ended_holds(since, now):
        detail = uow.records.decision(row.decision_id)
        if detail is None:
            continue
        state = decision_state(detail)
        if state.past_deadline is None or state.hold_until is None:
            continue
        ended = state.hold_until.astimezone(dt.UTC) + state.past_deadline
        found.append(
            EndedLate(
                row,
                state.hold_until,
                ended,
                state.past_deadline_kind or "",
                state.past_deadline,
            )
        )
    return found


def ended_late(uow: UnitOfWork, actor: Actor, now: dt.datetime) -> list[EndedLate]:
    """The holds of the last ENDED_LATE_DAYS days that ended after their deadline, newest
    deadline first (a fact recorded after the deadline: it is the truth, and it is marked)."""
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "holds.view", None, now)
        return _ended_late(uow, now)


def active_holds(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    warnings: alerts.Warnings | None = None,
) -> list[HoldItem]:
    """Everyone held or awaiting release on a detainer, soonest deadline first (alerted at
    the installation's alert times unless ``warnings`` are given)."""
    return holds_board(uow, actor, now, warnings).items


def hold_item(row: DecisionSummary, now: dt.datetime, warnings: alerts.Warnings) -> HoldItem:
    deadline = (
        dt.datetime.fromisoformat(row.hold_until_in_force) if row.hold_until_in_force else None
    )
    return HoldItem(
        row,
        deadline,
        alerts.alert_level(deadline, now, warnings),
        alerts.countdown_text(deadline, now),
        warnings,
    )


def overdue_holds(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    warnings: alerts.Warnings | None = None,
) -> list[HoldItem]:
    """Everyone still held past hold_until. This list should always be empty."""
    return [
        item for item in active_holds(uow, actor, now, warnings) if item.level == alerts.EXPIRED
    ]


def overdue_report(
    uow: UnitOfWork,
    actor: Actor,
    now: dt.datetime,
    warnings: alerts.Warnings | None = None,
) -> list[HoldItem]:
    """The overdue list as a document to print or save: it names people, so it needs the
    print permission and leaves an audit event, like every other document."""
    with uow:
        actor = authorize(uow, actor, acc.PRINT_RECORDS, "holds.overdue_report", None, now)
        items = overdue_holds(uow, actor, now, warnings)
        late = _ended_late(uow, now)
        audit(
            uow,
            actor,
            "holds.overdue_report",
            None,
            now,
            details={
                "people": len(items),
                "decisions": [i.row.decision_id for i in items],
                "ended_late": [e.row.decision_id for e in late],
            },
        )
        uow.commit()
    return items


def review_queue(
    uow: UnitOfWork, actor: Actor, now: dt.datetime, limit: int = 500
) -> Sequence[DecisionSummary]:
    with uow:
        authorize(uow, actor, acc.REVIEW_DECISION, "review.view", None, now)
        return list(uow.records.review_queue(limit))


def attachment_content(
    uow: UnitOfWork, actor: Actor, decision_id: int, attachment_id: int, now: dt.datetime
) -> bytes:
    """The bytes of a scan attached to a decision's request (the detail view previews it)."""
    with uow:
        authorize(uow, actor, acc.VIEW_RECORDS, "decision.view", f"decision {decision_id}", now)
        row = uow.records.decision(decision_id)
        if row is None:
            raise NotFoundError(f"there is no decision {decision_id}")
        if attachment_id not in {attachment.id for attachment in row.attachments}:
            raise NotFoundError(f"decision {decision_id} has no attachment {attachment_id}")
        content = uow.records.attachment_content(attachment_id)
    if content is None:
        raise NotFoundError(f"the content of attachment {attachment_id} is missing")
    return content
