"""Start the Qt application and show the main window.

The main window is the first window: it is shown as soon as Qt is up, with its frame
(title, menus, status bar) and "Opening the records…" in the middle (``gui/opening.py``).
Right after its first paint, a first look at the store (``probe``: its schema revision and
whether any account exists, read with the standard library's sqlite3 in a few
milliseconds) decides what comes next:

* accounts exist: the sign-in page shows at once, and the store is opened on a worker
  thread once that page has been painted (importing SQLAlchemy and opening the store take
  most of the start-up time); someone can type meanwhile, and a sign-in waits for the
  store (``MainWindow.show_sign_in_first``);
* the store must be upgraded: the same, and the page says the store is being backed up and
  upgraded, which happens before any record is read or written;
* it was written by a newer program: refused, in plain words (exit code 2);
* anything else (a new store, a server): the store is opened first, then the set-up or
  sign-in page shows.

Then the workspace and its screens are built (``gui/main_window.py``), and today's
automatic backup is made in the background, in steps that let signing in and recording go
on (a store of gigabytes takes a while to copy); the status bar says so, and a failure is
shown in the notice banner.

This module and the main window's are imported before that first paint, so they import Qt
and nothing heavy (no SQLAlchemy, alembic, reportlab, services or screens).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication, QWidget

import detainer_desk
from detainer_desk.gui.errors import bugs_shown_in

if TYPE_CHECKING:
    from detainer_desk.gui.backend import Backend
    from detainer_desk.gui.main_window import MainWindow
    from detainer_desk.gui.session import Opening
    from detainer_desk.gui.tasks import TaskHandle, TaskRunner
    from detainer_desk.runtime import Runtime, StoreProbe

APPLICATION_NAME = "Detainer Desk"
ORGANIZATION_NAME = "DetainerDesk"
SMOKE_EXPOSE_TIMEOUT_MS = 10_000
EXIT_CANNOT_OPEN = 2
# When set (to anything), each start-up stage is written to standard error as
# "startup-time STAGE SECONDS" (wall-clock seconds since the epoch): for the start-up
# benchmarks, from source or from the bundle (tests/test_bench_startup.py).
TIMES_ENV_VAR = "DETAINER_DESK_STARTUP_TIMES"


class StartupError(Exception):
    """The records cannot be opened for a reason the user can act on; the message says it
    in plain words (a missing or unwritable data folder, an unreachable server)."""


Opener = Callable[[], "Runtime"]
# A first look at the store before it is opened; raises StartupError when it must be refused.
Prober = Callable[[], "StoreProbe | None"]
DAILY_BACKUP_TEXT = "Making today's automatic backup of the records…"
DAILY_BACKUP_DONE = "Today's automatic backup of the records is made."


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
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Critical, APPLICATION_NAME, message, parent=parent)
    box.setObjectName("startupError")
    if smoke:
        from PySide6.QtTest import QTest

        box.show()
        QTest.qWaitForWindowExposed(box, SMOKE_EXPOSE_TIMEOUT_MS)
        box.close()
    else:
        box.exec()
    box.deleteLater()
    return EXIT_CANNOT_OPEN


def _say_time(stage: str) -> None:
    print(f"startup-time {stage} {time.time():.6f}", file=sys.stderr, flush=True)


class Startup:
    """The main window, painted → the records opened on a worker thread → the set-up or
    sign-in page, painted → the workspace built.

    With ``smoke`` the program stops there, exit code 0: a check, without waiting for a
    user, that Qt, its plugins, the store, the window and every screen load. The window's
    first paint, and then the records' page and workspace, must each come within
    ``SMOKE_EXPOSE_TIMEOUT_MS`` (opening the store has no time limit: it may be upgrading).
    """

    def __init__(
        self,
        opener: Opener,
        workstation: str | None,
        *,
        smoke: bool,
        probe: Prober | None = None,
        settings_folder: Path | None = None,
    ) -> None:
        from detainer_desk.gui.main_window import MainWindow

        self.opener = opener
        self.probe = probe
        self.workstation = workstation
        self.smoke = smoke
        self.window: MainWindow = MainWindow(settings_folder=settings_folder)
        self.runtime: Runtime | None = None  # set on the worker thread, once opened
        self.exit_code: int | None = None  # set when the program must stop early
        self.bug: BaseException | None = None
        self.running = False  # the event loop runs this start (late signals are ignored)
        self._pool = QThreadPool()
        self._looked = False  # the first look at the store was taken
        self._tasks: TaskRunner | None = None  # made when the store starts opening
        self._backup: TaskHandle | None = None
        self._pdfs_warmed = False
        self._watchdog = QTimer()
        self._watchdog.setSingleShot(True)
        self._watchdog.setInterval(SMOKE_EXPOSE_TIMEOUT_MS)
        self._watchdog.timeout.connect(self._too_slow)
        self._waiting_for = "the window"

    def run(self, app: QApplication) -> int:
        window = self.window
        if os.environ.get(TIMES_ENV_VAR):
            for stage, signal in (
                ("window-painted", window.painted),
                ("records-shown", window.records_shown),
                ("workspace-ready", window.ready),
            ):
                signal.connect(lambda stage=stage: _say_time(stage))
        window.painted.connect(lambda: QTimer.singleShot(0, self._after_first_paint))
        window.ready.connect(self._ready)
        self.running = True
        window.show_placed()
        if self.smoke:
            self._watchdog.start()
        try:
            with self._bugs_shown():
                code = app.exec()
        finally:
            self.running = False
            self._watchdog.stop()
            if self._backup is not None:
                self._backup.cancel()  # stops between two steps; nothing is left behind
            # The store may still be opening (the window was closed meanwhile): let it
            # finish, so that run_gui can close what was opened.
            self._pool.waitForDone()
            # Closed only now: closing the last window inside the loop would ask it to quit
            # a second time, after it was told to stop with the exit code below.
            if window.isVisible():
                window.close()
            window.deleteLater()
        if self.bug is not None:
            raise self.bug
        return self.exit_code if self.exit_code is not None else code

    def _stop(self, code: int) -> None:
        self.exit_code = code
        QCoreApplication.exit(code)

    @contextmanager
    def _bugs_shown(self) -> Iterator[None]:
        """A bug in a slot opens the bug dialog; in a smoke test it ends the test (exit
        code 1, the bug raised again from ``run``) instead of waiting for a user."""
        if not self.smoke:
            with bugs_shown_in(lambda: self.window):
                yield
            return
        previous = sys.excepthook

        def hook(_type: type[BaseException], bug: BaseException, _tb: TracebackType | None) -> None:
            if self.bug is None:
                self.bug = bug
            self._stop(1)

        sys.excepthook = hook
        try:
            yield
        finally:
            sys.excepthook = previous

    # ------------------------------------------------------------------ stages
    def _after_first_paint(self) -> None:
        """A first look at the store: the sign-in page now, the store opened once it has
        been painted; or the store opened now (on a worker thread: it touches no widget)."""
        if not self.running or self._looked:
            return
        self._looked = True
        self._watchdog.stop()
        try:
            probe = self.probe() if self.probe is not None else None
        except StartupError as refused:
            self._stop(_explain_startup_error(str(refused), self.smoke, self.window))
            return
        if probe is None:
            self._start_opening()
            return
        from detainer_desk.runtime import FirstPage

        self._waiting_for = "the sign-in page"
        if self.smoke:
            self._watchdog.start()
        self.window.records_shown.connect(self._start_opening)
        self.window.show_sign_in_first(upgrading=probe.first_page is FirstPage.UPGRADE)

    def _start_opening(self) -> None:
        if not self.running or self._tasks is not None:
            return
        from detainer_desk.gui.tasks import TaskRunner

        self._watchdog.stop()
        self._tasks = TaskRunner(pool=self._pool)
        self._tasks.start(self._open, on_finished=self._opened, on_failed=self._failed)

    def _open(self, _handle: TaskHandle) -> Generator[str, None, tuple[Backend, Opening]]:
        """The store opened, and what the first page needs read from it (the window reads
        nothing on its thread before someone can use it)."""
        from detainer_desk.gui.backend import Backend
        from detainer_desk.gui.opening import OPENING_TEXT
        from detainer_desk.gui.session import read_opening

        yield OPENING_TEXT
        self.runtime = runtime = self.opener()
        workstation = self.workstation
        if workstation is None:
            from detainer_desk.runtime import local_actor

            workstation = local_actor().workstation
        backend = Backend.from_runtime(runtime, workstation)
        return backend, read_opening(backend.uow)

    def _opened(self, opened: tuple[Backend, Opening]) -> None:
        backend, opening = opened
        if not self.running:
            return
        self._waiting_for = "the records' page"
        if self.smoke:
            self._watchdog.start()
        self.window.open_records(backend, workspace_later=True, opening=opening)
        self.window.session.changed.connect(self._warm_pdfs_once_signed_in)
        runtime = self.runtime
        if runtime is not None and runtime.daily_backup_due and self._tasks is not None:
            self._backup = self._tasks.start(
                lambda handle: self._daily_backup(runtime, handle),
                on_progress=lambda _step: self._say(DAILY_BACKUP_TEXT, 0),
                on_finished=self._backup_done,
                on_failed=self._backup_failed,
            )

    def _warm_pdfs_once_signed_in(self) -> None:
        """After the first sign-in, load reportlab and the fonts in the background, so that
        the first PDF someone asks for is as quick as the next (``pdf.warm_up``)."""
        from detainer_desk.gui.session import SessionState

        if self._pdfs_warmed or self.window.session.state is not SessionState.SIGNED_IN:
            return
        self._pdfs_warmed = True
        if self._tasks is not None and self.running:
            self._tasks.start(_warm_up_pdfs, on_failed=_warm_up_failed)

    @staticmethod
    def _daily_backup(runtime: Runtime, handle: TaskHandle) -> Generator[str, None, str | None]:
        if not runtime.daily_backup_needed():
            return None
        yield DAILY_BACKUP_TEXT
        notice = runtime.make_daily_backup(handle.cancelled)
        return notice if notice is not None or handle.cancelled() else DAILY_BACKUP_DONE

    def _say(self, text: str, timeout_ms: int) -> None:
        if self.running:
            self.window.statusBar().showMessage(text, timeout_ms)

    def _backup_done(self, outcome: str | None) -> None:
        if not self.running or outcome is None:
            return
        if outcome == DAILY_BACKUP_DONE:
            self._say(outcome, 10_000)
        else:
            self.window.statusBar().clearMessage()
            self.window.add_notice(outcome)

    def _backup_failed(self, error: BaseException, traceback_text: str) -> None:
        # A fault of the program, not of the disk (those come back as a notice): logged in
        # full, and the user is told that today's copy is missing.
        import logging

        logging.getLogger("detainer_desk.gui").error(
            "today's automatic backup failed:\n%s", traceback_text
        )
        self._backup_done(f"Today's automatic backup could not be made: {error}")

    def _failed(self, refused: BaseException, _traceback: str) -> None:
        if not self.running:
            return
        if isinstance(refused, StartupError):
            self._stop(_explain_startup_error(str(refused), self.smoke, self.window))
        else:  # a bug: raised again from run(), out of the event loop
            self.bug = refused
            self._stop(1)

    def _ready(self) -> None:
        """The records' page has been painted and the workspace built."""
        self._watchdog.stop()
        if self.smoke and self.running and self.exit_code is None:
            self._stop(0)

    def _too_slow(self) -> None:
        print(f"Smoke test failed: {self._waiting_for} was never shown.", file=sys.stderr)
        self._stop(1)


def _warm_up_pdfs(_handle: TaskHandle) -> Generator[str, None, None]:
    from detainer_desk.adapters import pdf

    yield "warming up"
    pdf.warm_up()


def _warm_up_failed(error: BaseException, traceback_text: str) -> None:
    # Only the first PDF is slower for it; the fault itself is logged in full.
    import logging

    logging.getLogger("detainer_desk.gui").error("warming up the PDFs failed:\n%s", traceback_text)


def run_gui(
    runtime: Runtime | None = None,
    *,
    opener: Opener | None = None,
    probe: Prober | None = None,
    smoke: bool = False,
    argv: list[str] | None = None,
    startup_error: str | None = None,
    workstation: str | None = None,
    settings_folder: Path | None = None,
) -> int:
    """Show the main window, open the records (``opener``, called on a worker thread after
    the window's first paint; or an already opened ``runtime``), show the sign-in or
    set-up page and run the event loop; return the process exit code.

    ``probe``, called on the GUI thread after the first paint, takes a first look at the
    store (it must be quick): when it finds accounts, the sign-in page shows before the
    records are opened (see the module's note).

    A runtime that ``opener`` opened is closed here; one passed in is the caller's. When
    the records cannot be opened (``StartupError`` from ``opener``, or ``startup_error``)
    the reason is shown in a window and the exit code is 2. Any other error from
    ``opener`` is a bug: it is raised again once the event loop has stopped.

    With ``smoke=True`` the window is shown, the records opened and their page (the set-up
    page on a new store, else the sign-in page) and the workspace built and painted, then
    the window closes: a packaging check that Qt, its plugins, the store and the screens
    all load.

    ``argv`` defaults to the program name only: the composition root has already
    parsed the command line, and Qt must not see our own options.

    ``settings_folder`` is where this workstation remembers its window (the data folder),
    read before the first paint.
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

    start = Startup(opener, workstation, smoke=smoke, probe=probe, settings_folder=settings_folder)
    try:
        return start.run(app)
    finally:
        if owned and start.runtime is not None:
            start.runtime.close()
