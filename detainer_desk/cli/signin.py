"""Signing in for one command (CJIS): the password, the second factor (or its enrolment
on a terminal), the system-use notice; signing out afterwards."""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Iterator
from typing import Any

from detainer_desk.cli.common import (
    UserError,
    open_store,
    say_notices,
)


@contextlib.contextmanager
def signed_in(args: argparse.Namespace) -> Iterator[tuple[Any, Any]]:
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
    password = read_password(args, f"Password for {args.user}: ")
    code = read_code(args) if getattr(args, "otp_stdin", False) else None
    runtime = open_store(args)
    try:
        actor = authenticate(args, runtime, password, code, local_actor().workstation)
        try:
            yield runtime, actor
        finally:
            sign_out(runtime.uow(), actor, runtime.clock(), "command finished")
    finally:
        runtime.close()


def authenticate(
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
        f"{runtime.qr_text(enrolment.uri)}\n\nor type this key into it: {enrolment.secret_text}\n\n"
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
        say_notices(args, [factors.NOT_REQUIRED_REMINDER])


# The longest line read as a password: four times the longest password an account may have
# (a longer line is not a password; reading it whole could fill the memory).
PASSWORD_LINE = 4 * 1024 + 2


def read_password(args: argparse.Namespace, prompt: str) -> str:
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
        runtime = open_store(args)
    except UserError:
        runtime = None
    if runtime is not None:
        try:
            text = system_use_notice(runtime.uow())
        finally:
            runtime.close()
    args.err.write(f"\n{text}\n\n")


def read_code(args: argparse.Namespace) -> str:
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
