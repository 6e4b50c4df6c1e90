"""Admin › Database…: a connection that fails is said in plain words; what the database
driver said (libpq's text) stays one click away, behind "Details"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.engine import make_url

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.database import DatabaseDialog
from detainer_desk.gui.tasks import TaskRunner
from detainer_desk.runtime import Runtime
from detainer_desk.services.ports import Actor

from .test_gui_support import WORKSTATION, seed_admin, store_under


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Runtime]:
    yield from store_under(tmp_path)


@pytest.fixture
def dialog(qtbot: QtBot, store: Runtime) -> DatabaseDialog:
    admin = seed_admin(store)
    backend = Backend.from_runtime(store, WORKSTATION)
    made = DatabaseDialog(backend, Actor(admin.user, WORKSTATION), TaskRunner())
    qtbot.addWidget(made)
    made.show()
    qtbot.waitExposed(made)
    return made


def _test(qtbot: QtBot, dialog: DatabaseDialog, url: str) -> str:
    dialog.url.setText(url)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: dialog.test_button.isEnabled() and bool(dialog.message.text()), timeout=30_000
    )
    return dialog.message.text()


def test_an_unreachable_server_in_plain_words_with_the_details_behind_a_click(
    qtbot: QtBot, dialog: DatabaseDialog, tmp_path: Path
) -> None:
    words = _test(qtbot, dialog, "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    assert words == (
        "Cannot connect: the database server 127.0.0.1:1/none cannot be reached (Connection "
        "refused). Is it running, and may this workstation connect to it?"
    )
    assert "connection failed" not in words and "TCP/IP" not in words  # libpq's words
    assert dialog.details_button.isVisible() and not dialog.details.isVisible()
    qtbot.mouseClick(dialog.details_button, Qt.MouseButton.LeftButton)
    assert dialog.details.isVisible()
    said = dialog.details.toPlainText()
    assert 'connection to server at "127.0.0.1", port 1 failed' in said
    dialog.grab().save(str(tmp_path / "database-unreachable-details.png"))
    qtbot.mouseClick(dialog.details_button, Qt.MouseButton.LeftButton)
    assert not dialog.details.isVisible()


@pytest.mark.parametrize(
    ("url", "expected", "driver_said"),
    [
        (
            "postgresql+psycopg://desk@no-such-host.invalid/x?connect_timeout=2",
            "Cannot connect: the database server no-such-host.invalid:5432/x cannot be "
            "reached (Name or service not known).",
            "failed to resolve host",
        ),
        (
            "postgresql+psycopg://desk@127.0.0.1:1/x?sslmod=require",
            "Cannot connect: the URL asks for an option PostgreSQL does not know (sslmod): "
            "check its spelling, or remove it.",
            'invalid connection option "sslmod"',
        ),
        (
            "postgresql+psycopg://desk@db:fivefourthreetwo/x",
            "That is not a database URL Detainer Desk can read; it looks like "
            "postgresql+psycopg://user@server/database?sslmode=verify-full.",
            "fivefourthreetwo",
        ),
    ],
)
def test_other_failures_in_plain_words(
    qtbot: QtBot, dialog: DatabaseDialog, url: str, expected: str, driver_said: str
) -> None:
    assert _test(qtbot, dialog, url).startswith(expected)
    assert driver_said in dialog.details.toPlainText()
    # A new test forgets the details of the last.
    dialog.url.setText("")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert not dialog.details_button.isVisible() and dialog.details.toPlainText() == ""


@pytest.mark.postgresql
def test_a_real_server_missing_the_database_and_then_found(
    qtbot: QtBot, dialog: DatabaseDialog, pg_url: str
) -> None:
    missing = make_url(pg_url).set(database="no_such_records").render_as_string(False)
    words = _test(qtbot, dialog, missing)
    assert words.startswith("Cannot connect: there is no database 'no_such_records' on the server")
    assert 'database "no_such_records" does not exist' in dialog.details.toPlainText()
    words = _test(qtbot, dialog, make_url(pg_url).render_as_string(False))
    assert words.startswith("Connected: PostgreSQL")
    assert not dialog.details_button.isVisible()
