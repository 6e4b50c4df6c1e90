from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

import detainer_desk
from detainer_desk.gui.app import run_gui
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.paths import resolve_paths

DB_PATH = "/srv/county/detainer-desk.sqlite3"


@pytest.fixture
def window(qtbot: QtBot) -> MainWindow:
    main_window = MainWindow(DB_PATH, None)
    qtbot.addWidget(main_window)
    return main_window


def _menu_titles(window: MainWindow) -> list[str]:
    return [action.text().replace("&", "") for action in window.menuBar().actions()]


def _entries(menu_title: str, window: MainWindow) -> dict[str, bool]:
    for action in window.menuBar().actions():
        if action.text().replace("&", "") == menu_title:
            menu = action.menu()
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


def test_status_bar_shows_database_and_no_policy(window: MainWindow) -> None:
    database = window.statusBar().findChild(QLabel, "databaseStatus")
    policy = window.statusBar().findChild(QLabel, "policyStatus")

    assert database is not None and policy is not None
    assert database.text() == f"Database: {DB_PATH}"
    assert policy.text() == "Policy: none active"


def test_status_bar_shows_active_policy_name(qtbot: QtBot) -> None:
    main_window = MainWindow(DB_PATH, "County policy 2024-07")
    qtbot.addWidget(main_window)

    policy = main_window.findChild(QLabel, "policyStatus")
    assert policy is not None
    assert policy.text() == "Policy: County policy 2024-07"
    assert "Active policy: County policy 2024-07" in _welcome_text(main_window)
    assert "No policy is active yet" not in _welcome_text(main_window)


def test_status_labels_are_permanent(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitExposed(window):
        window.show()

    window.statusBar().showMessage("A passing message")

    database = window.findChild(QLabel, "databaseStatus")
    assert database is not None and database.isVisible()


def test_menus_present(window: MainWindow) -> None:
    assert _menu_titles(window) == ["File", "Request", "Records", "Help"]
    assert _entries("File", window) == {"Open request…": False, "Quit": True}
    assert _entries("Request", window) == {"Check request…": False, "Record decision…": False}
    assert _entries("Records", window) == {
        "Decision log": False,
        "Review queue": False,
        "Active holds": False,
    }
    assert _entries("Help", window) == {"About Detainer Desk": True}


def test_disabled_entries_say_why(window: MainWindow) -> None:
    for action in (window.check_action, window.record_action, window.open_request_action):
        assert action.toolTip() == "Coming with the intake screen"
    for action in (
        window.decision_log_action,
        window.review_queue_action,
        window.active_holds_action,
    ):
        assert not action.isEnabled()
        assert action.toolTip().startswith("Coming with")
    for menu in (window.file_menu, window.request_menu, window.records_menu):
        assert menu.toolTipsVisible()


def test_quit_shortcut_closes_window(window: MainWindow, qtbot: QtBot) -> None:
    assert window.quit_action.shortcut() == QKeySequence("Ctrl+Q")

    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: not window.isVisible())


def test_welcome_panel_explains_purpose_and_state(window: MainWindow) -> None:
    text = _welcome_text(window)

    assert "ICE immigration detainer request" in text
    assert "No policy is active yet" in text
    assert "In this version" in text
    assert "Not built yet" in text
    assert "Check a request" in text


def test_about_dialog_shows_version_database_and_policy(window: MainWindow, qtbot: QtBot) -> None:
    with qtbot.waitExposed(window):
        window.show()

    window.about_action.trigger()

    box = window.findChild(QMessageBox, "aboutDialog")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert box.windowTitle() == "About Detainer Desk"
    assert f"Detainer Desk {detainer_desk.__version__}" in box.text()
    assert f"Database: {DB_PATH}" in box.text()
    assert "Policy: none active" in box.text()

    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())


def test_widgets_have_names_for_assistive_technology(window: MainWindow) -> None:
    for name in ("databaseStatus", "policyStatus", "policyNotice", "welcomeHeading"):
        widget = window.findChild(QWidget, name)
        assert widget is not None, name
        assert widget.accessibleName(), name
    for menu in (window.file_menu, window.request_menu, window.records_menu, window.help_menu):
        assert menu.objectName() and menu.accessibleName()


def test_fits_a_1366_by_768_screen_even_with_a_long_path(qtbot: QtBot) -> None:
    long_path = "/mnt/county-share/" + "very-long-folder-name/" * 12 + "detainer-desk.sqlite3"
    main_window = MainWindow(long_path, "A policy with a fairly long descriptive name")
    qtbot.addWidget(main_window)

    assert main_window.size().width() == 1100
    assert main_window.size().height() == 720
    hint = main_window.minimumSizeHint()
    assert hint.width() <= 1366
    assert hint.height() <= 768
    database = main_window.findChild(QLabel, "databaseStatus")
    assert database is not None
    assert database.toolTip() == f"Database: {long_path}"


def test_run_gui_smoke_shows_then_closes(qtbot: QtBot, tmp_path: Path) -> None:
    paths = resolve_paths(tmp_path, environ={})

    assert run_gui(paths, smoke=True) == 0

    assert QApplication.applicationName() == "Detainer Desk"
    assert QApplication.organizationName() == "DetainerDesk"
    still_open = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()
    ]
    assert still_open == []
