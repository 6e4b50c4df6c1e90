"""The Admin menu (users, settings, audit trail) and File › Change my password, driven
through the real dialogs over a real record store."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from detainer_desk.domain.details import details_text
from detainer_desk.gui.audit_trail import COLUMNS, AuditTrailDialog, time_text
from detainer_desk.gui.dialogs import (
    AddUserDialog,
    ChangePasswordDialog,
    ResetPasswordDialog,
    RolesDialog,
    SettingsDialog,
)
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.users import UsersDialog
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import accounts
from detainer_desk.services.access import RecordError
from detainer_desk.services.ports import Actor

from .test_gui_support import (
    ADMIN_PASSWORD,
    COUNSEL_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    answer,
    click,
    closed,
    open_window,
    seed_admin,
    seed_user,
    settled,
    signed_in,
    store_under,
    trail,
    type_into,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    return seed_admin(store)


@pytest.fixture
def admin_window(qtbot: QtBot, store: Runtime, admin: Actor) -> Iterator[MainWindow]:
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "admin", ADMIN_PASSWORD)
    yield main_window
    main_window.close()


def _users_dialog(qtbot: QtBot, window: MainWindow) -> UsersDialog:
    window.users_action.trigger()
    dialog = window.findChild(UsersDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded_once and not dialog.loading)  # read in the background
    return dialog


def _table_rows(dialog: UsersDialog) -> dict[str, tuple[str, ...]]:
    model = dialog.model
    return {
        model.index(row, 0).data(): tuple(
            model.index(row, column).data() for column in range(model.columnCount())
        )
        for row in range(model.rowCount())
    }


def _lock_out(store: Runtime, name: str) -> None:
    for attempt in range(5):
        with pytest.raises(RecordError):
            accounts.sign_in(
                store.uow(), store.security(), name, f"guess {attempt}", WORKSTATION, utc_now()
            )


# -- who may use the Admin menu ---------------------------------------------------------------


def test_an_officer_sees_the_admin_entries_switched_off(
    qtbot: QtBot, store: Runtime, admin: Actor
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "j.smith", OFFICER_PASSWORD)

    assert main_window.admin_menu.menuAction().isEnabled()
    for action in (main_window.users_action, main_window.settings_action):
        assert not action.isEnabled()
        assert action.toolTip() == "Needs the admin role"
    assert not main_window.audit_action.isEnabled()
    assert main_window.audit_action.toolTip() == "Needs the counsel or admin role"
    assert main_window.change_password_action.isEnabled()
    assert main_window.dialogs.open_users() is None
    main_window.close()


def test_counsel_may_read_the_audit_trail_but_not_manage_accounts(
    qtbot: QtBot, store: Runtime, admin: Actor
) -> None:
    seed_user(store, admin, "c.jones", ["counsel"], COUNSEL_PASSWORD)
    main_window = open_window(qtbot, store)
    signed_in(qtbot, main_window, "c.jones", COUNSEL_PASSWORD)

    assert main_window.audit_action.isEnabled()
    assert not main_window.users_action.isEnabled()
    main_window.audit_action.trigger()
    dialog = main_window.findChild(AuditTrailDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)  # read in the background
    assert dialog.model.rowCount() > 0
    main_window.close()


def test_an_administrator_has_every_admin_entry(admin_window: MainWindow) -> None:
    for action in (admin_window.users_action, admin_window.settings_action):
        assert action.isEnabled()
    assert admin_window.audit_action.isEnabled()


# -- users ------------------------------------------------------------------------------------


def test_the_users_dialog_lists_accounts_with_roles_and_state(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer", "supervisor"], OFFICER_PASSWORD)
    dialog = _users_dialog(qtbot, admin_window)

    rows = _table_rows(dialog)
    assert set(rows) == {"admin", "j.smith"}
    assert rows["j.smith"][1:3] == ("J.Smith", "officer, supervisor")
    assert rows["j.smith"][4] == "Active"
    assert not dialog.roles_button.isEnabled()  # nothing selected yet


def test_add_an_account(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    users = _users_dialog(qtbot, admin_window)
    click(qtbot, users.add_button)
    add = users.findChild(AddUserDialog)
    assert add is not None
    qtbot.waitUntil(add.isVisible)

    type_into(qtbot, add.fields["user_name"].edit, "r.lee")
    type_into(qtbot, add.fields["display_name"].edit, "Robin Lee")
    click(qtbot, add.roles.boxes["supervisor"])
    type_into(qtbot, add.fields["password"].edit, "silver canyon teapot")
    type_into(qtbot, add.fields["confirm"].edit, "silver canyon teapot")
    click(qtbot, add.ok_button)

    qtbot.waitUntil(lambda: "r.lee" in _table_rows(users))
    assert closed(add)
    assert _table_rows(users)["r.lee"][1:3] == ("Robin Lee", "officer, supervisor")
    assert users.message.text() == "The account r.lee was created."
    assert users.selected_user() is not None and users.selected_user().name == "r.lee"
    [created] = [u for u in accounts.list_users(store.uow(), admin, utc_now()) if u.name == "r.lee"]
    assert created.roles == frozenset({"officer", "supervisor"})


def test_adding_a_duplicate_account_is_refused_in_the_dialog_keeping_the_form(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    users = _users_dialog(qtbot, admin_window)
    add = users.add_user()
    assert isinstance(add, AddUserDialog)
    qtbot.waitUntil(add.isVisible)

    type_into(qtbot, add.fields["user_name"].edit, "j.smith")
    type_into(qtbot, add.fields["password"].edit, "silver canyon teapot")
    type_into(qtbot, add.fields["confirm"].edit, "silver canyon teapot")
    click(qtbot, add.roles.boxes["officer"])  # now no role at all
    click(qtbot, add.ok_button)
    qtbot.waitUntil(add.roles.error.isVisible)
    assert add.roles.error.text() == "Choose at least one role."

    click(qtbot, add.roles.boxes["officer"])
    click(qtbot, add.ok_button)

    qtbot.waitUntil(add.error.isVisible)
    assert add.error.text() == "There is already an account named j.smith."
    assert add.isVisible()
    assert add.fields["user_name"].edit.text() == "j.smith"
    assert add.fields["password"].edit.text() == "silver canyon teapot"


def test_unlock_a_locked_out_account(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    _lock_out(store, "j.smith")
    users = _users_dialog(qtbot, admin_window)
    assert _table_rows(users)["j.smith"][4].startswith("Locked since ")

    users.select_user("admin")
    assert not users.unlock_button.isEnabled()
    users.select_user("j.smith")
    click(qtbot, users.unlock_button)

    qtbot.waitUntil(lambda: _table_rows(users)["j.smith"][4] == "Active")
    assert users.message.text() == "The account j.smith was unlocked. They can sign in again."
    assert not users.unlock_button.isEnabled()
    officer = accounts.sign_in(
        store.uow(), store.security(), "j.smith", OFFICER_PASSWORD, WORKSTATION, utc_now()
    )
    assert officer.user == "j.smith"
    assert [e.target for e in trail(store, admin, action="account.unlock")] == ["j.smith"]


def test_disable_and_enable_an_account(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    users = _users_dialog(qtbot, admin_window)

    users.select_user("admin")
    click(qtbot, users.disable_button)
    qtbot.waitUntil(users.message.isVisible)
    assert users.message.text() == "You cannot disable your own account."

    users.select_user("j.smith")
    click(qtbot, users.disable_button)  # someone else's account: asked first
    said = answer(qtbot, users, "disableConfirmation", "cancelButton")
    assert "Disable the account j.smith (J.Smith)?" in said and "cannot sign in" in said
    assert _table_rows(users)["j.smith"][4] == "Active"  # cancelled: nothing changed
    assert not trail(store, admin, action="account.disable")
    click(qtbot, users.disable_button)
    answer(qtbot, users, "disableConfirmation")
    qtbot.waitUntil(lambda: _table_rows(users)["j.smith"][4] == "Disabled")
    assert users.disable_button.text() == "&Enable"
    with pytest.raises(RecordError, match="disabled"):
        accounts.sign_in(
            store.uow(), store.security(), "j.smith", OFFICER_PASSWORD, WORKSTATION, utc_now()
        )

    click(qtbot, users.disable_button)
    qtbot.waitUntil(lambda: _table_rows(users)["j.smith"][4] == "Active")


def test_change_the_roles_of_an_account(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    users = _users_dialog(qtbot, admin_window)
    users.select_user("j.smith")
    click(qtbot, users.roles_button)
    roles = users.findChild(RolesDialog)
    assert roles is not None
    qtbot.waitUntil(roles.isVisible)
    assert roles.roles.roles() == frozenset({"officer"})

    click(qtbot, roles.roles.boxes["officer"])
    click(qtbot, roles.roles.boxes["counsel"])
    click(qtbot, roles.ok_button)

    qtbot.waitUntil(lambda: _table_rows(users)["j.smith"][2] == "counsel")
    [event] = trail(store, admin, action="account.roles")
    assert event.target == "j.smith"


def test_the_last_administrator_cannot_drop_the_role(
    qtbot: QtBot, admin_window: MainWindow
) -> None:
    users = _users_dialog(qtbot, admin_window)
    users.select_user("admin")
    roles = users.edit_roles()
    assert isinstance(roles, RolesDialog)
    qtbot.waitUntil(roles.isVisible)

    click(qtbot, roles.roles.boxes["admin"])
    click(qtbot, roles.roles.boxes["officer"])
    click(qtbot, roles.ok_button)

    qtbot.waitUntil(roles.error.isVisible)
    assert roles.error.text() == "The last administrator cannot give up the admin role."
    assert roles.roles.roles() == frozenset({"officer"})


def test_adding_a_role_to_oneself_shows_in_the_status_bar(
    qtbot: QtBot, admin_window: MainWindow
) -> None:
    users = _users_dialog(qtbot, admin_window)
    users.select_user("admin")
    roles = users.edit_roles()
    assert isinstance(roles, RolesDialog)
    click(qtbot, roles.roles.boxes["counsel"])
    click(qtbot, roles.ok_button)

    qtbot.waitUntil(
        lambda: admin_window.session_status.text() == "Signed in: admin (admin, counsel)"
    )


def test_reset_a_password(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    users = _users_dialog(qtbot, admin_window)
    users.select_user("j.smith")
    click(qtbot, users.reset_button)
    reset = users.findChild(ResetPasswordDialog)
    assert reset is not None
    qtbot.waitUntil(reset.isVisible)

    type_into(qtbot, reset.fields["password"].edit, "j.smith")
    type_into(qtbot, reset.fields["confirm"].edit, "j.smith")
    click(qtbot, reset.ok_button)
    qtbot.waitUntil(reset.fields["password"].error.isVisible)
    assert "must not be the user name" in reset.fields["password"].error.text()

    type_into(qtbot, reset.fields["password"].edit, "brass lantern seventy")
    type_into(qtbot, reset.fields["confirm"].edit, "brass lantern seventy")
    qtbot.keyClick(reset.fields["confirm"].edit, Qt.Key.Key_Return)

    qtbot.waitUntil(lambda: users.message.text() == "A new password was set for j.smith.")
    accounts.sign_in(
        store.uow(), store.security(), "j.smith", "brass lantern seventy", WORKSTATION, utc_now()
    )


# -- settings ---------------------------------------------------------------------------------


def test_settings_change_the_session_lock_and_rearm_the_timer(
    qtbot: QtBot, store: Runtime, admin_window: MainWindow
) -> None:
    admin_window.settings_action.trigger()
    settings = admin_window.findChild(SettingsDialog)
    assert settings is not None
    qtbot.waitUntil(settings.isVisible)
    qtbot.waitUntil(lambda: settings.loaded)  # the saved settings, read in the background
    assert settings.minutes.value() == 15
    # The field takes what is typed (45 is not cut to 4); 1 to 30 is said and enforced.
    hint = settings.findChild(QLabel, "sessionTimeoutMinutesHint")
    assert hint is not None and "at most 30 minutes" in hint.text()

    settings.minutes.setValue(5)
    click(qtbot, settings.ok_button)

    qtbot.waitUntil(lambda: closed(settings))
    assert accounts.session_timeout_minutes(store.uow()) == 5
    settled(qtbot, admin_window)  # the timeout is read again in the background
    qtbot.waitUntil(lambda: admin_window.idle_timer.interval() == 5 * 60_000)
    assert admin_window.idle_timer.isActive()


# -- the audit trail --------------------------------------------------------------------------


def _audit_dialog(qtbot: QtBot, window: MainWindow) -> AuditTrailDialog:
    window.audit_action.trigger()
    dialog = window.findChild(AuditTrailDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    return dialog


def _column(dialog: AuditTrailDialog, name: str) -> list[str]:
    column = COLUMNS.index(name)
    return [dialog.model.index(row, column).data() for row in range(dialog.model.rowCount())]


def test_the_audit_trail_lists_sign_in_events(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    with pytest.raises(RecordError):
        accounts.sign_in(store.uow(), store.security(), "j.smith", "nope", "BOOKING-1", utc_now())
    dialog = _audit_dialog(qtbot, admin_window)

    type_into(qtbot, dialog.action_combo.lineEdit(), "sign_in")
    click(qtbot, dialog.search_button)

    qtbot.waitUntil(lambda: set(_column(dialog, "Action")) == {"sign_in"})
    assert _column(dialog, "User") == ["j.smith", "admin"]  # newest first
    assert _column(dialog, "Outcome") == ["failure", "success"]
    assert _column(dialog, "Workstation") == ["BOOKING-1", WORKSTATION]
    assert _column(dialog, "Details")[0] == "why: wrong password"
    assert _column(dialog, "Roles")[0] == "officer"
    assert dialog.count_label.text() == "Showing 2 events, newest first (all that match)."
    assert not dialog.load_more_button.isEnabled()

    dialog.outcome_combo.setCurrentIndex(dialog.outcome_combo.findData("failure"))
    type_into(qtbot, dialog.user_edit, "J.Smith")
    qtbot.keyClick(dialog.user_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 1)


def test_the_audit_trail_filters_by_date(qtbot: QtBot, admin_window: MainWindow) -> None:
    dialog = _audit_dialog(qtbot, admin_window)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)  # read in the background
    assert dialog.model.rowCount() > 0

    click(qtbot, dialog.to_check)
    dialog.to_date.setDate(QDate(2001, 1, 1))
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 0)
    assert dialog.count_label.text() == "No events match these filters."

    click(qtbot, dialog.from_check)
    dialog.from_date.setDate(QDate(2002, 1, 1))
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(dialog.message.isVisible)
    assert "after" in dialog.message.text()

    click(qtbot, dialog.clear_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() > 0)


def test_the_audit_trail_pages_with_load_more(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    for number in range(5):
        accounts.record_event(store.uow(), admin, "demo.note", f"note {number}", utc_now())
    dialog = AuditTrailDialog(admin_window.session, admin_window, page_size=2)
    qtbot.addWidget(dialog)
    dialog.show()
    type_into(qtbot, dialog.action_combo.lineEdit(), "demo.")
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 2)
    assert _column(dialog, "Target") == ["note 4", "note 3"]
    assert dialog.count_label.text() == "Showing 2 events, newest first; there are more."

    click(qtbot, dialog.load_more_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 4)
    click(qtbot, dialog.load_more_button)
    qtbot.waitUntil(lambda: dialog.model.rowCount() == 5)

    assert _column(dialog, "Target") == [f"note {n}" for n in (4, 3, 2, 1, 0)]
    assert not dialog.load_more_button.isEnabled()
    dialog.close()


def test_audit_times_are_the_countys_to_hundredths_and_details_are_words() -> None:
    # The county's time with its abbreviation (issue 13: was UTC only; the UTC instant is in
    # the tooltip, see test_gui_one_clock.py).
    from zoneinfo import ZoneInfo

    moment = dt.datetime(2024, 7, 1, 9, 5, 3, 456_789, tzinfo=dt.timezone(dt.timedelta(hours=-4)))
    assert time_text(moment, ZoneInfo("America/Chicago")) == "2024-07-01 08:05:03.45 CDT"
    assert time_text(moment, dt.UTC) == "2024-07-01 13:05:03.45 UTC"
    assert (
        details_text('{"first_admin":true,"roles":["admin"]}') == "first admin: yes; roles: admin"
    )
    assert details_text("{}") == ""


# -- my own password --------------------------------------------------------------------------


def test_change_my_password(qtbot: QtBot, store: Runtime, admin_window: MainWindow) -> None:
    admin_window.change_password_action.trigger()
    dialog = admin_window.findChild(ChangePasswordDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)

    type_into(qtbot, dialog.fields["current_password"].edit, "not my password")
    type_into(qtbot, dialog.fields["password"].edit, "copper willow garden")
    type_into(qtbot, dialog.fields["confirm"].edit, "copper willow garden")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.error.text() == (
        "The current password is not right; the password was not changed."
    )
    assert dialog.fields["password"].edit.text() == "copper willow garden"

    type_into(qtbot, dialog.fields["current_password"].edit, ADMIN_PASSWORD)
    click(qtbot, dialog.ok_button)

    qtbot.waitUntil(lambda: closed(dialog))
    assert admin_window.statusBar().currentMessage() == "Your password was changed."
    accounts.sign_in(
        store.uow(), store.security(), "admin", "copper willow garden", WORKSTATION, utc_now()
    )


def test_dialogs_are_window_modal_and_keep_the_lock_shortcut(
    qtbot: QtBot, admin_window: MainWindow
) -> None:
    users = _users_dialog(qtbot, admin_window)
    assert users.isModal() or users.windowModality() != Qt.WindowModality.NonModal
    assert admin_window.lock_action in users.actions()
    add = users.add_user()
    assert isinstance(add, QDialog)
    assert admin_window.lock_action in add.actions()
