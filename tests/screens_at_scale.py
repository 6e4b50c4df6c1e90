"""Every screen and table dialog on a 1366x768 screen at one scale factor, as staff see it.

Run by tests/test_gui_scaling.py in a process of its own (Qt reads QT_SCALE_FACTOR and the
offscreen screen's size when the application starts):

    QT_SCALE_FACTOR=1.5 QT_QPA_PLATFORM=offscreen:configfile=SCREEN.json \\
        python -m tests.screens_at_scale DATA_DIR OUT_DIR

It opens the window as the program does (sized from the screen, nothing remembered), signs
in as each demo role, visits each screen and opens each dialog with a table, saves a PNG of
each under OUT_DIR and writes OUT_DIR/report.json: the screen's area, each view's size, and
every problem found (a window beyond the screen, a button narrower than its text, a column
narrower than its heading). Not a test itself: the test reads the report.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QPushButton,
    QTableView,
    QTabWidget,
    QToolButton,
    QWidget,
)

from detainer_desk.gui.backend import Backend
from detainer_desk.gui.main_window import MainWindow
from detainer_desk.gui.session import SessionState
from detainer_desk.paths import resolve_paths
from detainer_desk.runtime import open_runtime
from detainer_desk.services.demo import DEMO_PASSWORD

WAIT_LIMIT_S = 60.0


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Let the event loop run until ``condition`` holds (the program's own state)."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        QTest.qWait(20)  # lets the event loop run: polls the condition, not a fixed pause
    # Then the layout and paint events the change posted, and those they post in turn
    # (instead of a fixed 50 ms): a grab renders what is laid out at that moment.
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


def rect_json(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def visible_in(widget: QWidget, root: QWidget) -> bool:
    return widget.isVisibleTo(root) and widget.isVisible()


def button_problems(root: QWidget, view: str) -> list[str]:
    problems = []
    for button in root.findChildren(QAbstractButton):
        if not visible_in(button, root) or not button.text():
            continue
        if not isinstance(button, QPushButton | QToolButton | QCheckBox):
            continue
        if (
            isinstance(button, QToolButton)
            and not button.icon().isNull()
            and button.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly
        ):
            continue  # an icon button (a line edit's calendar): its words are for screen readers
        needed = button.sizeHint().width()
        text = plain(button.text())
        text_needs = button.fontMetrics().horizontalAdvance(text)
        if button.width() < needed or button.width() < text_needs:
            problems.append(
                f"{view}: button {text!r} ({button.objectName()}) is {button.width()} px wide, "
                f"needs {max(needed, text_needs)}"
            )
    return problems


def column_problems(root: QWidget, view: str) -> list[str]:
    problems = []
    for table in root.findChildren(QTableView):
        if not visible_in(table, root) or table.model() is None:
            continue
        header = table.horizontalHeader()
        for column in range(header.count()):
            if header.isSectionHidden(column):
                continue
            needed = header.sectionSizeFromContents(column).width()
            if header.sectionSize(column) < needed:
                title = table.model().headerData(column, header.orientation())
                problems.append(
                    f"{view}: column {str(title)!r} of {table.objectName()} is "
                    f"{header.sectionSize(column)} px wide, its heading needs {needed}"
                )
    return problems


# At 125 % a maximised window is 1366/1.25 = 1092.8 logical pixels wide: Qt rounds the
# window up and the screen down, a pixel apart, while both are 1366 device pixels.
ROUNDING = 1


def fit_problems(widget: QWidget, area: QRect, view: str) -> list[str]:
    frame = widget.frameGeometry()
    if frame.width() <= area.width() + ROUNDING and frame.height() <= area.height() + ROUNDING:
        return []
    return [
        f"{view}: {frame.width()}x{frame.height()} does not fit the screen's "
        f"{area.width()}x{area.height()}"
    ]


class Visit:
    def __init__(self, window: MainWindow, out: Path) -> None:
        self.window = window
        self.out = out
        self.area = QApplication.primaryScreen().availableGeometry()
        self.views: dict[str, Any] = {}
        self.problems: list[str] = []

    def look(self, name: str, widget: QWidget) -> None:
        QApplication.processEvents()
        path = self.out / f"{len(self.views):02d}-{name}.png"
        widget.grab().save(str(path))
        self.views[name] = {
            "png": path.name,
            "frame": rect_json(widget.frameGeometry()),
            "minimum": [widget.minimumSizeHint().width(), widget.minimumSizeHint().height()],
        }
        self.problems += fit_problems(widget, self.area, name)
        self.problems += button_problems(widget, name)
        self.problems += column_problems(widget, name)

    def sign_in(self, user: str) -> None:
        window = self.window
        if window.session.actor is not None:
            window.sign_out()
        wait_for(lambda: window.session.state is SessionState.SIGNED_OUT, "signing out")
        window.session.sign_in(user, DEMO_PASSWORD)
        wait_for(lambda: window.session.state is SessionState.SIGNED_IN, f"{user} signed in")

    def tab(self, screen: QWidget, name: str, loaded: Callable[[], bool]) -> None:
        self.window.content_page.show_screen(screen)
        wait_for(loaded, name)
        self.look(name, self.window)

    def dialog(self, name: str, dialog: QWidget | None, loaded: Callable[[], bool]) -> None:
        assert dialog is not None, name
        QTest.qWaitForWindowExposed(dialog)
        wait_for(loaded, name)
        self.look(name, dialog)
        dialog.close()
        QApplication.processEvents()


def visit_everything(window: MainWindow, out: Path) -> Visit:
    visit = Visit(window, out)
    visit.look("sign-in", window)

    visit.sign_in("officer.alvarez")
    intake = window.intake
    window.content_page.show_screen(intake)
    pages = intake.findChild(QTabWidget, "requestTabs")
    if pages is not None:
        for index in range(pages.count()):
            pages.setCurrentIndex(index)
            visit.look(f"intake-{index + 1}", window)
    else:
        visit.look("intake", window)
    window.content_page.setCurrentIndex(0)
    visit.look("home-officer", window)

    visit.sign_in("sgt.fischer")
    records = window.records
    visit.tab(records.log, "decision-log", lambda: records.log.model.rowCount() > 0)
    visit.tab(records.review, "review-queue", lambda: not records.review.loading)
    visit.tab(records.holds, "active-holds", lambda: records.holds.loaded_once)
    visit.tab(records.statistics, "statistics", lambda: records.statistics.tables is not None)
    newest = records.log.model.log_row(0).decision_id
    opened: list[QWidget] = []
    records.detail_opened.connect(opened.append)
    records.open_decision(newest)
    wait_for(lambda: bool(opened), "the decision's detail view")
    detail = opened[0]
    visit.dialog("decision-detail", detail, lambda: True)
    visit.dialog("overdue-report", records.holds.open_overdue_report(), lambda: True)

    visit.sign_in("admin.demo")
    users = window.dialogs.open_users()
    visit.dialog("users", users, lambda: bool(getattr(users, "loaded_once", True)))
    trail = window.dialogs.open_audit_trail()
    visit.dialog("audit-trail", trail, lambda: trail is not None and trail.model.rowCount() > 0)
    from detainer_desk.gui.policy_screen import WHAT_IF

    policy = window.policy.open(WHAT_IF)
    visit.dialog("policy-what-if", policy, lambda: policy is not None and policy.loaded)
    verify = window.dialogs.open_verify()
    assert verify is not None
    verify.verify_button.click()  # type: ignore[attr-defined]
    visit.dialog("verify", verify, lambda: verify.result_ok is not None)  # type: ignore[attr-defined]
    visit.dialog("restore", window.dialogs.open_restore(), lambda: True)
    visit.dialog("database", window.dialogs.open_database(), lambda: True)
    return visit


def main(data_dir: str, out_dir: str) -> int:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication(sys.argv[:1])
    runtime = open_runtime(resolve_paths(data_dir, environ={}))
    try:
        backend = Backend.from_runtime(runtime, "LAPTOP-1")
        # Nothing remembered: the first start on this screen (settings kept under OUT_DIR).
        window = MainWindow(backend, settings_folder=out / "settings")
        window.show_placed()
        QTest.qWaitForWindowExposed(window)
        QApplication.processEvents()
        started = {
            "frame": rect_json(window.frameGeometry()),
            "maximised": window.isMaximized(),
        }
        visit = visit_everything(window, out)
        window.records.wait()
        window.tasks.wait()
        window.close()
        window.records.wait()
        window.tasks.wait()
        report = {
            "scale": app.primaryScreen().devicePixelRatio(),
            "area": rect_json(visit.area),
            "first_window": started,
            "views": visit.views,
            "problems": visit.problems,
        }
        (out / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    finally:
        runtime.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:3]))
