"""Administration: ``audit``, ``settings`` and ``directory`` (LDAP sign-in)."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    UserError,
    add_day_options,
    county_iso,
    county_zone_of,
    day_range,
    input_limits,
    next_line,
    page_rows,
    parse_days,
    read_input_file,
    visible,
)
from detainer_desk.cli.signin import signed_in

if TYPE_CHECKING:
    from detainer_desk.services.directory import DirectoryConfig


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import precise_time
    from detainer_desk.services.accounts import audit_trail
    from detainer_desk.services.ports import AuditQuery

    days = parse_days(args)
    with signed_in(args) as (runtime, actor):
        zone = county_zone_of(runtime)
        start, end = day_range(days, zone)
        query = AuditQuery(
            user_name=args.of_user,
            action=args.action,
            outcome=args.outcome,
            occurred_from=start,
            occurred_to=end,
            limit=args.limit,
        )
        events = audit_trail(runtime.uow(), actor, query, runtime.clock())
    for event in events:
        if args.json:
            record = {
                "id": event.id,
                "seq": event.seq,
                "occurred_at": county_iso(event.occurred_at, zone),
                "user": event.user_name,
                "roles": event.roles,
                "workstation": event.workstation,
                "action": event.action,
                "target": event.target,
                "outcome": event.outcome,
                "details": (
                    event.details if event.details is not None else json.loads(event.details_json)
                ),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            user, roles = visible(event.user_name)[:200], visible(event.roles)
            workstation, target = visible(event.workstation), visible(event.target or "")
            out.write(
                f"{precise_time(event.occurred_at, zone)}  {user:18} {roles:20} "
                f"{workstation:12} {visible(event.action):24} {event.outcome:8} {target}\n"
            )
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, out: TextIO) -> int:
    import dataclasses

    from detainer_desk.services.settings import read_settings, save_settings

    with signed_in(args) as (runtime, actor):
        current = read_settings(runtime.uow())
        changes = _settings_changes(args)  # read once signed in, as always
        saved = None
        if changes:
            current = dataclasses.replace(current, **changes)
            saved = save_settings(runtime.uow(), actor, current, runtime.clock())
    if saved is not None and saved.reactivated is not None:
        policy = saved.reactivated.activation.policy
        out.write(
            f"The policy in force, {policy.name}, read times in another timezone: it was "
            f"activated again in {current.timezone} (version {policy.id}, sha256 "
            f"{policy.sha256}). Decisions already recorded keep the text they were made under.\n"
        )
    for label, value in _settings_shown(current):
        out.write(f"{label + ':':14}{visible(value)}\n")
    return EXIT_OK


def _settings_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The settings the options change (none: the settings are only shown)."""
    changes: dict[str, Any] = {}
    if args.county is not None:
        changes["county_name"] = args.county
    if args.jail is not None:
        changes["jail_name"] = args.jail
    if args.timezone is not None:
        changes["timezone"] = args.timezone
    if args.minutes is not None:
        changes["session_timeout_minutes"] = args.minutes
    if args.lockout_minutes is not None:
        changes["lockout_minutes"] = args.lockout_minutes
    if args.second_factor is not None:
        changes["second_factor_required"] = args.second_factor == "on"
    if args.inactive_days is not None:
        changes["inactive_days"] = args.inactive_days
    if args.notice_file is not None:
        text = read_input_file(args.notice_file, "notice", input_limits().NOTICE_FILE_BYTES).decode(
            "utf-8", "replace"
        )
        changes["system_use_notice"] = text.strip()
    if args.default_notice:
        changes["system_use_notice"] = ""
    if args.alerts is not None:
        try:
            first, second = (int(part) for part in args.alerts.split(","))
        except ValueError:
            raise UserError("--alerts: give two numbers of minutes, like 240,60") from None
        changes["alert_first_minutes"], changes["alert_second_minutes"] = first, second
    return changes


def _settings_shown(current: Any) -> tuple[tuple[str, str], ...]:
    """The settings as ``settings`` lists them: (label, value)."""
    return (
        ("County", current.county_name or "(not set)"),
        ("Jail", current.jail_name or "(not set)"),
        ("Timezone", current.timezone or "(not set)"),
        (
            "Hold alerts",
            f"{current.alert_first_minutes} and {current.alert_second_minutes} minutes before the deadline",
        ),
        ("Session lock", f"after {current.session_timeout_minutes} minutes without use"),
        (
            "Lockout",
            f"{current.lockout_minutes} minutes after 5 failed sign-ins within 15 minutes",
        ),
        (
            "Second factor",
            "required at every sign-in"
            if current.second_factor_required
            else "NOT required (CJIS 5.6.2.2 asks for it)",
        ),
        ("Inactive", f"accounts disabled after {current.inactive_days} days without use"),
        (
            "Notice",
            "the administrator's text (shown before the password)"
            if current.system_use_notice
            else "the default text (shown before the password)",
        ),
    )


def cmd_directory(args: argparse.Namespace, out: TextIO) -> int:
    import dataclasses

    from detainer_desk.services import directory as dirs

    with signed_in(args) as (runtime, actor):
        config = dirs.directory_config(runtime.uow())
        if args.directory_command == "off":
            dirs.save_config(runtime.uow(), actor, dirs.DirectoryConfig(), runtime.clock())
            out.write(DIRECTORY_OFF)
            return EXIT_OK
        if args.directory_command == "set":
            config = dataclasses.replace(config, **_directory_changes(args))
            dirs.save_config(runtime.uow(), actor, config, runtime.clock())
        if args.directory_command == "test":
            password = _directory_password(args)
            person, roles = dirs.try_settings(runtime.security(), config, args.name, password)
            out.write(
                f"The directory knows {args.name} as {person.dn} ({person.display_name}).\n"
                f"Groups: {', '.join(sorted(person.groups)) or '(none)'}\n"
                f"Roles here: {', '.join(sorted(roles)) or '(none: this person could not sign in)'}\n"
            )
            return EXIT_OK
    out.write(_directory_text(config))
    return EXIT_OK


DIRECTORY_OFF = "Directory sign-in is off; only local accounts sign in.\n"


def _directory_changes(args: argparse.Namespace) -> dict[str, Any]:
    """What ``directory set`` was given, as the configuration's fields."""
    from detainer_desk.services import directory as dirs

    changes: dict[str, Any] = {}
    if args.url is not None:
        changes["url"] = args.url
        if args.tls is None:
            changes["tls"] = dirs.LDAPS if args.url.lower().startswith("ldaps:") else dirs.STARTTLS
    if args.tls is not None:
        changes["tls"] = args.tls
    if args.ca_file is not None:
        changes["ca_pem"] = read_input_file(
            args.ca_file, "certificate", input_limits().CERTIFICATE_FILE_BYTES
        ).decode("ascii", "replace")
    if args.bind is not None:
        changes["bind"] = args.bind
    if args.base is not None:
        changes["base"] = args.base
    if args.group:
        pairs = []
        for given in args.group:
            group, sep, role = given.rpartition("=")
            if not sep or not group.strip():
                raise UserError(f"--group: {given!r} is not GROUP=ROLE")
            pairs.append((group.strip(), role.strip()))
        changes["group_roles"] = tuple(pairs)
    return changes


def _directory_password(args: argparse.Namespace) -> str:
    """The password ``directory test`` tries: asked at a terminal, else read from stdin."""
    if args.stdin.isatty() and not args.password_stdin:
        import getpass

        return getpass.getpass(f"Directory password of {args.name}: ")
    return next_line(args, "test", "the password to test with")


def _directory_text(config: DirectoryConfig) -> str:
    """The directory settings in force, as ``directory show`` (and ``set``) print them."""
    from detainer_desk.services import directory as dirs

    if not config.enabled:
        return DIRECTORY_OFF
    return (
        f"Server:      {config.url} ({'LDAPS' if config.tls == dirs.LDAPS else 'StartTLS'})\n"
        f"Trust:       {'the saved certificate authority' if config.ca_pem else 'the system trusted authorities'}\n"
        f"Bind as:     {config.bind}\n"
        f"Look up in:  {config.base or '(the bind name only)'}\n"
        + "".join(f"Group:       {group} -> {role}\n" for group, role in config.group_roles)
    )


# -- the commands' parsers ------------------------------------------------------------


def add_audit_parser(commands: Any, common: Any, auth: Any) -> None:
    audit = commands.add_parser(
        "audit", parents=[common, auth], help="the audit trail, newest first (admin, counsel)"
    )
    audit.add_argument("--of-user", metavar="NAME", help="only this user's events")
    audit.add_argument("--action", metavar="PREFIX", help="e.g. sign_in, decision., account.")
    audit.add_argument("--outcome", choices=["success", "failure", "denied"])
    add_day_options(audit)
    audit.add_argument("--limit", type=page_rows, default=200, metavar="N")
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(handler=cmd_audit)


def add_settings_parser(commands: Any, common: Any, auth: Any) -> None:
    settings = commands.add_parser(
        "settings",
        parents=[common, auth],
        help="show or change the installation's settings (admin)",
    )
    settings.add_argument(
        "--county", metavar="NAME", help="the county's name (printed on every PDF)"
    )
    settings.add_argument("--jail", metavar="NAME", help="the jail's name (printed on every PDF)")
    settings.add_argument(
        "--timezone", metavar="ZONE", help="the county's IANA timezone, e.g. America/Chicago"
    )
    settings.add_argument(
        "--alerts", metavar="FIRST,SECOND", help="hold alerts, minutes before the deadline (240,60)"
    )
    settings.add_argument(
        "--session-timeout",
        dest="minutes",
        type=int,
        metavar="MINUTES",
        help="lock the window after this many minutes without use (1 to 30)",
    )
    settings.add_argument(
        "--lockout-minutes",
        dest="lockout_minutes",
        type=int,
        metavar="MINUTES",
        help="how long an account stays locked after 5 failed sign-ins (10 to 1440; 30)",
    )
    settings.add_argument(
        "--second-factor",
        choices=["on", "off"],
        help="require a second factor (an authenticator app's code) at every sign-in",
    )
    settings.add_argument(
        "--inactive-days",
        type=int,
        metavar="DAYS",
        help="disable accounts not used for this many days, at their next sign-in (1 to 90; 90)",
    )
    notice = settings.add_mutually_exclusive_group()
    notice.add_argument(
        "--notice-file",
        metavar="FILE",
        help="the system-use notice shown before the password (a UTF-8 text file)",
    )
    notice.add_argument(
        "--default-notice", action="store_true", help="go back to the default system-use notice"
    )
    settings.set_defaults(handler=cmd_settings)


def add_directory_parsers(commands: Any, common: Any, auth: Any) -> None:
    directory = commands.add_parser(
        "directory",
        parents=[common],
        help="sign-in with the county's directory (LDAP / Active Directory; admin)",
    )
    directory_commands = directory.add_subparsers(
        dest="directory_command", metavar="SUBCOMMAND", required=True
    )
    show = directory_commands.add_parser("show", parents=[common, auth], help="the settings")
    show.set_defaults(handler=cmd_directory)
    off = directory_commands.add_parser(
        "off", parents=[common, auth], help="switch directory sign-in off"
    )
    off.set_defaults(handler=cmd_directory)
    change = directory_commands.add_parser(
        "set",
        parents=[common, auth],
        help="set up or change directory sign-in (LDAPS or StartTLS only)",
    )
    change.add_argument("--url", help="ldaps://dc1.county.example or ldap://... (StartTLS)")
    change.add_argument("--tls", choices=["ldaps", "starttls"])
    change.add_argument(
        "--ca-file", metavar="FILE.pem", help="the certificate authority of the server"
    )
    change.add_argument(
        "--bind",
        metavar="PATTERN",
        help="{user}@county.example (Active Directory) or uid={user},ou=people,dc=...",
    )
    change.add_argument("--base", metavar="DN", help="where people and groups are looked up")
    change.add_argument(
        "--group",
        action="append",
        metavar="GROUP=ROLE",
        help="a directory group (DN or name) and the role it gives; repeatable; replaces all",
    )
    change.set_defaults(handler=cmd_directory)
    test = directory_commands.add_parser(
        "test",
        parents=[common, auth],
        help="bind as NAME with the settings (its password on the next line of standard "
        "input) and show its groups and roles",
    )
    test.add_argument("name", metavar="NAME")
    test.set_defaults(handler=cmd_directory)
