"""The Policy menu and its screen: the policy in force, in plain English and as written; the
history of the versions activated (who, when, why); activating another one; and a
what-if that re-checks the requests of a period under a proposed policy.

Reading the policy in force is open to everyone signed in: it is the county's public rule.
The version history needs the permission to view it; activating and the what-if are for
administrators. The menu only offers what the roles allow; the services check again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Generator, Sequence
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from detainer_desk.domain import accounts as acc
from detainer_desk.domain import timetext
from detainer_desk.domain.clock import start_of_day
from detainer_desk.domain.describe import describe_policy
from detainer_desk.domain.outcomes import Outcome
from detainer_desk.domain.policy_zone import ZoneRewrite
from detainer_desk.domain.vocabulary import OUTCOME_CELL_WORDS
from detainer_desk.services import records
from detainer_desk.services.access import RecordError
from detainer_desk.services.county_clock import UNSET, CountyZone, read_county_zone
from detainer_desk.services.documents import report_context
from detainer_desk.services.listings import WhatIfListing, record_what_if_copy, what_if_csv
from detainer_desk.services.policies import (
    Change,
    WhatIfResult,
    load_policy,
    policy_history,
    preset_catalog,
    what_if,
)
from detainer_desk.services.ports import Actor, PolicyActivation, UnitOfWork

from .changes import Change as Changed
from .changes import Kinds
from .errors import show_bug
from .fit import fit_columns, fit_to_screen, size_to_current_page
from .listing_actions import CSV, ListingActions, ListingTask
from .policy_choice import (
    FileChooser,
    PolicyChooser,
    ask_policy_file,
    caution_frame,
    monospace,
    policy_text_view,
)
from .records.common import date_edit, python_date, qt_date
from .session import Session, SessionState
from .tasks import TaskHandle, TaskRunner, run_in_background
from .widgets import (
    Field,
    MessageLabel,
    buddy_label,
    close_buttons,
    compact_rows,
    form_layout,
    heading,
    paragraph,
    plain_sentence,
    push_button,
)

IN_FORCE, HISTORY, ACTIVATE, WHAT_IF = range(4)
HISTORY_COLUMNS = ("Activated", "By", "Workstation", "Policy", "Version", "Reason")
CHANGE_COLUMNS = (
    "Decision",
    "Person",
    "Booking no.",
    "Received",
    "Recorded",
    "Proposed",
    "Recorded hold until",
    "Proposed hold until",
)
DialogOpener = Callable[[QDialog], QDialog]
# (parent, question) -> True to go on. Tests answer without a dialog.
Confirm = Callable[[QWidget, str], bool]


def ask_to_confirm(parent: QWidget, text: str) -> bool:
    """The question, with Activate and Cancel (Cancel the default)."""
    box = QMessageBox(parent)
    box.setObjectName("policyZoneConfirmation")
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Activate in the county's timezone?")
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.setText(text)
    go = box.addButton("Activate", QMessageBox.ButtonRole.AcceptRole)
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.exec()
    return box.clickedButton() is go


def roles_needed(permission: str) -> str:
    roles = [role for role in acc.ROLES if permission in acc.PERMISSIONS[role]]
    return f"Needs the {' or '.join(roles)} role"


def when_text(moment: dt.datetime | str | None, zone: dt.tzinfo) -> str:
    if isinstance(moment, str):
        moment = dt.datetime.fromisoformat(moment)
    return timetext.short_time(moment, zone)


def hold_until_text(outcome: str, hold_until: str | None, zone: dt.tzinfo) -> str:
    if hold_until is None and outcome == Outcome.HOLD:
        return "when release time is known"  # the hold clock starts at release eligibility
    return when_text(hold_until, zone)


def outcome_text(outcome: str) -> str:
    return OUTCOME_CELL_WORDS.get(outcome, outcome.replace("_", " ").capitalize())


def activation_text(activation: PolicyActivation, zone: dt.tzinfo) -> str:
    stamp = activation.stamp
    policy = activation.policy
    text = (
        f"In force since {when_text(stamp.recorded_at, zone)}, activated by "
        f"{stamp.recorded_by} at {stamp.workstation}."
    )
    if activation.reason:
        text += f" Reason: {activation.reason}"
    text += f"\nVersion {policy.id} · from {policy.source_name} · SHA-256 {policy.sha256}"
    return text


def _table(object_name: str, accessible_name: str, columns: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setObjectName(object_name)
    table.setAccessibleName(accessible_name)
    table.setHorizontalHeaderLabels(list(columns))
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().hide()
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    compact_rows(table)
    fit_columns(table, {})  # every heading whole before the rows come
    return table


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setToolTip(text)
    return item


def _date_edit(object_name: str, accessible_name: str, day: dt.date) -> QDateEdit:
    edit = date_edit(object_name, accessible_name, qt_date(day))
    edit.setProperty("placeholderDay", edit.date())  # the default before the county's is read
    return edit


def _day(edit: QDateEdit) -> dt.date:
    return python_date(edit.date())


class PolicyDialog(QDialog):
    """Four tabs: In force, History, Activate (administrators), What if (administrators)."""

    policy_changed = Signal()  # another policy was activated

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        parent: QWidget | None = None,
        *,
        choose_file: FileChooser = ask_policy_file,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.tasks = tasks
        self.choose_file = choose_file
        # Asked before the policy in force changes timezone (tests answer it themselves).
        self.confirm_zone_change: Confirm = ask_to_confirm
        self.setObjectName("policyDialog")
        self.setWindowTitle("Policy")
        self.setAccessibleName("Policy")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        fit_to_screen(self, 1040, 680)
        # The county's zone, the policy in force and its history are read in the background
        # (``refresh``); until then, no zone is set and nothing can be activated.
        self.county = CountyZone("UTC", UNSET)
        self.zone: dt.tzinfo = self.county.zone
        self.loading = False
        self.loaded = False
        self.acting = False  # an activation is being written
        self._generation = 0
        self.catalog = preset_catalog()  # read once for both choosers
        self.task: TaskHandle | None = None
        self.comparison: WhatIfResult | None = None
        self._compared_period = (dt.date.today(), dt.date.today())  # set by each comparison

        column = QVBoxLayout(self)
        column.setContentsMargins(14, 12, 14, 12)
        self.tabs = QTabWidget()
        self.tabs.setObjectName("policyTabs")
        self.tabs.setAccessibleName("Policy")
        self.tabs.addTab(self._in_force_tab(), "In &force")
        self.tabs.addTab(self._history_tab(), "&History")
        self.tabs.addTab(self._activate_tab(), "&Activate")
        self.tabs.addTab(self._what_if_tab(), "&What if")
        size_to_current_page(self.tabs)  # the dialog fits a small screen on any tab
        administrator = session.may(acc.MANAGE_POLICIES)
        self.tabs.setTabVisible(ACTIVATE, administrator)
        self.tabs.setTabVisible(WHAT_IF, administrator)
        column.addWidget(self.tabs, 1)
        column.addWidget(close_buttons(self, "policyDialogButtons", "policyDialogClose"))
        tasks.changes.when({Changed.POLICY, Changed.SETTINGS}, self._policy_changed_here)
        self.refresh()

    def show_tab(self, tab: int) -> None:
        if self.tabs.isTabVisible(tab):
            self.tabs.setCurrentIndex(tab)

    # ----------------------------------------------------------------- in force
    def _in_force_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("policyInForceTab")
        box = QVBoxLayout(page)
        box.setSpacing(8)
        self.in_force_heading = heading("", "policyInForceName", 3)
        box.addWidget(self.in_force_heading)
        self.in_force_details = paragraph(
            "", "policyInForceDetails", "When and why it was activated"
        )
        box.addWidget(self.in_force_details)
        self.in_force_caution_box, self.in_force_caution = caution_frame("policyInForceCaution")
        box.addWidget(self.in_force_caution_box)
        zone_row = QHBoxLayout()
        self.in_force_zone = MessageLabel("policyInForceZone", "The policy's timezone")
        zone_row.addWidget(self.in_force_zone, 1)
        self.reactivate_button = push_button(
            "Activate it in the county's timezone…", "policyReactivateInZone",
            "Activate the policy in the county's timezone", on_click=self.reactivate_in_county_zone,
        )  # fmt: skip
        self.reactivate_button.hide()
        zone_row.addWidget(self.reactivate_button, 0, Qt.AlignmentFlag.AlignTop)
        box.addLayout(zone_row)
        self.in_force_views = QTabWidget()
        self.in_force_views.setObjectName("policyInForceViews")
        self.in_force_views.setAccessibleName("The policy in force")
        self.in_force_english = policy_text_view("policyInForceEnglish", "In plain English")
        self.in_force_text = policy_text_view("policyInForceText", "The policy file as written")
        monospace(self.in_force_text)
        self.in_force_views.addTab(self.in_force_english, "In plain &English")
        self.in_force_views.addTab(self.in_force_text, "As &written")
        box.addWidget(self.in_force_views, 1)
        return page

    def _show_in_force(self, activation: PolicyActivation | None) -> None:
        if activation is None:
            self.in_force_heading.setText("No policy is active")
            self.in_force_details.setText(
                "Requests cannot be checked or recorded until an administrator activates the "
                "county's policy (Policy › Activate a policy)."
            )
            self.in_force_caution_box.hide()
            self.in_force_views.hide()
            return
        policy = load_policy(activation.policy)
        self.in_force_heading.setText(policy.name)
        self.in_force_details.setText(activation_text(activation, self.zone))
        self._show_zone_of(policy.timezone)
        self.in_force_views.show()
        self.in_force_caution_box.setVisible(bool(policy.caution))
        self.in_force_caution.setText("⚠ " + " ".join((policy.caution or "").split()))
        self.in_force_english.setPlainText(describe_policy(policy))
        self.in_force_text.setPlainText(policy.text)
        self.in_force_heading.setAccessibleName(policy.name)
        self.in_force_details.setAccessibleDescription(self.in_force_details.text())

    def _show_zone_of(self, written: str) -> None:
        """The policy in force must read times in the county's timezone. One of another
        zone (an installation upgraded with it in force) is named, with the way out."""
        self.in_force_zone.clear_message()
        self.reactivate_button.hide()
        county = self.county.name
        if written == county or not self.county.is_set:
            self.in_force_zone.show_note(f"Times are read in the county's timezone, {county}.")
            return
        self.in_force_zone.show_error(
            f"This policy reads times in {written}, but the county's timezone is {county}. "
            "Requests cannot be recorded under it until it is activated again in the "
            "county's timezone (the same text, but for its timezone line)."
        )
        self.reactivate_button.setVisible(self.session.may(acc.MANAGE_POLICIES))

    def reactivate_in_county_zone(self) -> None:
        """The policy in force, activated again in the county's timezone (after saying so):
        what would change is read, then written, in the background."""
        if self.acting:
            return
        uow, zone = self.session.backend.uow, self.county.name
        self._set_acting(True)
        run_in_background(
            self.tasks, self, self.in_force_zone,
            lambda: records.zone_rewrite_of_active(uow(), zone), self._ask_to_reactivate,
            on_failed=lambda _error: self._set_acting(False),
        )  # fmt: skip

    def _ask_to_reactivate(self, change: tuple[str, ZoneRewrite] | None) -> None:
        self._set_acting(False)
        if change is None:
            self.refresh()
            return
        session = self.session
        zone = self.county.name
        name, rewrite = change
        if not self.confirm_zone_change(
            self,
            f"Activate “{name}” again in the county's timezone, {zone}?\n\n"
            f"One line of its text changes: line {rewrite.line_number}, "
            f"{rewrite.old_line.strip()} → {rewrite.new_line.strip()}. Decisions already "
            "recorded keep the text they were made under. The activation is recorded with "
            "your name.",
        ):
            return
        uow, actor, now = session.backend.uow, session.require_actor(), session.now()
        reason = f"The county's timezone is {zone}: the same policy, in that timezone"

        def reactivated(_result: object) -> None:
            self._set_acting(False)
            self.refresh()
            self.policy_changed.emit()

        self._set_acting(True)
        run_in_background(
            self.tasks, self, self.in_force_zone,
            lambda: records.reactivate_in_zone(uow(), actor, zone, now, reason), reactivated,
            on_failed=lambda _error: self._set_acting(False), changes={Changed.POLICY},
        )  # fmt: skip

    # ------------------------------------------------------------------ history
    def _history_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("policyHistoryTab")
        box = QVBoxLayout(page)
        box.setSpacing(8)
        self.history_note = paragraph("", "policyHistoryNote", "About the history")
        box.addWidget(self.history_note)
        self.history_message = MessageLabel("policyHistoryMessage", "Problem with the history")
        box.addWidget(self.history_message)
        self.history_table = _table("policyHistoryTable", "Policy versions", HISTORY_COLUMNS)
        box.addWidget(self.history_table, 2)
        self.history_english = policy_text_view(
            "policyHistoryEnglish", "The selected version in plain English"
        )
        box.addWidget(self.history_english, 3)
        self.history: list[PolicyActivation] = []
        self.history_table.itemSelectionChanged.connect(self._history_selected)
        return page

    def _show_history(self, history: list[PolicyActivation] | RecordError | None) -> None:
        self.history_message.clear_message()
        allowed = history is not None
        self.history_table.setVisible(allowed)
        self.history_english.setVisible(allowed)
        if not allowed:
            self.history_note.setText(
                f"{roles_needed(acc.VIEW_POLICIES)} to see the versions activated before. "
                "Every activation is also in Admin › Audit trail (action “policy.activate”), "
                "with who, when, from which workstation and why."
            )
            return
        self.history_note.setText(
            "Every policy version activated in this database, newest first. Each decision "
            "keeps the exact version it was made under. Select a version to read it."
        )
        if isinstance(history, RecordError):
            self.history_message.show_error(plain_sentence(str(history)))
            history = []
        self.history = history or []
        table = self.history_table
        table.setRowCount(len(self.history))
        for row, activation in enumerate(self.history):
            stamp = activation.stamp
            name = activation.policy.name + (" (in force)" if row == 0 else "")
            cells = (
                when_text(stamp.recorded_at, self.zone),
                stamp.recorded_by,
                stamp.workstation,
                name,
                str(activation.policy.id),
                activation.reason or "",
            )
            for column, text in enumerate(cells):
                table.setItem(row, column, _cell(text))
        table.resizeColumnsToContents()
        if self.history:
            table.selectRow(0)
        else:
            self.history_english.setPlainText("No policy has been activated yet.")

    def _history_selected(self) -> None:
        rows = self.history_table.selectionModel().selectedRows()
        if not rows:
            return
        activation = self.history[rows[0].row()]
        policy = load_policy(activation.policy)
        self.history_english.setPlainText(describe_policy(policy))

    # ----------------------------------------------------------------- activate
    def _activate_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("policyActivateTab")
        box = QVBoxLayout(page)
        box.setSpacing(8)
        box.addWidget(
            paragraph(
                "From the moment a policy is activated, every request checked or recorded on "
                "any workstation is decided under it. Decisions already recorded keep the "
                "policy they were made under. Run a what-if first to see what would change.",
                "policyActivateIntro",
                "About activating",
            )
        )
        self.activate_chooser = PolicyChooser(
            "activatePolicy", choose_file=self.choose_file, catalog=self.catalog
        )
        # Not set yet (a store set up by commands, no policy either): the policy's own.
        self.activate_chooser.set_county_zone(self.county.name if self.county.is_set else None)
        box.addWidget(self.activate_chooser, 1)
        form = form_layout()
        self.reason = Field(
            "&Reason:",
            "activateReason",
            hint="Kept with the activation, e.g. “Approved by county counsel, memo of 2026-03-02”",
            max_length=500,
        )
        self.reason.add_to(form)
        self.reason.edit.returnPressed.connect(self.activate)
        box.addLayout(form)
        self.activate_message = MessageLabel("activateMessage", "Activation")
        box.addWidget(self.activate_message)
        row = QHBoxLayout()
        row.addStretch(1)
        self.activate_button = push_button(
            "A&ctivate this policy",
            "activateButton",
            "Activate this policy",
            on_click=self.activate,
        )
        row.addWidget(self.activate_button)
        box.addLayout(row)
        self.activate_chooser.changed.connect(self.activate_message.clear_message)
        return page

    def activate(self) -> bool:
        """Activate the chosen policy with the reason given, in the background; True when
        the activation was started (the message says how it ended)."""
        if self.acting or not self.loaded:
            return False
        self.activate_message.clear_message()
        self.reason.set_error(None)
        chosen = self.activate_chooser.chosen()
        problem = self.activate_chooser.problem()
        reason = self.reason.text().strip()
        if chosen is None or problem is not None:
            self.activate_message.show_error(problem or "Choose a policy.")
            return False
        if not reason:
            self.reason.set_error("Say why this policy is activated: the reason is kept with it.")
            self.reason.edit.setFocus(Qt.FocusReason.OtherFocusReason)
            return False
        session = self.session
        uow, actor, now = session.backend.uow, session.require_actor(), session.now()
        data, source = chosen.data, chosen.source
        preset, in_county_zone = chosen.preset is not None, chosen.in_county_zone

        def activate() -> records.ActivationResult:
            return records.activate_policy(
                uow(), data, source, actor, now, reason,
                preset=preset, in_county_zone=in_county_zone,
            )  # fmt: skip

        self._set_acting(True)
        run_in_background(
            self.tasks, self, self.activate_message, activate, self._activated,
            on_failed=lambda _error: self._set_acting(False), changes={Changed.POLICY},
        )  # fmt: skip
        return True

    def _activated(self, result: records.ActivationResult) -> None:
        self._set_acting(False)
        policy = result.activation.policy
        if result.already_active:
            self.activate_message.show_note(
                f"“{policy.name}” is already in force (version {policy.id}); nothing changed."
            )
            return
        in_zone = (
            f" It reads times in the county's timezone, {self.county.name}."
            if result.zone_rewrite is not None
            else ""
        )
        self.activate_message.show_note(
            f"“{policy.name}” is now in force (version {policy.id}). It was recorded with "
            f"your name and reason.{in_zone}"
        )
        self.reason.edit.clear()
        self.refresh()
        self.policy_changed.emit()

    def _set_acting(self, acting: bool) -> None:
        self.acting = acting
        self.activate_button.setEnabled(self.loaded and not acting)
        self.reactivate_button.setEnabled(not acting)

    # ------------------------------------------------------------------ what if
    def _what_if_tab(self) -> QWidget:
        page = QWidget()
        page.setObjectName("policyWhatIfTab")
        box = QVBoxLayout(page)
        box.setSpacing(8)
        box.addWidget(
            paragraph(
                "How would a proposed policy have decided the requests already recorded? Every "
                "request received in the period is checked again under the proposal, as at "
                "the moment its decision was made. Nothing changes in the records; only the "
                "fact that the comparison was run is kept in the audit trail.",
                "whatIfIntro",
                "About the what-if",
            )
        )
        self.what_if_chooser = PolicyChooser(
            "whatIfPolicy", choose_file=self.choose_file, catalog=self.catalog
        )
        self.what_if_chooser.description.setMinimumHeight(60)
        # The proposal above, the decisions that would change below; the officer can move
        # the line between them.
        self.what_if_split = QSplitter(Qt.Orientation.Vertical)
        self.what_if_split.setObjectName("whatIfSplit")
        self.what_if_split.setChildrenCollapsible(False)
        self.what_if_split.addWidget(self.what_if_chooser)
        results = QWidget()
        results.setObjectName("whatIfResults")
        results_box = QVBoxLayout(results)
        results_box.setContentsMargins(0, 4, 0, 0)

        row = QHBoxLayout()
        row.setSpacing(8)
        today = timetext.county_day(self.session.now(), self.zone)
        self.from_date = _date_edit("whatIfFrom", "Received from", today - dt.timedelta(days=90))
        self.to_date = _date_edit("whatIfTo", "Received up to and including", today)
        from_label = buddy_label("Requests received &from:", self.from_date)
        to_label = buddy_label("&to:", self.to_date)
        row.addWidget(from_label)
        row.addWidget(self.from_date)
        row.addWidget(to_label)
        row.addWidget(self.to_date)
        row.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setObjectName("whatIfProgress")
        self.progress.setAccessibleName("Comparison progress")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(True)
        self.progress.setMinimumWidth(220)
        self.progress.hide()
        # A busy bar shows no text in most styles: the count goes beside it.
        self.progress_label = QLabel()
        self.progress_label.setObjectName("whatIfProgressText")
        self.progress_label.hide()
        row.addWidget(self.progress_label)
        row.addWidget(self.progress)
        self.compare_button = push_button(
            "&Compare", "whatIfCompare", "Compare", on_click=self.compare
        )
        row.addWidget(self.compare_button)
        self.cancel_button = push_button(
            "Ca&ncel", "whatIfCancel", "Cancel the comparison", on_click=self.cancel
        )
        self.cancel_button.hide()
        row.addWidget(self.cancel_button)
        results_box.addLayout(row)

        self.what_if_message = MessageLabel("whatIfMessage", "Comparison")
        results_box.addWidget(self.what_if_message)
        self.changes_table = _table("whatIfChanges", "Decisions that would change", CHANGE_COLUMNS)
        results_box.addWidget(self.changes_table, 1)
        self.not_evaluable = MessageLabel("whatIfNotEvaluable", "Decisions not re-checked")
        results_box.addWidget(self.not_evaluable)
        # The comparison on paper or in a spreadsheet, for the people who decide.
        self.what_if_listing_message = MessageLabel("whatIfListingMessage", "Saving or printing")
        self.what_if_listing = ListingActions(
            self.tasks,
            self,
            self.what_if_listing_message,
            save_file=self.session.backend.save_file,
            what="the comparison",
            object_prefix="whatIf",
            stem=self._what_if_stem,
            make=self._what_if_task,
        )
        results_box.addWidget(self.what_if_listing_message)
        listing_row = QHBoxLayout()
        listing_row.addStretch(1)
        for button in self.what_if_listing.buttons:
            listing_row.addWidget(button)
        results_box.addLayout(listing_row)
        self.what_if_listing.set_enabled(False)
        self.what_if_split.addWidget(results)
        self.what_if_split.setSizes([300, 320])
        box.addWidget(self.what_if_split, 1)
        return page

    def compare(self) -> TaskHandle | None:
        """Start the what-if in the background; None when something is missing."""
        self.what_if_message.clear_message()
        self.not_evaluable.clear_message()
        chosen = self.what_if_chooser.chosen()
        if chosen is None:
            problem = self.what_if_chooser.problem() or "Choose a proposed policy."
            self.what_if_message.show_error(problem)
            return None
        first, last = _day(self.from_date), _day(self.to_date)
        if last < first:
            self.what_if_message.show_error("The period ends before it begins.")
            return None
        zone = self.zone
        start = start_of_day(first, zone)  # type: ignore[arg-type]
        end = start_of_day(last + dt.timedelta(days=1), zone)  # type: ignore[arg-type]
        uow_factory = self.session.backend.uow
        actor = self.session.require_actor()
        now = self.session.now()
        data, source = chosen.data, chosen.source

        def work(handle: TaskHandle) -> Generator[Any, None, WhatIfResult | None]:
            # Runs on a worker thread: plain values only, its own units of work.
            steps = what_if(uow_factory, actor, data, source, start, end, now)
            for step in steps:
                if handle.cancelled():
                    # Left unfinished, the generator never writes its audit event: nothing
                    # was compared.
                    return None
                if isinstance(step, WhatIfResult):
                    return step
                yield step
            return None

        self.changes_table.setRowCount(0)
        self.comparison = None
        self.what_if_listing.set_enabled(False)
        self._running(True)
        self._say_progress("Comparing…")
        self.task = self.tasks.start(
            work,
            on_progress=self._progress,
            on_finished=self._compared,
            on_failed=self._failed,
        )
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _say_progress(self, text: str) -> None:
        self.progress.setFormat(text)
        self.progress.setAccessibleDescription(text)
        self.progress_label.setText(text)

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.progress_label.setVisible(running)
        self.cancel_button.setVisible(running)
        self.compare_button.setEnabled(not running)
        self.what_if_chooser.setEnabled(not running)
        self.from_date.setEnabled(not running)
        self.to_date.setEnabled(not running)

    def _alive(self) -> bool:
        return shiboken6.isValid(self)

    def _progress(self, examined: object) -> None:
        if self._alive():
            self._say_progress(f"{examined} decisions examined…")

    def _compared(self, result: object) -> None:
        if not self._alive():
            return
        self.task = None
        self._running(False)
        if not isinstance(result, WhatIfResult):
            self.what_if_message.show_note("Cancelled: nothing was compared.")
            return
        self.comparison = result
        self._compared_period = (_day(self.from_date), _day(self.to_date))
        self._show_changes(result)
        self.what_if_listing.set_enabled(True)

    def _failed(self, error: BaseException, _trace: str) -> None:
        if not self._alive():
            return
        self.task = None
        self._running(False)
        if isinstance(error, RecordError):
            self.what_if_message.show_error(plain_sentence(str(error)))
        else:
            show_bug(self, type(error), error, error.__traceback__)

    def _show_changes(self, result: WhatIfResult) -> None:
        period = (
            f"{timetext.day_text(_day(self.from_date))} to {timetext.day_text(_day(self.to_date))}"
        )
        if result.examined == 0:
            summary = f"No decisions were recorded for requests received {period}."
        elif not result.changes:
            summary = (
                f"Under “{result.policy_name}”, all {result.examined} decisions on requests "
                f"received {period} would come out the same."
            )
        else:
            summary = (
                f"Under “{result.policy_name}”, {len(result.changes)} of {result.examined} "
                f"decisions on requests received {period} would come out differently:"
            )
        self.what_if_message.show_note(summary)
        table = self.changes_table
        table.setRowCount(len(result.changes))
        for row, change in enumerate(result.changes):
            for column, text in enumerate(self._change_cells(change)):
                table.setItem(row, column, _cell(text))
        table.resizeColumnsToContents()
        if result.not_evaluable:
            lines = [f"• decision {number}: {problem}" for number, problem in result.not_evaluable]
            self.not_evaluable.show_error(
                "These decisions could not be checked again (their request no longer reads as "
                "valid):\n" + "\n".join(lines)
            )

    def _change_cells(self, change: Change) -> tuple[str, ...]:
        return (
            str(change.decision_id),
            change.subject_name,
            change.booking_number,
            when_text(change.received_at, self.zone),
            outcome_text(change.recorded_outcome),
            outcome_text(change.proposed_outcome),
            hold_until_text(change.recorded_outcome, change.recorded_hold_until, self.zone),
            hold_until_text(change.proposed_outcome, change.proposed_hold_until, self.zone),
        )

    def _what_if_stem(self) -> str:
        first, last = self._compared_period
        return f"what-if-{first}-to-{last}"

    def _what_if_task(self, purpose: str) -> ListingTask | None:
        """The comparison shown, as a PDF or CSV; printing or saving it is audited."""
        result = self.comparison
        if result is None:
            self.what_if_listing_message.show_error("Compare first: there is nothing to save.")
            return None
        first, last = self._compared_period
        uow, now = self.session.backend.uow, self.session.now()
        actor = self.session.require_actor()

        def work(_handle: TaskHandle) -> Generator[Any, None, bytes | str]:
            yield "making"
            context = report_context(uow(), actor, now)
            listing = WhatIfListing(result, first, last, context.timezone)
            record_what_if_copy(uow(), actor, listing, purpose, now)
            if purpose == CSV:
                return what_if_csv(listing)
            from detainer_desk.adapters import pdf

            return pdf.render_what_if_pdf(listing, context)

        return work

    # ----------------------------------------------------------------- general
    def refresh(self) -> None:
        """Read the county's zone, the policy in force and the history in the background;
        show them when read (only the newest read is shown)."""
        may_view = self.session.may(acc.VIEW_POLICIES)
        try:
            actor = self.session.require_actor()
        except RecordError:
            return  # signed out meanwhile: the window closes the dialog
        uow, now = self.session.backend.uow, self.session.now()
        self._generation += 1
        generation = self._generation
        self.loading = True
        if not self.loaded:
            self.activate_button.setEnabled(False)

        def shown(read: PolicyRead) -> None:
            if generation == self._generation:
                self._show(read)

        def failed(_error: BaseException) -> None:
            if generation == self._generation:
                self.loading = False

        run_in_background(
            self.tasks, self, self.history_message,
            lambda: read_policies(uow, actor, now, may_view), shown, on_failed=failed,
        )  # fmt: skip

    def _show(self, read: PolicyRead) -> None:
        first = not self.loaded
        county, activation, history = read
        if first or county != self.county:  # (setting it again would clear the message)
            self.activate_chooser.set_county_zone(county.name if county.is_set else None)
        self.county, self.zone = county, county.zone
        if first:  # the period's default days are the county's, unless already changed
            today = timetext.county_day(self.session.now(), self.zone)
            for edit, default in ((self.from_date, today - dt.timedelta(days=90)),
                                  (self.to_date, today)):  # fmt: skip
                if edit.date() == edit.property("placeholderDay"):
                    edit.setDate(qt_date(default))
        self._show_in_force(activation)
        self._show_history(history)
        self.loading = False
        self.loaded = True
        self._set_acting(self.acting)

    def _policy_changed_here(self, _changed: Kinds) -> None:
        """Another screen activated a policy or changed the county's zone."""
        if not self.acting:
            self.refresh()

    def done(self, result: int) -> None:
        self.cancel()
        self.what_if_listing.cancel()
        super().done(result)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.cancel()
        super().closeEvent(event)


class PolicyMenu(QObject):
    """The Policy menu: opens the policy screen at the tab asked for, offering only what the
    signed-in roles allow."""

    policy_changed = Signal()

    def __init__(
        self,
        session: Session,
        tasks: TaskRunner,
        window: QWidget,
        *,
        open_dialog: DialogOpener,
        choose_file: FileChooser = ask_policy_file,
    ) -> None:
        super().__init__(window)
        self.session = session
        self.tasks = tasks
        self.window = window
        self.open_dialog = open_dialog
        self.choose_file = choose_file
        self._guards: list[tuple[QAction, str | None, str]] = []
        self.menu = QMenu("&Policy", window)
        self.menu.setObjectName("policyMenu")
        self.menu.setAccessibleName("Policy")
        self.menu.setToolTipsVisible(True)
        self.in_force_action = self._action(
            "Policy in &force…",
            "policyInForceAction",
            IN_FORCE,
            None,
            "The county's policy in plain English and as written",
        )
        self.history_action = self._action(
            "Version &history…",
            "policyHistoryAction",
            HISTORY,
            acc.VIEW_POLICIES,
            "Every version activated: who, when and why",
        )
        self.menu.addSeparator()
        self.activate_action = self._action(
            "&Activate a policy…",
            "policyActivateAction",
            ACTIVATE,
            acc.MANAGE_POLICIES,
            "Put a preset or a policy file in force",
        )
        self.what_if_action = self._action(
            "&What if…",
            "policyWhatIfAction",
            WHAT_IF,
            acc.MANAGE_POLICIES,
            "Which recorded decisions a proposed policy would change",
        )
        session.changed.connect(self.update_actions)
        self.update_actions()

    def _action(
        self, text: str, object_name: str, tab: int, permission: str | None, tip: str
    ) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(object_name)
        self._guards.append((action, permission, tip))
        action.triggered.connect(lambda: self.open(tab))
        self.menu.addAction(action)
        return action

    @property
    def actions(self) -> tuple[QAction, ...]:
        return (
            self.in_force_action,
            self.history_action,
            self.activate_action,
            self.what_if_action,
        )

    def update_actions(self) -> None:
        working = self.session.state is SessionState.SIGNED_IN
        self.menu.menuAction().setEnabled(working)
        for action, permission, tip in self._guards:
            allowed = working and (permission is None or self.session.may(permission))
            action.setEnabled(allowed)
            shown = tip if allowed or permission is None else roles_needed(permission)
            action.setToolTip(shown)
            action.setStatusTip(shown)

    def open(self, tab: int = IN_FORCE) -> PolicyDialog | None:
        if self.session.state is not SessionState.SIGNED_IN:
            return None
        dialog = PolicyDialog(self.session, self.tasks, self.window, choose_file=self.choose_file)
        dialog.policy_changed.connect(self.policy_changed)
        dialog.show_tab(tab)
        self.open_dialog(dialog)
        return dialog


PolicyRead = tuple[CountyZone, PolicyActivation | None, list[PolicyActivation] | RecordError | None]


def read_policies(
    uow: Callable[[], UnitOfWork], actor: Actor, now: dt.datetime, may_view: bool
) -> PolicyRead:
    """The county's zone, the policy in force and (for who may see it) the history, or the
    services' refusal of it (in the background)."""
    county = read_county_zone(uow())
    activation = records.active_policy(uow())
    if not may_view:
        return county, activation, None
    try:
        return county, activation, list(policy_history(uow(), actor, now))
    except RecordError as refused:
        return county, activation, refused
