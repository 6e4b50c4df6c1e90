"""The second factor (TOTP, RFC 6238) on real stores: a new installation requires it,
enrolment with a real code from the secret shown, codes good once, ±1 step of drift,
recovery codes good once, the lock screen asks only the password, an administrator's
reset, the sealing key outside the database, and the command line's --otp-stdin.

Codes are computed here by an RFC 6238 implementation of the test's own (the standard
library's HMAC), checked against the RFC's test vectors, never by the program's code."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import struct
from pathlib import Path

import pytest

from detainer_desk.adapters.security.second_factor import TotpMachinery
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import Runtime, open_runtime
from detainer_desk.services import accounts as svc
from detainer_desk.services import second_factor as factors
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor, AuditQuery

PASSWORD = "violet harbour lantern"
OFFICER_PASSWORD = "quiet orchard kettle"
T0 = dt.datetime(2026, 3, 2, 8, 0, 10, tzinfo=dt.UTC)  # 10 s into a 30-second step


def rfc6238(secret: bytes, moment: dt.datetime | int, digits: int = 6) -> str:
    """RFC 6238 with HMAC-SHA-1 (the test's own, from RFC 4226 section 5.3)."""
    seconds = moment if isinstance(moment, int) else int(moment.timestamp())
    mac = hmac.new(secret, struct.pack(">Q", seconds // 30), hashlib.sha1).digest()
    offset = mac[-1] & 0x0F
    number = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(number % 10**digits).zfill(digits)


def secret_of(text: str) -> bytes:
    compact = text.replace(" ", "")
    return base64.b32decode(compact + "=" * (-len(compact) % 8))


def test_the_test_totp_meets_the_rfc_6238_vectors() -> None:
    # RFC 6238 Appendix B, SHA-1 seed, 8 digits.
    seed = b"12345678901234567890"
    vectors = {
        59: "94287082",
        1111111109: "07081804",
        1111111111: "14050471",
        1234567890: "89005924",
        2000000000: "69279037",
        20000000000: "65353130",
    }
    for seconds, code in vectors.items():
        assert rfc6238(seed, seconds, 8) == code


def test_the_program_computes_the_rfc_6238_codes(tmp_path: Path) -> None:
    machinery = TotpMachinery(tmp_path / "key")
    seed = b"12345678901234567890"
    for seconds, code in {59: "287082", 1111111109: "081804", 1234567890: "005924"}.items():
        assert machinery.code(seed, seconds // 30) == code


@pytest.fixture
def store(tmp_path: Path):
    opened = open_runtime(resolve_paths(tmp_path / "data", environ={}))
    yield opened
    opened.close()


def _new_installation(store: Runtime) -> Actor:
    """A new installation, as set up by default: a second factor is required."""
    return svc.create_first_admin(
        store.uow(), store.security(), "chief", "Chief", PASSWORD, "W1", T0
    )


def _enrol(store: Runtime, name: str, password: str, when: dt.datetime) -> tuple[bytes, list[str]]:
    enrolment = factors.new_enrolment(store.security(), name)
    secret = secret_of(enrolment.secret_text)
    _actor, codes = svc.enrol_at_sign_in(
        store.uow(), store.security(), name, password, enrolment, rfc6238(secret, when), "W1", when
    )
    return secret, codes


def _events(store: Runtime, action: str) -> list:
    with store.uow() as uow:
        return list(uow.audit.find(AuditQuery(action=action, limit=1000)))


def test_a_new_installation_requires_a_second_factor_and_enrols_with_a_real_code(
    store: Runtime,
) -> None:
    _new_installation(store)
    assert factors.is_required(store.uow())
    with pytest.raises(factors.EnrolmentNeeded):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", T0)

    enrolment = factors.new_enrolment(store.security(), "chief", "Columbia River County")
    assert enrolment.uri.startswith("otpauth://totp/Detainer%20Desk%20%28Columbia%20River")
    assert f"secret={base64.b32encode(enrolment.secret).decode().rstrip('=')}" in enrolment.uri
    secret = secret_of(enrolment.secret_text)
    assert secret == enrolment.secret and len(secret) == 20
    # A wrong code stores nothing and counts as a failed sign-in.
    with pytest.raises(svc.SignInError):
        svc.enrol_at_sign_in(
            store.uow(), store.security(), "chief", PASSWORD, enrolment, "000000", "W1", T0
        )
    with store.uow() as uow:
        assert uow.accounts.user("chief").second_factor is None
    actor, codes = svc.enrol_at_sign_in(
        store.uow(), store.security(), "chief", PASSWORD, enrolment, rfc6238(secret, T0), "W1", T0
    )
    assert actor.user == "chief"
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code) == 14 and code.count("-") == 2 for code in codes)
    change = _events(store, "account.second_factor")[0]
    assert json.loads(change.details_json)["change"] == "enrolled"

    # From now on the password alone is not enough.
    later = T0 + dt.timedelta(minutes=5)
    with pytest.raises(factors.SecondFactorNeeded):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", later)
    svc.sign_in(
        store.uow(), store.security(), "chief", PASSWORD, "W1", later, rfc6238(secret, later)
    )


def test_a_code_is_good_once_and_one_step_of_drift_either_way(store: Runtime) -> None:
    _new_installation(store)
    secret, _codes = _enrol(store, "chief", PASSWORD, T0)
    now = T0 + dt.timedelta(minutes=10)
    code = rfc6238(secret, now)
    svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, code)
    with pytest.raises(svc.SignInError, match="used already"):  # replayed within its step
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, code)
    later = now + dt.timedelta(minutes=2)
    # The phone's clock 30 s behind or ahead: accepted (each once).
    svc.sign_in(
        store.uow(), store.security(), "chief", PASSWORD, "W1", later,
        rfc6238(secret, later - dt.timedelta(seconds=30)),
    )  # fmt: skip
    svc.sign_in(
        store.uow(), store.security(), "chief", PASSWORD, "W1", later,
        rfc6238(secret, later + dt.timedelta(seconds=30)),
    )  # fmt: skip
    # An older step than the last one used is refused too (replay of an earlier code).
    with pytest.raises(svc.SignInError):
        svc.sign_in(
            store.uow(), store.security(), "chief", PASSWORD, "W1", later, rfc6238(secret, later)
        )
    much_later = later + dt.timedelta(minutes=5)
    for off in (-61, 61):  # two steps off: refused
        with pytest.raises(svc.SignInError):
            svc.sign_in(
                store.uow(), store.security(), "chief", PASSWORD, "W1", much_later,
                rfc6238(secret, much_later + dt.timedelta(seconds=off)),
            )  # fmt: skip
    failures = [
        json.loads(e.details_json)["why"]
        for e in _events(store, "sign_in")
        if e.outcome == "failure"
    ]
    assert failures.count("second-factor code already used") == 2
    assert failures.count("wrong second-factor code") == 2


def test_wrong_codes_lock_the_account_like_wrong_passwords(store: Runtime) -> None:
    _new_installation(store)
    secret, _codes = _enrol(store, "chief", PASSWORD, T0)
    now = T0 + dt.timedelta(minutes=3)
    right = rfc6238(secret, now)
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    for _ in range(4):
        with pytest.raises(svc.SignInError):
            svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, wrong)
    with pytest.raises(svc.AccountLocked):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, wrong)
    with pytest.raises(svc.AccountLocked):  # even the right code, while the lock lasts
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, right)


def test_recovery_codes_are_hashed_and_each_good_once(store: Runtime) -> None:
    _new_installation(store)
    _secret, codes = _enrol(store, "chief", PASSWORD, T0)
    with store.engine.connect() as conn:
        stored = conn.exec_driver_sql("SELECT recovery_codes FROM users").scalar_one()
    assert all(code.replace("-", "") not in stored for code in codes)
    assert all(h.startswith("$argon2id$") for h in json.loads(stored))
    now = T0 + dt.timedelta(hours=1)
    # Typed in lower case with spaces instead of dashes: the same code.
    typed = codes[3].lower().replace("-", " ")
    svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, typed)
    with pytest.raises(svc.SignInError):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, codes[3])
    with store.uow() as uow:
        assert len(uow.accounts.user("chief").recovery_codes) == 9
    signed = [
        json.loads(e.details_json) for e in _events(store, "sign_in") if e.outcome == "success"
    ]
    assert signed[0]["second_factor"] == "recovery code (9 left)"


def test_the_lock_screen_asks_only_for_the_password(store: Runtime) -> None:
    _new_installation(store)
    _enrol(store, "chief", PASSWORD, T0)
    actor = Actor("chief", "W1", frozenset({"admin"}))
    resumed = svc.resume_session(store.uow(), store.security(), actor, PASSWORD, T0)
    assert resumed.user == "chief"
    with pytest.raises(svc.SignInError):
        svc.resume_session(store.uow(), store.security(), actor, "not the password", T0)


def test_an_administrator_resets_a_lost_second_factor_on_the_record(store: Runtime) -> None:
    admin = _new_installation(store)
    _enrol(store, "chief", PASSWORD, T0)
    svc.add_user(
        store.uow(), store.security(), admin, "j.smith", "J", ["officer"], OFFICER_PASSWORD, T0
    )
    _enrol(store, "j.smith", OFFICER_PASSWORD, T0)
    officer = Actor("j.smith", "W1")
    with pytest.raises(RecordError, match="Not allowed"):
        factors.reset(store.uow(), officer, "chief", T0)
    factors.reset(store.uow(), admin, "j.smith", T0)
    with pytest.raises(factors.EnrolmentNeeded):
        svc.sign_in(store.uow(), store.security(), "j.smith", OFFICER_PASSWORD, "W1", T0)
    resets = [
        e for e in _events(store, "account.second_factor")
        if json.loads(e.details_json).get("change") == "reset by an administrator"
    ]  # fmt: skip
    assert [(e.user_name, e.target) for e in resets] == [("chief", "j.smith")]
    with pytest.raises(RecordError, match="no second factor"):
        factors.reset(store.uow(), admin, "j.smith", T0)


def test_the_secret_is_sealed_under_a_key_outside_the_database(
    store: Runtime, tmp_path: Path
) -> None:
    _new_installation(store)
    secret, _codes = _enrol(store, "chief", PASSWORD, T0)
    key_file = store.paths.data_dir / "keys" / "second-factor.key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    database = Path(str(store.engine.url.database)).read_bytes()
    text = base64.b32encode(secret).decode().rstrip("=")
    assert secret not in database and text.encode() not in database
    assert key_file.read_bytes().split(b"\n")[1] not in database
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT second_factor FROM users").scalar_one()
        key_id = conn.exec_driver_sql(
            "SELECT value FROM settings WHERE key = 'second_factor_key_id'"
        ).scalar_one()
    assert sealed.startswith(f"v1:{key_id}:")
    machinery = TotpMachinery(key_file)
    assert machinery.unseal(sealed, "chief") == secret
    with pytest.raises(factors.KeyProblem, match="does not open"):  # moved to another account
        machinery.unseal(sealed, "j.smith")

    # A workstation without the key (PostgreSQL: another desk) says so plainly.
    moved = tmp_path / "elsewhere.key"
    key_file.rename(moved)
    now = T0 + dt.timedelta(minutes=1)
    with pytest.raises(factors.KeyProblem, match="does not have the second-factor key"):
        svc.sign_in(
            store.uow(), store.security(), "chief", PASSWORD, "W1", now, rfc6238(secret, now)
        )
    # ... and does not make a key of its own for the next enrolment either.
    with pytest.raises(factors.KeyProblem):
        _enrol(store, "chief", PASSWORD, now)
    assert not key_file.exists()
    moved.rename(key_file)
    svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", now, rfc6238(secret, now))


def test_an_upgraded_installation_keeps_passwords_until_an_administrator_decides(
    store: Runtime,
) -> None:
    # As after migration 0013: accounts, no second_factor_required setting at all.
    with store.uow() as uow:
        uow.accounts.add_user(
            "chief", "Chief", store.security().hasher.hash(PASSWORD), frozenset({"admin"}), T0
        )
        uow.commit()
    assert not factors.setting_decided(store.uow())
    assert not factors.is_required(store.uow())
    admin = svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", T0)
    factors.set_required(store.uow(), admin, True, T0)
    with pytest.raises(factors.EnrolmentNeeded):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", T0)


def test_an_account_unused_for_90_days_is_disabled_at_sign_in(store: Runtime) -> None:
    admin = svc.create_first_admin(
        store.uow(), store.security(), "chief", "Chief", PASSWORD, "W1", T0,
        require_second_factor=False,
    )  # fmt: skip
    svc.add_user(
        store.uow(), store.security(), admin, "j.smith", "J", ["officer"], OFFICER_PASSWORD, T0
    )
    svc.sign_in(
        store.uow(), store.security(), "j.smith", OFFICER_PASSWORD, "W1", T0 + dt.timedelta(days=89)
    )
    svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", T0 + dt.timedelta(days=80))
    svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", T0 + dt.timedelta(days=170))
    # 90 days after the last sign-in (day 89) is day 179: still fine; day 180 is not.
    svc.sign_in(
        store.uow(),
        store.security(),
        "j.smith",
        OFFICER_PASSWORD,
        "W1",
        T0 + dt.timedelta(days=178),
    )
    with pytest.raises(svc.SignInError, match="not used for more than 90 days"):
        svc.sign_in(
            store.uow(),
            store.security(),
            "j.smith",
            OFFICER_PASSWORD,
            "W1",
            T0 + dt.timedelta(days=269),
        )
    disabled = _events(store, "account.disable")[0]
    assert (disabled.user_name, disabled.target) == (svc.INACTIVITY_ACTOR, "j.smith")
    # Enabled again by an administrator: a fresh start.
    svc.set_disabled(store.uow(), admin, "j.smith", False, T0 + dt.timedelta(days=270))
    svc.sign_in(
        store.uow(),
        store.security(),
        "j.smith",
        OFFICER_PASSWORD,
        "W1",
        T0 + dt.timedelta(days=271),
    )


# -- the command line -------------------------------------------------------------------------


def test_the_command_line_signs_in_with_otp_stdin_and_refuses_a_replay(
    tmp_path: Path, run_cli
) -> None:
    data = str(tmp_path / "data")
    made = run_cli(
        "--data-dir",
        data,
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert made.code == 0, made.err
    assert "Every account signs in with a second factor" in made.out
    # Without a terminal there is no enrolment: a plain message, exit 2.
    refused = run_cli(
        "--data-dir",
        data,
        "users",
        "list",
        "--user",
        "chief",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert refused.code == 2 and "no second factor yet" in refused.err and "terminal" in refused.err
    # Enrolled (as in the window), then the command line with the code on the next line.
    store = open_runtime(resolve_paths(Path(data), environ={}))
    try:
        now = dt.datetime.now(dt.UTC)
        secret, _codes = _enrol(store, "chief", PASSWORD, now)
    finally:
        store.close()
    asked = run_cli(
        "--data-dir",
        data,
        "users",
        "list",
        "--user",
        "chief",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert asked.code == 2 and "--otp-stdin" in asked.err
    # The step used at enrolment is spent: the next code (the phone a step ahead) signs in.
    code = rfc6238(secret, dt.datetime.now(dt.UTC) + dt.timedelta(seconds=30))
    listed = run_cli(
        "--data-dir", data, "users", "list", "--user", "chief", "--password-stdin", "--otp-stdin",
        stdin=f"{PASSWORD}\n{code}\n",
    )  # fmt: skip
    assert listed.code == 0, listed.err
    assert "chief" in listed.out
    again = run_cli(
        "--data-dir", data, "users", "list", "--user", "chief", "--password-stdin", "--otp-stdin",
        stdin=f"{PASSWORD}\n{code}\n",
    )  # fmt: skip
    assert again.code == 2 and "used already" in again.err and "Traceback" not in again.err
    short = run_cli(
        "--data-dir", data, "users", "list", "--user", "chief", "--password-stdin", "--otp-stdin",
        stdin=f"{PASSWORD}\n",
    )  # fmt: skip
    assert short.code == 2 and "--otp-stdin" in short.err


def test_settings_show_and_change_the_requirement(tmp_path: Path, run_cli) -> None:
    data = str(tmp_path / "data")
    run_cli(
        "--data-dir",
        data,
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--without-second-factor",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    shown = run_cli(
        "--data-dir", data, "settings", "--user", "chief", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert "NOT required" in shown.out
    assert "(5.6.2.2)" in shown.err  # the administrator is reminded
    too_long = run_cli(
        "--data-dir", data, "settings", "--inactive-days", "365", "--user", "chief",
        "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert too_long.code == 2 and "at most 90" in too_long.err
    changed = run_cli(
        "--data-dir", data, "settings", "--second-factor", "on", "--inactive-days", "60",
        "--user", "chief", "--password-stdin", stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert changed.code == 0, changed.err
    assert "required at every sign-in" in changed.out and "after 60 days" in changed.out
    # From now on chief must enrol before anything else.
    next_time = run_cli(
        "--data-dir", data, "settings", "--user", "chief", "--password-stdin", stdin=PASSWORD + "\n"
    )
    assert next_time.code == 2 and "no second factor yet" in next_time.err


def test_break_glass_recovery_resets_the_administrators_second_factor(store: Runtime) -> None:
    _new_installation(store)
    _enrol(store, "chief", PASSWORD, T0)
    recovered = svc.recover_administrator(
        store.uow(), store.security(), "chief", "a brand new passphrase", "root", "W1", T0
    )
    assert recovered.second_factor is None and recovered.recovery_codes == ()
    event = _events(store, "account.recover")[0]
    assert json.loads(event.details_json)["second_factor"] == "reset"
    with pytest.raises(factors.EnrolmentNeeded):  # a new phone is set up at the next sign-in
        svc.sign_in(store.uow(), store.security(), "chief", "a brand new passphrase", "W1", T0)


def test_a_second_factor_removed_outside_the_program_is_named_and_refused(
    store: Runtime,
) -> None:
    """Clearing the sealed secret in the database (to sign in with the password alone) is
    an account changed behind the program's back: verify names it and the account cannot
    sign in. The chain keeps the secret and the recovery codes only as digests."""
    _new_installation(store)
    secret, codes = _enrol(store, "chief", PASSWORD, T0)
    with store.engine.connect() as conn:
        sealed = conn.exec_driver_sql("SELECT second_factor FROM users").scalar_one()
        kept = " ".join(
            conn.exec_driver_sql("SELECT state FROM state_changes WHERE kind = 'account'")
            .scalars()
            .all()
        )
    assert sealed not in kept and "second_factor_sha256" in kept
    assert not any(code in kept for code in codes) and "recovery_codes_sha256" in kept
    assert list(store.verify())[-1].fault is None
    with store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE users SET second_factor = NULL WHERE name = 'chief'")
    fault = list(store.verify())[-1].fault
    assert fault is not None and "second factor changed outside the program" in str(fault)
    later = T0 + dt.timedelta(minutes=5)
    with pytest.raises(RecordError, match="changed outside the program"):
        svc.sign_in(store.uow(), store.security(), "chief", PASSWORD, "W1", later)
    with pytest.raises(RecordError, match="changed outside the program"):
        svc.sign_in(
            store.uow(), store.security(), "chief", PASSWORD, "W1", later, rfc6238(secret, later)
        )
