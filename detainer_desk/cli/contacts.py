"""ICE contacts and the reports the law asks of the county: ``contact record|amend|list``,
``report-law NAME --from --to -o FILE.pdf`` (the PDF to sign and, beside it, the CSV in the
statute's fields), ``law-notice`` and ``jurisdiction``."""

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
    parse_day,
    parse_days,
    parse_details,
    parse_when,
    write_file,
)
from detainer_desk.cli.signin import signed_in


def cmd_contact_record(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import contacts as ct
    from detainer_desk.services.contacts import record_contact

    occurred_at = parse_when(args.at, "--at")
    details = parse_details(args.detail)
    with signed_in(args) as (runtime, actor):
        result = record_contact(
            runtime.uow(),
            args.kind,
            occurred_at,
            args.agency,
            details,
            actor,
            runtime.clock(),
            decision_id=args.decision,
            reason=args.reason,
        )
    out.write(f"Contact {result.contact_id} recorded: {ct.CONTACT_WORDS[args.kind]}.\n")
    out.write(f"The policy's answer: {result.policy_answer}\n")
    return EXIT_OK


def cmd_contact_amend(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.contacts import amend_contact

    occurred_at = parse_when(args.at, "--at") if args.at else None
    details = parse_details(args.detail)
    with signed_in(args) as (runtime, actor):
        amendment_id = amend_contact(
            runtime.uow(),
            args.id,
            args.reason or "",
            actor,
            runtime.clock(),
            details=details,
            occurred_at=occurred_at,
            agency=args.agency,
        )
    out.write(f"Amendment {amendment_id} added to contact {args.id}.\n")
    return EXIT_OK


def cmd_contact_list(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import contacts as ct
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.contacts import find_contacts
    from detainer_desk.services.ports import ContactQuery

    if args.limit < 1:
        raise UserError("--limit must be 1 or more")
    days = parse_days(args)
    with signed_in(args) as (runtime, actor):
        zone = county_zone_of(runtime)
        start, end = day_range(days, zone)
        query = ContactQuery(start, end, args.kind, args.decision, args.search, args.limit)
        views = find_contacts(runtime.uow(), query, actor, runtime.clock())
    if args.json:
        for view in views:
            fact = view.fact
            out.write(
                json.dumps(
                    {
                        "contact_id": fact.contact_id,
                        "kind": fact.kind,
                        "occurred_at": fact.occurred_at.astimezone(zone).isoformat(),
                        "agency": fact.agency,
                        "decision_id": fact.decision_id,
                        "details": dict(fact.details),
                        "reason": fact.reason,
                        "policy_answer": fact.policy_answer,
                        "recorded_by": fact.recorded_by,
                        "amendments": len(view.corrections),
                    },
                    ensure_ascii=False,
                    sort_keys=True,
                )
                + "\n"
            )
        return EXIT_OK
    if not views:
        out.write("No contacts match.\n")
        return EXIT_OK
    out.write(f"{'ID':>6}  {'WHEN':20}  {'KIND':34}  {'AGENCY':8}  {'DECISION':>8}  HOW\n")
    for view in views:
        fact = view.fact
        amended = " (amended)" if view.corrections else ""
        out.write(
            f"{fact.contact_id:>6}  {short_time(fact.occurred_at, zone):20}  "
            f"{ct.CONTACT_WORDS[fact.kind][:34]:34}  {fact.agency[:8]:8}  "
            f"{fact.decision_id or '':>8}  {ct.how_addressed(fact)}{amended}\n"
        )
    return EXIT_OK


def cmd_report_law(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import lawreports as lr
    from detainer_desk.services.law_reports import period_problem

    if args.list or not args.name:
        out.write("The statutory reports (NAME, law, for whom, how often):\n")
        for key, definition in lr.REPORTS.items():
            out.write(
                f"  {key:18} {definition.law:30} {definition.recipient}; {definition.cadence}\n"
            )
        return EXIT_OK
    if not args.date_from or not args.date_to or not args.output:
        raise UserError("report-law NAME needs --from DATE, --to DATE and -o FILE.pdf")
    first = parse_day(args.date_from, "--from")
    last = parse_day(args.date_to, "--to")
    problem = period_problem(args.name, first, last)
    if problem:
        raise UserError(problem)
    daily_cost = None
    if args.daily_cost is not None:
        try:
            daily_cost = float(args.daily_cost)
        except ValueError:
            raise UserError(
                f"--daily-cost: {args.daily_cost!r} is not an amount like 84.50"
            ) from None
        if not 0 <= daily_cost < 100_000:
            raise UserError("--daily-cost: give the average daily cost of a prisoner, e.g. 84.50")
    pdf_target, csv_target = report_targets(Path(args.output))

    check_output(pdf_target, kind="pdf")  # before the password is asked
    check_output(csv_target)
    with signed_in(args) as (runtime, actor):
        report, pdf = law_report_files(
            runtime, actor, args.name, first, last, lr.ReportOptions(daily_cost=daily_cost)
        )
        write_file(pdf_target, pdf, kind="pdf", runtime=runtime)
        write_file(csv_target, report.csv.encode("utf-8"), runtime=runtime)
    out.write(
        f"Wrote {report.result.title} to {pdf_target} and its entries to {csv_target}\n"
        f"Computed from the verified record: {report.entries:,} entries, head hash "
        f"{report.head_hash}\n"
    )
    for label, value in report.result.summary:
        out.write(f"  {label.strip()}: {value}\n")
    for certification in report.result.certifications:
        out.write(f"Certification: {certification}\n")
    return EXIT_OK


def cmd_law_notice(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import law_notices as ln

    if args.list or not args.name:
        out.write("The notices and forms (NAME, law, jurisdictions):\n")
        for key, notice in ln.NOTICES.items():
            out.write(f"  {key:24} {notice.law}; {', '.join(notice.jurisdictions)}\n")
        out.write(f"Languages beside English: {', '.join(ln.NOTICE_LANGUAGES)}\n")
        return EXIT_OK
    if not args.language or not args.output:
        raise UserError("law-notice NAME needs --language CODE and -o FILE.pdf")

    target = Path(args.output)
    check_output(target, replace=args.force, kind="pdf")  # before the password is asked
    with signed_in(args) as (runtime, actor):
        from detainer_desk.services.contacts import prepare_notice
        from detainer_desk.services.documents import report_context

        now = runtime.clock()
        person = prepare_notice(
            runtime.uow(), args.name, args.language, actor, now, decision_id=args.decision
        )
        context = report_context(runtime.uow(), actor, now)
        data = runtime.law_notice_pdf(args.name, args.language, context, person)
        write_file(target, data, replace=args.force, kind="pdf", runtime=runtime)
    out.write(f"Wrote the notice {args.name} (English and {args.language}) to {target}\n")
    return EXIT_OK


def cmd_jurisdiction(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import law_notices as ln
    from detainer_desk.domain import lawreports as lr
    from detainer_desk.services.contacts import policy_can, read_jurisdiction, save_jurisdiction

    code = args.code
    if code is not None and code != "policy" and code not in lr.JURISDICTIONS:
        raise UserError(
            f"'{code}' is not a reporting jurisdiction (one of: "
            f"{', '.join(lr.JURISDICTIONS)}, or policy to follow the policy in force)"
        )
    with signed_in(args) as (runtime, actor):
        if code is not None:
            save_jurisdiction(
                runtime.uow(), "" if code == "policy" else code, actor, runtime.clock()
            )
        jurisdiction = read_jurisdiction(runtime.uow())
        can = policy_can(runtime.uow())
    out.write(f"Reporting jurisdiction: {jurisdiction.words}\n")
    reports = lr.reports_for(jurisdiction.code)
    out.write("Reports: " + (", ".join(d.key for d in reports) or "none") + "\n")
    notices = ln.notices_for(jurisdiction.code, can)
    out.write("Notices: " + (", ".join(notices) or "none") + "\n")
    if notices:
        out.write(
            "The notices' translations are drafts: have a qualified translator confirm them.\n"
        )
    return EXIT_OK


def report_targets(target: Path) -> tuple[Path, Path]:
    if target.suffix.lower() != ".pdf":
        target = target.with_name(target.name + ".pdf")
    return target, target.with_suffix(".csv")


def law_report_files(
    runtime: Any, actor: Any, key: str, first: dt.date, last: dt.date, options: Any
) -> tuple[Any, bytes]:
    """The report and its PDF, made from the verified record."""
    from detainer_desk.services.documents import report_context
    from detainer_desk.services.law_reports import make_law_report

    now = runtime.clock()
    report = make_law_report(runtime.uow, runtime.ledger(), key, first, last, actor, now, options)
    context = report_context(runtime.uow(), actor, now)
    return report, runtime.law_report_pdf(report, context)


# -- the commands' parsers ------------------------------------------------------------


def add_contact_parsers(commands: Any, common: Any, auth: Any) -> None:
    from detainer_desk.domain import contacts as ct

    contact = commands.add_parser(
        "contact",
        parents=[common],
        help="every contact with immigration enforcement, on the record (not only detainers)",
    )
    contact_commands = contact.add_subparsers(dest="contact_command", metavar="ACTION")
    contact_commands.required = True
    record = contact_commands.add_parser(
        "record",
        parents=[common, auth],
        help="record one contact (interview or information request, release date given, ...)",
        description="Details per kind (--detail KEY=VALUE, repeat it): "
        + "; ".join(
            f"{kind}: {', '.join(ct.REQUIRED_DETAILS[kind]) or '-'}"
            + (f" [{', '.join(ct.OPTIONAL_DETAILS[kind])}]" if ct.OPTIONAL_DETAILS[kind] else "")
            for kind in ct.CONTACT_KINDS
        ),
    )
    record.add_argument(
        "kind", choices=ct.CONTACT_KINDS, metavar="KIND", help=", ".join(ct.CONTACT_KINDS)
    )
    record.add_argument("--at", required=True, metavar="T", help="when it happened")
    record.add_argument("--agency", default="ICE", choices=ct.AGENCIES, help="who asked (ICE)")
    record.add_argument("--decision", type=int, metavar="ID", help="the decision it is about")
    record.add_argument("--reason", help="why (required for request_declined)")
    record.add_argument("--detail", action="append", metavar="KEY=VALUE")
    record.set_defaults(handler=cmd_contact_record)

    amend = contact_commands.add_parser(
        "amend", parents=[common, auth], help="correct a contact (a new entry; never changes it)"
    )
    amend.add_argument("id", type=int, metavar="ID")
    amend.add_argument("--reason", required=True, help="why it is corrected")
    amend.add_argument("--at", metavar="T", help="when it really happened")
    amend.add_argument("--agency", choices=ct.AGENCIES)
    amend.add_argument("--detail", action="append", metavar="KEY=VALUE")
    amend.set_defaults(handler=cmd_contact_amend)

    listing = contact_commands.add_parser(
        "list", parents=[common, auth], help="list contacts, newest first"
    )
    listing.add_argument("--from", dest="date_from", metavar="DATE")
    listing.add_argument("--to", dest="date_to", metavar="DATE")
    listing.add_argument("--kind", choices=ct.CONTACT_KINDS, metavar="KIND")
    listing.add_argument("--decision", type=int, metavar="ID")
    listing.add_argument("--search", metavar="TEXT")
    listing.add_argument("--limit", type=int, default=100, metavar="N")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=cmd_contact_list)


def add_law_parsers(commands: Any, common: Any, auth: Any) -> None:
    report = commands.add_parser(
        "report-law",
        parents=[common, auth],
        help="a report the law asks of the county (PDF to sign + CSV), from the verified record",
    )
    report.add_argument("name", nargs="?", metavar="NAME", help="the report (see --list)")
    report.add_argument("--list", action="store_true", help="list the reports")
    report.add_argument("--from", dest="date_from", metavar="DATE", help="the first day")
    report.add_argument("--to", dest="date_to", metavar="DATE", help="the last day")
    report.add_argument(
        "-o", "--output", metavar="FILE.pdf", help="the PDF; the CSV is written beside it"
    )
    report.add_argument(
        "--daily-cost", metavar="AMOUNT", help="Texas: the average daily cost of a prisoner"
    )
    report.set_defaults(handler=cmd_report_law)

    notice = commands.add_parser(
        "law-notice",
        parents=[common, auth],
        help="a notice or form the law names, English beside another language (PDF)",
    )
    notice.add_argument("name", nargs="?", metavar="NAME", help="the notice (see --list)")
    notice.add_argument("--list", action="store_true", help="list the notices and languages")
    notice.add_argument("--language", metavar="CODE", help="es, zh-Hans, zh-Hant, tl, vi or ko")
    notice.add_argument(
        "--decision", type=int, metavar="ID", help="print it for the person of this decision"
    )
    notice.add_argument("-o", "--output", metavar="FILE.pdf")
    notice.add_argument("--force", action="store_true", help="overwrite FILE.pdf if it exists")
    notice.set_defaults(handler=cmd_law_notice)

    jurisdiction = commands.add_parser(
        "jurisdiction",
        parents=[common, auth],
        help="show or set the reporting law (which reports and notices the county uses)",
    )
    jurisdiction.add_argument(
        "code", nargs="?", metavar="CODE", help="IL, CA, OR, NYC, NJ, TX, CO, or policy"
    )
    jurisdiction.set_defaults(handler=cmd_jurisdiction)
