"""The window's protected copies: the backup dialog's encrypted copy (passphrase rules
said beside what was typed, the copy read back with its passphrase) and the export
dialog's AES-256 ZIP whose passphrase is shown once."""

from __future__ import annotations

import sqlite3
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from detainer_desk.adapters import protect
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.evidence import BackupDialog, ExportDialog
from detainer_desk.gui.tasks import TaskRunner

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts
from .test_gui_evidence import ADMIN, COUNSEL, NOW

PASSPHRASE = "Harbour-7-lantern-Quiet"


@pytest.fixture
def backend(runtime) -> Backend:
    """Twelve decisions on a real store (as in test_gui_evidence)."""
    from detainer_desk.services.ports import Actor
    from detainer_desk.services.records import activate_policy, record_decision

    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    for n in range(12):
        booking = {"subject.booking_number": f"B{n}"}
        record_decision(
            runtime.uow(), request_json(**booking), "r", [], Actor("officer.a", "W"), NOW
        )
    return Backend.from_runtime(runtime, "TEST-WS", clock=lambda: NOW)


def test_the_backup_dialog_writes_an_encrypted_copy(
    qtbot,
    backend: Backend,
    tmp_path: Path,
) -> None:
    dialog = BackupDialog(backend, ADMIN, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.target.setText(str(tmp_path / "copy.sqlite3"))
    qtbot.mouseClick(dialog.encrypt, Qt.MouseButton.LeftButton)
    assert dialog.encrypt.isChecked() and dialog.passphrase.isVisible()
    assert dialog.target.text().endswith("copy.ddprot")
    qtbot.keyClicks(dialog.passphrase, "short1!")
    qtbot.keyClicks(dialog.passphrase_again, "short1!")
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert "5.10.1.2.2" in dialog.message.text() and "at least 10" in dialog.message.text()
    assert dialog.passphrase.text() == "short1!"  # what was typed stays
    dialog.passphrase.setText(PASSPHRASE)
    dialog.passphrase_again.setText(PASSPHRASE + "x")
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert "not the same" in dialog.message.text()
    dialog.passphrase_again.setText(PASSPHRASE)
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Backed up and checked" in dialog.message.text(), timeout=60_000)
    assert "encrypted" in dialog.message.text()
    assert dialog.passphrase.text() == ""
    dialog.grab().save(str(tmp_path / "backup-encrypted.png"))
    target = tmp_path / "copy.ddprot"
    assert target.read_bytes().startswith(protect.MAGIC)
    plain = tmp_path / "opened.sqlite3"
    protect.decrypt_file(target, plain, PASSPHRASE)
    conn = sqlite3.connect(plain)
    try:
        assert conn.execute("SELECT count(*) FROM decisions").fetchone()[0] == 12
    finally:
        conn.close()


def test_the_export_dialog_shows_the_zip_passphrase_once(
    qtbot,
    backend: Backend,
    tmp_path: Path,
) -> None:
    dialog = ExportDialog(backend, COUNSEL, TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.zone_known)  # the county's zone, read first
    destination = tmp_path / "bundle.zip"
    dialog.recipient.setText("Smith & Jones LLP")
    dialog.destination.setText(str(destination))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Exported 12 decisions" in dialog.message.text(), timeout=120_000)
    box = dialog.findChild(QMessageBox, "exportPassphrase")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    passphrase = box.text().split("kept nowhere:\n\n    ")[1].split("\n")[0]
    box.grab().save(str(tmp_path / "export-passphrase.png"))
    import pyzipper

    with pyzipper.AESZipFile(destination) as archive:
        archive.setpassword(passphrase.encode())
        assert b"decision_id" in archive.read("decisions.csv") or archive.read("decisions.csv")
    with zipfile.ZipFile(destination) as archive:
        assert all(info.flag_bits & 0x1 for info in archive.infolist())
    box.accept()
    assert dialog._passphrase is None  # not kept after it was shown
