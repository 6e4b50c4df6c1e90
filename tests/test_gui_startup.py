"""Starting the program: the window is painted first ("Opening the records…"), the record
store is opened after that first paint, then the main window takes its place. A store that
cannot be opened is explained (exit code 2); a bug while opening is not swallowed."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from detainer_desk.gui.app import StartupError, run_gui
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.opening import OPENING_TEXT, OpeningWindow
from detainer_desk.runtime import Runtime

from .test_gui_support import WORKSTATION, open_store


def _visible(kind: type) -> list:  # type: ignore[type-arg]
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, kind) and w.isVisible()]


class _Opener:
    """Opens a real store, noting what was on screen when it was asked to."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.runtime: Runtime | None = None
        self.painted_before: bool | None = None
        self.opening_text: str | None = None
        self.closed = False

    def __call__(self) -> Runtime:
        opening = _visible(OpeningWindow)
        self.painted_before = len(opening) == 1 and opening[0].was_painted
        self.opening_text = opening[0].message.text() if opening else None
        self.runtime = open_store(self.data_dir)
        real_close = self.runtime.close

        def close() -> None:
            self.closed = True
            real_close()

        self.runtime.close = close  # type: ignore[method-assign]
        return self.runtime


@pytest.fixture
def opener(tmp_path: Path) -> Iterator[_Opener]:
    made = _Opener(tmp_path / "data")
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

    def when(self, condition: Callable[[], object], then: Callable[[], None]) -> None:
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


def test_smoke_paints_the_window_before_opening_the_records(qtbot: QtBot, opener: _Opener) -> None:
    assert run_gui(opener=opener, smoke=True, workstation=WORKSTATION) == 0

    assert opener.painted_before is True
    assert opener.closed  # what run_gui opened, it closes
    assert _visible(OpeningWindow) == [] and _visible(MainWindow) == []


def test_the_main_window_takes_the_opening_windows_place(qtbot: QtBot, opener: _Opener) -> None:
    loop = _EventLoop()
    seen: dict[str, object] = {}

    def main_window_up() -> None:
        [window] = _visible(MainWindow)
        seen["page"] = window.pages.currentWidget() is window.first_run_page
        seen["size"] = (window.width(), window.height())
        seen["opening"] = _visible(OpeningWindow)
        window.close()

    loop.when(lambda: _visible(MainWindow), main_window_up)
    code = run_gui(opener=opener, workstation=WORKSTATION)
    loop.stop()

    assert code == 0
    assert opener.painted_before is True  # the store was opened after the first paint
    assert opener.opening_text == OPENING_TEXT
    assert seen == {"page": True, "size": (1100, 720), "opening": []}
    assert opener.closed


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
    assert _visible(MainWindow) == [] and _visible(OpeningWindow) == []


def test_the_explanation_waits_for_the_user_then_the_program_ends(qtbot: QtBot) -> None:
    message = "Detainer Desk cannot open its records: the disk is not there"

    def refuse() -> Runtime:
        raise StartupError(message)

    loop = _EventLoop()
    shown: list[str] = []

    def box_up() -> None:
        box = next(w for w in QApplication.topLevelWidgets() if w.objectName() == "startupError")
        assert isinstance(box, QMessageBox)
        shown.append(box.text())
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
    assert shown == [message]
    assert _visible(OpeningWindow) == []


def test_a_bug_while_opening_is_raised_not_swallowed(qtbot: QtBot) -> None:
    def broken() -> Runtime:
        raise RuntimeError("a fault in the program")

    with pytest.raises(RuntimeError, match="a fault in the program"):
        run_gui(opener=broken, smoke=True)
    loop = _EventLoop()
    with pytest.raises(RuntimeError, match="a fault in the program"):
        run_gui(opener=broken)
    loop.stop()
    assert _visible(OpeningWindow) == []


def test_the_first_window_needs_no_heavy_import() -> None:
    """What runs before the first paint imports Qt, not the store or the PDF machinery."""
    script = (
        "import sys, detainer_desk.cli, detainer_desk.gui.app\n"
        "heavy = ('sqlalchemy', 'alembic', 'reportlab', 'PIL', 'detainer_desk.runtime',"
        " 'detainer_desk.gui.main_window')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"


def test_detainer_desk_smoke_still_opens_the_store(run_cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
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
