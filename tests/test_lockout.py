"""Accounts that cannot lock the county out, refusals that do not tell which accounts exist,
and names that are judged before anything is stored.

* A lock after five failed sign-ins ends by itself after the installation's lockout time
  (30 minutes; 10 at least, CJIS 5.5.3) or sooner by an administrator; the next five
  tries count afresh.
* Break-glass: the operating-system account that owns the data folder and the SQLite file
  gives an administrator's account a new password and ends its lock (audited); nobody
  else may.
* Every refusal costs one argon2 verification, against a dummy hash with the real
  parameters for a missing account (a test of the calls, not of the timing).
* A name that is not a user name is stored only as a short, escaped form.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

from detainer_desk.adapters.security import DUMMY_HASH, Argon2Passwords, is_common_password
from detainer_desk.domain import accounts as acc
from detainer_desk.paths import recovery_problem, resolve_paths
from detainer_desk.runtime import Runtime, open_runtime, utc_now
from detainer_desk.services import accounts as svc
from detainer_desk.services.access import PermissionDenied, RecordError
from detainer_desk.services.ports import Actor, AuditQuery, DecisionQuery
from detainer_desk.services.records import find_decisions
from detainer_desk.services.settings import read_settings, save_settings

from .os_accounts import as_other_account, other_account

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
PASSWORD = "a long enough passphrase"
NEW_PASSWORD = "another long passphrase"


class CountingHasher:
    """The real argon2 hasher, noting which hash each verification was against."""

    def __init__(self) -> None:
        self.real = Argon2Passwords()
        self.verified: list[str] = []

    @property
    def dummy_hash(self) -> str:
        return self.real.dummy_hash

    def hash(self, password: str) -> str:
        return self.real.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        self.verified.append(password_hash)
        return self.real.verify(password_hash, password)


@pytest.fixture
def store(tmp_path: Path):
    opened = open_runtime(resolve_paths(tmp_path / "data"))
    security = opened.security()
    svc.create_first_admin(
        opened.uow(), security, "chief", "Chief", PASSWORD, "W", NOW, require_second_factor=False
    )
    admin = Actor("chief", "W")
    svc.add_user(opened.uow(), security, admin, "j.smith", "J", ["officer"], PASSWORD, NOW)
    yield opened
    opened.close()


def _fail(store: Runtime, name: str, when: dt.datetime, password: str = "wrong guess") -> str:
    with pytest.raises(svc.SignInError) as refused:
        svc.sign_in(store.uow(), store.security(), name, password, "W", when)
    return str(refused.value)


def _events(store: Runtime, **query: object) -> list:
    admin = Actor("chief", "W")
    return list(svc.audit_trail(store.uow(), admin, AuditQuery(**query), NOW))  # type: ignore[arg-type]


# -- the lock ends ----------------------------------------------------------------------------


def test_the_only_administrators_lock_ends_after_30_minutes(store: Runtime) -> None:
    for minute in range(4):
        _fail(store, "chief", NOW + dt.timedelta(minutes=minute))
    locked = _fail(store, "chief", NOW + dt.timedelta(minutes=4))
    assert "locked for 30 minutes" in locked
    # While it lasts, even the right password is refused, and the message says how long.
    refused = _fail(store, "chief", NOW + dt.timedelta(minutes=20), PASSWORD)
    assert "ends by itself in 14 minutes" in refused
    # Then the administrator is back, and the end of the lock is on the record.
    back = svc.sign_in(
        store.uow(), store.security(), "chief", PASSWORD, "W", NOW + dt.timedelta(minutes=34)
    )
    assert back.user == "chief"
    ended = _events(store, action="account.lock_ended")
    assert [(e.target, json.loads(e.details_json)["minutes"]) for e in ended] == [("chief", 30)]
    lockouts = _events(store, action="account.lockout")
    assert json.loads(lockouts[0].details_json)["lock_minutes"] == 30


def test_after_a_lock_ends_five_more_failures_lock_again_not_one(store: Runtime) -> None:
    for minute in range(5):
        _fail(store, "j.smith", NOW + dt.timedelta(minutes=minute))
    later = NOW + dt.timedelta(minutes=40)  # the lock has ended
    for step in range(4):
        message = _fail(store, "j.smith", later + dt.timedelta(minutes=step))
        assert "locked" not in message
    assert "now locked" in _fail(store, "j.smith", later + dt.timedelta(minutes=4))


def test_a_lock_in_force_stops_a_signed_in_session_and_one_that_ended_does_not(
    store: Runtime,
) -> None:
    officer = svc.sign_in(store.uow(), store.security(), "j.smith", PASSWORD, "W", NOW)
    for minute in range(1, 6):
        _fail(store, "j.smith", NOW + dt.timedelta(minutes=minute))
    with pytest.raises(PermissionDenied, match="locked"):
        find_decisions(store.uow(), DecisionQuery(), officer, NOW + dt.timedelta(minutes=10))
    find_decisions(store.uow(), DecisionQuery(), officer, NOW + dt.timedelta(minutes=35))


def test_the_lockout_time_is_a_setting_of_10_minutes_or_more(store: Runtime) -> None:
    admin = Actor("chief", "W")
    settings = read_settings(store.uow())
    assert settings.lockout_minutes == 30
    for minutes in (0, 9, 1441):
        with pytest.raises(RecordError, match="CJIS"):
            save_settings(store.uow(), admin, _with(settings, minutes), NOW)
    save_settings(store.uow(), admin, _with(settings, 10), NOW)
    for minute in range(5):
        _fail(store, "j.smith", NOW + dt.timedelta(minutes=minute))
    _fail(store, "j.smith", NOW + dt.timedelta(minutes=13), PASSWORD)  # still locked
    svc.sign_in(
        store.uow(), store.security(), "j.smith", PASSWORD, "W", NOW + dt.timedelta(minutes=15)
    )


def _with(settings, minutes: int):
    import dataclasses

    return dataclasses.replace(settings, lockout_minutes=minutes)


def test_users_list_shows_only_locks_in_force(store: Runtime) -> None:
    for minute in range(5):
        _fail(store, "j.smith", NOW + dt.timedelta(minutes=minute))
    admin = Actor("chief", "W")
    during = svc.list_users(store.uow(), admin, NOW + dt.timedelta(minutes=10))
    after = svc.list_users(store.uow(), admin, NOW + dt.timedelta(minutes=40))
    assert [u.name for u in during if u.locked_at] == ["j.smith"]
    assert [u.name for u in after if u.locked_at] == []


def test_the_cli_says_how_long_the_lock_lasts_and_a_locked_admin_changes_nothing(
    tmp_path: Path, run_cli
) -> None:
    home = str(tmp_path / "home")
    add = run_cli(
        "--data-dir", home, "users", "add", "chief", "--role", "admin", "--without-second-factor", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert add.code == 0, add.err
    for _ in range(5):
        wrong = run_cli(
            "--data-dir", home, "users", "list", "--user", "chief", "--password-stdin",
            stdin="wrong guess\n",
        )  # fmt: skip
        assert wrong.code == 2 and "Traceback" not in wrong.err
    assert "now locked for 30 minutes" in wrong.err
    changed = run_cli(
        "--data-dir", home, "settings", "--lockout-minutes", "5", "--user", "chief",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert changed.code == 2 and "locked" in changed.err  # locked: not even settings


# -- break-glass recovery ---------------------------------------------------------------------


def test_the_owner_of_the_data_folder_recovers_a_locked_out_administrator(
    store: Runtime, run_cli
) -> None:
    home = str(store.paths.data_dir)
    store.close()
    for _ in range(5):
        run_cli(
            "--data-dir", home, "users", "list", "--user", "chief", "--password-stdin",
            stdin="wrong guess\n",
        )  # fmt: skip
    recovered = run_cli(
        "--data-dir", home, "users", "recover", "chief", "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert recovered.code == 0, recovered.err
    assert "recovered" in recovered.out
    listed = run_cli(
        "--data-dir", home, "users", "list", "--user", "chief", "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert listed.code == 0, listed.err
    trail = run_cli(
        "--data-dir", home, "audit", "--action", "account.recover", "--json", "--user", "chief",
        "--password-stdin", stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    (event,) = [json.loads(line) for line in trail.out.splitlines()]
    assert event["user"].startswith("os:") and event["target"] == "chief"
    assert event["details"]["was_locked"] is True


def test_recovery_is_for_administrators_and_keeps_the_password_rules(
    store: Runtime, run_cli
) -> None:
    home = str(store.paths.data_dir)
    store.close()
    officer = run_cli(
        "--data-dir", home, "users", "recover", "j.smith", "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert officer.code == 2 and "not an administrator" in officer.err
    weak = run_cli(
        "--data-dir", home, "users", "recover", "chief", "--password-stdin", stdin="password1\n"
    )
    assert weak.code == 2 and "cannot be used" in weak.err
    missing = run_cli(
        "--data-dir", home, "users", "recover", "nobody.here", "--password-stdin",
        stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert missing.code == 2 and "no account" in missing.err


def test_only_the_account_owning_the_data_folder_may_recover(store: Runtime) -> None:
    other_account()  # skipped, with the reason, where no second account can be acted as
    data_dir, database = store.paths.data_dir, store.paths.database_file
    assert recovery_problem(data_dir, database) is None  # this account owns both
    # Another account, even one that could reach the folder, is refused before anything.
    data_dir.parent.chmod(0o755)
    start = os.open(data_dir.parent, os.O_RDONLY)

    def ask() -> int:
        os.fchdir(start)
        problem = recovery_problem(Path(data_dir.name), Path(data_dir.name) / database.name)
        return (
            0 if problem is None else (3 if "only the operating-system account" in problem else 4)
        )

    try:
        assert as_other_account(ask) == 3
    finally:
        os.close(start)


@pytest.mark.postgresql
def test_recovery_is_refused_on_postgresql(tmp_path: Path, pg_url: str, run_cli) -> None:
    result = run_cli(
        "--data-dir", str(tmp_path), "--db", pg_url, "users", "recover", "chief",
        "--password-stdin", stdin=NEW_PASSWORD + "\n",
    )  # fmt: skip
    assert result.code == 2 and "SQLite records only" in result.err


# -- the same time to refuse ------------------------------------------------------------------


def test_the_dummy_hash_has_the_real_parameters_and_matches_nothing() -> None:
    real = Argon2Passwords().hash("correct horse battery staple")
    assert DUMMY_HASH.rsplit("$", 2)[0] == real.rsplit("$", 2)[0]  # algorithm and costs
    assert not Argon2Passwords().needs_rehash(DUMMY_HASH)
    for guess in ("", "password", PASSWORD, "\x00"):
        assert not Argon2Passwords().verify(DUMMY_HASH, guess)


def test_every_refusal_costs_one_argon2_verification(store: Runtime) -> None:
    """Missing, wrong password, locked, disabled, not a name: one verification each, with
    a real argon2id hash (the dummy for no account). Not a timing test: the calls."""
    hasher = CountingHasher()
    security = svc.Security(hasher, is_common_password)
    admin = Actor("chief", "W")
    svc.add_user(store.uow(), security, admin, "locked.out", "L", ["officer"], PASSWORD, NOW)
    svc.add_user(store.uow(), security, admin, "gone.away", "G", ["officer"], PASSWORD, NOW)
    svc.set_disabled(store.uow(), admin, "gone.away", True, NOW)
    for _ in range(5):
        with pytest.raises(svc.SignInError):
            svc.sign_in(store.uow(), security, "locked.out", "wrong", "W", NOW)
    with store.uow() as uow:
        stored = {name: uow.accounts.user(name).password_hash for name in ("j.smith",)}
    cases = {
        "no.such.person": DUMMY_HASH,
        "j.smith": stored["j.smith"],
        "locked.out": None,  # its own hash
        "gone.away": None,
        "\x1b[2J not a name": DUMMY_HASH,
    }
    for name, expected in cases.items():
        hasher.verified.clear()
        with pytest.raises(svc.SignInError):
            svc.sign_in(store.uow(), security, name, "wrong password", "W", NOW)
        assert len(hasher.verified) == 1, name
        assert hasher.verified[0].startswith("$argon2id$v=19$m=19456,t=2,p=1$"), name
        if expected is not None:
            assert hasher.verified[0] == expected, name
        else:
            assert hasher.verified[0] != DUMMY_HASH, name


# -- names judged before they are stored -------------------------------------------------------


def test_a_name_that_is_no_user_name_is_kept_short_and_escaped(store: Runtime) -> None:
    forged = "chief\x1b[2K\n2026-02-10 17:00:00.00Z  chief  admin  W  account.create  success"
    huge = "x" * 120_000
    for name in (forged, huge, "\ud800"):
        message = _fail(store, name, NOW)
        assert message == svc.SIGN_IN_FAILED  # the same words as any other refusal
    events = _events(store, action="sign_in", outcome="failure")
    kept = [json.loads(e.details_json)["given"] for e in events]
    assert {e.user_name for e in events} == {svc.INVALID_NAME}
    assert {e.target for e in events} == {svc.INVALID_NAME}
    assert all(len(k) < 100 and k.isprintable() for k in kept)
    assert kept[-1].startswith("chief\\x1b[2K\\x0a2026-02-10")
    assert kept[-2].endswith("… (120,000 characters)")
    assert kept[0] == "\\ud800"
    with store.engine.connect() as conn:
        biggest = conn.exec_driver_sql(
            "SELECT max(length(details_json)), max(length(user_name)) FROM audit_events"
        ).one()
    assert biggest[0] < 400 and biggest[1] < 100


def test_the_audit_command_prints_no_raw_control_characters(tmp_path: Path, run_cli) -> None:
    # A store of its own, made today: the command line signs in at today's time, and the
    # fixture's accounts, made at NOW months ago, would be disabled as unused (90 days).
    store = open_runtime(resolve_paths(tmp_path / "today"))
    svc.create_first_admin(
        store.uow(), store.security(), "chief", "Chief", PASSWORD, "W", utc_now(),
        require_second_factor=False,
    )  # fmt: skip
    home = str(store.paths.data_dir)
    store.close()
    typed = run_cli(
        "--data-dir", home, "users", "list", "--user", "evil\x1b]0;pwned\x07\nname",
        "--password-stdin", stdin="whatever\n",
    )  # fmt: skip
    assert typed.code == 2
    shown = run_cli(
        "--data-dir", home, "audit", "--action", "sign_in", "--user", "chief",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert shown.code == 0, shown.err
    assert "\x1b" not in shown.out and "\x07" not in shown.out
    assert all(line.count("sign_in") <= 1 for line in shown.out.splitlines())


def test_account_commands_judge_the_name_before_a_refusal_is_stored(store: Runtime) -> None:
    officer = Actor("j.smith", "W")
    before = len(_events(store))
    for action in (
        lambda: svc.unlock_user(store.uow(), officer, "bad\nname", NOW),
        lambda: svc.set_disabled(store.uow(), officer, "x" * 10_000, True, NOW),
        lambda: svc.set_roles(store.uow(), officer, "\x1b", ["officer"], NOW),
    ):
        with pytest.raises(RecordError, match="cannot be a user name"):
            action()
    assert len(_events(store)) == before  # nothing stored: no denial with that name


def test_shown_name_keeps_what_can_be_read() -> None:
    assert acc.shown_name("j.smith") == "j.smith"
    assert acc.shown_name("Peña") == "Peña"
    assert acc.shown_name("a\\b") == "a\\x5cb"  # a backslash cannot fake an escape
