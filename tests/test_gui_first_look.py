"""The sign-in page before the records are open: a first look at the store (its schema
revision, whether any account exists) shows it right after the main window's first paint;
the store is opened once it has been painted, and upgraded first if it must be; what is
typed meanwhile stays, and a sign-in asked for meanwhile is made once the store is open.
Today's automatic backup is made after that page, in the background."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from detainer_desk.adapters.db import backups
from detainer_desk.adapters.db.backups import daily_backups
from detainer_desk.adapters.db.migrate import HEAD_REVISION
from detainer_desk.gui.app import DAILY_BACKUP_DONE, DAILY_BACKUP_TEXT, run_gui
from detainer_desk.gui.main_window import SIGNING_IN_SOON, UPGRADING_NOTE, MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.gui.tasks import TaskHandle
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import Runtime, StoreProbe, open_runtime, probe_store
from detainer_desk.services.ports import Actor

from .conftest import REPO_ROOT
from .test_gui_startup import (
    _EventLoop,
    _Opener,
    _Windows,
    windows,  # noqa: F401 - the fixture behind made_windows
)
from .test_gui_support import ADMIN_PASSWORD, WORKSTATION, open_store, seed_admin, trail

FIXTURE_REV0001 = REPO_ROOT / "tests" / "fixtures" / "db" / "rev0001-demo-60.sqlite3"


@pytest.fixture
def made_windows(request: pytest.FixtureRequest) -> _Windows:
    """Every main window made while the test runs (test_gui_startup's ``windows``)."""
    made: _Windows = request.getfixturevalue("windows")
    return made


def _store_with_admin(data: Path) -> None:
    runtime = open_store(data)
    try:
        seed_admin(runtime)
    finally:
        runtime.close()
    for made in daily_backups(resolve_paths(data, environ={}).backups_dir):
        made.unlink()  # as on the first start of a new day


def _probe(data: Path) -> Callable[[], StoreProbe | None]:
    return lambda: probe_store(resolve_paths(data, environ={}))


def _later_opener(
    data: Path, then: Callable[[Runtime], None] = lambda _r: None
) -> Callable[[], Runtime]:
    """Opens the store as the program does (today's backup left for later)."""

    def open_it() -> Runtime:
        runtime = open_runtime(resolve_paths(data, environ={}), daily_backup_later=True)
        then(runtime)
        return runtime

    return open_it


def _revision(database: Path) -> str:
    conn = sqlite3.connect(database)
    try:
        return str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        conn.close()


def test_a_sign_in_asked_for_while_the_records_open_is_made_once_they_are(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    opener = _Opener(data, made_windows)
    opener.release.clear()  # the store stays "opening" until the test lets it go on
    loop = _EventLoop()
    seen: dict[str, object] = {}

    def sign_in_page_painted() -> None:
        window = made_windows[0]
        page = window.sign_in_page
        seen["page"] = window.pages.currentWidget() is page
        seen["records open"] = window.records_open
        qtbot.keyClicks(page.user_name.edit, "admin")
        qtbot.keyClicks(page.password.edit, ADMIN_PASSWORD)
        qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)
        seen["note"] = page.error.text()
        seen["status"] = window.statusBar().currentMessage()

    def opening() -> None:  # the store is being opened, the sign-in waits: go on
        seen["still waiting"] = made_windows[0].sign_in_page.error.text()
        opener.release.set()

    def signed_in() -> None:
        window = made_windows[0]
        seen["user"] = window.session.actor.user if window.session.actor else None
        seen["shown"] = window.pages.currentWidget() is window.content_page
        window.close()

    made_windows.on_new.append(lambda window: window.records_shown.connect(sign_in_page_painted))
    loop.when(lambda: opener.on_gui_thread is not None, opening)
    loop.when(
        lambda: made_windows and made_windows[0].records_open and made_windows[0].workspace_built
        and made_windows[0].session.state is SessionState.SIGNED_IN,
        signed_in,
    )  # fmt: skip
    code = run_gui(opener=opener, probe=_probe(data), workstation=WORKSTATION)
    loop.stop()

    assert code == 0
    assert opener.painted_before is True and opener.on_gui_thread is False
    assert seen == {
        "page": True,
        "records open": False,
        "note": SIGNING_IN_SOON,
        "status": "Opening the records…",
        "still waiting": SIGNING_IN_SOON,
        "user": "admin",
        "shown": True,
    }
    runtime = open_store(data)
    try:
        events = trail(runtime, Actor("admin", WORKSTATION, frozenset({"admin"})), action="sign_in")
    finally:
        runtime.close()
    assert [(e.user_name, e.workstation, e.outcome) for e in events] == [
        ("admin", WORKSTATION, "success")
    ]


def test_what_is_typed_while_the_records_open_stays_where_it_is(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    opener = _Opener(data, made_windows)
    opener.release.clear()
    loop = _EventLoop()
    seen: dict[str, object] = {}

    def sign_in_page_painted() -> None:
        page = made_windows[0].sign_in_page
        qtbot.keyClicks(page.user_name.edit, "adm")  # half-way through the name
        seen["focus before"] = page.user_name.edit.hasFocus()

    def opened() -> None:
        page = made_windows[0].sign_in_page
        seen["name"] = page.user_name.text()
        seen["focus after"] = page.user_name.edit.hasFocus()
        seen["state"] = made_windows[0].session.state
        made_windows[0].close()

    made_windows.on_new.append(lambda window: window.records_shown.connect(sign_in_page_painted))
    loop.when(lambda: opener.on_gui_thread is not None, opener.release.set)
    loop.when(lambda: made_windows and made_windows[0].workspace_built, opened)
    assert run_gui(opener=opener, probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    assert seen == {
        "focus before": True,
        "name": "adm",
        "focus after": True,
        "state": SessionState.SIGNED_OUT,
    }


def test_an_older_store_is_backed_up_and_upgraded_after_the_sign_in_page_shows(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows
) -> None:
    data = tmp_path / "data"
    paths = resolve_paths(data, environ={})
    paths.data_dir.mkdir(parents=True)
    shutil.copyfile(FIXTURE_REV0001, paths.database_file)
    loop = _EventLoop()
    seen: dict[str, object] = {}

    def sign_in_page_painted() -> None:
        window = made_windows[0]
        seen["note"] = window.sign_in_page.error.text()
        seen["revision then"] = _revision(paths.database_file)
        seen["backups then"] = paths.backups_dir.exists() and any(paths.backups_dir.iterdir())

    def ready() -> None:
        window = made_windows[0]
        seen["note after"] = window.sign_in_page.error.text()
        seen["state"] = window.session.state
        seen["set-up page shown"] = window.pages.currentWidget() is window.first_run_page
        window.close()

    made_windows.on_new.append(lambda window: window.records_shown.connect(sign_in_page_painted))
    made_windows.on_new.append(lambda window: window.ready.connect(ready))
    assert run_gui(opener=_later_opener(data), probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    assert seen == {
        "note": UPGRADING_NOTE,
        "revision then": "0001",  # the page showed before anything was changed
        "backups then": False,
        "note after": "",
        # Older than accounts (nothing is read before the upgrade, so the sign-in page
        # showed): once upgraded, the store asks for its first administrator.
        "state": SessionState.FIRST_RUN,
        "set-up page shown": True,
    }
    assert _revision(paths.database_file) == HEAD_REVISION
    made = sorted(p.name.split("Z-", 1)[1] for p in paths.backups_dir.iterdir())
    assert made == ["before-migration-from-0001.sqlite3", "daily.sqlite3"]


def test_a_store_of_a_newer_program_is_refused_before_anything_is_opened(
    run_cli, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    database = resolve_paths(data, environ={}).database_file
    conn = sqlite3.connect(database)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    conn.close()
    before = hashlib.sha256(database.read_bytes()).hexdigest()

    result = run_cli("--data-dir", str(data), "smoke")

    assert result.code == 2
    assert capsys.readouterr().err == (
        "Detainer Desk cannot open its records: this database was written by a newer "
        f"Detainer Desk (schema 0099); this program knows schema {HEAD_REVISION} at most. "
        "Install the newer version; nothing was changed.\n"
    )
    assert hashlib.sha256(database.read_bytes()).hexdigest() == before
    assert list(resolve_paths(data, environ={}).backups_dir.iterdir()) == []


def test_todays_backup_is_made_after_the_sign_in_page_and_said_in_the_status_bar(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    backups_dir = resolve_paths(data, environ={}).backups_dir
    loop = _EventLoop()
    seen: dict[str, object] = {}
    messages: list[str] = []

    def sign_in_page_painted() -> None:
        seen["backups at the sign-in page"] = daily_backups(backups_dir)

    def watch(window: MainWindow) -> None:
        window.records_shown.connect(sign_in_page_painted)
        window.statusBar().messageChanged.connect(messages.append)

    made_windows.on_new.append(watch)
    loop.when(
        lambda: made_windows and made_windows[0].statusBar().currentMessage() == DAILY_BACKUP_DONE,
        lambda: made_windows[0].close() and None,
    )
    assert run_gui(opener=_later_opener(data), probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    assert seen == {"backups at the sign-in page": []}
    assert len(daily_backups(backups_dir)) == 1
    assert messages.index(DAILY_BACKUP_TEXT) < messages.index(DAILY_BACKUP_DONE)


def test_a_daily_backup_that_failed_is_shown_in_the_banner(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    backups_dir = resolve_paths(data, environ={}).backups_dir

    def folder_gone(_runtime: Runtime) -> None:
        shutil.rmtree(backups_dir)
        backups_dir.write_text("not a folder\n")

    loop = _EventLoop()
    seen: dict[str, object] = {}

    def sign_in_as_administrator() -> None:  # the banner's notices are an administrator's
        page = made_windows[0].sign_in_page
        qtbot.keyClicks(page.user_name.edit, "admin")
        qtbot.keyClicks(page.password.edit, ADMIN_PASSWORD)
        qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)

    def banner_up() -> None:
        seen["notice"] = made_windows[0].notice_banner.label.text()
        made_windows[0].close()

    made_windows.on_new.append(
        lambda window: window.records_shown.connect(sign_in_as_administrator)
    )
    loop.when(
        lambda: made_windows and made_windows[0].records_open and made_windows[0].notice_banner.isVisible()
        and "automatic backup" in made_windows[0].notice_banner.label.text(),
        banner_up,
    )  # fmt: skip
    opener = _later_opener(data, folder_gone)
    assert run_gui(opener=opener, probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    notice = str(seen["notice"])
    assert "Note: Today's automatic backup could not be made (" in notice
    assert "): the backup " in notice
    assert notice.endswith("The records themselves are unchanged.")


def test_closing_the_window_stops_todays_backup_and_leaves_nothing(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    _store_with_admin(data)
    backups_dir = resolve_paths(data, environ={}).backups_dir
    copying, stop_asked = threading.Event(), threading.Event()
    real_watch = backups._step_watch

    def held_watch(source: Path, cancelled: Callable[[], bool]) -> Callable[[int, int, int], None]:
        inner = real_watch(source, cancelled)

        def watch(status: int, remaining: int, total: int) -> None:
            copying.set()
            assert stop_asked.wait(20), "the copy was never asked to stop"
            inner(status, remaining, total)

        return watch

    real_cancel = TaskHandle.cancel

    def cancel(self: TaskHandle) -> None:
        real_cancel(self)
        stop_asked.set()  # the held step may go on: it is told to stop

    monkeypatch.setattr(backups, "STEP_PAGES", 1)
    monkeypatch.setattr(backups, "_step_watch", held_watch)
    monkeypatch.setattr(TaskHandle, "cancel", cancel)
    loop = _EventLoop()
    loop.when(copying.is_set, lambda: made_windows[0].close() and None)
    assert run_gui(opener=_later_opener(data), probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    assert stop_asked.is_set()
    assert list(backups_dir.iterdir()) == []  # no backup, no partial file


# What `detainer-desk smoke` has imported when its sign-in page has been painted (a process
# of its own: this one has imported everything).
IMPORTS_AT_SIGN_IN_PAGE = """
import json, sys
from detainer_desk.gui import main_window
from detainer_desk.cli import main

seen = {}
real = main_window.MainWindow._records_painted

def painted(self):
    seen.setdefault("page", self.pages.currentWidget().objectName())
    seen.setdefault("records open", self.records_open)
    seen.setdefault("modules", sorted(sys.modules))
    real(self)

main_window.MainWindow._records_painted = painted
code = main(["smoke", "--data-dir", sys.argv[1]])
print(json.dumps({"code": code, **seen}))
"""
SIGN_IN_PAGE_GUI = {
    "detainer_desk.gui",
    "detainer_desk.gui.app",
    "detainer_desk.gui.errors",
    "detainer_desk.gui.fit",  # the window sized to the screen before it is shown
    "detainer_desk.gui.help",
    "detainer_desk.gui.main_window",
    "detainer_desk.gui.opening",
    "detainer_desk.gui.pages",
    "detainer_desk.gui.wheel",  # the wheel guard, installed right after the first paint
    "detainer_desk.gui.widgets",
    "detainer_desk.gui.workstation",  # the window's remembered size and place
}


def test_the_sign_in_page_needs_no_database_library_and_no_screen(tmp_path: Path) -> None:
    data = tmp_path / "home"
    _store_with_admin(data)
    done = subprocess.run(
        [sys.executable, "-c", IMPORTS_AT_SIGN_IN_PAGE, str(data)],
        capture_output=True,
        text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=True,
        timeout=120,
    )
    seen = json.loads(done.stdout.splitlines()[-1])
    assert (seen["code"], seen["page"], seen["records open"]) == (0, "signInPage", False)
    modules = seen["modules"]
    heavy = {"sqlalchemy", "alembic", "psycopg", "argon2", "reportlab", "PIL", "pypdf"}
    assert {name.split(".")[0] for name in modules} & heavy == set()
    assert {m for m in modules if m.startswith("detainer_desk.gui")} == SIGN_IN_PAGE_GUI
    assert [m for m in modules if m.startswith("detainer_desk.services")] == []


def test_after_the_first_sign_in_the_pdfs_are_warmed_up_in_the_background(
    qtbot: QtBot, tmp_path: Path, made_windows: _Windows, monkeypatch: pytest.MonkeyPatch
) -> None:
    from detainer_desk.adapters import pdf

    data = tmp_path / "data"
    _store_with_admin(data)
    calls: list[dict[str, object]] = []
    real_warm_up = pdf.warm_up

    def warm_up() -> None:
        window = made_windows[0]
        calls.append(
            {
                "on the GUI thread": threading.current_thread() is threading.main_thread(),
                "state": window.session.state,
            }
        )
        real_warm_up()
        calls.append({"done": True})

    monkeypatch.setattr(pdf, "warm_up", warm_up)
    loop = _EventLoop()
    seen: dict[str, object] = {}

    def sign_in_page() -> None:
        page = made_windows[0].sign_in_page
        seen["warmed before signing in"] = list(calls)
        qtbot.keyClicks(page.user_name.edit, "admin")
        qtbot.keyClicks(page.password.edit, ADMIN_PASSWORD)
        qtbot.keyClick(page.password.edit, Qt.Key.Key_Return)

    def lock_and_back() -> None:  # a second sign-in (unlocking) does not warm up again
        window = made_windows[0]
        window.lock(idle=False)
        window.session.resume(ADMIN_PASSWORD)
        window.close()

    made_windows.on_new.append(lambda window: window.ready.connect(sign_in_page))
    loop.when(lambda: {"done": True} in calls, lock_and_back)
    assert run_gui(opener=_later_opener(data), probe=_probe(data), workstation=WORKSTATION) == 0
    loop.stop()

    assert seen == {"warmed before signing in": []}
    assert calls == [
        {"on the GUI thread": False, "state": SessionState.SIGNED_IN},
        {"done": True},
    ]
