"""``stats``, ``report``/``notice`` of one decision, and the reviews (``accounts-report``,
``audit-review``): the PDFs and figures made from the records."""

from __future__ import annotations

import argparse
import datetime as dt
import json
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    UserError,
    check_output,
    county_zone_of,
    day_range,
    decision_number,
    parse_day,
    parse_days,
    write_file,
)
from detainer_desk.cli.signin import signed_in


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import day_text
    from detainer_desk.services.documents import report_context
    from detainer_desk.services.statistics import weekly_statistics

    first, last = _statistics_period(args)
    target = Path(args.output) if args.output else None
    if target is not None:
        check_output(target)
    with signed_in(args) as (runtime, actor):
        now = runtime.clock()
        context = report_context(runtime.uow(), actor, now)
        report = weekly_statistics(runtime.uow(), actor, first, last, now)
        if target is not None:
            pdf = runtime.documents.render_statistics_pdf(report, context)
            write_file(target, pdf, runtime=runtime)
    if args.json:
        out.write(
            json.dumps(
                {
                    "from": report.period_start.isoformat(),
                    "to": report.period_end.isoformat(),
                    "timezone": report.timezone,
                    "totals": report.totals,
                    "by_week": {r.label: r.counts for r in report.by_week},
                    "by_form": {r.label: r.counts for r in report.by_form},
                    "by_reason": {r.label: r.counts for r in report.by_reason},
                },
                indent=2,
            )
            + "\n"
        )
    else:
        out.write(
            f"{day_text(report.period_start)} to {day_text(report.period_end)}, the county's "
            f"days ({report.timezone})\n"
        )
        for column in report.columns:
            out.write(f"  {column}: {report.totals.get(column, 0)}\n")
        if target is not None:
            out.write(f"Wrote {target}\n")
    return EXIT_OK


def _statistics_period(args: argparse.Namespace) -> tuple[dt.date, dt.date]:
    first, last = parse_day(args.date_from, "--from"), parse_day(args.date_to, "--to")
    if last < first:
        raise UserError("--to is before --from")
    return first, last


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """The audit PDF (``report``) or the notice to the person (``notice``) of one decision."""
    from detainer_desk.services.documents import decision_record, report_context

    notice = args.command == "notice"
    purpose = "notice to the person" if notice else "audit PDF"
    target = Path(args.output)
    check_output(target, replace=args.force, kind="pdf")  # before the password is asked
    with signed_in(args) as (runtime, actor):
        now = runtime.clock()
        record = decision_record(runtime.uow(), args.id, actor, now, purpose)
        context = report_context(runtime.uow(), actor, now)
        data = (
            runtime.documents.render_notice_pdf(record, context)
            if notice
            else runtime.documents.render_audit_pdf(record, context)
        )
        write_file(target, data, replace=args.force, kind="pdf", runtime=runtime)
    out.write(f"Wrote the {purpose} of decision {args.id} to {target} ({len(data):,} bytes)\n")
    return EXIT_OK


def cmd_accounts_report(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.reviews import account_validation

    target = Path(args.output)
    check_output(target, replace=args.force, kind="pdf")
    with signed_in(args) as (runtime, actor):
        report = account_validation(runtime.uow(), actor, runtime.clock())
        write_file(
            target,
            runtime.documents.render_account_validation_pdf(report),
            replace=args.force,
            kind="pdf",
            runtime=runtime,
        )
    out.write(f"Wrote the account validation of {len(report.lines)} accounts to {target}\n")
    return EXIT_OK


def cmd_audit_review(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.reviews import audit_review

    target = Path(args.output)
    days = parse_days(args)  # judged before anything is opened
    check_output(target, replace=args.force, kind="pdf")
    with signed_in(args) as (runtime, actor):
        now = runtime.clock()
        start, end = day_range(days, county_zone_of(runtime))  # the county's days
        end = end or now
        start = start or end - dt.timedelta(days=7)
        if start >= end:
            raise UserError("--from must come before --to")
        report = audit_review(runtime.uow(), actor, start, end, now)
        write_file(
            target,
            runtime.documents.render_audit_review_pdf(report),
            replace=args.force,
            kind="pdf",
            runtime=runtime,
        )
    for part in report.sections:
        out.write(f"  {part.title}: {len(part.events)}\n")
    out.write(f"Wrote the audit review to {target}\n")
    return EXIT_OK


# -- the commands' parsers ------------------------------------------------------------


def add_stats_parser(commands: Any, common: Any, auth: Any) -> None:
    stats = commands.add_parser(
        "stats",
        parents=[common, auth],
        help="statistics of requests and outcomes, by week, form and reason",
    )
    stats.add_argument("--from", dest="date_from", required=True, metavar="DATE")
    stats.add_argument("--to", dest="date_to", required=True, metavar="DATE")
    stats.add_argument(
        "-o", "--output", metavar="FILE.pdf", help="also write the statistics report PDF"
    )
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(handler=cmd_stats)


def add_document_parsers(commands: Any, common: Any, auth: Any) -> None:
    for name, text in (
        ("report", "write the audit PDF of one decision"),
        ("notice", "write the notice to the person (English and Spanish) of one decision"),
    ):
        document = commands.add_parser(name, parents=[common, auth], help=text)
        document.add_argument("id", type=decision_number, metavar="ID")
        document.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
        document.add_argument(
            "--force", action="store_true", help="overwrite FILE.pdf if it exists"
        )
        document.set_defaults(handler=cmd_report)


def add_review_parsers(commands: Any, common: Any, auth: Any) -> None:
    accounts_report = commands.add_parser(
        "accounts-report",
        parents=[common, auth],
        help="the account-validation report: every account, its roles, last sign-in and "
        "creator, for a supervisor to sign yearly (PDF; admin)",
    )
    accounts_report.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    accounts_report.add_argument("--force", action="store_true", help="replace FILE.pdf")
    accounts_report.set_defaults(handler=cmd_accounts_report)
    review = commands.add_parser(
        "audit-review",
        parents=[common, auth],
        help="the weekly audit review: failed sign-ins, lockouts, role changes, exports, "
        "overrides (PDF; admin, counsel)",
    )
    review.add_argument("--from", dest="date_from", metavar="DATE", help="default: 7 days ago")
    review.add_argument("--to", dest="date_to", metavar="DATE", help="default: now")
    review.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
    review.add_argument("--force", action="store_true", help="replace FILE.pdf")
    review.set_defaults(handler=cmd_audit_review)
