"""Lost work: what an officer types is kept as they type, in a file only they are offered,
and comes back after a crash (``kill -9`` mid-typing), a forced close or "Keep the draft";
signing out or closing the window with a request not recorded asks keep / discard / cancel.
Driven through the real window over a real SQLite store, as a careless user would.
"""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.intake import IntakeScreen
from detainer_desk.gui.intake.drafts import DraftKeeper
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.runtime import Runtime, utc_now
from detainer_desk.services import records
from detainer_desk.services.ports import Actor

from .conftest import REPO_ROOT
from .test_gui_intake import EVENING, EXAMPLE, Answers, Clock, _png
from .test_gui_support import (
    OFFICER_PASSWORD,
    WORKSTATION,
    answer,
    click,
    seed_admin,
    seed_user,
    signed_in,
    store_under,
    trail,
)

OTHER_PASSWORD = "pebble lantern orchard"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def admin(store: Runtime) -> Actor:
    admin = seed_admin(store)
    seed_user(store, admin, "officer.a", ["officer"], OFFICER_PASSWORD)
    seed_user(store, admin, "officer.b", ["officer"], OTHER_PASSWORD)
    records.activate_policy(
        store.uow(), (EXAMPLE / "policy.toml").read_bytes(), "policy.toml", admin, utc_now()
    )
    return admin


def _open(qtbot: QtBot, store: Runtime, tmp_path: Path, answers: Answers) -> MainWindow:
    window = MainWindow(Backend.from_runtime(store, WORKSTATION, clock=Clock(EVENING)))
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.intake.dialogs = answers  # type: ignore[assignment]
    window.intake.recent.use(QSettings(str(tmp_path / "recent.ini"), QSettings.Format.IniFormat))
    with qtbot.waitExposed(window):
        window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


@pytest.fixture
def answers() -> Answers:
    return Answers()


@pytest.fixture
def window(
    qtbot: QtBot, store: Runtime, admin: Actor, tmp_path: Path, answers: Answers
) -> Iterator[MainWindow]:
    main_window = _open(qtbot, store, tmp_path, answers)
    yield main_window
    main_window.tasks.wait()
    main_window.close()  # the program's own close: never asks, keeps any draft


def _drafts(store: Runtime) -> Path:
    return store.paths.data_dir / "drafts"


def _files(store: Runtime) -> list[Path]:
    folder = _drafts(store)
    return sorted(folder.glob("*.json")) if folder.exists() else []


def _type(qtbot: QtBot, intake: IntakeScreen, key: str, text: str) -> None:
    edit = intake.request_page.texts[key]
    edit.setFocus()
    edit.selectAll()  # what is typed replaces what was there
    qtbot.keyClicks(edit, text)


def _sign_in(qtbot: QtBot, window: MainWindow, user: str) -> bool:
    """Sign in; True when this user was offered a draft back (the offer is then open)."""
    keeper: DraftKeeper = window.intake.drafts
    password = OFFICER_PASSWORD if user == "officer.a" else OTHER_PASSWORD
    with qtbot.waitSignal(keeper.looked) as looked:
        signed_in(qtbot, window, user, password)
    return bool(looked.args[0])


def _typed_and_saved(qtbot: QtBot, window: MainWindow, name: str, booking: str) -> None:
    intake = window.intake
    with qtbot.waitSignal(intake.drafts.saved, timeout=10_000):
        _type(qtbot, intake, "subject.name", name)
        _type(qtbot, intake, "subject.booking_number", booking)


def _field(window: MainWindow, key: str) -> str:
    return window.intake.request_page.texts[key].text()


# -- saved as the officer types, and gone once recorded -------------------------------------


def test_typing_saves_a_private_draft_and_recording_removes_it(
    qtbot: QtBot, window: MainWindow, store: Runtime, answers: Answers
) -> None:
    assert not _sign_in(qtbot, window, "officer.a")
    intake = window.intake
    answers.open_path = str(EXAMPLE / "request.json")
    click(qtbot, intake.open_button)
    qtbot.waitUntil(lambda: intake.banner.text() != "")
    assert _files(store) == []  # opened, not typed: the file is where it is kept

    with qtbot.waitSignal(intake.drafts.saved, timeout=10_000):
        _type(qtbot, intake, "detainer.officer", "J. SMITH")
    [draft] = _files(store)
    # Readable by the program's own account only, in a folder no one else can list.
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert stat.S_IMODE(_drafts(store).stat().st_mode) == 0o700
    assert "officer" not in draft.name  # a listing does not say whose it is
    saved = json.loads(draft.read_text(encoding="utf-8"))
    assert saved["user"] == "officer.a"
    assert saved["form"]["officer"] == "J. SMITH"
    assert saved["form"]["name"] == "RIVERA, Ana"
    assert saved["request_file"] == str(EXAMPLE / "request.json")
    assert not list(_drafts(store).glob("*.part"))  # written whole, then renamed

    click(qtbot, intake.panel.check_button)
    qtbot.waitUntil(intake.panel.record_button.isEnabled)
    with qtbot.waitSignal(intake.drafts.removed, timeout=15_000):
        click(qtbot, intake.panel.record_button)
        answer(qtbot, intake, "recordConfirmation", "confirmRecordButton")
    assert intake.controller.recorded is not None
    assert _files(store) == []  # recorded: the draft has gone


# -- leaving with a request not recorded -------------------------------------------------------


def test_signing_out_asks_and_cancel_keeps_everything_and_discard_throws_it_away(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _sign_in(qtbot, window, "officer.a")
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")

    window.sign_out_action.trigger()  # File › Sign out
    said = answer(qtbot, window.intake, "leaveWithDraftQuestion", "cancelButton")
    assert "DOE, John — booking B26-000777" in said and "has not been recorded" in said
    assert window.session.state is SessionState.SIGNED_IN  # cancelled: still at work
    assert _field(window, "subject.name") == "DOE, John"
    assert len(_files(store)) == 1

    window.sign_out_action.trigger()
    answer(qtbot, window.intake, "leaveWithDraftQuestion", key=Qt.Key.Key_Escape)
    assert window.session.state is SessionState.SIGNED_IN  # Escape is Cancel

    window.sign_out_action.trigger()
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "discardDraftButton")
    assert window.session.state is SessionState.SIGNED_OUT
    assert _files(store) == []
    assert not _sign_in(qtbot, window, "officer.a")  # nothing is offered back
    assert _field(window, "subject.name") == ""


def test_a_kept_draft_comes_back_with_its_scan_to_its_owner_and_no_one_else(
    qtbot: QtBot, window: MainWindow, store: Runtime, answers: Answers, tmp_path: Path
) -> None:
    _sign_in(qtbot, window, "officer.a")
    intake = window.intake
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")
    intake.tabs.setCurrentIndex(1)
    click(qtbot, intake.documents.add_button)
    answers.scans = [str(_png(tmp_path / "i200.png"))]
    with qtbot.waitSignal(intake.drafts.saved, timeout=10_000):
        click(qtbot, intake.documents.attach_button)
        qtbot.waitUntil(lambda: len(intake.documents.scans()) == 1)
    shows = intake.documents.shows
    with qtbot.waitSignal(intake.drafts.saved, timeout=10_000):
        shows.setCurrentIndex(shows.findData(0))  # the scan shows document 1

    window.sign_out_action.trigger()
    said = answer(qtbot, intake, "leaveWithDraftQuestion", "keepDraftButton")
    assert "and 1 scan" in said
    assert window.session.state is SessionState.SIGNED_OUT
    assert _field(window, "subject.name") == ""  # nothing left for the next person

    # Someone else at the same workstation: not offered, not told, not shown.
    assert not _sign_in(qtbot, window, "officer.b")
    assert _field(window, "subject.name") == "" and intake.documents.scans() == []
    _typed_and_saved(qtbot, window, "ROE, Jane", "B26-000888")  # their own draft
    window.sign_out_action.trigger()
    answer(qtbot, intake, "leaveWithDraftQuestion", "keepDraftButton")
    assert len(_files(store)) == 2  # one each

    with qtbot.waitSignal(intake.drafts.offered) as offer:
        signed_in(qtbot, window, "officer.a", OFFICER_PASSWORD)
    box = offer.args[0]
    assert "DOE, John — booking B26-000777, with 1 scan" in box.text()
    assert "ROE" not in box.text() + box.informativeText()
    answer(qtbot, intake, "restoreDraftQuestion", "restoreDraftButton")
    assert window.content_page.currentWidget() is intake
    assert _field(window, "subject.name") == "DOE, John"
    assert _field(window, "subject.booking_number") == "B26-000777"
    assert intake.title.text() == "DOE, John — booking B26-000777"
    assert "Continuing the request you were entering" in intake.banner.text()
    qtbot.waitUntil(lambda: len(intake.documents.scans()) == 1)
    [scan] = intake.documents.scans()
    assert (scan.file_name, scan.document_index) == ("i200.png", 0)
    assert len(intake.documents.documents()) == 1


def test_closing_the_window_asks_and_ctrl_q_keep_brings_it_back_next_time(
    qtbot: QtBot,
    window: MainWindow,
    store: Runtime,
    admin: Actor,
    tmp_path: Path,
    answers: Answers,
) -> None:
    _sign_in(qtbot, window, "officer.a")
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")

    # The window's X: the window system sends the close event.
    QApplication.sendEvent(window.windowHandle(), QCloseEvent())
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "cancelButton")
    assert window.isVisible() and window.session.state is SessionState.SIGNED_IN

    qtbot.keyClick(window, Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Q
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "keepDraftButton")
    qtbot.waitUntil(lambda: not window.isVisible())
    last = trail(store, admin, action="sign_out")[-1]
    assert json.loads(last.details_json) == {"why": "closed the program"}
    assert len(_files(store)) == 1

    again = _open(qtbot, store, tmp_path, answers)
    assert _sign_in(qtbot, again, "officer.a")
    answer(qtbot, again.intake, "restoreDraftQuestion", "restoreDraftButton")
    assert _field(again, "subject.name") == "DOE, John"
    again.close()


def test_a_locked_screen_taken_over_keeps_the_draft_for_its_owner(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _sign_in(qtbot, window, "officer.a")
    intake = window.intake
    _type(qtbot, intake, "subject.name", "DOE, John")  # not yet saved when it locks
    assert window.lock(idle=True)
    assert len(_files(store)) == 1  # locking saved it at once
    # Someone else takes the workstation: officer.a is signed out without being asked.
    click(qtbot, window.sign_in_page.switch_user_button)
    assert not _sign_in(qtbot, window, "officer.b")
    assert _field(window, "subject.name") == ""
    window.sign_out()
    assert _sign_in(qtbot, window, "officer.a")
    answer(qtbot, intake, "restoreDraftQuestion", "restoreDraftButton")
    assert _field(window, "subject.name") == "DOE, John"


def test_closing_a_locked_window_asks_no_one_and_keeps_the_draft(
    qtbot: QtBot, window: MainWindow, store: Runtime, tmp_path: Path, answers: Answers
) -> None:
    _sign_in(qtbot, window, "officer.a")
    _type(qtbot, window.intake, "subject.name", "DOE, John")
    assert window.lock(idle=True)
    # Whoever is at the locked screen closes the window: they are not asked about, nor
    # shown, the locked-out officer's request; it is kept for the officer.
    QApplication.sendEvent(window.windowHandle(), QCloseEvent())
    qtbot.waitUntil(lambda: not window.isVisible())
    assert window.intake.findChild(QMessageBox, "leaveWithDraftQuestion") is None
    assert len(_files(store)) == 1
    again = _open(qtbot, store, tmp_path, answers)
    assert _sign_in(qtbot, again, "officer.a")
    answer(qtbot, again.intake, "restoreDraftQuestion", "restoreDraftButton")
    assert _field(again, "subject.name") == "DOE, John"
    again.close()


def test_an_offer_closed_by_the_screen_lock_is_made_again_after_unlocking(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _sign_in(qtbot, window, "officer.a")
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")
    window.sign_out_action.trigger()
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "keepDraftButton")
    assert _sign_in(qtbot, window, "officer.a")
    offer = window.intake.findChild(QMessageBox, "restoreDraftQuestion")
    assert offer is not None
    qtbot.waitUntil(offer.isVisible)
    qtbot.keyClick(offer, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)  # Ctrl+L
    qtbot.waitUntil(lambda: window.session.state is SessionState.LOCKED)
    assert len(_files(store)) == 1  # unanswered: nothing restored, nothing thrown away
    with qtbot.waitSignal(window.intake.drafts.offered):
        qtbot.keyClicks(window.sign_in_page.password.edit, OFFICER_PASSWORD)
        qtbot.keyClick(window.sign_in_page.password.edit, Qt.Key.Key_Return)
    answer(qtbot, window.intake, "restoreDraftQuestion", "discardDraftButton")
    assert _files(store) == [] and _field(window, "subject.name") == ""


# -- a careless user's worst: kill -9 mid-typing ------------------------------------------------

TYPIST = textwrap.dedent(
    """
    import os, sys
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    sys.path.insert(0, sys.argv[2])
    from PySide6.QtCore import QTimer
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QMessageBox
    app = QApplication([])
    from detainer_desk.gui.backend import Backend
    from detainer_desk.gui.main_window import MainWindow
    from detainer_desk.paths import resolve_paths
    from detainer_desk.runtime import open_runtime

    runtime = open_runtime(resolve_paths(sys.argv[1], environ={}))
    window = MainWindow(Backend.from_runtime(runtime, "INTAKE-PC-3"))
    window.show()
    window.session.sign_in("officer.a", sys.argv[3])
    while not window.session.settled:  # the password is checked in the background
        app.processEvents()
    name = window.intake.request_page.texts["subject.name"]
    saves = []

    def saved():
        saves.append(1)
        if len(saves) == 1:
            QTest.keyClicks(name, " Q")  # typing on: the process dies mid-word
            print("typing", flush=True)

    window.intake.drafts.saved.connect(saved)
    QTimer.singleShot(0, lambda: QTest.keyClicks(name, "DOE, John"))
    app.exec()
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_mid_typing_then_restart_the_draft_comes_back(
    qtbot: QtBot, store: Runtime, admin: Actor, tmp_path: Path, answers: Answers
) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", TYPIST, str(store.paths.data_dir), str(REPO_ROOT), OFFICER_PASSWORD],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()  # blocks until the child has saved and typed on
    finally:
        child.send_signal(signal.SIGKILL)
        _out, errors = child.communicate(timeout=30)
    assert line.strip() == "typing", errors
    assert child.returncode == -signal.SIGKILL

    window = _open(qtbot, store, tmp_path, answers)
    assert not _sign_in(qtbot, window, "officer.b")  # not theirs
    window.sign_out()
    assert _sign_in(qtbot, window, "officer.a")
    answer(qtbot, window.intake, "restoreDraftQuestion", "restoreDraftButton")
    # The last draft written whole: before the last keystrokes, or with them.
    assert _field(window, "subject.name") in ("DOE, John", "DOE, John Q")
    window.close()


# -- what can go wrong with the file itself ---------------------------------------------------


def test_a_scan_changed_since_the_draft_is_not_attached_again(
    qtbot: QtBot, window: MainWindow, answers: Answers, tmp_path: Path
) -> None:
    _sign_in(qtbot, window, "officer.a")
    intake = window.intake
    scan = _png(tmp_path / "fax.png")
    answers.scans = [str(scan)]
    intake.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(intake.drafts.saved, timeout=10_000):
        click(qtbot, intake.documents.attach_button)
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")
    window.sign_out_action.trigger()
    answer(qtbot, intake, "leaveWithDraftQuestion", "keepDraftButton")

    scan.write_bytes(_png(tmp_path / "other.png").read_bytes() + b"\0")  # another picture
    assert _sign_in(qtbot, window, "officer.a")
    answer(qtbot, intake, "restoreDraftQuestion", "restoreDraftButton")
    message = intake.documents.scan_message
    qtbot.waitUntil(lambda: "has changed" in message.text())
    assert "Not attached again: fax.png has changed since the draft was saved" in message.text()
    assert intake.documents.scans() == []
    assert _field(window, "subject.name") == "DOE, John"  # the rest is back


def test_a_damaged_draft_is_set_aside_and_said_and_nothing_is_lost(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _sign_in(qtbot, window, "officer.a")
    _typed_and_saved(qtbot, window, "DOE, John", "B26-000777")
    window.sign_out_action.trigger()
    answer(qtbot, window.intake, "leaveWithDraftQuestion", "keepDraftButton")
    [draft] = _files(store)
    cut_short = draft.read_bytes()[:40]  # a disk fault
    draft.write_bytes(cut_short)

    assert not _sign_in(qtbot, window, "officer.a")
    banner = window.intake.banner.text()
    assert "A request you were entering could not be read back" in banner
    [kept] = _drafts(store).glob("*-unreadable-*.json")  # kept for an administrator
    assert kept.read_bytes() == cut_short and str(kept) in banner
    assert not draft.exists()
    window.sign_out()
    assert not _sign_in(qtbot, window, "officer.a")  # nothing more to say or offer


def test_when_the_draft_cannot_be_written_the_officer_is_told_once_and_types_on(
    qtbot: QtBot, window: MainWindow, store: Runtime
) -> None:
    _drafts(store).write_text("a file where the drafts folder should be")  # cannot mkdir
    _sign_in(qtbot, window, "officer.a")
    intake = window.intake
    with qtbot.waitSignal(intake.drafts.problem, timeout=10_000) as told:
        _type(qtbot, intake, "subject.name", "DOE, John")
    assert "The draft could not be saved on this computer" in told.args[0]
    assert "record it, or save it as a file" in intake.banner.text()
    with qtbot.assertNotEmitted(intake.drafts.problem):  # not again at every keystroke
        _type(qtbot, intake, "subject.booking_number", "B26-000777")
        intake.drafts.flush()
    assert _field(window, "subject.name") == "DOE, John"  # the work goes on
    assert _field(window, "subject.booking_number") == "B26-000777"
    # "Keep the draft" cannot keep it: the officer stays signed in with the work on screen.
    window.sign_out_action.trigger()
    answer(qtbot, intake, "leaveWithDraftQuestion", "keepDraftButton")
    assert window.session.state is SessionState.SIGNED_IN
    assert _field(window, "subject.name") == "DOE, John"
