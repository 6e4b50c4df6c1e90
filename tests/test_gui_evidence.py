"""The export, checkpoint and backup dialogs on a real store, driven like a user would."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.evidence import BackupDialog, CheckpointDialog, ExportDialog
from detainer_desk.gui.tasks import TaskRunner
from detainer_desk.services.accounts import audit_trail
from detainer_desk.services.ports import Actor, AuditQuery
from detainer_desk.services.records import activate_policy, record_decision

from .helpers import JUDICIAL_WARRANT_POLICY, request_json, seed_accounts

NOW = dt.datetime(2026, 2, 12, 17, 0, tzinfo=dt.UTC)
COUNSEL = Actor("counsel.d", "LAW-1")
ADMIN = Actor("admin", "ADMIN-1")


@pytest.fixture
def backend(runtime) -> Backend:
    seed_accounts(runtime.uow(), NOW)
    activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", ADMIN, NOW)
    for n in range(12):
        record_decision(
            runtime.uow(),
            request_json(**{"subject.booking_number": f"B{n}"}),
            "r",
            [],
            Actor("officer.a", "W"),
            NOW,
        )
    return Backend.from_runtime(runtime, "TEST-WS", clock=lambda: NOW)


def test_export_dialog_writes_a_checkable_bundle(qtbot, backend: Backend, tmp_path: Path) -> None:
    dialog = ExportDialog(backend, COUNSEL, TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.zone_known)  # the county's zone, read first
    destination = tmp_path / "bundle"
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert "Say who the export is for" in dialog.message.text()  # nothing typed is lost
    qtbot.keyClicks(dialog.recipient, "Smith & Jones LLP")
    dialog.destination.setText(str(destination))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Exported 12 decisions" in dialog.message.text(), timeout=60_000)
    assert (destination / "manifest.sha256").is_file()
    assert len(list((destination / "PDF").iterdir())) == 12
    assert dialog.recipient.text() == "Smith & Jones LLP"
    events = audit_trail(backend.uow(), ADMIN, AuditQuery(action="records.export"), NOW)
    assert events[0].target == "Smith & Jones LLP" and events[0].user_name == "counsel.d"


def test_export_dialog_cancel_leaves_nothing(qtbot, backend: Backend, tmp_path: Path) -> None:
    dialog = ExportDialog(backend, COUNSEL, TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.zone_known)  # the county's zone, read first
    destination = tmp_path / "cancelled.zip"
    dialog.recipient.setText("Court")
    dialog.destination.setText(str(destination))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.cancel_button.isEnabled() and not dialog.close_button.isEnabled()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "cancelled" in dialog.message.text(), timeout=60_000)
    assert not destination.exists() and not Path(str(destination) + ".partial").exists()
    assert dialog.start_button.isEnabled()


def test_export_refused_to_an_officer_in_plain_words(
    qtbot, backend: Backend, tmp_path: Path
) -> None:
    dialog = ExportDialog(backend, Actor("officer.a", "W"), TaskRunner())
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.zone_known)  # the county's zone, read first
    dialog.recipient.setText("Someone")
    dialog.destination.setText(str(tmp_path / "x"))
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "may not export records" in dialog.message.text(), timeout=30_000)


def test_checkpoint_dialog_saves_json_and_pdf(qtbot, backend: Backend, tmp_path: Path) -> None:
    dialog = CheckpointDialog(backend, Actor("sgt.b", "W"), TaskRunner())
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Checkpoint of" in dialog.message.text(), timeout=30_000)
    assert len(list(tmp_path.glob("checkpoint-*.json"))) == 1
    assert next(tmp_path.glob("checkpoint-*.pdf")).read_bytes().startswith(b"%PDF")


def test_checkpoint_dialog_refuses_counsel_in_plain_words(
    qtbot, backend: Backend, tmp_path: Path
) -> None:
    """Only a supervisor or an administrator signs a checkpoint (the menu entry is off for
    the others; the service refuses whoever asks)."""
    dialog = CheckpointDialog(backend, COUNSEL, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.folder.setText(str(tmp_path))
    qtbot.mouseClick(dialog.make_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: "may not sign checkpoints of the record" in dialog.message.text(), timeout=30_000
    )
    assert not list(tmp_path.glob("checkpoint-*")) and dialog.make_button.isEnabled()


def test_backup_dialog_copies_and_checks(qtbot, backend: Backend, tmp_path: Path) -> None:
    dialog = BackupDialog(backend, ADMIN, TaskRunner())
    qtbot.addWidget(dialog)
    target = tmp_path / "copy.sqlite3"
    dialog.target.setText(str(target))
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Backed up and checked" in dialog.message.text(), timeout=30_000)
    assert target.is_file()
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    assert "already exists" in dialog.message.text()  # never overwritten


def test_backup_refused_to_a_supervisor(qtbot, backend: Backend, tmp_path: Path) -> None:
    dialog = BackupDialog(backend, Actor("sgt.b", "W"), TaskRunner())
    qtbot.addWidget(dialog)
    dialog.target.setText(str(tmp_path / "copy.sqlite3"))
    qtbot.mouseClick(dialog.backup_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Not allowed" in dialog.message.text(), timeout=30_000)
    assert not (tmp_path / "copy.sqlite3").exists()


def test_database_dialog_saves_the_server_for_the_next_start(
    qtbot, backend: Backend, tmp_path: Path
) -> None:
    from detainer_desk.gui.database import DatabaseDialog
    from detainer_desk.paths import AppPaths
    from detainer_desk.runtime import database_url

    dialog = DatabaseDialog(backend, ADMIN, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.url.setText("mysql://nope")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "must start with postgresql" in dialog.message.text()
    dialog.url.setText(
        "postgresql+psycopg://desk@db.county.example/detainer_desk?sslmode=verify-full"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert "next start" in dialog.message.text()
    assert backend.data_dir is not None
    paths = AppPaths.under(backend.data_dir)
    assert database_url(paths, None).startswith("postgresql+psycopg://desk@db.county.example")
    assert (
        database_url(paths, "sqlite:////tmp/x.sqlite3") == "sqlite:////tmp/x.sqlite3"
    )  # --db wins
    events = audit_trail(backend.uow(), ADMIN, AuditQuery(action="settings.database"), NOW)
    assert events[0].target == "db.county.example/detainer_desk?sslmode=verify-full"
    dialog.url.setText("")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert database_url(paths, None).startswith("sqlite:///")


def test_database_dialog_tests_a_connection(qtbot, backend: Backend) -> None:
    from detainer_desk.gui.database import DatabaseDialog

    dialog = DatabaseDialog(backend, ADMIN, TaskRunner())
    qtbot.addWidget(dialog)
    dialog.url.setText("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.test_button.isEnabled() and bool(dialog.message.text()), timeout=30_000
    )
    assert "onnect" in dialog.message.text() and "Traceback" not in dialog.message.text()
