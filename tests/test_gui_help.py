"""The Help menu (the About box, a guide for each role) and the storage notices banner."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu, QMessageBox
from pytestqt.qtbot import QtBot

import detainer_desk
from detainer_desk import logs
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.help import GUIDES, GuideDialog, about_text, guide_text
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime

from .test_gui_support import (
    ADMIN_PASSWORD,
    WORKSTATION,
    click,
    open_window,
    seed_admin,
    seed_user,
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


# -- About ---------------------------------------------------------------------------------


def test_about_says_version_database_policy_log_and_licences(
    qtbot: QtBot,
    window: MainWindow,
    store: Runtime,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    log_file = store.paths.log_dir / "detainer-desk.log"
    monkeypatch.setattr(logs, "current_log_file", lambda: log_file)

    window.about_action.trigger()

    box = window.findChild(QMessageBox, "aboutDialog")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    text = box.text()
    assert text.startswith(f"Detainer Desk {detainer_desk.__version__}\n")
    assert f"Database: {store.database_label}\n" in text
    assert "Policy: none active\n" in text
    assert f"Log file: {log_file}\n" in text
    assert "Licence: Apache License 2.0." in text
    assert "DejaVu fonts (Bitstream Vera and Arev font licences" in text
    assert "Droid Sans Fallback font (Apache License 2.0)" in text
    assert "common-password list of zxcvbn (MIT License)" in text
    assert "Qt for Python (PySide6, Shiboken6) and Qt: GNU LGPL 3.0" in box.detailedText()
    box.grab().save(str(tmp_path / "about.png"))
    click(qtbot, box.button(QMessageBox.StandardButton.Ok))
    qtbot.waitUntil(lambda: not box.isVisible())


def test_about_says_when_no_log_file_is_kept() -> None:
    text = about_text("/data/detainer-desk.sqlite3", "Judicial warrant only", None)
    assert "Log file: none is being kept (the data folder could not be written)" in text
    assert "Policy: Judicial warrant only\n" in text


# -- the guides ----------------------------------------------------------------------------


def _guide_dialog(window: MainWindow) -> GuideDialog:
    dialog = window.findChild(GuideDialog)
    assert dialog is not None
    return dialog


def test_each_roles_guide_opens_from_the_help_menu(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    headings = {
        "officer": "Intake officer's guide",
        "supervisor": "Supervisor's guide",
        "counsel": "County counsel's guide",
        "admin": "Administrator's guide",
    }
    assert [action.text() for action in window.guides.actions] == [g.menu_text for g in GUIDES]
    for action, guide in zip(window.guides.actions, GUIDES, strict=True):
        assert action.isEnabled()  # before anyone signs in, too
        action.trigger()
        dialog = _guide_dialog(window)
        qtbot.waitUntil(dialog.isVisible)
        assert dialog.role == guide.role
        assert dialog.browser.toPlainText().startswith(headings[guide.role])
        dialog.grab().save(str(tmp_path / f"guide-{guide.role}.png"))
    assert len(window.findChildren(GuideDialog)) == 1  # one guide window, reused

    dialog = _guide_dialog(window)
    dialog.roles.setCurrentRow(0)
    assert dialog.browser.toPlainText().startswith("Intake officer's guide")
    click(qtbot, dialog.close_button)
    qtbot.waitUntil(lambda: not dialog.isVisible())


_MENU_PATH = re.compile(r"\*\*(File|Records|Policy|Admin|Help) › ([^*]+?)\*\*")


def _plain(text: str) -> str:
    return text.replace("&", "").rstrip("…").strip()


def test_the_guides_name_menu_entries_that_exist(qtbot: QtBot, store: Runtime) -> None:
    """Every "Menu › Entry" a guide names is in the window's menus (signed in with all roles)."""
    admin = seed_admin(store)
    seed_user(store, admin, "all.roles", ["officer", "supervisor", "counsel"], ADMIN_PASSWORD)
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "all.roles", ADMIN_PASSWORD)
    menus: dict[str, list[str]] = {}
    for action in window.menuBar().actions():
        menu = action.menu()
        assert isinstance(menu, QMenu)
        menus[_plain(action.text())] = [_plain(a.text()) for a in menu.actions() if a.text()]
    named = [
        (menu, _plain(entry))
        for guide in GUIDES
        for menu, entry in _MENU_PATH.findall(guide_text(guide.role))
    ]
    assert len(named) > 10
    missing = [
        f"{menu} › {entry}"
        for menu, entry in named
        if not any(present.startswith(entry) for present in menus[menu])
    ]
    assert missing == []
    window.close()


def test_every_guide_is_package_data_and_plain_markdown() -> None:
    for guide in GUIDES:
        text = guide_text(guide.role)
        assert text.startswith("# ")
        assert len(text.split()) < 900, f"{guide.role}: keep it short"


# -- storage notices -----------------------------------------------------------------------


def _window_with_notices(qtbot: QtBot, store: Runtime, *notices: str) -> MainWindow:
    backend = dataclasses.replace(Backend.from_runtime(store, WORKSTATION), notices=notices)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def test_storage_notices_are_for_administrators_and_stay_dismissed(
    qtbot: QtBot, store: Runtime
) -> None:
    """The SQLite fallback worries an officer and is an administrator's to act on: the
    banner shows only while an administrator is signed in, and a dismissal holds on this
    workstation from one start to the next, notice by notice."""
    admin = seed_admin(store)
    seed_user(store, admin, "officer.o", ["officer"], "quiet orchard kettle")
    journal = "SQLite 3.40.1 has the WAL-reset corruption bug (fixed in 3.51.3): …"
    window = _window_with_notices(qtbot, store, journal)
    banner = window.notice_banner
    assert not banner.isVisible()  # nobody signed in yet

    signed_in(qtbot, window, "officer.o", "quiet orchard kettle")
    assert not banner.isVisible()
    window.sign_out()
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert banner.isVisible()
    assert banner.label.text() == f"Note: {journal}"
    assert banner.accessibleName() and banner.dismiss_button.accessibleName()
    click(qtbot, banner.dismiss_button)
    qtbot.waitUntil(lambda: not banner.isVisible())
    window.close()

    # The next start: the same words stay dismissed; a new notice (today's failed backup)
    # shows alone.
    backup = "Today's automatic backup could not be made (2026-12-06): the disk is full"
    window = _window_with_notices(qtbot, store, journal, backup)
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    assert window.notice_banner.isVisible()
    assert window.notice_banner.label.text() == f"Note: {backup}"
    ini = store.paths.data_dir / "workstation.ini"
    assert ini.stat().st_mode & 0o777 == 0o600
    window.close()


def test_the_backend_carries_the_runtimes_notices(store: Runtime, window: MainWindow) -> None:
    assert Backend.from_runtime(store, WORKSTATION).notices == store.notices
    assert not window.notice_banner.isVisible()  # nobody is signed in


def test_no_banner_without_notices(qtbot: QtBot, store: Runtime) -> None:
    backend = dataclasses.replace(Backend.from_runtime(store, WORKSTATION), notices=())
    window = MainWindow(backend)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    assert not window.notice_banner.isVisible()
    assert window.pages.isVisible()
    window.close()
