"""Verify, verify against a checkpoint, and restore, from the window's Records and Admin
menus, over a real SQLite store: the same answers as the command line, in plain words, in
the background; a restore only by an administrator, confirmed, audited, and followed by
signing in again to the restored records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu
from pytestqt.qtbot import QtBot

from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.gui.verification import RestoreDialog, VerifyDialog
from detainer_desk.services import accounts, board
from detainer_desk.services.ports import DecisionQuery

from .helpers import tamper
from .test_checkpoints import _rewrite_history
from .test_gui_records_support import Desk, desk_under, sign_in_as, window_on
from .test_gui_support import click, seed_user, trail, type_into


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _entries(menu: QMenu) -> list[str]:
    return [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]


def _verify(qtbot: QtBot, dialog: VerifyDialog) -> bool:
    click(qtbot, dialog.verify_button)
    qtbot.waitUntil(lambda: dialog.result_ok is not None, timeout=30_000)
    return bool(dialog.result_ok)


def test_the_menus_offer_verify_to_everyone_and_restore_to_administrators(
    qtbot: QtBot, window: MainWindow
) -> None:
    for menu in (window.records_menu, window.admin_menu):
        assert {"Verify the record…", "Verify against a checkpoint…"} <= set(_entries(menu))
    assert "Restore from a backup…" in _entries(window.admin_menu)
    sign_in_as(qtbot, window, "officer.a")
    assert window.verify_action.isEnabled() and window.verify_checkpoint_action.isEnabled()
    assert not window.restore_action.isEnabled()
    assert window.dialogs.open_restore() is None  # as the command line: an administrator only
    window.sign_out()
    assert not window.verify_action.isEnabled()  # signed out: nothing
    sign_in_as(qtbot, window, "admin")
    assert window.restore_action.isEnabled() and window.verify_action.isEnabled()


def test_verify_says_what_the_command_line_says(
    qtbot: QtBot, window: MainWindow, desk: Desk, run_cli, tmp_path: Path
) -> None:
    for number in range(3):
        desk.record(**{"subject.booking_number": f"B26-10{number}"})
    data = str(desk.runtime.paths.data_dir)
    sign_in_as(qtbot, window, "counsel.d")
    window.verify_action.trigger()
    dialog = window.findChild(VerifyDialog, "verifyDialog")
    assert dialog is not None
    assert _verify(qtbot, dialog)
    cli = run_cli("--data-dir", data, "verify")  # "N entries verified; chain head H"
    assert cli.code == 0
    entries = cli.out.split()[0]
    assert dialog.message.text().startswith(f"All {int(entries):,} entries verified")
    assert cli.out.split()[-1] in dialog.message.text()  # the same head of the chain

    tamper(desk.runtime, "UPDATE requests SET subject_name = 'SOMEONE, Else' WHERE id = 2")
    assert not _verify(qtbot, dialog)
    cli = run_cli("--data-dir", data, "verify")
    assert cli.code == 1
    fault = cli.out.split(": ", 1)[1].strip()  # "entry N (requests #2): ..."
    assert "does NOT verify" in dialog.message.text() and fault in dialog.message.text()
    assert "requests #2" in dialog.message.text()
    dialog.grab().save(str(tmp_path / "verify-failed.png"))


def _checkpoint(desk: Desk, folder: Path) -> Path:
    from detainer_desk.services.checkpoints import CheckpointFile, create_checkpoint

    made = None
    for step in create_checkpoint(
        desk.runtime.uow(),
        desk.runtime.ledger(),
        desk.runtime.signer(),
        desk.actor("sgt.b"),
        desk.clock.now,
    ):
        if isinstance(step, CheckpointFile):
            made = step
    assert made is not None
    folder.mkdir(exist_ok=True)
    path = folder / "checkpoint.json"
    path.write_text(made.to_json(), encoding="utf-8")
    return path


def test_verify_against_a_checkpoint_names_the_altered_entry(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    for number in range(3):
        desk.record(**{"subject.booking_number": f"B26-20{number}"})
    checkpoint = _checkpoint(desk, tmp_path / "cp")
    desk.record(**{"subject.booking_number": "B26-AFTER"})  # the record goes on after it

    sign_in_as(qtbot, window, "sgt.b")
    window.verify_checkpoint_action.trigger()
    dialog = window.findChild(VerifyDialog, "verifyCheckpointDialog")
    assert dialog is not None
    click(qtbot, dialog.verify_button)  # no file chosen yet: nothing runs
    assert dialog.message.text() == "Choose the checkpoint file (.json) to verify against."
    assert dialog.result_ok is None and dialog.verify_button.isEnabled()

    dialog.choose_file = lambda _parent, _title, _folder: str(checkpoint)
    click(qtbot, dialog.choose_button)  # "Choose…", the file dialog answers
    assert dialog.checkpoint.text() == str(checkpoint)
    assert _verify(qtbot, dialog)
    assert dialog.message.text().startswith("Verified: the record extends the checkpoint")

    broken = tmp_path / "cp" / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    type_into(qtbot, dialog.checkpoint, str(broken))
    click(qtbot, dialog.verify_button)
    qtbot.waitUntil(lambda: "not a readable checkpoint file" in dialog.message.text())
    type_into(qtbot, dialog.checkpoint, str(tmp_path / "missing.json"))
    click(qtbot, dialog.verify_button)
    qtbot.waitUntil(lambda: "cannot be read" in dialog.message.text())

    # Altered, and the hashes after it recomputed: plain verification passes, the
    # checkpoint does not, and says which entry.
    window.records.wait()
    window.tasks.wait()
    _rewrite_history(desk.runtime, "UPDATE decisions SET outcome = 'decline' WHERE id = 1")
    type_into(qtbot, dialog.checkpoint, str(checkpoint))
    assert not _verify(qtbot, dialog)
    assert "does NOT extend the checkpoint" in dialog.message.text()
    assert "(decisions #1)" in dialog.message.text()
    dialog.grab().save(str(tmp_path / "verify-against-checkpoint-failed.png"))


def _backup(desk: Desk, target: Path) -> int:
    entries, _head = desk.runtime.backup_to(target)
    return entries


def test_an_administrator_restores_a_backup_after_confirming(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    desk.record(**{"subject.name": "KEPT, In the backup"})
    backup = tmp_path / "records-backup.sqlite3"
    entries = _backup(desk, backup)
    desk.record(**{"subject.name": "LATER, Than the backup"})

    sign_in_as(qtbot, window, "admin")
    window.restore_action.trigger()
    dialog = window.findChild(RestoreDialog)
    assert dialog is not None
    dialog.grab().save(str(tmp_path / "restore.png"))

    type_into(qtbot, dialog.backup, str(desk.runtime.paths.database_file))
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: "the database itself, not a backup" in dialog.message.text())

    not_a_backup = tmp_path / "notes.txt"
    not_a_backup.write_text("hello", encoding="utf-8")
    type_into(qtbot, dialog.backup, str(not_a_backup))
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: "not a Detainer Desk backup" in dialog.message.text())

    questions: list[str] = []

    def cancel(_parent: object, question: str) -> bool:
        questions.append(question)
        return False  # "Cancel"

    dialog.confirm = cancel
    type_into(qtbot, dialog.backup, str(backup))
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Nothing was changed"))
    assert f"({entries:,} entries, checked" in questions[0]
    assert "LATER, Than the backup" in _names(desk)  # nothing was restored

    dialog.confirm = lambda _parent, question: True
    with qtbot.waitSignal(dialog.restored, timeout=60_000) as restored:
        click(qtbot, dialog.restore_button)
    assert restored.args[0].startswith(f"The records were restored from {backup}")
    window.grab().save(str(tmp_path / "signed-out-after-restore.png"))
    # Everyone signs in again, to the restored records.
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_OUT)
    assert window.pages.currentWidget() is window.sign_in_page
    assert window.sign_in_page.error.text() == restored.args[0]
    assert restored.args[0].endswith("Sign in again.")
    names = _names(desk)
    assert "KEPT, In the backup" in names and "LATER, Than the backup" not in names
    kept = list((desk.runtime.paths.backups_dir).glob("*replaced-by-restore*"))
    assert len(kept) == 1
    restores = trail(desk.runtime, desk.admin, action="store.restore")
    assert restores and json.loads(restores[-1].details_json)["backup_entries"] == entries

    sign_in_as(qtbot, window, "sgt.b")
    window.decision_log_action.trigger()
    qtbot.waitUntil(lambda: window.records.log.model.rowCount() == 1)


def _names(desk: Desk) -> list[str]:
    page = board.log_page(desk.runtime.uow(), desk.actor("sgt.b"), DecisionQuery(), desk.clock.now)
    return [row.subject_name for row in page.rows]


def test_a_restore_is_refused_when_the_administrator_lost_the_role(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    backup = tmp_path / "records-backup.sqlite3"
    _backup(desk, backup)
    desk.record(**{"subject.name": "STAYS, Here"})
    seed_user(desk.runtime, desk.admin, "admin.two", ["admin"], "second admin passphrase")
    sign_in_as(qtbot, window, "admin")
    dialog = window.dialogs.open_restore()
    assert isinstance(dialog, RestoreDialog)
    # Meanwhile, at another workstation, the other administrator takes the role away.
    accounts.set_roles(
        desk.runtime.uow(), desk.actor("admin.two"), "admin", ["counsel"], desk.clock.now
    )
    dialog.confirm = lambda _parent, _question: True
    type_into(qtbot, dialog.backup, str(backup))
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: dialog.message.text().startswith("Not allowed"))
    assert "may not back up and restore the records" in dialog.message.text()
    assert "STAYS, Here" in _names(desk)  # nothing changed
    [denied] = trail(desk.runtime, desk.admin, action="store.restore", outcome="denied")
    assert denied.user_name == "admin"


def test_an_encrypted_backup_is_restored_with_its_passphrase(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    # Issue 17: a backup written encrypted (AES-256-GCM) is restored from the window.
    passphrase = "Harbour-7-lantern-Quiet"
    desk.record(**{"subject.name": "KEPT, Encrypted"})
    backup = tmp_path / "records.ddprot"
    desk.runtime.protected_backup_to(backup, passphrase)
    desk.record(**{"subject.name": "LATER, Than the copy"})
    sign_in_as(qtbot, window, "admin")
    dialog = window.dialogs.open_restore()
    assert isinstance(dialog, RestoreDialog)
    dialog.confirm = lambda _parent, _question: True
    type_into(qtbot, dialog.backup, str(backup))
    assert dialog.passphrase.isVisible()
    type_into(qtbot, dialog.passphrase, passphrase + "x")
    click(qtbot, dialog.restore_button)
    qtbot.waitUntil(lambda: "passphrase is not right" in dialog.message.text(), timeout=60_000)
    assert "LATER, Than the copy" in _names(desk)
    type_into(qtbot, dialog.passphrase, passphrase)
    with qtbot.waitSignal(dialog.restored, timeout=60_000):
        click(qtbot, dialog.restore_button)
    names = _names(desk)
    assert "KEPT, Encrypted" in names and "LATER, Than the copy" not in names
    assert dialog.passphrase.text() == ""
    # No decrypted copy is left in the data folder.
    assert not list(desk.runtime.paths.data_dir.glob(".detainer-desk.partial-*"))
