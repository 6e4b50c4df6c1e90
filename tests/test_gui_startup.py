"""Starting the program: the main window is the first window, painted with its frame and
"Opening the records…" before the record store is opened; the store is opened after that
first paint, on a worker thread; then the set-up or sign-in page takes the opening page's
place in the same window and the workspace is built. A store that cannot be opened is
explained (exit code 2); a bug while opening is not swallowed."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from detainer_desk.gui import main_window
from detainer_desk.gui.app import StartupError, run_gui
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.opening import OPENING_TEXT
from detainer_desk.gui.session import SessionState
from detainer_desk.runtime import Runtime

from .test_gui_support import ADMIN_PASSWORD, WORKSTATION, open_store, seed_admin, settled


def _visible(kind: type) -> list:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


class _Windows(list[MainWindow]):
    """Every main window made while the test runs, in order; ``on_new`` are called with
    each as it is made."""

    def __init__(self) -> None:
        super().__init__()
        self.on_new: list[Callable[[MainWindow], object]] = []


@pytest.fixture
def windows(monkeypatch: pytest.MonkeyPatch) -> _Windows:
    made = _Windows()
    real_init = MainWindow.__init__

    def init(self: MainWindow, *args: object, **options: object) -> None:
        real_init(self, *args, **options)  # type: ignore[arg-type]
        made.append(self)
        for call in made.on_new:
            call(self)

    monkeypatch.setattr(main_window.MainWindow, "__init__", init)
    return made


class _Opener:
    """Opens a real store, noting what was on screen, and on which thread, when asked to."""

    def __init__(self, data_dir: Path, windows: list[MainWindow]) -> None:
        self.data_dir = data_dir
        self.windows = windows
        self.runtime: Runtime | None = None
        self.painted_before: bool | None = None
        self.opening_shown: bool | None = None
        self.on_gui_thread: bool | None = None
        self.closed = False
        self.release = threading.Event()
        self.release.set()  # a test clears it to hold the opening back

    def __call__(self) -> Runtime:
        # Python attributes only: this runs on the worker thread, which touches no widget.
        self.on_gui_thread = threading.current_thread() is threading.main_thread()
        window = self.windows[-1] if self.windows else None
        self.painted_before = window is not None and window.was_painted
        self.opening_shown = window is not None and window.opening_page is not None
        assert self.release.wait(20), "never released"
        self.runtime = open_store(self.data_dir)
        real_close = self.runtime.close

        def close() -> None:
            self.closed = True
            real_close()

        self.runtime.close = close  # type: ignore[method-assign]
        return self.runtime


@pytest.fixture
def opener(tmp_path: Path, windows: list[MainWindow]) -> Iterator[_Opener]:
    made = _Opener(tmp_path / "data", windows)
    yield made
    if made.runtime is not None and not made.closed:
        made.runtime.close()


class _EventLoop:
    """For run_gui's own event loop (run like the program, not by qtbot): steps to take once
    something shows, and a safety stop so that a failing test cannot hang the suite."""

    def __init__(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        self.app = app
        self.quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(True)  # as in the program (pytest-qt may turn it off)
        self.safety = QTimer()
        self.safety.setSingleShot(True)
        self.safety.timeout.connect(lambda: QCoreApplication.exit(99))
        self.safety.start(20_000)
        self.polls: list[QTimer] = []

    def when(self, condition: Callable[[], object], then: Callable[[], object]) -> None:
        poll = QTimer()
        poll.setInterval(10)

        def check() -> None:
            if condition():
                poll.stop()
                then()

        poll.timeout.connect(check)
        poll.start()
        self.polls.append(poll)

    def stop(self) -> None:
        self.safety.stop()
        for poll in self.polls:
            poll.stop()
        self.app.setQuitOnLastWindowClosed(self.quit_on_close)


def _menu_bar(window: MainWindow) -> dict[str, bool]:
    return {a.text().replace("&", ""): a.isEnabled() for a in window.menuBar().actions()}


def _entries(window: MainWindow, menu_name: str) -> dict[str, bool]:
    menu: Any = next(a.menu() for a in window.menuBar().actions() if a.text() == menu_name)
    return {a.text().replace("&", ""): a.isEnabled() for a in menu.actions() if a.text()}


def test_smoke_paints_the_main_window_before_opening_the_records(
    qtbot: QtBot, opener: _Opener, windows: list[MainWindow]
) -> None:
    assert run_gui(opener=opener, smoke=True, workstation=WORKSTATION) == 0

    assert opener.painted_before is True and opener.opening_shown is True
    assert opener.on_gui_thread is False  # the window stayed responsive meanwhile
    assert opener.closed  # what run_gui opened, it closes
    [window] = windows  # the one window: no other took its place
    assert window.pages.currentWidget() is window.first_run_page  # a new store: set-up
    assert window.workspace_built  # the smoke test loads every screen too
    assert _visible(MainWindow) == []


def test_the_window_is_painted_first_then_shows_the_records(
    qtbot: QtBot, opener: _Opener, windows: _Windows
) -> None:
    loop = _EventLoop()
    first: dict[str, object] = {}
    after: dict[str, object] = {}

    def at_first_paint() -> None:
        window = windows[0]
        page = window.pages.currentWidget()
        first["page"] = page is window.opening_page and page is not None
        first["message"] = [label.text() for label in page.findChildren(QLabel)]
        first["status"] = window.statusBar().currentMessage()
        first["menu bar"] = _menu_bar(window)
        first["file"] = _entries(window, "&File")
        first["help"] = _entries(window, "&Help")
        first["geometry"] = window.geometry()
        first["records open"] = window.records_open

    def records_up() -> None:
        window = windows[0]
        after["page"] = window.pages.currentWidget() is window.first_run_page
        after["geometry"] = window.geometry()
        after["menu bar"] = _menu_bar(window)
        after["file"] = list(_entries(window, "&File"))
        after["status"] = window.database_status.text()
        window.close()

    windows.on_new.append(lambda window: window.painted.connect(at_first_paint))
    loop.when(lambda: windows and windows[0].workspace_built, records_up)
    code = run_gui(opener=opener, workstation=WORKSTATION)
    loop.stop()

    assert code == 0
    assert opener.painted_before is True  # the store was opened after the first paint
    assert first == {
        "page": True,
        "message": [OPENING_TEXT],
        "status": OPENING_TEXT,
        # Only the menus that need no records can be used; the rest wait, disabled.
        "menu bar": {
            "File": True,
            "Request": False,
            "Records": False,
            "Policy": False,
            "Reports": False,
            "Admin": False,
            "Help": True,
        },
        "file": {
            "Open request…": False,
            "Change my password…": False,
            "Lock": False,
            "Sign out": False,
            "Quit": True,
        },
        "help": {
            "Help for this screen": True,  # F1: the guides need no records
            "Officer's guide": True,
            "Supervisor's guide": True,
            "Counsel's guide": True,
            "Administrator's guide": True,
            "About Detainer Desk": False,  # it says where the records are
        },
        "geometry": first["geometry"],
        "records open": False,
    }
    assert after == {
        "page": True,
        "geometry": first["geometry"],  # same place, same size: nothing jumps
        "menu bar": first["menu bar"],  # same menus in the same places (the real Policy menu)
        "file": [
            "New request",
            "Open request…",
            "Open recent",
            "Save request as…",
            "Change my password…",
            "Lock",
            "Sign out",
            "Quit",
        ],
        "status": f"Database: {opener.runtime.database_label}",
    }
    # Sized from the screen (the test screen is 800x800), not beyond it.
    area = QApplication.primaryScreen().availableGeometry()
    assert after["geometry"].width() <= area.width()  # type: ignore[attr-defined]
    assert after["geometry"].height() <= area.height()  # type: ignore[attr-defined]
    assert opener.closed


def test_closing_the_window_while_the_records_open(
    qtbot: QtBot, opener: _Opener, windows: list[MainWindow]
) -> None:
    loop = _EventLoop()
    opener.release.clear()

    def close_then_release() -> None:
        windows[0].close()
        opener.release.set()

    loop.when(lambda: opener.painted_before, close_then_release)
    code = run_gui(opener=opener, workstation=WORKSTATION)
    loop.stop()

    assert code == 0
    assert not windows[0].records_open  # the records' page was never built
    assert opener.closed  # the store finished opening, and was closed


def test_a_given_runtime_is_the_callers_to_close(qtbot: QtBot, tmp_path: Path) -> None:
    runtime = open_store(tmp_path / "data")
    try:
        assert run_gui(runtime, smoke=True, workstation=WORKSTATION) == 0
        assert runtime.uow() is not None  # still open
    finally:
        runtime.close()


def test_records_that_cannot_be_opened_are_explained(qtbot: QtBot) -> None:
    def refuse() -> Runtime:
        raise StartupError("Detainer Desk cannot open its records: the folder is a file")

    assert run_gui(opener=refuse, smoke=True) == 2
    assert _visible(MainWindow) == []


def test_the_explanation_waits_for_the_user_then_the_program_ends(qtbot: QtBot) -> None:
    message = "Detainer Desk cannot open its records: the disk is not there"

    def refuse() -> Runtime:
        raise StartupError(message)

    loop = _EventLoop()
    shown: list[object] = []

    def box_up() -> None:
        box = next(
            w
            for w in QApplication.topLevelWidgets()
            if w.objectName() == "startupError" and w.isVisible()
        )
        assert isinstance(box, QMessageBox)
        shown.extend([box.text(), type(box.parentWidget())])
        box.accept()

    loop.when(
        lambda: any(
            w.objectName() == "startupError" and w.isVisible()
            for w in QApplication.topLevelWidgets()
        ),
        box_up,
    )
    code = run_gui(opener=refuse)
    loop.stop()

    assert code == 2
    assert shown == [message, MainWindow]  # over the window that was opening the records
    assert _visible(MainWindow) == []


def test_a_bug_while_opening_is_raised_not_swallowed(qtbot: QtBot) -> None:
    def broken() -> Runtime:
        raise RuntimeError("a fault in the program")

    with pytest.raises(RuntimeError, match="a fault in the program"):
        run_gui(opener=broken, smoke=True)
    loop = _EventLoop()
    with pytest.raises(RuntimeError, match="a fault in the program"):
        run_gui(opener=broken)
    loop.stop()
    assert _visible(MainWindow) == []


# What `detainer-desk smoke` has imported when the main window is first painted, and when
# the smoke test ends (a process of its own: this one has imported everything).
IMPORTS_AT_FIRST_PAINT = """
import json, sys
from detainer_desk.gui import main_window
from detainer_desk.cli import main

seen = {}
real_paint = main_window.MainWindow.paintEvent

def paint(self, event):
    if "first paint" not in seen:
        seen["first paint"] = sorted(sys.modules)
    real_paint(self, event)

main_window.MainWindow.paintEvent = paint
code = main(["smoke", "--data-dir", sys.argv[1]])
print(json.dumps({"code": code, "first paint": seen["first paint"], "end": sorted(sys.modules)}))
"""
HEAVY = ("sqlalchemy", "alembic", "reportlab", "PIL", "pypdf", "pypdfium2", "argon2")
# The only parts of the GUI the first paint needs.
FIRST_PAINT_GUI = {
    "detainer_desk.gui",
    "detainer_desk.gui.app",
    "detainer_desk.gui.errors",
    "detainer_desk.gui.fit",  # Qt only: the window sized from the screen
    "detainer_desk.gui.help",
    "detainer_desk.gui.main_window",
    "detainer_desk.gui.opening",
    "detainer_desk.gui.workstation",  # Qt only: where the window was last closed
}


def _top_level(modules: list[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


def test_the_first_paint_needs_no_heavy_import(tmp_path: Path) -> None:
    """Before the main window's first paint: Qt and the window's frame; no database,
    migration, PDF or password library, no runtime, services' store or screen."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_AT_FIRST_PAINT, str(tmp_path / "home")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    first = seen["first paint"]
    assert seen["code"] == 0

    assert sorted(_top_level(first) & set(HEAVY)) == []
    assert [name for name in first if name.startswith("detainer_desk.adapters")] == []
    assert "detainer_desk.runtime" not in first
    assert {name for name in first if name.startswith("detainer_desk.gui")} == FIRST_PAINT_GUI
    # The smoke test went on to open the store and build every screen.
    assert {"sqlalchemy", "argon2"} <= _top_level(seen["end"])
    assert {"detainer_desk.gui.intake", "detainer_desk.gui.records"} <= set(seen["end"])


def test_signing_in_before_the_workspace_is_built_builds_it(qtbot: QtBot, tmp_path: Path) -> None:
    store = open_store(tmp_path / "data")
    seed_admin(store)
    window = MainWindow()
    qtbot.addWidget(window)
    assert not window.records_open
    assert window.lock(idle=True) is False  # nothing to lock yet
    assert not window.about_action.isEnabled()

    window.open_records(Backend.from_runtime(store, WORKSTATION), workspace_later=True)
    assert window.pages.currentWidget() is window.sign_in_page
    assert not window.workspace_built  # left for after the sign-in page's first paint
    assert window.about_action.isEnabled()
    assert [a.text() for a in window.menuBar().actions()][3] == "&Policy"

    window.session.sign_in("admin", ADMIN_PASSWORD)
    settled(qtbot, window)

    assert window.session.state is SessionState.SIGNED_IN
    assert window.workspace_built
    assert window.pages.currentWidget() is window.content_page
    assert window.records._user == "admin"  # made while signing in, it reads who is in
    assert window.policy.menu.menuAction() in window.menuBar().actions()
    assert [a.text() for a in window.menuBar().actions()][3] == "&Policy"
    window.close()
    store.close()


def test_detainer_desk_smoke_still_opens_the_store(run_cli, tmp_path: Path) -> None:
    log = logging.getLogger("detainer_desk")
    before = list(log.handlers)
    try:
        result = run_cli("--data-dir", str(tmp_path / "home"), "smoke")
        assert result.code == 0
        assert (tmp_path / "home" / "detainer-desk.sqlite3").is_file()
        assert (tmp_path / "home" / "logs") in {
            Path(h.baseFilename).parent for h in log.handlers if hasattr(h, "baseFilename")
        }  # the log file is started once the records are open
    finally:
        for handler in log.handlers[:]:
            if handler not in before:  # leave no log file open for the tests that follow
                handler.close()
                log.removeHandler(handler)


@pytest.mark.parametrize("accounts", ["none yet", "an administrator, a notice set"])
def test_starting_reads_nothing_on_the_gui_thread(
    qtbot: QtBot,
    tmp_path: Path,
    windows: _Windows,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    accounts: str,
) -> None:
    """From the first paint to the workspace built, every read of the records (the set-up
    or sign-in page, the status bar, the system-use notice) is made off the GUI thread: the
    guard, watching from the environment as a developer would run it, logs none."""
    import dataclasses

    from detainer_desk.gui.thread_guard import WATCH_VARIABLE
    from detainer_desk.runtime import utc_now
    from detainer_desk.services.settings import read_settings, save_settings

    notice = "Authorized use of the county jail's records only. Use is monitored."
    if accounts != "none yet":
        store = open_store(tmp_path / "data")
        admin = seed_admin(store)
        save_settings(
            store.uow(), admin,
            dataclasses.replace(read_settings(store.uow()), system_use_notice=notice), utc_now(),
        )  # fmt: skip
        store.close()
    opener = _Opener(tmp_path / "data", windows)
    monkeypatch.setenv(WATCH_VARIABLE, "1")
    with caplog.at_level(logging.WARNING, logger="detainer_desk.gui.thread_guard"):
        assert run_gui(opener=opener, smoke=True, workstation=WORKSTATION) == 0
    [window] = windows
    on_gui_thread = [r.getMessage() for r in caplog.records if "GUI thread" in r.getMessage()]
    assert on_gui_thread == [], "\n\n".join(on_gui_thread)
    if accounts == "none yet":
        assert window.pages.currentWidget() is window.first_run_page
    else:
        assert window.pages.currentWidget() is window.sign_in_page
        assert notice in window.sign_in_page.notice.text()
