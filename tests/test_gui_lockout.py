"""Admin › Settings: how long an account stays locked after failed sign-ins (10 minutes at
least, CJIS 5.5.3), saved as the administrator, audited, and obeyed by the sign-in."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtWidgets import QSpinBox
from pytestqt.qtbot import QtBot

from detainer_desk.gui.main_window import MainWindow
from detainer_desk.runtime import Runtime
from detainer_desk.services.ports import Actor
from detainer_desk.services.settings import read_settings

from .test_gui_settings import _settings_dialog, admin, admin_window, store  # noqa: F401
from .test_gui_support import click, closed, trail


def test_the_lockout_time_is_set_in_settings(
    qtbot: QtBot,
    store: Runtime,  # noqa: F811
    admin: Actor,  # noqa: F811
    admin_window: MainWindow,  # noqa: F811
    tmp_path: Path,
) -> None:
    dialog = _settings_dialog(qtbot, admin_window)
    lockout = dialog.findChild(QSpinBox, "lockoutMinutes")
    assert lockout is not None and lockout.value() == 30
    dialog.grab().save(str(tmp_path / "settings.png"))
    error = dialog.findChild(type(dialog.error), "lockoutMinutesError")
    assert error is not None
    lockout.setFocus()
    lockout.lineEdit().selectAll()
    qtbot.keyClicks(lockout, "5")  # under CJIS's 10: said as typed, and refused
    assert lockout.value() == 5
    assert error.isVisible() and "10 to 1440 minutes" in error.text()
    click(qtbot, dialog.ok_button)
    assert dialog.isVisible()
    assert read_settings(store.uow()).lockout_minutes == 30
    lockout.lineEdit().selectAll()
    qtbot.keyClicks(lockout, "45")
    assert not error.isVisible()
    click(qtbot, dialog.ok_button)
    qtbot.waitUntil(lambda: closed(dialog))
    assert read_settings(store.uow()).lockout_minutes == 45
    [event] = trail(store, admin, action="settings.change")[:1]
    assert json.loads(event.details_json)["lockout_minutes"] == {"before": 30, "after": 45}
