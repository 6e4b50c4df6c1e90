"""``check`` and ``policy presets|show|activate|history|what-if``: policies and the engine."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    UserError,
    add_day_options,
    county_zone_of,
    day_range,
    input_limits,
    is_preset,
    parse_days,
    read_input_file,
    read_policy,
    visible,
)
from detainer_desk.cli.signin import signed_in


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.services.checking import check
    from detainer_desk.services.presentation import decision_as_text

    policy_data = read_policy(args.policy)
    request_data = read_input_file(args.request, "request", input_limits().REQUEST_FILE_BYTES)
    try:
        result = check(policy_data, args.policy, request_data, args.request, args.at)
    except InvalidInput as exc:
        raise UserError(*exc.lines()) from None
    if args.json:
        out.write(json.dumps(result.decision.to_contract(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(decision_as_text(result.decision, result.request) + "\n")
    return EXIT_OK


def cmd_policy_presets(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk import presets
    from detainer_desk.domain.policy import parse_policy

    for name in presets.preset_names():
        policy = parse_policy(presets.preset_bytes(name), name)
        out.write(f"{name}\n    {visible(policy.name)}\n    {visible(policy.citation)}\n")
    out.write("\nShow one in plain English: detainer-desk policy show NAME\n")
    return EXIT_OK


def cmd_policy_show(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.describe import describe_policy
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.domain.policy import parse_policy

    try:
        policy = parse_policy(read_policy(args.file), args.file)
    except InvalidInput as exc:
        raise UserError(*exc.lines()) from None
    out.write(describe_policy(policy) + "\n")
    if args.text:
        out.write("\n--- policy file as written ---\n" + policy.text)
    return EXIT_OK


def cmd_policy_activate(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.records import activate_policy

    preset = is_preset(args.file)
    data = read_policy(args.file)
    with signed_in(args) as (runtime, actor):
        result = activate_policy(
            runtime.uow(),
            data,
            args.file,
            actor,
            runtime.clock(),
            args.reason,
            preset=preset,
            in_county_zone=args.county_timezone,
        )
    policy = result.activation.policy
    if result.already_active:
        out.write(
            f"Already active: {visible(policy.name)} (version {policy.id}, sha256 {policy.sha256})\n"
        )
    else:
        out.write(
            f"Activated: {visible(policy.name)} (version {policy.id}, sha256 {policy.sha256})\n"
        )
    if result.zone_rewrite is not None:
        rewrite = result.zone_rewrite
        what = "the preset's default" if preset else "the file's"
        out.write(
            f"In the county's timezone: line {rewrite.line_number} reads "
            f"'{rewrite.new_line.strip()}' (was '{rewrite.old_line.strip()}', {what}).\n"
        )
    if result.county_zone_unset:
        zone = result.zone_rewrite.policy.timezone if result.zone_rewrite else _zone_of(policy)
        out.write(
            f"The county's timezone is not set, so it is the policy's, {zone}. If the county "
            "is elsewhere: detainer-desk settings --timezone ZONE (the policy is then "
            "activated again in that zone).\n"
        )
    return EXIT_OK


def _zone_of(stored: Any) -> str:
    from detainer_desk.services.policies import load_policy

    return str(load_policy(stored).timezone)


def cmd_policy_history(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.policies import policy_history

    with signed_in(args) as (runtime, actor):
        history = policy_history(runtime.uow(), actor, runtime.clock())
        zone = county_zone_of(runtime)
    if not history:
        out.write("No policy has been activated yet.\n")
    for number, activation in enumerate(history):
        policy = activation.policy
        state = "ACTIVE" if number == 0 else "      "
        out.write(
            visible(
                f"{state} {short_time(activation.stamp.recorded_at, zone)} by {activation.stamp.recorded_by}: "
                f"{policy.name} (version {policy.id}, sha256 {policy.sha256[:16]}…)"
                + (f" - {activation.reason}" if activation.reason else "")
            )
            + "\n"
        )
    return EXIT_OK


def cmd_policy_what_if(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.policies import WhatIfResult, what_if
    from detainer_desk.services.steps import result_of

    data = read_policy(args.file)
    days = parse_days(args)
    with signed_in(args) as (runtime, actor):
        zone = county_zone_of(runtime)
        start, end = day_range(days, zone)
        assert start is not None and end is not None  # both options are required
        steps = what_if(runtime.uow, actor, data, args.file, start, end, runtime.clock())
        result = result_of(steps, WhatIfResult)
    out.write(
        f"Under {visible(result.policy_name)}: {len(result.changes)} of {result.examined} "
        f"decisions received {args.date_from} to {args.date_to} would come out differently.\n"
    )
    for change in result.changes:
        name, booking = visible(change.subject_name)[:28], visible(change.booking_number)
        out.write(
            f"  decision {change.decision_id:>6}  {name:28}  {booking:14} "
            f"{change.recorded_outcome:>8} -> {change.proposed_outcome:8}"
            + (
                f" until {short_time(dt.datetime.fromisoformat(change.proposed_hold_until), zone)}"
                if change.proposed_hold_until
                else ""
            )
            + "\n"
        )
    for decision_id, problem in result.not_evaluable:
        out.write(f"  decision {decision_id}: cannot be re-evaluated: {visible(problem)}\n")
    return EXIT_OK


# -- the commands' parsers ------------------------------------------------------------


def add_check_parser(commands: Any, common: Any, auth: Any) -> None:
    check = commands.add_parser(
        "check",
        parents=[common],
        help="check a request file against a policy (touches no record)",
        description="Evaluate REQUEST (contract JSON) under POLICY (contract TOML, or a preset "
        "name). Exit 0 with the decision; exit 2 with one line per problem on bad input.",
    )
    check.add_argument("--policy", required=True, metavar="POLICY.toml")
    check.add_argument("request", metavar="REQUEST.json")
    check.add_argument(
        "--at",
        metavar="INSTANT",
        help="evaluate at this instant instead of the request's received_at "
        "(e.g. 2026-03-06T14:00:00-08:00; without an offset, local time in the policy file's "
        "timezone)",
    )
    check.add_argument("--json", action="store_true", help="print the decision as contract JSON")
    check.set_defaults(handler=cmd_check)


def add_policy_parsers(commands: Any, common: Any, auth: Any) -> None:
    policy = commands.add_parser("policy", parents=[common], help="policy files and presets")
    policy_commands = policy.add_subparsers(
        dest="policy_command", metavar="SUBCOMMAND", required=True
    )
    presets = policy_commands.add_parser("presets", help="list the shipped policy presets")
    presets.set_defaults(handler=cmd_policy_presets)
    show = policy_commands.add_parser("show", help="print a policy in plain English")
    show.add_argument("file", metavar="FILE", help="a policy file, or a preset name")
    show.add_argument("--text", action="store_true", help="also print the file as written")
    show.set_defaults(handler=cmd_policy_show)
    activate = policy_commands.add_parser(
        "activate",
        parents=[common, auth],
        help="make a policy the active one (stored with its text and SHA-256)",
    )
    activate.add_argument("file", metavar="FILE", help="a policy file, or a preset name")
    activate.add_argument("--reason", help="why this policy is activated (kept in the record)")
    activate.add_argument(
        "--county-timezone",
        action="store_true",
        help="a policy file in another timezone: activate it with the county's timezone "
        "instead (its timezone line is changed in the text that is stored)",
    )
    activate.set_defaults(handler=cmd_policy_activate)
    history = policy_commands.add_parser(
        "history", parents=[common, auth], help="every policy version activated: who, when, why"
    )
    history.set_defaults(handler=cmd_policy_history)
    what_if = policy_commands.add_parser(
        "what-if",
        parents=[common, auth],
        help="re-evaluate a period's requests under a proposed policy and list what would change",
    )
    what_if.add_argument("file", metavar="FILE", help="the proposed policy file, or a preset name")
    add_day_options(what_if, required=True)
    what_if.set_defaults(handler=cmd_policy_what_if)
