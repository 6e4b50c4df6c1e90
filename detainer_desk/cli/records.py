"""``record``, ``amend``, ``log`` and ``show``: the decisions on the record."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any, TextIO

from detainer_desk.cli.common import (
    EXIT_OK,
    UserError,
    county_iso,
    county_zone_of,
    day_range,
    decision_number,
    input_limits,
    page_rows,
    parse_days,
    parse_details,
    parse_when,
    read_input_file,
    visible,
)
from detainer_desk.cli.signin import signed_in
from detainer_desk.domain.outcomes import OUTCOMES, OVERRIDE_OUTCOMES


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.services.ports import AttachmentIn
    from detainer_desk.services.records import media_type_for, record_decision

    limits = input_limits()
    data = read_input_file(args.request, "request", limits.REQUEST_FILE_BYTES)
    if len(args.attach) > limits.ATTACHMENTS:
        raise UserError(
            f"--attach: {len(args.attach):,} files; at most {limits.ATTACHMENTS} can be "
            "attached to one request"
        )
    attachments = []
    for name in args.attach:
        media_type = media_type_for(name)
        if media_type is None:
            raise UserError(f"{visible(name)}: only PDF, PNG, JPEG and TIFF scans can be attached")
        content = read_input_file(name, "attachment", limits.ATTACHMENT_BYTES)
        attachments.append(AttachmentIn(Path(name).name, media_type, content))
    with signed_in(args) as (runtime, actor):
        try:
            recorded = record_decision(
                runtime.uow(), data, args.request, attachments, actor, runtime.clock()
            )
        except InvalidInput as exc:
            raise UserError(*exc.lines(), "Nothing was recorded.") from None
        zone = county_zone_of(runtime)
    decision = recorded.decision
    if args.json:
        payload = {"decision_id": recorded.decision_id, **decision.to_contract()}
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    else:
        out.write(f"Recorded decision {recorded.decision_id}: {decision.headline(zone)}\n")
    if recorded.earlier_decisions:
        ids = ", ".join(str(i) for i in recorded.earlier_decisions)
        print(
            f"Warning: this booking number and form were already recorded (decision {ids}).",
            file=sys.stderr,
        )
    return EXIT_OK


def _amendment_asked(
    args: argparse.Namespace,
) -> tuple[str, dt.datetime | None, dict[str, object]]:
    """The amendment the options ask for: its kind, when it happened, its details."""
    from detainer_desk.domain import lifecycle as lc

    effective_at = None
    details: dict[str, object] = {}
    if args.release_eligible_at:
        kind, effective_at = (
            lc.RELEASE_ELIGIBLE,
            parse_when(args.release_eligible_at, "--release-eligible-at"),
        )
    elif args.ice_custody_at:
        kind, effective_at = lc.ICE_CUSTODY, parse_when(args.ice_custody_at, "--ice-custody-at")
    elif args.released_at:
        kind, effective_at = lc.RELEASED, parse_when(args.released_at, "--released-at")
    elif args.lifted:
        kind = lc.LIFTED
    elif args.bail_posted_at:
        kind, effective_at = lc.BAIL_POSTED, parse_when(args.bail_posted_at, "--bail-posted-at")
    elif args.person_fact:
        kind, details = lc.PERSON_FACTS, parse_details(args.person_fact, "--person-fact")
    elif args.countersign:
        kind = lc.COUNTERSIGN
    elif args.override:
        kind, details = lc.OVERRIDE, {"outcome": args.override}
    else:
        kind = lc.CORRECTION
        details = {"field": args.correct[0], "value": args.correct[1]}
    if args.receiving_agency is not None:
        if kind != lc.ICE_CUSTODY:
            raise UserError("--receiving-agency goes with --ice-custody-at")
        details[lc.RECEIVING_AGENCY] = args.receiving_agency
    return kind, effective_at, details


def cmd_amend(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import lifecycle as lc
    from detainer_desk.services.records import amend_decision

    kind, effective_at, details = _amendment_asked(args)
    with signed_in(args) as (runtime, actor):
        result = amend_decision(
            runtime.uow(),
            args.id,
            kind,
            actor,
            runtime.clock(),
            effective_at=effective_at,
            reason=args.reason,
            details=details,
        )
        zone = county_zone_of(runtime)
    out.write(
        f"Amendment {result.amendment_id} added to decision {args.id}: {lc.AMENDMENT_WORDS[kind]}.\n"
    )
    out.write(f"Status now: {result.state.status}; outcome in force: {result.state.outcome}\n")
    if result.hold_until is not None and not result.state.closed:
        from detainer_desk.domain.timetext import long_time

        out.write(f"Hold until: {long_time(result.hold_until, zone)}\n")
    if result.window_closed:
        out.write("The hold window has already closed: the person may not be held.\n")
    if result.past_deadline is not None:
        out.write(
            "Recorded as it happened, after the hold deadline: "
            f"{result.state.past_deadline_words()}.\n"
        )
    return EXIT_OK


def cmd_log(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.ports import DecisionQuery
    from detainer_desk.services.records import find_decisions

    days = parse_days(args)
    with signed_in(args) as (runtime, actor):
        zone = county_zone_of(runtime)
        start, end = day_range(days, zone)
        query = DecisionQuery(
            search=args.search,
            outcome=args.outcome,
            received_from=start,
            received_to=end,
            recorded_by=args.officer,
            limit=args.limit,
        )
        page = find_decisions(runtime.uow(), query, actor, runtime.clock())
    if args.json:
        for item in page.items:
            out.write(json.dumps(_summary_json(item, zone), ensure_ascii=False) + "\n")
        return EXIT_OK
    if not page.items:
        out.write("No decisions match.\n")
        return EXIT_OK
    out.write(
        f"{'ID':>7}  {'RECEIVED':20}  {'SUBJECT':24}  {'BOOKING':12}  {'FORM':6}  {'OUTCOME':8}  HOLD UNTIL\n"
    )
    for item in page.items:
        hold = dt.datetime.fromisoformat(item.hold_until) if item.hold_until else None
        name, booking = visible(item.subject_name)[:24], visible(item.booking_number)[:12]
        out.write(
            f"{item.decision_id:>7}  {short_time(item.received_at, zone):20}  "
            f"{name:24}  {booking:12}  {item.form:6}  "
            f"{item.outcome:8}  {short_time(hold, zone, '')}\n"
        )
    return EXIT_OK


def _summary_json(item, zone: Any) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "decision_id": item.decision_id,
        "received_at": county_iso(item.received_at, zone),
        "subject_name": item.subject_name,
        "dob": item.dob,
        "booking_number": item.booking_number,
        "a_number": item.a_number,
        "form": item.form,
        "outcome": item.outcome,
        "tentative_outcome": item.tentative_outcome,
        "hold_until": item.hold_until,
        "recorded_by": item.recorded_by,
        "recorded_at": county_iso(item.recorded_at, zone),
    }


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.records import load_decision

    with signed_in(args) as (runtime, actor):
        row, state = load_decision(runtime.uow(), args.id, actor, runtime.clock())
        zone = county_zone_of(runtime)
    decision = row.decision
    if args.json:
        payload = _decision_json(row, state, decision, zone)
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
    # Names, file names, reasons and the policy's words come from people: each line is
    # escaped whole, so none of them can forge another line or drive the terminal.
    lines = _decision_lines(row, state, decision, zone)
    out.write("\n".join(visible(line) for line in lines) + "\n")
    return EXIT_OK


def _decision_json(row: Any, state: Any, decision: Any, zone: Any) -> dict[str, object]:
    """``show --json``: the decision with its request, documents, amendments and state."""
    from detainer_desk.services.presentation import amendment_json

    return {
        **_summary_json(row.summary, zone),
        "chain": {"seq": row.seq, "entry_hash": row.entry_hash},
        "request": row.request,
        "decision": decision,
        "policy_version": {
            "id": row.policy.id,
            "name": row.policy.name,
            "sha256": row.policy.sha256,
        },
        "attachments": [
            {
                "id": a.id,
                "file_name": a.file_name,
                "media_type": a.media_type,
                "size": a.size,
                "sha256": a.sha256,
            }
            for a in row.attachments
        ],
        "amendments": [amendment_json(a, zone) for a in row.amendments],
        "state": {
            "status": state.status,
            "outcome": state.outcome,
            "hold_until": county_iso(state.hold_until, zone),
            "closed": state.closed,
        },
    }


def _decision_lines(row: Any, state: Any, decision: Any, zone: Any) -> list[str]:
    """``show``: the decision with its request, documents and history, for a person."""
    from detainer_desk.domain.timetext import long_time, long_time_and_utc

    s = row.summary
    recorded_hold = (
        dt.datetime.fromisoformat(decision["hold_until"]) if decision["hold_until"] else None
    )
    past = state.past_deadline_words()
    lines = [
        f"Decision {s.decision_id}  (chain entry {row.seq}, hash {row.entry_hash})",
        f"Subject:   {s.subject_name}, born {s.dob}, booking {s.booking_number}"
        + (f", {s.a_number}" if s.a_number else ""),
        f"Request:   {s.form}, received {long_time(s.received_at, zone)}",
        f"Outcome:   {decision['outcome']}"
        + (
            f" (tentatively {decision['tentative_outcome']})"
            if decision["tentative_outcome"]
            else ""
        )
        + (f", hold until {long_time(recorded_hold, zone)}" if recorded_hold else ""),
        f"Now:       {state.status}; outcome in force {state.outcome}"
        + (
            f"; hold until {long_time(state.hold_until, zone)}"
            if state.hold_until and not state.closed
            else ""
        )
        + (f"; {past}" if past else ""),
        f"Policy:    {row.policy.name} (version {row.policy.id}, sha256 {row.policy.sha256})",
        f"Recorded:  {long_time_and_utc(s.recorded_at, zone)} by {s.recorded_by} at "
        f"{row.workstation}",
        "Reasons:",
        *(f"  - {r['action']} ({r['result']}): {r['text']}" for r in decision["reasons"]),
    ]
    if row.attachments:
        lines.append("Attachments:")
        lines += [
            f"  - {a.file_name} ({a.media_type}, {a.size} bytes, sha256 {a.sha256})"
            for a in row.attachments
        ]
    if row.amendments:
        lines.append("Amendments:")
        for a in row.amendments:
            when = f" at {long_time(a.effective_at, zone)}" if a.effective_at else ""
            why = f": {a.reason}" if a.reason else ""
            lines.append(
                f"  - {long_time(a.stamp.recorded_at, zone)} {a.stamp.recorded_by}: "
                f"{a.kind}{when}{why}"
            )
    return lines


# -- the commands' parsers ------------------------------------------------------------


def add_record_parser(commands: Any, common: Any, auth: Any) -> None:
    record = commands.add_parser(
        "record",
        parents=[common, auth],
        help="evaluate a request under the active policy and record the decision",
    )
    record.add_argument("request", metavar="REQUEST.json")
    record.add_argument(
        "--attach",
        metavar="FILE",
        action="append",
        default=[],
        help="a scan to store with it (PDF, PNG, JPEG, TIFF); repeatable",
    )
    record.add_argument(
        "--json", action="store_true", help="print the decision as JSON with its id"
    )
    record.set_defaults(handler=cmd_record)


def add_amend_parser(commands: Any, common: Any, auth: Any) -> None:
    amend = commands.add_parser(
        "amend", parents=[common, auth], help="add a later fact to a decision (never changes it)"
    )
    amend.add_argument("id", type=decision_number, metavar="ID")
    fact = amend.add_mutually_exclusive_group(required=True)
    fact.add_argument(
        "--release-eligible-at",
        metavar="T",
        help="the person became (or will become) eligible for release: starts the hold clock",
    )
    fact.add_argument("--ice-custody-at", metavar="T", help="ICE took custody")
    fact.add_argument("--released-at", metavar="T", help="the person was released")
    fact.add_argument(
        "--bail-posted-at", metavar="T", help="bail was posted (for the reports; also later)"
    )
    fact.add_argument(
        "--person-fact",
        action="append",
        metavar="KEY=VALUE",
        help="a fact about the person for the reports: sex, race, ethnicity, "
        "preferred_language (repeat it)",
    )
    fact.add_argument(
        "--lifted",
        action="store_true",
        help="ICE lifted or cancelled the detainer (needs --reason)",
    )
    fact.add_argument(
        "--countersign", action="store_true", help="a supervisor agrees with the decision"
    )
    fact.add_argument(
        "--override",
        choices=[o.value for o in OVERRIDE_OUTCOMES],
        help="a supervisor replaces the outcome (needs --reason)",
    )
    fact.add_argument(
        "--correct",
        nargs=2,
        metavar=("FIELD", "VALUE"),
        help="record a correction of a typo (needs --reason)",
    )
    amend.add_argument("--reason", help="why (required for --lifted, --override and --correct)")
    amend.add_argument(
        "--receiving-agency", metavar="WHO", help="with --ice-custody-at: who took the person"
    )
    amend.set_defaults(handler=cmd_amend)


def add_log_parser(commands: Any, common: Any, auth: Any) -> None:
    log = commands.add_parser(
        "log", parents=[common, auth], help="list recorded decisions, newest first"
    )
    log.add_argument("--search", metavar="TEXT", help="name words, A-number or booking number")
    log.add_argument("--outcome", choices=[o.value for o in OUTCOMES])
    log.add_argument(
        "--from", dest="date_from", metavar="DATE", help="received on or after this date"
    )
    log.add_argument("--to", dest="date_to", metavar="DATE", help="received on or before this date")
    log.add_argument("--officer", metavar="USER", help="recorded by this user")
    log.add_argument("--limit", type=page_rows, default=50, metavar="N")
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    log.set_defaults(handler=cmd_log)


def add_show_parser(commands: Any, common: Any, auth: Any) -> None:
    show_decision = commands.add_parser(
        "show", parents=[common, auth], help="one decision with its request, documents and history"
    )
    show_decision.add_argument("id", type=decision_number, metavar="ID")
    show_decision.add_argument("--json", action="store_true")
    show_decision.set_defaults(handler=cmd_show)
