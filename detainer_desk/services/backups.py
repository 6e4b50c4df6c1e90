"""Backing up and restoring the records: who may, and the audit trail of it.

A backup is a complete copy of the records (criminal-justice information) and a restore
replaces them all, so both need an administrator once the store has accounts, and both
are audit events. The copying itself is the storage adapter's (adapters/db/backups.py).
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detainer_desk.domain import accounts as acc

from .access import FAILURE, SUCCESS, RecordError, StorageError, audit, authorize
from .accounts import needs_first_admin, sign_out
from .ports import Actor, CheckedBackup, OpenRecords, RestoreFiles, UnitOfWork
from .steps import result_of

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


@dataclass(frozen=True)
class BackupMade:
    """A backup written and checked: the entries verified in the copy and its chain head."""

    entries: int
    chain_head: str


COPYING = "copying"


def back_up(
    uow: Callable[[], UnitOfWork],
    actor: Actor,
    target: str,
    now: dt.datetime,
    copy: Callable[[], tuple[int, str]],
    *,
    encrypted: bool = False,
    authorized: bool = True,
) -> Iterator[str | BackupMade]:
    """Back the records up to ``target``, as the window and ``detainer-desk backup`` do:
    who may (an administrator, audited when refused), the copy (``copy``, the store's
    checked copy, plain or encrypted, handed in by the composition root), and its outcome
    in the audit trail. Yields the stage, then the BackupMade. A copy that failed
    (StorageError: a full disk, a bad target, a copy that does not check) is audited as
    failed and raised again, its words for the user unchanged.

    ``authorized`` False: a store without accounts yet has nobody to authorize; the
    operating-system user at this workstation (``actor``) is recorded instead.
    """
    if authorized:
        actor = authorize_backups(uow(), actor, BACKUP, target, now)
    yield COPYING
    try:
        entries, head = copy()
    except StorageError as exc:
        why: dict[str, Any] = {"why": str(exc), **({"encrypted": True} if encrypted else {})}
        audit_backups(uow(), actor, BACKUP, target, now, succeeded=False, details=why)
        raise
    details: dict[str, Any] = {"entries": entries, "chain_head": head}
    if encrypted:
        details["encrypted"] = "AES-256-GCM"
    audit_backups(uow(), actor, BACKUP, target, now, succeeded=True, details=details)
    yield BackupMade(entries, head)


def made_backup(steps: Iterator[str | BackupMade]) -> BackupMade:
    """The backup ``back_up`` made, its stages passed over (for a caller that shows none)."""
    return result_of(steps, BackupMade)


class BackupRefused(RecordError):
    """A backup that contradicts the last checkpoint this installation made."""


@dataclass(frozen=True)
class RestoreDone:
    """A restore done: the entries restored, where the replaced records are kept, and how
    the backup compared with the last checkpoint (``note``, in words)."""

    entries: int
    aside: Path
    note: str
    older_than_checkpoint: bool


@dataclass
class RestorePlan:
    """A restore's first step done (``check_restore``): the backup checked and who may
    restore it, with what the question asks about. It holds the checked copy (and the
    records being replaced) open until ``carry_out_restore`` or ``close``."""

    files: RestoreFiles
    backup: Path
    live: str
    checked: CheckedBackup
    actor: Actor
    records: OpenRecords | None
    broken: str  # why the records being replaced cannot be opened ("" when they can)
    current_entries: int | None = None  # the records being replaced (None: cannot be opened)
    signed_in: bool = False  # ``actor`` signed in for this restore: signed out after it
    stack: contextlib.ExitStack[Any] = field(default_factory=contextlib.ExitStack)

    @property
    def note(self) -> str:
        return self.checked.note

    def question(self) -> str:
        """The question ``detainer-desk restore`` asks before replacing anything."""
        current = "a store that cannot be opened"
        if self.current_entries is not None:
            current = f"{self.current_entries} entries now"
        return (
            (self.note + "\n" if self.note else "")
            + f"Replace the records in {self.live} ({current}) with the backup {self.backup} "
            f"({self.checked.entries} entries, verified)?"
        )

    def close(self, *, not_done: bool = True) -> None:
        """Let go of the records and the checked copy; a restore ``not_done`` signs out
        the administrator signed in for it."""
        try:
            if not_done and self.signed_in and self.records is not None:
                with contextlib.suppress(RecordError):
                    sign_out(
                        self.records.uow(), self.actor, self.records.clock(), "restore not done"
                    )
            if self.records is not None:
                self.records.close()
        finally:
            self.stack.close()


def check_restore(
    files: RestoreFiles,
    backup: Path,
    live: str,
    nobody: Actor,
    *,
    passphrase: Callable[[], str],
    sign_in: Callable[[OpenRecords], Actor],
    session: bool = True,
) -> RestorePlan:
    """The first step of a restore: ``backup`` checked (integrity, the whole chain, and
    against the last checkpoint: a copy whose entries were altered since is refused,
    BackupRefused), then who may (an administrator of the records being replaced,
    ``sign_in``; records without accounts, or too damaged to open, have nobody to ask:
    ``nobody``, the operating-system user, is recorded). ``session``: ``sign_in`` signs in
    for this restore alone (the command line), signed out when it ends; the window's
    administrator stays signed in. Nothing is changed; the plan is to be carried out
    (``carry_out_restore``) or closed."""
    stack = contextlib.ExitStack()
    try:
        checked = stack.enter_context(files.checked_backup(backup, passphrase))
        if not checked.agrees:
            raise BackupRefused(f"Nothing was changed: {checked.note}.")
        records, broken = files.open_records()
    except BaseException:
        stack.close()
        raise
    plan = RestorePlan(files, backup, live, checked, nobody, records, broken, stack=stack)
    try:
        if records is not None:
            if not needs_first_admin(records.uow()):
                plan.actor, plan.signed_in = sign_in(records), session
                now = records.clock()
                plan.actor = authorize_backups(records.uow(), plan.actor, RESTORE, str(backup), now)
            plan.current_entries = records.verified_entries()
    except BaseException:
        plan.close()
        raise
    return plan


def carry_out_restore(plan: RestorePlan, clock: Callable[[], dt.datetime]) -> RestoreDone:
    """The second step: the records replaced by the checked backup, the replaced ones kept
    aside, the restore audited in both (the replaced and the restored), and, for a backup
    older than the last checkpoint, that installation's later checkpoints set aside."""
    files, records, checked, actor = plan.files, plan.records, plan.checked, plan.actor
    try:
        now = clock()
        aside = files.kept_aside_at(now)
        details: dict[str, Any] = {
            "backup": str(plan.backup),
            "backup_entries": checked.entries,
            "backup_chain_head": checked.chain_head,
            "replaced_kept_at": str(aside),
        }
        if records is not None:  # in the records being replaced (kept aside with them)
            audit_backups(
                records.uow(), actor, RESTORE, plan.live, now, succeeded=True, details=details
            )
            records.close()  # its connections go: the restored file comes next
        files.replace_records(checked, aside)
        if checked.older_than_checkpoint:
            # Its checkpoints vouch for entries the restored record no longer has; they
            # are kept aside (the replaced records are kept at ``aside`` too).
            details["checkpoints_set_aside"] = files.set_aside_checkpoints(checked.written_entries)
    except BaseException:
        plan.close()
        raise
    plan.close(not_done=False)
    if plan.broken:
        details["replaced_store_problem"] = plan.broken
    _audit_restored(files, actor, plan.signed_in, plan.live, now, details)
    return RestoreDone(checked.entries, aside, checked.note, checked.older_than_checkpoint)


def restore_backup(
    files: RestoreFiles,
    backup: Path,
    live: str,
    nobody: Actor,
    clock: Callable[[], dt.datetime],
    *,
    passphrase: Callable[[], str],
    sign_in: Callable[[OpenRecords], Actor],
    confirm: Callable[[str], None],
) -> RestoreDone:
    """Replace the records (the store ``live``) with ``backup``, as ``detainer-desk
    restore`` does: ``check_restore`` (the backup checked, then who may), ``confirm``
    (raises to stop), then ``carry_out_restore`` (the records replaced are kept aside, and
    the restore is audited in both, the replaced and the restored).

    StorageError (plain words) means nothing was changed; BackupRefused likewise.
    """
    plan = check_restore(
        files, backup, live, nobody, passphrase=passphrase, sign_in=sign_in, session=True
    )
    try:
        confirm(plan.question())
    except BaseException:
        plan.close()
        raise
    return carry_out_restore(plan, clock)


def _audit_restored(
    files: RestoreFiles,
    actor: Actor,
    signed_in: bool,
    live: str,
    now: dt.datetime,
    details: dict[str, Any],
) -> None:
    """The restore, in the restored records; the administrator signed out of them. The
    records are replaced by now: a failure here is not "nothing was changed"."""
    try:
        restored, problem = files.open_records()
        if restored is None:
            raise RecordError(problem)
        try:
            audit_backups(
                restored.uow(), actor, RESTORE, live, now, succeeded=True, details=details
            )
            if signed_in:
                sign_out(restored.uow(), actor, restored.clock(), "command finished")
        finally:
            restored.close()
    except StorageError as exc:
        raise RecordError(str(exc)) from exc
