"""Records › Active holds: everyone held, or to be held, on a detainer, and the time left.

Nobody may be held past ``hold_until``. The countdown is worked out from the session's
clock once a second (tests inject the clock and tick by hand); the list is read again
from the record store every minute, so what another workstation records shows up. When a
deadline comes within the first and within the second alert time (set by an administrator
in Settings; 4 hours and 1 hour unless changed, read with the list), and when it passes, an
alert is raised once: in the list on this screen, on the workspace's tab bar, and as a
desktop notification. Every word about the time left names the alert times in force.

This module is the board itself (its layout, reading, countdown, summary and banner); its
parts are beside it: ``holds_model`` (the table), ``holds_alerts`` (the alert words, the
watch that raises each alert once, the desktop notification and the list of alerts),
``holds_recording`` (the "Record what happened" form) and ``overdue_report`` (the report of
everyone held too long).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import alerts
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services import board, records
from detainer_desk.services.board import HoldItem
from detainer_desk.services.ports import DecisionSummary

from ..fit import fit_columns
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import push_button
from .common import (
    SAMPLE_BOOKING,
    SAMPLE_COUNTDOWN,
    SAMPLE_FORM,
    SAMPLE_NAME,
    SAMPLE_OUTCOME,
    SAMPLE_STATUS,
    SAMPLE_TIME,
    RecordsScreen,
    SaveChooser,
    ask_save_path,
    record_table,
    screen_layout,
    select_row,
    short_time,
    side_by_side,
    side_panel,
)
from .holds_alerts import (
    SUMMARY_LEVELS,
    AlertCentre,
    AlertList,
    DesktopNotifier,
    HoldAlert,
    Notifier,
    alert_times_text,
    summary_words,
)
from .holds_model import ALERT_COLUMN, HoldsModel
from .holds_recording import RecordPanel
from .overdue_report import OverdueReportDialog

TICK_MS = 1_000
RELOAD_MS = 60_000


class ActiveHoldsScreen(RecordsScreen):
    open_decision = Signal(int)
    alerts_changed = Signal(int)  # how many holds are urgent or past the deadline
    changed = Signal()  # something was recorded here (other screens refresh)

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        notify: Notifier | None = None,
    ) -> None:
        super().__init__(session, tasks, "activeHoldsScreen", "Active holds", parent)
        self.loaded_once = False
        # The alert times in force: the installation's settings, read with the holds.
        self.warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS
        self.choose_save_path: SaveChooser = ask_save_path
        self.open_overdue_dialog: Callable[[QDialog], QDialog] = _open_plainly
        self.desktop = DesktopNotifier(self)
        self.alerts = AlertCentre(notify or self.desktop, self)
        self.alerts.raised.connect(self._show_alerts)

        self.model = HoldsModel(lambda: self.zone, self)
        self.model.set_palette(self.palette())

        layout, top = screen_layout(self, "Active holds", "holdsHeading")
        top.addSpacing(16)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("holdsSummary")
        self.summary_label.setAccessibleName("How many people, by time left")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)  # a narrow window wraps it, never clips it
        top.addWidget(self.summary_label, 1)
        self.overdue_button = push_button(
            "Overd&ue report…",
            "holdsOverdueReport",
            "Report of everyone held past the deadline",
            on_click=self.open_overdue_report,
        )
        top.addWidget(self.overdue_button)
        self.refresh_button = push_button(
            "Refresh", "holdsRefresh", "Read the holds again", on_click=self.refresh
        )
        top.addWidget(self.refresh_button)
        layout.addLayout(top)

        self.banner = QFrame()
        self.banner.setObjectName("holdsBanner")
        self.banner.setAccessibleName("Deadline warning")
        self._banner_style("#b00020")
        banner_row = QHBoxLayout(self.banner)
        banner_row.setContentsMargins(12, 8, 12, 8)
        self.banner_label = QLabel()
        self.banner_label.setObjectName("holdsBannerText")
        self.banner_label.setWordWrap(True)
        banner_row.addWidget(self.banner_label, 1)
        self.banner.hide()
        layout.addWidget(self.banner)
        # Holds that ended after their deadline (a fact recorded as it happened): marked.
        self.ended_late_label = QLabel()
        self.ended_late_label.setObjectName("holdsEndedLate")
        self.ended_late_label.setAccessibleName("Holds that ended after their deadline")
        self.ended_late_label.setWordWrap(True)
        self.ended_late_label.setTextFormat(Qt.TextFormat.PlainText)
        self.ended_late_label.setStyleSheet("#holdsEndedLate { color: #b00020; }")
        self.ended_late_label.hide()
        layout.addWidget(self.ended_late_label)
        self.ended_late: list[board.EndedLate] = []

        self.table = record_table("holdsTable", "People held on a detainer, soonest deadline first")
        self.table.setAlternatingRowColors(False)
        self.table.setModel(self.model)
        fit_columns(
            self.table,
            {
                0: SAMPLE_COUNTDOWN,
                2: SAMPLE_NAME,
                3: SAMPLE_BOOKING,
                4: SAMPLE_FORM,
                5: SAMPLE_OUTCOME,
                6: SAMPLE_TIME,
                7: SAMPLE_TIME,
                8: SAMPLE_STATUS,
            },
        )
        self.table.selectionModel().selectionChanged.connect(lambda *_a: self._selection_changed())
        self.table.activated.connect(lambda index: self._open(index.row()))
        splitter = side_by_side(
            "holdsSplitter", self.table, self._build_panel(), (3, 1), [1030, 300]
        )
        layout.addWidget(splitter, 1)

        self.updated_label = QLabel()
        self.updated_label.setObjectName("holdsUpdated")
        self.updated_label.setAccessibleName("When the list was last read")
        self.updated_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.updated_label.setWordWrap(True)
        layout.addWidget(self.updated_label)

        self.ticker = QTimer(self)
        self.ticker.setObjectName("holdsTicker")
        self.ticker.setInterval(TICK_MS)
        self.ticker.timeout.connect(self.tick)
        self.reloader = QTimer(self)
        self.reloader.setObjectName("holdsReloader")
        self.reloader.setInterval(RELOAD_MS)
        self.reloader.timeout.connect(self.refresh)
        self._selection_changed()

    # ------------------------------------------------------------------ panel
    def _build_panel(self) -> QWidget:
        panel, column = side_panel("holdsPanel", 290)

        form = self.record_panel = RecordPanel(
            self.session, self.tasks, self.selected_item, lambda: self.zone
        )
        form.recorded.connect(self._recorded)
        # The form's fields, named on the board too (the tests reach them there).
        self.kind_combo, self.when_edit = form.kind_combo, form.when_edit
        self.when_label, self.reason_edit = form.when_label, form.reason_edit
        self.agency_edit = form.agency_edit
        self.record_button, self.message = form.record_button, form.message
        column.addWidget(form)

        alerts_box = QGroupBox("Alerts")
        alerts_box.setObjectName("holdsAlertsBox")
        alerts_column = QVBoxLayout(alerts_box)
        self.alert_list = AlertList()
        self.alert_list.chosen.connect(self.select)
        alerts_column.addWidget(self.alert_list)
        column.addWidget(alerts_box, 1)
        return panel

    # ---------------------------------------------------------------- loading
    def start(self) -> None:
        """Signed in: read the holds and keep the countdown and the alerts running."""
        if not self.session.may(acc.VIEW_RECORDS):
            return
        if not self.ticker.isActive():
            self.ticker.start()
            self.reloader.start()
        if not self.loaded_once:
            self.refresh()

    def activate(self) -> None:
        self.start()

    def stop_and_clear(self) -> None:
        """Signed out: stop, and forget everything shown (the next user starts afresh)."""
        self.ticker.stop()
        self.reloader.stop()
        self._forget_reads()
        self.loaded_once = False
        self.warnings = alerts.DEFAULT_WARNINGS
        self.model.set_rows([])
        self.alerts.forget()
        self.alert_list.clear()
        self.summary_label.clear()
        self.updated_label.clear()
        self.message.clear_message()
        self.banner.hide()
        self.alerts_changed.emit(0)
        self._selection_changed()

    def refresh(self) -> None:
        if self.loading or not self.session.may(acc.VIEW_RECORDS):
            return
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        started = time.monotonic()

        def loaded(read_board: board.HoldsBoard) -> None:
            self.loaded_once = True
            self.warnings = read_board.warnings
            self._show_ended_late(read_board.ended_late)
            self._fit_alert_column()
            self._show_rows([item.row for item in read_board.items])
            # A long list takes long to read, and every other reader waits meanwhile: read
            # it again less often (never less than once a minute otherwise).
            took_ms = int((time.monotonic() - started) * 1000)
            self.reloader.setInterval(max(RELOAD_MS, 20 * took_ms))
            minutes = self.reloader.interval() / 60_000
            every = "every minute" if minutes <= 1 else f"every {minutes:.0f} minutes"
            self.updated_label.setText(
                f"Read at {short_time(self.session.now(), self.zone)} ({self.zone.key}). "
                f"The countdown runs every second; the list is read again {every}. "
                + alert_times_text(self.warnings)
            )

        def failed(_error: BaseException) -> None:
            self.loading = False

        self._read_in_zone(lambda: board.holds_board(uow(), actor, now), loaded, failed)

    def _show_ended_late(self, ended: list[board.EndedLate]) -> None:
        """The holds that ended after their deadline in the last days: named, with by how
        much (the overdue report lists them all)."""
        self.ended_late = ended
        if not ended:
            self.ended_late_label.clear()
            self.ended_late_label.hide()
            return
        shown = [
            f"{e.row.subject_name} ({e.row.booking_number}): "
            f"{_lower_first(lc.AMENDMENT_WORDS.get(e.kind, e.kind))} "
            f"{short_time(e.ended_at, self.zone)}, {e.words}"
            for e in ended[:3]
        ]
        more = f"; and {len(ended) - 3:,} more" if len(ended) > 3 else ""
        days = board.ENDED_LATE_DAYS
        text = (
            f"Held past the deadline in the last {days} days (recorded as it happened): "
            + "; ".join(shown)
            + more
            + ". See the overdue report."
        )
        self.ended_late_label.setText(text)
        self.ended_late_label.setAccessibleDescription(text)
        self.ended_late_label.show()

    def _fit_alert_column(self) -> None:
        """Wide enough for the alert column's words at the alert times in force (``under
        2 h 30 min`` is longer than ``under 4 h``); never narrowed, whoever made it wider."""
        metrics = self.table.fontMetrics()
        widest = max(
            metrics.horizontalAdvance(alerts.short_level_words(level, self.warnings))
            for level in alerts.LEVELS
        )
        needed = widest + 2 * metrics.averageCharWidth() + 8
        if self.table.columnWidth(ALERT_COLUMN) < needed:
            self.table.setColumnWidth(ALERT_COLUMN, needed)

    def _show_rows(self, rows: list[DecisionSummary]) -> None:
        selected = self._selected_id()
        self.model.set_warnings(self.warnings)
        self.model.set_rows(rows)
        self.alerts.track(rows, self.warnings)
        if selected is not None:
            row = self.model.row_of(selected)
            if row is not None:
                self.table.selectRow(row)
        self.tick()

    def tick(self) -> None:
        """Count down from the session's clock; raise the alerts newly due."""
        if self.session.actor is None:
            return
        now = self.session.now()
        self.model.set_now(now)
        self.alerts.observe(now)
        self._show_summary()

    def _show_summary(self) -> None:
        counts = self.alerts.counts()
        people = self.model.rowCount()
        if not people:
            text = "Nobody is held on a detainer."
        else:
            parts = [
                f"{counts[level]:,} {summary_words(level, self.warnings)}"
                for level in SUMMARY_LEVELS
            ]
            text = f"{people:,} {'person' if people == 1 else 'people'}: " + " · ".join(parts)
        self.summary_label.setText(text)
        self.summary_label.setAccessibleDescription(text)
        self.summary_label.setToolTip(
            alert_times_text(self.warnings) + " An administrator sets the times in Settings."
        )
        expired, urgent = counts[alerts.EXPIRED], counts[alerts.URGENT]
        if expired:
            who = "person is" if expired == 1 else "people are"
            self.banner_label.setText(
                f"{expired:,} {who} held past the deadline: release now, or record what "
                "happened. See the overdue report."
            )
            self._banner_style("#b00020")
            self.banner.show()
        elif urgent:
            who = "hold ends" if urgent == 1 else "holds end"
            second = self.warnings[1]
            within = (
                "the hour" if second == dt.timedelta(hours=1) else alerts.duration_words(second)
            )
            self.banner_label.setText(f"{urgent:,} {who} within {within}.")
            self._banner_style("#9a3c00")
            self.banner.show()
        else:
            self.banner.hide()
        self.alerts_changed.emit(expired + urgent)

    def _banner_style(self, colour: str) -> None:
        self.banner.setStyleSheet(
            f"#holdsBanner {{ background: {colour}; border-radius: 4px; }}"
            "#holdsBanner QLabel { color: white; font-weight: bold; }"
        )

    def _show_alerts(self, fresh: list[HoldAlert]) -> None:
        self.alert_list.add(fresh, self.zone, self.palette())

    def alert_texts(self) -> list[str]:
        return self.alert_list.texts()

    # -------------------------------------------------------------- selection
    def select(self, decision_id: int) -> bool:
        return select_row(self.table, self.model.row_of(decision_id))

    def selected_item(self) -> HoldItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.value_of(rows[0].row()) if rows else None

    def _selected_id(self) -> int | None:
        item = self.selected_item()
        return item.row.decision_id if item else None

    def _selection_changed(self) -> None:
        self.record_panel.show_selected()

    def set_when(self, moment: dt.datetime) -> None:
        self.record_panel.set_when(moment)

    def when(self) -> dt.datetime:
        return self.record_panel.when()

    def _recorded(self, item: HoldItem, result: records.AmendmentResult) -> None:
        """Recorded from the side form."""
        if result.state.closed:
            # They are no longer held on this detainer: off the board at once.
            self._show_rows(
                [row for row in self.model.rows() if row.decision_id != item.row.decision_id]
            )
        self.record_panel.update_buttons()
        self.changed.emit()

    def refresh_soon(self) -> None:
        if self.loading:
            self._forget_reads()  # the read under way may predate the amendment
        self.refresh()

    def _open(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_decision.emit(self.model.row_at(row).decision_id)

    # --------------------------------------------------------- overdue report
    def open_overdue_report(self) -> OverdueReportDialog | None:
        if not self.session.may(acc.VIEW_RECORDS):
            return None
        dialog = OverdueReportDialog(self.session, self.tasks, self.zone, self.window())
        dialog.choose_save_path = self.choose_save_path
        self.open_overdue_dialog(dialog)
        return dialog


def _lower_first(words: str) -> str:
    """``Taken into ICE custody`` -> ``taken into ICE custody`` (in a sentence)."""
    return words[:1].lower() + words[1:]


def _open_plainly(dialog: QDialog) -> QDialog:
    dialog.open()
    return dialog
