"""The second factor in the window, as a person meets it: the system-use notice before the
password, set-up on the first sign-in of a new installation (QR code and key, a real code
typed back, the recovery codes shown once), then the code after the password at every
sign-in, and the lock screen that asks only for the password."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.second_factor import RecoveryCodesDialog, qr_image
from detainer_desk.gui.session import SessionState
from detainer_desk.runtime import Runtime
from detainer_desk.services.notices import DEFAULT_NOTICE

from .test_gui_support import (
    ADMIN_PASSWORD,
    WORKSTATION,
    click,
    open_store,
    settled,
    type_into,
)
from .test_gui_wizard import choose_preset, fill_installation, wizard_of
from .test_second_factor import rfc6238, secret_of

T0 = dt.datetime(2026, 3, 2, 8, 0, 10, tzinfo=dt.UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    runtime = open_store(tmp_path / "data")
    yield runtime
    runtime.close()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, store: Runtime, clock: Clock) -> Iterator[MainWindow]:
    backend = Backend.from_runtime(store, WORKSTATION, clock=clock)
    main = MainWindow(backend)
    qtbot.addWidget(main)
    main.resize(1366, 768)
    with qtbot.waitExposed(main):
        main.show()
    yield main
    main.close()


def _set_up_with_second_factor(qtbot: QtBot, window: MainWindow) -> None:
    from detainer_desk.gui.wizard import ADMINISTRATOR, POLICY_STEP

    page = wizard_of(window)
    fill_installation(qtbot, page)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == POLICY_STEP)
    choose_preset(qtbot, page)
    click(qtbot, page.next_button)
    qtbot.waitUntil(lambda: page.step == ADMINISTRATOR)
    assert page.second_factor.isChecked()  # the default
    type_into(qtbot, page.user_name.edit, "chief")
    type_into(qtbot, page.display_name.edit, "Pat Chief")
    type_into(qtbot, page.password.edit, ADMIN_PASSWORD)
    type_into(qtbot, page.confirm.edit, ADMIN_PASSWORD)
    click(qtbot, page.create_button)


def test_set_up_enrol_then_sign_in_with_the_code(
    qtbot: QtBot, window: MainWindow, store: Runtime, clock: Clock, tmp_path: Path
) -> None:
    _set_up_with_second_factor(qtbot, window)
    qtbot.waitUntil(lambda: window.session.state is SessionState.ENROLMENT)
    page = window.enrolment_page
    assert window.pages.currentWidget() is page
    assert not page.qr.pixmap().isNull() and page.qr.pixmap().width() >= 150
    page.grab().save(str(tmp_path / "enrolment.png"))
    secret = secret_of(page.secret.text())
    enrolment = window.session.enrolment
    assert enrolment is not None and secret == enrolment.secret
    _read_by_a_qr_reader(page.qr.pixmap().toImage(), tmp_path, enrolment.uri)

    type_into(qtbot, page.code.edit, "123 45")  # not a code
    qtbot.keyClick(page.code.edit, Qt.Key.Key_Return)
    settled(qtbot, window)
    assert window.session.state is SessionState.ENROLMENT
    assert page.error.text()
    type_into(qtbot, page.code.edit, rfc6238(secret, clock.now))
    qtbot.keyClick(page.code.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    dialog = window.findChild(RecoveryCodesDialog, "recoveryCodesDialog")
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible)
    assert len(dialog.codes.text().splitlines()) == 10
    dialog.grab().save(str(tmp_path / "recovery-codes.png"))
    dialog.accept()
    assert page.secret.text() == "" and page.qr.pixmap().isNull()  # gone from the screen
    window.activateWindow()  # the dialog gone, the window has the keyboard again
    qtbot.waitActive(window)

    window.sign_out()
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_OUT)
    sign_in = window.sign_in_page
    assert sign_in.notice_frame.isVisible()
    assert sign_in.notice.text() == DEFAULT_NOTICE
    sign_in.grab().save(str(tmp_path / "sign-in-notice.png"))
    clock.now = T0 + dt.timedelta(minutes=5)
    type_into(qtbot, sign_in.user_name.edit, "chief")
    type_into(qtbot, sign_in.password.edit, ADMIN_PASSWORD)
    qtbot.keyClick(sign_in.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SECOND_FACTOR)
    assert sign_in.code.edit.isVisible() and not sign_in.password.edit.isVisible()
    assert sign_in.code.edit.hasFocus()
    sign_in.grab().save(str(tmp_path / "sign-in-code.png"))
    right = rfc6238(secret, clock.now)
    type_into(qtbot, sign_in.code.edit, f"{(int(right) + 1) % 1_000_000:06d}")
    qtbot.keyClick(sign_in.code.edit, Qt.Key.Key_Return)
    settled(qtbot, window)
    assert window.session.state is SessionState.SECOND_FACTOR
    assert "not right" in sign_in.error.text()
    type_into(qtbot, sign_in.code.edit, right)
    qtbot.keyClick(sign_in.code.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    assert window.session.actor is not None and window.session.actor.user == "chief"

    # The lock screen: the password only, within the session.
    assert window.lock(idle=False)
    assert window.session.state is SessionState.LOCKED
    assert not sign_in.code.edit.isVisible()
    type_into(qtbot, sign_in.password.edit, ADMIN_PASSWORD)
    qtbot.keyClick(sign_in.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)


def _read_by_a_qr_reader(image, tmp_path: Path, expected: str) -> None:
    """What a phone's camera would read: zbarimg (zbar-tools) decodes the code drawn."""
    import os
    import shutil
    import subprocess

    reader = shutil.which("zbarimg")
    if reader is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("zbarimg (zbar-tools) is required in CI")
        return
    picture = tmp_path / "qr.png"
    image.save(str(picture))
    read = subprocess.run(
        [reader, "--quiet", "--raw", str(picture)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert read.stdout.strip() == expected, read.stderr


def test_back_from_the_code_forgets_the_password(
    qtbot: QtBot, window: MainWindow, clock: Clock
) -> None:
    _set_up_with_second_factor(qtbot, window)
    qtbot.waitUntil(lambda: window.session.state is SessionState.ENROLMENT)
    secret = secret_of(window.enrolment_page.secret.text())
    type_into(qtbot, window.enrolment_page.code.edit, rfc6238(secret, clock.now))
    qtbot.keyClick(window.enrolment_page.code.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SIGNED_IN)
    window.findChild(RecoveryCodesDialog, "recoveryCodesDialog").accept()
    window.sign_out()
    sign_in = window.sign_in_page
    type_into(qtbot, sign_in.user_name.edit, "chief")
    type_into(qtbot, sign_in.password.edit, ADMIN_PASSWORD)
    qtbot.keyClick(sign_in.password.edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.session.state is SessionState.SECOND_FACTOR)
    click(qtbot, sign_in.switch_user_button)  # "Back"
    assert window.session.state is SessionState.SIGNED_OUT
    assert window.session.pending_user is None
    assert sign_in.password.edit.isVisible() and sign_in.password.edit.text() == ""


def test_the_qr_code_is_a_square_of_whole_modules() -> None:
    image = qr_image("otpauth://totp/Detainer%20Desk:chief?secret=ABC", module=4)
    assert image.width() == image.height() and image.width() % 4 == 0
    # The quiet zone is white, the finder pattern's corner black.
    assert image.pixelColor(0, 0).name() == "#ffffff"
    assert image.pixelColor(4 * 4, 4 * 4).name() == "#000000"


def test_the_notice_is_the_administrators_text(qtbot: QtBot, store: Runtime) -> None:
    from detainer_desk.services import accounts
    from detainer_desk.services.settings import read_settings, save_settings

    admin = accounts.create_first_admin(
        store.uow(), store.security(), "chief", "Chief", ADMIN_PASSWORD, WORKSTATION, T0,
        require_second_factor=False,
    )  # fmt: skip
    text = "Property of Example County.\nAuthorized use only; all use is monitored."
    save_settings(
        store.uow(),
        admin,
        dataclasses.replace(read_settings(store.uow()), system_use_notice=text),
        T0,
    )
    main = MainWindow(Backend.from_runtime(store, WORKSTATION))
    qtbot.addWidget(main)
    with qtbot.waitExposed(main):
        main.show()
    assert main.sign_in_page.notice.text() == text
    main.close()
