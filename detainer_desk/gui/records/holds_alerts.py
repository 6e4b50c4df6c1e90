"""The holds board's deadline alerts: the words for each alert level, the watch that raises
each crossing once (``AlertCentre``), the desktop notification and the board's list of
alerts (``AlertList``).

When a deadline comes within the first and within the second alert time (set by an
administrator in Settings; 4 hours and 1 hour unless changed), and when it passes, an alert
is raised once. Every word about the time left names the alert times in force.

The desktop notification never names anyone: it appears outside the program, also while
the screen is locked, and may be kept in the system's notification history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QSystemTrayIcon,
    QWidget,
)

from detainer_desk.domain import alerts
from detainer_desk.services import board
from detainer_desk.services.ports import DecisionSummary

from .common import full_time, level_colours, short_time

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


class AlertList(QListWidget):
    """The alerts raised on this screen, newest first (a burst of more than a batch is
    summed up in a line); activating one selects its hold."""

    chosen = Signal(int)  # the decision whose alert was activated

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("holdsAlerts")
        self.setAccessibleName("Deadline alerts, newest first")
        self.setWordWrap(True)
        self.itemActivated.connect(self._activated)

    def add(self, fresh: list[HoldAlert], zone: dt.tzinfo, palette: QPalette) -> None:
        if len(fresh) > ALERT_LIST_BATCH:
            more = QListWidgetItem(
                f"{short_time(fresh[0].raised_at, zone)}  … and {len(fresh) - ALERT_LIST_BATCH:,}"
                " more deadline alerts at once: see the list of holds."
            )
            self.insertItem(0, more)
            fresh = sorted(fresh, key=lambda a: SUMMARY_LEVELS.index(a.level))[:ALERT_LIST_BATCH]
            fresh.reverse()
        for alert in fresh:
            ends = full_time(alert.hold_until, zone) if alert.hold_until else ""
            text = (
                f"{short_time(alert.raised_at, zone)}  {alert.subject_name} "
                f"({alert.booking_number}): {alert.title}"
                + (f"; hold ends {ends}" if ends and alert.level != alerts.EXPIRED else "")
            )
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, alert.decision_id)
            colours = level_colours(alert.level, palette)
            if colours is not None:
                item.setBackground(colours[0])
                item.setForeground(colours[1])
            self.insertItem(0, item)
        while self.count() > ALERT_LIST_LIMIT:
            self.takeItem(self.count() - 1)

    def texts(self) -> list[str]:
        return [self.item(i).text() for i in range(self.count())]

    def _activated(self, item: QListWidgetItem) -> None:
        decision_id = item.data(Qt.ItemDataRole.UserRole)
        if decision_id is not None:
            self.chosen.emit(int(decision_id))
