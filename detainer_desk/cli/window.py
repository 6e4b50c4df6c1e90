"""Opening the window (no command, or ``smoke``)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import start_log


def cmd_gui(args: argparse.Namespace, out: TextIO) -> int:
    # Only Qt is imported before the window first paints; then a first look at the store
    # (the standard library's sqlite3) may show the sign-in page at once, and the store
    # (SQLAlchemy, perhaps a migration) is opened by open_records (see gui/app.py).
    from detainer_desk.gui.app import StartupError, run_gui

    def refuse(reason: object) -> StartupError:
        startup_error = f"Detainer Desk cannot open its records: {reason}"
        print(startup_error, file=sys.stderr)
        return StartupError(startup_error)

    def look_first() -> Any:
        from detainer_desk.paths import DataDirError, resolve_paths
        from detainer_desk.runtime import FirstPage, probe_store

        try:
            paths = resolve_paths(args.data_dir)
        except DataDirError:
            return None  # open_records says why
        probe = probe_store(paths, getattr(args, "db", None))
        if probe is not None and probe.first_page is FirstPage.REFUSE:
            raise refuse(probe.message)
        return probe

    def open_records() -> Any:
        from detainer_desk.adapters.db.engine import DatabaseError
        from detainer_desk.paths import DataDirError, resolve_paths
        from detainer_desk.runtime import open_runtime

        try:
            paths = resolve_paths(args.data_dir)
            # Today's backup is made once the window is up (gui/app.py), not before.
            runtime = open_runtime(paths, getattr(args, "db", None), daily_backup_later=True)
        except (DataDirError, DatabaseError) as exc:
            raise refuse(exc) from None
        start_log(paths)
        return runtime

    return run_gui(
        opener=open_records,
        probe=look_first,
        smoke=args.command == "smoke",
        settings_folder=_settings_folder(args),
    )


def _settings_folder(args: argparse.Namespace) -> Path | None:
    """The data folder, where the window's place is remembered; None when it cannot be
    known (the records' opening then says why)."""
    from detainer_desk.paths import DataDirError, resolve_paths

    try:
        return resolve_paths(args.data_dir).data_dir
    except DataDirError:
        return None


# -- the commands' parsers ------------------------------------------------------------


def add_smoke_parser(commands: Any, common: Any, auth: Any) -> None:
    smoke = commands.add_parser(
        "smoke", parents=[common], help="open the main window, let it paint once, and exit 0"
    )
    smoke.set_defaults(handler=cmd_gui)
