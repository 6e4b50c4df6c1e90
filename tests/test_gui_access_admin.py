"""Admin › Sign-in and notices and Admin › Directory sign-in, driven in the window; then a
directory account signs in to the window against the real OpenLDAP server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.runtime import Runtime
from detainer_desk.services import second_factor as factors
from detainer_desk.services.settings import read_settings

from .ldap_server import OFFICERS, PEOPLE, PEOPLE_IN_DIRECTORY, SUFFIX, LdapServer
from .test_gui_support import (
    ADMIN_PASSWORD,
    click,
    closed,
    open_store,
    open_window,
    seed_admin,
    signed_in,
    type_into,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    runtime = open_store(tmp_path / "data")
    seed_admin(runtime)
    yield runtime
    runtime.close()


@pytest.fixture
def window(qtbot: QtBot, store: Runtime) -> Iterator[MainWindow]:
    main = open_window(qtbot, store)
    yield main
    main.close()


def test_sign_in_settings_are_saved_and_the_notice_changes(
    qtbot: QtBot, window: MainWindow, store: Runtime, tmp_path: Path
) -> None:
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    # The window's tests make installations without the requirement: the status bar says so.
    assert "5.6.2.2" in window.statusBar().currentMessage()
    dialog: Any = window.dialogs.open_sign_in_settings()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # what is saved, read in the background
    dialog.grab().save(str(tmp_path / "sign-in-settings.png"))
    assert not dialog.second_factor.isChecked()
    dialog.inactive.setValue(45)
    dialog.notice.setPlainText("Example County. Authorized use only.")
    dialog.second_factor.setChecked(True)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    settings = read_settings(store.uow())
    assert settings.inactive_days == 45 and settings.second_factor_required
    assert factors.is_required(store.uow())
    window.sign_out()
    # Read again in the background once the settings were saved.
    qtbot.waitUntil(
        lambda: window.sign_in_page.notice.text() == "Example County. Authorized use only."
    )


def test_directory_settings_tested_saved_and_a_directory_account_signs_in(
    qtbot: QtBot, window: MainWindow, store: Runtime, ldap_server: LdapServer, tmp_path: Path
) -> None:
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    dialog: Any = window.dialogs.open_directory()
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # what is saved, read in the background
    type_into(qtbot, dialog.url.edit, ldap_server.starttls_url)
    dialog.tls.setCurrentIndex(0)  # LDAPS on an ldap:// address: refused, said in words
    type_into(qtbot, dialog.bind.edit, f"uid={{user}},{PEOPLE}")
    type_into(qtbot, dialog.base.edit, SUFFIX)
    dialog.ca.setPlainText(ldap_server.ca_pem)
    dialog.groups.setPlainText(f"{OFFICERS} = officer\ndd-supervisors = supervisor")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert "plain connection" in dialog.url.error.text()
    dialog.tls.setCurrentIndex(1)  # StartTLS
    type_into(qtbot, dialog.test_user.edit, "sgt.lee")
    type_into(qtbot, dialog.test_password.edit, PEOPLE_IN_DIRECTORY["sgt.lee"][0])
    click(qtbot, dialog.test_button)
    assert "Roles here: officer, supervisor" in dialog.test_result.text()
    assert dialog.test_password.text() == ""  # not kept
    dialog.grab().save(str(tmp_path / "directory.png"))
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))

    window.sign_out()
    page = window.sign_in_page
    type_into(qtbot, page.user_name.edit, "j.smith")
    type_into(qtbot, page.password.edit, PEOPLE_IN_DIRECTORY["j.smith"][0])
    qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    assert window.session.actor is not None
    assert window.session.actor.roles == frozenset({"officer"})
