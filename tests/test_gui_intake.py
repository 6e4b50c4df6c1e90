"""The intake screen, driven through the real window over a real record store, like an
officer at 3 a.m. with a faxed I-247A: type it in, attach the scans, check, record, print.

The clock is the backend's, injected: the examples' dates are fixed, so "now" is the evening
after release eligibility (Wed 11 Feb 2026, 20:00 Pacific) unless a test moves it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, QSettings, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDropEvent, QImage
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QBoxLayout,
    QCheckBox,
    QComboBox,
    QLineEdit,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.intake import IntakeScreen
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import records
from detainer_desk.services.access import PermissionDenied
from detainer_desk.services.ports import Actor
from detainer_desk.services.settings import read_settings, save_settings

from .conftest import REPO_ROOT
from .test_gui_support import (
    COUNSEL_PASSWORD,
    OFFICER_PASSWORD,
    WORKSTATION,
    click,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    type_into,
)

EXAMPLES = REPO_ROOT / "tests" / "fixtures" / "examples"
EXAMPLE = EXAMPLES / "01-judicial-warrant-hold"
PACIFIC = dt.timezone(dt.timedelta(hours=-8))
EVENING = dt.datetime(2026, 2, 11, 20, 0, tzinfo=PACIFIC)
HOLD_HEADLINE = "HOLD until Fri 13 Feb 2026, 15:00 PST (UTC-08:00)"


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


class Answers:
    """Stands in for the file and print dialogs (which would block the event loop)."""

    def __init__(self) -> None:
        self.open_path: str | None = None
        self.save_path: str | None = None
        self.scans: list[str] = []
        self.pdf_path: str | None = None
        self.print_to: str | None = None
        self.asked: list[str] = []

    def request_to_open(self, parent: QWidget, folder: str) -> str | None:
        self.asked.append("open")
        return self.open_path

    def request_to_save(self, parent: QWidget, suggested: str) -> str | None:
        self.asked.append(f"save {Path(suggested).name}")
        return self.save_path

    def scans_to_attach(self, parent: QWidget, folder: str) -> list[str]:
        self.asked.append("scans")
        return self.scans

    def pdf_to_save(self, parent: QWidget, title: str, suggested: str) -> str | None:
        self.asked.append(f"pdf {Path(suggested).name}")
        return self.pdf_path

    def printer(self, parent: QWidget, title: str) -> QPrinter | None:
        self.asked.append(title)
        if self.print_to is None:
            return None
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(self.print_to)
        printer.setResolution(100)  # enough for a test, and quick
        return printer


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    admin = seed_admin(store)
    seed_user(store, admin, "officer.a", ["officer"], OFFICER_PASSWORD)
    seed_user(store, admin, "officer.b", ["officer"], OFFICER_PASSWORD)
    seed_user(store, admin, "counsel.d", ["counsel"], COUNSEL_PASSWORD)
    policy = (EXAMPLE / "policy.toml").read_bytes()
    records.activate_policy(store.uow(), policy, "policy.toml", admin, utc_now())
    return admin


@pytest.fixture
def clock() -> Clock:
    return Clock(EVENING)


@pytest.fixture
def answers() -> Answers:
    return Answers()


def _window(
    qtbot: QtBot, store: Runtime, clock: Clock, answers: Answers, tmp_path: Path
) -> MainWindow:
    window = MainWindow(Backend.from_runtime(store, WORKSTATION, clock=clock))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.intake.dialogs = answers  # type: ignore[assignment]
    window.intake.recent.use(QSettings(str(tmp_path / "recent.ini"), QSettings.Format.IniFormat))
    with qtbot.waitExposed(window):
        window.show()
    return window


@pytest.fixture
def window(
    qtbot: QtBot, store: Runtime, admin: Actor, clock: Clock, answers: Answers, tmp_path: Path
) -> Iterator[MainWindow]:
    main_window = _window(qtbot, store, clock, answers, tmp_path)
    signed_in(qtbot, main_window, "officer.a", OFFICER_PASSWORD)
    yield main_window
    main_window.tasks.wait()
    main_window.close()


@pytest.fixture
def intake(window: MainWindow) -> IntakeScreen:
    window.content_page.show_screen(window.intake)
    return window.intake


def _text(intake: IntakeScreen, key: str) -> QLineEdit:
    return intake.request_page.texts[key]


def _note(intake: IntakeScreen, key: str) -> str:
    label = intake.request_page.notes[key].label
    return label.text() if label.isVisible() else ""


def _open_example(qtbot: QtBot, intake: IntakeScreen, answers: Answers, path: Path) -> None:
    answers.open_path = str(path)
    click(qtbot, intake.open_button)
    qtbot.waitUntil(lambda: intake.banner.text() != "")


def _check(qtbot: QtBot, intake: IntakeScreen) -> None:
    click(qtbot, intake.panel.check_button)
    qtbot.waitUntil(intake.panel.outcome_frame.isVisible)


def _headline(intake: IntakeScreen) -> str:
    panel = intake.panel
    return f"{panel.outcome_words.text()} {panel.outcome_detail.text()}".strip()


def _record(qtbot: QtBot, intake: IntakeScreen) -> QMessageBox:
    """Press Record and return the confirmation (after the look for earlier decisions)."""
    click(qtbot, intake.panel.record_button)
    box: list[QMessageBox] = []

    def asked() -> bool:
        found = intake.findChild(QMessageBox, "recordConfirmation")
        if found is not None and found.isVisible():
            box[:] = [found]
        return bool(box)

    qtbot.waitUntil(asked)
    return box[0]


def _confirm(qtbot: QtBot, intake: IntakeScreen, box: QMessageBox) -> None:
    button = box.findChild(QWidget, "confirmRecordButton")
    assert button is not None
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: intake.controller.recorded is not None, timeout=10_000)


def _tick(qtbot: QtBot, box: QCheckBox) -> None:
    """Click a check box where an officer would: on the box itself, at its left."""
    qtbot.mouseClick(box, Qt.MouseButton.LeftButton, pos=QPoint(8, box.height() // 2))


def _choose(qtbot: QtBot, combo: QComboBox, text: str) -> None:
    """Choose an entry with the arrow keys, as an officer at the keyboard would."""
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Home)
    for _ in range(combo.count()):
        if combo.currentText().startswith(text):
            return
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    raise AssertionError(f"{combo.objectName()} has no entry {text!r}")


def _png(path: Path) -> Path:
    image = QImage(240, 320, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    for y in range(40, 60):
        for x in range(20, 220):
            image.setPixelColor(x, y, QColor("black"))
    assert image.save(str(path), "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes str
    return path


def _pdf(path: Path, text: str = "WARRANT FOR ARREST") -> Path:
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    page.setFont("Helvetica-Bold", 36)
    page.drawString(60, 700, text)
    page.showPage()
    page.save()
    path.write_bytes(buffer.getvalue())
    return path


def _drop(qtbot: QtBot, target: QWidget, paths: list[Path]) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    where = QPointF(target.rect().center())
    actions = Qt.DropAction.CopyAction
    buttons, keys = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(where.toPoint(), actions, data, buttons, keys)
    QApplication.sendEvent(target, enter)
    assert enter.isAccepted()
    QApplication.sendEvent(target, QDropEvent(where, actions, data, buttons, keys))


# -- the officer's whole night, by keyboard and mouse --------------------------------------------


def test_an_officer_types_a_request_checks_attaches_and_records_it(
    qtbot: QtBot, intake: IntakeScreen, store: Runtime, tmp_path: Path
) -> None:
    page = intake.request_page
    assert intake.panel.problems_heading.text() == "Not ready to check: 5 things to fix"
    assert _text(intake, "received_at").text() == "2026-02-11 20:00"  # prefilled: now, local

    type_into(qtbot, _text(intake, "subject.name"), "RIVERA, Ana")
    type_into(qtbot, _text(intake, "subject.dob"), "1988-07-14")
    type_into(qtbot, _text(intake, "subject.booking_number"), "B26-000311")
    type_into(qtbot, _text(intake, "subject.a_number"), "98765432")
    page.form.setFocus()
    qtbot.keyClicks(page.form, "I-247A")
    assert page.form.currentData() == "I-247A"
    type_into(qtbot, _text(intake, "detainer.issued_at"), "2026-02-10 07:55")
    type_into(qtbot, _text(intake, "received_at"), "2026-02-10 08:30")
    type_into(qtbot, _text(intake, "detainer.issuing_office"), "ICE ERO Portland")
    for name in ("requestNotify", "requestHold", "basisRemovalProceedings"):
        widget = page.root.findChild(QCheckBox, name)
        assert widget is not None
        _tick(qtbot, widget)
        assert widget.isChecked()
    type_into(qtbot, _text(intake, "release_eligible_at"), "2026-02-11 15:00")
    assert intake.request_page.readings["release_eligible_at"].text() == (
        "Read as Wed 11 Feb 2026, 15:00 PST (UTC-08:00)"
    )

    # The papers: an I-200 and the magistrate's warrant, each classified from the paper.
    intake.tabs.setCurrentIndex(1)
    documents = intake.documents
    for kind, signer, court, federal in (
        ("I-200", "An immigration officer", "", False),
        ("Judicial", "A magistrate", "U.S. District Court for the District of Oregon", True),
    ):
        click(qtbot, documents.add_button)
        _choose(qtbot, documents.combos["kind"], kind)
        _tick(qtbot, documents.checks["signed"])
        _choose(qtbot, documents.combos["signer_role"], signer)
        if court:
            type_into(qtbot, documents.texts["court"], court)
        if federal:
            _choose(qtbot, documents.combos["court_system"], "Federal")
            _tick(qtbot, documents.checks["names_subject"])
    assert documents.verdict.text() == "✔ COUNTS as a judicial warrant"

    # Enter in a field checks the request.
    qtbot.keyClick(documents.texts["court"], Qt.Key.Key_Return)
    qtbot.waitUntil(intake.panel.outcome_frame.isVisible)
    assert _headline(intake) == HOLD_HEADLINE
    assert intake.panel.countdown.text() == "43 h 00 min left"

    # The scans: the faxed detainer by drag and drop, the warrant from the file dialog.
    fax = _png(tmp_path / "i247a-fax.png")
    warrant = _pdf(tmp_path / "warrant.pdf")
    _drop(qtbot, documents, [fax])
    qtbot.waitUntil(lambda: len(documents.scans()) == 1)
    intake.dialogs.scans = [str(warrant)]  # type: ignore[attr-defined]
    click(qtbot, documents.attach_button)
    qtbot.waitUntil(lambda: len(documents.scans()) == 2)
    documents.scan_list.setCurrentRow(1)
    qtbot.keyClicks(documents.shows, "2.")  # "2. Judicial warrant"
    assert documents.scans()[1].document_index == 1

    box = _record(qtbot, intake)
    assert "RIVERA, Ana" in box.text() and HOLD_HEADLINE in box.text()
    assert "with 2 scans" in box.text()
    _confirm(qtbot, intake, box)

    recorded = intake.controller.recorded
    assert recorded is not None
    officer = Actor("officer.a", WORKSTATION, frozenset({"officer"}))
    row, _state = records.load_decision(store.uow(), recorded.decision_id, officer, utc_now())
    assert row.summary.outcome == "hold"
    assert row.summary.hold_until == "2026-02-13T15:00:00-08:00"
    assert row.summary.booking_number == "B26-000311"
    assert row.summary.a_number == "A098765432"
    assert [(a.file_name, a.media_type, a.document_index) for a in row.attachments] == [
        ("i247a-fax.png", "image/png", None),
        ("warrant.pdf", "application/pdf", 1),
    ]
    assert row.attachments[1].size == warrant.stat().st_size
    stored = row.request  # parsed by the store
    assert stored["received_at"] == "2026-02-10 08:30"
    assert stored["documents"][1]["court"] == "U.S. District Court for the District of Oregon"

    # Afterwards the request cannot be changed on screen.
    assert _text(intake, "subject.name").isReadOnly()
    form_before = page.form.currentIndex()
    qtbot.keyClick(page.form, Qt.Key.Key_Down)
    qtbot.mouseClick(page.form, Qt.MouseButton.LeftButton)
    assert page.form.currentIndex() == form_before
    hold = page.choices["detainer.requested"]["hold"]
    _tick(qtbot, hold)
    assert hold.isChecked() and hold.isEnabled()  # unchanged, and not greyed out
    assert not documents.attach_button.isEnabled()
    assert not intake.panel.record_button.isVisible()
    assert not intake.panel.check_button.isVisible()
    assert intake.state.text() == f"RECORDED as decision {recorded.decision_id} — read-only"
    assert intake.panel.recorded.text().startswith(f"✔ Recorded as decision {recorded.decision_id}")
    assert intake.panel.save_audit_button.isVisible()


# -- validation as the officer types -------------------------------------------------------------


def test_a_bad_a_number_is_shown_beside_it_and_record_waits_until_it_is_fixed(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    assert intake.panel.record_button.isEnabled()

    a_number = _text(intake, "subject.a_number")
    type_into(qtbot, a_number, "A12")

    assert "'A12' is not an A-number" in _note(intake, "subject.a_number")
    assert _note(intake, "subject.a_number").startswith("⚠ ")
    assert not intake.panel.record_button.isEnabled()
    assert not intake.panel.check_button.isEnabled()
    assert not intake.panel.outcome_frame.isVisible()  # no stale decision on show
    assert a_number.text() == "A12"  # nothing typed is lost
    assert "⚠ 1" in intake.tabs.tabText(0)

    qtbot.keyClicks(a_number, "3456789")

    assert _note(intake, "subject.a_number") == ""
    assert intake.panel.record_button.isEnabled()
    assert _headline(intake) == HOLD_HEADLINE
    assert intake.tabs.tabText(0) == "&1 Subject and detainer"


def test_untouched_empty_fields_wait_until_the_officer_asks_to_check(
    qtbot: QtBot, intake: IntakeScreen
) -> None:
    assert _note(intake, "subject.name") == ""
    assert not intake.panel.check_button.isEnabled()
    type_into(qtbot, _text(intake, "subject.dob"), "1988-02-30")
    assert "not a real calendar date" in _note(intake, "subject.dob")
    assert _note(intake, "subject.name") == ""

    qtbot.keyClick(_text(intake, "subject.dob"), Qt.Key.Key_Return)  # Enter: check

    assert _note(intake, "subject.name") == "⚠ Name is required."
    assert _text(intake, "subject.name").hasFocus()  # at the first problem
    assert not intake.panel.outcome_frame.isVisible()


def test_a_problem_in_the_list_leads_to_its_field(qtbot: QtBot, intake: IntakeScreen) -> None:
    panel = intake.panel
    keys = [
        panel.problem_list.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(panel.problem_list.count())
    ]
    assert "detainer.form" in keys
    item = panel.problem_list.item(keys.index("detainer.form"))
    qtbot.mouseClick(
        panel.problem_list.viewport(),
        Qt.MouseButton.LeftButton,
        pos=panel.problem_list.visualItemRect(item).center(),
    )
    assert intake.request_page.form.hasFocus()


# -- the judicial-warrant checklist ---------------------------------------------------------------


def test_the_checklist_says_whether_a_paper_counts_and_the_decision_follows(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    intake.tabs.setCurrentIndex(1)
    documents = intake.documents

    documents.select_document(1)
    assert documents.verdict.text() == "✔ COUNTS as a judicial warrant"
    assert "Signed by a magistrate of U.S. District Court" in documents.verdict_reasons.text()

    _choose(qtbot, documents.combos["signer_role"], "An immigration officer")

    assert documents.verdict.text() == "✘ Does NOT count as a judicial warrant"
    assert documents.verdict_reasons.text() == (
        "• It is signed by an immigration officer, not a judge or magistrate."
    )
    # Re-checked at once: without a judicial warrant this policy only permits notifying.
    assert _headline(intake) == "NOTIFY ONLY"

    documents.select_document(0)
    assert documents.verdict.text() == "Not a judicial warrant"


# -- the decision panel ---------------------------------------------------------------------------


def test_the_countdown_follows_the_injected_clock_and_the_window_can_close(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, clock: Clock
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    intake.controller.timer.setInterval(20)
    assert intake.panel.countdown.text() == "43 h 00 min left"
    assert intake.panel.countdown_words.text() == "more than 4 hours left"

    clock.now = dt.datetime(2026, 2, 13, 14, 30, tzinfo=PACIFIC)
    qtbot.waitUntil(lambda: intake.panel.countdown.text() == "0 h 30 min left")
    assert intake.panel.countdown_words.text() == "under 1 hour left"

    # Past the deadline the hold is no longer available: the decision itself changes.
    clock.now = dt.datetime(2026, 2, 13, 15, 1, tzinfo=PACIFIC)
    qtbot.waitUntil(lambda: intake.panel.outcome_words.text() == "TRANSFER AT RELEASE")
    assert "The hold window closed at Fri 13 Feb 2026, 15:00 PST" in intake.panel.meaning.text()
    assert not intake.panel.countdown.isVisible()


def test_the_countdown_words_follow_the_alert_times_set_in_the_settings(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, clock: Clock, store: Runtime, admin: Actor
) -> None:
    settings = dataclasses.replace(
        read_settings(store.uow()), alert_first_minutes=8 * 60, alert_second_minutes=2 * 60
    )
    save_settings(store.uow(), admin, settings, utc_now())
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)  # reads the policy and the alert times
    intake.controller.timer.setInterval(20)
    assert intake.panel.countdown.text() == "43 h 00 min left"
    assert intake.panel.countdown_words.text() == "more than 8 hours left"

    # 5 hours before the deadline (Fri 13 Feb 2026, 15:00): under the 8 hours set.
    clock.now = dt.datetime(2026, 2, 13, 10, 0, tzinfo=PACIFIC)
    qtbot.waitUntil(lambda: intake.panel.countdown.text() == "5 h 00 min left")
    assert intake.panel.countdown_words.text() == "under 8 hours left"
    # 90 minutes before: under the 2 hours set.
    clock.now = dt.datetime(2026, 2, 13, 13, 30, tzinfo=PACIFIC)
    qtbot.waitUntil(lambda: intake.panel.countdown.text() == "1 h 30 min left")
    assert intake.panel.countdown_words.text() == "under 2 hours left"


def test_every_reason_shows_with_its_citation_and_the_active_policy(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    reasons = intake.panel.reasons.toPlainText()
    assert "Hold past release: PERMITTED" in reasons
    assert "Notify ICE of the release: PERMITTED" in reasons
    assert reasons.count("Source: Example: Miranda-Olivares v. Clackamas County") == 3
    assert intake.panel.policy.text().startswith("Policy: Judicial warrant only, 48-hour cap")


def test_a_citizenship_claim_goes_to_supervisor_review_with_what_to_look_at(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(
        qtbot, intake, answers, EXAMPLES / "03-citizenship-claim-goes-to-review" / "request.json"
    )
    _check(qtbot, intake)
    panel = intake.panel
    assert panel.outcome_words.text() == "SUPERVISOR REVIEW"
    assert panel.outcome_detail.text() == "If a supervisor agrees: HOLD"
    assert panel.supervisor.isVisible()
    assert "the person says they are a U.S. citizen" in panel.supervisor.text()
    assert "release-eligible time is not known" in panel.deadline_note.text()


# -- recording twice: the duplicate warning --------------------------------------------------------


def test_a_second_request_for_the_same_booking_and_form_is_flagged_before_and_after(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, store: Runtime
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    assert not intake.panel.duplicate.isVisible()
    _confirm(qtbot, intake, _record(qtbot, intake))
    first = intake.controller.recorded
    assert first is not None and first.earlier_decisions == ()

    click(qtbot, intake.new_button)
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)

    qtbot.waitUntil(intake.panel.duplicate.isVisible)
    warning = intake.panel.duplicate.text()
    assert warning.startswith("⚠ Already recorded: a request for booking B26-000311")
    assert f"decision {first.decision_id} (HOLD" in warning
    box = _record(qtbot, intake)
    assert "Already recorded" in box.informativeText()
    assert box.defaultButton() is box.findChild(QWidget, "cancelRecordButton")
    _confirm(qtbot, intake, box)

    second = intake.controller.recorded
    assert second is not None and second.earlier_decisions == (first.decision_id,)
    assert f"(decision {first.decision_id})" in intake.panel.duplicate.text()


def test_a_policy_changed_before_recording_is_what_the_record_and_the_screen_show(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, store: Runtime, admin: Actor
) -> None:
    from detainer_desk import presets

    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    assert intake.panel.outcome_words.text() == "HOLD"
    box = _record(qtbot, intake)
    # Meanwhile, at another desk, an administrator activates a policy that never holds.
    never_hold = presets.preset_bytes("california-sb54")
    records.activate_policy(store.uow(), never_hold, "california-sb54", admin, utc_now())
    _confirm(qtbot, intake, box)

    recorded = intake.controller.recorded
    assert recorded is not None and recorded.decision.outcome != "hold"
    assert intake.panel.outcome_words.text() != "HOLD"
    assert "differs from the one shown before" in intake.panel.message.text()


# -- files: open, save, recent ----------------------------------------------------------------------


def test_a_request_file_opens_into_the_form_and_saves_back_the_same(
    qtbot: QtBot, window: MainWindow, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    window.open_request_action.trigger()  # File › Open request… (Ctrl+O)
    assert answers.asked == ["open"]  # cancelled: nothing happens
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    assert _text(intake, "subject.name").text() == "RIVERA, Ana"
    assert intake.banner.text().startswith("Opened ")

    answers.save_path = str(tmp_path / "saved")
    intake.save_action.trigger()

    saved = tmp_path / "saved.json"
    assert json.loads(saved.read_text()) == json.loads((EXAMPLE / "request.json").read_text())
    assert intake.recent.paths() == [str(saved), str(EXAMPLE / "request.json")]

    click(qtbot, intake.new_button)
    assert _text(intake, "subject.name").text() == ""
    intake.recent_menu.aboutToShow.emit()
    entries = [a for a in intake.recent_menu.actions() if not a.isSeparator()]
    assert [a.text() for a in entries] == ["&1 saved.json", "&2 request.json", "&Clear the list"]
    entries[0].trigger()
    assert _text(intake, "subject.name").text() == "RIVERA, Ana"


def test_a_file_with_problems_shows_them_and_keeps_what_loads(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    document = json.loads((EXAMPLE / "request.json").read_text())
    document["subject"]["a_number"] = "A12"
    document["subject"]["nickname"] = "Annie"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))

    _open_example(qtbot, intake, answers, bad)

    banner = intake.banner.text()
    assert banner.startswith("⚠ bad.json has problems")
    assert "subject.nickname: unknown key" in banner
    assert "subject.a_number: 'A12' is not an A-number" in banner
    assert _text(intake, "subject.name").text() == "RIVERA, Ana"
    assert _text(intake, "subject.a_number").text() == "A12"
    assert "is not an A-number" in _note(intake, "subject.a_number")
    assert not intake.panel.check_button.isEnabled()


def test_a_file_that_is_not_json_changes_nothing(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    type_into(qtbot, _text(intake, "subject.name"), "DOE, John")
    broken = tmp_path / "broken.json"
    broken.write_text('{"schema": 1,')

    answers.open_path = str(broken)
    click(qtbot, intake.open_button)

    # Something was typed, so the officer is asked before it could be replaced.
    box = intake.findChild(QMessageBox, "discardConfirmation")
    assert box is not None
    qtbot.waitUntil(box.isVisible)
    qtbot.mouseClick(box.findChild(QWidget, "confirmDiscardButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "is not a request file" in intake.banner.text())
    assert "not valid JSON" in intake.banner.text()
    assert _text(intake, "subject.name").text() == "DOE, John"


def test_a_device_chosen_as_a_request_file_is_refused_unread(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    """/dev/zero has no size to check first: it was read without end (issue 14)."""
    _open_example(qtbot, intake, answers, Path("/dev/zero"))
    assert intake.banner.text() == (
        "⚠ zero cannot be opened: is a device or another special file, not a request file."
    )
    assert _text(intake, "subject.name").text() == ""


def test_a_jpeg_named_as_a_png_is_refused_at_once(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    from PIL import Image

    intake.tabs.setCurrentIndex(1)
    named = tmp_path / "fax.png"
    Image.new("L", (60, 80), 255).save(named, "JPEG")
    answers.scans = [str(named)]
    click(qtbot, intake.documents.attach_button)
    qtbot.waitUntil(intake.documents.scan_message.label.isVisible)
    assert "is a JPEG image, not a PNG image" in intake.documents.scan_message.text()
    assert intake.documents.scans() == []


# -- scans and their preview -------------------------------------------------------------------------


def test_an_attached_png_and_pdf_show_in_the_preview(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    intake.tabs.setCurrentIndex(1)
    documents = intake.documents
    preview = documents.preview
    assert preview.currentWidget() is preview.placeholder

    answers.scans = [str(_png(tmp_path / "fax.png"))]
    click(qtbot, documents.attach_button)
    qtbot.waitUntil(lambda: preview.currentWidget() is preview.image_scroll)
    pixmap = preview.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() > 50

    _drop(qtbot, documents, [_pdf(tmp_path / "warrant.pdf")])
    qtbot.waitUntil(lambda: preview.currentWidget() is preview.pdf)
    qtbot.waitUntil(lambda: preview.pdf_document.status() == QPdfDocument.Status.Ready)
    assert preview.pdf_document.pageCount() == 1

    # QPdfView paints asynchronously: wait until the page's black text is on screen.
    def painted() -> bool:
        image = preview.pdf.viewport().grab().toImage()
        step = 4
        return any(
            image.pixelColor(x, y).lightness() < 60
            for y in range(0, image.height(), step)
            for x in range(0, image.width(), step)
        )

    qtbot.waitUntil(painted, timeout=10_000)
    assert documents.scan_list.count() == 2
    assert "warrant.pdf" in documents.scan_list.item(1).text()
    assert "1 page" in documents.scan_list.item(1).toolTip()


def test_a_file_that_is_not_a_scan_is_refused_in_words(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, tmp_path: Path
) -> None:
    intake.tabs.setCurrentIndex(1)
    fake = tmp_path / "notes.pdf"
    fake.write_bytes(b"this is not a PDF at all")
    answers.scans = [str(fake)]
    click(qtbot, intake.documents.attach_button)
    qtbot.waitUntil(intake.documents.scan_message.label.isVisible)
    # The file name as it is: "notes.pdf", not "Notes.pdf" (it was capitalised as a sentence).
    assert (
        intake.documents.scan_message.text()
        == "⚠ Not attached: notes.pdf cannot be read as a PDF document."
    )
    assert intake.documents.scans() == []


# -- keyboard ------------------------------------------------------------------------------------------


def test_the_keyboard_alone_checks_and_moves_through_the_form(
    qtbot: QtBot, window: MainWindow, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    name = _text(intake, "subject.name")
    name.setFocus()
    qtbot.keyClick(name, Qt.Key.Key_Tab)
    assert _text(intake, "subject.dob").hasFocus()
    qtbot.keyClick(_text(intake, "subject.dob"), Qt.Key.Key_Tab)
    assert _text(intake, "subject.booking_number").hasFocus()
    assert window.check_action.shortcut().toString() == "Ctrl+Return"
    assert window.record_action.shortcut().toString() == "Ctrl+R"

    qtbot.keyClick(name, Qt.Key.Key_Return)
    qtbot.waitUntil(intake.panel.outcome_frame.isVisible)
    assert _headline(intake) == HOLD_HEADLINE


# -- who may do what -------------------------------------------------------------------------------


def test_counsel_may_check_but_not_record_and_the_service_refuses_anyway(
    qtbot: QtBot,
    store: Runtime,
    admin: Actor,
    clock: Clock,
    answers: Answers,
    tmp_path: Path,
) -> None:
    main_window = _window(qtbot, store, clock, answers, tmp_path)
    signed_in(qtbot, main_window, "counsel.d", COUNSEL_PASSWORD)
    intake = main_window.intake
    main_window.content_page.show_screen(intake)
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)

    assert _headline(intake) == HOLD_HEADLINE
    assert not intake.panel.record_button.isEnabled()
    assert intake.panel.record_button.toolTip() == "Needs the officer or supervisor role"
    assert not main_window.record_action.isEnabled()
    assert main_window.check_action.isEnabled()
    intake.controller.record()  # Ctrl+R all the same: refused in words, nothing asked
    assert "Needs the officer or supervisor role" in intake.panel.message.text()
    assert intake.findChild(QMessageBox, "recordConfirmation") is None

    counsel = Actor("counsel.d", WORKSTATION, frozenset({"counsel"}))
    request = (EXAMPLE / "request.json").read_text()
    with pytest.raises(PermissionDenied):
        records.record_decision(store.uow(), request, "r.json", [], counsel, utc_now())
    main_window.close()


def test_signing_out_clears_the_request_from_the_screen(
    qtbot: QtBot, window: MainWindow, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    window.sign_out()
    assert _text(intake, "subject.name").text() == ""
    signed_in(qtbot, window, "officer.b", OFFICER_PASSWORD)
    assert _text(intake, "subject.name").text() == ""


# -- the evidence: save and print ---------------------------------------------------------------------


def test_after_recording_the_audit_pdf_and_notice_are_saved_and_printed(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers, store: Runtime, tmp_path: Path
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    _check(qtbot, intake)
    _confirm(qtbot, intake, _record(qtbot, intake))
    recorded = intake.controller.recorded
    assert recorded is not None
    panel = intake.panel

    answers.pdf_path = str(tmp_path / "audit.pdf")
    click(qtbot, panel.save_audit_button)
    qtbot.waitUntil(lambda: intake.banner.text().startswith("Saved the audit PDF"), timeout=20_000)
    assert (tmp_path / "audit.pdf").read_bytes().startswith(b"%PDF")
    assert f"pdf decision-{recorded.decision_id}-B26-000311-audit.pdf" in answers.asked

    answers.pdf_path = str(tmp_path / "notice.pdf")
    click(qtbot, panel.save_notice_button)
    qtbot.waitUntil(lambda: intake.banner.text().startswith("Saved the notice"), timeout=20_000)
    assert (tmp_path / "notice.pdf").read_bytes().startswith(b"%PDF")

    answers.print_to = str(tmp_path / "printed.pdf")
    click(qtbot, panel.print_notice_button)
    qtbot.waitUntil(lambda: intake.banner.text().startswith("Sent the notice"), timeout=20_000)
    printed = QPdfDocument()
    assert printed.load(str(tmp_path / "printed.pdf")) == QPdfDocument.Error.None_
    notice = QPdfDocument()
    notice.load(str(tmp_path / "notice.pdf"))
    assert printed.pageCount() == notice.pageCount() >= 1

    officer = Actor("officer.a", WORKSTATION, frozenset({"officer"}))
    from .test_gui_support import trail

    admin = Actor("admin", WORKSTATION, frozenset({"admin"}))
    prints = trail(store, admin, action="decision.print")
    assert [e.user_name for e in prints] == [officer.user] * 3


def test_the_screen_fits_1366_by_768_and_a_narrow_window_never_scrolls_sideways(
    qtbot: QtBot, window: MainWindow, intake: IntakeScreen
) -> None:
    hint = window.minimumSizeHint()
    assert hint.width() <= 1366 and hint.height() <= 768
    page = intake.request_page
    sideways = intake.tabs.widget(0).horizontalScrollBar()
    assert intake.panel.width() >= 400
    assert page._columns.direction() == QBoxLayout.Direction.LeftToRight  # like the paper

    window.resize(1100, 720)  # the window's own default size
    qtbot.waitUntil(lambda: page._columns.direction() == QBoxLayout.Direction.TopToBottom)
    assert not sideways.isVisible()

    window.resize(1366, 768)
    qtbot.waitUntil(lambda: page._columns.direction() == QBoxLayout.Direction.LeftToRight)
    assert not sideways.isVisible()


def test_charges_and_convictions_are_entered_with_the_keyboard(
    qtbot: QtBot, intake: IntakeScreen, answers: Answers
) -> None:
    _open_example(qtbot, intake, answers, EXAMPLE / "request.json")
    intake.tabs.setCurrentIndex(2)
    history = intake.history
    table = history.table
    click(qtbot, history.add_button)  # opens the first cell for typing

    def committed() -> None:
        # The delegate commits on Return through a queued call: let the event loop run it.
        qtbot.waitUntil(lambda: table.state() == QAbstractItemView.State.NoState)

    def type_cell(text: str) -> None:
        editor = QApplication.focusWidget()
        assert isinstance(editor, QLineEdit)
        qtbot.keyClicks(editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        committed()

    def choose_cell(text: str) -> None:
        qtbot.keyClick(table, Qt.Key.Key_F2)
        editor = QApplication.focusWidget()
        assert isinstance(editor, QComboBox)
        _choose(qtbot, editor, text)
        qtbot.keyClick(editor, Qt.Key.Key_Return)
        committed()

    type_cell("Assault 2")
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    type_cell("RCW 9A.36.021")
    qtbot.keyClick(table, Qt.Key.Key_Right)
    choose_cell("felony")
    assert history.problems.text() == "⚠ History row 1, status is required."
    assert intake.tabs.tabText(2).endswith("⚠ 1")
    qtbot.keyClick(table, Qt.Key.Key_Right)
    choose_cell("convicted")
    qtbot.keyClick(table, Qt.Key.Key_Right)
    qtbot.keyClick(table, Qt.Key.Key_F2)
    type_cell("2019-13-01")
    assert "not a real calendar date" in history.problems.text()
    assert history.model.data(table.currentIndex()) == "⚠ 2019-13-01"
    qtbot.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QLineEdit)
    editor.selectAll()
    type_cell("2019-06-01")

    assert not history.problems.label.isVisible()
    assert intake.tabs.tabText(2) == "&3 Charges and convictions"
    assert intake.controller.draft().history[0].__dict__ == {
        "offense": "Assault 2",
        "statute": "RCW 9A.36.021",
        "offense_class": "felony",
        "status": "convicted",
        "date": "2019-06-01",
        "released_on": "",
        "probable_cause_found": False,
    }
    click(qtbot, history.remove_button)
    assert intake.controller.draft().history == []
