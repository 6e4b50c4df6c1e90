"""Records › Active holds: everyone held, or to be held, on a detainer, and the time left.

Nobody may be held past ``hold_until``. The countdown is worked out from the session's
clock once a second (tests inject the clock and tick by hand); the list is read again
from the record store every minute, so what another workstation records shows up. When a
deadline comes within the first and within the second alert time (set by an administrator
in Settings; 4 hours and 1 hour unless changed, read with the list), and when it passes, an
alert is raised once: in the list on this screen, on the workspace's tab bar, and as a
desktop notification. Every word about the time left names the alert times in force.

The desktop notification never names anyone: it appears outside the program, also while
the screen is locked, and may be kept in the system's notification history.
"""

from __future__ import annotations

import datetime as dt
import html
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QDateTime, QObject, Qt, QTimer, QTimeZone, Signal
from PySide6.QtGui import QIcon, QPalette, QTextDocument
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyle,
    QSystemTrayIcon,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import alerts, timetext
from detainer_desk.domain import lifecycle as lc
from detainer_desk.services import board, records
from detainer_desk.services.board import HoldItem
from detainer_desk.services.county_clock import county_zone as read_county_zone
from detainer_desk.services.ports import DecisionSummary

from ..changes import DECISION_AMENDED
from ..confirm import ask_to_confirm
from ..fit import fit_columns, fit_to_screen
from ..session import Session
from ..tasks import TaskRunner
from ..widgets import MessageLabel, heading, rich_label
from .common import (
    BACKGROUND,
    DISPLAY,
    FOREGROUND,
    LEVEL,
    SAMPLE_BOOKING,
    SAMPLE_COUNTDOWN,
    SAMPLE_FORM,
    SAMPLE_NAME,
    SAMPLE_OUTCOME,
    SAMPLE_STATUS,
    SAMPLE_TIME,
    TOOLTIP,
    UTC_ZONE,
    AnyIndex,
    SaveChooser,
    ask_save_path,
    full_time,
    in_force,
    level_colours,
    outcome_text,
    record_table,
    short_time,
)
from .rows_model import RowsModel
from .tasks import run_in_background

TICK_MS = 1_000
ALERT_COLUMN = 1
RELOAD_MS = 60_000
ACTION_KINDS = (lc.RELEASE_ELIGIBLE, lc.ICE_CUSTODY, lc.RELEASED, lc.LIFTED)
ACTION_HINTS = {
    lc.RELEASE_ELIGIBLE: "When the person would otherwise be released (bail posted, charges "
    "dropped, sentence served …). This starts the hold clock.",
    lc.ICE_CUSTODY: "When ICE officers took the person into their custody.",
    lc.RELEASED: "When the person left the jail's custody.",
    lc.LIFTED: "ICE lifted or cancelled the detainer. A written reason is required.",
}
# Levels in order of urgency, for the summary line.
SUMMARY_LEVELS = (alerts.EXPIRED, alerts.URGENT, alerts.SOON, alerts.OK, alerts.UNKNOWN)
# The levels that raise an alert, in the order the desktop message counts them.
ALERT_LEVELS = (alerts.SOON, alerts.URGENT, alerts.EXPIRED)
HISTORY_LIMIT = 500
ALERT_LIST_LIMIT = 300
ALERT_LIST_BATCH = 50


# The words below follow the alert times in force (the installation's settings); the alert
# column has few words (the full words are in its tooltip and in the alerts list).
def summary_words(level: str, warnings: alerts.Warnings) -> str:
    """A level in the summary line: ``2 under 8 h · 1 more than 8 h``."""
    if level == alerts.EXPIRED:
        return "past the deadline"
    if level == alerts.OK:
        return f"more than {alerts.short_duration(warnings[0])}"
    return alerts.short_level_words(level, warnings)


def alert_title(level: str, warnings: alerts.Warnings) -> str:
    """What an alert says, in the alerts list and the desktop notification's title."""
    if level == alerts.EXPIRED:
        return "the deadline has passed: release now"
    return alerts.level_words(level, warnings)


def count_words(level: str, warnings: alerts.Warnings) -> str:
    """A level after a count, in the desktop notification: ``2 under 8 hours left``."""
    if level == alerts.EXPIRED:
        return "past the deadline"
    return alerts.level_words(level, warnings)


def alert_times_text(warnings: alerts.Warnings) -> str:
    first, second = (alerts.duration_words(w) for w in warnings)
    return f"Alerts come {first} and {second} before each deadline, and when it passes."


# (title, text, urgent) -> whether a notification was shown.
Notifier = Callable[[str, str, bool], bool]


@dataclass(frozen=True, slots=True)
class HoldAlert:
    decision_id: int
    subject_name: str
    booking_number: str
    level: str
    hold_until: dt.datetime | None
    raised_at: dt.datetime
    warnings: alerts.Warnings  # the alert times in force when it was raised

    @property
    def title(self) -> str:
        return alert_title(self.level, self.warnings)


class DesktopNotifier:
    """A system-tray message where the desktop has a tray; nothing (and False) elsewhere,
    e.g. offscreen or on a desktop without notifications: the in-app alerts remain."""

    def __init__(self, parent: QObject) -> None:
        self._parent = parent
        self._tray: QSystemTrayIcon | None = None

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable() and QSystemTrayIcon.supportsMessages()

    def __call__(self, title: str, text: str, urgent: bool) -> bool:
        if not self.available():
            return False
        if self._tray is None:
            icon = QApplication.windowIcon()
            if icon.isNull():
                style = QApplication.style()
                icon = (
                    style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
                    if style is not None
                    else QIcon()
                )
            self._tray = QSystemTrayIcon(icon, self._parent)
            self._tray.setToolTip("Detainer Desk")
        self._tray.show()
        kind = (
            QSystemTrayIcon.MessageIcon.Critical if urgent else QSystemTrayIcon.MessageIcon.Warning
        )
        self._tray.showMessage(title, text, kind, 15_000)
        return True


class AlertCentre(QObject):
    """Remembers the last alert level of each hold and raises each crossing once.

    Only holds whose clock runs and whose deadline has not yet passed are looked at on
    each tick: a passed deadline stays passed until the list is read again.
    """

    raised = Signal(object)  # list[HoldAlert]

    def __init__(self, notify: Notifier, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.notify = notify
        self._levels: dict[int, str] = {}
        self._deadlines: dict[int, str] = {}
        self._watch: list[DecisionSummary] = []
        self._unknown = 0
        self.history: list[HoldAlert] = []
        self.warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS

    def forget(self) -> None:
        self._levels.clear()
        self._deadlines.clear()
        self._watch = []
        self._unknown = 0
        self.history.clear()
        self.warnings = alerts.DEFAULT_WARNINGS

    def track(self, rows: Sequence[DecisionSummary], warnings: alerts.Warnings) -> None:
        """The holds as just read, with the alert times in force: a new or moved deadline
        is watched afresh. Changed alert times alert on the crossings they make (a hold now
        within a later first alert time alerts; one no longer within it alerts again when
        it comes within it)."""
        self.warnings = warnings
        present = {row.decision_id for row in rows}
        for gone in set(self._deadlines) - present:
            self._deadlines.pop(gone, None)
            self._levels.pop(gone, None)
        self._watch = []
        self._unknown = 0
        for row in rows:
            decision_id = row.decision_id
            if row.hold_until_in_force is None:
                self._unknown += 1
                self._deadlines.pop(decision_id, None)
                self._levels.pop(decision_id, None)
                continue
            if self._deadlines.get(decision_id) != row.hold_until_in_force:
                self._deadlines[decision_id] = row.hold_until_in_force
                self._levels.pop(decision_id, None)
            if self._levels.get(decision_id) != alerts.EXPIRED:
                self._watch.append(row)

    def observe(self, now: dt.datetime) -> list[HoldAlert]:
        fresh = []
        still_running = []
        for row in self._watch:
            item = board.hold_item(row, now, self.warnings)
            previous = self._levels.get(row.decision_id)
            if alerts.newly_reached(previous, item.level):
                fresh.append(
                    HoldAlert(
                        row.decision_id,
                        row.subject_name,
                        row.booking_number,
                        item.level,
                        item.hold_until,
                        now,
                        self.warnings,
                    )
                )
            self._levels[row.decision_id] = item.level
            if item.level != alerts.EXPIRED:
                still_running.append(row)
        self._watch = still_running
        if fresh:
            self.history = (self.history + fresh)[-HISTORY_LIMIT:]
            self.notify(*desktop_message(fresh))
            self.raised.emit(fresh)
        return fresh

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(SUMMARY_LEVELS, 0)
        for level in self._levels.values():
            counts[level] += 1
        counts[alerts.UNKNOWN] += self._unknown
        return counts


def desktop_message(fresh: Sequence[HoldAlert]) -> tuple[str, str, bool]:
    """Counts only: no name or booking number leaves the program."""
    urgent = any(a.level in (alerts.URGENT, alerts.EXPIRED) for a in fresh)
    if len(fresh) == 1:
        title = f"Detainer hold: {fresh[0].title}"
        text = "One person held on a detainer needs attention."
    else:
        title = f"Detainer holds: {len(fresh)} deadlines need attention"
        warnings = fresh[0].warnings  # raised together, at the same alert times
        counts = {level: sum(1 for a in fresh if a.level == level) for level in ALERT_LEVELS}
        text = (
            ", ".join(
                f"{n} {count_words(level, warnings)}" for level, n in counts.items() if n
            ).capitalize()
            + "."
        )
    return title, text + " Open Detainer Desk › Active holds to see who.", urgent


class HoldsModel(RowsModel):
    """The holds as read, with the countdown worked out for the model's ``now`` and the
    alert times in force (only for the rows the view asks about: a long list costs nothing
    per second)."""

    def __init__(self, zone: Callable[[], dt.tzinfo], parent: QObject | None = None) -> None:
        super().__init__(
            [
                ("Time left", lambda i: i.countdown),
                ("Alert", lambda i: i.short_words),
                ("Subject", lambda i: i.row.subject_name),
                ("Booking no.", lambda i: i.row.booking_number),
                ("Form", lambda i: i.row.form),
                ("Outcome", lambda i: outcome_text(i.row)),
                ("Release eligible", lambda i: short_time(i.row.release_eligible_at, zone())),
                ("Hold until", lambda i: short_time(i.hold_until, zone())),
                ("Status", lambda i: i.row.status),
            ],
            lambda r: r.decision_id,
            parent,
        )
        self._now = dt.datetime.now(dt.UTC)
        self._items: dict[int, HoldItem] = {}
        self._palette = QPalette()
        self._warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS

    def set_warnings(self, warnings: alerts.Warnings) -> None:
        """The alert times in force (the next ``set_rows`` or ``set_now`` shows them)."""
        self._warnings = warnings
        self._items.clear()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = palette

    def set_rows(self, rows: Sequence[Any]) -> None:
        self._items.clear()
        super().set_rows(rows)

    def set_now(self, now: dt.datetime) -> None:
        self._now = now
        self._items.clear()
        if self.rowCount():
            last_row, last_column = self.rowCount() - 1, self.columnCount() - 1
            self.dataChanged.emit(self.index(0, 0), self.index(last_row, last_column))

    def value_of(self, row: int) -> HoldItem:
        item = self._items.get(row)
        if item is None:
            item = board.hold_item(self.row_at(row), self._now, self._warnings)
            self._items[row] = item
        return item

    def data(self, index: AnyIndex, role: int = DISPLAY) -> object:
        if role == TOOLTIP and index.isValid() and index.column() == ALERT_COLUMN:
            return self.value_of(index.row()).words
        return super().data(index, role)

    def extra_data(self, item: Any, column: int, role: int) -> object:
        if role == LEVEL:
            return item.level
        if role in (BACKGROUND, FOREGROUND):
            colours = level_colours(item.level, self._palette)
            if colours is None:
                return None
            return colours[0] if role == BACKGROUND else colours[1]
        return None


class ActiveHoldsScreen(QWidget):
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
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.setObjectName("activeHoldsScreen")
        self.setAccessibleName("Active holds")
        self.zone: ZoneInfo = UTC_ZONE
        self.loading = False
        self.loaded_once = False
        self._generation = 0
        # The alert times in force: the installation's settings, read with the holds.
        self.warnings: alerts.Warnings = alerts.DEFAULT_WARNINGS
        self.choose_save_path: SaveChooser = ask_save_path
        self._when_for: int | None = None
        self.open_overdue_dialog: Callable[[QDialog], QDialog] = _open_plainly
        self.desktop = DesktopNotifier(self)
        self.alerts = AlertCentre(notify or self.desktop, self)
        self.alerts.raised.connect(self._show_alerts)

        self.model = HoldsModel(lambda: self.zone, self)
        self.model.set_palette(self.palette())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 12, 14, 10)
        layout.setSpacing(8)
        top = QHBoxLayout()
        top.addWidget(heading("Active holds", "holdsHeading", points=3))
        top.addSpacing(16)
        self.summary_label = QLabel()
        self.summary_label.setObjectName("holdsSummary")
        self.summary_label.setAccessibleName("How many people, by time left")
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)  # a narrow window wraps it, never clips it
        top.addWidget(self.summary_label, 1)
        self.overdue_button = QPushButton("Overd&ue report…")
        self.overdue_button.setObjectName("holdsOverdueReport")
        self.overdue_button.setAccessibleName("Report of everyone held past the deadline")
        self.overdue_button.setAutoDefault(False)
        self.overdue_button.clicked.connect(self.open_overdue_report)
        top.addWidget(self.overdue_button)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setObjectName("holdsRefresh")
        self.refresh_button.setAccessibleName("Read the holds again")
        self.refresh_button.setAutoDefault(False)
        self.refresh_button.clicked.connect(self.refresh)
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

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("holdsSplitter")
        splitter.setChildrenCollapsible(False)
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
        splitter.addWidget(self.table)
        splitter.addWidget(self._build_panel())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([1030, 300])
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
        panel = QWidget()
        panel.setObjectName("holdsPanel")
        panel.setMinimumWidth(290)
        column = QVBoxLayout(panel)
        column.setContentsMargins(8, 0, 0, 0)
        column.setSpacing(10)

        group = QGroupBox("Record what happened")
        group.setObjectName("holdsRecordBox")
        form = QFormLayout(group)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.selected_label = rich_label("holdsSelected", "The selected person")
        form.addRow(self.selected_label)

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("holdsKind")
        self.kind_combo.setAccessibleName("What happened")
        for kind in ACTION_KINDS:
            self.kind_combo.addItem(lc.AMENDMENT_WORDS[kind], kind)
        self.kind_combo.currentIndexChanged.connect(lambda _i: self._kind_changed())
        kind_label = QLabel("&What:")
        kind_label.setBuddy(self.kind_combo)
        form.addRow(kind_label, self.kind_combo)
        self.kind_hint = QLabel()
        self.kind_hint.setObjectName("holdsKindHint")
        self.kind_hint.setWordWrap(True)
        self.kind_hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        form.addRow(self.kind_hint)

        when_row = QHBoxLayout()
        self.when_edit = QDateTimeEdit()
        self.when_edit.setObjectName("holdsWhen")
        self.when_edit.setAccessibleName("When it happened")
        self.when_edit.setDisplayFormat("yyyy-MM-dd HH:mm")
        self.when_edit.setCalendarPopup(True)
        when_row.addWidget(self.when_edit, 1)
        self.now_button = QPushButton("&Now")
        self.now_button.setObjectName("holdsNow")
        self.now_button.setAccessibleName("Set the time to now")
        self.now_button.setAutoDefault(False)
        self.now_button.clicked.connect(self.set_when_to_now)
        when_row.addWidget(self.now_button)
        self.when_label = QLabel("Wh&en:")
        self.when_label.setBuddy(self.when_edit)
        form.addRow(self.when_label, when_row)

        self.reason_edit = QLineEdit()
        self.reason_edit.setObjectName("holdsReason")
        self.reason_edit.setAccessibleName("Reason")
        self.reason_edit.textChanged.connect(lambda _t: self._update_buttons())
        reason_label = QLabel("Rea&son:")
        reason_label.setBuddy(self.reason_edit)
        form.addRow(reason_label, self.reason_edit)
        # Who took the person (5 ILCS 805/25(a)(2)(E) asks), shown for ICE custody only.
        self.agency_edit = QLineEdit()
        self.agency_edit.setObjectName("holdsReceivingAgency")
        self.agency_edit.setAccessibleName("Receiving agency")
        self.agency_edit.setMaxLength(lc.MAX_FACT_TEXT)
        self.agency_edit.setPlaceholderText("optional, e.g. ICE ERO Chicago")
        agency_label = QLabel("Recei&ved by:")
        agency_label.setBuddy(self.agency_edit)
        form.addRow(agency_label, self.agency_edit)
        self._agency_row = (form, agency_label)
        self.record_button = QPushButton("Recor&d")
        self.record_button.setObjectName("holdsRecord")
        self.record_button.setAccessibleName("Record it for the selected person")
        self.record_button.setAutoDefault(False)
        self.record_button.clicked.connect(self.record)
        form.addRow("", self.record_button)
        self.message = MessageLabel("holdsMessage", "Result")
        form.addRow(self.message)
        column.addWidget(group)

        alerts_box = QGroupBox("Alerts")
        alerts_box.setObjectName("holdsAlertsBox")
        alerts_column = QVBoxLayout(alerts_box)
        self.alert_list = QListWidget()
        self.alert_list.setObjectName("holdsAlerts")
        self.alert_list.setAccessibleName("Deadline alerts, newest first")
        self.alert_list.setWordWrap(True)
        self.alert_list.itemActivated.connect(self._alert_activated)
        alerts_column.addWidget(self.alert_list)
        column.addWidget(alerts_box, 1)
        self._kind_changed()
        return panel

    def _kind_changed(self) -> None:
        kind = self.kind_combo.currentData()
        self.kind_hint.setText(ACTION_HINTS[kind])
        required = kind in lc.REASON_REQUIRED
        self.reason_edit.setPlaceholderText("required" if required else "optional")
        form, label = self._agency_row
        form.setRowVisible(label, kind == lc.ICE_CUSTODY)
        self._update_buttons()

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
        self._generation += 1
        self.loading = False
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
        self.loading = True
        self._generation += 1
        generation = self._generation
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        started = time.monotonic()

        def loaded(read: tuple[ZoneInfo, board.HoldsBoard]) -> None:
            if generation != self._generation:
                return
            self.zone, read_board = read
            self.loading = False
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

        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: (read_county_zone(uow()), board.holds_board(uow(), actor, now)),
            loaded,
            on_failed=failed,
        )

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
        if len(fresh) > ALERT_LIST_BATCH:
            more = QListWidgetItem(
                f"{short_time(fresh[0].raised_at, self.zone)}  … and {len(fresh) - ALERT_LIST_BATCH:,}"
                " more deadline alerts at once: see the list of holds."
            )
            self.alert_list.insertItem(0, more)
            fresh = sorted(fresh, key=lambda a: SUMMARY_LEVELS.index(a.level))[:ALERT_LIST_BATCH]
            fresh.reverse()
        for alert in fresh:
            ends = full_time(alert.hold_until, self.zone) if alert.hold_until else ""
            text = (
                f"{short_time(alert.raised_at, self.zone)}  {alert.subject_name} "
                f"({alert.booking_number}): {alert.title}"
                + (f"; hold ends {ends}" if ends and alert.level != alerts.EXPIRED else "")
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, alert.decision_id)
            colours = level_colours(alert.level, self.palette())
            if colours is not None:
                item.setBackground(colours[0])
                item.setForeground(colours[1])
            self.alert_list.insertItem(0, item)
        while self.alert_list.count() > ALERT_LIST_LIMIT:
            self.alert_list.takeItem(self.alert_list.count() - 1)

    def alert_texts(self) -> list[str]:
        return [self.alert_list.item(i).text() for i in range(self.alert_list.count())]

    def _alert_activated(self, item: QListWidgetItem) -> None:
        decision_id = item.data(Qt.ItemDataRole.UserRole)
        row = self.model.row_of(int(decision_id)) if decision_id is not None else None
        if row is not None:
            self.table.selectRow(row)

    # -------------------------------------------------------------- selection
    def select(self, decision_id: int) -> bool:
        row = self.model.row_of(decision_id)
        if row is None:
            return False
        self.table.selectRow(row)
        return True

    def selected_item(self) -> HoldItem | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.value_of(rows[0].row()) if rows else None

    def _selected_id(self) -> int | None:
        item = self.selected_item()
        return item.row.decision_id if item else None

    def _selection_changed(self) -> None:
        item = self.selected_item()
        if item is None:
            self.selected_label.setText("Select a person in the list.")
        else:
            row = item.row
            deadline = (
                f"hold until <b>{html.escape(full_time(item.hold_until, self.zone))}</b>"
                if item.hold_until
                else "no clock yet: record when release eligibility became known"
            )
            self.selected_label.setText(
                f"<b>{html.escape(row.subject_name)}</b> · booking "
                f"{html.escape(row.booking_number)}<br>{deadline}"
            )
            if row.decision_id != self._when_for:
                # Another person: start from now. The same person again (the list was
                # read again meanwhile) keeps the time being typed.
                self._when_for = row.decision_id
                self.set_when_to_now()
        self._update_buttons()

    def set_when_to_now(self) -> None:
        self.set_when(self.session.now())

    def set_when(self, moment: dt.datetime) -> None:
        """Whole minutes: the field shows no seconds, so it holds none (no hidden seconds
        inside a deadline)."""
        seconds = int(moment.timestamp()) // 60 * 60
        self.when_edit.setTimeZone(QTimeZone(self.zone.key.encode()))
        self.when_edit.setDateTime(
            QDateTime.fromSecsSinceEpoch(seconds, QTimeZone(self.zone.key.encode()))
        )
        self.when_label.setText(f"Wh&en ({self.zone.key}):")

    def when(self) -> dt.datetime:
        seconds = self.when_edit.dateTime().toSecsSinceEpoch() // 60 * 60
        return dt.datetime.fromtimestamp(seconds, dt.UTC).astimezone(self.zone)

    def _update_buttons(self) -> None:
        allowed = self.session.may(acc.AMEND_DECISION)
        chosen = self.selected_item() is not None
        kind = self.kind_combo.currentData()
        reason_ok = kind not in lc.REASON_REQUIRED or bool(self.reason_edit.text().strip())
        for widget in (
            self.kind_combo,
            self.when_edit,
            self.now_button,
            self.reason_edit,
            self.agency_edit,
        ):
            widget.setEnabled(allowed and chosen)
        self.record_button.setEnabled(allowed and chosen and reason_ok)
        if not allowed:
            self.record_button.setToolTip("Needs the supervisor role")
        elif not reason_ok:
            self.record_button.setToolTip("Write the reason first")
        else:
            self.record_button.setToolTip("")

    # ---------------------------------------------------------------- acting
    def record(self) -> QMessageBox | None:
        """Ask once, showing what will be written; then record it."""
        item = self.selected_item()
        if item is None or not self.session.may(acc.AMEND_DECISION):
            return None
        kind = self.kind_combo.currentData()
        when, reason = self.when(), self.reason_edit.text()
        if kind in lc.REASON_REQUIRED and not reason.strip():
            return None
        row = item.row
        actor = self.session.require_actor()
        written = [
            ("Amendment", lc.AMENDMENT_WORDS[kind]),
            ("When it happened", full_time(when, self.zone)),
        ]
        if reason.strip():
            written.append(("Reason", reason.strip()))
        agency = self.agency_edit.text().strip() if kind == lc.ICE_CUSTODY else ""
        if agency:
            written.append(("Received by", agency))
        written.append(("Signed", f"{actor.user}, {full_time(self.session.now(), self.zone)}"))
        closing = (
            f" {row.subject_name} then leaves the holds board: the detainer no longer keeps "
            "them in the jail."
            if kind in lc.CLOSING_KINDS
            else ""
        )
        late = (
            lc.held_past(in_force(row), row.tentative_outcome, item.hold_until, when)
            if kind in lc.CLOSING_KINDS
            else None
        )
        if late is not None:
            # The truth is recorded, and marked: say so before it is written.
            closing += (
                f" It is after the deadline ({full_time(item.hold_until, self.zone)}): it is "
                f"recorded as it happened and marked held past its deadline by "
                f"{timetext.span_words(late)}."
            )
        return ask_to_confirm(
            self,
            object_name="amendmentConfirmation",
            title="Record this on the decision?",
            question=(
                f"Record for {row.subject_name} (booking {row.booking_number}, decision "
                f"{row.decision_id}): {lc.AMENDMENT_WORDS[kind].lower()}?"
            ),
            written=written,
            note="The amendment is added to the record for good and cannot be changed or "
            "removed later." + closing,
            act="Record",
            on_confirmed=lambda: self._amend(item, kind, when, reason, agency),
        )

    def _amend(
        self, item: HoldItem, kind: str, when: dt.datetime, reason: str, agency: str = ""
    ) -> None:
        """Write the amendment in the background; the board (and every other screen)
        reads its list again when the write is announced."""
        self.message.clear_message()
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        decision_id = item.row.decision_id
        details = {lc.RECEIVING_AGENCY: agency} if agency else None
        self.record_button.setEnabled(False)  # once: the write is under way

        def write() -> records.AmendmentResult:
            return records.amend_decision(
                uow(), decision_id, kind, actor, now,
                effective_at=when, reason=reason, details=details,
            )  # fmt: skip

        run_in_background(
            self.tasks,
            self,
            self.message,
            write,
            lambda result: self._amended(item, kind, result),
            on_failed=lambda _error: self._update_buttons(),
            changes=DECISION_AMENDED,
        )

    def _amended(self, item: HoldItem, kind: str, result: records.AmendmentResult) -> None:
        note = f"Recorded for {item.row.subject_name}: {lc.AMENDMENT_WORDS[kind].lower()}."
        if kind == lc.RELEASE_ELIGIBLE and result.hold_until is not None:
            note += f" Hold until {full_time(result.hold_until, self.zone)}."
            if result.window_closed:
                note += " That time has already passed: release now."
        if result.past_deadline is not None and result.state.past_deadline_words():
            words = result.state.past_deadline_words() or ""
            self.message.show_error(
                f"{note} It happened after the deadline: {words}. It is recorded as it "
                "happened, and marked in the record and on its audit PDF."
            )
        else:
            self.message.show_note(note)
        self.reason_edit.clear()
        self.agency_edit.clear()
        if result.state.closed:
            # They are no longer held on this detainer: off the board at once.
            self._show_rows(
                [row for row in self.model.rows() if row.decision_id != item.row.decision_id]
            )
        self._update_buttons()
        self.changed.emit()

    def refresh_soon(self) -> None:
        if self.loading:
            self._generation += 1  # the read under way may predate the amendment
            self.loading = False
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


class OverdueReportDialog(QDialog):
    """Everyone still held past ``hold_until``. It should always say: nobody."""

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        zone: ZoneInfo,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.zone = zone
        self.items: list[HoldItem] | None = None
        self.ended_late: list[board.EndedLate] = []
        self.generated_at: dt.datetime | None = None
        self.choose_save_path: SaveChooser = ask_save_path
        self.saved_path: str | None = None
        self.setObjectName("overdueReportDialog")
        self.setWindowTitle("Held past the deadline")
        self.setAccessibleName("Report of everyone held past the deadline")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 860, 560)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 12)
        self.view = QTextBrowser()
        self.view.setObjectName("overdueView")
        self.view.setAccessibleName("The overdue report")
        self.view.setHtml("<p>Reading the holds…</p>")
        layout.addWidget(self.view, 1)
        self.message = MessageLabel("overdueMessage", "Result")
        layout.addWidget(self.message)
        buttons = QDialogButtonBox()
        buttons.setObjectName("overdueButtons")
        may_print = session.may(acc.PRINT_RECORDS)
        self.print_button = QPushButton("&Print…")
        self.print_button.setObjectName("overduePrint")
        self.print_button.setAccessibleName("Print the report")
        self.save_button = QPushButton("&Save as PDF…")
        self.save_button.setObjectName("overdueSave")
        self.save_button.setAccessibleName("Save the report as a PDF")
        for button in (self.print_button, self.save_button):
            button.setAutoDefault(False)
            button.setEnabled(False)
            buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self._may_print = may_print
        self.print_button.clicked.connect(self.print_report)
        self.save_button.clicked.connect(self.save_pdf)
        close = buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.setObjectName("overdueClose")
        close.setAccessibleName("Close")
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.load()

    def load(self) -> None:
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        self.generated_at = now

        def loaded(found: tuple[list[HoldItem], list[board.EndedLate]]) -> None:
            self.items, self.ended_late = found
            self.view.setHtml(self.report_html())
            for button in (self.print_button, self.save_button):
                button.setEnabled(self._may_print)
                if not self._may_print:
                    button.setToolTip("Needs a role that may print records")

        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: (
                board.overdue_holds(uow(), actor, now),
                board.ended_late(uow(), actor, now),
            ),
            loaded,
        )

    def report_html(self) -> str:
        items = self.items or []
        zone = self.zone
        when = full_time(self.generated_at, zone)
        actor = self.session.actor
        by = actor.user if actor else ""
        head = (
            "<h2>Held past the deadline</h2>"
            f"<p>Everyone still held on a detainer after their <i>hold until</i> time, as of "
            f"{html.escape(when)}; made by {html.escape(by)}. Times in {html.escape(zone.key)}. "
            "This list should always be empty.</p>"
        )
        late = self._ended_late_html()
        if not items:
            return head + "<p><b>Nobody is held past the deadline.</b></p>" + late
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(i.row.subject_name)}</td>"
            f"<td>{html.escape(i.row.booking_number)}</td>"
            f"<td>{html.escape(i.row.form)}</td>"
            f"<td>{html.escape(short_time(i.row.release_eligible_at, zone))}</td>"
            f"<td>{html.escape(short_time(i.hold_until, zone))}</td>"
            f"<td><b>{html.escape(i.countdown.removeprefix('overdue by '))}</b></td>"
            f"<td>{html.escape(i.row.status or '')}</td>"
            "</tr>"
            for i in items
        )
        header = "".join(
            f"<th align='left'>{h}</th>"
            for h in (
                "Subject",
                "Booking no.",
                "Form",
                "Release eligible",
                "Hold until",
                "Overdue",
                "Status",
            )
        )
        return (
            head + f"<p><b>{len(items):,} {'person is' if len(items) == 1 else 'people are'} held "
            "past the deadline. Release them now or record what happened.</b></p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{header}</tr>{rows}</table>" + late
        )

    def _ended_late_html(self) -> str:
        """The holds that ended after their deadline in the last days: the fact that ended
        each was recorded as it happened, and is marked with by how much."""
        days = board.ENDED_LATE_DAYS
        if not self.ended_late:
            return f"<p>No hold ended after its deadline in the last {days} days.</p>"
        zone = self.zone
        rows = "".join(
            "<tr>"
            f"<td>{html.escape(e.row.subject_name)}</td>"
            f"<td>{html.escape(e.row.booking_number)}</td>"
            f"<td>{html.escape(short_time(e.hold_until, zone))}</td>"
            f"<td>{html.escape(lc.AMENDMENT_WORDS.get(e.kind, e.kind))}</td>"
            f"<td>{html.escape(short_time(e.ended_at, zone))}</td>"
            f"<td><b>{html.escape(e.words)}</b></td>"
            "</tr>"
            for e in self.ended_late
        )
        header = "".join(
            f"<th align='left'>{h}</th>"
            for h in ("Subject", "Booking no.", "Hold until", "Ended by", "At", "Late")
        )
        return (
            f"<h3>Held past the deadline in the last {days} days</h3>"
            f"<p>{len(self.ended_late):,} hold{'s' if len(self.ended_late) != 1 else ''} "
            "ended after the deadline: the fact that ended each was recorded as it happened.</p>"
            "<table border='1' cellspacing='0' cellpadding='4' width='100%'>"
            f"<tr>{header}</tr>{rows}</table>"
        )

    def _document(self) -> QTextDocument:
        document = QTextDocument(self)
        document.setHtml(self.report_html())
        return document

    def _record_print(self, then: Callable[[], None]) -> None:
        """The printed or saved report names people: audited (and refused without the
        right) in the background; ``then()`` prints it once that is written."""
        uow, actor, now = self.session.backend.uow, self.session.require_actor(), self.session.now()
        run_in_background(
            self.tasks,
            self,
            self.message,
            lambda: board.overdue_report(uow(), actor, now),
            lambda _audited: then(),
        )

    def save_pdf(self) -> None:
        stamp = timetext.file_stamp(self.generated_at or self.session.now(), self.zone)
        path = self.choose_save_path(self, "Save the overdue report", f"overdue-holds-{stamp}.pdf")
        if not path:
            return
        if not path.lower().endswith(".pdf"):
            path += ".pdf"

        def save() -> None:
            printer = QPrinter(QPrinter.PrinterMode.HighResolution)
            printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
            printer.setOutputFileName(path)
            self._document().print_(printer)
            self.saved_path = path
            self.message.show_note(f"Saved the report to {path}.")

        self._record_print(save)

    def print_report(self) -> QPrintDialog | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setObjectName("overduePrintDialog")

        def printed() -> None:
            self._document().print_(printer)
            self.message.show_note("Sent the report to the printer.")

        dialog.accepted.connect(lambda: self._record_print(printed))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.show()
        return dialog
