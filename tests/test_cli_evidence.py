"""The evidence commands from the command line, on a demo store: report, notice, stats,
checkpoint and export. PDFs are read back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from detainer_desk.services.demo import DEMO_PASSWORD


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    from detainer_desk.cli import main

    home = tmp_path_factory.mktemp("demo")
    code = main(
        ["--data-dir", str(home), "demo", "--decisions", "40", "--quiet"],
        out=io.StringIO(),
        err=io.StringIO(),
    )
    assert code == 0
    return home


def _as(run_cli, home: Path, user: str, *args: str):
    return run_cli(
        "--data-dir",
        str(home),
        *args,
        "--user",
        user,
        "--password-stdin",
        stdin=DEMO_PASSWORD + "\n",
    )


def _text(path: Path) -> tuple[int, str]:
    reader = PdfReader(path)
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def test_report_and_notice(demo_home: Path, run_cli, tmp_path: Path) -> None:
    report = tmp_path / "d1.pdf"
    result = _as(run_cli, demo_home, "officer.alvarez", "report", "1", "-o", str(report))
    assert result.code == 0, result.err
    pages, text = _text(report)
    assert pages >= 1 and "Page 1 of" in text and "B26-0000001" in text
    again = _as(run_cli, demo_home, "officer.alvarez", "report", "1", "-o", str(report))
    assert again.code == 2 and "already exists" in again.err
    notice = tmp_path / "n1.pdf"
    assert _as(run_cli, demo_home, "officer.alvarez", "notice", "1", "-o", str(notice)).code == 0
    _, notice_text = _text(notice)
    assert "ICE" in notice_text
    trail = _as(run_cli, demo_home, "admin.demo", "audit", "--action", "decision.print", "--json")
    documents = [json.loads(line)["details"]["document"] for line in trail.out.splitlines()]
    assert "audit PDF" in documents and "notice to the person" in documents


def test_admin_cannot_print_records(demo_home: Path, run_cli, tmp_path: Path) -> None:
    result = _as(run_cli, demo_home, "admin.demo", "report", "1", "-o", str(tmp_path / "x.pdf"))
    assert result.code == 2 and "may not print records" in result.err


def test_statistics(demo_home: Path, run_cli, tmp_path: Path) -> None:
    target = tmp_path / "stats.pdf"
    result = _as(
        run_cli,
        demo_home,
        "counsel.demo",
        "stats",
        "--from",
        "2026-01-01",
        "--to",
        "2026-12-31",
        "-o",
        str(target),
        "--json",
    )
    assert result.code == 0, result.err
    numbers = json.loads(result.out)
    assert numbers["totals"]["received"] == 40
    assert sum(row["received"] for row in numbers["by_form"].values()) == 40
    pages, text = _text(target)
    assert pages >= 1 and "40" in text


def test_export_and_checkpoint_commands(demo_home: Path, run_cli, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    result = _as(
        run_cli,
        demo_home,
        "counsel.demo",
        "export",
        "-o",
        str(bundle),
        "--recipient",
        "Court",
        "--quiet",
    )
    assert result.code == 0, result.err
    assert len(list((bundle / "PDF").iterdir())) == 40
    no_recipient = _as(run_cli, demo_home, "counsel.demo", "export", "-o", str(tmp_path / "b2"))
    assert no_recipient.code == 2 and "--recipient" in no_recipient.err
    csv_only = tmp_path / "all.csv"
    fast = _as(
        run_cli,
        demo_home,
        "counsel.demo",
        "export",
        "--csv-only",
        "-o",
        str(csv_only),
        "--recipient",
        "PRA",
    )
    assert fast.code == 0 and len(csv_only.read_text("utf-8").splitlines()) == 41
    checkpoint = _as(run_cli, demo_home, "sgt.fischer", "checkpoint", "--out", str(tmp_path / "cp"))
    assert checkpoint.code == 0, checkpoint.err
    verified = run_cli(
        "--data-dir",
        str(demo_home),
        "verify",
        "--checkpoint",
        str(next((tmp_path / "cp").glob("*.json"))),
    )
    assert verified.code == 0 and verified.out.startswith("OK")
