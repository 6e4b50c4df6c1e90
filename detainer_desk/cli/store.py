"""The store as a whole: ``demo`` (synthetic records), ``backup`` and ``restore`` (SQLite; a
PostgreSQL store is backed up on its server with pg_dump)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    UserError,
    check_output,
    confirm,
    next_line,
    open_store,
    read_passphrase,
    store_url,
)
from detainer_desk.cli.signin import (
    authenticate,
    read_code,
    read_password,
    signed_in,
)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.demo import DEMO_PASSWORD, create_demo_accounts, fill_demo

    if args.decisions < 0:
        raise UserError("--decisions must be 0 or more")
    runtime = open_store(args)
    try:
        create_demo_accounts(
            runtime.uow(), runtime.security().hasher.hash(DEMO_PASSWORD), runtime.clock()
        )
        for done in fill_demo(runtime.uow, args.decisions, seed=args.seed):
            if not args.quiet:
                print(
                    f"\r{done:,} of {args.decisions:,} decisions recorded", end="", file=sys.stderr
                )
    finally:
        runtime.close()
    if not args.quiet:
        print(file=sys.stderr)
    out.write(f"{args.decisions} demo decisions recorded in {runtime.database_label}\n")
    out.write(
        f"Demo accounts (password {DEMO_PASSWORD!r}): admin.demo, officer.alvarez, "
        "sgt.fischer, counsel.demo and others\n"
    )
    return EXIT_OK


PG_BACKUP_ADVICE = (
    "this store is on a PostgreSQL server: back it up there with pg_dump and restore it "
    "with pg_restore (see the README, 'Backups')"
)


@contextlib.contextmanager
def _backup_session(args: argparse.Namespace) -> Iterator[tuple[Any, Any, bool]]:
    """The open store, and the administrator signed in (True) for a backup command.

    A store without accounts yet (an upgraded older one) has nobody to sign in: the
    operating-system user at this workstation is recorded instead.
    """
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import needs_first_admin

    runtime = open_store(args)
    try:
        nobody_yet = needs_first_admin(runtime.uow())
        if runtime.engine.url.get_backend_name() != "sqlite":
            raise UserError(PG_BACKUP_ADVICE)
    finally:
        runtime.close()
    if nobody_yet:
        runtime = open_store(args)
        try:
            yield runtime, local_actor(), False
        finally:
            runtime.close()
        return
    with signed_in(args) as (runtime, actor):
        yield runtime, actor, True


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.db.backup_check import checked_copy
    from detainer_desk.adapters.db.backups import copy_database, sqlite_path
    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.adapters.files import sqlite_kind
    from detainer_desk.services.backups import BACKUP, audit_backups, authorize_backups

    target = Path(args.file).expanduser().absolute()
    if target.is_dir() and not target.is_symlink():
        raise UserError(f"{target} is a folder: give the name of the backup file to write")
    if args.encrypt:
        return _protected_backup(args, target, out)
    check_output(target, replace=args.force, kind=sqlite_kind)
    with _backup_session(args) as (runtime, signed_in_actor, signed_in):
        source = sqlite_path(runtime.engine)
        if target.resolve() == source.resolve():
            raise UserError("a backup cannot be written over the database itself")
        now = runtime.clock()
        actor = signed_in_actor
        if signed_in:  # a store without accounts has nobody to authorize
            actor = authorize_backups(runtime.uow(), actor, BACKUP, str(target), now)
        try:
            copy_database(source, target, replace=args.force, journal=runtime.partials)
            with checked_copy(target, runtime.partials) as (_copy, check):
                pass
        except DatabaseError as exc:
            audit_backups(
                runtime.uow(),
                actor,
                BACKUP,
                str(target),
                now,
                succeeded=False,
                details={"why": str(exc)},
            )
            raise UserError(f"No backup was made: {exc}") from None
        audit_backups(
            runtime.uow(),
            actor,
            BACKUP,
            str(target),
            now,
            succeeded=True,
            details={"entries": check.entries, "chain_head": check.chain_head},
        )
    out.write(
        f"Backed up {check.entries} entries to {target}\n"
        f"The copy passed the integrity check and the chain verification (head {check.chain_head}).\n"
    )
    return EXIT_OK


def _protected_backup(args: argparse.Namespace, target: Path, out: TextIO) -> int:
    """backup --encrypt: the checked copy, encrypted under a passphrase (CJIS 5.10.1.2.2)."""
    import time

    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.adapters.protect import protected_kind
    from detainer_desk.services.backups import BACKUP, audit_backups, authorize_backups

    check_output(target, replace=args.force, kind=protected_kind)
    with _backup_session(args) as (runtime, signed_in_actor, signed_in):
        passphrase = _read_new_passphrase(args)
        now = runtime.clock()
        actor = signed_in_actor
        if signed_in:
            actor = authorize_backups(runtime.uow(), actor, BACKUP, str(target), now)
        started = time.perf_counter()
        try:
            entries, head = runtime.protected_backup_to(target, passphrase, replace=args.force)
        except DatabaseError as exc:
            audit_backups(
                runtime.uow(), actor, BACKUP, str(target), now, succeeded=False,
                details={"why": str(exc), "encrypted": True},
            )  # fmt: skip
            raise UserError(f"No backup was made: {exc}") from None
        seconds = time.perf_counter() - started
        audit_backups(
            runtime.uow(), actor, BACKUP, str(target), now, succeeded=True,
            details={"entries": entries, "chain_head": head, "encrypted": "AES-256-GCM"},
        )  # fmt: skip
    size = target.stat().st_size
    out.write(
        f"Backed up {entries} entries to {target}, encrypted (AES-256-GCM, key from the "
        f"passphrase by argon2id): {size / 1e6:.1f} MB in {seconds:.1f} s.\n"
        f"The copy passed the integrity check and the chain verification (head {head}) "
        "before it was encrypted. Keep the passphrase apart from the copy: without it the "
        "copy cannot be restored.\n"
    )
    return EXIT_OK


def _read_new_passphrase(args: argparse.Namespace) -> str:
    """A passphrase for a protected copy: the next line of standard input
    (--passphrase-stdin), or typed twice on the terminal; checked against CJIS 5.10.1.2.2."""
    from detainer_desk.adapters.security import is_common_password
    from detainer_desk.domain.protection import new_passphrase, passphrase_problems

    if args.passphrase_stdin:
        passphrase = next_line(args, "--passphrase-stdin", "a passphrase")
    elif args.stdin.isatty():
        import getpass

        passphrase = getpass.getpass("Passphrase for the encrypted copy: ")
        if getpass.getpass("The same passphrase again: ") != passphrase:
            raise UserError("The two passphrases are not the same; nothing was written.")
    else:
        raise UserError("no terminal to ask for the passphrase: use --passphrase-stdin")
    problems = passphrase_problems(passphrase, is_common_password)
    if problems:
        raise UserError(
            "That passphrase cannot protect a copy of criminal-justice information (FBI CJIS "
            "Security Policy 5.10.1.2.2): " + "; ".join(problems) + ".",
            f"For example: {new_passphrase()}",
        )
    return passphrase


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.db.backup_check import checked_copy
    from detainer_desk.adapters.db.backups import backup_name, restore_database
    from detainer_desk.adapters.db.engine import DatabaseError, make_engine
    from detainer_desk.adapters.db.probe import sqlite_url
    from detainer_desk.adapters.db.repository import SqlLedger, verify_store
    from detainer_desk.adapters.signing import InstallationKey
    from detainer_desk.paths import DataDirError, resolve_paths
    from detainer_desk.runtime import local_actor, open_runtime, utc_now
    from detainer_desk.services.access import RecordError
    from detainer_desk.services.accounts import needs_first_admin, sign_out
    from detainer_desk.services.backups import RESTORE, audit_backups, authorize_backups
    from detainer_desk.services.checkpoints import check_backup

    paths = resolve_paths(args.data_dir)
    url = store_url(args, paths)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError(PG_BACKUP_ADVICE)
    live = Path(url.database)
    backup = Path(args.file).expanduser().absolute()
    if live.exists() and backup.resolve() == live.resolve():
        raise UserError("that file is the database itself, not a backup of it")
    with contextlib.ExitStack() as stack:
        try:
            from detainer_desk.adapters.files import PartialJournal

            journal = PartialJournal.in_data_dir(paths.data_dir)
            plain = _opened_backup(args, backup, journal, paths.data_dir, stack)
            checked, check = stack.enter_context(checked_copy(plain, journal))
        except DatabaseError as exc:
            raise UserError(f"Nothing was changed: {exc}") from None
        # The backup must agree with the last checkpoint this installation made: a copy
        # whose entries were altered (and recomputed) since is refused.
        signer = InstallationKey(paths.data_dir / "keys")
        copy_engine = make_engine(sqlite_url(checked))
        try:
            against = check_backup(SqlLedger(copy_engine), signer, check.written_entries)
        finally:
            copy_engine.dispose()
        if not against.ok:
            raise UserError(f"Nothing was changed: {against.message}.")
        # Who may: an administrator of the records being replaced. A store too damaged to
        # open has nobody to ask; the restore is then recorded for the operating-system user.
        runtime, broken = None, None
        try:
            runtime = open_runtime(paths, getattr(args, "db", None))
        except (DataDirError, DatabaseError) as exc:
            broken = str(exc)
        actor = local_actor()
        signed_in = False
        try:
            current = "a store that cannot be opened"
            if runtime is not None:
                now = runtime.clock()
                if not needs_first_admin(runtime.uow()):
                    if not args.user:
                        raise UserError(
                            "Restoring replaces every record: give --user NAME (an administrator)."
                        )
                    password = read_password(args, f"Password for {args.user}: ")
                    code = read_code(args) if args.otp_stdin else None
                    actor = authenticate(args, runtime, password, code, actor.workstation)
                    signed_in = True
                    actor = authorize_backups(runtime.uow(), actor, RESTORE, str(backup), now)
                entries = list(verify_store(runtime.engine))[-1].checked
                current = f"{entries} entries now"
            confirm(
                args,
                (against.message + "\n" if against.message else "")
                + f"Replace the records in {live} ({current}) with the backup {backup} "
                f"({check.entries} entries, verified)?",
            )
            now = utc_now()
            aside = paths.backups_dir / backup_name(now, "replaced-by-restore")
            details = {
                "backup": str(backup),
                "backup_entries": check.entries,
                "backup_chain_head": check.chain_head,
                "replaced_kept_at": str(aside),
            }
            if runtime is not None:  # in the records being replaced (kept aside with them)
                audit_backups(
                    runtime.uow(), actor, RESTORE, str(live), now, succeeded=True, details=details
                )
                runtime.engine.dispose()
            restore_database(checked, live, aside)
            if against.older_than_checkpoint:
                # Its checkpoints vouch for entries the restored record no longer has; they
                # are kept aside (the replaced records are kept at ``aside`` too).
                details["checkpoints_set_aside"] = signer.set_aside_checkpoints(
                    check.written_entries
                )
        except BaseException as exc:
            if signed_in and runtime is not None:
                with contextlib.suppress(RecordError):
                    sign_out(runtime.uow(), actor, runtime.clock(), "restore not done")
            if isinstance(exc, DatabaseError):
                raise UserError(f"Nothing was changed: {exc}") from None
            raise
        finally:
            if runtime is not None:
                runtime.close()
    restored = open_runtime(paths, getattr(args, "db", None))
    try:
        if broken:
            details["replaced_store_problem"] = broken
        audit_backups(
            restored.uow(), actor, RESTORE, str(live), now, succeeded=True, details=details
        )
        if signed_in:
            sign_out(restored.uow(), actor, restored.clock(), "command finished")
    finally:
        restored.close()
    if against.message:
        out.write(against.message + "\n")
    out.write(
        f"Restored {check.entries} entries from {backup} into {live}.\n"
        f"The records it replaced are kept at {aside}.\n"
    )
    if against.older_than_checkpoint:
        out.write(
            "This installation's later checkpoints no longer describe the records; they were "
            "moved aside. Make a new checkpoint (detainer-desk checkpoint).\n"
        )
    return EXIT_OK


def _opened_backup(
    args: argparse.Namespace,
    backup: Path,
    journal: Any,
    data_dir: Path,
    stack: contextlib.ExitStack,
) -> Path:
    """The backup to check: the file itself, or, for an encrypted one, its decryption in a
    private scratch folder of the data folder (removed when the restore ends)."""
    from detainer_desk.adapters.files import scratch_folder
    from detainer_desk.adapters.protect import decrypt_file, is_protected

    if not is_protected(backup):
        return backup
    passphrase = read_passphrase(args, f"the encrypted backup {backup.name}")
    scratch = stack.enter_context(scratch_folder(journal, data_dir if data_dir.is_dir() else None))
    plain = scratch / "backup.sqlite3"
    try:
        decrypt_file(backup, plain, passphrase)
    except OSError as exc:
        raise UserError(
            f"Nothing was changed: {backup} cannot be decrypted ({exc.strerror})"
        ) from None
    return plain


# -- the commands' parsers ------------------------------------------------------------


def add_demo_parser(commands: Any, common: Any, auth: Any) -> None:
    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="fill a database with synthetic requests and decisions (trials, benchmarks)",
    )
    demo.add_argument("--decisions", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(handler=cmd_demo)


def add_backup_parsers(commands: Any, common: Any, auth: Any) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common, auth],
        help="copy the live SQLite database to FILE, then check the copy (admin)",
        description="A consistent copy of the records, even while others record. Needs "
        "--user (an administrator) once the store has accounts; the backup is audited. "
        "Daily copies are also kept automatically in the data folder's backups/.",
    )
    backup.add_argument("file", metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.add_argument(
        "--encrypt",
        action="store_true",
        help="write an encrypted copy (AES-256-GCM, key from a passphrase: for a copy that "
        "leaves the building, CJIS 5.10.1.2.2)",
    )
    backup.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the next line of standard input (after the password "
        "and code lines)",
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        parents=[common, auth],
        help="replace the records with a verified backup (admin; the old ones are kept)",
        description="Checks FILE (integrity and the whole chain) before anything changes, "
        "asks for confirmation, keeps the replaced database in backups/, and records the "
        "restore in the audit trail.",
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="an encrypted backup: read its passphrase from the first line of standard input "
        "(before the password: the backup is opened and checked before anything else)",
    )
    restore.set_defaults(handler=cmd_restore)
