"""The headless record commands, end to end on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import JUDICIAL_WARRANT_POLICY, request_json


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    policy = tmp_path / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    result = run_cli("--data-dir", str(tmp_path / "data"), "policy", "activate", str(policy))
    assert result.code == 0, result.err
    assert "Activated: Judicial warrant only" in result.out
    return tmp_path


def _cli(run_cli, home: Path, *args: str):
    return run_cli("--data-dir", str(home / "data"), *args)


def test_policy_activate_twice_says_already_active(home: Path, run_cli) -> None:
    result = _cli(run_cli, home, "policy", "activate", str(home / "policy.toml"))
    assert result.code == 0 and "Already active" in result.out


def test_policy_activate_a_preset_by_name(home: Path, run_cli) -> None:
    result = _cli(run_cli, home, "policy", "activate", "california-sb54", "--reason", "SB 54")
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
        run_cli, home, "amend", "1", "--release-eligible-at", "2026-02-11T15:00:00-08:00"
    )
    assert amended.code == 0, amended.err
    assert "Release eligibility known" in amended.out and "Hold until" in amended.out

    log = _cli(run_cli, home, "log", "--search", "rivera", "--json")
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

    verified = _cli(run_cli, home, "verify")
    assert verified.code == 0 and verified.out.startswith("6 entries verified")


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
    missing = _cli(run_cli, home, "amend", "99", "--countersign")
    assert missing.code == 2 and "there is no decision 99" in missing.err
    request = home / "r.json"
    request.write_text(request_json())
    _cli(run_cli, home, "record", str(request))
    no_reason = _cli(run_cli, home, "amend", "1", "--lifted")
    assert no_reason.code == 2 and "reason is required" in no_reason.err
    bad_time = _cli(run_cli, home, "amend", "1", "--released-at", "yesterday")
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
    log = run_cli("--data-dir", str(tmp_path), "log", "--limit", "500", "--json")
    rows = [json.loads(line) for line in log.out.splitlines()]
    assert len(rows) == 120
    assert len({r["outcome"] for r in rows}) >= 3
    assert run_cli("--data-dir", str(tmp_path), "verify").code == 0


def test_data_dir_that_is_a_file(tmp_path: Path, run_cli) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli("--data-dir", str(blocker), "log")
    assert result.code == 2 and "Cannot open the record store" in result.err
