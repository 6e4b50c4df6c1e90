"""What every command shares: exit statuses, errors in plain words (exit 2), reading
the command line's values and files, opening the store, writing outputs."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130  # as a shell reports Ctrl+C
ROLE_CHOICES = ["officer", "supervisor", "counsel", "admin"]


class UserError(Exception):
    """A problem the user can fix; each line is printed as it is, without a traceback."""

    def __init__(self, *lines: str) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def read_input_file(path: str, what: str, limit: int) -> bytes:
    """The file's bytes, at most ``limit`` of them: a device, a folder or a larger file is
    refused in plain words (``/dev/zero`` is never read for ever)."""
    from detainer_desk.adapters.reading import FileRefused, read_limited

    try:
        return read_limited(path, limit, what)
    except FileRefused as exc:
        raise UserError(str(exc)) from None


def input_limits() -> Any:
    from detainer_desk.domain import limits

    return limits


def quoted(text: str) -> str:
    from detainer_desk.domain import text as words

    return words.quoted(text)


def visible(value: object) -> str:
    """A value from the records as a terminal may show it (control characters escaped)."""
    from detainer_desk.domain import text as words

    return words.visible(str(value))


def open_store(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.paths import DataDirError, resolve_paths
    from detainer_desk.runtime import open_runtime

    try:
        runtime = open_runtime(resolve_paths(args.data_dir), getattr(args, "db", None))
    except (DataDirError, DatabaseError) as exc:
        raise UserError(f"Cannot open the record store: {exc}") from None
    start_log(runtime.paths)
    say_notices(args, runtime.notices)
    return runtime


def say_notices(args: argparse.Namespace, notices: Sequence[str]) -> None:
    """How the records are kept, when the user should know (once per command)."""
    said: set[str] = args.__dict__.setdefault("notices_said", set())
    for notice in notices:
        if notice not in said:
            said.add(notice)
            print(f"Note: {notice}", file=getattr(args, "err", None) or sys.stderr)


def start_log(paths: Any) -> None:
    from detainer_desk.logs import configure_logging

    if paths.data_dir.is_dir():
        configure_logging(paths.log_dir)


def parse_when(text: str, option: str) -> dt.datetime:
    """An instant from the command line; without an offset it is the county's wall clock
    (the services read it in the county's timezone)."""
    from detainer_desk.domain.reader import parse_instant_text

    moment, error = parse_instant_text(text)
    if error or moment is None:
        raise UserError(f"{option}: {error}")
    return moment


def parse_days(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to as dates (checked before anything is opened)."""
    first = parse_day(args.date_from, "--from") if args.date_from else None
    last = parse_day(args.date_to, "--to") if args.date_to else None
    if first is not None and last is not None and last < first:
        raise UserError("--to is before --from")
    return first, last


def day_range(
    days: tuple[dt.date | None, dt.date | None], zone: Any
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """County days: from the county's midnight starting the first to the one ending the last."""
    from detainer_desk.domain.clock import start_of_day

    first, last = days
    start = start_of_day(first, zone) if first is not None else None
    end = start_of_day(last + dt.timedelta(days=1), zone) if last is not None else None
    return start, end


def parse_day(text: str, option: str) -> dt.date:
    """A date from the command line, within the years records can hold."""
    limits = input_limits()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: {quoted(text)} is not a date like 2026-03-05") from None
    if not limits.FIRST_YEAR <= day.year <= limits.LAST_YEAR:
        raise UserError(
            f"{option}: {text} is outside the years {limits.FIRST_YEAR} to {limits.LAST_YEAR}"
        )
    return day


def county_zone_of(runtime: Any) -> Any:
    from detainer_desk.services.county_clock import county_zone

    return county_zone(runtime.uow())


def county_iso(moment: dt.datetime | None, zone: Any) -> str | None:
    """A full ISO 8601 instant for machines, with the county's offset: its date is the
    county's date."""
    return moment.astimezone(zone).isoformat() if moment is not None else None


def file_kind(name: str | None) -> Any:
    """The kind of file a command writes ("pdf", "sqlite", "protected": an encrypted
    copy), as adapters/files checks it before replacing one; None for any new file."""
    if name is None:
        return None
    if name == "protected":
        from detainer_desk.adapters.protect import protected_kind

        return protected_kind
    from detainer_desk.adapters import files

    return {"pdf": files.pdf_kind, "sqlite": files.sqlite_kind}[name]


def check_output(target: Path, *, replace: bool = False, kind: str | None = None) -> None:
    """Refuse at once a target that cannot be written (see adapters/files): a link, a
    device, a folder, or a file that exists and is not to be replaced."""
    from detainer_desk.adapters.files import OutputError, OutputExists, check_target

    try:
        check_target(target, replace=replace, kind=file_kind(kind))
    except OutputExists:
        hint = "choose another name" + (" or add --force" if kind is not None else "")
        raise UserError(f"{target} already exists: {hint}") from None
    except OutputError as exc:
        raise UserError(str(exc)) from None


def write_file(
    target: Path,
    data: bytes,
    *,
    replace: bool = False,
    kind: str | None = None,
    runtime: Any = None,
) -> Path:
    """A new private file, whole or not at all, never through a link (adapters/files)."""
    from detainer_desk.adapters.files import OutputError, write_output

    journal = runtime.partials if runtime is not None else None
    try:
        return write_output(target, data, replace=replace, kind=file_kind(kind), journal=journal)
    except OutputError as exc:
        raise UserError(str(exc)) from None


def write_new(folder: Path, name: str, data: bytes, runtime: Any = None) -> Path:
    from detainer_desk.adapters.files import make_private_folder

    try:
        make_private_folder(folder, parents=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from None
    return write_file(folder / name, data, runtime=runtime)


def read_policy(name: str) -> bytes:
    """A policy file, or, when no such file exists, a shipped preset of that name."""
    from detainer_desk import presets

    if not Path(name).exists() and name in presets.preset_names():
        return presets.preset_bytes(name)
    return read_input_file(name, "policy", input_limits().POLICY_FILE_BYTES)


def is_preset(name: str) -> bool:
    """Whether NAME means a shipped preset (a template) rather than a policy file."""
    from detainer_desk import presets

    return not Path(name).exists() and name in presets.preset_names()


def store_url(args: argparse.Namespace, paths: Any) -> Any:
    """The store's URL (--db, DETAINER_DESK_DB, the saved one or the SQLite file), read
    before the store is opened; a malformed one in plain words, as opening it would say."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    from detainer_desk.runtime import database_url

    text = database_url(paths, getattr(args, "db", None))
    try:
        if any("\ud800" <= ch <= "\udfff" for ch in text):
            raise ValueError("not UTF-8 text")
        return make_url(text)
    except (ArgumentError, ValueError):  # a port that is not a number gives ValueError
        raise UserError(
            f"Cannot open the record store: {quoted(text)} is not a database URL"
        ) from None


def next_line(args: argparse.Namespace, option: str, what: str) -> str:
    line = args.stdin.readline()
    if not line:
        raise UserError(f"{option}: standard input ended before {what} was read")
    return str(line).rstrip("\r\n")


def confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if getattr(args, "password_stdin", False) or not args.stdin.isatty():
        raise UserError(f"{question}\nNo terminal to ask on: confirm with --yes.")
    err = getattr(args, "err", None) or sys.stderr
    err.write(f"{question}\nType yes to go on: ")
    err.flush()
    if args.stdin.readline().strip().casefold() != "yes":
        raise UserError("Nothing was changed.")


def read_passphrase(args: argparse.Namespace, what: str) -> str:
    if args.passphrase_stdin:
        return next_line(args, "--passphrase-stdin", "a passphrase")
    if args.stdin.isatty():
        import getpass

        return getpass.getpass(f"Passphrase of {what}: ")
    raise UserError(f"{what} is encrypted and there is no terminal: use --passphrase-stdin")


BOOLEAN_DETAILS = ("consent_form_given", "complied")
YES = ("yes", "true", "y")
NO = ("no", "false", "n")


def parse_details(pairs: list[str] | None, option: str = "--detail") -> dict[str, object]:
    """KEY=VALUE pairs; yes/no for the details that are yes or no."""
    details: dict[str, object] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        key = key.strip()
        if not sep or not key:
            raise UserError(f"{option}: {pair!r} is not KEY=VALUE (e.g. {option} answer=declined)")
        if key in details:
            raise UserError(f"{option}: {key} is given twice")
        if key in BOOLEAN_DETAILS:
            word = value.strip().lower()
            if word not in YES + NO:
                raise UserError(f"{option}: {key} is yes or no, not {value!r}")
            details[key] = word in YES
        else:
            details[key] = value
    return details


# The largest id a database row can have (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


def decision_number(text: str) -> int:
    """A decision number as argparse reads it: a whole number from 1 up."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a decision number") from None
    if not 1 <= value <= LARGEST_ID:
        raise argparse.ArgumentTypeError(
            f"{quoted(text)} is not a decision number (they run from 1 to {LARGEST_ID:,})"
        )
    return value


def page_rows(text: str) -> int:
    """How many rows to list: a whole number from 1 to PAGE_ROWS."""
    most = input_limits().PAGE_ROWS
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{quoted(text)} is not a whole number") from None
    if not 1 <= value <= most:
        raise argparse.ArgumentTypeError(f"give 1 to {most:,} rows, not {quoted(text)}")
    return value
