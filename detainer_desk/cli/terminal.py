"""The terminal's side of every command: values that are not text refused, error lines
escaped and bounded, output made safe for a terminal, Ctrl+C answered."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from detainer_desk.cli.common import UserError


@contextlib.contextmanager
def interrupt_cancels(err: TextIO) -> Iterator[Callable[[], bool]]:
    """While a long job runs, Ctrl+C asks it to stop at its next step, where it cleans up
    (a half bundle removed, the cancellation audited), rather than breaking off mid-step
    and leaving things behind. Yields the job's ``cancelled()``. Once pressed, further
    presses are ignored until the program ends: they must not break the clean-up."""
    import signal
    import threading

    pressed: list[bool] = []
    if threading.current_thread() is not threading.main_thread():
        yield lambda: False
        return

    def stop(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        if not pressed:
            err.write("\nStopping: removing what was written…\n")
        pressed.append(True)

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield lambda: bool(pressed)
    finally:
        if not pressed:
            signal.signal(signal.SIGINT, previous)


@contextlib.contextmanager
def first_interrupt_stops(err: TextIO) -> Iterator[None]:
    """Ctrl+C stops a command (KeyboardInterrupt, answered by ``main``); every further
    press while it stops is ignored. People press twice, and ``uv run`` passes a second
    SIGINT on: a second KeyboardInterrupt inside the clean-up (stopping worker processes,
    removing a half file) broke it off and ended the program by the signal, leaving things
    behind. After a press the handler stays ignoring until the process ends."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    pressed: list[bool] = []

    def stop(_signum: int, _frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        pressed.append(True)
        err.write("\nStopping…\n")
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGINT, stop)
    try:
        yield
    finally:
        if not pressed and signal.getsignal(signal.SIGINT) is stop:
            signal.signal(signal.SIGINT, previous)


# Options whose text is stored, searched for or sent to a server (file names are not: the
# system opens any file name it gave).
TEXT_OPTIONS = {
    "search": "--search",
    "officer": "--officer",
    "of_user": "--of-user",
    "action": "--action",
    "reason": "--reason",
    "recipient": "--recipient",
    "correct": "--correct",
    "county": "--county",
    "jail": "--jail",
    "timezone": "--timezone",
    "alerts": "--alerts",
    "display_name": "--display-name",
    "name": "NAME",
    "user": "--user",
    "db": "--db",
    "at": "--at",
    "release_eligible_at": "--release-eligible-at",
    "ice_custody_at": "--ice-custody-at",
    "released_at": "--released-at",
    "date_from": "--from",
    "date_to": "--to",
    "url": "--url",
    "bind": "--bind",
    "base": "--base",
    "group": "--group",
}


def check_text_options(args: argparse.Namespace) -> None:
    """A command-line value that is not text: bytes that are not UTF-8 reach Python as lone
    surrogates, which no database, file or terminal accepts; refused, naming the option."""
    from detainer_desk.domain.reader import text_problem

    for dest, option in TEXT_OPTIONS.items():
        value = getattr(args, dest, None)
        for text in value if isinstance(value, list) else [value]:
            if isinstance(text, str):
                problem = text_problem(text, len(text))
                if problem is not None:
                    raise UserError(f"{option}: {problem}")


# The longest error line written: a message quotes bad values shortened already; this bounds
# whatever else a message may carry (a driver's text, a path).
ERROR_LINE = 2_000


def error_line(line: str) -> str:
    """One line of an error message as written: control characters (a line break, ESC)
    escaped, so a value cannot forge another line or drive the terminal; and bounded."""
    from detainer_desk.domain.text import shortened, visible

    return shortened(visible(line), ERROR_LINE) + "\n"


class TerminalSafe:
    """Standard output or error as the commands write to it. Whatever reaches it besides
    the program's own line ends, tabs and carriage returns is written as an escape: the last
    line of defence against a value from the records (a name, a file name, a reason) that
    a command forgot to pass through ``visible`` driving the terminal. Inside JSON output
    the escape is itself valid JSON for the same character."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from detainer_desk.domain.text import terminal_safe

        return self._stream.write(terminal_safe(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
