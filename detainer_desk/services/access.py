"""Authorization and the audit trail, shared by every use case.

Permissions are checked against the account as it is *now* in the database (a role taken
away, or an account disabled or locked, takes effect at once), inside the same transaction
as the action. A refusal is itself an audit event, committed before the error is raised.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from detainer_desk.domain import limits
from detainer_desk.domain.accounts import (
    DEFAULT_LOCKOUT_MINUTES,
    is_locked,
    may,
    normalize_user_name,
)
from detainer_desk.domain.names import name_words
from detainer_desk.domain.reader import text_problem

from .ports import LOG_SORT_KEYS, Actor, AuditEvent, DecisionQuery, UnitOfWork

SUCCESS = "success"
FAILURE = "failure"
DENIED = "denied"
LOCKOUT_MINUTES_KEY = "lockout_minutes"  # the setting: how long a locked account stays locked


class RecordError(Exception):
    """A use case refused: the message says why in plain words; nothing was stored."""


class StorageError(RecordError):
    """The record store could not be used (a full disk, a locked or read-only file, a lost
    server connection, ...): the message says why in plain words, and what to do. The
    action can be tried again once the fault is cleared."""


class PermissionDenied(RecordError):
    pass


class AlteredOutsideError(RecordError):
    """An account or a setting no longer agrees with its evidence in the chain: it was
    changed outside the program. It is not used, and not written over (that would bury
    the change); ``detainer-desk verify`` names it, and a backup puts it right."""

    def __init__(self, problem: str) -> None:
        super().__init__(
            f"{problem[0].upper()}{problem[1:]}. Nothing was changed. Run detainer-desk verify, "
            "and have an administrator restore the records from a backup."
        )
        self.problem = problem


class NotFoundError(RecordError):
    pass


def check_text(value: str | None, what: str, limit: int = limits.REASON_CHARACTERS) -> None:
    """RecordError, before anything is stored or audited, when a text typed by a person is
    longer than ``limit`` or holds what cannot be stored (a NUL, a lone surrogate)."""
    if value is None:
        return
    problem = text_problem(value, limit)
    if problem is not None:
        raise RecordError(f"{what} {problem}")


def check_search(search: str | None, recorded_by: str | None = None) -> None:
    """A search's text and officer, bounded (checked before the search is audited)."""
    check_text(search, "the search", limits.SEARCH_CHARACTERS)
    if search and len(name_words(search)) > limits.SEARCH_WORDS:
        raise RecordError(
            f"the search has {len(name_words(search)):,} words; at most "
            f"{limits.SEARCH_WORDS} are accepted"
        )
    check_text(recorded_by, "the officer's user name", limits.IDENTIFIER_CHARACTERS)


def check_page_query(query: DecisionQuery) -> None:
    """A page of decisions asked for (the log, the board, a search): a sort the log knows, at
    least one row, and a bounded search."""
    if query.sort not in LOG_SORT_KEYS:
        raise RecordError(f"the log cannot be sorted by {query.sort!r}")
    if query.limit < 1:
        raise RecordError("the page size must be at least 1")
    check_search(query.search, query.recorded_by)


def canonical_json(document: object) -> str:
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def audit(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    target: str | None,
    now: dt.datetime,
    outcome: str = SUCCESS,
    details: dict[str, Any] | None = None,
) -> None:
    uow.audit.add(
        AuditEvent(
            occurred_at=now.astimezone(dt.UTC),
            user_name=actor.user,
            roles=actor.roles_text,
            workstation=actor.workstation,
            action=action,
            target=target,
            outcome=outcome,
            details_json=(text := canonical_json(details or {})),
            details=json.loads(text),
        )
    )


def _locked(uow: UnitOfWork, locked_at: dt.datetime | None, now: dt.datetime) -> bool:
    """A lock in force (locks end by themselves: see accounts.sign_in)."""
    if locked_at is None:
        return False
    minutes = uow.accounts.setting(LOCKOUT_MINUTES_KEY)
    return is_locked(locked_at, now, int(minutes) if minutes else DEFAULT_LOCKOUT_MINUTES)


def authorize(
    uow: UnitOfWork,
    actor: Actor,
    permission: str,
    action: str,
    target: str | None,
    now: dt.datetime,
) -> Actor:
    """The actor with their current roles, or PermissionDenied (audited). Call inside ``with uow``."""
    account = uow.accounts.user(normalize_user_name(actor.user))
    problem = None
    current = actor
    if account is None:
        problem = f"there is no account named {actor.user}"
    elif account.altered is not None:
        problem = f"{account.altered}; run detainer-desk verify"
    elif account.disabled:
        problem = f"the account {account.name} is disabled"
    elif _locked(uow, account.locked_at, now):
        problem = f"the account {account.name} is locked after repeated failed sign-ins"
    else:
        current = Actor(account.name, actor.workstation, account.roles)
        if not may(account.roles, permission):
            roles = ", ".join(sorted(account.roles)) or "no role"
            problem = f"{account.name} ({roles}) may not {permission}"
    if problem is None:
        return current
    audit(uow, current, action, target, now, DENIED, {"needs": permission, "why": problem})
    uow.commit()
    raise PermissionDenied(f"Not allowed: {problem}.")
