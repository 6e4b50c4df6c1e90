"""The store as a whole: ``demo`` (synthetic records), ``backup`` and ``restore`` (SQLite; a
PostgreSQL store is backed up on its server with pg_dump)."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Iterator
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
    target = Path(args.file).expanduser().absolute()
    if target.is_dir() and not target.is_symlink():
        raise UserError(f"{target} is a folder: give the name of the backup file to write")
    if args.encrypt:
        return _protected_backup(args, target, out)
    check_output(target, replace=args.force, kind="sqlite")
    with _backup_session(args) as (runtime, actor, with_account):
        if target.resolve() == runtime.sqlite_file.resolve():
            raise UserError("a backup cannot be written over the database itself")
        made = _back_up(
            runtime, actor, target, with_account, lambda: runtime.backup_to(target, args.force)
        )
    out.write(
        f"Backed up {made.entries} entries to {target}\n"
        f"The copy passed the integrity check and the chain verification (head {made.chain_head}).\n"
    )
    return EXIT_OK


def _protected_backup(args: argparse.Namespace, target: Path, out: TextIO) -> int:
    """backup --encrypt: the checked copy, encrypted under a passphrase (CJIS 5.10.1.2.2)."""
    import time

    check_output(target, replace=args.force, kind="protected")
    with _backup_session(args) as (runtime, actor, with_account):
        passphrase = _read_new_passphrase(args, runtime)
        started = time.perf_counter()
        made = _back_up(
            runtime,
            actor,
            target,
            with_account,
            lambda: runtime.protected_backup_to(target, passphrase, replace=args.force),
            encrypted=True,
        )
        seconds = time.perf_counter() - started
    size = target.stat().st_size
    out.write(
        f"Backed up {made.entries} entries to {target}, encrypted (AES-256-GCM, key from the "
        f"passphrase by argon2id): {size / 1e6:.1f} MB in {seconds:.1f} s.\n"
        f"The copy passed the integrity check and the chain verification (head {made.chain_head}) "
        "before it was encrypted. Keep the passphrase apart from the copy: without it the "
        "copy cannot be restored.\n"
    )
    return EXIT_OK


def _back_up(
    runtime: Any,
    actor: Any,
    target: Path,
    with_account: bool,
    copy: Callable[[], tuple[int, str]],
    *,
    encrypted: bool = False,
) -> Any:
    """The backup service over the store's copy; a copy that failed, in plain words."""
    from detainer_desk.services.access import StorageError
    from detainer_desk.services.backups import back_up, made_backup

    now = runtime.clock()
    steps = back_up(
        runtime.uow, actor, str(target), now, copy, encrypted=encrypted, authorized=with_account
    )
    try:
        return made_backup(steps)
    except StorageError as exc:
        raise UserError(f"No backup was made: {exc}") from None


def _read_new_passphrase(args: argparse.Namespace, runtime: Any) -> str:
    """A passphrase for a protected copy: the next line of standard input
    (--passphrase-stdin), or typed twice on the terminal; checked against CJIS 5.10.1.2.2."""
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
    problems = passphrase_problems(passphrase, runtime.security().is_common)
    if problems:
        raise UserError(
            "That passphrase cannot protect a copy of criminal-justice information (FBI CJIS "
            "Security Policy 5.10.1.2.2): " + "; ".join(problems) + ".",
            f"For example: {new_passphrase()}",
        )
    return passphrase


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import SqliteRestore, local_actor, utc_now
    from detainer_desk.services.access import StorageError
    from detainer_desk.services.backups import restore_backup

    paths = resolve_paths(args.data_dir)
    url = store_url(args, paths)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError(PG_BACKUP_ADVICE)
    live = Path(url.database)
    backup = Path(args.file).expanduser().absolute()
    if live.exists() and backup.resolve() == live.resolve():
        raise UserError("that file is the database itself, not a backup of it")
    nobody = local_actor()

    def sign_in(records: Any) -> Any:
        if not args.user:
            raise UserError("Restoring replaces every record: give --user NAME (an administrator).")
        password = read_password(args, f"Password for {args.user}: ")
        code = read_code(args) if args.otp_stdin else None
        return authenticate(args, records, password, code, nobody.workstation)

    try:
        done = restore_backup(
            SqliteRestore(paths, live, getattr(args, "db", None)),
            backup,
            str(live),
            nobody,
            utc_now,
            passphrase=lambda: read_passphrase(args, f"the encrypted backup {backup.name}"),
            sign_in=sign_in,
            confirm=lambda question: confirm(args, question),
        )
    except StorageError as exc:
        raise UserError(f"Nothing was changed: {exc}") from None
    if done.note:
        out.write(done.note + "\n")
    out.write(
        f"Restored {done.entries} entries from {backup} into {live}.\n"
        f"The records it replaced are kept at {done.aside}.\n"
    )
    if done.older_than_checkpoint:
        out.write(
            "This installation's later checkpoints no longer describe the records; they were "
            "moved aside. Make a new checkpoint (detainer-desk checkpoint).\n"
        )
    return EXIT_OK


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
