"""The supervisors' screens: the decision log, the review queue, the active-holds board and
the statistics, plus the detail view of one decision.

``RecordsScreens`` is their controller: it adds them to the workspace, shows only the
screens the signed-in roles may use (the services check again), loads a screen when it is
shown, forgets everything on signing out, and keeps the holds' countdown and alerts
running while someone is signed in, whichever screen is in front.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QMainWindow, QToolButton, QWidget

from detainer_desk.domain import accounts as acc
from detainer_desk.services.access import RecordError

from ..changes import Change, Kinds
from ..errors import show_bug
from ..session import Session, SessionState
from ..tasks import TaskHandle, TaskRunner
from ..widgets import plain_sentence
from ..workspace import Workspace
from .detail import DecisionDetailDialog, DetailRead, read_detail
from .holds import ActiveHoldsScreen
from .log_screen import DecisionLogScreen
from .overdue_report import OverdueReportDialog
from .review import ReviewQueueScreen
from .stats_screen import StatisticsScreen

__all__ = [
    "ActiveHoldsScreen",
    "DecisionDetailDialog",
    "DecisionLogScreen",
    "OverdueReportDialog",
    "RecordsScreens",
    "ReviewQueueScreen",
    "StatisticsScreen",
]

DialogOpener = Callable[[QDialog], QDialog]
T = TypeVar("T")


def _open_plainly(dialog: QDialog) -> QDialog:
    dialog.open()
    return dialog


def _returning(work: Callable[[], T]) -> Generator[Any, None, T]:
    yield "reading"
    return work()


class RecordsScreens(QObject):
    detail_opened = Signal(object)  # the DecisionDetailDialog, once read and opened

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        workspace: Workspace,
        parent: QWidget,
        *,
        open_dialog: DialogOpener = _open_plainly,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.workspace = workspace
        self.window = parent
        self.open_dialog = open_dialog
        self._user: str | None = None

        self.log = DecisionLogScreen(session, tasks)
        self.review = ReviewQueueScreen(session, tasks)
        self.holds = ActiveHoldsScreen(session, tasks)
        self.statistics = StatisticsScreen(session, tasks)
        self.screens: tuple[tuple[QWidget, str], ...] = (
            (self.log, acc.VIEW_RECORDS),
            (self.review, acc.REVIEW_DECISION),
            (self.holds, acc.VIEW_RECORDS),
            (self.statistics, acc.VIEW_RECORDS),
        )
        workspace.add_screen(self.log, "Decision &log", "decisionLogScreen")
        workspace.add_screen(self.review, "Re&view queue", "reviewQueueScreen")
        workspace.add_screen(self.holds, "Active h&olds", "activeHoldsScreen")
        workspace.add_screen(self.statistics, "S&tatistics", "statisticsScreen")

        for screen in (self.log, self.review, self.holds):
            screen.open_decision.connect(self.open_decision)
        # A write at this workstation (here, on the intake, in a dialog) is announced once
        # it is stored: the screens that show it read their lists again without waiting
        # for a timer (the holds board's timer stays for the other workstations' writes).
        tasks.changes.when((Change.DECISIONS, Change.HOLDS, Change.REVIEWS), self._records_changed)
        self.holds.open_overdue_dialog = open_dialog

        self.alert_button = QToolButton()
        self.alert_button.setObjectName("holdsAlertButton")
        self.alert_button.setAccessibleName("Hold deadlines that need attention")
        self.alert_button.setStyleSheet(
            "QToolButton { background: #b00020; color: white; font-weight: bold; "
            "border-radius: 3px; padding: 2px 10px; }"
        )
        self.alert_button.clicked.connect(self.show_holds)
        self.alert_button.hide()
        workspace.setCornerWidget(self.alert_button, Qt.Corner.TopRightCorner)
        self.holds.alerts_changed.connect(self._show_alert_count)

        workspace.currentChanged.connect(self._tab_changed)
        session.changed.connect(self._session_changed)
        self._session_changed()

    # ------------------------------------------------------------- navigation
    def _show(self, screen: QWidget, permission: str) -> bool:
        if not self.session.may(permission):
            return False
        self.workspace.show_screen(screen)
        self._activate(screen)
        return True

    def show_log(self) -> bool:
        return self._show(self.log, acc.VIEW_RECORDS)

    def show_review(self) -> bool:
        return self._show(self.review, acc.REVIEW_DECISION)

    def show_holds(self) -> bool:
        return self._show(self.holds, acc.VIEW_RECORDS)

    def show_statistics(self) -> bool:
        return self._show(self.statistics, acc.VIEW_RECORDS)

    def _activate(self, screen: QWidget) -> None:
        for known, permission in self.screens:
            if known is screen and self.session.may(permission):
                screen.activate()  # type: ignore[attr-defined]

    def _tab_changed(self, _index: int) -> None:
        self._activate(self.workspace.currentWidget())

    def open_decision(self, decision_id: int) -> TaskHandle | None:
        """The detail view of one decision (double-click or Enter on any list): read in
        the background, then opened (``detail_opened`` says when). None when not allowed."""
        if decision_id < 0 or not self.session.may(acc.VIEW_RECORDS):
            return None
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()

        def show(read: DetailRead) -> None:
            if self.session.state is not SessionState.SIGNED_IN:
                return  # signed out or locked meanwhile: nothing opens
            dialog = DecisionDetailDialog(
                self.session, self.tasks, read.row, read.state, self.window,
                zone=read.zone, contacts=read.contacts,
            )  # fmt: skip
            self.open_dialog(dialog)
            self.detail_opened.emit(dialog)

        def refused(error: BaseException, _trace: str) -> None:
            if isinstance(error, RecordError):
                self._status(plain_sentence(str(error)))
            else:
                show_bug(self.window, type(error), error, error.__traceback__)

        return self.tasks.start(
            lambda _handle: _returning(lambda: read_detail(uow, decision_id, actor, now)),
            on_finished=show,
            on_failed=refused,
        )

    def wait(self, timeout_ms: int = 30_000) -> bool:
        """For shutdown and tests: wait for the screens' own background reads."""
        return self.log.wait(timeout_ms)

    def _status(self, text: str) -> None:
        if isinstance(self.window, QMainWindow):
            self.window.statusBar().showMessage(text, 15_000)

    # ---------------------------------------------------------------- session
    def _session_changed(self) -> None:
        state = self.session.state
        actor = self.session.actor
        if state is SessionState.LOCKED:
            return  # hidden behind the lock screen; the countdown and alerts go on
        if state is not SessionState.SIGNED_IN or actor is None:
            self._user = None
            self._clear_all()
            self._update_tabs()
            return
        if actor.user != self._user:
            self._clear_all()  # nothing of another user's view stays
            self._user = actor.user
        self._update_tabs()
        for screen, permission in self.screens:
            if not self.session.may(permission):
                self._clear(screen)
        if self.session.may(acc.VIEW_RECORDS):
            self.holds.start()
        self._activate(self.workspace.currentWidget())

    def _update_tabs(self) -> None:
        for screen, permission in self.screens:
            allowed = self.session.may(permission)
            index = self.workspace.indexOf(screen)
            self.workspace.setTabVisible(index, allowed)
            if not allowed and self.workspace.currentWidget() is screen:
                self.workspace.setCurrentIndex(0)

    def _clear(self, screen: QWidget) -> None:
        if screen is self.holds:
            self.holds.stop_and_clear()
        else:
            screen.clear()  # type: ignore[attr-defined]

    def _clear_all(self) -> None:
        for screen, _permission in self.screens:
            self._clear(screen)

    def _records_changed(self, changed: Kinds) -> None:
        """A write was stored: what the screens show may have changed."""
        if self.session.state is not SessionState.SIGNED_IN:
            return
        self.log.stale = True
        self.statistics.stale = True
        if Change.REVIEWS in changed or Change.DECISIONS in changed:
            self.review.stale = True
        current = self.workspace.currentWidget()
        if current is self.log:
            self.log.refresh()
        elif current is self.review and self.review.stale:
            self.review.refresh()
        if Change.HOLDS in changed and self.session.may(acc.VIEW_RECORDS):
            self.holds.refresh_soon()

    def _show_alert_count(self, count: int) -> None:
        if count and self.session.actor is not None:
            noun = "hold needs" if count == 1 else "holds need"
            self.alert_button.setText(f"⚠ {count:,} {noun} attention")
            self.alert_button.setToolTip("Show the active holds")
            self.alert_button.show()
        else:
            self.alert_button.hide()
        self.workspace.corner_changed()
