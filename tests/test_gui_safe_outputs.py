"""The window writes files through the same safe-output helper as the commands: private,
whole or not at all, never through a link, replacing only a file of the same kind. Driven
like an officer or counsel would, on a real store."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.evidence import CheckpointDialog, ExportDialog
from detainer_desk.gui.intake import IntakeScreen
from detainer_desk.gui.tasks import TaskRunner
from detainer_desk.services.ports import Actor

from .test_gui_evidence import backend  # noqa: F401 - the fixture: 12 decisions on record
from .test_gui_intake import (  # noqa: F401 - the fixtures: an officer at the intake screen
    EXAMPLE,
    Answers,
    _check,
    _confirm,
    _open_example,
    _record,
    admin,
    answers,
    clock,
    intake,
    store,
    window,
)
from .test_gui_support import click

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links and modes")


def _mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def open_umask() -> Iterator[None]:
    previous = os.umask(0)
    yield
    os.umask(previous)


def test_intake_saves_private_pdfs_and_never_through_a_link(
    qtbot: QtBot,
    intake: IntakeScreen,  # noqa: F811
    answers: Answers,  # noqa: F811
    tmp_path: Path,
    open_umask: None,
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    _confirm(qtbot, intake, _record(qtbot, intake))
    panel = intake.panel

    victim = tmp_path / "victim.pdf"
    victim.write_bytes(b"%PDF-1.4 someone else's")
    link = tmp_path / "audit.pdf"
    link.symlink_to(victim)
    answers.pdf_path = str(link)
    click(qtbot, panel.save_audit_button)
    qtbot.waitUntil(lambda: "was not made" in intake.banner.text(), timeout=20_000)
    assert "symbolic link" in intake.banner.text()
    assert victim.read_bytes() == b"%PDF-1.4 someone else's" and link.is_symlink()

    answers.pdf_path = str(tmp_path / "notice.pdf")
    click(qtbot, panel.save_notice_button)
    qtbot.waitUntil(lambda: intake.banner.text().startswith("Saved the notice"), timeout=20_000)
    assert _mode(tmp_path / "notice.pdf") == 0o600

    # "Print to file" makes its file the same way.
    answers.print_to = str(tmp_path / "printed.pdf")
    click(qtbot, panel.print_notice_button)
    qtbot.waitUntil(lambda: intake.banner.text().startswith("Sent the notice"), timeout=20_000)
    assert (tmp_path / "printed.pdf").read_bytes().startswith(b"%PDF")
    assert _mode(tmp_path / "printed.pdf") == 0o600
    answers.print_to = str(link)
    click(qtbot, panel.print_audit_button)
    qtbot.waitUntil(lambda: "symbolic link" in intake.banner.text(), timeout=20_000)
    assert "was not made" in intake.banner.text()
    assert victim.read_bytes() == b"%PDF-1.4 someone else's"

    # The save dialog asked before replacing; only a PDF is replaced by a PDF.
    notes = tmp_path / "notes.pdf"
    notes.write_text("the officer's notes, named .pdf by mistake")
    answers.pdf_path = str(notes)
    click(qtbot, panel.save_notice_button)
    qtbot.waitUntil(lambda: "not a PDF" in intake.banner.text(), timeout=20_000)
    assert "The notice to the person was not made" in intake.banner.text()
    assert notes.read_text().startswith("the officer's notes")
    assert sorted(p.name for p in tmp_path.iterdir() if ".partial-" in p.name) == []


def test_intake_saves_a_request_privately_and_only_over_a_request(
    qtbot: QtBot,
    intake: IntakeScreen,  # noqa: F811
    answers: Answers,  # noqa: F811
    tmp_path: Path,
    open_umask: None,
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    letter = tmp_path / "letter.json"
    letter.write_text("Dear counsel, ...")
    answers.save_path = str(letter)
    intake.save_action.trigger()
    assert "could not be saved" in intake.banner.text()
    assert "not a request file" in intake.banner.text()
    assert letter.read_text() == "Dear counsel, ..."

    saved = tmp_path / "saved.json"
    saved.write_text('{"schema": 1}')
    answers.save_path = str(saved)
    intake.save_action.trigger()
    assert intake.banner.text().startswith("Saved the request")
    assert json.loads(saved.read_text())["subject"]["name"] == "RIVERA, Ana"
    assert _mode(saved) == 0o600


def test_export_and_checkpoint_dialogs_write_private_files_and_refuse_links(
    qtbot: QtBot,
    backend: Backend,  # noqa: F811
    tmp_path: Path,
    open_umask: None,
) -> None:
    dialog = ExportDialog(backend, Actor("counsel.d", "LAW-1"), TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.zone_known)  # the county's zone, read first
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "linked").symlink_to(elsewhere)
    dialog.recipient.setText("Court")
    dialog.destination.setText(str(tmp_path / "linked"))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert "symbolic link" in dialog.message.text()
    assert list(elsewhere.iterdir()) == []

    dialog.destination.setText(str(tmp_path / "bundle.zip"))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Exported 12 decisions" in dialog.message.text(), timeout=60_000)
    assert _mode(tmp_path / "bundle.zip") == 0o600

    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    made = CheckpointDialog(backend, Actor("sgt.b", "W"), TaskRunner())
    qtbot.addWidget(made)
    made.folder.setText(str(checkpoints))
    qtbot.mouseClick(made.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Checkpoint of" in made.message.text(), timeout=30_000)
    files = sorted(checkpoints.iterdir())
    assert [p.suffix for p in files] == [".json", ".pdf"]
    assert {_mode(p) for p in files} == {0o600}
