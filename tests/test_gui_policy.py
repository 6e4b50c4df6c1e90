"""The Policy menu and screen over a real store: the policy in force for everyone signed in,
its version history, activating another (administrators), and the what-if run in the
background over recorded decisions."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QRunnable, QThreadPool
from pytestqt.qtbot import QtBot

from detainer_desk import presets
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.policy_screen import (
    ACTIVATE,
    HISTORY,
    HISTORY_COLUMNS,
    IN_FORCE,
    WHAT_IF,
    PolicyDialog,
)
from detainer_desk.gui.tasks import TaskRunner
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import policies, records
from detainer_desk.services.ports import Actor

from .helpers import JUDICIAL_WARRANT_POLICY, request_json
from .test_gui_shell import _unnamed_controls
from .test_gui_support import (
    ADMIN_PASSWORD,
    COUNSEL_PASSWORD,
    OFFICER_PASSWORD,
    click,
    open_window,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    trail,
    type_into,
)

FIRST_REASON = "Adopted by the board, resolution 24-11"
PRESET = "48-hour-cap"
PROPOSAL = "california-sb54"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    admin = seed_admin(store)
    seed_user(store, admin, "j.smith", ["officer"], OFFICER_PASSWORD)
    seed_user(store, admin, "counsel.ray", ["counsel"], COUNSEL_PASSWORD)
    records.activate_policy(
        store.uow(), JUDICIAL_WARRANT_POLICY, "county.toml", admin, utc_now(), FIRST_REASON
    )
    return admin


def _window(qtbot: QtBot, store: Runtime, user: str, password: str) -> MainWindow:
    window = open_window(qtbot, store)
    signed_in(qtbot, window, user, password)
    return window


@pytest.fixture
def officer_window(qtbot: QtBot, store: Runtime, admin: Actor) -> Iterator[MainWindow]:
    window = _window(qtbot, store, "j.smith", OFFICER_PASSWORD)
    yield window
    window.close()


@pytest.fixture
def admin_window(qtbot: QtBot, store: Runtime, admin: Actor) -> Iterator[MainWindow]:
    window = _window(qtbot, store, "admin", ADMIN_PASSWORD)
    yield window
    window.close()


def _open(qtbot: QtBot, window: MainWindow, tab: int = IN_FORCE) -> PolicyDialog:
    action = {
        IN_FORCE: window.policy.in_force_action,
        HISTORY: window.policy.history_action,
        ACTIVATE: window.policy.activate_action,
        WHAT_IF: window.policy.what_if_action,
    }[tab]
    action.trigger()
    dialog = window.findChild(PolicyDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # read in the background
    assert dialog.tabs.currentIndex() == tab
    return dialog


def _record_decisions(store: Runtime, count: int) -> None:
    officer = Actor("j.smith", "W", frozenset({"officer"}))
    for number in range(count):
        records.record_decision(
            store.uow(),
            request_json(
                **{
                    "subject.booking_number": f"B26-00{number}",
                    "subject.name": f"DOE, Jane {number}",
                }
            ),
            "request.json",
            [],
            officer,
            utc_now(),
        )


def _column(dialog: PolicyDialog, column: int) -> list[str]:
    table = dialog.changes_table
    return [table.item(row, column).text() for row in range(table.rowCount())]


# -- reading -----------------------------------------------------------------------------


def test_an_officer_reads_the_policy_in_force(qtbot: QtBot, officer_window: MainWindow) -> None:
    menu = officer_window.policy
    assert menu.menu.menuAction().isEnabled()
    assert menu.in_force_action.isEnabled() and menu.history_action.isEnabled()
    assert not menu.activate_action.isEnabled()
    assert menu.activate_action.toolTip() == "Needs the admin role"

    dialog = _open(qtbot, officer_window)

    assert dialog.in_force_heading.text() == "Judicial warrant only, 48-hour cap"
    details = dialog.in_force_details.text()
    assert f"activated by admin at INTAKE-PC-3. Reason: {FIRST_REASON}" in details
    assert "Version 1 · from county.toml · SHA-256 " in details
    assert "HOLD past the release time: permitted when" in dialog.in_force_english.toPlainText()
    assert dialog.in_force_text.toPlainText() == JUDICIAL_WARRANT_POLICY.decode()
    assert not dialog.tabs.isTabVisible(ACTIVATE)
    assert not dialog.tabs.isTabVisible(WHAT_IF)


def test_the_history_shows_who_activated_each_version_when_and_why(
    qtbot: QtBot, store: Runtime, admin: Actor, officer_window: MainWindow
) -> None:
    records.activate_policy(
        store.uow(), presets.preset_bytes(PRESET), PRESET, admin, utc_now(), "Counsel memo"
    )

    dialog = _open(qtbot, officer_window, HISTORY)

    table = dialog.history_table
    assert table.rowCount() == 2
    cells = [
        [table.item(row, column).text() for column in range(len(HISTORY_COLUMNS))]
        for row in range(2)
    ]
    assert cells[0][1:] == [
        "admin",
        "INTAKE-PC-3",
        "Administrative warrant, plain 48-hour cap (generic) (in force)",
        "2",
        "Counsel memo",
    ]
    assert cells[1][1:] == [
        "admin",
        "INTAKE-PC-3",
        "Judicial warrant only, 48-hour cap",
        "1",
        FIRST_REASON,
    ]
    # The county's zone (issue 13): not set in Settings, it is the zone of the policy in
    # force before (Los Angeles), and the New York preset was activated in it.
    assert cells[0][0].endswith(("PST", "PDT"))
    assert (
        'timezone = "America/Los_Angeles"'
        in policies.load_policy(records.active_policy(store.uow()).policy).text
    )
    assert "Administrative warrant" in dialog.history_english.toPlainText()

    table.selectRow(1)
    assert "Judicial warrant only" in dialog.history_english.toPlainText()


def test_counsel_reads_the_policy_and_its_history(
    qtbot: QtBot, store: Runtime, admin: Actor
) -> None:
    # Counsel must know which policy text was in force for every decision.
    window = _window(qtbot, store, "counsel.ray", COUNSEL_PASSWORD)
    assert window.policy.in_force_action.isEnabled()
    assert window.policy.history_action.isEnabled()
    assert not window.policy.activate_action.isEnabled()
    dialog = _open(qtbot, window)
    dialog.show_tab(HISTORY)
    qtbot.waitUntil(dialog.history_table.isVisible)
    window.close()


def test_nothing_to_read_before_signing_in(qtbot: QtBot, store: Runtime, admin: Actor) -> None:
    window = open_window(qtbot, store)
    assert not window.policy.menu.menuAction().isEnabled()
    assert window.policy.open() is None
    window.close()


# -- activating --------------------------------------------------------------------------


def test_an_administrator_activates_a_preset_with_a_reason(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    dialog = _open(qtbot, admin_window, ACTIVATE)
    assert "Administrators find every activation" not in dialog.history_note.text()
    dialog.activate_chooser.select_preset(PRESET)
    click(qtbot, dialog.activate_button)
    qtbot.waitUntil(dialog.reason.error.isVisible)
    assert dialog.reason.error.text() == (
        "Say why this policy is activated: the reason is kept with it."
    )
    assert records.active_policy(store.uow()).policy.name == "Judicial warrant only, 48-hour cap"

    type_into(qtbot, dialog.reason.edit, "Counsel memo of 2026-03-02")
    click(qtbot, dialog.activate_button)

    qtbot.waitUntil(dialog.activate_message.isVisible)
    name = "Administrative warrant, plain 48-hour cap (generic)"
    assert dialog.activate_message.text().startswith(f"“{name}” is now in force (version 2).")
    activation = records.active_policy(store.uow())
    assert activation is not None
    assert activation.policy.name == name
    assert activation.reason == "Counsel memo of 2026-03-02"
    assert activation.stamp.recorded_by == "admin"
    # The status bar hears of the activation (Change.POLICY) and reads the label again.
    qtbot.waitUntil(lambda: admin_window.policy_status.text() == f"Policy: {name}")
    qtbot.waitUntil(lambda: not dialog.loading)  # the policy in force, read again
    assert dialog.in_force_heading.text() == name
    [event] = trail(store, admin, action="policy.activate")[:1]
    assert json.loads(event.details_json)["reason"] == "Counsel memo of 2026-03-02"

    type_into(qtbot, dialog.reason.edit, "again")
    click(qtbot, dialog.activate_button)
    qtbot.waitUntil(lambda: "already in force" in dialog.activate_message.text())


def test_a_bad_file_cannot_be_activated_and_is_explained(
    qtbot: QtBot, store: Runtime, admin_window: MainWindow, tmp_path: Path
) -> None:
    bad = tmp_path / "draft.toml"
    bad.write_text("schema = 1\nname = [\n", encoding="utf-8")
    dialog = _open(qtbot, admin_window, ACTIVATE)
    dialog.activate_chooser.choose_file = lambda _parent: str(bad)

    click(qtbot, dialog.activate_chooser.file_button)
    type_into(qtbot, dialog.reason.edit, "trying the draft")
    click(qtbot, dialog.activate_button)

    qtbot.waitUntil(dialog.activate_message.isVisible)
    assert dialog.activate_message.text() == (
        "That file cannot be used as a policy (the reasons are listed)."
    )
    assert "is not valid TOML" in dialog.activate_chooser.problems.text()
    assert records.active_policy(store.uow()).policy.name == "Judicial warrant only, 48-hour cap"


# -- what if -----------------------------------------------------------------------------


def _period_around_the_requests(dialog: PolicyDialog) -> None:
    dialog.from_date.setDate(QDate(2026, 2, 1))  # the requests were received 2026-02-10
    dialog.to_date.setDate(QDate(2026, 2, 28))


def test_what_if_lists_the_recorded_decisions_that_would_change(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    _record_decisions(store, 3)
    dialog = _open(qtbot, admin_window, WHAT_IF)
    dialog.what_if_chooser.select_preset(PROPOSAL)
    _period_around_the_requests(dialog)

    assert dialog.compare() is not None
    assert not dialog.compare_button.isEnabled()

    qtbot.waitUntil(lambda: dialog.changes_table.rowCount() == 3, timeout=10_000)
    assert dialog.what_if_message.text() == (
        "Under “California Values Act (SB 54): never hold; notify or transfer only as Gov. "
        "Code 7282.5 allows”, 3 of 3 decisions on requests received 2026-02-01 to 2026-02-28 "
        "would come out differently:"
    )
    assert _column(dialog, 1) == ["DOE, Jane 0", "DOE, Jane 1", "DOE, Jane 2"]
    assert _column(dialog, 4) == ["Hold"] * 3
    assert _column(dialog, 5) == ["Transfer at release"] * 3
    assert _column(dialog, 6) == ["when release time is known"] * 3
    assert not dialog.progress.isVisible() and dialog.compare_button.isEnabled()
    [event] = trail(store, admin, action="policy.what_if")
    assert json.loads(event.details_json)["would_change"] == 3
    assert records.active_policy(store.uow()).policy.name == "Judicial warrant only, 48-hour cap"

    dialog.what_if_chooser.load_file(_write(store, JUDICIAL_WARRANT_POLICY))
    assert dialog.compare() is not None
    qtbot.waitUntil(lambda: "would come out the same" in dialog.what_if_message.text())
    assert dialog.changes_table.rowCount() == 0


def _write(store: Runtime, data: bytes) -> str:
    path = store.paths.data_dir / "proposal.toml"
    path.write_bytes(data)
    return str(path)


def test_what_if_asks_for_a_proposal_and_a_period_that_makes_sense(
    qtbot: QtBot, admin_window: MainWindow
) -> None:
    dialog = _open(qtbot, admin_window, WHAT_IF)
    assert dialog.compare() is None
    assert dialog.what_if_message.text() == (
        "Choose one of the shipped presets, or load a policy file."
    )
    dialog.what_if_chooser.select_preset(PROPOSAL)
    dialog.from_date.setDate(QDate(2026, 3, 1))
    dialog.to_date.setDate(QDate(2026, 2, 1))
    assert dialog.compare() is None
    assert dialog.what_if_message.text() == "The period ends before it begins."


class _Gate(QRunnable):
    """Keeps the pool's only thread busy until opened."""

    def __init__(self) -> None:
        super().__init__()
        self.open = threading.Event()

    def run(self) -> None:
        self.open.wait(10)


def test_a_cancelled_what_if_compares_nothing(
    qtbot: QtBot, store: Runtime, admin: Actor, admin_window: MainWindow
) -> None:
    _record_decisions(store, 2)
    pool = QThreadPool()
    pool.setMaxThreadCount(1)
    gate = _Gate()
    pool.start(gate)
    dialog = PolicyDialog(admin_window.session, TaskRunner(admin_window, pool=pool), admin_window)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.show_tab(WHAT_IF)
    dialog.what_if_chooser.select_preset(PROPOSAL)
    _period_around_the_requests(dialog)
    handle = dialog.compare()
    assert handle is not None
    assert dialog.progress.isVisible() and dialog.cancel_button.isVisible()

    click(qtbot, dialog.cancel_button)
    gate.open.set()

    qtbot.waitUntil(
        lambda: dialog.what_if_message.text() == "Cancelled: nothing was compared.",
        timeout=10_000,
    )
    assert handle.done
    assert dialog.changes_table.rowCount() == 0
    assert trail(store, admin, action="policy.what_if") == []
    pool.waitForDone(10_000)


# -- the dialog itself -------------------------------------------------------------------


def test_the_policy_dialog_names_its_controls_and_fits_a_small_screen(
    qtbot: QtBot, admin_window: MainWindow, tmp_path: Path
) -> None:
    dialog = _open(qtbot, admin_window)
    assert _unnamed_controls(dialog) == []
    assert dialog.width() <= 1366 and dialog.height() <= 700
    for tab, name in ((IN_FORCE, "in-force"), (ACTIVATE, "activate"), (WHAT_IF, "what-if")):
        dialog.show_tab(tab)
        dialog.grab().save(str(tmp_path / f"policy-{name}.png"))


def test_with_no_policy_active_the_screen_says_what_to_do(qtbot: QtBot, store: Runtime) -> None:
    seed_admin(store)
    window = _window(qtbot, store, "admin", ADMIN_PASSWORD)
    dialog = _open(qtbot, window)
    assert dialog.in_force_heading.text() == "No policy is active"
    assert "an administrator activates the county's policy" in dialog.in_force_details.text()
    assert not dialog.in_force_views.isVisible()
    window.close()
