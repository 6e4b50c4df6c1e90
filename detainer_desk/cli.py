"""The headless commands, thin over the services.

Exit status: 0 done; 2 the user's input (or environment) is wrong, explained in plain words
on standard error, nothing changed; 1 the check or verification itself failed.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TextIO

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


class UserError(Exception):
    """A problem the user can fix; each line is printed as it is, without a traceback."""

    def __init__(self, *lines: str) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def read_input_file(path: str, what: str) -> bytes:
    file = Path(path)
    try:
        return file.read_bytes()
    except FileNotFoundError:
        raise UserError(f"{path}: the {what} file does not exist") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a folder, not a {what} file") from None
    except PermissionError:
        raise UserError(f"{path}: permission denied reading the {what} file") from None
    except OSError as exc:
        raise UserError(f"{path}: the {what} file cannot be read ({exc.strerror})") from None


# -- commands ---------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.services.checking import check
    from detainer_desk.services.presentation import decision_as_text

    policy_data = _read_policy(args.policy)
    request_data = read_input_file(args.request, "request")
    try:
        result = check(policy_data, args.policy, request_data, args.request, args.at)
    except InvalidInput as exc:
        raise UserError(*exc.lines()) from None
    if args.json:
        out.write(json.dumps(result.decision.to_contract(), indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(decision_as_text(result.decision, result.request) + "\n")
    return EXIT_OK


def _read_policy(name: str) -> bytes:
    """A policy file, or, when no such file exists, a shipped preset of that name."""
    from detainer_desk import presets

    if not Path(name).exists() and name in presets.preset_names():
        return presets.preset_bytes(name)
    return read_input_file(name, "policy")


def cmd_policy_presets(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk import presets
    from detainer_desk.domain.policy import parse_policy

    for name in presets.preset_names():
        policy = parse_policy(presets.preset_bytes(name), name)
        out.write(f"{name}\n    {policy.name}\n    {policy.citation}\n")
    out.write("\nShow one in plain English: detainer-desk policy show NAME\n")
    return EXIT_OK


def cmd_policy_show(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.describe import describe_policy
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.domain.policy import parse_policy

    try:
        policy = parse_policy(_read_policy(args.file), args.file)
    except InvalidInput as exc:
        raise UserError(*exc.lines()) from None
    out.write(describe_policy(policy) + "\n")
    if args.text:
        out.write("\n--- policy file as written ---\n" + policy.text)
    return EXIT_OK


def cmd_gui(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.paths import DataDirError, ensure_data_dir, resolve_paths

    paths = resolve_paths(args.data_dir)
    try:
        ensure_data_dir(paths)
    except DataDirError as exc:
        raise UserError(str(exc)) from None
    from detainer_desk.gui.app import run_gui

    return run_gui(paths, smoke=args.command == "smoke")


# -- the parser -------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from detainer_desk import __version__

    data_dir_help = (
        "where the database and logs live (default: $DETAINER_DESK_HOME or the user data folder)"
    )
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_dir_help)

    parser = argparse.ArgumentParser(
        prog="detainer-desk",
        description="Decide, lawfully and on the record, what the jail does with an ICE "
        "detainer request. Without a command, opens the application.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=data_dir_help)
    parser.set_defaults(handler=cmd_gui, command=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    smoke = commands.add_parser(
        "smoke", parents=[common], help="open the main window, let it paint once, and exit 0"
    )
    smoke.set_defaults(handler=cmd_gui)

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
        "(e.g. 2026-03-06T14:00:00-08:00; without an offset, local time in the policy's timezone)",
    )
    check.add_argument("--json", action="store_true", help="print the decision as contract JSON")
    check.set_defaults(handler=cmd_check)

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
    return parser


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed usage and the problem
        return int(exc.code or 0)
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    try:
        return handler(args, out)
    except UserError as exc:
        for line in exc.lines:
            err.write(line + "\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return 130
