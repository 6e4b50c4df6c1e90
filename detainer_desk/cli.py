"""The headless commands, thin over the services.

Exit status: 0 done; 2 the user's input (or environment) is wrong, explained in plain words
on standard error, nothing changed; 1 the check or verification itself failed.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO, cast

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


def _limits() -> Any:
    from detainer_desk.domain import limits

    return limits


def _quoted(text: str) -> str:
    from detainer_desk.domain.text import quoted

    return quoted(text)


def _visible(text: object) -> str:
    """A value from the records as a terminal may show it (control characters escaped)."""
    from detainer_desk.domain.text import visible

    return visible(str(text))


# -- commands ---------------------------------------------------------------------------


def cmd_check(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.services.checking import check
    from detainer_desk.services.presentation import decision_as_text

    policy_data = _read_policy(args.policy)
    request_data = read_input_file(args.request, "request", _limits().REQUEST_FILE_BYTES)
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
    return read_input_file(name, "policy", _limits().POLICY_FILE_BYTES)


def cmd_policy_presets(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk import presets
    from detainer_desk.domain.policy import parse_policy

    for name in presets.preset_names():
        policy = parse_policy(presets.preset_bytes(name), name)
        out.write(f"{name}\n    {_visible(policy.name)}\n    {_visible(policy.citation)}\n")
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
        _start_log(paths)
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


def _open_runtime(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.paths import DataDirError, resolve_paths
    from detainer_desk.runtime import open_runtime

    try:
        runtime = open_runtime(resolve_paths(args.data_dir), getattr(args, "db", None))
    except (DataDirError, DatabaseError) as exc:
        raise UserError(f"Cannot open the record store: {exc}") from None
    _start_log(runtime.paths)
    _say_notices(args, runtime.notices)
    return runtime


def _say_notices(args: argparse.Namespace, notices: Sequence[str]) -> None:
    """How the records are kept, when the user should know (once per command)."""
    said: set[str] = args.__dict__.setdefault("notices_said", set())
    for notice in notices:
        if notice not in said:
            said.add(notice)
            print(f"Note: {notice}", file=getattr(args, "err", None) or sys.stderr)


def _start_log(paths: Any) -> None:
    from detainer_desk.logs import configure_logging

    if paths.data_dir.is_dir():
        configure_logging(paths.log_dir)


def _parse_when(text: str, option: str) -> dt.datetime:
    """An instant from the command line; without an offset it is the county's wall clock
    (the services read it in the county's timezone)."""
    from detainer_desk.domain.reader import parse_instant_text

    moment, error = parse_instant_text(text)
    if error or moment is None:
        raise UserError(f"{option}: {error}")
    return moment


def _days(args: argparse.Namespace) -> tuple[dt.date | None, dt.date | None]:
    """--from and --to as dates (checked before anything is opened)."""
    first = _parse_day(args.date_from, "--from") if args.date_from else None
    last = _parse_day(args.date_to, "--to") if args.date_to else None
    if first is not None and last is not None and last < first:
        raise UserError("--to is before --from")
    return first, last


def _day_range(
    days: tuple[dt.date | None, dt.date | None], zone: Any
) -> tuple[dt.datetime | None, dt.datetime | None]:
    """County days: from the county's midnight starting the first to the one ending the last."""
    from detainer_desk.domain.clock import start_of_day

    first, last = days
    start = start_of_day(first, zone) if first is not None else None
    end = start_of_day(last + dt.timedelta(days=1), zone) if last is not None else None
    return start, end


def _parse_day(text: str, option: str) -> dt.date:
    """A date from the command line, within the years records can hold."""
    limits = _limits()
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        raise UserError(f"{option}: {_quoted(text)} is not a date like 2026-03-05") from None
    if not limits.FIRST_YEAR <= day.year <= limits.LAST_YEAR:
        raise UserError(
            f"{option}: {text} is outside the years {limits.FIRST_YEAR} to {limits.LAST_YEAR}"
        )
    return day


def _county_zone(runtime: Any) -> Any:
    from detainer_desk.services.county_clock import county_zone

    return county_zone(runtime.uow())


@contextlib.contextmanager
def _signed_in(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
    """Open the store and sign the user in for one command; sign out afterwards.

    Commands that read, change or export records need an account (CJIS): ``--user NAME``
    and the password from the terminal, or the first line of standard input with
    ``--password-stdin``; then, for an account with a second factor, its code from the
    terminal, or the next line of standard input with ``--otp-stdin``. The sign-in, the
    action and the sign-out are all audited.
    """
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import sign_out

    if not getattr(args, "user", None):
        raise UserError(
            "This command works on the records: give --user NAME (the password is asked for "
            "on the terminal, or read from standard input with --password-stdin)."
        )
    password = _read_password(args, f"Password for {args.user}: ")
    code = _read_code(args) if getattr(args, "otp_stdin", False) else None
    runtime = _open_runtime(args)
    try:
        actor = _authenticate(args, runtime, password, code, local_actor().workstation)
        try:
            yield runtime, actor
        finally:
            sign_out(runtime.uow(), actor, runtime.clock(), "command finished")
    finally:
        runtime.close()


def _authenticate(
    args: argparse.Namespace, runtime: Any, password: str, code: str | None, workstation: str
) -> Any:
    """Sign ``args.user`` in: the password, then the second factor when the account has
    one (the code given, or asked for on the terminal), or its enrolment when the
    installation requires one and the account has none yet (on a terminal only)."""
    from detainer_desk.services import second_factor as factors
    from detainer_desk.services.accounts import sign_in

    try:
        actor = sign_in(
            runtime.uow(),
            runtime.security(),
            args.user,
            password,
            workstation,
            runtime.clock(),
            code,
        )
    except factors.SecondFactorNeeded as needed:
        if code is not None:
            raise
        if not args.stdin.isatty():
            raise UserError(
                f"{args.user} signs in with a second factor: give the 6-digit code from the "
                "authenticator app (or a recovery code) on the next line of standard input "
                "with --otp-stdin."
            ) from None
        import getpass

        del needed
        typed = getpass.getpass("Code from your authenticator app (or a recovery code): ")
        actor = sign_in(
            runtime.uow(),
            runtime.security(),
            args.user,
            password,
            workstation,
            runtime.clock(),
            typed,
        )
    except factors.EnrolmentNeeded as needed:
        actor = _enrol_on_terminal(args, runtime, password, workstation, str(needed))
    _remind_second_factor(args, runtime, actor)
    return actor


def _enrol_on_terminal(
    args: argparse.Namespace, runtime: Any, password: str, workstation: str, why: str
) -> Any:
    """Set up the second factor at sign-in, on a terminal: the QR code and the secret to
    type into an authenticator app, a code back, then the recovery codes, shown once."""
    from detainer_desk.adapters.pdf.qr import qr_text
    from detainer_desk.services import second_factor as factors
    from detainer_desk.services.accounts import enrol_at_sign_in
    from detainer_desk.services.settings import read_settings

    if not args.stdin.isatty():
        raise UserError(
            why,
            "That is done once, on a terminal or in the window: run this command on a "
            "terminal without --password-stdin (or sign in to the window) to see the QR code.",
        )
    import getpass

    err = args.err
    enrolment = factors.new_enrolment(
        runtime.security(), acc_name(args.user), read_settings(runtime.uow()).county_name
    )
    err.write(
        f"{why}\n\nScan this QR code with an authenticator app (Microsoft or Google "
        "Authenticator, FreeOTP, ...):\n\n"
        f"{qr_text(enrolment.uri)}\n\nor type this key into it: {enrolment.secret_text}\n\n"
    )
    for attempt in range(3):
        typed = getpass.getpass("Then type the 6-digit code it shows: ")
        try:
            actor, codes = enrol_at_sign_in(
                runtime.uow(),
                runtime.security(),
                args.user,
                password,
                enrolment,
                typed,
                workstation,
                runtime.clock(),
            )
        except factors.SecondFactorNeeded as again:
            if attempt == 2:
                raise
            err.write(f"{again}\n")
            continue
        break
    err.write(
        "\nThe second factor is set up. These recovery codes each sign you in once when the "
        "phone is not at hand. Write them down now and keep them safe: they are not shown "
        "again.\n\n" + "\n".join(f"    {code}" for code in codes) + "\n\n"
    )
    return actor


def acc_name(name: str) -> str:
    from detainer_desk.domain.accounts import normalize_user_name

    return normalize_user_name(name)


def _remind_second_factor(args: argparse.Namespace, runtime: Any, actor: Any) -> None:
    """An administrator of an installation that does not require a second factor is told,
    at every sign-in, that CJIS asks for one."""
    from detainer_desk.domain.accounts import MANAGE_SETTINGS, may
    from detainer_desk.services import second_factor as factors

    if may(actor.roles, MANAGE_SETTINGS) and not factors.is_required(runtime.uow()):
        _say_notices(args, [factors.NOT_REQUIRED_REMINDER])


# The longest line read as a password: four times the longest password an account may have
# (a longer line is not a password; reading it whole could fill the memory).
PASSWORD_LINE = 4 * 1024 + 2


def _read_password(args: argparse.Namespace, prompt: str) -> str:
    if getattr(args, "password_stdin", False):
        try:
            line = str(args.stdin.readline(PASSWORD_LINE))
        except UnicodeDecodeError:
            raise UserError(
                "--password-stdin: the password is not UTF-8 text (a byte of it cannot be "
                "read); type it again"
            ) from None
        if not line:
            raise UserError("--password-stdin: standard input ended before a password was read")
        if len(line) >= PASSWORD_LINE and not line.endswith("\n"):
            raise UserError(
                "--password-stdin: the first line of standard input is far longer than any "
                "password (at most 1,024 characters)"
            )
        return _password_text(line.rstrip("\r\n"))
    if args.stdin.isatty():
        import getpass

        _show_notice(args)
        try:
            return _password_text(getpass.getpass(prompt))
        except UnicodeDecodeError:
            raise UserError("the password is not UTF-8 text; type it again") from None
    raise UserError("no terminal to ask for the password: use --password-stdin")


def _show_notice(args: argparse.Namespace) -> None:
    """The system-use notice (CJIS 5.5.4), before a password is typed on the terminal."""
    from detainer_desk.services.notices import DEFAULT_NOTICE, system_use_notice

    if getattr(args, "notice_shown", False):
        return
    args.notice_shown = True
    text = DEFAULT_NOTICE
    try:
        runtime = _open_runtime(args)
    except UserError:
        runtime = None
    if runtime is not None:
        try:
            text = system_use_notice(runtime.uow())
        finally:
            runtime.close()
    args.err.write(f"\n{text}\n\n")


def _read_code(args: argparse.Namespace) -> str:
    """The second-factor code: the next line of standard input (--otp-stdin)."""
    line = args.stdin.readline(PASSWORD_LINE)
    if not line:
        raise UserError("--otp-stdin: standard input ended before a code was read")
    return str(line).strip()


def _password_text(password: str) -> str:
    """A password as read; one holding bytes that are not UTF-8 (read leniently, they come
    back as lone surrogates) is refused rather than failing later in the hashing."""
    if any("\ud800" <= ch <= "\udfff" for ch in password):
        raise UserError(
            "the password is not UTF-8 text (a byte of it cannot be read); type it again"
        )
    return password


def cmd_policy_activate(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.records import activate_policy

    preset = _is_preset(args.file)
    data = _read_policy(args.file)
    with _signed_in(args) as (runtime, actor):
        result = activate_policy(
            runtime.uow(),
            data,
            args.file,
            actor,
            runtime.clock(),
            args.reason,
            preset=preset,
            in_county_zone=args.county_timezone,
        )
    policy = result.activation.policy
    if result.already_active:
        out.write(
            f"Already active: {_visible(policy.name)} (version {policy.id}, sha256 {policy.sha256})\n"
        )
    else:
        out.write(
            f"Activated: {_visible(policy.name)} (version {policy.id}, sha256 {policy.sha256})\n"
        )
    if result.zone_rewrite is not None:
        rewrite = result.zone_rewrite
        what = "the preset's default" if preset else "the file's"
        out.write(
            f"In the county's timezone: line {rewrite.line_number} reads "
            f"'{rewrite.new_line.strip()}' (was '{rewrite.old_line.strip()}', {what}).\n"
        )
    if result.county_zone_unset:
        zone = result.zone_rewrite.policy.timezone if result.zone_rewrite else _zone_of(policy)
        out.write(
            f"The county's timezone is not set, so it is the policy's, {zone}. If the county "
            "is elsewhere: detainer-desk settings --timezone ZONE (the policy is then "
            "activated again in that zone).\n"
        )
    return EXIT_OK


def _zone_of(stored: Any) -> str:
    from detainer_desk.services.policies import load_policy

    return str(load_policy(stored).timezone)


def _is_preset(name: str) -> bool:
    """Whether NAME means a shipped preset (a template) rather than a policy file."""
    from detainer_desk import presets

    return not Path(name).exists() and name in presets.preset_names()


def cmd_record(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.errors import InvalidInput
    from detainer_desk.services.ports import AttachmentIn
    from detainer_desk.services.records import media_type_for, record_decision

    limits = _limits()
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
            raise UserError(f"{_visible(name)}: only PDF, PNG, JPEG and TIFF scans can be attached")
        content = read_input_file(name, "attachment", limits.ATTACHMENT_BYTES)
        attachments.append(AttachmentIn(Path(name).name, media_type, content))
    with _signed_in(args) as (runtime, actor):
        try:
            recorded = record_decision(
                runtime.uow(), data, args.request, attachments, actor, runtime.clock()
            )
        except InvalidInput as exc:
            raise UserError(*exc.lines(), "Nothing was recorded.") from None
        zone = _county_zone(runtime)
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


def cmd_amend(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import lifecycle as lc
    from detainer_desk.services.records import amend_decision

    effective_at = None
    details: dict[str, object] = {}
    if args.release_eligible_at:
        kind, effective_at = (
            lc.RELEASE_ELIGIBLE,
            _parse_when(args.release_eligible_at, "--release-eligible-at"),
        )
    elif args.ice_custody_at:
        kind, effective_at = lc.ICE_CUSTODY, _parse_when(args.ice_custody_at, "--ice-custody-at")
    elif args.released_at:
        kind, effective_at = lc.RELEASED, _parse_when(args.released_at, "--released-at")
    elif args.lifted:
        kind = lc.LIFTED
    elif args.bail_posted_at:
        kind, effective_at = lc.BAIL_POSTED, _parse_when(args.bail_posted_at, "--bail-posted-at")
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
    with _signed_in(args) as (runtime, actor):
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
        zone = _county_zone(runtime)
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

    days = _days(args)
    with _signed_in(args) as (runtime, actor):
        zone = _county_zone(runtime)
        start, end = _day_range(days, zone)
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
        name, booking = _visible(item.subject_name)[:24], _visible(item.booking_number)[:12]
        out.write(
            f"{item.decision_id:>7}  {short_time(item.received_at, zone):20}  "
            f"{name:24}  {booking:12}  {item.form:6}  "
            f"{item.outcome:8}  {short_time(hold, zone, '')}\n"
        )
    return EXIT_OK


def _county_iso(moment: dt.datetime | None, zone: Any) -> str | None:
    """A full ISO 8601 instant for machines, with the county's offset: its date is the
    county's date."""
    return moment.astimezone(zone).isoformat() if moment is not None else None


def _summary_json(item, zone: Any) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "decision_id": item.decision_id,
        "received_at": _county_iso(item.received_at, zone),
        "subject_name": item.subject_name,
        "dob": item.dob,
        "booking_number": item.booking_number,
        "a_number": item.a_number,
        "form": item.form,
        "outcome": item.outcome,
        "tentative_outcome": item.tentative_outcome,
        "hold_until": item.hold_until,
        "recorded_by": item.recorded_by,
        "recorded_at": _county_iso(item.recorded_at, zone),
    }


def cmd_show(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import long_time, long_time_and_utc
    from detainer_desk.services.records import load_decision

    with _signed_in(args) as (runtime, actor):
        row, state = load_decision(runtime.uow(), args.id, actor, runtime.clock())
        zone = _county_zone(runtime)
    decision = row.decision
    if args.json:
        payload = {
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
            "amendments": [
                {
                    "id": a.id,
                    "kind": a.kind,
                    "seq": a.seq,
                    "entry_hash": a.entry_hash,
                    "effective_at": _county_iso(a.effective_at, zone),
                    "reason": a.reason,
                    "details": a.details,
                    "recorded_at": _county_iso(a.stamp.recorded_at, zone),
                    "recorded_by": a.stamp.recorded_by,
                    "workstation": a.stamp.workstation,
                }
                for a in row.amendments
            ],
            "state": {
                "status": state.status,
                "outcome": state.outcome,
                "hold_until": _county_iso(state.hold_until, zone),
                "closed": state.closed,
            },
        }
        out.write(json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
        return EXIT_OK
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
    # Names, file names, reasons and the policy's words come from people: each line is
    # escaped whole, so none of them can forge another line or drive the terminal.
    out.write("\n".join(_visible(line) for line in lines) + "\n")
    return EXIT_OK


def cmd_verify(args: argparse.Namespace, out: TextIO) -> int:
    """The whole store: the chain (and every attachment's bytes), rows outside it, the file,
    accounts and settings, derived rows; and the last checkpoint this installation made."""
    from detainer_desk.services.checkpoints import verify_record

    if args.checkpoint:
        return _verify_checkpoint(args, out)
    runtime = _open_runtime(args)
    try:
        result = verify_record(runtime.ledger(), runtime.signer(), _county_zone(runtime))
    finally:
        runtime.close()
    if not result.ok:
        out.write(f"VERIFY FAILED after {result.checked} good entries: {result.message}\n")
        return EXIT_FAILED
    out.write(f"{result.checked} entries verified; chain head {result.head_hash}\n")
    if result.message:
        out.write(result.message + "\n")
    return EXIT_OK


def _verify_checkpoint(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.signing import signature_is_valid
    from detainer_desk.services.checkpoints import (
        UntrustedCheckpoint,
        check_trust,
        kept_checkpoint,
        read_checkpoint,
        verify_against_checkpoint,
    )
    from detainer_desk.services.trust import fingerprint, trusted_keys

    text = read_input_file(args.checkpoint, "checkpoint", _limits().CHECKPOINT_FILE_BYTES).decode(
        "utf-8", errors="replace"
    )
    try:
        checkpoint_file = read_checkpoint(text, args.checkpoint, signature_is_valid)
    except UntrustedCheckpoint as exc:
        out.write(f"VERIFY FAILED: {exc}\n")
        return EXIT_FAILED
    runtime = _open_runtime(args)
    try:
        signer = runtime.signer()
        own_key = signer.public_key_hex
        try:
            whose = check_trust(
                checkpoint_file,
                trusted_keys(runtime.uow(), own_key, signature_is_valid),
                args.checkpoint,
            )
        except UntrustedCheckpoint as exc:
            out.write(f"VERIFY FAILED: {exc}\n")
            return EXIT_FAILED
        kept = kept_checkpoint(signer)
        result = verify_against_checkpoint(
            runtime.ledger(),
            checkpoint_file,
            *([kept] if kept is not None else []),
            zone=_county_zone(runtime),
        )
    finally:
        runtime.close()
    key = checkpoint_file.checkpoint.public_key_hex
    if key != own_key:
        out.write(
            f"Note: this checkpoint was signed by the trusted key of {whose} ({fingerprint(key)}).\n"
        )
    if not result.ok:
        out.write(f"VERIFY FAILED: {result.message}\n")
        return EXIT_FAILED
    out.write(f"OK: {result.message}\n")
    return EXIT_OK


def cmd_keys(args: argparse.Namespace, out: TextIO) -> int:
    """This installation's checkpoint key, and the keys it trusts."""
    from detainer_desk.adapters.signing import signature_is_valid
    from detainer_desk.services.trust import fingerprint, trusted_keys

    runtime = _open_runtime(args)
    try:
        own = runtime.signer().public_key_hex
        trusted = trusted_keys(runtime.uow(), own, signature_is_valid)
    finally:
        runtime.close()
    out.write(f"This installation's checkpoint key: {own}\n  fingerprint {fingerprint(own)}\n")
    others = {key: label for key, label in trusted.items() if key != own}
    out.write("Also trusted:" + ("" if others else " no other key") + "\n")
    for key, label in sorted(others.items(), key=lambda item: item[1]):
        out.write(f"  {key}  {label}\n")
    return EXIT_OK


def cmd_keys_trust(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.signing import signature_is_valid
    from detainer_desk.services.trust import fingerprint, set_trust

    trusted = args.keys_command == "trust"
    with _signed_in(args) as (runtime, actor):
        entry = set_trust(
            runtime.uow(),
            runtime.signer(),
            signature_is_valid,
            actor,
            args.key,
            trusted,
            args.label or "",
            runtime.clock(),
        )
    what = "now trusts" if trusted else "no longer trusts"
    out.write(f"This installation {what} the key {fingerprint(entry.key)} ({entry.label}).\n")
    return EXIT_OK


def cmd_checkpoint(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.checkpoints import CheckpointFile, create_checkpoint

    with _signed_in(args) as (runtime, actor):
        result = None
        for step in create_checkpoint(
            runtime.uow(), runtime.ledger(), runtime.signer(), actor, runtime.clock()
        ):
            if isinstance(step, CheckpointFile):
                result = step
        assert result is not None
        folder = Path(args.out) if args.out else runtime.paths.data_dir / "checkpoints"
        checkpoint = result.checkpoint
        stem = checkpoint.file_stem()
        target = _write_new(folder, f"{stem}.json", result.to_json().encode(), runtime)
        out.write(f"Checkpoint of {checkpoint.entries} entries, head {checkpoint.head_hash}\n")
        out.write(f"Saved {target}\n")
        pdf = _checkpoint_pdf(runtime, actor, checkpoint)
        if pdf is not None:
            saved = _write_new(folder, f"{stem}.pdf", pdf, runtime)
            out.write(f"Saved {saved} (print, sign and file it)\n")
    return EXIT_OK


def _checkpoint_pdf(runtime: Any, actor: Any, checkpoint: Any) -> bytes:
    from detainer_desk.adapters.pdf import render_checkpoint_pdf
    from detainer_desk.services.documents import report_context

    return render_checkpoint_pdf(checkpoint, report_context(runtime.uow(), actor, runtime.clock()))


def cmd_report(args: argparse.Namespace, out: TextIO) -> int:
    """The audit PDF (``report``) or the notice to the person (``notice``) of one decision."""
    from detainer_desk.adapters import pdf
    from detainer_desk.adapters.files import pdf_kind
    from detainer_desk.services.documents import decision_record, report_context

    notice = args.command == "notice"
    purpose = "notice to the person" if notice else "audit PDF"
    target = Path(args.output)
    _check_output(target, replace=args.force, kind=pdf_kind)  # before the password is asked
    with _signed_in(args) as (runtime, actor):
        now = runtime.clock()
        record = decision_record(runtime.uow(), args.id, actor, now, purpose)
        context = report_context(runtime.uow(), actor, now)
        data = (
            pdf.render_notice_pdf(record, context)
            if notice
            else pdf.render_audit_pdf(record, context)
        )
        _write_output(target, data, replace=args.force, kind=pdf_kind, runtime=runtime)
    out.write(f"Wrote the {purpose} of decision {args.id} to {target} ({len(data):,} bytes)\n")
    return EXIT_OK


def _check_output(target: Path, *, replace: bool = False, kind: Any = None) -> None:
    """Refuse at once a target that cannot be written (see adapters/files): a link, a
    device, a folder, or a file that exists and is not to be replaced."""
    from detainer_desk.adapters.files import OutputError, OutputExists, check_target

    try:
        check_target(target, replace=replace, kind=kind)
    except OutputExists:
        hint = "choose another name" + (" or add --force" if kind is not None else "")
        raise UserError(f"{target} already exists: {hint}") from None
    except OutputError as exc:
        raise UserError(str(exc)) from None


def _write_output(
    target: Path, data: bytes, *, replace: bool = False, kind: Any = None, runtime: Any = None
) -> Path:
    """A new private file, whole or not at all, never through a link (adapters/files)."""
    from detainer_desk.adapters.files import OutputError, write_output

    journal = runtime.partials if runtime is not None else None
    try:
        return write_output(target, data, replace=replace, kind=kind, journal=journal)
    except OutputError as exc:
        raise UserError(str(exc)) from None


def _write_new(folder: Path, name: str, data: bytes, runtime: Any = None) -> Path:
    from detainer_desk.adapters.files import make_private_folder

    try:
        make_private_folder(folder, parents=True)
    except OSError as exc:
        raise UserError(f"cannot create the folder {folder}: {exc.strerror}") from None
    return _write_output(folder / name, data, runtime=runtime)


def cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.demo import DEMO_PASSWORD, create_demo_accounts, fill_demo

    if args.decisions < 0:
        raise UserError("--decisions must be 0 or more")
    runtime = _open_runtime(args)
    try:
        create_demo_accounts(
            runtime.uow(), runtime.security().hasher.hash(DEMO_PASSWORD), runtime.clock()
        )
        for done in fill_demo(runtime.uow, args.decisions, seed=args.seed):
            if not args.quiet:
                print(
                    f"\r{done:,} of {args.decisions:,} decisions recorded", end="", file=sys.stderr
                )
    finally:
        runtime.close()
    if not args.quiet:
        print(file=sys.stderr)
    out.write(f"{args.decisions} demo decisions recorded in {runtime.database_label}\n")
    out.write(
        f"Demo accounts (password {DEMO_PASSWORD!r}): admin.demo, officer.alvarez, "
        "sgt.fischer, counsel.demo and others\n"
    )
    return EXIT_OK


def cmd_users_add(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import add_user, create_first_admin, needs_first_admin

    runtime = _open_runtime(args)
    try:
        first = needs_first_admin(runtime.uow())
    finally:
        runtime.close()
    if args.without_second_factor and not first:
        raise UserError(
            "--without-second-factor is for the first administrator of a new installation; "
            "the requirement is changed with 'settings --second-factor on|off'"
        )
    if first:
        if args.role != ["admin"]:
            raise UserError("the first account must be an administrator: use --role admin")
        password = _read_password(args, f"New password for {args.name}: ")
        runtime = _open_runtime(args)
        try:
            create_first_admin(
                runtime.uow(),
                runtime.security(),
                args.name,
                args.display_name or args.name,
                password,
                local_actor().workstation,
                runtime.clock(),
                require_second_factor=not args.without_second_factor,
            )
        finally:
            runtime.close()
        out.write(f"Created the first administrator, {args.name.strip().casefold()}.\n")
        if args.without_second_factor:
            out.write(
                "A second factor is NOT required at sign-in on this installation (turn it on "
                "with 'settings --second-factor on').\n"
            )
        else:
            out.write(
                "Every account signs in with a second factor: an authenticator app is set up "
                "at the first sign-in (in the window, or on a terminal).\n"
            )
        return EXIT_OK
    with _signed_in(args) as (runtime, actor):
        password = _read_password(args, f"New password for {args.name}: ")
        record = add_user(
            runtime.uow(),
            runtime.security(),
            actor,
            args.name,
            args.display_name or args.name,
            args.role,
            password,
            runtime.clock(),
        )
    out.write(f"Created {record.name} ({', '.join(sorted(record.roles))}).\n")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.accounts import list_users

    with _signed_in(args) as (runtime, actor):
        accounts = list_users(runtime.uow(), actor, runtime.clock())
    for account in accounts:
        state = "disabled" if account.disabled else ("LOCKED" if account.locked_at else "active")
        roles = ",".join(sorted(account.roles))
        out.write(
            f"{_visible(account.name):24} {roles:28} {state:8} {_visible(account.display_name)}\n"
        )
    return EXIT_OK


def cmd_users_recover(args: argparse.Namespace, out: TextIO) -> int:
    """Break-glass: an administrator's account locked, disabled or its password forgotten,
    and nobody left to sign in. Only the operating-system account that owns the data
    folder and the SQLite file may; it is in the audit trail."""
    from detainer_desk.paths import current_account_name, recovery_problem, resolve_paths
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import recover_administrator

    # Who may, judged before the store is opened (opening it writes to the data folder).
    paths = resolve_paths(args.data_dir)
    url = _store_url(args, paths)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError(
            "users recover works on this computer's own SQLite records only. On a "
            "PostgreSQL server a lock ends by itself (see 'settings --lockout-minutes'); "
            "keep a second administrator for anything else."
        )
    problem = recovery_problem(paths.data_dir, Path(url.database))
    if problem:
        raise UserError(f"Nothing was changed: {problem}")
    password = _read_password(args, f"New password for {args.name}: ")
    runtime = _open_runtime(args)
    who = current_account_name()  # the account the check above was about, not $USER
    try:
        account = recover_administrator(
            runtime.uow(),
            runtime.security(),
            args.name,
            password,
            who,
            local_actor().workstation,
            runtime.clock(),
        )
    finally:
        runtime.close()
    out.write(
        f"{account.name}: recovered (a new password; not locked, not disabled). This is in "
        f"the audit trail as done by the operating-system account {who}.\n"
    )
    return EXIT_OK


def cmd_users_change(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.accounts import normalize_user_name
    from detainer_desk.services import accounts as svc

    with _signed_in(args) as (runtime, actor):
        now = runtime.clock()
        if args.users_command == "unlock":
            svc.unlock_user(runtime.uow(), actor, args.name, now)
            done = "unlocked"
        elif args.users_command == "roles":
            svc.set_roles(runtime.uow(), actor, args.name, args.role, now)
            done = f"now has the roles {', '.join(sorted(set(args.role)))}"
        elif args.users_command == "reset-second-factor":
            from detainer_desk.services.second_factor import reset

            reset(runtime.uow(), actor, args.name, now)
            done = "has no second factor now; a new one is set up at the next sign-in"
        elif args.users_command in ("disable", "enable"):
            svc.set_disabled(runtime.uow(), actor, args.name, args.users_command == "disable", now)
            done = f"{args.users_command}d"
        else:  # passwd
            if normalize_user_name(args.name) == actor.user:
                raise UserError(
                    "to change your own password use the application (it asks for the current one)"
                )
            new_password = _read_password(args, f"New password for {args.name}: ")
            svc.reset_password(
                runtime.uow(), runtime.security(), actor, args.name, new_password, now
            )
            done = "has a new password"
    out.write(f"{args.name}: {done}.\n")
    return EXIT_OK


def cmd_audit(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import precise_time
    from detainer_desk.services.accounts import audit_trail
    from detainer_desk.services.ports import AuditQuery

    days = _days(args)
    with _signed_in(args) as (runtime, actor):
        zone = _county_zone(runtime)
        start, end = _day_range(days, zone)
        query = AuditQuery(
            user_name=args.of_user,
            action=args.action,
            outcome=args.outcome,
            occurred_from=start,
            occurred_to=end,
            limit=args.limit,
        )
        events = audit_trail(runtime.uow(), actor, query, runtime.clock())
    for event in events:
        if args.json:
            record = {
                "id": event.id,
                "seq": event.seq,
                "occurred_at": _county_iso(event.occurred_at, zone),
                "user": event.user_name,
                "roles": event.roles,
                "workstation": event.workstation,
                "action": event.action,
                "target": event.target,
                "outcome": event.outcome,
                "details": json.loads(event.details_json),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            user, roles = _visible(event.user_name)[:200], _visible(event.roles)
            workstation, target = _visible(event.workstation), _visible(event.target or "")
            out.write(
                f"{precise_time(event.occurred_at, zone)}  {user:18} {roles:20} "
                f"{workstation:12} {_visible(event.action):24} {event.outcome:8} {target}\n"
            )
    return EXIT_OK


def cmd_settings(args: argparse.Namespace, out: TextIO) -> int:
    import dataclasses

    from detainer_desk.services.settings import read_settings, save_settings

    with _signed_in(args) as (runtime, actor):
        current = read_settings(runtime.uow())
        changes: dict[str, Any] = {}
        if args.county is not None:
            changes["county_name"] = args.county
        if args.jail is not None:
            changes["jail_name"] = args.jail
        if args.timezone is not None:
            changes["timezone"] = args.timezone
        if args.minutes is not None:
            changes["session_timeout_minutes"] = args.minutes
        if args.lockout_minutes is not None:
            changes["lockout_minutes"] = args.lockout_minutes
        if args.second_factor is not None:
            changes["second_factor_required"] = args.second_factor == "on"
        if args.inactive_days is not None:
            changes["inactive_days"] = args.inactive_days
        if args.notice_file is not None:
            text = read_input_file(args.notice_file, "notice", _limits().NOTICE_FILE_BYTES).decode(
                "utf-8", "replace"
            )
            changes["system_use_notice"] = text.strip()
        if args.default_notice:
            changes["system_use_notice"] = ""
        if args.alerts is not None:
            try:
                first, second = (int(part) for part in args.alerts.split(","))
            except ValueError:
                raise UserError("--alerts: give two numbers of minutes, like 240,60") from None
            changes["alert_first_minutes"], changes["alert_second_minutes"] = first, second
        saved = None
        if changes:
            current = dataclasses.replace(current, **changes)
            saved = save_settings(runtime.uow(), actor, current, runtime.clock())
    if saved is not None and saved.reactivated is not None:
        policy = saved.reactivated.activation.policy
        out.write(
            f"The policy in force, {policy.name}, read times in another timezone: it was "
            f"activated again in {current.timezone} (version {policy.id}, sha256 "
            f"{policy.sha256}). Decisions already recorded keep the text they were made under.\n"
        )
    for label, value in (
        ("County", current.county_name or "(not set)"),
        ("Jail", current.jail_name or "(not set)"),
        ("Timezone", current.timezone or "(not set)"),
        (
            "Hold alerts",
            f"{current.alert_first_minutes} and {current.alert_second_minutes} minutes before the deadline",
        ),
        ("Session lock", f"after {current.session_timeout_minutes} minutes without use"),
        (
            "Lockout",
            f"{current.lockout_minutes} minutes after 5 failed sign-ins within 15 minutes",
        ),
        (
            "Second factor",
            "required at every sign-in"
            if current.second_factor_required
            else "NOT required (CJIS 5.6.2.2 asks for it)",
        ),
        ("Inactive", f"accounts disabled after {current.inactive_days} days without use"),
        (
            "Notice",
            "the administrator's text (shown before the password)"
            if current.system_use_notice
            else "the default text (shown before the password)",
        ),
    ):
        out.write(f"{label + ':':14}{_visible(value)}\n")
    return EXIT_OK


def cmd_policy_history(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.policies import policy_history

    with _signed_in(args) as (runtime, actor):
        history = policy_history(runtime.uow(), actor, runtime.clock())
        zone = _county_zone(runtime)
    if not history:
        out.write("No policy has been activated yet.\n")
    for number, activation in enumerate(history):
        policy = activation.policy
        state = "ACTIVE" if number == 0 else "      "
        out.write(
            _visible(
                f"{state} {short_time(activation.stamp.recorded_at, zone)} by {activation.stamp.recorded_by}: "
                f"{policy.name} (version {policy.id}, sha256 {policy.sha256[:16]}…)"
                + (f" - {activation.reason}" if activation.reason else "")
            )
            + "\n"
        )
    return EXIT_OK


def cmd_policy_what_if(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import short_time
    from detainer_desk.services.policies import WhatIfResult, what_if

    data = _read_policy(args.file)
    days = _days(args)
    with _signed_in(args) as (runtime, actor):
        zone = _county_zone(runtime)
        start, end = _day_range(days, zone)
        assert start is not None and end is not None  # both options are required
        result = None
        for step in what_if(runtime.uow, actor, data, args.file, start, end, runtime.clock()):
            if isinstance(step, WhatIfResult):
                result = step
    assert result is not None
    out.write(
        f"Under {_visible(result.policy_name)}: {len(result.changes)} of {result.examined} "
        f"decisions received {args.date_from} to {args.date_to} would come out differently.\n"
    )
    for change in result.changes:
        name, booking = _visible(change.subject_name)[:28], _visible(change.booking_number)
        out.write(
            f"  decision {change.decision_id:>6}  {name:28}  {booking:14} "
            f"{change.recorded_outcome:>8} -> {change.proposed_outcome:8}"
            + (
                f" until {short_time(dt.datetime.fromisoformat(change.proposed_hold_until), zone)}"
                if change.proposed_hold_until
                else ""
            )
            + "\n"
        )
    for decision_id, problem in result.not_evaluable:
        out.write(f"  decision {decision_id}: cannot be re-evaluated: {_visible(problem)}\n")
    return EXIT_OK


@contextlib.contextmanager
def _interrupt_cancels(err: TextIO) -> Iterator[Callable[[], bool]]:
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
def _first_interrupt_stops(err: TextIO) -> Iterator[None]:
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


def cmd_export(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.services.ports import DecisionQuery

    days = _days(args)

    def query_in(zone: Any) -> Any:
        start, end = _day_range(days, zone)  # the county's days
        return DecisionQuery(
            search=args.search,
            outcome=args.outcome,
            received_from=start,
            received_to=end,
            recorded_by=args.officer,
        )

    if args.csv_only:
        return _export_csv_only(args, query_in, out)
    from detainer_desk.services.export import ExportCancelled, ExportRequest, ExportResult
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
    with _signed_in(args) as (runtime, actor), _interrupt_cancels(args.err) as cancelled:
        request = ExportRequest(
            query_in(_county_zone(runtime)),
            args.recipient,
            args.output,
            actor,
            passphrase=passphrase,
        )
        try:
            steps = runtime.exporter().export(request, cancelled)
        except DestinationError as exc:
            raise UserError(str(exc)) from None
        result = None
        try:
            for step in steps:
                if isinstance(step, ExportResult):
                    result = step
                elif not args.quiet:
                    print(
                        f"\r{step.stage}: {step.done:,} of {step.total:,}   ",
                        end="",
                        file=sys.stderr,
                    )
        except ExportCancelled:
            args.err.write(
                "Export cancelled: what was written was removed, and the cancellation is in "
                "the audit trail.\n"
            )
            return EXIT_INTERRUPTED
        if not args.quiet:
            print(file=sys.stderr)
    assert result is not None
    out.write(
        f"Exported {result.decisions} decisions ({result.files} files) to {result.destination}\n"
    )
    out.write(f"manifest.sha256 has SHA-256 {result.manifest_sha256}\n")
    if passphrase is not None:
        out.write(
            "The ZIP is encrypted with AES-256 (it opens in 7-Zip and WinZip). Its passphrase, "
            "shown this once and kept nowhere:\n\n"
            f"    {passphrase}\n\n"
            "Give it to the recipient by another channel than the file (a telephone call, not "
            "the same e-mail or the same stick).\n"
        )
    else:
        out.write(
            "The folder is NOT encrypted: keep it inside the jail's secure location, or "
            "export to a .zip file to take it out.\n"
        )
    return EXIT_OK


def _export_csv_only(args: argparse.Namespace, query_in: Any, out: TextIO) -> int:
    import io

    from detainer_desk.adapters.files import OutputError, PendingFile
    from detainer_desk.services.export import export_csv

    if not args.output:
        raise UserError("-o/--output: give a new .csv file")
    target = Path(args.output)
    _check_output(target)
    with _signed_in(args) as (runtime, actor):
        query = query_in(_county_zone(runtime))
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


def cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain.timetext import day_text
    from detainer_desk.services.documents import report_context
    from detainer_desk.services.statistics import weekly_statistics

    first, last = _statistics_period(args)
    target = Path(args.output) if args.output else None
    if target is not None:
        _check_output(target)
    with _signed_in(args) as (runtime, actor):
        now = runtime.clock()
        context = report_context(runtime.uow(), actor, now)
        report = weekly_statistics(runtime.uow(), actor, first, last, now)
        if target is not None:
            from detainer_desk.adapters.pdf import render_statistics_pdf

            _write_output(target, render_statistics_pdf(report, context), runtime=runtime)
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
    first, last = _parse_day(args.date_from, "--from"), _parse_day(args.date_to, "--to")
    if last < first:
        raise UserError("--to is before --from")
    return first, last


def _store_url(args: argparse.Namespace, paths: Any) -> Any:
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
            f"Cannot open the record store: {_quoted(text)} is not a database URL"
        ) from None


# -- reviews: account validation (yearly) and audit review (weekly) -------------------------


def cmd_accounts_report(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.files import pdf_kind
    from detainer_desk.services.reviews import account_validation

    target = Path(args.output)
    _check_output(target, replace=args.force, kind=pdf_kind)
    with _signed_in(args) as (runtime, actor):
        report = account_validation(runtime.uow(), actor, runtime.clock())
        from detainer_desk.adapters.pdf import render_account_validation_pdf

        _write_output(
            target,
            render_account_validation_pdf(report),
            replace=args.force,
            kind=pdf_kind,
            runtime=runtime,
        )
    out.write(f"Wrote the account validation of {len(report.lines)} accounts to {target}\n")
    return EXIT_OK


def cmd_audit_review(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.files import pdf_kind
    from detainer_desk.services.reviews import audit_review

    target = Path(args.output)
    days = _days(args)  # judged before anything is opened
    _check_output(target, replace=args.force, kind=pdf_kind)
    with _signed_in(args) as (runtime, actor):
        now = runtime.clock()
        start, end = _day_range(days, _county_zone(runtime))  # the county's days
        end = end or now
        start = start or end - dt.timedelta(days=7)
        if start >= end:
            raise UserError("--from must come before --to")
        report = audit_review(runtime.uow(), actor, start, end, now)
        from detainer_desk.adapters.pdf import render_audit_review_pdf

        _write_output(
            target,
            render_audit_review_pdf(report),
            replace=args.force,
            kind=pdf_kind,
            runtime=runtime,
        )
    for part in report.sections:
        out.write(f"  {part.title}: {len(part.events)}\n")
    out.write(f"Wrote the audit review to {target}\n")
    return EXIT_OK


# -- directory sign-in (LDAP / Active Directory) ----------------------------------------------


def cmd_directory(args: argparse.Namespace, out: TextIO) -> int:
    import dataclasses

    from detainer_desk.services import directory as dirs

    with _signed_in(args) as (runtime, actor):
        config = dirs.directory_config(runtime.uow())
        if args.directory_command == "off":
            config = dirs.DirectoryConfig()
            dirs.save_config(runtime.uow(), actor, config, runtime.clock())
            out.write("Directory sign-in is off; only local accounts sign in.\n")
            return EXIT_OK
        if args.directory_command == "set":
            changes: dict[str, Any] = {}
            if args.url is not None:
                changes["url"] = args.url
                if args.tls is None:
                    changes["tls"] = (
                        dirs.LDAPS if args.url.lower().startswith("ldaps:") else dirs.STARTTLS
                    )
            if args.tls is not None:
                changes["tls"] = args.tls
            if args.ca_file is not None:
                changes["ca_pem"] = read_input_file(
                    args.ca_file, "certificate", _limits().CERTIFICATE_FILE_BYTES
                ).decode("ascii", "replace")
            if args.bind is not None:
                changes["bind"] = args.bind
            if args.base is not None:
                changes["base"] = args.base
            if args.group:
                pairs = []
                for given in args.group:
                    group, sep, role = given.rpartition("=")
                    if not sep or not group.strip():
                        raise UserError(f"--group: {given!r} is not GROUP=ROLE")
                    pairs.append((group.strip(), role.strip()))
                changes["group_roles"] = tuple(pairs)
            config = dataclasses.replace(config, **changes)
            dirs.save_config(runtime.uow(), actor, config, runtime.clock())
        if args.directory_command == "test":
            if args.stdin.isatty() and not args.password_stdin:
                import getpass

                password = getpass.getpass(f"Directory password of {args.name}: ")
            else:
                password = _next_line(args, "test", "the password to test with")
            person, roles = dirs.try_settings(runtime.security(), config, args.name, password)
            out.write(
                f"The directory knows {args.name} as {person.dn} ({person.display_name}).\n"
                f"Groups: {', '.join(sorted(person.groups)) or '(none)'}\n"
                f"Roles here: {', '.join(sorted(roles)) or '(none: this person could not sign in)'}\n"
            )
            return EXIT_OK
    if not config.enabled:
        out.write("Directory sign-in is off; only local accounts sign in.\n")
        return EXIT_OK
    out.write(
        f"Server:      {config.url} ({'LDAPS' if config.tls == dirs.LDAPS else 'StartTLS'})\n"
        f"Trust:       {'the saved certificate authority' if config.ca_pem else 'the system trusted authorities'}\n"
        f"Bind as:     {config.bind}\n"
        f"Look up in:  {config.base or '(the bind name only)'}\n"
        + "".join(f"Group:       {group} -> {role}\n" for group, role in config.group_roles)
    )
    return EXIT_OK


# -- backups (SQLite; a PostgreSQL store is backed up on its server with pg_dump) ----------

PG_BACKUP_ADVICE = (
    "this store is on a PostgreSQL server: back it up there with pg_dump and restore it "
    "with pg_restore (see the README, 'Backups')"
)


@contextlib.contextmanager
def _backup_session(args: argparse.Namespace) -> Iterator[tuple[Any, Any, bool]]:
    """The open store, and the administrator signed in (True) for a backup command.

    A store without accounts yet (an upgraded older one) has nobody to sign in: the
    operating-system user at this workstation is recorded instead.
    """
    from detainer_desk.runtime import local_actor
    from detainer_desk.services.accounts import needs_first_admin

    runtime = _open_runtime(args)
    try:
        nobody_yet = needs_first_admin(runtime.uow())
        if runtime.engine.url.get_backend_name() != "sqlite":
            raise UserError(PG_BACKUP_ADVICE)
    finally:
        runtime.close()
    if nobody_yet:
        runtime = _open_runtime(args)
        try:
            yield runtime, local_actor(), False
        finally:
            runtime.close()
        return
    with _signed_in(args) as (runtime, actor):
        yield runtime, actor, True


def cmd_backup(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.db.backup_check import checked_copy
    from detainer_desk.adapters.db.backups import copy_database, sqlite_path
    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.adapters.files import sqlite_kind
    from detainer_desk.services.backups import BACKUP, audit_backups, authorize_backups

    target = Path(args.file).expanduser().absolute()
    if target.is_dir() and not target.is_symlink():
        raise UserError(f"{target} is a folder: give the name of the backup file to write")
    if args.encrypt:
        return _protected_backup(args, target, out)
    _check_output(target, replace=args.force, kind=sqlite_kind)
    with _backup_session(args) as (runtime, signed_in_actor, signed_in):
        source = sqlite_path(runtime.engine)
        if target.resolve() == source.resolve():
            raise UserError("a backup cannot be written over the database itself")
        now = runtime.clock()
        actor = signed_in_actor
        if signed_in:  # a store without accounts has nobody to authorize
            actor = authorize_backups(runtime.uow(), actor, BACKUP, str(target), now)
        try:
            copy_database(source, target, replace=args.force, journal=runtime.partials)
            with checked_copy(target, runtime.partials) as (_copy, check):
                pass
        except DatabaseError as exc:
            audit_backups(
                runtime.uow(),
                actor,
                BACKUP,
                str(target),
                now,
                succeeded=False,
                details={"why": str(exc)},
            )
            raise UserError(f"No backup was made: {exc}") from None
        audit_backups(
            runtime.uow(),
            actor,
            BACKUP,
            str(target),
            now,
            succeeded=True,
            details={"entries": check.entries, "chain_head": check.chain_head},
        )
    out.write(
        f"Backed up {check.entries} entries to {target}\n"
        f"The copy passed the integrity check and the chain verification (head {check.chain_head}).\n"
    )
    return EXIT_OK


def _protected_backup(args: argparse.Namespace, target: Path, out: TextIO) -> int:
    """backup --encrypt: the checked copy, encrypted under a passphrase (CJIS 5.10.1.2.2)."""
    import time

    from detainer_desk.adapters.db.engine import DatabaseError
    from detainer_desk.adapters.protect import protected_kind
    from detainer_desk.services.backups import BACKUP, audit_backups, authorize_backups

    _check_output(target, replace=args.force, kind=protected_kind)
    with _backup_session(args) as (runtime, signed_in_actor, signed_in):
        passphrase = _read_new_passphrase(args)
        now = runtime.clock()
        actor = signed_in_actor
        if signed_in:
            actor = authorize_backups(runtime.uow(), actor, BACKUP, str(target), now)
        started = time.perf_counter()
        try:
            entries, head = runtime.protected_backup_to(target, passphrase, replace=args.force)
        except DatabaseError as exc:
            audit_backups(
                runtime.uow(), actor, BACKUP, str(target), now, succeeded=False,
                details={"why": str(exc), "encrypted": True},
            )  # fmt: skip
            raise UserError(f"No backup was made: {exc}") from None
        seconds = time.perf_counter() - started
        audit_backups(
            runtime.uow(), actor, BACKUP, str(target), now, succeeded=True,
            details={"entries": entries, "chain_head": head, "encrypted": "AES-256-GCM"},
        )  # fmt: skip
    size = target.stat().st_size
    out.write(
        f"Backed up {entries} entries to {target}, encrypted (AES-256-GCM, key from the "
        f"passphrase by argon2id): {size / 1e6:.1f} MB in {seconds:.1f} s.\n"
        f"The copy passed the integrity check and the chain verification (head {head}) "
        "before it was encrypted. Keep the passphrase apart from the copy: without it the "
        "copy cannot be restored.\n"
    )
    return EXIT_OK


def _read_new_passphrase(args: argparse.Namespace) -> str:
    """A passphrase for a protected copy: the next line of standard input
    (--passphrase-stdin), or typed twice on the terminal; checked against CJIS 5.10.1.2.2."""
    from detainer_desk.adapters.security import is_common_password
    from detainer_desk.domain.protection import new_passphrase, passphrase_problems

    if args.passphrase_stdin:
        passphrase = _next_line(args, "--passphrase-stdin", "a passphrase")
    elif args.stdin.isatty():
        import getpass

        passphrase = getpass.getpass("Passphrase for the encrypted copy: ")
        if getpass.getpass("The same passphrase again: ") != passphrase:
            raise UserError("The two passphrases are not the same; nothing was written.")
    else:
        raise UserError("no terminal to ask for the passphrase: use --passphrase-stdin")
    problems = passphrase_problems(passphrase, is_common_password)
    if problems:
        raise UserError(
            "That passphrase cannot protect a copy of criminal-justice information (FBI CJIS "
            "Security Policy 5.10.1.2.2): " + "; ".join(problems) + ".",
            f"For example: {new_passphrase()}",
        )
    return passphrase


def _read_passphrase(args: argparse.Namespace, what: str) -> str:
    if args.passphrase_stdin:
        return _next_line(args, "--passphrase-stdin", "a passphrase")
    if args.stdin.isatty():
        import getpass

        return getpass.getpass(f"Passphrase of {what}: ")
    raise UserError(f"{what} is encrypted and there is no terminal: use --passphrase-stdin")


def _next_line(args: argparse.Namespace, option: str, what: str) -> str:
    line = args.stdin.readline()
    if not line:
        raise UserError(f"{option}: standard input ended before {what} was read")
    return str(line).rstrip("\r\n")


def _confirm(args: argparse.Namespace, question: str) -> None:
    if args.yes:
        return
    if getattr(args, "password_stdin", False) or not args.stdin.isatty():
        raise UserError(f"{question}\nNo terminal to ask on: confirm with --yes.")
    err = getattr(args, "err", None) or sys.stderr
    err.write(f"{question}\nType yes to go on: ")
    err.flush()
    if args.stdin.readline().strip().casefold() != "yes":
        raise UserError("Nothing was changed.")


def cmd_restore(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.adapters.db.backup_check import checked_copy
    from detainer_desk.adapters.db.backups import backup_name, restore_database
    from detainer_desk.adapters.db.engine import DatabaseError, make_engine
    from detainer_desk.adapters.db.probe import sqlite_url
    from detainer_desk.adapters.db.repository import SqlLedger, verify_store
    from detainer_desk.adapters.signing import InstallationKey
    from detainer_desk.paths import DataDirError, resolve_paths
    from detainer_desk.runtime import local_actor, open_runtime, utc_now
    from detainer_desk.services.access import RecordError
    from detainer_desk.services.accounts import needs_first_admin, sign_out
    from detainer_desk.services.backups import RESTORE, audit_backups, authorize_backups
    from detainer_desk.services.checkpoints import check_backup

    paths = resolve_paths(args.data_dir)
    url = _store_url(args, paths)
    if url.get_backend_name() != "sqlite" or not url.database:
        raise UserError(PG_BACKUP_ADVICE)
    live = Path(url.database)
    backup = Path(args.file).expanduser().absolute()
    if live.exists() and backup.resolve() == live.resolve():
        raise UserError("that file is the database itself, not a backup of it")
    with contextlib.ExitStack() as stack:
        try:
            from detainer_desk.adapters.files import PartialJournal

            journal = PartialJournal.in_data_dir(paths.data_dir)
            plain = _opened_backup(args, backup, journal, paths.data_dir, stack)
            checked, check = stack.enter_context(checked_copy(plain, journal))
        except DatabaseError as exc:
            raise UserError(f"Nothing was changed: {exc}") from None
        # The backup must agree with the last checkpoint this installation made: a copy
        # whose entries were altered (and recomputed) since is refused.
        signer = InstallationKey(paths.data_dir / "keys")
        copy_engine = make_engine(sqlite_url(checked))
        try:
            against = check_backup(SqlLedger(copy_engine), signer, check.written_entries)
        finally:
            copy_engine.dispose()
        if not against.ok:
            raise UserError(f"Nothing was changed: {against.message}.")
        # Who may: an administrator of the records being replaced. A store too damaged to
        # open has nobody to ask; the restore is then recorded for the operating-system user.
        runtime, broken = None, None
        try:
            runtime = open_runtime(paths, getattr(args, "db", None))
        except (DataDirError, DatabaseError) as exc:
            broken = str(exc)
        actor = local_actor()
        signed_in = False
        try:
            current = "a store that cannot be opened"
            if runtime is not None:
                now = runtime.clock()
                if not needs_first_admin(runtime.uow()):
                    if not args.user:
                        raise UserError(
                            "Restoring replaces every record: give --user NAME (an administrator)."
                        )
                    password = _read_password(args, f"Password for {args.user}: ")
                    code = _read_code(args) if args.otp_stdin else None
                    actor = _authenticate(args, runtime, password, code, actor.workstation)
                    signed_in = True
                    actor = authorize_backups(runtime.uow(), actor, RESTORE, str(backup), now)
                entries = list(verify_store(runtime.engine))[-1].checked
                current = f"{entries} entries now"
            _confirm(
                args,
                (against.message + "\n" if against.message else "")
                + f"Replace the records in {live} ({current}) with the backup {backup} "
                f"({check.entries} entries, verified)?",
            )
            now = utc_now()
            aside = paths.backups_dir / backup_name(now, "replaced-by-restore")
            details = {
                "backup": str(backup),
                "backup_entries": check.entries,
                "backup_chain_head": check.chain_head,
                "replaced_kept_at": str(aside),
            }
            if runtime is not None:  # in the records being replaced (kept aside with them)
                audit_backups(
                    runtime.uow(), actor, RESTORE, str(live), now, succeeded=True, details=details
                )
                runtime.engine.dispose()
            restore_database(checked, live, aside)
            if against.older_than_checkpoint:
                # Its checkpoints vouch for entries the restored record no longer has; they
                # are kept aside (the replaced records are kept at ``aside`` too).
                details["checkpoints_set_aside"] = signer.set_aside_checkpoints(
                    check.written_entries
                )
        except BaseException as exc:
            if signed_in and runtime is not None:
                with contextlib.suppress(RecordError):
                    sign_out(runtime.uow(), actor, runtime.clock(), "restore not done")
            if isinstance(exc, DatabaseError):
                raise UserError(f"Nothing was changed: {exc}") from None
            raise
        finally:
            if runtime is not None:
                runtime.close()
    restored = open_runtime(paths, getattr(args, "db", None))
    try:
        if broken:
            details["replaced_store_problem"] = broken
        audit_backups(
            restored.uow(), actor, RESTORE, str(live), now, succeeded=True, details=details
        )
        if signed_in:
            sign_out(restored.uow(), actor, restored.clock(), "command finished")
    finally:
        restored.close()
    if against.message:
        out.write(against.message + "\n")
    out.write(
        f"Restored {check.entries} entries from {backup} into {live}.\n"
        f"The records it replaced are kept at {aside}.\n"
    )
    if against.older_than_checkpoint:
        out.write(
            "This installation's later checkpoints no longer describe the records; they were "
            "moved aside. Make a new checkpoint (detainer-desk checkpoint).\n"
        )
    return EXIT_OK


def _opened_backup(
    args: argparse.Namespace,
    backup: Path,
    journal: Any,
    data_dir: Path,
    stack: contextlib.ExitStack,
) -> Path:
    """The backup to check: the file itself, or, for an encrypted one, its decryption in a
    private scratch folder of the data folder (removed when the restore ends)."""
    from detainer_desk.adapters.files import scratch_folder
    from detainer_desk.adapters.protect import decrypt_file, is_protected

    if not is_protected(backup):
        return backup
    passphrase = _read_passphrase(args, f"the encrypted backup {backup.name}")
    scratch = stack.enter_context(scratch_folder(journal, data_dir if data_dir.is_dir() else None))
    plain = scratch / "backup.sqlite3"
    try:
        decrypt_file(backup, plain, passphrase)
    except OSError as exc:
        raise UserError(
            f"Nothing was changed: {backup} cannot be decrypted ({exc.strerror})"
        ) from None
    return plain


def _add_backup_commands(commands: Any, common: Any, auth: Any) -> None:
    backup = commands.add_parser(
        "backup",
        parents=[common, auth],
        help="copy the live SQLite database to FILE, then check the copy (admin)",
        description="A consistent copy of the records, even while others record. Needs "
        "--user (an administrator) once the store has accounts; the backup is audited. "
        "Daily copies are also kept automatically in the data folder's backups/.",
    )
    backup.add_argument("file", metavar="FILE")
    backup.add_argument("--force", action="store_true", help="replace FILE if it exists")
    backup.add_argument(
        "--encrypt",
        action="store_true",
        help="write an encrypted copy (AES-256-GCM, key from a passphrase: for a copy that "
        "leaves the building, CJIS 5.10.1.2.2)",
    )
    backup.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="read the passphrase from the next line of standard input (after the password "
        "and code lines)",
    )
    backup.set_defaults(handler=cmd_backup)
    restore = commands.add_parser(
        "restore",
        parents=[common, auth],
        help="replace the records with a verified backup (admin; the old ones are kept)",
        description="Checks FILE (integrity and the whole chain) before anything changes, "
        "asks for confirmation, keeps the replaced database in backups/, and records the "
        "restore in the audit trail.",
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    restore.add_argument(
        "--passphrase-stdin",
        action="store_true",
        help="an encrypted backup: read its passphrase from the first line of standard input "
        "(before the password: the backup is opened and checked before anything else)",
    )
    restore.set_defaults(handler=cmd_restore)


# -- the parser -------------------------------------------------------------------------

# The largest id a database row can have (a signed 64-bit integer).
LARGEST_ID = 2**63 - 1


def _record_id(text: str) -> int:
    """A decision number as argparse reads it: a whole number from 1 up."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a decision number") from None
    if not 1 <= value <= LARGEST_ID:
        raise argparse.ArgumentTypeError(
            f"{_quoted(text)} is not a decision number (they run from 1 to {LARGEST_ID:,})"
        )
    return value


def _page_rows(text: str) -> int:
    """How many rows to list: a whole number from 1 to PAGE_ROWS."""
    most = _limits().PAGE_ROWS
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{_quoted(text)} is not a whole number") from None
    if not 1 <= value <= most:
        raise argparse.ArgumentTypeError(f"give 1 to {most:,} rows, not {_quoted(text)}")
    return value


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
    parser.set_defaults(handler=cmd_gui, command=None, db=None)
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
        "(e.g. 2026-03-06T14:00:00-08:00; without an offset, local time in the policy file's "
        "timezone)",
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
    activate = policy_commands.add_parser(
        "activate",
        parents=[common, auth],
        help="make a policy the active one (stored with its text and SHA-256)",
    )
    activate.add_argument("file", metavar="FILE", help="a policy file, or a preset name")
    activate.add_argument("--reason", help="why this policy is activated (kept in the record)")
    activate.add_argument(
        "--county-timezone",
        action="store_true",
        help="a policy file in another timezone: activate it with the county's timezone "
        "instead (its timezone line is changed in the text that is stored)",
    )
    activate.set_defaults(handler=cmd_policy_activate)
    history = policy_commands.add_parser(
        "history", parents=[common, auth], help="every policy version activated: who, when, why"
    )
    history.set_defaults(handler=cmd_policy_history)
    what_if = policy_commands.add_parser(
        "what-if",
        parents=[common, auth],
        help="re-evaluate a period's requests under a proposed policy and list what would change",
    )
    what_if.add_argument("file", metavar="FILE", help="the proposed policy file, or a preset name")
    what_if.add_argument("--from", dest="date_from", required=True, metavar="DATE")
    what_if.add_argument("--to", dest="date_to", required=True, metavar="DATE")
    what_if.set_defaults(handler=cmd_policy_what_if)

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

    amend = commands.add_parser(
        "amend", parents=[common, auth], help="add a later fact to a decision (never changes it)"
    )
    amend.add_argument("id", type=_record_id, metavar="ID")
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
        choices=["hold", "transfer", "notify", "decline"],
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

    log = commands.add_parser(
        "log", parents=[common, auth], help="list recorded decisions, newest first"
    )
    log.add_argument("--search", metavar="TEXT", help="name words, A-number or booking number")
    log.add_argument("--outcome", choices=["hold", "transfer", "notify", "decline", "review"])
    log.add_argument(
        "--from", dest="date_from", metavar="DATE", help="received on or after this date"
    )
    log.add_argument("--to", dest="date_to", metavar="DATE", help="received on or before this date")
    log.add_argument("--officer", metavar="USER", help="recorded by this user")
    log.add_argument("--limit", type=_page_rows, default=50, metavar="N")
    log.add_argument("--json", action="store_true", help="one JSON object per line")
    log.set_defaults(handler=cmd_log)

    show_decision = commands.add_parser(
        "show", parents=[common, auth], help="one decision with its request, documents and history"
    )
    show_decision.add_argument("id", type=_record_id, metavar="ID")
    show_decision.add_argument("--json", action="store_true")
    show_decision.set_defaults(handler=cmd_show)

    verify = commands.add_parser(
        "verify", parents=[common], help="recompute the whole hash chain and every attachment hash"
    )
    verify.add_argument(
        "--checkpoint",
        metavar="FILE",
        help="also prove the record extends this signed checkpoint unchanged",
    )
    verify.set_defaults(handler=cmd_verify)

    checkpoint = commands.add_parser(
        "checkpoint",
        parents=[common, auth],
        help="verify the record and write a signed checkpoint of it (JSON and a PDF to sign)",
    )
    checkpoint.add_argument(
        "--out", metavar="DIR", help="folder for the files (default: data folder/checkpoints)"
    )
    checkpoint.set_defaults(handler=cmd_checkpoint)

    keys = commands.add_parser(
        "keys",
        parents=[common],
        help="this installation's checkpoint key and the keys it trusts",
    )
    keys.set_defaults(handler=cmd_keys)
    keys_commands = keys.add_subparsers(dest="keys_command", metavar="COMMAND")
    for name, words in (
        ("trust", "accept checkpoints signed by another workstation's (or installation's) key"),
        ("untrust", "stop accepting checkpoints signed by a key"),
    ):
        choice = keys_commands.add_parser(name, parents=[common, auth], help=words)
        choice.add_argument("key", metavar="KEY", help="the public key: 64 hexadecimal digits")
        if name == "trust":
            choice.add_argument(
                "--label", required=True, help="whose key it is (kept with it in the record)"
            )
        choice.set_defaults(handler=cmd_keys_trust, label=None)

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
    export.add_argument("--outcome", choices=["hold", "transfer", "notify", "decline", "review"])
    export.add_argument("--officer", metavar="USER", help="recorded by this user")
    export.add_argument(
        "--csv-only", action="store_true", help="write only decisions.csv to -o FILE.csv"
    )
    export.add_argument("--quiet", action="store_true")
    export.set_defaults(handler=cmd_export)

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

    for name, text in (
        ("report", "write the audit PDF of one decision"),
        ("notice", "write the notice to the person (English and Spanish) of one decision"),
    ):
        document = commands.add_parser(name, parents=[common, auth], help=text)
        document.add_argument("id", type=_record_id, metavar="ID")
        document.add_argument("-o", "--output", required=True, metavar="FILE.pdf")
        document.add_argument(
            "--force", action="store_true", help="overwrite FILE.pdf if it exists"
        )
        document.set_defaults(handler=cmd_report)

    _add_contact_commands(commands, common, auth)

    demo = commands.add_parser(
        "demo",
        parents=[common],
        help="fill a database with synthetic requests and decisions (trials, benchmarks)",
    )
    demo.add_argument("--decisions", type=int, required=True, metavar="N")
    demo.add_argument("--seed", type=int, default=1)
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(handler=cmd_demo)
    users = commands.add_parser("users", parents=[common], help="accounts and roles (admin)")
    users_commands = users.add_subparsers(dest="users_command", metavar="SUBCOMMAND", required=True)
    add = users_commands.add_parser(
        "add",
        parents=[common, auth],
        help="create an account; on an empty store, the first admin (no --user needed)",
        description="With --password-stdin, standard input holds your own password on the first "
        "line (unless this is the first admin) and the new account's password on the next.",
    )
    add.add_argument("name", metavar="NAME")
    add.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES)
    add.add_argument("--display-name", metavar="TEXT")
    add.add_argument(
        "--without-second-factor",
        action="store_true",
        help="first administrator only: do not require a second factor at sign-in on this "
        "new installation (CJIS 5.6.2.2 asks for one; it can be turned on later)",
    )
    add.set_defaults(handler=cmd_users_add)
    listing = users_commands.add_parser("list", parents=[common, auth], help="list the accounts")
    listing.set_defaults(handler=cmd_users_list)
    for verb, text in (
        ("unlock", "unlock an account locked after failed sign-ins"),
        ("disable", "disable an account"),
        ("enable", "enable a disabled account"),
        ("passwd", "set a new password for someone else's account"),
        (
            "reset-second-factor",
            "clear someone's second factor (a lost phone): they set up a new one at their "
            "next sign-in",
        ),
    ):
        change = users_commands.add_parser(verb, parents=[common, auth], help=text)
        change.add_argument("name", metavar="NAME")
        change.set_defaults(handler=cmd_users_change)
    recover = users_commands.add_parser(
        "recover",
        parents=[common],
        help="break-glass: a new password for an administrator's account, its lock ended "
        "(only the operating-system account owning the data folder; audited)",
        description="When no administrator can sign in (locked out, disabled, password "
        "forgotten): gives the administrator's account NAME a new password and ends its "
        "lock. Only for the operating-system account that owns the data folder and the "
        "SQLite file (it could change that file anyway); recorded in the audit trail.",
    )
    recover.add_argument("name", metavar="NAME")
    recover.add_argument(
        "--password-stdin",
        action="store_true",
        help="read the new password from the first line of standard input",
    )
    recover.set_defaults(handler=cmd_users_recover)
    roles = users_commands.add_parser(
        "roles", parents=[common, auth], help="replace an account's roles"
    )
    roles.add_argument("name", metavar="NAME")
    roles.add_argument("--role", action="append", required=True, choices=ROLE_CHOICES)
    roles.set_defaults(handler=cmd_users_change)

    audit = commands.add_parser(
        "audit", parents=[common, auth], help="the audit trail, newest first (admin, counsel)"
    )
    audit.add_argument("--of-user", metavar="NAME", help="only this user's events")
    audit.add_argument("--action", metavar="PREFIX", help="e.g. sign_in, decision., account.")
    audit.add_argument("--outcome", choices=["success", "failure", "denied"])
    audit.add_argument("--from", dest="date_from", metavar="DATE")
    audit.add_argument("--to", dest="date_to", metavar="DATE")
    audit.add_argument("--limit", type=_page_rows, default=200, metavar="N")
    audit.add_argument("--json", action="store_true")
    audit.set_defaults(handler=cmd_audit)

    settings = commands.add_parser(
        "settings",
        parents=[common, auth],
        help="show or change the installation's settings (admin)",
    )
    settings.add_argument(
        "--county", metavar="NAME", help="the county's name (printed on every PDF)"
    )
    settings.add_argument("--jail", metavar="NAME", help="the jail's name (printed on every PDF)")
    settings.add_argument(
        "--timezone", metavar="ZONE", help="the county's IANA timezone, e.g. America/Chicago"
    )
    settings.add_argument(
        "--alerts", metavar="FIRST,SECOND", help="hold alerts, minutes before the deadline (240,60)"
    )
    settings.add_argument(
        "--session-timeout",
        dest="minutes",
        type=int,
        metavar="MINUTES",
        help="lock the window after this many minutes without use (1 to 30)",
    )
    settings.add_argument(
        "--lockout-minutes",
        dest="lockout_minutes",
        type=int,
        metavar="MINUTES",
        help="how long an account stays locked after 5 failed sign-ins (10 to 1440; 30)",
    )
    settings.add_argument(
        "--second-factor",
        choices=["on", "off"],
        help="require a second factor (an authenticator app's code) at every sign-in",
    )
    settings.add_argument(
        "--inactive-days",
        type=int,
        metavar="DAYS",
        help="disable accounts not used for this many days, at their next sign-in (1 to 90; 90)",
    )
    notice = settings.add_mutually_exclusive_group()
    notice.add_argument(
        "--notice-file",
        metavar="FILE",
        help="the system-use notice shown before the password (a UTF-8 text file)",
    )
    notice.add_argument(
        "--default-notice", action="store_true", help="go back to the default system-use notice"
    )
    settings.set_defaults(handler=cmd_settings)
    _add_backup_commands(commands, common, auth)
    _add_review_commands(commands, common, auth)
    return parser


def _add_review_commands(commands: Any, common: Any, auth: Any) -> None:
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

    directory = commands.add_parser(
        "directory",
        parents=[common],
        help="sign-in with the county's directory (LDAP / Active Directory; admin)",
    )
    directory_commands = directory.add_subparsers(
        dest="directory_command", metavar="SUBCOMMAND", required=True
    )
    show = directory_commands.add_parser("show", parents=[common, auth], help="the settings")
    show.set_defaults(handler=cmd_directory)
    off = directory_commands.add_parser(
        "off", parents=[common, auth], help="switch directory sign-in off"
    )
    off.set_defaults(handler=cmd_directory)
    change = directory_commands.add_parser(
        "set",
        parents=[common, auth],
        help="set up or change directory sign-in (LDAPS or StartTLS only)",
    )
    change.add_argument("--url", help="ldaps://dc1.county.example or ldap://... (StartTLS)")
    change.add_argument("--tls", choices=["ldaps", "starttls"])
    change.add_argument(
        "--ca-file", metavar="FILE.pem", help="the certificate authority of the server"
    )
    change.add_argument(
        "--bind",
        metavar="PATTERN",
        help="{user}@county.example (Active Directory) or uid={user},ou=people,dc=...",
    )
    change.add_argument("--base", metavar="DN", help="where people and groups are looked up")
    change.add_argument(
        "--group",
        action="append",
        metavar="GROUP=ROLE",
        help="a directory group (DN or name) and the role it gives; repeatable; replaces all",
    )
    change.set_defaults(handler=cmd_directory)
    test = directory_commands.add_parser(
        "test",
        parents=[common, auth],
        help="bind as NAME with the settings (its password on the next line of standard "
        "input) and show its groups and roles",
    )
    test.add_argument("name", metavar="NAME")
    test.set_defaults(handler=cmd_directory)


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


def _check_text_options(args: argparse.Namespace) -> None:
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


def _error_line(line: str) -> str:
    """One line of an error message as written: control characters (a line break, ESC)
    escaped, so a value cannot forge another line or drive the terminal; and bounded."""
    from detainer_desk.domain.text import shortened, visible

    return shortened(visible(line), ERROR_LINE) + "\n"


class _TerminalSafe:
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


# -- ICE contacts and the reports the law asks of the county ---------------------------------
# ``contact record|amend|list`` and ``report-law NAME --from --to -o FILE.pdf`` (the PDF to
# sign and, beside it, the CSV in the statute's fields), thin over the services.

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


def cmd_contact_record(args: argparse.Namespace, out: TextIO) -> int:
    from detainer_desk.domain import contacts as ct
    from detainer_desk.services.contacts import record_contact

    occurred_at = _parse_when(args.at, "--at")
    details = parse_details(args.detail)
    with _signed_in(args) as (runtime, actor):
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

    occurred_at = _parse_when(args.at, "--at") if args.at else None
    details = parse_details(args.detail)
    with _signed_in(args) as (runtime, actor):
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
    days = _days(args)
    with _signed_in(args) as (runtime, actor):
        zone = _county_zone(runtime)
        start, end = _day_range(days, zone)
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
    first = _parse_day(args.date_from, "--from")
    last = _parse_day(args.date_to, "--to")
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
    from detainer_desk.adapters.files import pdf_kind

    _check_output(pdf_target, kind=pdf_kind)  # before the password is asked
    _check_output(csv_target)
    with _signed_in(args) as (runtime, actor):
        report, pdf = law_report_files(
            runtime, actor, args.name, first, last, lr.ReportOptions(daily_cost=daily_cost)
        )
        _write_output(pdf_target, pdf, kind=pdf_kind, runtime=runtime)
        _write_output(csv_target, report.csv.encode("utf-8"), runtime=runtime)
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
    from detainer_desk.adapters.files import pdf_kind

    target = Path(args.output)
    _check_output(target, replace=args.force, kind=pdf_kind)  # before the password is asked
    with _signed_in(args) as (runtime, actor):
        from detainer_desk.adapters.pdf.law_notices import NoticeFor, render_law_notice
        from detainer_desk.services.contacts import prepare_notice
        from detainer_desk.services.documents import report_context

        now = runtime.clock()
        person = prepare_notice(
            runtime.uow(), args.name, args.language, actor, now, decision_id=args.decision
        )
        whom = NoticeFor(person.name, person.booking_number) if person else None
        data = render_law_notice(
            args.name, args.language, report_context(runtime.uow(), actor, now), whom
        )
        _write_output(target, data, replace=args.force, kind=pdf_kind, runtime=runtime)
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
    with _signed_in(args) as (runtime, actor):
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
    """The report and its PDF, made from the verified record (also used by the window)."""
    from detainer_desk.adapters.pdf.law_reports import Verification, render_law_report
    from detainer_desk.services.documents import report_context
    from detainer_desk.services.law_reports import make_law_report

    now = runtime.clock()
    report = make_law_report(runtime.uow, runtime.ledger(), key, first, last, actor, now, options)
    context = report_context(runtime.uow(), actor, now)
    pdf = render_law_report(
        report.result, Verification(report.entries, report.head_hash, report.verified_at), context
    )
    return report, pdf


def _add_contact_commands(commands: Any, common: Any, auth: Any) -> None:
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


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    err: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    out = cast(TextIO, _TerminalSafe(out or sys.stdout))
    err = cast(TextIO, _TerminalSafe(err or sys.stderr))
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
        _check_text_options(args)
        if handler is cmd_gui:  # the window answers Ctrl+C itself
            return handler(args, out)
        with _first_interrupt_stops(err):
            return handler(args, out)
    except UserError as exc:
        for line in exc.lines:
            err.write(_error_line(line))
        return EXIT_USAGE
    except Exception as exc:
        # Imported only now: the window's first paint must not wait for the services.
        from detainer_desk.domain.errors import InvalidInput
        from detainer_desk.services.access import RecordError

        if isinstance(exc, InvalidInput):
            for line in exc.lines():
                err.write(_error_line(line))
            return EXIT_USAGE
        if isinstance(exc, RecordError):
            err.write(_error_line(str(exc)))
            return EXIT_USAGE
        # A bug, not the user's doing: logged in full, told briefly.
        import logging

        from detainer_desk.logs import current_log_file

        logging.getLogger("detainer_desk.cli").exception("Unexpected error in %s", args.command)
        where = current_log_file()
        err.write(
            _error_line(
                f"Unexpected error (a fault in Detainer Desk, not in what you typed): "
                f"{type(exc).__name__}: {exc}"
            )
            + (f"The details were written to {where}\n" if where else "")
        )
        return EXIT_FAILED
    except KeyboardInterrupt:
        err.write("Interrupted.\n")
        return EXIT_INTERRUPTED
