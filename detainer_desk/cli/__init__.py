"""The headless commands, thin over the services.

Exit status: 0 done; 2 the user's input (or environment) is wrong, explained in plain words
on standard error, nothing changed; 1 the check or verification itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TextIO, cast

from detainer_desk.cli.common import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, UserError
from detainer_desk.cli.parser import build_parser
from detainer_desk.cli.terminal import (
    TerminalSafe,
    check_text_options,
    error_line,
    first_interrupt_stops,
)
from detainer_desk.cli.window import cmd_gui

__all__ = ["build_parser", "main"]


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = cast(TextIO, TerminalSafe(out or sys.stdout))
    err = cast(TextIO, TerminalSafe(err or sys.stderr))
    parser = build_parser()
    try:
        # argparse prints usage, --help and its errors itself: to this call's streams.
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has already printed usage and the problem
        return int(exc.code or 0)
    args.stdin = stdin or sys.stdin
    args.err = err
    if os.environ.get("DETAINER_DESK_WORKERS", "").strip():
        from detainer_desk.adapters.workers import setting_problem

        problem = setting_problem()
        if problem:
            err.write(f"Note: {problem}.\n")
    handler: Callable[[argparse.Namespace, TextIO], int] = args.handler
    try:
        check_text_options(args)
        if handler is cmd_gui:  # the window answers Ctrl+C itself
            return handler(args, out)
        with first_interrupt_stops(err):
            return handler(args, out)
    except UserError as exc:
        for line in exc.lines:
            err.write(error_line(line))
        return EXIT_USAGE
    except Exception as exc:
        # Imported only now: the window's first paint must not wait for the services.
        from detainer_desk.domain.errors import InvalidInput
        from detainer_desk.services.access import RecordError

        if isinstance(exc, InvalidInput):
            for line in exc.lines():
                err.write(error_line(line))
            return EXIT_USAGE
        if isinstance(exc, RecordError):
            err.write(error_line(str(exc)))
            return EXIT_USAGE
        # A bug, not the user's doing: logged in full, told briefly.
        import logging

        from detainer_desk.logs import current_log_file

        logging.getLogger("detainer_desk.cli").exception("Unexpected error in %s", args.command)
        where = current_log_file()
        err.write(
            error_line(
                f"Unexpected error (a fault in Detainer Desk, not in what you typed): "
                f"{type(exc).__name__}: {exc}"
            )
            + (f"The details were written to {where}\n" if where else "")
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return EXIT_INTERRUPTED
