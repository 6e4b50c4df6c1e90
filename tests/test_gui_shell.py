"""The window's frame: title, status bar, menus, welcome panel, About box, accessibility,
fitting a small screen, and ``run_gui``'s smoke and start-up-error paths."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QWidget,
)
from pytestqt.qtbot import QtBot

import detainer_desk
from detainer_desk import presets
from detainer_desk.gui.app import run_gui
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import records
from detainer_desk.services.ports import Actor

from .test_gui_support import (
    ADMIN_PASSWORD,
    WORKSTATION,
    open_window,
    seed_admin,
    signed_in,
    store_under,
    window_over,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, store: Runtime) -> Iterator[MainWindow]:
    yield from window_over(qtbot, store)


PRESET = "48-hour-cap"


@pytest.fixture
def admin_window(qtbot: QtBot, store: Runtime) -> Iterator[MainWindow]:
    seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    yield main_window
    main_window.close()


def _activate_preset(store: Runtime, admin: Actor) -> str:
    result = records.activate_policy(
        store.uow(), presets.preset_bytes(PRESET), PRESET, admin, utc_now()
    )
    return result.activation.policy.name


def _menu_titles(window: MainWindow) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def _entries(menu_title: str, window: MainWindow) -> dict[str, bool]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == menu_title:
            menu: Any = action.menu()
            return {
                entry.text().replace("&", ""): entry.isEnabled()
                for entry in menu.actions()
                if not entry.isSeparator()
            }
    raise AssertionError(f"no {menu_title} menu")


def _welcome_text(window: MainWindow) -> str:
    panel = window.findChild(QWidget, "welcomePanel")
    assert panel is not None
    return "\n".join(label.text() for label in panel.findChildren(QLabel))


def test_window_title(window: MainWindow) -> None:
    assert window.windowTitle() == "Detainer Desk"


def test_status_bar_shows_database_policy_and_session(window: MainWindow, store: Runtime) -> None:
    database = window.statusBar().findChild(QLabel, "databaseStatus")
    policy = window.statusBar().findChild(QLabel, "policyStatus")
    session = window.statusBar().findChild(QLabel, "sessionStatus")

    assert database is not None and policy is not None and session is not None
    assert database.text() == f"Database: {store.database_label}"
    assert store.database_label.endswith("detainer-desk.sqlite3")
    assert policy.text() == "Policy: none active"
    assert session.text() == "Not signed in"


def test_the_active_policy_shows_before_and_after_signing_in(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    name = _activate_preset(store, admin)
    main_window = open_window(qtbot, store)

    assert main_window.policy_status.text() == f"Policy: {name}"
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    assert f"Active policy: {name}" in _welcome_text(main_window)
    assert "No policy is active yet" not in _welcome_text(main_window)
    main_window.close()


def test_a_policy_activated_elsewhere_shows_at_the_next_sign_in(
    qtbot: QtBot, store: Runtime
) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    assert main_window.policy_status.text() == "Policy: none active"

    name = _activate_preset(store, admin)  # e.g. from the command line on another desk
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)

    assert main_window.policy_status.text() == f"Policy: {name}"
    main_window.close()


def test_status_labels_are_permanent(window: MainWindow) -> None:
    window.statusBar().showMessage("A passing message")

    for name in ("databaseStatus", "policyStatus", "sessionStatus"):
        label = window.findChild(QLabel, name)
        assert label is not None and label.isVisible(), name


def test_menus_present(admin_window: MainWindow) -> None:
    assert _menu_titles(admin_window) == [
        "File",
        "Request",
        "Records",
        "Policy",
        "Reports",
        "Admin",
        "Help",
    ]
    assert _entries("File", admin_window) == {
        "New request": False,
        "Open request…": False,
        "Open recent": False,
        "Save request as…": False,
        "Change my password…": True,
        "Lock": True,
        "Sign out": True,
        "Quit": True,
    }
    assert _entries("Request", admin_window) == {
        "Check request…": False,
        "Record decision…": False,
    }
    assert _entries("Records", admin_window) == {
        "Decision log": False,
        "Review queue": False,
        "Active holds": False,
        "Statistics": False,
        "Export for litigation…": False,
        "Checkpoint of the record…": True,  # supervisors and administrators sign them
        "Verify the record…": True,  # anyone signed in, as on the command line
        "Verify against a checkpoint…": True,
    }
    assert _entries("Reports", admin_window) == {
        "Reports and notices the law asks for…": True,
        "ICE contacts…": False,  # an administrator does not view records
        "Record an ICE contact…": False,  # an administrator records no contact
    }
    assert _entries("Admin", admin_window) == {
        "Users…": True,
        "Settings…": True,
        "Sign-in and notices…": True,  # issue 17
        "Directory sign-in…": True,  # issue 17
        "Database…": True,
        "Audit trail…": True,
        "Audit review report…": True,  # issue 17
        "Account validation report…": True,  # issue 17
        "Back up the records…": True,
        "Restore from a backup…": True,
        "Verify the record…": True,
        "Verify against a checkpoint…": True,
    }
    assert _entries("Policy", admin_window) == {
        "Policy in force…": True,
        "Version history…": True,
        "Activate a policy…": True,
        "What if…": True,
    }
    assert _entries("Help", admin_window) == {
        "Help for this screen": True,
        "Officer's guide": True,
        "Supervisor's guide": True,
        "Counsel's guide": True,
        "Administrator's guide": True,
        "About Detainer Desk": True,
    }
    assert admin_window.lock_action.shortcut() == QKeySequence("Ctrl+L")


def test_disabled_entries_say_why(admin_window: MainWindow) -> None:
    window = admin_window
    # An administrator does not decide: the intake entries say which roles they need.
    for action in (window.check_action, window.open_request_action):
        assert action.toolTip() == "Needs the officer or supervisor or counsel role"
    assert window.record_action.toolTip() == "Needs the officer or supervisor role"
    for action in (
        window.decision_log_action,
        window.review_queue_action,
        window.active_holds_action,
    ):
        assert not action.isEnabled()
        assert action.toolTip().startswith("Needs the ")  # an administrator sees no records
    for menu in (window.file_menu, window.request_menu, window.records_menu, window.admin_menu):
        assert menu.toolTipsVisible()


def test_quit_shortcut_closes_window(window: MainWindow, qtbot: QtBot) -> None:
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")

    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: not window.isVisible())


def test_welcome_panel_explains_purpose_and_state(admin_window: MainWindow) -> None:
    text = _welcome_text(admin_window)

    assert "ICE immigration detainer request" in text
    assert "No policy is active yet" in text
    assert "In this version" in text
    assert "Accounts, roles and the audit trail" in text
    assert "Check and record a request" in text
    assert "Not built yet" not in text  # every screen of this version is there


def test_about_dialog_shows_version_database_and_policy(
    window: MainWindow, store: Runtime, qtbot: QtBot
) -> None:
    window.about_action.trigger()

    box = window.findChild(QMessageBox, "aboutDialog")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == "About Detainer Desk"
    assert f"Detainer Desk {detainer_desk.__version__}" in box.text()
    assert f"Database: {store.database_label}" in box.text()
    assert "Policy: none active" in box.text()

    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())


CONTROLS = (QLineEdit, QAbstractButton, QComboBox, QAbstractSpinBox, QTableView)


def _unnamed_controls(root: QWidget) -> list[str]:
    unnamed = []
    for kind in CONTROLS:
        for control in root.findChildren(kind):
            # Parts Qt builds inside composite widgets (a combo box's line edit, a date
            # edit's editor, a table's corner button) are named by their owner.
            owners = (QComboBox, QAbstractSpinBox, QTableView, QLineEdit)
            if isinstance(control.parentWidget(), owners):
                continue
            if not control.accessibleName():
                unnamed.append(f"{type(control).__name__} {control.objectName()!r}")
    return unnamed


def test_widgets_have_names_for_assistive_technology(
    qtbot: QtBot, admin_window: MainWindow
) -> None:
    window = admin_window
    for name in ("databaseStatus", "policyStatus", "sessionStatus", "policyNotice"):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    for menu in (
        window.file_menu,
        window.request_menu,
        window.records_menu,
        window.admin_menu,
        window.help_menu,
    ):
        assert menu.objectName() and menu.accessibleName()
    assert _unnamed_controls(window.pages) == []

    opened: list[QDialog | None] = [
        window.dialogs.open_users(),
        window.dialogs.open_settings(),
        window.dialogs.open_audit_trail(),
        window.dialogs.open_change_password(),
    ]
    users = opened[0]
    assert users is not None
    opened.append(users.add_user())  # type: ignore[attr-defined]
    for dialog in opened:
        assert dialog is not None
        assert dialog.accessibleName(), dialog.objectName()
        assert _unnamed_controls(dialog) == [], dialog.objectName()


def test_sign_in_tab_order_follows_the_form(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    main_window = open_window(qtbot, store)
    page = main_window.sign_in_page

    assert page.user_name.edit.nextInFocusChain() is page.password.edit
    assert page.password.edit.nextInFocusChain() is page.sign_in_button
    assert page.user_name.label.buddy() is page.user_name.edit
    main_window.close()


def test_fits_a_1366_by_768_screen_even_with_a_long_path(qtbot: QtBot, store: Runtime) -> None:
    long_path = "/mnt/county-share/" + "very-long-folder-name/" * 12 + "detainer-desk.sqlite3"
    seed_admin(store)
    backend = dataclasses.replace(
        Backend.from_runtime(store, WORKSTATION), database_label=long_path
    )
    main_window = MainWindow(backend)
    qtbot.addWidget(main_window)
    with qtbot.waitExposed(main_window):
        main_window.show()

    # Sized from the screen it opens on (the test screen is 800x800), never beyond it.
    area = main_window.screen().availableGeometry()
    assert main_window.width() <= area.width()
    assert main_window.height() <= area.height()
    hint = main_window.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 768
    database = main_window.findChild(QLabel, "databaseStatus")
    assert database is not None
    assert database.toolTip() == f"Database: {long_path}"

    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    for dialog in (
        main_window.dialogs.open_users(),
        main_window.dialogs.open_settings(),
        main_window.dialogs.open_audit_trail(),
        main_window.dialogs.open_change_password(),
    ):
        assert dialog is not None
        for size in (dialog.size(), dialog.minimumSizeHint()):
            assert size.width() <= 1366 and size.height() <= 700, dialog.objectName()
        dialog.reject()
    main_window.close()


def test_run_gui_smoke_shows_the_set_up_page_then_closes(qtbot: QtBot, store: Runtime) -> None:
    assert run_gui(store, smoke=True, workstation=WORKSTATION) == 0

    assert QApplication.applicationName() == "Detainer Desk"
    assert QApplication.organizationName() == "DetainerDesk"
    still_open = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
    assert still_open == []


def test_run_gui_smoke_with_accounts_shows_the_sign_in_page(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    assert run_gui(store, smoke=True) == 0


def test_run_gui_explains_a_store_that_cannot_be_opened(qtbot: QtBot) -> None:
    message = "Detainer Desk cannot open its records: the folder is a file"

    assert run_gui(None, smoke=True, startup_error=message) == 2


def test_evidence_dialogs_open_for_the_roles_that_may_use_them(admin_window: MainWindow) -> None:
    assert admin_window.dialogs.open_backup() is not None
    assert admin_window.checkpoint_action.isEnabled()  # supervisors and administrators sign
    assert admin_window.dialogs.open_export() is None  # an administrator does not export records
    assert not admin_window.export_action.isEnabled()
    assert admin_window.export_action.toolTip() == "Needs the counsel role"
