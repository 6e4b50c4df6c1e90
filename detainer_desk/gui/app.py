"""Start the Qt application and show the main window.

The window appears first ("Opening the records…", ``gui/opening.py``) and the record store
is opened right after its first paint: importing SQLAlchemy and opening the store take most
of the start-up time, and a window that shows at once tells the user the program started.
This module is imported before that first paint, so it imports Qt and nothing heavy; the
main window and its screens are imported once the store is open.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

import detainer_desk
from detainer_desk.gui.errors import bugs_shown_in
from detainer_desk.gui.opening import OpeningWindow

if TYPE_CHECKING:
    from detainer_desk.gui.main_window import MainWindow
    from detainer_desk.runtime import Runtime

APPLICATION_NAME = "Detainer Desk"
ORGANIZATION_NAME = "DetainerDesk"
SMOKE_EXPOSE_TIMEOUT_MS = 10_000
EXIT_CANNOT_OPEN = 2


class StartupError(Exception):
    """The records cannot be opened for a reason the user can act on; the message says it
    in plain words (a missing or unwritable data folder, an unreachable server)."""


Opener = Callable[[], "Runtime"]


def _application(argv: list[str] | None) -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        app = existing
    elif existing is not None:
        raise RuntimeError("A non-widget Qt application already exists; cannot show windows.")
    else:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    QCoreApplication.setApplicationName(APPLICATION_NAME)
    QCoreApplication.setOrganizationName(ORGANIZATION_NAME)
    QCoreApplication.setApplicationVersion(detainer_desk.__version__)
    return app


def _explain_startup_error(message: str, smoke: bool, parent: QWidget | None = None) -> int:
    """Say in a window why the records cannot be opened; the exit code is 2."""
    box = QMessageBox(QMessageBox.Icon.Critical, APPLICATION_NAME, message, parent=parent)
    box.setObjectName("startupError")
    if smoke:
        box.show()
        QTest.qWaitForWindowExposed(box, SMOKE_EXPOSE_TIMEOUT_MS)
        box.close()
    else:
        box.exec()
    return EXIT_CANNOT_OPEN


class Startup:
    """Opening window → (first paint) → open the records → main window."""

    def __init__(self, opener: Opener, workstation: str | None, *, smoke: bool) -> None:
        self.opener = opener
        self.workstation = workstation
        self.smoke = smoke
        self.opening = OpeningWindow(APPLICATION_NAME)
        self.window: MainWindow | None = None
        self.runtime: Runtime | None = None
        self.exit_code: int | None = None  # set when opening the records failed
        self.bug: Exception | None = None

    def open_records(self) -> int | None:
        """Open the store and show the main window in the opening window's place; an exit
        code when that failed (the reason shown), None when the main window is up."""
        try:
            self.runtime = self.opener()
        except StartupError as refused:
            return _explain_startup_error(str(refused), self.smoke, self.opening)
        from detainer_desk.gui.backend import Backend
        from detainer_desk.gui.main_window import MainWindow

        workstation = self.workstation
        if workstation is None:
            from detainer_desk.runtime import local_actor

            workstation = local_actor().workstation
        window = MainWindow(Backend.from_runtime(self.runtime, workstation))
        opening = self.opening
        if opening.isVisible():
            window.resize(opening.size())
            window.move(opening.pos())
            if opening.isMaximized():
                window.setWindowState(window.windowState() | opening.windowState())
        window.show()  # before the opening window closes: the application must not quit
        opening.close()
        self.window = window
        return None

    def run_smoke(self, app: QApplication) -> int:
        """Both windows painted once, then closed: a check that Qt, its plugins, the store
        and the main window all load, without waiting for a user."""
        self.opening.show()
        if not QTest.qWaitForWindowExposed(self.opening, SMOKE_EXPOSE_TIMEOUT_MS):
            print("Smoke test failed: the window was never shown.", file=sys.stderr)
            return 1
        app.processEvents()
        code = self.open_records()
        if code is not None:
            self.opening.close()
            return code
        window = self.window
        assert window is not None
        exposed = QTest.qWaitForWindowExposed(window, SMOKE_EXPOSE_TIMEOUT_MS)
        app.processEvents()
        window.close()
        window.deleteLater()
        if not exposed:
            print("Smoke test failed: the main window was never shown.", file=sys.stderr)
            return 1
        return 0

    def run(self, app: QApplication) -> int:
        self.opening.painted.connect(lambda: QTimer.singleShot(0, self._after_first_paint))
        self.opening.show()
        with bugs_shown_in(lambda: self.window or self.opening):
            code = app.exec()
        # Closed only now: closing the last window inside the loop would ask it to quit a
        # second time, after it was told to stop with the exit code below.
        self.opening.close()
        if self.bug is not None:
            raise self.bug
        return self.exit_code if self.exit_code is not None else code

    def _after_first_paint(self) -> None:
        try:
            code = self.open_records()
        except Exception as bug:  # noqa: BLE001 - raised again from run(), out of the event loop
            self.bug = bug
            code = 1
        if code is not None:
            self.exit_code = code
            QCoreApplication.exit(code)


def run_gui(
    runtime: Runtime | None = None,
    *,
    opener: Opener | None = None,
    smoke: bool = False,
    argv: list[str] | None = None,
    startup_error: str | None = None,
    workstation: str | None = None,
) -> int:
    """Show the window, open the records (``opener``, called after the window's first
    paint; or an already opened ``runtime``), show the main window and run the event loop;
    return the process exit code.

    A runtime that ``opener`` opened is closed here; one passed in is the caller's. When
    the records cannot be opened (``StartupError`` from ``opener``, or ``startup_error``)
    the reason is shown in a window and the exit code is 2. Any other error from
    ``opener`` is a bug: it is raised again once the event loop has stopped.

    With ``smoke=True`` the windows are shown (the set-up page on a new store, else the
    sign-in page), waited on until each has been exposed (and so painted) once, then
    closed: a packaging check that Qt, its plugins, the store and the window all load.

    ``argv`` defaults to the program name only: the composition root has already
    parsed the command line, and Qt must not see our own options.
    """
    app = _application(argv)
    if startup_error is not None or (runtime is None and opener is None):
        return _explain_startup_error(
            startup_error or "Detainer Desk cannot open its records.", smoke
        )
    owned = opener is not None
    if opener is None:
        given = runtime
        assert given is not None

        def opener() -> Runtime:
            return given

    start = Startup(opener, workstation, smoke=smoke)
    try:
        return start.run_smoke(app) if smoke else start.run(app)
    finally:
        if owned and start.runtime is not None:
            start.runtime.close()
