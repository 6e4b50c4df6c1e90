"""``users``: the accounts and their roles (administrators), and the break-glass recovery of
an administrator's account."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    ROLE_CHOICES,
    UserError,
    open_store,
    store_url,
    visible,
)
from detainer_desk.cli.signin import (
    read_password,
    signed_in,
)


def cmd_users_add(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import add_user, create_first_admin, needs_first_admin

    runtime = open_store(args)
    try:
        first = needs_first_admin(runtime.uow())
    finally:
        runtime.close()
    if args.without_second_factor and not first:
        raise UserError(
            "--without-second-factor is for the first administrator of a new installation; "
            "the requirement is changed with 'settings --second-factor on|off'"
        )
    if first:
        if args.role != ["admin"]:
            raise UserError("the first account must be an administrator: use --role admin")
        password = read_password(args, f"New password for {args.name}: ")
        runtime = open_store(args)
        try:
            create_first_admin(
                runtime.uow(),
                runtime.security(),
                args.name,
                args.display_name or args.name,
                password,
                local_actor().workstation,
                runtime.clock(),
                require_second_factor=not args.without_second_factor,
            )
        finally:
            runtime.close()
        out.write(f"Created the first administrator, {args.name.strip().casefold()}.\n")
        if args.without_second_factor:
            out.write(
                "A second factor is NOT required at sign-in on this installation (turn it on "
                "with 'settings --second-factor on').\n"
            )
        else:
            out.write(
                "Every account signs in with a second factor: an authenticator app is set up "
                "at the first sign-in (in the window, or on a terminal).\n"
            )
        return EXIT_OK
    with signed_in(args) as (runtime, actor):
        password = read_password(args, f"New password for {args.name}: ")
        record = add_user(
            runtime.uow(),
            runtime.security(),
            actor,
            args.name,
            args.display_name or args.name,
            args.role,
            password,
            runtime.clock(),
        )
    out.write(f"Created {record.name} ({', '.join(sorted(record.roles))}).\n")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.accounts import list_users

    with signed_in(args) as (runtime, actor):
        accounts = list_users(runtime.uow(), actor, runtime.clock())
    for account in accounts:
        state = "disabled" if account.disabled else ("LOCKED" if account.locked_at else "active")
        roles = ",".join(sorted(account.roles))
        out.write(
            f"{visible(account.name):24} {roles:28} {state:8} {visible(account.display_name)}\n"
        )
    return EXIT_OK


def cmd_users_recover(args: argparse.Namespace, out: TextIO) -> int:
    """Break-glass: an administrator's account locked, disabled or its password forgotten,
    and nobody left to sign in. Only the operating-system account that owns the data
    folder and the SQLite file may; it is in the audit trail."""
    from detainer_desk.paths import current_account_name, recovery_problem, resolve_paths
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import recover_administrator

    # Who may, judged before the store is opened (opening it writes to the data folder).
    paths = resolve_paths(args.data_dir)
    url = store_url(args, paths)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError(
            "users recover works on this computer's own SQLite records only. On a "
            "PostgreSQL server a lock ends by itself (see 'settings --lockout-minutes'); "
            "keep a second administrator for anything else."
        )
    problem = recovery_problem(paths.data_dir, Path(url.database))
    if problem:
        raise UserError(f"Nothing was changed: {problem}")
    password = read_password(args, f"New password for {args.name}: ")
    runtime = open_store(args)
    who = current_account_name()  # the account the check above was about, not $USER
    try:
        account = recover_administrator(
            runtime.uow(),
            runtime.security(),
            args.name,
            password,
            who,
            local_actor().workstation,
            runtime.clock(),
        )
    finally:
        runtime.close()
    out.write(
        f"{account.name}: recovered (a new password; not locked, not disabled). This is in "
        f"the audit trail as done by the operating-system account {who}.\n"
    )
    return EXIT_OK


def cmd_users_change(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.accounts import normalize_user_name
    from detainer_desk.services import accounts as svc

    with signed_in(args) as (runtime, actor):
        now = runtime.clock()
        if args.users_command == "unlock":
            svc.unlock_user(runtime.uow(), actor, args.name, now)
            done = "unlocked"
        elif args.users_command == "roles":
            svc.set_roles(runtime.uow(), actor, args.name, args.role, now)
            done = f"now has the roles {', '.join(sorted(set(args.role)))}"
        elif args.users_command == "reset-second-factor":
            from detainer_desk.services.second_factor import reset

            reset(runtime.uow(), actor, args.name, now)
            done = "has no second factor now; a new one is set up at the next sign-in"
        elif args.users_command in ("disable", "enable"):
            svc.set_disabled(runtime.uow(), actor, args.name, args.users_command == "disable", now)
            done = f"{args.users_command}d"
        else:  # passwd
            if normalize_user_name(args.name) == actor.user:
                raise UserError(
                    "to change your own password use the application (it asks for the current one)"
                )
            new_password = read_password(args, f"New password for {args.name}: ")
            svc.reset_password(
                runtime.uow(), runtime.security(), actor, args.name, new_password, now
            )
            done = "has a new password"
    out.write(f"{args.name}: {done}.\n")
    return EXIT_OK


# -- the commands' parsers ------------------------------------------------------------


def add_users_parsers(commands: Any, common: Any, auth: Any) -> None:
    users = commands.add_parser("users", parents=[common], help="accounts and roles (admin)")
    users_commands = users.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    add = users_commands.add_parser(
        "add",
        parents=[common, auth],
        help="create an account; on an empty store, the first admin (no --user needed)",
        description="With --password-stdin, standard input holds your own password on the first "
        "line (unless this is the first admin) and the new account's password on the next.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES)
    add.add_argument("--display-name", metavar="TEXT")
    add.add_argument(
        "--without-second-factor",
        action="store_true",
        help="first administrator only: do not require a second factor at sign-in on this "
        "new installation (CJIS 5.6.2.2 asks for one; it can be turned on later)",
    )
    add.set_defaults(handler=cmd_users_add)
    listing = users_commands.add_parser("list", parents=[common, auth], help="list the accounts")
    listing.set_defaults(handler=cmd_users_list)
    for verb, text in (
        ("unlock", "unlock an account locked after failed sign-ins"),
        ("disable", "disable an account"),
        ("enable", "enable a disabled account"),
        ("passwd", "set a new password for someone else's account"),
        (
            "reset-second-factor",
            "clear someone's second factor (a lost phone): they set up a new one at their "
            "next sign-in",
        ),
    ):
        change = users_commands.add_parser(verb, parents=[common, auth], help=text)
        change.add_argument("name", metavar="NAME")
        change.set_defaults(handler=cmd_users_change)
    recover = users_commands.add_parser(
        "recover",
        parents=[common],
        help="break-glass: a new password for an administrator's account, its lock ended "
        "(only the operating-system account owning the data folder; audited)",
        description="When no administrator can sign in (locked out, disabled, password "
        "forgotten): gives the administrator's account NAME a new password and ends its "
        "lock. Only for the operating-system account that owns the data folder and the "
        "SQLite file (it could change that file anyway); recorded in the audit trail.",
    )
    recover.add_argument("name", metavar="NAME")
    recover.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input",
    )
    recover.set_defaults(handler=cmd_users_recover)
    roles = users_commands.add_parser(
        "roles", parents=[common, auth], help="replace an account's roles"
    )
    roles.add_argument("name", metavar="NAME")
    roles.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES)
    roles.set_defaults(handler=cmd_users_change)
