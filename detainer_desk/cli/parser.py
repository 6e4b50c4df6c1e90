"""The command line's parser: the options every command shares, and each family's commands
(their parsers live beside their handlers)."""

from __future__ import annotations

import argparse
from typing import NoReturn

from detainer_desk.cli import (
    admin,
    contacts,
    evidence,
    export,
    policy,
    records,
    reports,
    store,
    users,
    window,
)

# Each family's commands, in the order ``--help`` lists them.
FAMILIES = (
    window.add_smoke_parser,
    policy.add_check_parser,
    policy.add_policy_parsers,
    records.add_record_parser,
    records.add_amend_parser,
    records.add_log_parser,
    records.add_show_parser,
    evidence.add_verify_parser,
    evidence.add_checkpoint_parser,
    evidence.add_keys_parsers,
    export.add_export_parser,
    reports.add_stats_parser,
    reports.add_document_parsers,
    contacts.add_contact_parsers,
    contacts.add_law_parsers,
    store.add_demo_parser,
    users.add_users_parsers,
    admin.add_audit_parser,
    admin.add_settings_parser,
    store.add_backup_parsers,
    reports.add_review_parsers,
    admin.add_directory_parsers,
)


class _Parser(argparse.ArgumentParser):
    """argparse, with its own error messages escaped and shortened: an invalid choice is
    quoted whole by argparse, however long, and it comes from whoever typed it."""

    def error(self, message: str) -> NoReturn:
        from detainer_desk.domain.text import shortened, visible

        super().error(shortened(visible(message), 400))


def build_parser() -> argparse.ArgumentParser:
    from detainer_desk import __version__

    data_dir_help = (
        "where the database and logs live (default: $DETAINER_DESK_HOME or the user data folder)"
    )
    db_help = (
        "database URL (default: $DETAINER_DESK_DB, else the SQLite file in the data folder); "
        "postgresql+psycopg://user@host/db for a shared server"
    )
    common = _Parser(add_help=False)
    common.add_argument("--data-dir", metavar="DIR", default=argparse.SUPPRESS, help=data_dir_help)
    common.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=db_help)

    auth = _Parser(add_help=False)
    auth.add_argument("--user", metavar="NAME", help="your account (these commands are audited)")
    auth.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the password from the first line of standard input instead of the terminal",
    )
    auth.add_argument(
        "--otp-stdin",
        action="store_true",
        help="read the second-factor code (or a recovery code) from the next line of standard "
        "input, after the password",
    )

    parser = _Parser(
        prog="detainer-desk",
        description="Decide, lawfully and on the record, what the jail does with an ICE "
        "detainer request. Without a command, opens the application.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", default=None, help=data_dir_help)
    parser.add_argument("--db", metavar="URL", default=None, help=db_help)
    parser.set_defaults(handler=window.cmd_gui, command=None, db=None)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add_parsers in FAMILIES:
        add_parsers(commands, common, auth)
    return parser
