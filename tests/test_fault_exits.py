"""Faults that were an "Unexpected error" (exit 1, a traceback in the log) in issue 14, each
now a plain message and exit 2 with nothing stored: a lone surrogate in a request (which
``check`` accepted and ``record`` failed on), a password that is not UTF-8, an export onto a
full disk, ids of 30 digits, absurd page sizes and years, a malformed database URL, and more
of the same kind found on the way. Through the real command line, on real SQLite stores."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detainer_desk.cli import main

from .helpers import as_user, cli_home, evidence_counts, request_json
from .test_faults import _fill, tiny_filesystem
from .test_pdf_documents import pdf_scan


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    home = cli_home(run_cli, tmp_path)
    request = tmp_path / "r.json"
    request.write_text(request_json(), encoding="utf-8")
    assert as_user(run_cli, home, "record", str(request)).code == 0
    return home


def plain_refusal(result, *needles: str) -> None:
    assert result.code == 2, (result.code, result.err)
    assert "Unexpected error" not in result.err and "Traceback" not in result.err
    assert result.err.strip()
    for needle in needles:
        assert needle in result.err, (needle, result.err)


def test_a_lone_surrogate_is_refused_by_check_and_record_alike(home: Path, run_cli) -> None:
    request = home / "surrogate.json"
    text = request_json(**{"subject.name": "DOE, John", "detainer.officer": "J. SMITH"})
    request.write_text(text.replace("J. SMITH", "J. SMITH \\ud800"), encoding="utf-8")
    checked = run_cli("check", "--policy", str(home / "policy.toml"), str(request))
    plain_refusal(checked, "detainer.officer", "lone surrogate (U+D800)")
    assert checked.out == ""
    before = evidence_counts(home)
    recorded = as_user(run_cli, home, "record", str(request))
    plain_refusal(recorded, "detainer.officer", "lone surrogate", "Nothing was recorded.")
    assert evidence_counts(home) == before


def test_a_nul_character_is_refused_by_check_too(home: Path, run_cli) -> None:
    """(``record`` refused it already; ``check`` decided.)"""
    request = home / "nul.json"
    request.write_text(request_json(**{"subject.name": "DOE\x00, John"}), encoding="utf-8")
    checked = run_cli("check", "--policy", str(home / "policy.toml"), str(request))
    plain_refusal(checked, "subject.name", "NUL character")


@pytest.mark.parametrize("errors", ["strict", "surrogateescape"])
def test_a_password_that_is_not_utf8_is_refused(home: Path, errors: str) -> None:
    """Standard input decoded strictly fails while read; decoded leniently (as Python does
    in the C locale) it gives lone surrogates that fail later in the hashing."""
    stdin = io.TextIOWrapper(io.BytesIO(b"\xff\xfe secret\n"), encoding="utf-8", errors=errors)
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["--data-dir", str(home / "data"), "log", "--user", "officer.a", "--password-stdin"],
        out=out,
        err=err,
        stdin=stdin,
    )
    assert code == 2 and "not UTF-8 text" in err.getvalue()
    assert "Unexpected" not in err.getvalue()


def test_a_password_line_without_end_is_not_read_for_ever(home: Path, run_cli) -> None:
    result = run_cli(
        "--data-dir", str(home / "data"), "log", "--user", "officer.a", "--password-stdin",
        stdin="x" * 5_000_000,
    )  # fmt: skip
    plain_refusal(result, "far longer than any password")


def test_a_password_from_a_real_pipe_of_bad_bytes(home: Path) -> None:
    """The same through a real process and pipe, as a script would give it."""
    completed = subprocess.run(
        [sys.executable, "-m", "detainer_desk", "--data-dir", str(home / "data"), "log",
         "--user", "officer.a", "--password-stdin"],
        input=b"\xc3\x28 not utf-8\n",
        capture_output=True,
        check=False,
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )  # fmt: skip
    err = completed.stderr.decode("utf-8", "replace")
    assert completed.returncode == 2, err
    assert "not UTF-8 text" in err and "Unexpected" not in err


@pytest.mark.parametrize("command", ["amend", "show", "report", "notice"])
def test_a_30_digit_id_is_not_a_decision_number(home: Path, run_cli, command) -> None:
    extra = {"amend": ["--countersign"], "report": ["-o", "x.pdf"], "notice": ["-o", "x.pdf"]}
    result = as_user(run_cli, home, command, "9" * 30, *extra.get(command, []), user="sgt.b")
    assert result.code == 2
    assert "is not a decision number (they run from 1 to" in result.err


def test_an_id_past_the_database_integers_is_simply_not_there(home: Path) -> None:
    """Whoever asks (the window, a script): no decision of that number, never an overflow."""
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    runtime = open_runtime(resolve_paths(home / "data"))
    try:
        with runtime.uow() as uow:
            for number in (10**30, -(10**30), 2**63, 0):
                assert uow.records.decision(number) is None
    finally:
        runtime.close()


@pytest.mark.parametrize("limit", ["9" * 40, "0", "-5", "10001", "ten"])
def test_log_and_audit_page_sizes_are_bounded(home: Path, run_cli, limit) -> None:
    for command, user in (("log", "counsel.c"), ("audit", "chief")):
        result = as_user(run_cli, home, command, "--limit", limit, user=user)
        assert result.code == 2
        message = result.err
        assert "give 1 to 10,000 rows" in message or "not a whole number" in message
    assert as_user(run_cli, home, "log", "--limit", "10000", user="counsel.c").code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["log", "--from", "0001-01-01"],
        ["log", "--to", "9999-12-31"],
        ["audit", "--from", "0001-01-01", "--to", "9999-12-31"],
        ["export", "--csv-only", "-o", "x.csv", "--from", "0001-01-01"],
        ["stats", "--from", "0001-01-01", "--to", "9999-12-31"],
        ["stats", "--from", "2026-01-01", "--to", "9999-12-31"],
        [
            "policy",
            "what-if",
            "judicial-warrant-only",
            "--from",
            "0001-01-01",
            "--to",
            "9999-12-31",
        ],
    ],
)
def test_years_outside_1900_to_2999_are_refused(home: Path, run_cli, args) -> None:
    user = "chief" if args[0] in ("audit", "policy") else "counsel.c"
    plain_refusal(as_user(run_cli, home, *args, user=user), "outside the years 1900 to 2999")


def test_the_widest_period_allowed_works(home: Path, run_cli) -> None:
    for args, user in (
        (["log", "--from", "1900-01-01", "--to", "2999-12-31"], "counsel.c"),
        (["stats", "--from", "1900-01-01", "--to", "2999-12-31"], "counsel.c"),
        (
            [
                "policy",
                "what-if",
                "judicial-warrant-only",
                "--from",
                "1900-01-01",
                "--to",
                "2999-12-31",
            ],
            "chief",
        ),
    ):
        result = as_user(run_cli, home, *args, user=user)
        assert result.code == 0, result.err


def test_statistics_service_refuses_years_it_cannot_count(home: Path) -> None:
    import datetime as dt

    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime
    from detainer_desk.services.access import RecordError
    from detainer_desk.services.ports import Actor
    from detainer_desk.services.statistics import weekly_statistics

    runtime = open_runtime(resolve_paths(home / "data"))
    try:
        with pytest.raises(RecordError, match="outside the years"):
            weekly_statistics(
                runtime.uow(),
                Actor("counsel.c", "W", frozenset({"counsel"})),
                dt.date(1, 1, 1),
                dt.date(9999, 12, 31),
                dt.datetime.now(dt.UTC),
            )
    finally:
        runtime.close()


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("postgresql+psycopg://desk@db:notaport/records", "is not a database URL"),
        ("postgresql+psycopg://desk@[::1/records", "is not a database URL"),
        ("not a url at all", "is not a database URL"),
        ("mysql://desk@db/records", "databases are not supported"),
        ("sqlite://", "an in-memory database would lose every record"),
        ("postgresql+psycopg://desk@127.0.0.1:1/records?connect_timeout=abc", "cannot be used"),
    ],
)
def test_a_malformed_database_url_is_refused_in_plain_words(tmp_path: Path, run_cli, url, words):
    result = run_cli("--data-dir", str(tmp_path / "data"), "verify", "--db", url)
    plain_refusal(result, "Cannot open the record store", words)


def test_command_line_bytes_that_are_not_utf8_are_refused(home: Path, run_cli) -> None:
    """Python gives such argv bytes as lone surrogates; a search, a reason or an officer's
    name holding one failed in the database driver."""
    bad = b"\xff".decode("utf-8", "surrogateescape")
    for args, option in (
        (["log", "--search", f"doe {bad}"], "--search"),
        (["log", "--officer", bad], "--officer"),
        (["audit", "--of-user", bad], "--of-user"),
        (["amend", "1", "--lifted", "--reason", bad], "--reason"),
    ):
        user = "chief" if args[0] == "audit" else "sgt.b"
        plain_refusal(as_user(run_cli, home, *args, user=user), option, "lone surrogate")


def test_over_long_texts_are_refused_before_they_are_audited(home: Path, run_cli) -> None:
    before = evidence_counts(home)
    plain_refusal(
        as_user(run_cli, home, "log", "--search", "x" * 201, user="counsel.c"),
        "the search is 201 characters long; at most 200",
    )
    plain_refusal(
        as_user(run_cli, home, "log", "--search", " ".join("abcdefghijk"), user="counsel.c"),
        "11 words; at most 10",
    )
    plain_refusal(
        as_user(run_cli, home, "amend", "1", "--lifted", "--reason", "r" * 5_001, user="sgt.b"),
        "the reason is 5,001 characters long",
    )
    plain_refusal(
        as_user(
            run_cli, home, "export", "--csv-only", "-o", str(home / "x.csv"),
            "--recipient", "r" * 5_001, user="counsel.c",
        ),
        "the recipient is 5,001 characters long",
    )  # fmt: skip
    assert evidence_counts(home) == before
    trail = as_user(run_cli, home, "audit", "--json", "--limit", "10000", user="chief").out
    assert all(len(line) < 3_000 for line in trail.splitlines())


def test_settings_names_are_bounded(home: Path, run_cli) -> None:
    plain_refusal(
        as_user(run_cli, home, "settings", "--county", "C" * 121, user="chief"),
        "the county's name is 121 characters long; at most 120",
    )


def test_too_many_attachments_are_refused_before_any_is_read(home: Path, run_cli) -> None:
    request = home / "r.json"
    result = as_user(run_cli, home, "record", str(request), *["--attach", "/dev/zero.pdf"] * 101)
    plain_refusal(result, "101 files; at most 100")


def test_an_attachment_from_a_device_is_refused(home: Path, run_cli, tmp_path: Path) -> None:
    linked = tmp_path / "scan.pdf"
    linked.symlink_to("/dev/zero")
    result = as_user(run_cli, home, "record", str(home / "r.json"), "--attach", str(linked))
    plain_refusal(result, "a device or another special file, not a attachment file")


# -- an export onto a full disk ------------------------------------------------------------


def _big_store(run_cli, home: Path, tmp_path: Path) -> None:
    """Two decisions with 1 MB scans: more than a 1 MB disk holds."""
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(pdf_scan() + os.urandom(1 << 20))
    for number in range(2):
        request = tmp_path / f"big{number}.json"
        request.write_text(request_json(**{"subject.booking_number": f"BIG{number}"}))
        assert as_user(run_cli, home, "record", str(request), "--attach", str(scan)).code == 0


@pytest.mark.parametrize("destination", ["bundle.zip", "bundle-folder"])
def test_an_export_onto_a_full_disk_is_refused_and_leaves_nothing(
    home: Path, run_cli, tmp_path: Path, destination: str
) -> None:
    """On a real 1 MB tmpfs (mounting one needs root, as the suite runs in CI and here)."""
    _big_store(run_cli, home, tmp_path)
    with tiny_filesystem(tmp_path / "disk", "1m") as disk:
        if disk is None:
            pytest.skip("a full disk needs a tmpfs, and mounting one needs root")
        target = disk / destination
        result = as_user(
            run_cli, home, "export", "-o", str(target), "--recipient", "court", "--quiet",
            user="counsel.c",
        )  # fmt: skip
        plain_refusal(result, "cannot be written", "the disk is full")
        assert sorted(p.name for p in disk.iterdir()) == []  # no partial bundle is left
        trail = as_user(run_cli, home, "audit", "--action", "records.export", user="chief")
        assert "failure" in trail.out  # the attempt is on the record


def test_a_full_disk_under_the_csv_only_export_is_plain_too(
    home: Path, run_cli, tmp_path: Path
) -> None:
    with tiny_filesystem(tmp_path / "disk", "64k") as disk:
        if disk is None:
            pytest.skip("needs a tmpfs (root)")
        for number in range(40):
            request = tmp_path / f"n{number}.json"
            request.write_text(request_json(**{"subject.booking_number": f"N{number}"}))
            assert as_user(run_cli, home, "record", str(request)).code == 0
        filler = _fill(disk)
        filler.unlink()
        with filler.open("wb") as handle:  # leave a few KB: the header fits, the rows do not
            handle.write(b"\0" * (60 * 1024))
        result = as_user(
            run_cli, home, "export", "--csv-only", "-o", str(disk / "x.csv"), "--recipient",
            "court", user="counsel.c",
        )  # fmt: skip
        plain_refusal(result, "cannot be written", "the disk is full")
        assert sorted(p.name for p in disk.iterdir()) == ["filler.bin"]


def test_json_of_a_refusal_is_never_half_written(home: Path, run_cli) -> None:
    """A refused command writes nothing on standard output (scripts read it)."""
    result = as_user(run_cli, home, "show", "1", "--json", user="counsel.c")
    assert json.loads(result.out)["decision_id"] == 1
    refused = as_user(run_cli, home, "log", "--search", "\x00", "--json", user="counsel.c")
    assert refused.code == 2 and refused.out == ""


@pytest.mark.parametrize(
    "content",
    [
        "[" * 100_000 + "]" * 100_000,
        json.dumps(
            {"format": "detainer-desk-checkpoint", "version": 1, "created_at": "x" * 500_000}
        ),
        "\udcff not text",
    ],
    ids=["nested", "huge-value", "not-utf8"],
)
def test_a_malformed_checkpoint_file_is_refused_shortly(tmp_path: Path, run_cli, content) -> None:
    checkpoint = tmp_path / "checkpoint.json"
    checkpoint.write_bytes(content.encode("utf-8", "surrogateescape"))
    result = run_cli(
        "--data-dir", str(tmp_path / "data"), "verify", "--checkpoint", str(checkpoint)
    )
    plain_refusal(result, "is not a readable checkpoint file")
    assert len(result.err) < 1_000


@pytest.mark.parametrize("setting", ["²", "9" * 5_000, "-1", "x"])
def test_a_bad_workers_setting_is_noted_and_ignored(tmp_path, run_cli, monkeypatch, setting):
    """DETAINER_DESK_WORKERS="²" passed isdigit() and failed in int(); 5,000 digits too."""
    monkeypatch.setenv("DETAINER_DESK_WORKERS", setting)
    request = tmp_path / "r.json"
    request.write_text(request_json(), encoding="utf-8")
    result = run_cli("check", "--policy", "judicial-warrant-only", str(request))
    assert result.code == 0 and result.out.startswith("DECISION")
    assert "is not a number of worker processes from 1 to 64" in result.err
    assert len(result.err) < 500


def test_a_data_folder_or_url_that_is_not_utf8_is_refused(tmp_path: Path, run_cli, monkeypatch):
    """SQLite opens only UTF-8 file names; such bytes reach Python as lone surrogates."""
    odd = str(tmp_path) + "/" + b"records-\xff".decode("utf-8", "surrogateescape")
    plain_refusal(run_cli("--data-dir", odd, "verify"), "not UTF-8 text")
    monkeypatch.setenv(
        "DETAINER_DESK_DB",
        b"postgresql+psycopg://desk@127.0.0.1:1/\xff".decode("utf-8", "surrogateescape"),
    )
    plain_refusal(run_cli("--data-dir", str(tmp_path / "data"), "verify"), "not UTF-8 text")


@pytest.mark.parametrize(
    "args",
    [["restore", "backup.sqlite3", "--yes"], ["users", "recover", "chief", "--password-stdin"]],
)
@pytest.mark.parametrize("url", ["postgresql+psycopg://desk@db:notaport/records", "not a url"])
def test_commands_reading_the_url_first_refuse_a_malformed_one(tmp_path, run_cli, args, url):
    """restore and users recover read the URL before opening the store (a port that is not
    a number was a ValueError there)."""
    result = run_cli("--data-dir", str(tmp_path / "data"), *args, "--db", url, stdin="x\n")
    plain_refusal(result, "is not a database URL")
