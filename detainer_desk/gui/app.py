"""Start the Qt application and show the main window."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

import detainer_desk
from detainer_desk.gui.backend import Backend
from detainer_desk.gui.errors import bugs_shown_in
from detainer_desk.gui.main_window import MainWindow

if TYPE_CHECKING:
    from detainer_desk.runtime import Runtime

APPLICATION_NAME = "Detainer Desk"
ORGANIZATION_NAME = "DetainerDesk"
SMOKE_EXPOSE_TIMEOUT_MS = 10_000


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


def run_gui(
    runtime: Runtime | None,
    *,
    smoke: bool = False,
    argv: list[str] | None = None,
    startup_error: str | None = None,
    workstation: str | None = None,
) -> int:
    """Show the main window over the opened record store and run the event loop; return
    the process exit code. The caller opened ``runtime`` and closes it afterwards.

    With ``startup_error`` (the store could not be opened; ``runtime`` is None) the
    message is shown in a window and the exit code is 2.

    With ``smoke=True`` the window is shown (the set-up page on a new store, else the
    sign-in page), waited on until the window system has exposed (and so painted) it
    once, then closed: a packaging check that Qt, its plugins and the window all load,
    without waiting for a user.

    ``argv`` defaults to the program name only: the composition root has already
    parsed the command line, and Qt must not see our own options.
    """
    app = _application(argv)

    if startup_error is not None or runtime is None:
        # The records cannot be opened: say why in plain words, in a window, and stop.
        message = startup_error or "Detainer Desk cannot open its records."
        box = QMessageBox(QMessageBox.Icon.Critical, APPLICATION_NAME, message)
        box.setObjectName("startupError")
        if smoke:
            box.show()
            QTest.qWaitForWindowExposed(box, SMOKE_EXPOSE_TIMEOUT_MS)
            box.close()
        else:
            box.exec()
        return 2

    if workstation is None:
        from detainer_desk.runtime import local_actor

        workstation = local_actor().workstation
    window = MainWindow(Backend.from_runtime(runtime, workstation))
    window.show()

    if smoke:
        exposed = QTest.qWaitForWindowExposed(window, SMOKE_EXPOSE_TIMEOUT_MS)
        app.processEvents()
        window.close()
        window.deleteLater()
        if not exposed:
            print("Smoke test failed: the main window was never shown.", file=sys.stderr)
            return 1
        return 0
    with bugs_shown_in(window):
        return app.exec()
