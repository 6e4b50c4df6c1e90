"""One county clock, end to end, as a new county would meet it (issue 13): the set-up
wizard with the county in Los Angeles and a preset whose text says New York; then an
officer's request late on a Sunday evening, when it is already Monday in New York and in
UTC. Intake, the record, the holds board, the log, the detail view, the audit PDF (read
back), the notice, the statistics screen and ``stats`` must all agree on the zone and on
the day (and the week) the request belongs to.

Real widgets over a real SQLite store; the window's clock is injected.
"""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QDate, QSettings, Qt
from PySide6.QtWidgets import QLabel
from pytestqt.qtbot import QtBot

from detainer_desk import presets
from detainer_desk.domain import lifecycle as lc
from detainer_desk.gui.audit_trail import AuditTrailDialog
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records import DecisionDetailDialog
from detainer_desk.gui.records.log_model import HOLD_UNTIL, RECEIVED
from detainer_desk.gui.records.stats_screen import StatisticsScreen
from detainer_desk.gui.session import SessionState
from detainer_desk.gui.wizard import ADMINISTRATOR, POLICY_STEP, SetUpWizard
from detainer_desk.runtime import Runtime
from detainer_desk.services import records
from detainer_desk.services import statistics as stats
from detainer_desk.services.settings import read_settings

from .helpers import BASE_REQUEST
from .test_gui_intake import Answers, Clock, _check, _confirm, _record, _text
from .test_gui_records_support import (
    Desk,
    desk_under,
    double_click_row,
    open_detail,
    sign_in_as,
    window_on,
)
from .test_gui_support import (
    ADMIN_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    answer,
    click,
    closed,
    seed_user,
    settled,
    signed_in,
    store_under,
    type_into,
)

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
# Sunday evening in the county: already Monday 2 March in New York (01:00) and in UTC.
NOW = dt.datetime(2026, 3, 1, 23, 0, tzinfo=LOS_ANGELES)
PRESET = "judicial-warrant-only"  # its text says America/New_York


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, store: Runtime, tmp_path: Path) -> Iterator[MainWindow]:
    main_window = MainWindow(Backend.from_runtime(store, WORKSTATION, clock=Clock(NOW)))
    qtbot.addWidget(main_window)
    main_window.resize(1366, 768)
    main_window.intake.dialogs = Answers()  # type: ignore[assignment]
    main_window.intake.recent.use(
        QSettings(str(tmp_path / "recent.ini"), QSettings.Format.IniFormat)
    )
    with qtbot.waitExposed(main_window):
        main_window.show()
    yield main_window
    main_window.records.wait()
    main_window.tasks.wait()
    main_window.close()


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


def _set_up_in_los_angeles(qtbot: QtBot, window: MainWindow) -> None:
    page = window.first_run_page
    assert isinstance(page, SetUpWizard)
    fields = page.installation
    type_into(qtbot, fields.county.edit, "Columbia River County")
    type_into(qtbot, fields.jail.edit, "CRC Jail")
    zone_edit = fields.timezone.lineEdit()
    assert zone_edit is not None
    type_into(qtbot, zone_edit, "America/Los_Angeles")
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    chooser = page.chooser
    chooser.preset_combo.setFocus()
    chooser.preset_combo.setCurrentIndex(chooser.preset_combo.findData(PRESET))
    # The wizard says, before anything is stored, which zone the preset will read times in.
    assert chooser.zone_note.isVisible()
    assert chooser.zone_note.text().startswith(
        "Timezone: the county's, America/Los_Angeles. A preset is a template: its timezone "
        "(America/New_York) is only a default"
    )
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == ADMINISTRATOR)
    for field, text in (
        (page.user_name, "chief"),
        (page.display_name, "Pat Chief"),
        (page.password, ADMIN_PASSWORD),
        (page.confirm, ADMIN_PASSWORD),
    ):
        type_into(qtbot, field.edit, text)
    page.second_factor.setChecked(False)  # passwords only here (see test_gui_second_factor)
    assert "activated in the county's timezone, America/Los_Angeles" in page.summary.text()
    click(qtbot, page.create_button)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    settled(qtbot, window)  # the settings and the policy, saved as the administrator


def test_the_county_in_los_angeles_with_a_new_york_preset_is_one_clock_everywhere(
    qtbot: QtBot, window: MainWindow, store: Runtime, tmp_path: Path, run_cli
) -> None:
    # -- set-up: the preset is activated in the county's zone -----------------------------
    _set_up_in_los_angeles(qtbot, window)
    assert read_settings(store.uow()).timezone == "America/Los_Angeles"
    activation = records.active_policy(store.uow())
    assert activation is not None
    shipped = presets.preset_bytes(PRESET).decode()
    assert activation.policy.text == shipped.replace(
        'timezone = "America/New_York"', 'timezone = "America/Los_Angeles"'
    )
    admin = window.session.require_actor()
    seed_user(store, admin, "officer.a", ["officer"], OFFICER_PASSWORD)

    # The audit trail shows the county's time (the UTC instant in the tooltip).
    trail = window.dialogs.open_audit_trail()
    assert isinstance(trail, AuditTrailDialog)
    qtbot.waitUntil(lambda: trail.model.rowCount() > 0)
    actions = [trail.model.index(r, 4).data() for r in range(trail.model.rowCount())]
    settings_row = actions.index("settings.change")  # stamped by the window's clock
    when = trail.model.index(settings_row, 0)
    assert when.data() == "2026-03-01 23:00:00.00 PST"
    tooltip = when.data(Qt.ItemDataRole.ToolTipRole)
    assert tooltip == "2026-03-01 23:00:00.00 PST = 2026-03-02 07:00:00.00 UTC"
    assert trail.model.headerData(0, Qt.Orientation.Horizontal) == "Time"
    trail.close()
    window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.sign_in_page)

    # -- intake: the officer types the county's wall clock ------------------------------
    signed_in(qtbot, window, "officer.a", OFFICER_PASSWORD)
    window.content_page.show_screen(window.intake)
    intake = window.intake
    assert _text(intake, "received_at").text() == "2026-03-01 23:00"  # now, the county's
    request = json.loads(json.dumps(BASE_REQUEST))
    request["subject"]["name"] = "RIVERA, Ana"
    request["received_at"] = "2026-03-01T22:30"
    request["detainer"]["issued_at"] = "2026-03-01T21:00"
    file = tmp_path / "request.json"
    file.write_text(json.dumps(request))
    intake.dialogs.open_path = str(file)  # type: ignore[attr-defined]
    click(qtbot, intake.open_button)
    qtbot.waitUntil(lambda: intake.banner.text() != "")
    type_into(qtbot, _text(intake, "release_eligible_at"), "2026-03-01 22:45")
    readings = intake.request_page.readings
    assert readings["received_at"].text() == "Read as Sun 01 Mar 2026, 22:30 PST (UTC-08:00)"
    assert readings["release_eligible_at"].text() == (
        "Read as Sun 01 Mar 2026, 22:45 PST (UTC-08:00)"
    )
    _check(qtbot, intake)
    headline = "HOLD until Tue 03 Mar 2026, 22:45 PST (UTC-08:00)"
    panel = intake.panel
    assert f"{panel.outcome_words.text()} {panel.outcome_detail.text()}" == headline
    box = _record(qtbot, intake)
    assert headline in box.text()
    _confirm(qtbot, intake, box)
    assert "Recorded as decision 1 at Sun 01 Mar 2026, 23:00 PST (UTC-08:00)" in (
        panel.recorded.text()
    )

    # -- the record: stored in the county's offset, read as the county's wall clock ------
    with store.uow() as uow:
        row = uow.records.decision(1)
    assert row is not None
    assert row.summary.received_at == dt.datetime(2026, 3, 1, 22, 30, tzinfo=LOS_ANGELES)
    assert row.decision["hold_until"] == "2026-03-03T22:45:00-08:00"

    # -- the audit PDF and the notice, read back ----------------------------------------
    answers = intake.dialogs
    for button, name in (
        (panel.save_audit_button, "audit.pdf"),
        (panel.save_notice_button, "notice.pdf"),
    ):
        answers.pdf_path = str(tmp_path / name)  # type: ignore[attr-defined]
        click(qtbot, button)
        qtbot.waitUntil(lambda name=name: (tmp_path / name).exists(), timeout=20_000)  # type: ignore[misc]  # lambda with defaults
        qtbot.waitUntil(lambda: intake.controller.state.busy is None, timeout=20_000)
    audit = _pdf_text(tmp_path / "audit.pdf")
    assert "Recorded Sun 01 Mar 2026, 23:00 PST (UTC-08:00) by officer.a" in audit  # body
    assert "Generated Sun 01 Mar 2026, 23:00 PST (UTC-08:00) by officer.a" in audit  # footer
    assert (
        "Received by the jail Sun 01 Mar 2026, 22:30 PST (UTC-08:00) = 2026-03-02 06:30:00 UTC"
        in audit
    )
    assert "until Tue 03 Mar 2026, 22:45 PST (UTC-08:00)" in audit
    assert "EST" not in audit and "EDT" not in audit
    notice = _pdf_text(tmp_path / "notice.pdf")
    # Received and the notice's date are both the county's Sunday, 1 March (not Monday).
    assert notice.count("March 1, 2026") == 2 and notice.count("1 de marzo de 2026") == 2
    assert "March 2" not in notice and "2 de marzo" not in notice
    assert "but not after Tue 03 Mar 2026, 22:45 PST (UTC-08:00)" in notice
    assert "Generated Sun 01 Mar 2026, 23:00 PST (UTC-08:00)" in notice

    # -- the holds board ---------------------------------------------------------------
    window.active_holds_action.trigger()
    holds = window.records.holds
    # The board was read when the officer signed in; read it again, as the officer would.
    qtbot.waitUntil(lambda: holds.loaded_once and not holds.loading)
    click(qtbot, holds.refresh_button)
    qtbot.waitUntil(lambda: holds.model.rowCount() == 1)
    assert holds.model.index(0, 6).data() == "2026-03-01 22:45 PST"  # release eligible
    assert holds.model.index(0, 7).data() == "2026-03-03 22:45 PST"  # hold until
    assert holds.model.index(0, 0).data() == "47 h 45 min left"
    assert "Read at 2026-03-01 23:00 PST (America/Los_Angeles)." in holds.updated_label.text()

    # -- the log: the county's day holds the request, the next day does not --------------
    window.decision_log_action.trigger()
    log = window.records.log
    qtbot.waitUntil(lambda: log.model.rowCount() == 1)
    assert log.model.index(0, RECEIVED).data() == "2026-03-01 22:30 PST"
    assert log.model.index(0, HOLD_UNTIL).data() == "2026-03-03 22:45 PST"
    assert "Times are the county's (America/Los_Angeles)" in log.hint.text()
    sunday = QDate(2026, 3, 1)
    monday = sunday.addDays(1)
    for day, expected in ((sunday, 1), (monday, 0)):
        log.from_date.setDate(day)
        log.to_date.setDate(day)
        log.from_check.setChecked(True)
        log.to_check.setChecked(True)
        log.apply_filters()
        qtbot.waitUntil(lambda expected=expected: log.model.rowCount() == expected)  # type: ignore[misc]  # lambda with defaults
        qtbot.waitUntil(lambda: log.total is not None)
        assert log.total == expected
    log.from_date.setDate(sunday)
    log.to_date.setDate(sunday)
    log.apply_filters()
    qtbot.waitUntil(lambda: log.model.rowCount() == 1)

    # -- the detail view ---------------------------------------------------------------
    double_click_row(qtbot, log.table, 0)
    qtbot.waitUntil(lambda: window.findChild(DecisionDetailDialog) is not None)  # read first
    detail = window.findChild(DecisionDetailDialog)
    assert detail is not None
    qtbot.waitUntil(detail.isVisible)
    headline_label = detail.findChild(QLabel, "detailHeadline")
    assert headline_label is not None
    assert "HOLD until Tue 03 Mar 2026, 22:45 PST (UTC-08:00)" in headline_label.text()
    assert "Sun 01 Mar 2026, 23:00 PST (UTC-08:00)" in headline_label.text()
    history = detail.history_view.toPlainText()
    assert "Times in America/Los_Angeles." in history
    assert "2026-03-01 23:00 PST" in history
    detail.close()

    # -- the statistics screen: the request counts on the county's Sunday, in its week ----
    window.statistics_action.trigger()
    screen = window.records.statistics
    assert isinstance(screen, StatisticsScreen)
    for first, last, expected in (
        (dt.date(2026, 3, 1), dt.date(2026, 3, 1), 1),
        (dt.date(2026, 3, 2), dt.date(2026, 3, 2), 0),
    ):
        screen.set_period(first, last)
        click(qtbot, screen.show_button)
        qtbot.waitUntil(
            lambda first=first: (  # type: ignore[misc]  # lambda with defaults
                screen.tables is not None
                and not screen.loading
                and screen.tables.report.period_start == first
            )
        )
        assert screen.tables is not None
        assert screen.tables.report.totals.get(stats.RECEIVED, 0) == expected
        assert "the county's days (America/Los_Angeles)" in screen.totals_label.text()
    screen.set_period(dt.date(2026, 2, 23), dt.date(2026, 3, 8))
    click(qtbot, screen.show_button)
    qtbot.waitUntil(
        lambda: (
            screen.tables is not None
            and not screen.loading
            and screen.tables.report.period_start == dt.date(2026, 2, 23)
        )
    )
    assert screen.tables is not None
    # Monday-to-Sunday weeks: Sunday 1 March closes the week of 23 February.
    assert [(r.label, r.counts.get(stats.RECEIVED)) for r in screen.tables.report.by_week] == [
        ("week of 2026-02-23", 1)
    ]
    target = tmp_path / "statistics.pdf"
    screen.choose_save_path = lambda parent, title, suggested: str(target)
    click(qtbot, screen.save_button)
    qtbot.waitUntil(lambda: screen.saved_path is not None, timeout=20_000)
    statistics_pdf = _pdf_text(target)
    assert "week of 2026-02-23" in statistics_pdf
    assert "in the county's time zone (America/Los_Angeles)" in statistics_pdf
    assert "Generated Sun 01 Mar 2026, 23:00 PST (UTC-08:00)" in statistics_pdf

    # -- `stats` from the command line agrees, day by day and week by week ---------------
    data = str(tmp_path / "data")

    def stats_of(first: str, last: str, *more: str):
        return run_cli(
            "--data-dir", data, "stats", "--from", first, "--to", last, *more,
            "--user", "officer.a", "--password-stdin", stdin=OFFICER_PASSWORD + "\n",
        )  # fmt: skip

    sunday_json = json.loads(stats_of("2026-03-01", "2026-03-01", "--json").out)
    assert sunday_json["totals"]["received"] == 1
    assert sunday_json["timezone"] == "America/Los_Angeles"
    assert sunday_json["by_week"] == {
        "week of 2026-02-23": {"received": 1, "honored (hold or transfer)": 1}
    }
    assert json.loads(stats_of("2026-03-02", "2026-03-02", "--json").out)["totals"] == {}
    text = stats_of("2026-03-01", "2026-03-01")
    assert text.out.startswith(
        "2026-03-01 to 2026-03-01, the county's days (America/Los_Angeles)\n  received: 1\n"
    ), text.err


# -- the policy in the county's zone, from the window -------------------------------------------

NEW_YORK_FILE = b"""schema = 1
name = "Our own policy"
jurisdiction = "Columbia River County"
timezone = "America/New_York"  # copied from a template
citation = "County Code 2.15"

[hold]
when = [ { judicial_warrant = true } ]

[notify]
when = [ { always = true } ]
"""


@pytest.fixture
def admin_window(qtbot: QtBot, window: MainWindow, store: Runtime) -> MainWindow:
    _set_up_in_los_angeles(qtbot, window)
    return window


def test_the_policy_screen_refuses_a_file_of_another_zone_and_offers_the_countys(
    qtbot: QtBot, admin_window: MainWindow, store: Runtime, tmp_path: Path
) -> None:
    from detainer_desk.gui.policy_screen import ACTIVATE

    file = tmp_path / "ours.toml"
    file.write_bytes(NEW_YORK_FILE)
    dialog = admin_window.policy.open(ACTIVATE)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.loaded)  # the county's zone, read in the background
    chooser = dialog.activate_chooser
    chooser.load_file(str(file))
    assert chooser.zone_problem_label.isVisible()
    assert chooser.zone_problem_label.text() == (
        "This file's timezone is America/New_York, but the county's timezone is "
        "America/Los_Angeles. The policy in force must read times in the county's timezone, "
        "so the file cannot be activated as it is written."
    )
    offer = chooser.in_county_zone
    assert offer.isVisible()
    assert offer.text() == "Activate it with the county's timezone instead"
    assert chooser.zone_change.isVisible()
    assert chooser.zone_change.text() == (
        'One line changes, line 4: timezone = "America/New_York"  # copied from a template → '
        'timezone = "America/Los_Angeles"  # copied from a template'
    )
    type_into(qtbot, dialog.reason.edit, "Counsel memo of 2026-03-01")
    click(qtbot, dialog.activate_button)
    assert dialog.activate_message.text().startswith("This file's timezone is America/New_York")
    before = records.active_policy(store.uow())
    assert before is not None and before.policy.name.startswith("Judicial warrant only")

    offer.setChecked(True)
    assert not chooser.zone_problem_label.isVisible()
    click(qtbot, dialog.activate_button)
    qtbot.waitUntil(lambda: not dialog.acting)
    assert "It reads times in the county's timezone, America/Los_Angeles." in (
        dialog.activate_message.text()
    )
    after = records.active_policy(store.uow())
    assert after is not None and after.policy.name == "Our own policy"
    assert after.policy.text == NEW_YORK_FILE.decode().replace(
        '"America/New_York"', '"America/Los_Angeles"'
    )
    dialog.close()


def test_a_new_zone_in_settings_asks_then_activates_the_policy_again(
    qtbot: QtBot, admin_window: MainWindow, store: Runtime
) -> None:
    from detainer_desk.gui.dialogs import SettingsDialog

    questions: list[str] = []
    answer = [False]
    dialog = admin_window.dialogs.open_settings()
    assert isinstance(dialog, SettingsDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # the saved settings, read in the background

    def confirm(parent: object, text: str) -> bool:
        questions.append(text)
        return answer[0]

    dialog.confirm_zone_change = confirm
    edit = dialog.installation.timezone.lineEdit()
    assert edit is not None
    type_into(qtbot, edit, "America/Denver")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: bool(questions) and not dialog.busy)
    [question] = questions
    assert question.startswith(
        "The policy in force, “Judicial warrant only, 48-hour cap (generic)”, reads times in "
        "another timezone. Saving makes America/Denver the county's timezone and activates "
        "that policy again in it, in the same step: one line of its text changes (line 4, "
        'timezone = "America/Los_Angeles" → timezone = "America/Denver").'
    )
    assert dialog.isVisible() and dialog.error.text() == "Nothing was saved."
    assert read_settings(store.uow()).timezone == "America/Los_Angeles"

    answer[0] = True
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    assert read_settings(store.uow()).timezone == "America/Denver"
    activation = records.active_policy(store.uow())
    assert activation is not None and 'timezone = "America/Denver"' in activation.policy.text
    assert "was activated again in the county's new timezone" in (
        admin_window.statusBar().currentMessage()
    )


def test_an_upgraded_policy_of_another_zone_is_named_and_activated_again(
    qtbot: QtBot, admin_window: MainWindow, store: Runtime, tmp_path: Path
) -> None:
    """What an installation set up before this version may hold: Settings in Los Angeles,
    the preset in force still in New York. The policy screen names both zones and offers
    the way out; intake refuses to check meanwhile, in words."""
    from detainer_desk.domain.policy import parse_policy
    from detainer_desk.gui.policy_screen import IN_FORCE
    from detainer_desk.services.ports import Stamp

    shipped = parse_policy(presets.preset_bytes(PRESET), PRESET)
    with store.uow() as uow:  # stored as the older version stored it: as shipped, New York
        stamp = Stamp(NOW.astimezone(dt.UTC), "chief", WORKSTATION)
        stored = uow.records.add_policy_version(
            shipped.text, shipped.sha256, shipped.name, PRESET, stamp
        )
        uow.records.add_policy_activation(stored, "set up by an older version", stamp)
        uow.commit()
    # Intake checks nothing under it, and says why, in words.
    seed_user(
        store, admin_window.session.require_actor(), "officer.a", ["officer"], OFFICER_PASSWORD
    )
    admin_window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: admin_window.pages.currentWidget() is admin_window.sign_in_page)
    signed_in(qtbot, admin_window, "officer.a", OFFICER_PASSWORD)
    admin_window.content_page.show_screen(admin_window.intake)
    intake = admin_window.intake
    file = tmp_path / "request.json"
    file.write_text(json.dumps(BASE_REQUEST))
    intake.dialogs.open_path = str(file)  # type: ignore[attr-defined]
    click(qtbot, intake.open_button)
    qtbot.waitUntil(lambda: intake.banner.text() != "")
    problems = [p.message for p in intake.controller.assessment.problems]
    assert problems == [records.out_of_zone("America/New_York", "America/Los_Angeles")]
    assert problems[0].startswith("the policy in force reads times in America/New_York, but")
    assert not intake.panel.check_button.isEnabled()
    admin_window.sign_out_action.trigger()
    qtbot.waitUntil(lambda: admin_window.pages.currentWidget() is admin_window.sign_in_page)
    signed_in(qtbot, admin_window, "chief", ADMIN_PASSWORD)
    dialog = admin_window.policy.open(IN_FORCE)
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.loaded)  # read in the background
    assert dialog.in_force_zone.text() == (
        "This policy reads times in America/New_York, but the county's timezone is "
        "America/Los_Angeles. Requests cannot be recorded under it until it is activated "
        "again in the county's timezone (the same text, but for its timezone line)."
    )
    assert dialog.reactivate_button.isVisible()
    asked: list[str] = []

    def confirm(parent: object, text: str) -> bool:
        asked.append(text)
        return True

    dialog.confirm_zone_change = confirm
    click(qtbot, dialog.reactivate_button)
    qtbot.waitUntil(lambda: bool(asked) and not dialog.acting and not dialog.loading)
    assert asked and 'line 4, timezone = "America/New_York" → timezone' in asked[0]
    assert dialog.in_force_zone.text() == (
        "Times are read in the county's timezone, America/Los_Angeles."
    )
    activation = records.active_policy(store.uow())
    assert activation is not None
    assert 'timezone = "America/Los_Angeles"' in activation.policy.text
    dialog.close()


@pytest.fixture
def late_desk(tmp_path: Path) -> Iterator[Desk]:
    """A hold whose deadline passed 2 h 25 min ago (Thu 12 Feb 2026, 09:00 PST)."""
    for desk in desk_under(tmp_path):
        desk.record(**{"subject.name": "RIVERA, Ana", "release_eligible_at": ELIGIBLE.isoformat()})
        desk.clock.set(LATE + dt.timedelta(minutes=20))
        yield desk


@pytest.fixture
def late_window(qtbot: QtBot, late_desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, late_desk)


ELIGIBLE = dt.datetime(2026, 2, 10, 9, 0, tzinfo=LOS_ANGELES)
LATE = ELIGIBLE + dt.timedelta(hours=50, minutes=5)  # 2 h 05 min after the deadline


def test_a_release_after_the_deadline_is_recorded_and_marked_on_the_board(
    qtbot: QtBot, late_window: MainWindow
) -> None:
    window = late_window
    """The holds board, the overdue report and the detail view mark a hold that ended
    after its deadline, with by how much; the supervisor is told before it is written."""
    sign_in_as(qtbot, window, "sgt.b")
    window.active_holds_action.trigger()
    screen = window.records.holds
    qtbot.waitUntil(lambda: screen.loaded_once and screen.model.rowCount() == 1)
    assert screen.model.index(0, 0).data() == "overdue by 2 h 25 min"
    screen.table.selectRow(0)
    screen.kind_combo.setCurrentIndex(screen.kind_combo.findData(lc.RELEASED))
    screen.set_when(LATE)
    click(qtbot, screen.record_button)
    said = " ".join(answer(qtbot, screen, "amendmentConfirmation").split())
    qtbot.waitUntil(lambda: bool(screen.message.text()))  # written in the background
    assert (
        "It is after the deadline (Thu 12 Feb 2026, 09:00 PST (UTC-08:00)): it is "
        "recorded as it happened and marked held past its deadline by 2 h 05 min."
    ) in said
    assert "held past its deadline by 2 h 05 min" in screen.message.text()
    qtbot.waitUntil(lambda: not screen.loading and screen.ended_late_label.isVisible())
    assert screen.model.rowCount() == 0
    assert screen.ended_late_label.text() == (
        "Held past the deadline in the last 30 days (recorded as it happened): RIVERA, "
        "Ana (B26-000311): released 2026-02-12 11:05 PST, held past its deadline by "
        "2 h 05 min. See the overdue report."
    )
    report = screen.open_overdue_report()
    assert report is not None
    qtbot.waitUntil(lambda: report.items is not None)
    page = report.view.toPlainText()
    assert "Held past the deadline in the last 30 days" in page
    assert "held past its deadline by 2 h 05 min" in page
    assert "2026-02-12 11:05 PST" in page
    report.close()
    detail = open_detail(qtbot, window, 1)
    assert detail is not None
    headline = detail.findChild(QLabel, "detailHeadline")
    assert headline is not None
    assert "Held past its deadline by 2 h 05 min" in headline.text()
    detail.close()
