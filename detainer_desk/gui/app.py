"""Start the Qt application and show the main window."""

from __future__ import annotations

import sys

from PySide6.QtCore import QCoreApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox

import detainer_desk
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.paths import AppPaths

APPLICATION_NAME = "Detainer Desk"
ORGANIZATION_NAME = "DetainerDesk"
SMOKE_EXPOSE_TIMEOUT_MS = 10_000


def run_gui(
    paths: AppPaths,
    *,
    smoke: bool = False,
    argv: list[str] | None = None,
    database_label: str | None = None,
    policy_label: str | None = None,
    startup_error: str | None = None,
) -> int:
    """Show the main window and run the event loop; return the process exit code.

    With ``smoke=True`` the window is shown, waited on until the window system has
    exposed (and so painted) it once, then closed: a packaging check that Qt, its
    plugins and the window all load, without waiting for a user.

    ``argv`` defaults to the program name only: the composition root has already
    parsed the command line, and Qt must not see our own options.
    """
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

    if startup_error is not None:
        # The records cannot be opened: say why in plain words, in a window, and stop.
        box = QMessageBox(QMessageBox.Icon.Critical, APPLICATION_NAME, startup_error)
        box.setObjectName("startupError")
        if smoke:
            box.show()
            QTest.qWaitForWindowExposed(box, SMOKE_EXPOSE_TIMEOUT_MS)
            box.close()
        else:
            box.exec()
        return 2

    window = MainWindow(database_label or str(paths.database_file), policy_label)
    window.show()

    if smoke:
        exposed = QTest.qWaitForWindowExposed(window, SMOKE_EXPOSE_TIMEOUT_MS)
        app.processEvents()
        window.close()
        if not exposed:
            print("Smoke test failed: the main window was never shown.", file=sys.stderr)
            return 1
        return 0
    return app.exec()
