"""Shared set-up for the GUI tests: a real record store, a real window, and the few steps
an officer takes (type, press Enter, click). No tests are defined here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from pathlib import Path

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import Runtime, open_runtime, utc_now
from detainer_desk.services import accounts
from detainer_desk.services.ports import Actor, AuditEvent, AuditQuery

WORKSTATION = "INTAKE-PC-3"
ADMIN_PASSWORD = "violet harbour lantern"
OFFICER_PASSWORD = "quiet orchard kettle"
COUNSEL_PASSWORD = "amber meadow compass"


def open_store(data_dir: Path) -> Runtime:
    return open_runtime(resolve_paths(data_dir, environ={}))


def store_under(tmp_path: Path) -> Iterator[Runtime]:
    """For a ``store`` fixture: a real record store in the test's own folder."""
    runtime = open_store(tmp_path / "data")
    yield runtime
    runtime.close()


def open_window(qtbot: QtBot, runtime: Runtime, **options: object) -> MainWindow:
    window = MainWindow(Backend.from_runtime(runtime, WORKSTATION), **options)  # type: ignore[arg-type]
    qtbot.addWidget(window)
    with qtbot.waitExposed(window):
        window.show()
    return window


def window_over(qtbot: QtBot, runtime: Runtime) -> Iterator[MainWindow]:
    """For a ``window`` fixture: the main window over ``runtime``, closed (which signs out)
    before the store closes."""
    main_window = open_window(qtbot, runtime)
    yield main_window
    main_window.close()


def seed_admin(runtime: Runtime, name: str = "admin") -> Actor:
    return accounts.create_first_admin(
        runtime.uow(),
        runtime.security(),
        name,
        "Pat Admin",
        ADMIN_PASSWORD,
        WORKSTATION,
        utc_now(),
        require_second_factor=False,  # the window's tests sign in with passwords only
    )


def seed_user(
    runtime: Runtime, admin: Actor, name: str, roles: Sequence[str], password: str
) -> None:
    accounts.add_user(
        runtime.uow(), runtime.security(), admin, name, name.title(), roles, password, utc_now()
    )


def trail(runtime: Runtime, admin: Actor, **query: object) -> list[AuditEvent]:
    return list(
        accounts.audit_trail(runtime.uow(), admin, AuditQuery(**query), utc_now())  # type: ignore[arg-type]
    )


def type_into(qtbot: QtBot, edit: QLineEdit | QComboBox | None, text: str) -> None:
    assert edit is not None
    edit.clear()
    qtbot.keyClicks(edit, text)


def closed(widget: QWidget) -> bool:
    """Hidden, or already deleted (a dialog that closes when its background write has
    succeeded may be gone by the time the test looks)."""
    return not shiboken6.isValid(widget) or not widget.isVisible()


def click(qtbot: QtBot, button: QAbstractButton) -> None:
    assert button.isVisible() and button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def sign_in(qtbot: QtBot, window: MainWindow, name: str, password: str) -> None:
    page = window.sign_in_page
    assert window.pages.currentWidget() is page
    type_into(qtbot, page.user_name.edit, name)
    type_into(qtbot, page.password.edit, password)
    qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
    settled(qtbot, window)  # as an officer waits for the answer


def signed_in(qtbot: QtBot, window: MainWindow, name: str, password: str) -> None:
    sign_in(qtbot, window, name, password)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    # The intake reads the policy in force in the background at sign-in.
    qtbot.waitUntil(lambda: window.intake.controller.state.in_force_known)


def settled(qtbot: QtBot, window: MainWindow) -> None:
    """Wait until the session's steps in the background (checking a password or a code,
    recording a lock or a sign-out, the set-up) have come back to the window."""
    qtbot.waitUntil(lambda: not window.records_open or window.session.settled)


def recent(moment: dt.datetime) -> bool:
    return abs(utc_now() - moment) < dt.timedelta(minutes=5)


def answer(
    qtbot: QtBot,
    parent: QWidget,
    object_name: str,
    button: str = "confirmButton",
    *,
    key: Qt.Key | None = None,
) -> str:
    """Wait for the question ``object_name`` opened over ``parent``, press ``button`` in it
    with the mouse (or the ``key`` on the keyboard), and return what it said (its text and
    details)."""
    found: list[QMessageBox] = []

    def asked() -> bool:
        for box in parent.findChildren(QMessageBox, object_name):
            if shiboken6.isValid(box) and box.isVisible():
                found[:] = [box]
        return bool(found)

    qtbot.waitUntil(asked)
    box = found[0]
    said = f"{box.text()}\n{box.informativeText()}"
    if key is not None:
        qtbot.keyClick(box, key)
    else:
        pressed = box.findChild(QAbstractButton, button)
        assert pressed is not None, button
        qtbot.mouseClick(pressed, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not shiboken6.isValid(box) or not box.isVisible())
    return said
