"""``contact record|amend|list``, the reporting facts on ``amend`` and ``report-law``, end to
end on a real SQLite file; the report's PDF read back with pdftotext."""

from __future__ import annotations

import csv
import json
import re
import subprocess
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


def _cli(run_cli, home: Path, *args: str, user: str = "officer.a"):
    return run_cli(
        "--data-dir",
        str(home / "data"),
        *args,
        "--user",
        user,
        "--password-stdin",
        stdin=PASSWORDS[user] + "\n",
    )


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    data = str(tmp_path / "data")
    first = run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin",
        stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    assert first.code == 0, first.err
    for name, role in ROLES.items():
        added = run_cli(
            "--data-dir", data, "users", "add", name, "--role", role, "--user", "chief",
            "--password-stdin", stdin=f"{PASSWORDS['chief']}\n{PASSWORDS[name]}\n",
        )  # fmt: skip
        assert added.code == 0, added.err
    policy = tmp_path / "policy.toml"
    policy.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert _cli(run_cli, tmp_path, "policy", "activate", str(policy), user="chief").code == 0
    request = tmp_path / "request.json"
    request.write_text(request_json())
    assert _cli(run_cli, tmp_path, "record", str(request)).code == 0  # decision 1
    return tmp_path


def _plain(result) -> None:
    assert result.code == 2, (result.out, result.err)
    assert "Traceback" not in result.err and result.err.strip()


def test_contacts_are_recorded_amended_and_listed(home: Path, run_cli) -> None:
    recorded = _cli(
        run_cli, home, "contact", "record", "interview_request", "--at", "2026-02-10T10:00",
        "--decision", "1", "--detail", "consent_form_given=yes", "--detail", "language=es",
        "--detail", "answer=declined",
    )  # fmt: skip
    assert recorded.code == 0, recorded.err
    assert "Contact 1 recorded: Interview request." in recorded.out
    assert "ORS 181A.826(3)(a)" in recorded.out  # the policy's jurisdiction: Oregon

    amended = _cli(
        run_cli, home, "contact", "amend", "1", "--reason", "consented after reading the form",
        "--detail", "answer=consented", user="sgt.b",
    )  # fmt: skip
    assert amended.code == 0 and "Amendment 2 added to contact 1" in amended.out

    listed = _cli(run_cli, home, "contact", "list", "--json", user="counsel.c")
    (row,) = [json.loads(line) for line in listed.out.splitlines()]
    assert row["details"] == {"answer": "consented", "consent_form_given": True, "language": "es"}
    assert row["occurred_at"] == "2026-02-10T10:00:00-08:00"  # the county's wall clock
    assert row["amendments"] == 1 and row["decision_id"] == 1
    text = _cli(run_cli, home, "contact", "list", "--kind", "interview_request")
    assert "interview allowed with the person's written consent (amended)" in text.out
    assert "No contacts match." in _cli(run_cli, home, "contact", "list", "--to", "2026-01-01").out

    trail = _cli(run_cli, home, "audit", "--json", user="chief")
    actions = [json.loads(line)["action"] for line in trail.out.splitlines()]
    assert "contact.record" in actions and "contact.amend" in actions
    assert run_cli("--data-dir", str(home / "data"), "verify").code == 0


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("record", "request_declined", "--at", "2026-02-10T10:00", "--detail",
          "asked_for=release date"), "a declined request must say why"),
        (("record", "interview_request", "--at", "2026-02-10T10:00", "--detail", "answer"),
         "'answer' is not KEY=VALUE"),
        (("record", "interview_request", "--at", "2026-02-10T10:00", "--detail",
          "consent_form_given=perhaps"), "consent_form_given is yes or no"),
        (("record", "database_hit", "--at", "yesterday-ish", "--detail", "system=other"),
         "--at:"),
        (("record", "database_hit", "--at", "2026-02-10T10:00", "--detail", "system=other",
          "--decision", "7"), "there is no decision 7"),
        (("amend", "1", "--reason", "typo"), "there is no contact 1"),
        (("list", "--from", "2026-02-31"), "--from: '2026-02-31' is not a date"),
    ],
)  # fmt: skip
def test_bad_contact_input_exits_2_in_plain_words(home: Path, run_cli, args, words) -> None:
    user = "sgt.b" if args[0] == "amend" else "officer.a"
    result = _cli(run_cli, home, "contact", *args, user=user)
    _plain(result)
    assert words in result.err
    listed = _cli(run_cli, home, "contact", "list", "--json")
    assert listed.out == ""  # nothing was stored


def test_roles_are_enforced_on_the_command_line(home: Path, run_cli) -> None:
    result = _cli(
        run_cli, home, "contact", "record", "database_hit", "--at", "2026-02-10T10:00",
        "--detail", "system=other", user="counsel.c",
    )  # fmt: skip
    _plain(result)
    assert "Not allowed: counsel.c (counsel) may not record decisions." in result.err
    report = _cli(
        run_cli, home, "report-law", "oregon", "--from", "2026-02-01", "--to", "2026-02-28",
        "-o", str(home / "or.pdf"),
    )  # fmt: skip
    _plain(report)
    assert "may not make the reports the law asks for" in report.err
    assert not (home / "or.pdf").exists()


def test_report_law_writes_the_pdf_and_csv_from_the_verified_record(home: Path, run_cli) -> None:
    for args in (
        ("--bail-posted-at", "2026-02-10T16:00"),
        ("--ice-custody-at", "2026-02-11T09:30", "--receiving-agency", "ICE ERO Portland"),
        ("--person-fact", "sex=female", "--person-fact", "preferred_language=es"),
    ):
        result = _cli(run_cli, home, "amend", "1", *args, user="sgt.b")
        assert result.code == 0, result.err
    bad = _cli(run_cli, home, "amend", "1", "--person-fact", "sex=tall", user="sgt.b")
    _plain(bad)
    assert "sex: 'tall' is not one of female, male, x, unknown" in bad.err
    _cli(
        run_cli, home, "contact", "record", "information_request", "--at", "2026-02-10T11:00",
        "--detail", "asked_for=release date", "--detail", "answer=declined",
    )  # fmt: skip

    target = home / "out" / "illinois-2026.pdf"
    target.parent.mkdir()
    made = _cli(
        run_cli, home, "report-law", "illinois-annual", "--from", "2026-01-01", "--to",
        "2026-12-31", "-o", str(target), user="counsel.c",
    )  # fmt: skip
    assert made.code == 0, made.err
    head = re.search(r"head hash ([0-9a-f]{64})", made.out)
    assert head is not None
    assert "Requests for assistance (a)(1): 1" in made.out
    assert target.read_bytes().startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-layout", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Illinois TRUST Act annual report" in text
    assert "verified" in text and head.group(1) in re.sub(r"\s", "", text)
    with target.with_suffix(".csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    (detainer,) = [r for r in rows if r["part"].startswith("(a)(2)")]
    assert detainer["bail_posted_at"] == "2026-02-10T16:00-08:00"
    assert detainer["released_or_transferred"] == "transferred"
    assert detainer["receiving_agency"] == "ICE ERO Portland"
    (request,) = [r for r in rows if r["part"].startswith("(a)(1)")]
    assert request["how_addressed"] == "declined"
    assert not any("RIVERA" in value for row in rows for value in row.values())  # anonymised

    again = _cli(
        run_cli, home, "report-law", "illinois-annual", "--from", "2026-01-01", "--to",
        "2026-12-31", "-o", str(target), user="counsel.c",
    )  # fmt: skip
    _plain(again)
    assert "already exists" in again.err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("ohio", "--from", "2026-01-01", "--to", "2026-01-31"), "'ohio' is not a report"),
        (("oregon", "--from", "2026-02-01", "--to", "2026-01-01"), "before it begins"),
        (("oregon", "--from", "2026-02-01"), "needs --from DATE, --to DATE and -o FILE.pdf"),
        (("texas-monthly", "--from", "2026-01-01", "--to", "2026-01-31", "--daily-cost",
          "lots"), "--daily-cost: 'lots' is not an amount"),
    ],
)  # fmt: skip
def test_report_law_bad_input_exits_2(home: Path, run_cli, args, words) -> None:
    result = _cli(run_cli, home, "report-law", *args, "-o", str(home / "r.pdf"))
    _plain(result)
    assert words in result.err


def test_report_law_lists_its_reports(run_cli, tmp_path: Path) -> None:
    listed = run_cli("--data-dir", str(tmp_path), "report-law", "--list")
    assert listed.code == 0
    for name in ("illinois-annual", "california-forum", "nyc-quarterly", "texas-monthly"):
        assert name in listed.out


def test_the_jurisdiction_and_its_notices_on_the_command_line(home: Path, run_cli) -> None:
    shown = _cli(run_cli, home, "jurisdiction", user="counsel.c")
    assert "Reporting jurisdiction: Oregon (from the policy in force)" in shown.out
    assert "Reports: oregon" in shown.out and "Notices: none" in shown.out
    denied = _cli(run_cli, home, "jurisdiction", "CA", user="counsel.c")
    _plain(denied)
    assert "may not change settings" in denied.err
    _plain(_cli(run_cli, home, "jurisdiction", "XX", user="chief"))
    made = _cli(run_cli, home, "jurisdiction", "CA", user="chief")
    assert made.code == 0, made.err
    assert "Reporting jurisdiction: California" in made.out
    assert "Notices: interview-consent, request-notice, release-date-notice" in made.out
    assert "have a qualified translator confirm" in made.out

    target = home / "notice-zh.pdf"
    printed = _cli(
        run_cli, home, "law-notice", "request-notice", "--language", "zh-Hans", "--decision",
        "1", "-o", str(target),
    )  # fmt: skip
    assert printed.code == 0, printed.err
    text = subprocess.run(
        ["pdftotext", str(target), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "RIVERA, Ana" in text and "B26-000311" in text  # for the person of decision 1
    assert "关于ICE对您提出请求的通知" in text  # Simplified Chinese, embedded font
    for args, words in (
        (("law-notice", "request-notice", "--language", "fr", "-o", str(home / "x.pdf")),
         "'fr' is not a language of the notices"),
        (("law-notice", "no-such", "--language", "es", "-o", str(home / "x.pdf")),
         "'no-such' is not a notice"),
        (("law-notice", "request-notice", "--language", "es", "-o", str(target)),
         "already exists"),
        (("law-notice", "request-notice", "--language", "es"), "needs --language CODE and -o"),
    ):  # fmt: skip
        result = _cli(run_cli, home, *args)
        _plain(result)
        assert words in result.err
    trail = _cli(run_cli, home, "audit", "--json", user="chief")
    assert '"notice.print"' in trail.out and '"settings.save"' in trail.out


def test_report_law_for_a_period_without_any_says_the_certification(home: Path, run_cli) -> None:
    made = _cli(
        run_cli, home, "report-law", "illinois-annual", "--from", "2025-01-01", "--to",
        "2025-12-31", "-o", str(home / "il-2025.pdf"), user="counsel.c",
    )  # fmt: skip
    assert made.code == 0, made.err
    assert "Certification: The agency certifies that it received no requests" in made.out
    assert "it received no immigration detainers or civil immigration warrants" in made.out
    rows = (home / "il-2025.csv").read_text("utf-8").splitlines()
    assert len(rows) == 1 and rows[0].startswith("part,entry")  # the fields, no entries
