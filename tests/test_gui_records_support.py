"""Shared set-up for the records screens' tests: a real store with staff and decisions, an
injectable clock, and the main window with a desktop notifier that only takes notes.
No tests are defined here."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, QPoint, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication, QTableView
from pytestqt.qtbot import QtBot

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.records import DecisionDetailDialog
from detainer_desk.runtime import Runtime
from detainer_desk.services import records
from detainer_desk.services.ports import Actor

from .helpers import JUDICIAL_WARRANT_POLICY, request_json
from .test_gui_support import ADMIN_PASSWORD, seed_admin, seed_user, signed_in, store_under

WORKSTATION = "SGT-DESK-1"
NOW = dt.datetime(2026, 2, 10, 17, 0, tzinfo=dt.UTC)
PEOPLE = {
    "officer.a": (("officer",), "quiet orchard kettle"),
    "sgt.b": (("supervisor",), "granite willow beacon"),
    "sgt.c": (("supervisor",), "copper meadow lantern"),
    "counsel.d": (("counsel",), "amber meadow compass"),
}


class Clock:
    """The window's clock, moved by hand: no test waits for real time to pass."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def set(self, moment: dt.datetime) -> None:
        self.now = moment


@dataclass
class Desk:
    runtime: Runtime
    clock: Clock
    admin: Actor
    notifications: list[tuple[str, str, bool]] = field(default_factory=list)

    def actor(self, name: str) -> Actor:
        return Actor(name, WORKSTATION)

    # `by` and `attachments` are Any: callers spread dotted field names, **{"subject.name": ...},
    # whose values mypy would otherwise hold against these two parameters.
    def record(self, by: Any = "officer.a", attachments: Any = (), **changes: Any):
        return records.record_decision(
            self.runtime.uow(),
            request_json(**changes),
            "test",
            list(attachments),
            self.actor(by),
            self.clock.now,
        )

    def amend(self, decision_id: int, kind: str, by: str = "sgt.c", **options):
        return records.amend_decision(
            self.runtime.uow(), decision_id, kind, self.actor(by), self.clock.now, **options
        )


def desk_under(tmp_path: Path) -> Iterator[Desk]:
    for runtime in store_under(tmp_path):
        admin = seed_admin(runtime)
        for name, (roles, password) in PEOPLE.items():
            seed_user(runtime, admin, name, roles, password)
        records.activate_policy(runtime.uow(), JUDICIAL_WARRANT_POLICY, "p.toml", admin, NOW)
        yield Desk(runtime, Clock(NOW), admin)


def open_desk(qtbot: QtBot, desk: Desk) -> MainWindow:
    backend = Backend.from_runtime(desk.runtime, WORKSTATION, clock=desk.clock)
    window = MainWindow(backend)

    def notify(title: str, text: str, urgent: bool) -> bool:
        desk.notifications.append((title, text, urgent))
        return False

    window.records.holds.alerts.notify = notify
    qtbot.addWidget(window)
    window.resize(1366, 768)
    with qtbot.waitExposed(window):
        window.show()
    return window


def window_on(qtbot: QtBot, desk: Desk) -> Iterator[MainWindow]:
    window = open_desk(qtbot, desk)
    yield window
    window.records.wait()
    window.tasks.wait()
    window.close()
    window.records.wait()
    window.tasks.wait()
    QApplication.processEvents()


def sign_in_as(qtbot: QtBot, window: MainWindow, name: str) -> None:
    password = ADMIN_PASSWORD if name == "admin" else PEOPLE[name][1]
    signed_in(qtbot, window, name, password)


def open_detail(qtbot: QtBot, window: MainWindow, decision_id: int) -> DecisionDetailDialog:
    """Open a decision's detail view as the lists do, and wait until it has been read."""
    with qtbot.waitSignal(window.records.detail_opened, timeout=30_000) as opened:
        assert window.records.open_decision(decision_id) is not None
    dialog = opened.args[0]
    assert isinstance(dialog, DecisionDetailDialog)
    return dialog


def click_header(qtbot: QtBot, table: QTableView, column: int) -> None:
    header = table.horizontalHeader()
    x = header.sectionViewportPosition(column) + header.sectionSize(column) // 2
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )


def double_click_row(qtbot: QtBot, table: QTableView, row: int, column: int = 1) -> None:
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def background(table: QTableView, row: int) -> str:
    brush = table.model().index(row, 0).data(Qt.ItemDataRole.BackgroundRole)
    return QColor(brush.color()).name() if brush is not None else ""


def png_bytes() -> bytes:
    image = QImage(120, 80, QImage.Format.Format_RGB32)
    image.fill(QColor("#336699"))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stub says bytes; PySide6 takes str
    return bytes(buffer.data().data())


def pdf_bytes() -> bytes:
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, "Form I-200 Warrant for Arrest of Alien (test scan)")
    page.showPage()
    page.save()
    return out.getvalue()
