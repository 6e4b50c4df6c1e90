"""``export``: the litigation bundle for counsel (or only decisions.csv)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from detainer_desk.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    UserError,
    check_output,
    county_zone_of,
    day_range,
    parse_days,
)
from detainer_desk.cli.signin import signed_in
from detainer_desk.cli.terminal import interrupt_cancels
from detainer_desk.domain.outcomes import OUTCOMES

if TYPE_CHECKING:
    from detainer_desk.services.export import ExportResult


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.ports import DecisionQuery

    days = parse_days(args)

    def query_in(zone: Any) -> Any:
        start, end = day_range(days, zone)  # the county's days
        return DecisionQuery(
            search=args.search,
            outcome=args.outcome,
            received_from=start,
            received_to=end,
            recorded_by=args.officer,
        )

    if args.csv_only:
        return _export_csv_only(args, query_in, out)
    from detainer_desk.services.export import ExportCancelled, ExportRequest
    from detainer_desk.services.ports import DestinationError

    if not args.output:
        raise UserError("-o/--output: give a new folder or a .zip file for the bundle")
    if not args.recipient or not args.recipient.strip():
        raise UserError("--recipient: say who the export is for (it is kept in the audit trail)")
    from detainer_desk.domain.protection import new_passphrase

    # A ZIP is what travels (a USB stick, a file transfer): always encrypted, under a
    # passphrase made for this export alone and shown once, for another channel. A folder
    # is plain, for when counsel asks for one (CJIS 5.10.1.2.2: it stays inside).
    encrypted = Path(args.output).suffix.lower() == ".zip"
    passphrase = new_passphrase() if encrypted else None
    with signed_in(args) as (runtime, actor), interrupt_cancels(args.err) as cancelled:
        request = ExportRequest(
            query_in(county_zone_of(runtime)),
            args.recipient,
            args.output,
            actor,
            passphrase=passphrase,
        )
        try:
            steps = runtime.exporter().export(request, cancelled)
        except DestinationError as exc:
            raise UserError(str(exc)) from None
        try:
            result = _followed(steps, quiet=args.quiet)
        except ExportCancelled:
            args.err.write(
                "Export cancelled: what was written was removed, and the cancellation is in "
                "the audit trail.\n"
            )
            return EXIT_INTERRUPTED
    out.write(_export_words(result, passphrase))
    return EXIT_OK


def _followed(steps: Iterable[Any], *, quiet: bool) -> ExportResult:
    """The export's result, its progress shown on standard error on the way (unless quiet)."""
    from detainer_desk.services.export import ExportResult

    result = None
    for step in steps:
        if isinstance(step, ExportResult):
            result = step
        elif not quiet:
            print(f"\r{step.stage}: {step.done:,} of {step.total:,}   ", end="", file=sys.stderr)
    if not quiet:
        print(file=sys.stderr)
    assert result is not None
    return result


def _export_words(result: ExportResult, passphrase: str | None) -> str:
    """What was exported, its manifest's hash, and how the copy is protected."""
    words = (
        f"Exported {result.decisions} decisions ({result.files} files) to {result.destination}\n"
        f"manifest.sha256 has SHA-256 {result.manifest_sha256}\n"
    )
    if passphrase is not None:
        return words + (
            "The ZIP is encrypted with AES-256 (it opens in 7-Zip and WinZip). Its passphrase, "
            "shown this once and kept nowhere:\n\n"
            f"    {passphrase}\n\n"
            "Give it to the recipient by another channel than the file (a telephone call, not "
            "the same e-mail or the same stick).\n"
        )
    return words + (
        "The folder is NOT encrypted: keep it inside the jail's secure location, or "
        "export to a .zip file to take it out.\n"
    )


def _export_csv_only(args: argparse.Namespace, query_in: Any, out: TextIO) -> int:
    import io

    from detainer_desk.adapters.files import OutputError, PendingFile
    from detainer_desk.services.export import export_csv

    if not args.output:
        raise UserError("-o/--output: give a new .csv file")
    target = Path(args.output)
    check_output(target)
    with signed_in(args) as (runtime, actor):
        query = query_in(county_zone_of(runtime))
        try:
            # Interrupted (Ctrl+C) or failed: the half file is removed, nothing is left.
            pending = PendingFile(target, journal=runtime.partials)
            with pending as raw:
                handle = io.TextIOWrapper(raw, encoding="utf-8", newline="")
                count = export_csv(
                    runtime.uow(),
                    actor,
                    query,
                    args.recipient or "",
                    handle,
                    runtime.clock(),
                    runtime.ledger(),
                )
                handle.flush()
                handle.detach()
        except OutputError as exc:
            raise UserError(str(exc)) from None
    out.write(f"Wrote {count} decisions to {target}\n")
    return EXIT_OK


# -- the commands' parsers ------------------------------------------------------------


def add_export_parser(commands: Any, common: Any, auth: Any) -> None:

    export = commands.add_parser(
        "export",
        parents=[common, auth],
        help="litigation export for counsel: CSV, JSON lines, audit PDFs, attachments, load files, manifest",
    )
    export.add_argument(
        "-o", "--output", metavar="DEST", help="a new folder, or a file ending in .zip"
    )
    export.add_argument(
        "--recipient", metavar="WHO", help="who the export is for (audited; required)"
    )
    export.add_argument(
        "--from", dest="date_from", metavar="DATE", help="received on or after this date"
    )
    export.add_argument(
        "--to", dest="date_to", metavar="DATE", help="received on or before this date"
    )
    export.add_argument(
        "--search", metavar="TEXT", help="subject name words, A-number or booking number"
    )
    export.add_argument("--outcome", choices=[o.value for o in OUTCOMES])
    export.add_argument("--officer", metavar="USER", help="recorded by this user")
    export.add_argument(
        "--csv-only", action="store_true", help="write only decisions.csv to -o FILE.csv"
    )
    export.add_argument("--quiet", action="store_true")
    export.set_defaults(handler=cmd_export)
