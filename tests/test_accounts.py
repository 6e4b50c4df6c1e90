"""Accounts, roles and the audit trail: rules on a fake store, lockout on a real file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from detainer_desk.adapters.security import ARGON2_MEMORY_KIB, Argon2Passwords, is_common_password
from detainer_desk.domain import accounts as acc
from detainer_desk.domain import lifecycle as lc
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services import accounts as svc
from detainer_desk.services.access import PermissionDenied, RecordError
from detainer_desk.services.ports import Actor, AuditQuery, DecisionQuery
from detainer_desk.services.records import (
    activate_policy,
    amend_decision,
    find_decisions,
    load_decision,
    record_decision,
)

from .fakes import FakeUnitOfWork
from .helpers import JUDICIAL_WARRANT_POLICY, request_json

NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
PASSWORD = "a long enough passphrase"


class PlainHasher:
    """Stands in for argon2 in the rule tests (argon2 itself is tested below)."""

    dummy_hash = "plain-dummy"  # no "plain:" prefix: no password matches it

    def hash(self, password: str) -> str:
        return "plain:" + password

    def verify(self, password_hash: str, password: str) -> bool:
        return password_hash == "plain:" + password


SECURITY = svc.Security(PlainHasher(), is_common_password)
FAST = svc.Security(PlainHasher(), lambda p: False)


def _staff(uow) -> dict[str, Actor]:
    admin = svc.create_first_admin(
        uow, SECURITY, "Chief", "Chief Admin", PASSWORD, "W1", NOW, require_second_factor=False
    )
    people = {"admin": admin}
    for role in ("officer", "supervisor", "counsel"):
        svc.add_user(uow, SECURITY, admin, f"{role}.one", role, [role], PASSWORD, NOW)
        people[role] = Actor(f"{role}.one", "W1")
    svc.add_user(uow, SECURITY, admin, "supervisor.two", "sup", ["supervisor"], PASSWORD, NOW)
    people["supervisor2"] = Actor("supervisor.two", "W2")
    return people


@pytest.fixture
def uow() -> FakeUnitOfWork:
    return FakeUnitOfWork()


def test_first_admin_only_on_an_empty_store(uow) -> None:
    assert svc.needs_first_admin(uow)
    actor = svc.create_first_admin(
        uow, SECURITY, "Chief", "Chief", PASSWORD, "W1", NOW, require_second_factor=False
    )
    assert actor.user == "chief" and actor.roles == {"admin"}
    assert not svc.needs_first_admin(uow)
    with pytest.raises(RecordError, match="already exists"):
        svc.create_first_admin(
            uow, SECURITY, "other", "Other", PASSWORD, "W1", NOW, require_second_factor=False
        )


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 8 characters"),
        ("password123", "commonly used"),
        ("PASSWORD123", "commonly used"),
        ("chief", "at least 8"),
    ],
)
def test_password_rules(uow, password: str, problem: str) -> None:
    with pytest.raises(RecordError, match=problem):
        svc.create_first_admin(
            uow, SECURITY, "chief", "Chief", password, "W1", NOW, require_second_factor=False
        )


def test_long_unicode_passphrases_are_allowed_and_not_truncated(uow) -> None:
    passphrase = "Größe des Häftlings — 安全なパスフレーズ 🗝️ " * 20
    svc.create_first_admin(
        uow, SECURITY, "chief", "Chief", passphrase, "W1", NOW, require_second_factor=False
    )
    assert svc.sign_in(uow, SECURITY, "chief", passphrase, "W1", NOW).user == "chief"
    with pytest.raises(svc.SignInError):
        svc.sign_in(uow, SECURITY, "chief", passphrase[:-3], "W1", NOW)


def test_user_name_must_be_the_password_problem(uow) -> None:
    with pytest.raises(RecordError, match="user name"):
        svc.create_first_admin(
            uow, FAST, "longusername", "x", "LongUserName", "W1", NOW, require_second_factor=False
        )


def test_sign_in_is_audited_with_hundredths_role_and_workstation(uow) -> None:
    _staff(uow)
    moment = NOW + dt.timedelta(seconds=1.234567)
    svc.sign_in(uow, SECURITY, "Officer.One", PASSWORD, "INTAKE-7", moment)
    with pytest.raises(svc.SignInError, match="Wrong user name or password"):
        svc.sign_in(uow, SECURITY, "nobody", PASSWORD, "INTAKE-7", moment)
    events = uow.committed.audit
    success = next(e for e in events if e.action == "sign_in" and e.outcome == "success")
    assert (success.user_name, success.roles, success.workstation) == (
        "officer.one",
        "officer",
        "INTAKE-7",
    )
    assert success.occurred_at == moment
    assert any(
        e.action == "sign_in" and e.outcome == "failure" and e.user_name == "nobody" for e in events
    )


def test_five_failures_within_fifteen_minutes_lock(uow) -> None:
    _staff(uow)
    for minute in range(4):
        with pytest.raises(svc.SignInError):
            svc.sign_in(
                uow, SECURITY, "officer.one", "wrong guess", "W", NOW + dt.timedelta(minutes=minute)
            )
    with pytest.raises(svc.AccountLocked):
        svc.sign_in(uow, SECURITY, "officer.one", "wrong guess", "W", NOW + dt.timedelta(minutes=4))
    with pytest.raises(svc.AccountLocked):  # even the right password, while the lock lasts
        svc.sign_in(uow, SECURITY, "officer.one", PASSWORD, "W", NOW + dt.timedelta(minutes=33))
    assert any(e.action == "account.lockout" for e in uow.committed.audit)


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(uow) -> None:
    _staff(uow)
    for step in range(6):
        with pytest.raises(svc.SignInError) as caught:
            svc.sign_in(
                uow, SECURITY, "officer.one", "wrong", "W", NOW + dt.timedelta(minutes=4 * step)
            )
        assert not isinstance(caught.value, svc.AccountLocked)


def test_success_resets_the_failure_count(uow) -> None:
    _staff(uow)
    for minute in range(4):
        with pytest.raises(svc.SignInError):
            svc.sign_in(
                uow, SECURITY, "officer.one", "wrong", "W", NOW + dt.timedelta(minutes=minute)
            )
    svc.sign_in(
        uow, SECURITY, "officer.one", PASSWORD, "W", NOW + dt.timedelta(minutes=4, seconds=1)
    )
    with pytest.raises(svc.SignInError) as caught:
        svc.sign_in(uow, SECURITY, "officer.one", "wrong", "W", NOW + dt.timedelta(minutes=5))
    assert not isinstance(caught.value, svc.AccountLocked)


def test_admin_unlocks_and_the_count_starts_again(uow) -> None:
    people = _staff(uow)
    for minute in range(5):
        with pytest.raises(svc.SignInError):
            svc.sign_in(
                uow, SECURITY, "counsel.one", "wrong", "W", NOW + dt.timedelta(minutes=minute)
            )
    svc.unlock_user(uow, people["admin"], "counsel.one", NOW + dt.timedelta(minutes=6))
    with pytest.raises(svc.SignInError) as caught:
        svc.sign_in(uow, SECURITY, "counsel.one", "wrong", "W", NOW + dt.timedelta(minutes=7))
    assert not isinstance(caught.value, svc.AccountLocked)
    assert svc.sign_in(uow, SECURITY, "counsel.one", PASSWORD, "W", NOW + dt.timedelta(minutes=8))


def test_disabled_account_cannot_sign_in_or_act(uow) -> None:
    people = _staff(uow)
    svc.set_disabled(uow, people["admin"], "officer.one", True, NOW)
    with pytest.raises(svc.SignInError, match="disabled"):
        svc.sign_in(uow, SECURITY, "officer.one", PASSWORD, "W", NOW)
    with pytest.raises(PermissionDenied, match="disabled"):
        find_decisions(uow, DecisionQuery(), people["officer"], NOW)


def test_role_change_takes_effect_at_once(uow) -> None:
    people = _staff(uow)
    find_decisions(uow, DecisionQuery(), people["counsel"], NOW)
    svc.set_roles(uow, people["admin"], "counsel.one", ["admin"], NOW)
    with pytest.raises(PermissionDenied):
        find_decisions(uow, DecisionQuery(), people["counsel"], NOW)


def test_last_admin_cannot_drop_admin(uow) -> None:
    people = _staff(uow)
    with pytest.raises(RecordError, match="last administrator"):
        svc.set_roles(uow, people["admin"], "chief", ["officer"], NOW)


def test_change_password_needs_the_old_one(uow) -> None:
    people = _staff(uow)
    with pytest.raises(RecordError, match="current password is not right"):
        svc.change_password(
            uow, SECURITY, people["officer"], "wrong", "a brand new passphrase", NOW
        )
    svc.change_password(uow, SECURITY, people["officer"], PASSWORD, "a brand new passphrase", NOW)
    assert svc.sign_in(uow, SECURITY, "officer.one", "a brand new passphrase", "W", NOW)


def test_session_timeout_default_and_bounds(uow) -> None:
    people = _staff(uow)
    assert svc.session_timeout_minutes(uow) == 15
    with pytest.raises(RecordError, match="1 to 30"):
        svc.set_session_timeout(uow, people["admin"], 31, NOW)
    svc.set_session_timeout(uow, people["admin"], 5, NOW)
    assert svc.session_timeout_minutes(uow) == 5


def test_counsel_searches_are_audited(uow) -> None:
    people = _staff(uow)
    find_decisions(uow, DecisionQuery(search="rivera"), people["counsel"], NOW)
    find_decisions(uow, DecisionQuery(search="rivera"), people["officer"], NOW)
    searches = [e for e in uow.committed.audit if e.action == "records.search"]
    assert [(e.user_name, e.target) for e in searches] == [("counsel.one", "rivera")]


# -- every privileged action, refused for every role that must not have it ------------------


def _actions(uow, people) -> dict[str, tuple[str, Callable[[Actor], object]]]:
    activate_policy(uow, JUDICIAL_WARRANT_POLICY, "p.toml", people["admin"], NOW)
    decision_id = record_decision(uow, request_json(), "r", [], people["officer"], NOW).decision_id
    return {
        "activate policy": (
            acc.MANAGE_POLICIES,
            lambda a: activate_policy(
                uow,
                b'schema = 1\nname = "n"\njurisdiction = "j"\ntimezone = "UTC"\ncitation = "c"\n',
                "p2.toml",
                a,
                NOW,
            ),
        ),
        "record": (
            acc.RECORD_DECISION,
            lambda a: record_decision(uow, request_json(), "r", [], a, NOW),
        ),
        "release eligible": (
            acc.AMEND_DECISION,
            lambda a: amend_decision(
                uow, decision_id, lc.RELEASE_ELIGIBLE, a, NOW, effective_at=NOW
            ),
        ),
        "countersign": (
            acc.REVIEW_DECISION,
            lambda a: amend_decision(uow, decision_id, lc.COUNTERSIGN, a, NOW),
        ),
        "override": (
            acc.REVIEW_DECISION,
            lambda a: amend_decision(
                uow, decision_id, lc.OVERRIDE, a, NOW, reason="r", details={"outcome": "decline"}
            ),
        ),
        "search": (acc.VIEW_RECORDS, lambda a: find_decisions(uow, DecisionQuery(), a, NOW)),
        "view": (acc.VIEW_RECORDS, lambda a: load_decision(uow, decision_id, a, NOW)),
        "add user": (
            acc.MANAGE_ACCOUNTS,
            lambda a: svc.add_user(uow, SECURITY, a, "new.person", "n", ["officer"], PASSWORD, NOW),
        ),
        "list users": (acc.MANAGE_ACCOUNTS, lambda a: svc.list_users(uow, a, NOW)),
        "unlock": (acc.MANAGE_ACCOUNTS, lambda a: svc.unlock_user(uow, a, "officer.one", NOW)),
        "roles": (
            acc.MANAGE_ACCOUNTS,
            lambda a: svc.set_roles(uow, a, "officer.one", ["officer"], NOW),
        ),
        "disable": (
            acc.MANAGE_ACCOUNTS,
            lambda a: svc.set_disabled(uow, a, "supervisor.two", True, NOW),
        ),
        "reset password": (
            acc.MANAGE_ACCOUNTS,
            lambda a: svc.reset_password(uow, SECURITY, a, "officer.one", PASSWORD, NOW),
        ),
        "settings": (acc.MANAGE_SETTINGS, lambda a: svc.set_session_timeout(uow, a, 10, NOW)),
        "audit trail": (acc.VIEW_AUDIT, lambda a: svc.audit_trail(uow, a, AuditQuery(), NOW)),
    }


def test_every_privileged_action_is_refused_to_every_role_without_it(uow) -> None:
    people = _staff(uow)
    actions = _actions(uow, people)
    refused = 0
    for role in acc.ROLES:
        actor = people[role]
        for name, (permission, action) in actions.items():
            if acc.may({role}, permission):
                continue
            before = len(uow.committed.audit)
            with pytest.raises(PermissionDenied, match=f"may not {permission}"):
                action(actor)
            denial = uow.committed.audit[before:]
            assert [e.outcome for e in denial] == ["denied"], (role, name)
            refused += 1
    assert refused >= 30


def test_unknown_actor_is_refused(uow) -> None:
    _staff(uow)
    with pytest.raises(PermissionDenied, match="no account named"):
        find_decisions(uow, DecisionQuery(), Actor("intruder", "W"), NOW)


def test_admin_is_not_a_decider() -> None:
    assert not acc.may({"admin"}, acc.RECORD_DECISION)
    assert not acc.may({"counsel"}, acc.RECORD_DECISION)
    assert acc.may({"counsel", "officer"}, acc.RECORD_DECISION)  # several roles combine


# -- argon2 and the lockout on a real file -------------------------------------------------------


def test_argon2id_parameters_meet_owasp() -> None:
    hasher = Argon2Passwords()
    encoded = hasher.hash("correct horse battery staple")
    assert encoded.startswith("$argon2id$")
    params = dict(item.split("=") for item in encoded.split("$")[3].split(","))
    assert int(params["m"]) >= 19 * 1024 and int(params["t"]) >= 2 and int(params["p"]) >= 1
    assert ARGON2_MEMORY_KIB >= 19 * 1024
    assert hasher.verify(encoded, "correct horse battery staple")
    assert not hasher.verify(encoded, "correct horse battery stapl")
    assert hasher.hash("same") != hasher.hash("same")  # a fresh salt every time


def test_lockout_survives_a_restart(tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path)
    runtime = open_runtime(paths)
    security = runtime.security()
    svc.create_first_admin(
        runtime.uow(), security, "chief", "Chief", PASSWORD, "W", NOW, require_second_factor=False
    )
    admin = Actor("chief", "W")
    svc.add_user(runtime.uow(), security, admin, "officer.one", "O", ["officer"], PASSWORD, NOW)
    for minute in range(5):
        with pytest.raises(svc.SignInError):
            svc.sign_in(
                runtime.uow(),
                security,
                "officer.one",
                "guess",
                "W",
                NOW + dt.timedelta(minutes=minute),
            )
    runtime.close()

    restarted = open_runtime(paths)
    try:
        with pytest.raises(svc.AccountLocked):
            svc.sign_in(
                restarted.uow(),
                restarted.security(),
                "officer.one",
                PASSWORD,
                "W",
                NOW + dt.timedelta(minutes=20),  # the lock (30 minutes) still lasts
            )
        with restarted.uow() as uow:
            stored = uow.accounts.user("officer.one")
            assert stored is not None and stored.locked_at is not None
            assert "guess" not in stored.password_hash and PASSWORD not in stored.password_hash
        events = svc.audit_trail(restarted.uow(), admin, AuditQuery(user_name="officer.one"), NOW)
        assert [e.action for e in events][:2] == ["sign_in", "account.lockout"]
        assert json.loads(events[1].details_json)["failures"] == 5
    finally:
        restarted.close()
