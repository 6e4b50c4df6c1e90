"""Backing up and restoring the records: who may, and the audit trail of it.

A backup is a complete copy of the records (criminal-justice information) and a restore
replaces them all, so both need an administrator once the store has accounts, and both
are audit events. The copying itself is the storage adapter's (adapters/db/backups.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from detainer_desk.domain import accounts as acc

from .access import FAILURE, SUCCESS, audit, authorize
from .ports import Actor, UnitOfWork

BACKUP = "store.backup"
RESTORE = "store.restore"


def authorize_backups(
    uow: UnitOfWork, actor: Actor, action: str, target: str, now: dt.datetime
) -> Actor:
    """The actor, allowed to back up or restore; PermissionDenied (audited) otherwise."""
    with uow:
        return authorize(uow, actor, acc.MANAGE_BACKUPS, action, target, now)


def audit_backups(
    uow: UnitOfWork,
    actor: Actor,
    action: str,
    target: str,
    now: dt.datetime,
    *,
    succeeded: bool,
    details: dict[str, Any],
) -> None:
    with uow:
        audit(uow, actor, action, target, now, SUCCESS if succeeded else FAILURE, details)
        uow.commit()
