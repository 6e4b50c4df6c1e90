"""F1 opens the user guide at the part about the screen or dialog in focus, in the guide of
the person's own role when theirs covers it, also from inside a dialog."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.gui.help import SCREEN_GUIDES, GuideDialog, guide_text
from detainer_desk.gui.main_window import MainWindow

from .test_gui_records_support import Desk, desk_under, sign_in_as, window_on


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _press_f1(qtbot: QtBot, widget: QWidget) -> GuideDialog:
    widget.window().activateWindow()
    qtbot.waitActive(widget.window())
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus)
    qtbot.keyClick(widget, Qt.Key.Key_F1)
    guide = None

    def shown() -> bool:
        nonlocal guide
        found = [
            d
            for d in QApplication.topLevelWidgets()
            if isinstance(d, GuideDialog) and d.isVisible()
        ]
        guide = found[-1] if found else None
        return guide is not None

    qtbot.waitUntil(shown)
    assert guide is not None
    return guide


def _at(guide: GuideDialog) -> tuple[str, str]:
    """(the guide's role, the heading its cursor is on), the heading within view."""
    browser = guide.browser
    assert browser.viewport().rect().contains(browser.cursorRect().center())
    return guide.role, browser.textCursor().block().text()


def test_every_section_named_for_a_screen_is_in_its_guide() -> None:
    for name, candidates in SCREEN_GUIDES.items():
        for role, heading in candidates:
            if heading is not None:
                assert f"\n## {heading}\n" in guide_text(role), (name, role, heading)


def test_f1_on_the_sign_in_page(qtbot: QtBot, window: MainWindow) -> None:
    guide = _press_f1(qtbot, window.sign_in_page.user_name.edit)
    assert _at(guide) == ("officer", "Signing in and the screen lock")
    guide.close()


def test_f1_follows_the_screen_and_the_role(qtbot: QtBot, window: MainWindow) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    window.records.show_review()
    guide = _press_f1(qtbot, window.records.review.table)
    assert _at(guide) == ("supervisor", "The review queue (Records › Review queue)")
    guide.close()
    window.records.show_holds()
    guide = _press_f1(qtbot, window.records.holds.table)
    assert _at(guide) == ("supervisor", "Active holds (Records › Active holds)")
    guide.close()
    guide = _press_f1(qtbot, window.content_page.tabBar())  # on the tabs: the screen shown
    assert _at(guide) == ("supervisor", "Active holds (Records › Active holds)")
    guide.close()
    window.content_page.show_screen(window.intake)
    name = window.intake.findChild(QLineEdit, "subjectName")
    assert name is not None
    guide = _press_f1(qtbot, name)
    assert _at(guide) == ("officer", "Entering a request (the Intake tab)")
    guide.close()
    window.sign_out()

    sign_in_as(qtbot, window, "officer.a")
    window.records.show_holds()
    guide = _press_f1(qtbot, window.records.holds.table)
    assert _at(guide) == ("officer", "Holds")  # the officer's own guide covers it
    guide.close()
    window.sign_out()

    sign_in_as(qtbot, window, "counsel.d")
    window.records.show_log()
    guide = _press_f1(qtbot, window.records.log.search_edit)
    assert _at(guide) == ("counsel", "In the program")
    guide.close()


def test_f1_inside_a_dialog_opens_a_guide_that_can_be_used(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    sign_in_as(qtbot, window, "admin")
    users = window.dialogs.open_users()
    assert users is not None
    qtbot.waitExposed(users)
    guide = _press_f1(qtbot, users.table)
    assert _at(guide) == ("admin", "Accounts (Admin › Users…)")
    # Not blocked by the dialog it was asked from: it belongs to it.
    assert guide.parentWidget() is users and not guide.isModal()
    guide.grab().save(str(tmp_path / "guide-for-users.png"))
    guide.close()
    users.close()

    audit = window.dialogs.open_audit_trail()
    assert audit is not None
    qtbot.waitExposed(audit)
    guide = _press_f1(qtbot, audit.user_edit)
    assert _at(guide) == ("counsel", "In the program")
    guide.close()
    audit.close()
