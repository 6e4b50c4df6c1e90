"""The installation's settings as form rows, shared by the first-run wizard and
Admin › Settings: the county's and the jail's names (printed on every PDF), the county's
timezone, when hold alerts fire, and (in Settings) when the screen locks by itself.

The rules are the services' (``settings_problems``); this module lays the rows out, reads
them into an ``InstallationSettings`` and shows each problem beside its row.
"""

from __future__ import annotations

import dataclasses
from zoneinfo import available_timezones

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.services.settings import InstallationSettings, settings_problems

from .widgets import Field, MessageLabel, plain_sentence

COUNTY = "county_name"
JAIL = "jail_name"
TIMEZONE = "timezone"
TYPABLE_MINUTES = 999  # the session-lock field takes any number this long, then judges it
TYPABLE_LOCKOUT_MINUTES = 99_999
ALERT_FIRST = "alert_first_minutes"
ALERT_SECOND = "alert_second_minutes"
SESSION_TIMEOUT = "session_timeout_minutes"
LOCKOUT = "lockout_minutes"

MAX_ALERT_HOURS = 48

# The zones of U.S. counties first (a jail is in one of these); every other IANA name follows.
US_ZONES = (
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Puerto_Rico",
    "America/Detroit",
    "America/Indiana/Indianapolis",
    "America/Kentucky/Louisville",
    "America/Boise",
    "America/Adak",
    "Pacific/Guam",
    "Pacific/Pago_Pago",
)
# Names the list leaves out: not a place (``localtime``, ``Factory``) or an alternative
# copy of the database (``posix/``, ``right/``). Typed in, they are still judged by the
# services like any other name.
_HIDDEN_PREFIXES = ("posix/", "right/", "SystemV/")
_HIDDEN_NAMES = frozenset({"localtime", "Factory", "posixrules"})


def listed_zones() -> list[str]:
    others = sorted(
        zone
        for zone in available_timezones()
        if zone not in _HIDDEN_NAMES
        and not zone.startswith(_HIDDEN_PREFIXES)
        and zone not in US_ZONES
    )
    return [*US_ZONES, *others]


def hours_and_minutes(minutes: int) -> str:
    """240 -> "4 hours", 90 -> "1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest or not hours:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts)


class TimezoneCombo(QComboBox):
    """A searchable list of IANA timezone names: type any part ("chicago") to find one.

    The U.S. zones are there at once; the full list (about 600 names) is added when the
    combo is first shown, so building a page that holds one stays cheap.
    """

    def __init__(self, object_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(object_name)
        self.setAccessibleName("County timezone")
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMaxVisibleItems(16)
        self.setMinimumContentsLength(28)
        for zone in US_ZONES:
            self.addItem(zone, zone)
        self._complete = False
        completer = self.completer()
        assert completer is not None  # every editable combo has one
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._complete:
            QTimer.singleShot(0, self.fill)

    def fill(self) -> None:
        """Add every other IANA name (once)."""
        if self._complete:
            return
        self._complete = True
        typed = self.currentText()
        for zone in listed_zones()[len(US_ZONES) :]:
            self.addItem(zone, zone)
        self.setEditText(typed)

    def zone(self) -> str:
        """The chosen IANA name (empty: none chosen)."""
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.findText(text, Qt.MatchFlag.MatchFixedString)  # "america/chicago" too
        return str(self.itemData(index)) if index >= 0 else text

    def set_zone(self, zone: str) -> None:
        index = self.findData(zone)
        if index >= 0:
            self.setCurrentIndex(index)
        else:
            self.setEditText(zone)


class DurationEdit(QWidget):
    """Hours and minutes, e.g. a warning "4 h 0 min" before a hold's deadline."""

    def __init__(self, object_name: str, accessible_name: str) -> None:
        super().__init__()
        self.setObjectName(object_name)
        self.setAccessibleName(accessible_name)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        self.hours = QSpinBox()
        self.hours.setObjectName(f"{object_name}Hours")
        self.hours.setAccessibleName(f"{accessible_name}: hours")
        self.hours.setRange(0, MAX_ALERT_HOURS)
        self.hours.setSuffix(" h")
        self.minutes = QSpinBox()
        self.minutes.setObjectName(f"{object_name}Minutes")
        self.minutes.setAccessibleName(f"{accessible_name}: minutes")
        self.minutes.setRange(0, 59)
        self.minutes.setSingleStep(5)
        self.minutes.setSuffix(" min")
        row.addWidget(self.hours)
        row.addWidget(self.minutes)
        self.after = QLabel("before the deadline")
        self.after.setObjectName(f"{object_name}After")
        row.addWidget(self.after)
        row.addStretch(1)
        self.setFocusProxy(self.hours)

    def total_minutes(self) -> int:
        return self.hours.value() * 60 + self.minutes.value()

    def set_total_minutes(self, minutes: int) -> None:
        hours, rest = divmod(max(minutes, 0), 60)
        self.hours.setValue(min(hours, MAX_ALERT_HOURS))
        self.minutes.setValue(rest)


class Row:
    """A labelled control (not a line edit) with an optional hint and a problem under it."""

    def __init__(self, label: str, control: QWidget, hint: str | None = None) -> None:
        self.control = control
        name = control.objectName()
        self.label = QLabel(label)
        self.label.setObjectName(f"{name}Label")
        self.label.setBuddy(control)
        self.box = QWidget()
        self.box.setObjectName(f"{name}Box")
        column = QVBoxLayout(self.box)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(3)
        column.addWidget(control)
        self.hint: QLabel | None = None
        if hint:
            self.hint = QLabel(hint)
            self.hint.setObjectName(f"{name}Hint")
            self.hint.setWordWrap(True)
            self.hint.setTextFormat(Qt.TextFormat.PlainText)
            self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            control.setAccessibleDescription(hint)
            column.addWidget(self.hint)
        self.error = MessageLabel(f"{name}Error", f"Problem with {label.replace('&', '')[:-1]}")
        column.addWidget(self.error)

    def set_error(self, problem: str | None) -> None:
        if problem:
            self.error.show_error(problem)
            self.control.setAccessibleDescription(problem)
        else:
            self.error.clear_message()
            self.control.setAccessibleDescription(self.hint.text() if self.hint else "")

    def add_to(self, form: QFormLayout) -> None:
        form.addRow(self.label, self.box)


class InstallationFields:
    """The settings' rows in ``form``. ``require_names``: the wizard asks for both names
    (an empty one would print "(not set)" on every PDF); Settings lets them stay empty."""

    def __init__(
        self,
        form: QFormLayout,
        prefix: str,
        *,
        require_names: bool,
        session_lock: bool,
    ) -> None:
        self.require_names = require_names
        self.county = Field(
            "&County:",
            f"{prefix}County",
            hint="As it should appear on every record, e.g. Columbia River County",
            max_length=200,
        )
        self.jail = Field(
            "&Jail:", f"{prefix}Jail", hint="The facility's name, e.g. CRC Jail", max_length=200
        )
        self.timezone = TimezoneCombo(f"{prefix}Timezone")
        timezone_hint = (
            "The county's local time: every time on the screens, the records and the PDFs "
            "is shown in it, times typed without one are read in it, and the policy in force "
            "reads times in it. Type part of a name to find it."
        )
        self.timezone_row = Row("&Timezone:", self.timezone, timezone_hint)
        self.first_alert = DurationEdit(f"{prefix}FirstAlert", "First hold alert")
        self.first_alert_row = Row(
            "&First hold alert:",
            self.first_alert,
            "The holds board warns when a hold's deadline is this close.",
        )
        self.second_alert = DurationEdit(f"{prefix}SecondAlert", "Second hold alert")
        self.second_alert_row = Row(
            "&Second hold alert:", self.second_alert, "A second, more urgent warning."
        )
        self.county.add_to(form)
        self.jail.add_to(form)
        self.timezone_row.add_to(form)
        self.first_alert_row.add_to(form)
        self.second_alert_row.add_to(form)
        self.minutes: QSpinBox | None = None
        self.lockout: QSpinBox | None = None
        self.rows: dict[str, Field | Row] = {
            COUNTY: self.county,
            JAIL: self.jail,
            TIMEZONE: self.timezone_row,
            ALERT_FIRST: self.first_alert_row,
            ALERT_SECOND: self.second_alert_row,
        }
        if session_lock:
            self.minutes = QSpinBox()
            self.minutes.setObjectName("sessionTimeoutMinutes")
            self.minutes.setAccessibleName("Lock the screen after this many idle minutes")
            # Wider than allowed on purpose: held to 1-30, typing 45 kept the 4 and
            # dropped the 5 without a word. Out of range, the row says so as it is typed,
            # and Save refuses it.
            self.minutes.setRange(0, TYPABLE_MINUTES)
            self.minutes.setSuffix(" minutes")
            self.minutes.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            lock_row = Row(
                "&Lock the screen after:",
                self.minutes,
                "When nobody has used the keyboard or mouse for this long. Criminal-justice "
                "information must not be left open on an unattended screen; at most "
                f"{acc.MAX_SESSION_TIMEOUT_MINUTES} minutes.",
            )
            lock_row.add_to(form)
            self.rows[SESSION_TIMEOUT] = lock_row
            self.minutes.valueChanged.connect(lambda _value: self._check_lock_minutes())
            self.lockout = QSpinBox()
            self.lockout.setObjectName("lockoutMinutes")
            self.lockout.setAccessibleName("Keep an account locked for this many minutes")
            # Like the session lock: any number can be typed, then the row judges it.
            self.lockout.setRange(0, TYPABLE_LOCKOUT_MINUTES)
            self.lockout.setSingleStep(5)
            self.lockout.setSuffix(" minutes")
            self.lockout.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
            lockout_row = Row(
                "Loc&kout:",
                self.lockout,
                f"{acc.LOCKOUT_FAILURES} wrong passwords in 15 minutes lock an account this "
                "long (at least 10, CJIS 5.5.3); an administrator can unlock it sooner.",
            )
            lockout_row.add_to(form)
            self.rows[LOCKOUT] = lockout_row
            self.lockout.valueChanged.connect(lambda _value: self._check_lockout_minutes())
        self._base = InstallationSettings()
        self.show_settings(self._base)

    def show_settings(self, settings: InstallationSettings) -> None:
        self._base = settings
        self.county.edit.setText(settings.county_name)
        self.jail.edit.setText(settings.jail_name)
        self.timezone.set_zone(settings.timezone)
        self.first_alert.set_total_minutes(settings.alert_first_minutes)
        self.second_alert.set_total_minutes(settings.alert_second_minutes)
        if self.minutes is not None:
            self.minutes.setValue(settings.session_timeout_minutes)
        if self.lockout is not None:
            self.lockout.setValue(settings.lockout_minutes)

    def settings(self) -> InstallationSettings:
        """What the form holds, as typed (the services trim and judge it)."""
        changes: dict[str, object] = {
            COUNTY: self.county.text(),
            JAIL: self.jail.text(),
            TIMEZONE: self.timezone.zone(),
            ALERT_FIRST: self.first_alert.total_minutes(),
            ALERT_SECOND: self.second_alert.total_minutes(),
        }
        if self.minutes is not None:
            changes[SESSION_TIMEOUT] = self.minutes.value()
        if self.lockout is not None:
            changes[LOCKOUT] = self.lockout.value()
        return dataclasses.replace(self._base, **changes)  # type: ignore[arg-type]

    def _check_lock_minutes(self) -> None:
        assert self.minutes is not None
        problem = acc.session_timeout_problem(self.minutes.value())
        self.rows[SESSION_TIMEOUT].set_error(plain_sentence(problem) if problem else None)

    def _check_lockout_minutes(self) -> None:
        assert self.lockout is not None
        problem = acc.lockout_minutes_problem(self.lockout.value())
        self.rows[LOCKOUT].set_error(plain_sentence(problem) if problem else None)

    def problems(self) -> dict[str, str]:
        return installation_problems(self.settings(), require_names=self.require_names)

    def clear_problems(self) -> None:
        for row in self.rows.values():
            row.set_error(None)

    def show_problems(self, problems: dict[str, str]) -> QWidget | None:
        """Each problem beside its row; returns the first control with one (to focus)."""
        first: QWidget | None = None
        for key, row in self.rows.items():
            problem = problems.get(key)
            row.set_error(problem)
            if problem and first is None:
                first = row.edit if isinstance(row, Field) else row.control
        return first

    def has_key(self, key: str) -> bool:
        return key in self.rows


def installation_problems(settings: InstallationSettings, *, require_names: bool) -> dict[str, str]:
    """The services' verdict in sentences, plus the wizard's: both names are needed."""
    problems = {key: plain_sentence(text) for key, text in settings_problems(settings).items()}
    if require_names:
        if not settings.county_name.strip():
            problems[COUNTY] = "Enter the county's name: it is printed on every record."
        if not settings.jail_name.strip():
            problems[JAIL] = "Enter the jail's name: it is printed on every record."
        if not settings.timezone.strip():
            problems[TIMEZONE] = "Choose the county's timezone."
    return problems
