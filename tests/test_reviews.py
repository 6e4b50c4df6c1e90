"""The account-validation and audit-review reports, made by the command line and read back
from their PDFs: every account with its roles, last sign-in and creator; the week's failed
sign-ins, lockouts, role changes and exports; who may make them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PASSWORDS = {
    "chief": "admin passphrase one",
    "j.smith": "officer passphrase one",
    "counsel.ray": "counsel passphrase one",
}


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    data = str(tmp_path / "data")
    run_cli(
        "--data-dir", data, "users", "add", "chief", "--role", "admin", "--without-second-factor",
        "--password-stdin", stdin=PASSWORDS["chief"] + "\n",
    )  # fmt: skip
    for name, role in (("j.smith", "officer"), ("counsel.ray", "counsel")):
        added = run_cli(
            "--data-dir", data, "users", "add", name, "--role", role, "--user", "chief",
            "--password-stdin", stdin=f"{PASSWORDS['chief']}\n{PASSWORDS[name]}\n",
        )  # fmt: skip
        assert added.code == 0, added.err
    return tmp_path


def _cli(run_cli, home: Path, *args: str, user: str = "chief", password: str | None = None):
    return run_cli(
        "--data-dir", str(home / "data"), *args, "--user", user, "--password-stdin",
        stdin=(password or PASSWORDS[user]) + "\n",
    )  # fmt: skip


def _text(pdf: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout


def test_the_account_validation_lists_every_account(home: Path, run_cli) -> None:
    assert _cli(run_cli, home, "log", user="j.smith").code == 0
    _cli(run_cli, home, "users", "roles", "j.smith", "--role", "officer", "--role", "supervisor")
    target = home / "accounts.pdf"
    made = _cli(run_cli, home, "accounts-report", "-o", str(target))
    assert made.code == 0, made.err
    assert "3 accounts" in made.out
    text = _text(target)
    assert "Account validation" in text
    for name in ("chief", "j.smith", "counsel.ray"):
        assert name in text
    assert "supervisor" in text  # the role given after the account was made
    assert "never" in text  # counsel.ray has not signed in
    assert "by chief" in text
    assert "Signature" in text and "Title / badge" in text
    refused = _cli(run_cli, home, "accounts-report", "-o", str(home / "x.pdf"), user="j.smith")
    assert refused.code == 2 and "Not allowed" in refused.err
    assert not (home / "x.pdf").exists()


def test_the_audit_review_shows_the_weeks_events(home: Path, run_cli) -> None:
    for _ in range(5):  # five wrong passwords: a lockout
        _cli(run_cli, home, "log", user="j.smith", password="not the password")
    _cli(run_cli, home, "users", "unlock", "j.smith")
    _cli(run_cli, home, "users", "roles", "counsel.ray", "--role", "counsel", "--role", "officer")
    _cli(run_cli, home, "settings", "--lockout-minutes", "45")
    target = home / "review.pdf"
    made = _cli(run_cli, home, "audit-review", "-o", str(target), user="counsel.ray")
    assert made.code == 0, made.err
    assert "Failed and refused sign-ins: 5" in made.out
    assert "Lockouts: 2" in made.out  # the lockout and the unlock
    text = _text(target)
    assert "Audit review" in text
    assert "why: wrong password" in text
    assert "account.lockout" in text and "account.unlock" in text
    assert "roles: counsel -> counsel, officer" in text or "counsel, officer" in text
    assert "lockout_minutes: 30 -> 45" in text
    officer = _cli(run_cli, home, "audit-review", "-o", str(home / "y.pdf"), user="j.smith")
    assert officer.code == 2 and "Not allowed" in officer.err
    backwards = _cli(run_cli, home, "audit-review", "--from", "2026-03-09", "--to", "2026-03-01",
                     "-o", str(home / "z.pdf"))  # fmt: skip
    assert backwards.code == 2 and "before" in backwards.err
