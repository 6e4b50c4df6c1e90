"""The headless record commands, end to end on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import JUDICIAL_WARRANT_POLICY, request_json

PASSWORDS = {
    "chief": "admin passphrase one",
    "officer.a": "officer passphrase one",
    "sgt.b": "supervisor passphrase one",
    "counsel.c": "counsel passphrase one",
}
ROLES = {"officer.a": "officer", "sgt.b": "supervisor", "counsel.c": "counsel"}


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    data = str(tmp_path / "data")
    first = run_cli(
        "--data-dir",
        data,
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--without-second-factor",
        "--password-stdin",
        stdin=PASSWORDS["chief"] + "\n",
    )
    assert first.code == 0, first.err
    for name, role in ROLES.items():
        added = run_cli(
            "--data-dir",
            data,
            "users",
            "add",
            name,
            "--role",
            role,
            "--user",
            "chief",
            "--password-stdin",
            stdin=f"{PASSWORDS['chief']}\n{PASSWORDS[name]}\n",
        )
        assert added.code == 0, added.err
    policy = tmp_path / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    result = _cli(run_cli, tmp_path, "policy", "activate", str(policy), user="chief")
    assert result.code == 0, result.err
    assert "Activated: Judicial warrant only" in result.out
    return tmp_path


def _cli(run_cli, home: Path, *args: str, user: str = "officer.a"):
    """Run a command as USER (password on standard input)."""
    return run_cli(
        "--data-dir",
        str(home / "data"),
        *args,
        "--user",
        user,
        "--password-stdin",
        stdin=PASSWORDS[user] + "\n",
    )


def test_policy_activate_twice_says_already_active(home: Path, run_cli) -> None:
    result = _cli(run_cli, home, "policy", "activate", str(home / "policy.toml"), user="chief")
    assert result.code == 0 and "Already active" in result.out


def test_policy_activate_a_preset_by_name(home: Path, run_cli) -> None:
    result = _cli(
        run_cli, home, "policy", "activate", "california-sb54", "--reason", "SB 54", user="chief"
    )
    assert result.code == 0 and "California" in result.out


def test_record_amend_log_show_verify(home: Path, run_cli) -> None:
    request = home / "request.json"
    request.write_text(request_json())
    scan = home / "warrant.pdf"
    scan.write_bytes(b"%PDF-1.4\n% a scan\n")
    recorded = _cli(run_cli, home, "record", str(request), "--attach", str(scan), "--json")
    assert recorded.code == 0, recorded.err
    decision = json.loads(recorded.out)
    assert decision["outcome"] == "hold" and decision["decision_id"] == 1

    amended = _cli(
        run_cli,
        home,
        "amend",
        "1",
        "--release-eligible-at",
        "2026-02-11T15:00:00-08:00",
        user="sgt.b",
    )
    assert amended.code == 0, amended.err
    assert "Release eligibility known" in amended.out and "Hold until" in amended.out

    log = _cli(run_cli, home, "log", "--search", "rivera", "--json", user="counsel.c")
    assert log.code == 0
    rows = [json.loads(line) for line in log.out.splitlines()]
    assert [r["booking_number"] for r in rows] == ["B26-000311"]

    shown = json.loads(_cli(run_cli, home, "show", "1", "--json").out)
    assert shown["attachments"][0]["file_name"] == "warrant.pdf"
    assert shown["amendments"][0]["details"]["hold_until"] == "2026-02-13T15:00:00-08:00"
    assert shown["state"]["hold_until"] == "2026-02-13T15:00:00-08:00"
    assert shown["policy_version"]["name"].startswith("Judicial warrant only")

    text = _cli(run_cli, home, "show", "1")
    assert "Decision 1" in text.out and "release_eligible" in text.out

    verified = run_cli("--data-dir", str(home / "data"), "verify")
    assert verified.code == 0 and "entries verified" in verified.out

    trail = _cli(run_cli, home, "audit", "--json", user="chief")
    actions = [json.loads(line)["action"] for line in trail.out.splitlines()]
    for action in (
        "decision.record",
        "decision.release_eligible",
        "records.search",
        "policy.activate",
        "account.create",
    ):
        assert action in actions


def test_record_bad_input_stores_nothing(home: Path, run_cli) -> None:
    request = home / "bad.json"
    request.write_text(request_json(**{"subject.a_number": "A12"}))
    result = _cli(run_cli, home, "record", str(request))
    assert result.code == 2
    assert "subject.a_number" in result.err and "Nothing was recorded" in result.err
    assert "Traceback" not in result.err
    assert _cli(run_cli, home, "log").out.strip() == "No decisions match."


def test_record_refuses_unknown_attachment_type(home: Path, run_cli) -> None:
    request = home / "r.json"
    request.write_text(request_json())
    notes = home / "notes.docx"
    notes.write_bytes(b"x")
    result = _cli(run_cli, home, "record", str(request), "--attach", str(notes))
    assert result.code == 2 and "PDF, PNG, JPEG and TIFF" in result.err


def test_duplicate_is_warned(home: Path, run_cli) -> None:
    request = home / "r.json"
    request.write_text(request_json())
    assert _cli(run_cli, home, "record", str(request)).code == 0
    assert _cli(run_cli, home, "record", str(request)).code == 0  # recorded, with a warning


def test_amend_errors_are_plain(home: Path, run_cli) -> None:
    missing = _cli(run_cli, home, "amend", "99", "--countersign", user="sgt.b")
    assert missing.code == 2 and "there is no decision 99" in missing.err
    request = home / "r.json"
    request.write_text(request_json())
    _cli(run_cli, home, "record", str(request))
    no_reason = _cli(run_cli, home, "amend", "1", "--lifted", user="sgt.b")
    assert no_reason.code == 2 and "reason is required" in no_reason.err
    bad_time = _cli(run_cli, home, "amend", "1", "--released-at", "yesterday", user="sgt.b")
    assert bad_time.code == 2 and "--released-at" in bad_time.err


def test_show_unknown_decision(home: Path, run_cli) -> None:
    result = _cli(run_cli, home, "show", "7")
    assert result.code == 2 and "there is no decision 7" in result.err


def test_verify_on_empty_store(tmp_path: Path, run_cli) -> None:
    result = run_cli("--data-dir", str(tmp_path), "verify")
    assert result.code == 0 and result.out.startswith("0 entries verified")


def test_demo_fills_and_verifies(tmp_path: Path, run_cli) -> None:
    result = run_cli("--data-dir", str(tmp_path), "demo", "--decisions", "120", "--quiet")
    assert result.code == 0, result.err
    log = run_cli(
        "--data-dir",
        str(tmp_path),
        "log",
        "--limit",
        "500",
        "--json",
        "--user",
        "counsel.demo",
        "--password-stdin",
        stdin="demo passphrase for trials\n",
    )
    rows = [json.loads(line) for line in log.out.splitlines()]
    assert len(rows) == 120
    assert len({r["outcome"] for r in rows}) >= 3
    assert run_cli("--data-dir", str(tmp_path), "verify").code == 0


def test_data_dir_that_is_a_file(tmp_path: Path, run_cli) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("--data-dir", str(blocker), "verify")
    assert result.code == 2 and "Cannot open the record store" in result.err


def test_record_needs_an_account(home: Path, run_cli) -> None:
    request = home / "r.json"
    request.write_text(request_json())
    anonymous = run_cli("--data-dir", str(home / "data"), "record", str(request))
    assert anonymous.code == 2 and "--user NAME" in anonymous.err
    wrong = run_cli(
        "--data-dir",
        str(home / "data"),
        "record",
        str(request),
        "--user",
        "officer.a",
        "--password-stdin",
        stdin="not my password\n",
    )
    assert wrong.code == 2 and "Wrong user name or password" in wrong.err
    counsel = _cli(run_cli, home, "record", str(request), user="counsel.c")
    assert counsel.code == 2 and "may not record decisions" in counsel.err
    assert "Traceback" not in counsel.err


def test_users_admin_commands(home: Path, run_cli) -> None:
    listing = _cli(run_cli, home, "users", "list", user="chief")
    assert listing.code == 0 and "officer.a" in listing.out and "counsel.c" in listing.out
    for _ in range(5):
        run_cli(
            "--data-dir",
            str(home / "data"),
            "log",
            "--user",
            "officer.a",
            "--password-stdin",
            stdin="bad guess\n",
        )
    locked = _cli(run_cli, home, "log")
    assert locked.code == 2 and "locked" in locked.err
    assert "LOCKED" in _cli(run_cli, home, "users", "list", user="chief").out
    assert _cli(run_cli, home, "users", "unlock", "officer.a", user="chief").code == 0
    assert _cli(run_cli, home, "log").code == 0
    not_admin = _cli(run_cli, home, "users", "unlock", "officer.a", user="sgt.b")
    assert not_admin.code == 2 and "may not manage accounts" in not_admin.err
    roles = _cli(
        run_cli,
        home,
        "users",
        "roles",
        "sgt.b",
        "--role",
        "supervisor",
        "--role",
        "officer",
        user="chief",
    )
    assert roles.code == 0


def test_first_account_must_be_admin(tmp_path: Path, run_cli) -> None:
    result = run_cli(
        "--data-dir",
        str(tmp_path),
        "users",
        "add",
        "x.y",
        "--role",
        "officer",
        "--password-stdin",
        stdin="some long passphrase\n",
    )
    assert result.code == 2 and "first account must be an administrator" in result.err


def test_common_password_refused(tmp_path: Path, run_cli) -> None:
    result = run_cli(
        "--data-dir",
        str(tmp_path),
        "users",
        "add",
        "chief",
        "--role",
        "admin",
        "--password-stdin",
        stdin="password1\n",
    )
    assert result.code == 2 and "commonly used passwords" in result.err


def test_settings_session_timeout_bounds(home: Path, run_cli) -> None:
    assert _cli(run_cli, home, "settings", "--session-timeout", "20", user="chief").code == 0
    too_long = _cli(run_cli, home, "settings", "--session-timeout", "45", user="chief")
    assert too_long.code == 2 and "1 to 30 minutes" in too_long.err
