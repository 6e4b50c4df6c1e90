"""Untrusted text (issue 14): a name, a file name, a reason or a search holding ESC, a line
break, a C1 control or a bidirectional override is shown escaped on every output (the
terminal, the PDFs, the CSV and DAT files), never raw; a CSV cell that starts like a
formula is guarded in every CSV the program writes; an attachment's kind is checked from its
bytes, not its name. On real SQLite stores through the real command line."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
import pyzipper
from pypdf import PdfReader

from detainer_desk.domain.text import csv_cell, visible

from .helpers import as_user, cli_home, evidence_counts, request_json
from .test_pdf_documents import pdf_scan, png_scan

ESC_NAME = "EVIL\x1b[2J\x1b]0;owned\x07, Eve\nForged: decision 99 HOLD"
BIDI_NAME = "DOE, J\u202eFDP.exe\u202c \x9b31m"
SCAN_NAME = "scan\x1b[31m\rX.pdf"
REASON = "typo\x1b[1A\x1b[2K\nAmendment 9 added by chief"


@pytest.fixture
def home(tmp_path: Path, run_cli) -> Path:
    home = cli_home(run_cli, tmp_path)
    for number, name in enumerate((ESC_NAME, BIDI_NAME, '=HYPERLINK("http://x"), Eve')):
        request = tmp_path / f"r{number}.json"
        request.write_text(
            request_json(**{"subject.name": name, "subject.booking_number": f"B-{number}"}),
            encoding="utf-8",
        )
        args = ["record", str(request)]
        if number == 0:
            scan = tmp_path / SCAN_NAME
            scan.write_bytes(pdf_scan())
            args += ["--attach", str(scan)]
        recorded = as_user(run_cli, home, *args)
        assert recorded.code == 0, recorded.err
    corrected = as_user(
        run_cli, home, "amend", "1", "--correct", "name", "EVE", "--reason", REASON, user="sgt.b"
    )
    assert corrected.code == 0, corrected.err
    return home


def _raw_controls(text: str) -> list[str]:
    """Every character of ``text`` a terminal would act on, besides line ends and tabs."""
    return [ch for ch in text if ch not in "\n\t" and ch != visible(ch)]


def test_show_escapes_names_file_names_and_reasons(home: Path, run_cli) -> None:
    shown = as_user(run_cli, home, "show", "1")
    assert shown.code == 0, shown.err
    assert _raw_controls(shown.out) == []
    assert "EVIL\\u001b[2J" in shown.out
    assert "scan\\u001b[31m\\u000dX.pdf" in shown.out
    assert "typo\\u001b[1A\\u001b[2K\\u000aAmendment 9" in shown.out
    # The line breaks in the name and the reason forge no line of their own.
    assert not any(line.startswith(("Forged", "Amendment 9")) for line in shown.out.splitlines())


def test_log_escapes_bidirectional_overrides_and_c1_controls(home: Path, run_cli) -> None:
    listed = as_user(run_cli, home, "log", user="counsel.c")
    assert listed.code == 0 and _raw_controls(listed.out) == []
    assert "J\\u202eFDP.exe" in listed.out
    assert len(listed.out.splitlines()) == 4  # a header and three decisions


def test_json_output_escapes_and_keeps_the_value(home: Path, run_cli) -> None:
    """In JSON the escape is JSON's own: the value read back is the one recorded."""
    shown = as_user(run_cli, home, "show", "2", "--json")
    assert _raw_controls(shown.out) == []
    assert json.loads(shown.out)["subject_name"] == BIDI_NAME
    lines = as_user(run_cli, home, "log", "--json", user="counsel.c").out.splitlines()
    assert _raw_controls("".join(lines)) == []
    assert {json.loads(line)["subject_name"] for line in lines} >= {ESC_NAME, BIDI_NAME}


def test_audit_escapes_what_people_typed(home: Path, run_cli) -> None:
    searched = as_user(run_cli, home, "log", "--search", "\x1b[8m\nhidden", user="counsel.c")
    assert searched.code == 0, searched.err
    trail = as_user(run_cli, home, "audit", "--action", "records.search", user="chief")
    assert trail.code == 0 and _raw_controls(trail.out) == []
    assert "\\u001b[8m\\u000ahidden" in trail.out
    assert len(trail.out.splitlines()) == 1


def test_error_lines_escape_the_values_they_quote(tmp_path: Path, run_cli) -> None:
    missing = tmp_path / "no\x1b[2Jsuch\nfile.json"
    result = run_cli("check", "--policy", "judicial-warrant-only", str(missing))
    assert result.code == 2 and _raw_controls(result.err) == []
    assert len(result.err.splitlines()) == 1 and "no\\u001b[2Jsuch\\u000afile.json" in result.err


def test_pdfs_print_control_characters_as_escapes(home: Path, run_cli, tmp_path: Path) -> None:
    for command, number in (("report", "1"), ("notice", "1"), ("report", "2")):
        target = tmp_path / f"{command}-{number}.pdf"
        made = as_user(run_cli, home, command, number, "-o", str(target))
        assert made.code == 0, made.err
        text = "".join(page.extract_text() for page in PdfReader(target).pages)
        for raw in ("\x1b", "\x07", "\u202e", "\u202c", "\x9b"):
            assert raw not in text, (command, number, repr(raw))
        if number == "1":
            assert "EVIL\\u001b[2J" in text
        else:
            assert "\\u202e" in text


def test_every_csv_guards_formulas_and_escapes_controls(home: Path, run_cli, tmp_path) -> None:
    """The CSV written by SQLite's printf (--csv-only) and the bundle's, written by the csv
    module, hold the same guarded, escaped cells."""
    alone = tmp_path / "decisions.csv"
    written = as_user(
        run_cli, home, "export", "--csv-only", "-o", str(alone), "--recipient", "court",
        user="counsel.c",
    )  # fmt: skip
    assert written.code == 0, written.err
    bundle = tmp_path / "bundle.zip"
    exported = as_user(
        run_cli, home, "export", "-o", str(bundle), "--recipient", "court", "--quiet",
        user="counsel.c",
    )  # fmt: skip
    assert exported.code == 0, exported.err
    passphrase = exported.out.split("kept nowhere:\n\n    ")[1].split("\n")[0]
    with pyzipper.AESZipFile(bundle) as archive:  # a ZIP export is encrypted (CJIS)
        archive.setpassword(passphrase.encode())
        in_bundle = archive.read("decisions.csv")
        dat = archive.read("LOADFILES/export.dat").decode("utf-8-sig")
    assert alone.read_bytes() == in_bundle
    text = in_bundle.decode("utf-8")
    assert _raw_controls(text.replace("\r\n", "")) == []
    names = [row[5] for row in csv.reader(io.StringIO(text, newline=""))][1:]
    assert names == [csv_cell(ESC_NAME), csv_cell(BIDI_NAME), '\'=HYPERLINK("http://x"), Eve']
    assert '"\'=HYPERLINK(""http://x""), Eve"' in text
    # DAT: fields split by DC4 (U+0014) only where the format puts one.
    header, *rows = dat.split("\r\n")[:-1]
    fields = header.count("\x14") + 1
    assert all(row.count("\x14") + 1 == fields for row in rows)
    assert _raw_controls(dat.replace("\x14", "").replace("\r\n", "")) == []


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        ("notes.pdf", b"this is only text, not a PDF", "bytes are none of PDF, PNG, JPEG"),
        ("photo.pdf", None, "bytes are a PNG image"),
        ("scan.png", b"\xff\xd8\xff\xe0 a JPEG", "bytes are a JPEG image"),
        ("fax.tif", b"%PDF-1.4\n", "bytes are a PDF document"),
    ],
)
def test_an_attachment_is_what_its_bytes_say(
    home: Path, run_cli, tmp_path: Path, name: str, content: bytes | None, words: str
) -> None:
    scan = tmp_path / name
    scan.write_bytes(content if content is not None else png_scan())
    request = tmp_path / "r.json"
    request.write_text(request_json(**{"subject.booking_number": "B-9"}), encoding="utf-8")
    before = evidence_counts(home)
    refused = as_user(run_cli, home, "record", str(request), "--attach", str(scan))
    assert refused.code == 2 and words in refused.err and "Nothing was recorded." in refused.err
    assert evidence_counts(home) == before


def test_real_scans_of_every_kind_are_attached(home: Path, run_cli, tmp_path: Path) -> None:
    from .test_pdf_documents import fax_tiff

    files = {"a.pdf": pdf_scan(), "b.png": png_scan(), "c.tif": fax_tiff(1)}
    jpeg = io.BytesIO()
    from PIL import Image

    Image.new("L", (40, 40), 200).save(jpeg, "JPEG")
    files["d.jpg"] = jpeg.getvalue()
    args = []
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        args += ["--attach", str(tmp_path / name)]
    request = tmp_path / "r.json"
    request.write_text(request_json(**{"subject.booking_number": "B-10"}), encoding="utf-8")
    recorded = as_user(run_cli, home, "record", str(request), *args)
    assert recorded.code == 0, recorded.err
    assert evidence_counts(home)[2] == 1 + 4
