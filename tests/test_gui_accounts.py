"""Setting up, signing in and out, lockout and the session lock, driven through the real
window over a real record store, like an officer at the keyboard."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import accounts
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import UnitOfWork

from .test_gui_support import (
    ADMIN_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    click,
    open_store,
    open_window,
    recent,
    seed_admin,
    seed_user,
    settled,
    sign_in,
    signed_in,
    store_under,
    trail,
    type_into,
    window_over,
)
from .test_gui_wizard import through_to_the_administrator


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, store: Runtime) -> Iterator[MainWindow]:
    yield from window_over(qtbot, store)


def _status(window: MainWindow) -> str:
    return window.session_status.text()


def _locked_screen(window: MainWindow) -> bool:
    return (
        window.pages.currentWidget() is window.sign_in_page
        and window.sign_in_page.locked_user is not None
    )


def _fill_first_run(
    qtbot: QtBot, window: MainWindow, name: str, display: str, password: str, confirm: str
) -> None:
    through_to_the_administrator(qtbot, window)  # the wizard's county and policy steps
    page = window.first_run_page
    type_into(qtbot, page.user_name.edit, name)
    type_into(qtbot, page.display_name.edit, display)
    type_into(qtbot, page.password.edit, password)
    type_into(qtbot, page.confirm.edit, confirm)
    page.second_factor.setChecked(False)  # passwords only here (see test_gui_second_factor)
    click(qtbot, page.create_button)
    settled(qtbot, window)


# -- first run ------------------------------------------------------------------------------


def test_an_empty_store_opens_on_the_set_up_page(window: MainWindow) -> None:
    assert window.pages.currentWidget() is window.first_run_page
    assert not window.content_page.isVisible()
    assert _status(window) == "Not signed in"
    for menu in (window.request_menu, window.records_menu, window.admin_menu):
        assert not menu.menuAction().isEnabled()
    assert not window.lock_action.isEnabled()
    assert window.quit_action.isEnabled() and window.about_action.isEnabled()


def test_set_up_refuses_a_common_password_and_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _fill_first_run(qtbot, window, "admin", "Pat Admin", "password", "password")

    page = window.first_run_page
    qtbot.waitUntil(page.password.error.isVisible)
    assert "commonly used" in page.password.error.text()
    assert not page.user_name.error.isVisible()
    assert page.user_name.edit.text() == "admin"
    assert page.display_name.edit.text() == "Pat Admin"
    assert page.password.edit.text() == "password"
    assert window.pages.currentWidget() is page
    assert accounts.needs_first_admin(store.uow())


def test_set_up_shows_each_problem_beside_its_field(qtbot: QtBot, window: MainWindow) -> None:
    _fill_first_run(qtbot, window, "Pat Admin!", "", "short", "shorter")

    page = window.first_run_page
    qtbot.waitUntil(page.confirm.error.isVisible)
    assert "user name is 2 to 64 letters" in page.user_name.error.text()
    assert "at least 8 characters" in page.password.error.text()
    assert "not the same" in page.confirm.error.text()
    assert page.user_name.edit.hasFocus()


def test_set_up_creates_the_administrator_and_signs_them_in(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _fill_first_run(qtbot, window, "admin", "Pat Admin", ADMIN_PASSWORD, ADMIN_PASSWORD)

    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.content_page)
    assert _status(window) == "Signed in: admin (admin)"
    assert window.first_run_page.password.edit.text() == ""
    assert window.users_action.isEnabled()
    actor = window.session.actor
    assert actor is not None
    actions = [(e.action, e.target, e.workstation) for e in reversed(trail(store, actor))]
    assert actions == [
        ("account.create", "admin", WORKSTATION),
        # Issue 17: the installation's choice of a second factor, with the first account.
        ("settings.change", "second_factor_required", WORKSTATION),
        ("sign_in", "admin", WORKSTATION),
        ("settings.change", "installation", WORKSTATION),
        ("policy.activate", "policy version 1", WORKSTATION),
    ]


# -- signing in -----------------------------------------------------------------------------


def test_a_store_with_accounts_opens_on_the_sign_in_page(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    main_window = open_window(qtbot, store)

    assert main_window.pages.currentWidget() is main_window.sign_in_page
    assert main_window.sign_in_page.locked_user is None
    assert not main_window.sign_in_page.switch_user_button.isVisible()
    assert main_window.sign_in_page.user_name.edit.hasFocus()
    assert _status(main_window) == "Not signed in"
    main_window.close()


def test_enter_signs_in_and_the_status_bar_names_the_user(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    seed_user(store, admin, "j.smith", ["officer", "supervisor"], OFFICER_PASSWORD)
    main_window = open_window(qtbot, store)

    sign_in(qtbot, main_window, "J.Smith", OFFICER_PASSWORD)

    qtbot.waitUntil(lambda: main_window.pages.currentWidget() is main_window.content_page)
    assert main_window.content_page.isVisible()
    assert _status(main_window) == "Signed in: j.smith (officer, supervisor)"
    assert main_window.records_menu.menuAction().isEnabled()
    assert main_window.sign_in_page.password.edit.text() == ""
    [event] = trail(store, admin, action="sign_in", user_name="j.smith")
    assert event.outcome == "success" and recent(event.occurred_at)
    main_window.close()


def test_a_wrong_password_is_explained_and_the_user_name_kept(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    page = main_window.sign_in_page

    sign_in(qtbot, main_window, "admin", "not the password")

    qtbot.waitUntil(page.error.isVisible)
    assert page.error.text() == "Wrong user name or password."
    assert page.user_name.edit.text() == "admin"
    assert page.password.edit.text() == ""
    assert page.password.edit.hasFocus()
    assert main_window.pages.currentWidget() is page
    assert _status(main_window) == "Not signed in"
    [event] = trail(store, admin, action="sign_in", outcome="failure")
    assert json.loads(event.details_json) == {"why": "wrong password"}
    main_window.close()


def test_a_blank_password_is_not_sent_and_does_not_count_as_a_failure(
    qtbot: QtBot, store: Runtime
) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    page = main_window.sign_in_page

    type_into(qtbot, page.user_name.edit, "admin")
    qtbot.keyClick(page.user_name.edit, Qt.Key.Key_Return)

    qtbot.waitUntil(page.password.error.isVisible)
    assert page.password.error.text() == "Enter your password."
    assert trail(store, admin, action="sign_in", outcome="failure") == []
    main_window.close()


def test_five_wrong_passwords_lock_the_account_even_after_a_restart(
    qtbot: QtBot, tmp_path: Path
) -> None:
    first_store = open_store(tmp_path / "data")
    admin = seed_admin(first_store)
    seed_user(first_store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    first_window = open_window(qtbot, first_store)
    page = first_window.sign_in_page

    for attempt in range(5):
        sign_in(qtbot, first_window, "j.smith", f"guess number {attempt}")
    qtbot.waitUntil(lambda: "now locked" in page.error.text())
    assert "locked for 30 minutes" in page.error.text()  # the lock ends by itself
    assert "An administrator can unlock it sooner" in page.error.text()
    first_window.close()
    first_store.close()

    second_store = open_store(tmp_path / "data")
    second_window = open_window(qtbot, second_store)
    sign_in(qtbot, second_window, "j.smith", OFFICER_PASSWORD)

    qtbot.waitUntil(second_window.sign_in_page.error.isVisible)
    assert "locked" in second_window.sign_in_page.error.text()
    assert second_window.pages.currentWidget() is second_window.sign_in_page
    assert second_window.session.actor is None
    second_window.close()
    second_store.close()


# -- the session lock -----------------------------------------------------------------------


def test_ctrl_l_locks_the_screen_and_hides_the_content(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    main_window.activateWindow()
    qtbot.waitActive(main_window)

    qtbot.keyClick(main_window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)

    qtbot.waitUntil(lambda: _locked_screen(main_window))
    assert not main_window.content_page.isVisible()
    assert _status(main_window) == "Locked (admin)"
    assert main_window.sign_in_page.heading.text() == "Session locked"
    assert main_window.sign_in_page.switch_user_button.isVisible()
    assert not main_window.sign_in_page.user_name.edit.isVisible()
    for menu in (main_window.request_menu, main_window.records_menu, main_window.admin_menu):
        assert not menu.menuAction().isEnabled()
    for action in (main_window.lock_action, main_window.sign_out_action, main_window.users_action):
        assert not action.isEnabled()
    assert not main_window.idle_timer.isActive()
    settled(qtbot, main_window)
    [event] = trail(store, admin, action="session.lock")
    assert json.loads(event.details_json) == {"why": "on demand"}
    main_window.close()


def test_locking_closes_open_dialogs(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    main_window.users_action.trigger()
    users: Any = main_window.findChild(QDialog, "usersDialog")
    assert users is not None
    qtbot.waitUntil(users.isVisible)
    add = users.add_user()
    qtbot.waitUntil(add.isVisible)
    type_into(qtbot, add.fields["password"].edit, "half-typed secret")

    assert main_window.lock(idle=False)

    visible_dialogs = [d for d in main_window.findChildren(QDialog) if d.isVisible()]
    assert visible_dialogs == []
    main_window.close()


def test_the_same_user_resumes_with_their_password(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    main_window.lock(idle=False)
    page = main_window.sign_in_page

    type_into(qtbot, page.password.edit, "wrong again")
    qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(page.error.isVisible)
    assert _locked_screen(main_window)

    type_into(qtbot, page.password.edit, ADMIN_PASSWORD)
    click(qtbot, page.sign_in_button)

    qtbot.waitUntil(lambda: main_window.pages.currentWidget() is main_window.content_page)
    assert _status(main_window) == "Signed in: admin (admin)"
    assert main_window.idle_timer.isActive()
    assert [e.action for e in trail(store, admin, action="session.resume")] == ["session.resume"]
    main_window.close()


def test_someone_else_takes_over_a_locked_screen(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    main_window.lock(idle=True)
    page = main_window.sign_in_page

    click(qtbot, page.switch_user_button)

    qtbot.waitUntil(lambda: page.locked_user is None)
    assert page.error.text() == "admin was signed out."
    assert page.user_name.edit.text() == ""
    assert _status(main_window) == "Not signed in"
    settled(qtbot, main_window)
    [signed_out] = trail(store, admin, action="sign_out")
    assert signed_out.user_name == "admin"
    assert json.loads(signed_out.details_json) == {"why": "replaced at the lock screen"}

    signed_in(qtbot, main_window, "j.smith", OFFICER_PASSWORD)
    assert _status(main_window) == "Signed in: j.smith (officer)"
    assert not main_window.users_action.isEnabled()
    main_window.close()


def test_the_idle_timer_uses_the_stored_setting_and_locks_when_it_fires(
    qtbot: QtBot, store: Runtime
) -> None:
    admin = seed_admin(store)
    accounts.set_session_timeout(store.uow(), admin, 3, utc_now())
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)

    assert main_window.idle_timer.isActive()
    assert main_window.idle_timer.isSingleShot()
    assert main_window.idle_timer.interval() == 3 * 60_000

    main_window.idle_timer.timeout.emit()

    qtbot.waitUntil(lambda: _locked_screen(main_window))
    assert "after a period without activity" in main_window.sign_in_page.explanation.text()
    settled(qtbot, main_window)
    [event] = trail(store, admin, action="session.lock")
    assert json.loads(event.details_json) == {"why": "inactivity"}
    main_window.close()


def test_a_short_idle_interval_locks_by_itself(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    main_window = open_window(qtbot, store, idle_interval_ms=50)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)

    qtbot.waitUntil(lambda: _locked_screen(main_window), timeout=5_000)
    assert _status(main_window) == "Locked (admin)"
    main_window.close()


def test_keyboard_activity_restarts_the_idle_countdown(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    main_window.idle_timer.stop()

    qtbot.keyClick(main_window.content_page, Qt.Key.Key_Down)

    assert main_window.idle_timer.isActive()
    main_window.close()


def test_no_lock_without_a_session(window: MainWindow) -> None:
    assert window.lock(idle=True) is False
    assert window.pages.currentWidget() is window.first_run_page


# -- signing out ----------------------------------------------------------------------------


def test_file_sign_out_ends_the_session(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)

    main_window.sign_out_action.trigger()

    qtbot.waitUntil(lambda: main_window.pages.currentWidget() is main_window.sign_in_page)
    assert main_window.sign_in_page.locked_user is None
    assert main_window.sign_in_page.error.text() == "admin signed out."
    assert _status(main_window) == "Not signed in"
    assert not main_window.idle_timer.isActive()
    settled(qtbot, main_window)
    [event] = trail(store, admin, action="sign_out")
    assert json.loads(event.details_json) == {"why": "signed out"}
    main_window.close()


def test_closing_the_window_signs_out(qtbot: QtBot, store: Runtime) -> None:
    admin = seed_admin(store)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)

    main_window.close()

    settled(qtbot, main_window)
    [event] = trail(store, admin, action="sign_out")
    assert json.loads(event.details_json) == {"why": "closed the program"}


class _DiskFull(RecordError):
    pass


class _BreakableStore:
    """A unit-of-work factory over the real store that can be made to fail, as a full
    disk or a lost server connection would."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.broken = False

    def __call__(self) -> UnitOfWork:
        if self.broken:
            raise _DiskFull("the disk is full")
        return self.runtime.uow()


def test_the_screen_locks_even_when_the_lock_cannot_be_recorded(
    qtbot: QtBot, store: Runtime
) -> None:
    seed_admin(store)
    breakable = _BreakableStore(store)
    backend = dataclasses.replace(Backend.from_runtime(store, WORKSTATION), uow=breakable)
    main_window = MainWindow(backend)
    qtbot.addWidget(main_window)
    with qtbot.waitExposed(main_window):
        main_window.show()
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    breakable.broken = True

    assert main_window.lock(idle=True)
    settled(qtbot, main_window)

    assert _locked_screen(main_window)
    assert not main_window.content_page.isVisible()
    assert main_window.sign_in_page.error.text() == (
        "The lock could not be recorded: The disk is full."
    )
    main_window.close()  # the sign-out cannot be recorded either; closing goes on
    assert not main_window.isVisible()
