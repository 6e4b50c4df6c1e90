"""The first-run wizard on an empty store, driven like a county's IT administrator would:
the county and the jail, the policy, the first administrator; then everything is stored
as that administrator and audited."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from detainer_desk import presets
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.gui.wizard import (
    ADMINISTRATOR,
    INSTALLATION,
    POLICY_STEP,
    SET_UP_REASON,
    SetUpWizard,
)
from detainer_desk.runtime import Runtime
from detainer_desk.services import accounts, records
from detainer_desk.services.access import RecordError
from detainer_desk.services.settings import InstallationSettings, read_settings

from .helpers import JUDICIAL_WARRANT_POLICY
from .test_gui_support import (
    ADMIN_PASSWORD,
    WORKSTATION,
    click,
    settled,
    store_under,
    trail,
    type_into,
    window_over,
)

PRESET = "california-sb54"
COUNTY = "Columbia River County"
JAIL = "CRC Jail"
ZONE = "America/Los_Angeles"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, store: Runtime) -> Iterator[MainWindow]:
    yield from window_over(qtbot, store)


def wizard_of(window: MainWindow) -> SetUpWizard:
    page = window.first_run_page
    assert isinstance(page, SetUpWizard)
    return page


def fill_installation(
    qtbot: QtBot, page: SetUpWizard, county: str = COUNTY, jail: str = JAIL, zone: str = ZONE
) -> None:
    fields = page.installation
    type_into(qtbot, fields.county.edit, county)
    type_into(qtbot, fields.jail.edit, jail)
    edit = fields.timezone.lineEdit()
    assert edit is not None
    type_into(qtbot, edit, zone)


def choose_preset(qtbot: QtBot, page: SetUpWizard, name: str = PRESET) -> None:
    combo = page.chooser.preset_combo
    combo.setFocus()
    combo.setCurrentIndex(combo.findData(name))


def through_to_the_administrator(qtbot: QtBot, window: MainWindow, preset: str = PRESET) -> None:
    """Steps 1 and 2 filled in and passed, as a user would: the wizard is on step 3."""
    page = wizard_of(window)
    fill_installation(qtbot, page)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    choose_preset(qtbot, page, preset)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == ADMINISTRATOR)


def fill_administrator(
    qtbot: QtBot, page: SetUpWizard, name: str, display: str, password: str, confirm: str
) -> None:
    type_into(qtbot, page.user_name.edit, name)
    type_into(qtbot, page.display_name.edit, display)
    type_into(qtbot, page.password.edit, password)
    type_into(qtbot, page.confirm.edit, confirm)
    # These tests sign in with passwords only (test_gui_second_factor sets one up).
    page.second_factor.setChecked(False)


def test_the_wizard_sets_up_settings_policy_and_administrator(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    page = wizard_of(window)
    assert page.step == INSTALLATION
    assert page.step_label.text() == "Step 1 of 3: The county and the jail"
    through_to_the_administrator(qtbot, window)
    fill_administrator(qtbot, page, "chief", "Pat Chief", ADMIN_PASSWORD, ADMIN_PASSWORD)
    assert "California Values Act" in page.summary.text()
    click(qtbot, page.create_button)
    settled(qtbot, window)

    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.content_page)
    assert window.session.state is SessionState.SIGNED_IN
    assert window.session_status.text() == "Signed in: chief (admin)"
    assert page.password.edit.text() == ""
    assert read_settings(store.uow()) == InstallationSettings(
        county_name=COUNTY, jail_name=JAIL, timezone=ZONE
    )
    activation = records.active_policy(store.uow())
    assert activation is not None
    assert activation.policy.text.encode() == presets.preset_bytes(PRESET)
    assert activation.stamp.recorded_by == "chief"
    assert activation.reason == SET_UP_REASON
    assert window.policy_status.text() == f"Policy: {activation.policy.name}"
    assert "Detainer Desk is set up" in window.statusBar().currentMessage()

    actor = window.session.actor
    assert actor is not None
    events = list(reversed(trail(store, actor)))
    assert [(e.action, e.user_name, e.workstation) for e in events] == [
        ("account.create", "chief", WORKSTATION),
        # Issue 17: the installation's choice of a second factor, with the first account.
        ("settings.change", "chief", WORKSTATION),
        ("sign_in", "chief", WORKSTATION),
        ("settings.change", "chief", WORKSTATION),
        ("policy.activate", "chief", WORKSTATION),
    ]
    assert json.loads(events[1].details_json)["after"] == "off"
    changed = json.loads(events[3].details_json)
    assert changed["county_name"] == {"before": "", "after": COUNTY}
    assert json.loads(events[4].details_json)["reason"] == SET_UP_REASON


def test_back_and_next_keep_everything_typed(qtbot: QtBot, window: MainWindow) -> None:
    page = wizard_of(window)
    through_to_the_administrator(qtbot, window, "judicial-warrant-only")
    fill_administrator(qtbot, page, "chief", "Pat Chief", "violet harbour", "violet harb")

    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    assert page.chooser.preset_combo.currentData() == "judicial-warrant-only"
    click(qtbot, page.back_button)
    qtbot.waitUntil(lambda: page.step == INSTALLATION)
    assert not page.back_button.isVisible()
    fields = page.installation
    assert (fields.county.text(), fields.jail.text(), fields.timezone.zone()) == (
        COUNTY,
        JAIL,
        ZONE,
    )
    assert fields.first_alert.total_minutes() == 240
    assert fields.second_alert.total_minutes() == 60

    qtbot.keyClick(fields.jail.edit, Qt.Key.Key_Return)  # Enter goes on, like Next
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == ADMINISTRATOR)
    assert page.user_name.text() == "chief"
    assert page.display_name.text() == "Pat Chief"
    assert page.password.text() == "violet harbour"
    assert page.confirm.text() == "violet harb"


def test_step_one_shows_each_problem_beside_its_field(qtbot: QtBot, window: MainWindow) -> None:
    page = wizard_of(window)
    fields = page.installation
    fill_installation(qtbot, page, county="  ", jail="", zone="Mars/Olympus")
    fields.first_alert.set_total_minutes(30)
    fields.second_alert.set_total_minutes(60)

    click(qtbot, page.next_button)

    qtbot.waitUntil(fields.county.error.isVisible)
    assert page.step == INSTALLATION
    assert fields.county.error.text() == "Enter the county's name: it is printed on every record."
    assert fields.jail.error.text() == "Enter the jail's name: it is printed on every record."
    assert "'Mars/Olympus' is not a timezone name like America/Chicago" in (
        fields.timezone_row.error.text()
    )
    assert "the first alert must come before the second" in (
        fields.first_alert_row.error.text().lower()
    )
    assert fields.county.edit.hasFocus()

    fill_installation(qtbot, page)
    fields.first_alert.set_total_minutes(180)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    assert not fields.county.error.isVisible()


def test_the_timezone_is_found_by_any_part_of_its_name(qtbot: QtBot, window: MainWindow) -> None:
    combo = wizard_of(window).installation.timezone
    qtbot.waitUntil(lambda: combo.findData("Europe/Lisbon") >= 0)  # the full list, after showing
    assert combo.findData("America/Chicago") < combo.findData("Africa/Abidjan")  # U.S. first
    completer = combo.completer()
    assert completer is not None
    completer.setCompletionPrefix("chicago")
    assert completer.currentCompletion() == "America/Chicago"


def test_a_bad_policy_file_is_explained_in_words(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    page = wizard_of(window)
    fill_installation(qtbot, page)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    bad = tmp_path / "county-policy.toml"
    bad.write_text(
        'schema = 1\nname = "Ours"\njurisdiction = "Here"\ntimezone = "Mars/Base"\n'
        '[hold]\nmax_hours = "forty"\n',
        encoding="utf-8",
    )
    chooser = page.chooser
    chooser.choose_file = lambda _parent: str(bad)

    click(qtbot, chooser.file_button)

    qtbot.waitUntil(chooser.problems.isVisible)
    text = chooser.problems.text()
    assert text.startswith("This file cannot be used as a policy; nothing was changed.")
    assert "• “citation”: is required but missing." in text
    assert "• Line 4, “timezone”: 'Mars/Base' is not a known IANA timezone name" in text
    assert "• Line 6, “hold.max_hours”:" in text
    assert "Traceback" not in text
    assert not chooser.caution_box.isVisible()
    click(qtbot, page.next_button)
    qtbot.waitUntil(page.error.isVisible)
    assert page.step == POLICY_STEP
    assert page.error.text() == "That file cannot be used as a policy (the reasons are listed)."

    good = tmp_path / "fixed.toml"
    good.write_bytes(JUDICIAL_WARRANT_POLICY)
    assert chooser.load_file(str(good))
    assert not chooser.problems.isVisible()
    assert "Judicial warrant only, 48-hour cap" in chooser.description.toPlainText()
    assert chooser.caution.text().startswith("⚠ Confirm with county counsel")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == ADMINISTRATOR)


def test_a_missing_or_unreadable_file_is_said_plainly(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    page = wizard_of(window)
    fill_installation(qtbot, page)
    click(qtbot, page.next_button)
    chooser = page.chooser
    assert not chooser.load_file(str(tmp_path / "nowhere.toml"))
    assert "• The file does not exist." in chooser.problems.text()
    assert not chooser.load_file(str(tmp_path))
    assert "• That is a folder, not a policy file." in chooser.problems.text()


def test_a_preset_shows_its_caution_citation_and_plain_english(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wizard_of(window)
    fill_installation(qtbot, page)
    click(qtbot, page.next_button)
    chooser = page.chooser
    assert chooser.problem() == "Choose one of the shipped presets, or load a policy file."
    click(qtbot, page.next_button)
    qtbot.waitUntil(page.error.isVisible)
    assert page.step == POLICY_STEP

    choose_preset(qtbot, page, "california-sb54")

    qtbot.waitUntil(chooser.caution_box.isVisible)
    assert chooser.caution.text().startswith(
        "⚠ Confirm with county counsel before this policy decides anything.\nNot legal advice."
    )
    assert chooser.citation.text().startswith("Source: Cal. Gov. Code 7284.6")
    assert "HOLD past the release time: never." in chooser.description.toPlainText()
    assert len(presets.preset_names()) == chooser.preset_combo.count() - 1


def test_account_problems_stay_on_the_last_step_and_store_nothing(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    page = wizard_of(window)
    through_to_the_administrator(qtbot, window)
    fill_administrator(qtbot, page, "Pat Admin!", "", "short", "shorter")

    qtbot.keyClick(page.confirm.edit, Qt.Key.Key_Return)

    qtbot.waitUntil(page.confirm.error.isVisible)
    assert page.step == ADMINISTRATOR
    assert "user name is 2 to 64 letters" in page.user_name.error.text()
    assert accounts.needs_first_admin(store.uow())
    assert read_settings(store.uow()) == InstallationSettings()
    assert records.active_policy(store.uow()) is None


def test_a_problem_found_at_the_end_sends_the_user_back_to_its_step(
    qtbot: QtBot, window: MainWindow
) -> None:
    page = wizard_of(window)
    through_to_the_administrator(qtbot, window)
    page.installation.timezone.set_zone("Mars/Olympus")  # e.g. changed behind the wizard's back
    fill_administrator(qtbot, page, "chief", "Pat Chief", ADMIN_PASSWORD, ADMIN_PASSWORD)

    click(qtbot, page.create_button)
    settled(qtbot, window)

    qtbot.waitUntil(lambda: page.step == INSTALLATION)
    assert page.installation.timezone_row.error.isVisible()
    assert window.session.state is SessionState.FIRST_RUN


class _DiskFull(RecordError):
    pass


class _CommitFails:
    """A unit of work that reads but cannot commit, as on a disk that has just filled up."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def __enter__(self) -> _CommitFails:
        self._inner.__enter__()
        return self

    def __exit__(self, *exc: object) -> Any:
        return self._inner.__exit__(*exc)

    def commit(self) -> None:
        raise _DiskFull("the disk is full")


def test_what_could_not_be_stored_after_the_account_is_said(qtbot: QtBot, store: Runtime) -> None:
    full = {"now": False}

    def uow() -> Any:
        return _CommitFails(store.uow()) if full["now"] else store.uow()

    backend = dataclasses.replace(Backend.from_runtime(store, WORKSTATION), uow=uow)
    window = MainWindow(backend)
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    window.session.changed.connect(
        lambda: full.update(now=window.session.state is SessionState.SIGNED_IN)
    )
    page = wizard_of(window)
    through_to_the_administrator(qtbot, window)
    fill_administrator(qtbot, page, "chief", "Pat Chief", ADMIN_PASSWORD, ADMIN_PASSWORD)

    click(qtbot, page.create_button)
    settled(qtbot, window)

    box = window.findChild(QMessageBox, "setUpUnfinished")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    assert "The administrator chief was created and is signed in, but:" in box.text()
    assert "The settings were not saved: The disk is full." in box.text()
    assert "The policy was not activated: The disk is full." in box.text()
    assert window.session.state is SessionState.SIGNED_IN
    assert read_settings(store.uow()) == InstallationSettings()
    assert records.active_policy(store.uow()) is None
    box.accept()
    full["now"] = False
    window.close()


def test_every_step_names_its_controls_and_fits_a_small_screen(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    from .test_gui_shell import _unnamed_controls

    page = wizard_of(window)
    window.resize(1366, 768)
    through_to_the_administrator(qtbot, window)
    assert _unnamed_controls(page) == []
    assert window.minimumSizeHint().height() <= 768
    for step in (INSTALLATION, POLICY_STEP, ADMINISTRATOR):
        page.show_step(step)
        window.grab().save(str(tmp_path / f"wizard-step{step + 1}.png"))
