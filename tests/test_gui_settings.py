"""Admin › Settings: every installation setting, checked beside each field, saved as the
administrator and audited; a refusal by the services is shown in words."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from detainer_desk.gui.dialogs import SettingsDialog
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import accounts
from detainer_desk.services.ports import Actor
from detainer_desk.services.settings import InstallationSettings, read_settings, save_settings

from .test_gui_shell import _unnamed_controls
from .test_gui_support import (
    ADMIN_PASSWORD,
    OFFICER_PASSWORD,
    click,
    closed,
    open_window,
    seed_admin,
    seed_user,
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
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "admin", ADMIN_PASSWORD)
    yield window
    window.close()


def _settings_dialog(qtbot: QtBot, window: MainWindow) -> SettingsDialog:
    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # the saved settings, read in the background
    return dialog


def test_settings_show_and_save_every_field(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    save_settings(
        store.uow(),
        admin,
        InstallationSettings(county_name="Old County", jail_name="Old Jail"),
        utc_now(),
    )
    dialog = _settings_dialog(qtbot, admin_window)
    fields = dialog.installation
    assert fields.county.text() == "Old County"
    assert fields.jail.text() == "Old Jail"
    # Not set yet, and no policy in force either. The list no longer offers "the active
    # policy's timezone": the county's timezone is one setting (issue 13).
    assert fields.timezone.currentText() == ""
    assert fields.timezone.findText("(the active policy's timezone)") == -1
    assert fields.timezone.zone() == ""
    assert (fields.first_alert.hours.value(), fields.first_alert.minutes.value()) == (4, 0)
    assert dialog.minutes.value() == 15

    type_into(qtbot, fields.county.edit, "Columbia River County")
    type_into(qtbot, fields.jail.edit, "CRC Jail")
    edit = fields.timezone.lineEdit()
    assert edit is not None
    type_into(qtbot, edit, "America/Chicago")
    fields.first_alert.hours.setValue(3)
    fields.first_alert.minutes.setValue(30)
    fields.second_alert.hours.setValue(0)
    fields.second_alert.minutes.setValue(45)
    dialog.minutes.setValue(10)
    click(qtbot, dialog.ok_button)

    qtbot.waitUntil(lambda: closed(dialog))
    assert read_settings(store.uow()) == InstallationSettings(
        county_name="Columbia River County",
        jail_name="CRC Jail",
        timezone="America/Chicago",
        alert_first_minutes=210,
        alert_second_minutes=45,
        session_timeout_minutes=10,
    )
    # The window reads the timeout again in the background once the settings are saved.
    qtbot.waitUntil(lambda: admin_window.idle_timer.interval() == 10 * 60_000)
    assert admin_window.statusBar().currentMessage() == "Settings saved."
    [event] = trail(store, admin, action="settings.change")[:1]
    assert event.user_name == "admin"
    changed = json.loads(event.details_json)
    assert changed["county_name"] == {"before": "Old County", "after": "Columbia River County"}
    assert changed["alert_first_minutes"] == {"before": 240, "after": 210}


def test_settings_problems_are_shown_beside_the_fields_and_nothing_is_saved(
    qtbot: QtBot, store: Runtime, admin_window: MainWindow
) -> None:
    dialog = _settings_dialog(qtbot, admin_window)
    fields = dialog.installation
    type_into(qtbot, fields.county.edit, "   ")
    edit = fields.timezone.lineEdit()
    assert edit is not None
    type_into(qtbot, edit, "Central Time")
    fields.first_alert.set_total_minutes(30)
    fields.second_alert.set_total_minutes(90)

    click(qtbot, dialog.ok_button)

    qtbot.waitUntil(fields.county.error.isVisible)
    assert dialog.isVisible()
    assert fields.county.error.text() == ("Enter the county's name; it is printed on every record.")
    assert not fields.jail.error.isVisible()  # may stay empty in Settings
    assert fields.timezone_row.error.text() == (
        "'Central Time' is not a timezone name like America/Chicago."
    )
    assert fields.first_alert_row.error.text() == (
        "The first alert must come before the second, both within 48 hours of the deadline."
    )
    assert dialog.focusWidget() is fields.county.edit
    assert read_settings(store.uow()) == InstallationSettings()

    type_into(qtbot, fields.county.edit, "Columbia River County")
    fields.timezone.set_zone("")
    fields.first_alert.set_total_minutes(120)
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    saved = read_settings(store.uow())
    assert (saved.county_name, saved.timezone, saved.alert_first_minutes) == (
        "Columbia River County",
        "",
        120,
    )


def test_a_refusal_by_the_services_is_said_in_words(
    qtbot: QtBot, store: Runtime, admin: Actor
) -> None:
    seed_user(store, admin, "chief2", ["admin"], OFFICER_PASSWORD)
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "chief2", OFFICER_PASSWORD)
    dialog = _settings_dialog(qtbot, window)
    accounts.set_roles(store.uow(), admin, "chief2", ["officer"], utc_now())  # meanwhile

    type_into(qtbot, dialog.installation.county.edit, "Columbia River County")
    click(qtbot, dialog.ok_button)

    qtbot.waitUntil(dialog.error.isVisible)
    assert dialog.error.text() == "Not allowed: chief2 (officer) may not change settings."
    assert "Traceback" not in dialog.error.text()
    assert read_settings(store.uow()).county_name == ""
    window.close()


def test_settings_are_for_administrators_only(qtbot: QtBot, store: Runtime, admin: Actor) -> None:
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    window = open_window(qtbot, store)
    signed_in(qtbot, window, "j.smith", OFFICER_PASSWORD)

    assert not window.settings_action.isEnabled()
    assert window.dialogs.open_settings() is None
    window.close()


def test_the_settings_dialog_fits_and_names_its_controls(
    qtbot: QtBot, admin_window: MainWindow, tmp_path: Path
) -> None:
    dialog = _settings_dialog(qtbot, admin_window)
    assert _unnamed_controls(dialog) == []
    assert dialog.width() <= 1366 and dialog.height() <= 700
    dialog.grab().save(str(tmp_path / "settings.png"))


def test_a_timezone_typed_in_any_case_is_the_iana_name(
    qtbot: QtBot, store: Runtime, admin_window: MainWindow
) -> None:
    dialog = _settings_dialog(qtbot, admin_window)
    edit = dialog.installation.timezone.lineEdit()
    assert edit is not None
    type_into(qtbot, edit, "america/chicago")
    assert dialog.installation.timezone.zone() == "America/Chicago"
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    assert read_settings(store.uow()).timezone == "America/Chicago"
