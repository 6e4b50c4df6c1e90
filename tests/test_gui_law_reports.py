"""Reports › the statutory reports and notices, and recording an ICE contact from the menu
or from a decision's detail, driven with the mouse and keyboard over a real store."""

from __future__ import annotations

import csv
import datetime as dt
import subprocess
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtWidgets import QComboBox, QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from detainer_desk.domain import contacts as ct
from detainer_desk.gui.law_reports import TRANSLATOR_WORDS, ContactDialog, LawReportsDialog
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records.detail import DecisionDetailDialog
from detainer_desk.services.contacts import find_contacts, save_jurisdiction
from detainer_desk.services.county_clock import county_zone
from detainer_desk.services.index import decision_state
from detainer_desk.services.ports import ContactQuery

from .test_gui_records_support import NOW, Desk, desk_under, sign_in_as, window_on
from .test_gui_shell import _unnamed_controls
from .test_gui_support import click, closed, trail, type_into


@pytest.fixture
def desk(tmp_path: Path) -> Iterator[Desk]:
    yield from desk_under(tmp_path)


@pytest.fixture
def window(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    yield from window_on(qtbot, desk)


def _contacts(desk: Desk) -> list:
    return find_contacts(desk.runtime.uow(), ContactQuery(), desk.actor("sgt.b"), NOW)


def _zone(desk: Desk) -> ZoneInfo:
    """The county's zone, as the records screens read it before opening a decision."""
    return county_zone(desk.runtime.uow())


def _pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def _open_contact(qtbot: QtBot, window: MainWindow) -> ContactDialog:
    assert window.reports_menu.menuAction().isEnabled()
    assert window.contact_action.isEnabled()
    window.contact_action.trigger()
    dialog = window.findChild(ContactDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # the county's zone, read in the background
    return dialog


def test_an_officer_records_a_contact_and_a_refusal_keeps_what_was_typed(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    sign_in_as(qtbot, window, "officer.a")
    window.law_reports_action.trigger()  # an officer saves notices, makes no report
    reports = window.findChild(LawReportsDialog)
    assert reports is not None
    qtbot.waitUntil(reports.isVisible)
    qtbot.waitUntil(lambda: reports.loaded)  # what the county's law names, read first
    assert not reports.save_button.isEnabled()
    reports.close()
    dialog = _open_contact(qtbot, window)
    dialog.kind.setCurrentIndex(dialog.kind.findData(ct.DECLINED))
    type_into(qtbot, dialog.detail_widgets["asked_for"], "release date of B26-000311")
    dialog.when.edit.clear()
    type_into(qtbot, dialog.when.edit, "2026-02-10 0930")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and dialog.when.error.isVisible()  # an unreadable time
    dialog.when.edit.clear()
    type_into(qtbot, dialog.when.edit, "2026-02-10 08:30")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: not dialog.busy)
    # Refused: a declined request must say why. Everything typed is still there.
    assert dialog.isVisible()
    assert "must say why it was declined" in dialog.error.text()
    assert isinstance(dialog.detail_widgets["asked_for"], QLineEdit)
    assert dialog.detail_widgets["asked_for"].text() == "release date of B26-000311"
    assert _contacts(desk) == []
    type_into(qtbot, dialog.reason.edit, "no judicial warrant")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    (view,) = _contacts(desk)
    assert view.fact.kind == ct.DECLINED and view.fact.reason == "no judicial warrant"
    assert view.fact.details == {"asked_for": "release date of B26-000311"}
    assert view.original.stamp.recorded_by == "officer.a"
    assert "recorded" in window.statusBar().currentMessage()


def test_a_contact_from_a_decision_detail_is_about_that_decision(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    decision_id = desk.record().decision_id
    sign_in_as(qtbot, window, "sgt.b")
    with desk.runtime.uow() as uow:
        row = uow.records.decision(decision_id)
    assert row is not None
    detail = DecisionDetailDialog(
        window.session, window.tasks, row, decision_state(row), window, zone=_zone(desk)
    )
    detail.show()
    assert detail.reports_button.isEnabled()
    detail.contact_action.trigger()
    dialog = detail.contact_dialog
    assert isinstance(dialog, ContactDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.decision.text() == str(decision_id) and dialog.decision.edit.isReadOnly()
    dialog.kind.setCurrentIndex(dialog.kind.findData(ct.RELEASE_NOTIFICATION))
    type_into(qtbot, dialog.detail_widgets["sent_to"], "ICE ERO Portland")
    means = dialog.detail_widgets["means"]
    assert isinstance(means, QComboBox)
    means.setCurrentIndex(means.findData("phone"))
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    (view,) = _contacts(desk)
    assert view.fact.decision_id == decision_id
    assert "ORS 181A.826(3)(a)" in (view.fact.policy_answer or "")  # Oregon law answers
    assert "recorded" in detail.message.text()
    tab = detail.tabs.indexOf(detail.contacts_view)
    qtbot.waitUntil(lambda: detail.contact_records != [])  # read again in the background
    assert detail.tabs.tabText(tab) == "ICE contacts (1)"
    assert "Release date given to ICE" in detail.contacts_view.toPlainText()
    assert "ICE ERO Portland" in detail.contacts_view.toPlainText()
    detail.tabs.setCurrentWidget(detail.contacts_view)
    detail.grab().save(str(tmp_path / "contacts-tab.png"))
    detail.close()


def test_counsel_saves_a_statutory_report_and_its_csv_from_the_verified_record(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    desk.record(**{"received_at": "2026-02-03T08:30:00-08:00"})
    sign_in_as(qtbot, window, "counsel.d")
    assert window.law_reports_action.isEnabled() and not window.contact_action.isEnabled()
    window.law_reports_action.trigger()
    dialog = window.findChild(LawReportsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)
    # The policy says "Example County, OR": Oregon's report comes first.
    assert dialog.report.currentData() == "oregon"
    assert not dialog.daily_cost.isEnabled()  # Texas alone asks for it
    # Each report starts on its last whole period before the county's today (10 Feb 2026).
    assert dialog.period() == (dt.date(2026, 1, 1), dt.date(2026, 1, 31))
    dialog.choose_report("texas-monthly")
    assert dialog.daily_cost.isEnabled()
    dialog.choose_report("nyc-quarterly")
    assert dialog.period() == (dt.date(2025, 10, 1), dt.date(2025, 12, 31))
    dialog.choose_report("illinois-annual")
    assert dialog.period() == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    dialog.choose_report("oregon")
    intro = dialog.findChild(QLabel, "lawReportsIntro")
    assert intro is not None and "Oregon (from the policy in force)" in intro.text()
    # Oregon's law names no notice for the person: nothing to save, and it says so.
    assert not dialog.notice_button.isEnabled()
    assert "names no notice" in dialog.notice_words.text()

    dialog.set_period(dt.date(2026, 3, 1), dt.date(2026, 2, 1))
    click(qtbot, dialog.save_button)
    assert "ends (2026-02-01) before it begins" in dialog.message.text()

    target = tmp_path / "out" / "oregon-feb"
    target.parent.mkdir()
    dialog.choose_save_path = lambda _parent, _title, suggested: str(target)
    dialog.set_period(dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: len(dialog.saved) == 2, timeout=30_000)
    pdf, table = dialog.saved
    assert pdf == target.with_suffix(".pdf") and table == target.with_suffix(".csv")
    text = _pdf_text(pdf)
    assert "Oregon" in text and "verified" in text
    with table.open(newline="", encoding="utf-8") as handle:
        (entry,) = list(csv.DictReader(handle))
    assert entry["request"] == "Detainer (I-247A)" and entry["declined"] == "NO"
    assert "head hash" in dialog.message.text()


def test_the_notices_follow_the_jurisdiction_and_say_to_have_a_translator_confirm(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    save_jurisdiction(desk.runtime.uow(), "CA", desk.admin, NOW)
    sign_in_as(qtbot, window, "admin")
    window.law_reports_action.trigger()
    dialog = window.findChild(LawReportsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.report.currentData() == "california-forum"
    keys = [dialog.notice.itemData(i) for i in range(dialog.notice.count())]
    # California names three; its policy permits notification, so the third applies too.
    assert keys == ["interview-consent", "request-notice", "release-date-notice"]
    assert TRANSLATOR_WORDS in [label.text() for label in dialog.findChildren(QLabel)]
    dialog.notice.setCurrentIndex(0)
    dialog.language.setCurrentIndex(dialog.language.findData("ko"))
    target = tmp_path / "consent-ko.pdf"
    dialog.choose_save_path = lambda _parent, _title, _suggested: str(target)
    click(qtbot, dialog.notice_button)
    qtbot.waitUntil(lambda: dialog.saved == [target], timeout=30_000)
    text = _pdf_text(target)
    assert "Consent to an interview with ICE" in text  # Latin
    assert "ICE 면담 동의서" in text  # Hangul, from the bundled font


def test_screens_at_1366x768_and_at_scale(qtbot: QtBot, window: MainWindow, tmp_path: Path) -> None:
    sign_in_as(qtbot, window, "sgt.b")
    window.law_reports_action.trigger()
    reports = window.findChild(LawReportsDialog)
    assert reports is not None
    qtbot.waitUntil(reports.isVisible)
    qtbot.waitUntil(lambda: reports.loaded)
    assert reports.height() <= 768 and reports.width() <= 1366
    assert _unnamed_controls(reports) == []
    reports.grab().save(str(tmp_path / "law-reports.png"))
    reports.close()
    window.contact_action.trigger()
    contact = window.findChild(ContactDialog)
    assert contact is not None
    qtbot.waitUntil(contact.isVisible)
    assert contact.height() <= 768
    assert _unnamed_controls(contact) == []
    contact.grab().save(str(tmp_path / "contact.png"))


def test_the_admin_sets_the_reporting_law_in_settings_beside_the_translator_warning(
    qtbot: QtBot, window: MainWindow, desk: Desk
) -> None:
    from detainer_desk.gui.dialogs import SettingsDialog
    from detainer_desk.services.contacts import read_jurisdiction

    sign_in_as(qtbot, window, "admin")
    window.settings_action.trigger()
    dialog = window.findChild(SettingsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)  # the saved settings, read in the background
    assert "Oregon (from the policy in force)" in dialog.jurisdiction_note.text()
    assert "have a qualified translator confirm them" in dialog.jurisdiction_note.text()
    dialog.jurisdiction.setCurrentIndex(dialog.jurisdiction.findData("TX"))
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    jurisdiction = read_jurisdiction(desk.runtime.uow())
    assert (jurisdiction.code, jurisdiction.source) == ("TX", "setting")

    window.law_reports_action.trigger()
    reports = window.findChild(LawReportsDialog)
    assert reports is not None
    qtbot.waitUntil(reports.isVisible)
    qtbot.waitUntil(lambda: reports.loaded)
    assert reports.report.currentData() == "texas-monthly"
    # Texas art. 2.251: the notice to a person held on a detainer (the policy can hold).
    assert [reports.notice.itemData(i) for i in range(reports.notice.count())] == [
        "texas-detainer-notice"
    ]
    reports.close()

    window.settings_action.trigger()
    again = [d for d in window.findChildren(SettingsDialog) if d.isVisible()][-1]
    qtbot.waitUntil(lambda: again.loaded)
    again.jurisdiction.setCurrentIndex(again.jurisdiction.findData(""))
    click(qtbot, again.ok_button)
    qtbot.waitUntil(lambda: closed(again))
    assert read_jurisdiction(desk.runtime.uow()).source == "active policy"


def test_facts_for_the_reports_are_recorded_from_the_detail_as_amendments(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    from detainer_desk.domain import lifecycle as lc
    from detainer_desk.gui.law_reports import ReportFactsDialog

    decision_id = desk.record().decision_id
    sign_in_as(qtbot, window, "sgt.b")
    with desk.runtime.uow() as uow:
        row = uow.records.decision(decision_id)
    assert row is not None
    detail = DecisionDetailDialog(
        window.session, window.tasks, row, decision_state(row), window, zone=_zone(desk)
    )
    detail.resize(910, 500)  # 1366x768 at 150 %: the buttons still fit
    detail.show()
    detail.grab().save(str(tmp_path / "detail-buttons.png"))
    detail.facts_action.trigger()
    dialog = detail.facts_dialog
    assert isinstance(dialog, ReportFactsDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)
    type_into(qtbot, dialog.bail.edit, "yesterday at four")
    sex = dialog.person["sex"]
    assert isinstance(sex, QComboBox)
    sex.setCurrentIndex(sex.findData("female"))
    type_into(qtbot, dialog.person["preferred_language"], "K'iche'")
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible() and dialog.bail.error.isVisible()  # kept open, nothing stored
    assert dialog.person_facts() == {"sex": "female", "preferred_language": "K'iche'"}
    dialog.bail.edit.clear()
    type_into(qtbot, dialog.bail.edit, "2026-02-10 07:45")
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    with desk.runtime.uow() as uow:
        after = uow.records.decision(decision_id)
    assert after is not None
    kinds = [(a.kind, a.stamp.recorded_by) for a in after.amendments]
    assert kinds == [(lc.BAIL_POSTED, "sgt.b"), (lc.PERSON_FACTS, "sgt.b")]
    assert "Recorded for the reports" in detail.message.text()
    detail.close()

    # An officer may not amend decisions: the button is off and says why.
    window.session.sign_out()
    sign_in_as(qtbot, window, "officer.a")
    officer_detail = DecisionDetailDialog(
        window.session, window.tasks, after, decision_state(after), window, zone=_zone(desk)
    )
    assert not officer_detail.facts_action.isEnabled()
    assert "amend" in officer_detail.facts_action.toolTip()
    assert officer_detail.contact_action.isEnabled()  # an officer records contacts
    officer_detail.close()


def test_the_contacts_screen_lists_searches_and_amends_keeping_the_original(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    from detainer_desk.gui.law_reports import AmendContactDialog, ContactsDialog
    from detainer_desk.services.contacts import record_contact

    interview = {"consent_form_given": True, "language": "tl", "answer": "declined"}
    for when, agency in ((NOW - dt.timedelta(hours=3), "ICE"), (NOW, "CBP")):
        record_contact(
            desk.runtime.uow(), ct.INTERVIEW_REQUEST, when, agency, interview,
            desk.actor("officer.a"), NOW,
        )  # fmt: skip
    sign_in_as(qtbot, window, "sgt.b")
    window.contacts_action.trigger()
    dialog = window.findChild(ContactsDialog)
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: not dialog.loading)  # read in the background
    assert dialog.model.rowCount() == 2
    assert dialog.model.item(0, 3).text() == "CBP"  # newest first
    assert _unnamed_controls(dialog) == []
    dialog.resize(910, 500)  # 1366x768 at 150 %
    dialog.grab().save(str(tmp_path / "contacts.png"))
    type_into(qtbot, dialog.search, "cbp")
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(lambda: not dialog.loading)
    assert dialog.model.rowCount() == 1
    dialog.search.clear()
    click(qtbot, dialog.search_button)
    qtbot.waitUntil(lambda: not dialog.loading)

    dialog.select(1)  # the ICE one
    assert "Contact 1:" in dialog.history.toPlainText()
    click(qtbot, dialog.amend_button)
    amend = dialog.child
    assert isinstance(amend, AmendContactDialog)
    qtbot.waitUntil(amend.isVisible)
    qtbot.waitUntil(lambda: amend.loaded)
    answer = amend.detail_widgets["answer"]
    assert isinstance(answer, QComboBox) and answer.currentData() == "declined"
    answer.setCurrentIndex(answer.findData("consented"))
    click(qtbot, amend.ok_button)
    assert amend.isVisible() and amend.reason.error.isVisible()  # why is required
    assert answer.currentData() == "consented"  # kept
    type_into(qtbot, amend.reason.edit, "the form was signed after reading it in Tagalog")
    click(qtbot, amend.ok_button)
    qtbot.waitUntil(lambda: closed(amend))
    qtbot.waitUntil(lambda: not dialog.loading)
    assert "(amended)" in dialog.model.item(1, 5).text()
    dialog.select(1)
    history = dialog.history.toPlainText()
    assert "Amendment 3 of contact 1" in history and '"answer":"declined"' in history
    (first,) = [v for v in _contacts(desk) if v.fact.contact_id == 1]
    assert first.fact.answer == "consented" and first.corrections[0].stamp.recorded_by == "sgt.b"

    window.session.sign_out()
    sign_in_as(qtbot, window, "counsel.d")  # counsel reads; records and amends nothing
    window.contacts_action.trigger()
    seen = [d for d in window.findChildren(ContactsDialog) if d.isVisible()][-1]
    qtbot.waitUntil(lambda: not seen.loading)
    seen.select(0)
    assert not seen.record_button.isEnabled() and not seen.amend_button.isEnabled()


def test_a_notice_from_a_decision_detail_names_its_person(
    qtbot: QtBot, window: MainWindow, desk: Desk, tmp_path: Path
) -> None:
    save_jurisdiction(desk.runtime.uow(), "TX", desk.admin, NOW)
    decision_id = desk.record().decision_id
    sign_in_as(qtbot, window, "officer.a")
    with desk.runtime.uow() as uow:
        row = uow.records.decision(decision_id)
    assert row is not None
    detail = DecisionDetailDialog(
        window.session, window.tasks, row, decision_state(row), window, zone=_zone(desk)
    )
    detail.show()
    assert detail.notices_action.isEnabled()
    detail.notices_action.trigger()
    dialog = detail.notices_dialog
    assert isinstance(dialog, LawReportsDialog)
    qtbot.waitUntil(dialog.isVisible)
    qtbot.waitUntil(lambda: dialog.loaded)
    assert dialog.notice.currentData() == "texas-detainer-notice"
    assert not dialog.save_button.isEnabled()  # an officer makes no statutory report
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    target = tmp_path / "texas-notice.pdf"
    dialog.choose_save_path = lambda _parent, _title, suggested: str(target)
    click(qtbot, dialog.notice_button)
    qtbot.waitUntil(lambda: dialog.saved == [target], timeout=30_000)
    text = _pdf_text(target)
    assert "RIVERA, Ana" in text and "B26-000311" in text
    assert "art. 2.251" in text
    printed = [e for e in trail(desk.runtime, desk.admin) if e.action == "notice.print"]
    assert [(e.user_name, e.target) for e in printed] == [("officer.a", f"decision {decision_id}")]
    dialog.close()
    detail.close()


@pytest.mark.parametrize(
    ("cadence", "today", "first", "last"),
    [
        ("monthly", dt.date(2026, 3, 1), dt.date(2026, 2, 1), dt.date(2026, 2, 28)),
        ("monthly", dt.date(2026, 1, 15), dt.date(2025, 12, 1), dt.date(2025, 12, 31)),
        ("quarterly", dt.date(2026, 4, 1), dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        ("quarterly", dt.date(2026, 3, 31), dt.date(2025, 10, 1), dt.date(2025, 12, 31)),
        ("annual", dt.date(2026, 1, 1), dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    ],
)
def test_the_last_whole_period_of_each_cadence(cadence, today, first, last) -> None:
    from detainer_desk.gui.law_reports import last_period

    assert last_period(cadence, today) == (first, last)
