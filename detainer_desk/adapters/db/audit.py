"""The audit log of who did what, when and from where."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import (
    Connection,
    func,
    or_,
    select,
)
from sqlalchemy.engine import RowMapping

from detainer_desk.services.ports import (
    AuditEvent,
    AuditQuery,
)

from . import chain
from .derived_scan import from_utc_text, utc_text
from .rows import (
    maybe_time,
)
from .schema import (
    audit_events,
)


def _event_of(row: RowMapping) -> AuditEvent:
    return AuditEvent(
        occurred_at=from_utc_text(row["occurred_at"]),
        user_name=row["user_name"],
        roles=row["roles"],
        workstation=row["workstation"],
        action=row["action"],
        target=row["target"],
        outcome=row["outcome"],
        details_json=row["details_json"],
        id=row["id"],
        seq=row["seq"],
        details=_details_of(row["details_json"]),
    )


def _details_of(text: str) -> Mapping[str, Any] | None:
    """An event's details as recorded (a JSON object), read once; None if they are not one."""
    try:
        details = json.loads(text)
    except ValueError:
        return None
    return details if isinstance(details, dict) else None


class SqlAuditRepository:
    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def add(self, event: AuditEvent) -> int:
        row = chain.append(
            self.conn,
            audit_events,
            {
                "occurred_at": utc_text(event.occurred_at),
                "user_name": event.user_name,
                "roles": event.roles,
                "workstation": event.workstation,
                "action": event.action,
                "target": event.target,
                "outcome": event.outcome,
                "details_json": event.details_json,
            },
        )
        return int(row["id"])

    def find(self, query: AuditQuery) -> Sequence[AuditEvent]:
        a = audit_events
        conditions = []
        if query.user_name:
            conditions.append(a.c.user_name == query.user_name.strip().casefold())
        if query.action:
            conditions.append(a.c.action.startswith(query.action, autoescape=True))
        if query.outcome:
            conditions.append(a.c.outcome == query.outcome)
        if query.occurred_from:
            conditions.append(a.c.occurred_at >= utc_text(query.occurred_from))
        if query.occurred_to:
            conditions.append(a.c.occurred_at < utc_text(query.occurred_to))
        if query.before_id is not None:
            conditions.append(a.c.id < query.before_id)
        statement = select(a).where(*conditions).order_by(a.c.id.desc()).limit(query.limit)
        return [_event_of(r) for r in self.conn.execute(statement).mappings()]

    def count_since(self, user_name: str, action: str, outcome: str, since: dt.datetime) -> int:
        a = audit_events
        statement = select(func.count()).where(
            a.c.user_name == user_name,
            a.c.action == action,
            a.c.outcome == outcome,
            a.c.occurred_at > utc_text(since),
        )
        return int(self.conn.execute(statement).scalar_one())

    def last_time(
        self, action: str, outcome: str, *, user_name: str | None = None, target: str | None = None
    ) -> dt.datetime | None:
        a = audit_events
        statement = select(func.max(a.c.occurred_at)).where(
            a.c.action == action, a.c.outcome == outcome
        )
        if user_name is not None:
            statement = statement.where(a.c.user_name == user_name)
        if target is not None:
            statement = statement.where(a.c.target == target)
        return maybe_time(self.conn.execute(statement).scalar())

    def first_event(self, action: str, target: str) -> AuditEvent | None:
        a = audit_events
        row = (
            self.conn.execute(
                select(a)
                .where(a.c.action == action, a.c.target == target)
                .order_by(a.c.id)
                .limit(1)
            )
            .mappings()
            .first()
        )
        return _event_of(row) if row else None

    def events_between(
        self, actions: Sequence[str], start: dt.datetime, end: dt.datetime, limit: int
    ) -> Sequence[AuditEvent]:
        a = audit_events
        wanted = [
            a.c.action.startswith(action, autoescape=True)
            if action.endswith(".")
            else a.c.action == action
            for action in actions
        ]
        statement = (
            select(a)
            .where(
                a.c.occurred_at >= utc_text(start),
                a.c.occurred_at < utc_text(end),
                or_(*wanted),
            )
            .order_by(a.c.occurred_at, a.c.id)
            .limit(limit)
        )
        return [_event_of(r) for r in self.conn.execute(statement).mappings()]
